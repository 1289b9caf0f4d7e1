/* Interrupts and notifications with real guests: an IRQ reaching an IDT handler, halted guests woken. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_irq_controller.h>
#include <vka/capops.h>
#include "kvm_fixture.h"

/* What a helper thread does once the guest has written GUEST_SYNC_PORT, after delay_ms. */
enum poke { POKE_INJECT_IRQ, POKE_SIGNAL };

struct poker {
    struct kvm_fixture *f;
    enum poke what;
    unsigned delay_ms;
    seL4_CPtr badged;
    pthread_t thread;
    bool saw_ready;
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

static void *poker_main(void *arg)
{
    struct poker *p = arg;
    for (unsigned waited = 0; !atomic_load(&p->f->guest_ready) && waited < 10000; waited++) {
        sleep_ms(1);
    }
    p->saw_ready = atomic_load(&p->f->guest_ready);
    sleep_ms(p->delay_ms);
    if (p->what == POKE_INJECT_IRQ) {
        vm_inject_irq(p->f->vcpu, GUEST_IRQ);
    } else {
        seL4_Signal(p->badged);
    }
    return NULL;
}

static void poker_start(struct poker *p)
{
    assert_int_equal(pthread_create(&p->thread, NULL, poker_main, p), 0);
}

static void poker_join(struct poker *p)
{
    pthread_join(p->thread, NULL);
    assert_true(p->saw_ready);
}

/* A copy of the VM's host endpoint with a badge, as another component's notification cap would be. */
static seL4_CPtr badged_endpoint(struct kvm_fixture *f, seL4_Word badge)
{
    seL4_CPtr badged;
    assert_int_equal(vka_cspace_alloc(&f->env.vka, &badged), 0);
    cspacepath_t src, dest;
    vka_cspace_make_path(&f->env.vka, f->env.host_endpoint, &src);
    vka_cspace_make_path(&f->env.vka, badged, &dest);
    assert_int_equal(vka_cnode_mint(&dest, &src, seL4_AllRights, badge), 0);
    return badged;
}

static struct port_reports {
    unsigned count;
    unsigned last;
} reports;

static ioport_fault_result_t report_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                        unsigned int value)
{
    (void)vcpu;
    (void)cookie;
    (void)port_no;
    (void)size;
    reports.count++;
    reports.last = value;
    return IO_FAULT_HANDLED;
}

static void add_report_port(struct kvm_fixture *f)
{
    memset(&reports, 0, sizeof(reports));
    vm_ioport_interface_t iface = { .port_out = report_out, .desc = "report" };
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ GUEST_REPORT_PORT, GUEST_REPORT_PORT + 3 },
                                            iface),
                     0);
}

/* The irq guests exit with the number of interrupts their handler took. */
static void run_irq_guest(struct kvm_fixture *f, const char *guest, unsigned delay_ms)
{
    add_report_port(f);
    kvm_load_guest(f, guest);
    struct poker p = { .f = f, .what = POKE_INJECT_IRQ, .delay_ms = delay_ms };
    poker_start(&p);
    int ret = kvm_run(f);
    poker_join(&p);
    assert_int_equal(ret, 0);
    assert_int_equal(reports.count, 1);
    assert_int_equal(reports.last, GUEST_IRQ_VECTOR);
    assert_int_equal(kvm_exit_status(f), (1 << 1) | 1);
}

static void test_irq_reaches_idt_handler_in_protected_mode(void **state)
{
    run_irq_guest(kvm_fixture(state), "irq_32", 0);
}

static void test_irq_reaches_idt_handler_in_long_mode(void **state)
{
    run_irq_guest(kvm_fixture(state), "irq_64", 0);
}

static void test_irq_from_another_thread_wakes_halted_guest(void **state)
{
    run_irq_guest(kvm_fixture(state), "irq_32", 50);
}

static unsigned acks;
static void on_ack(vm_vcpu_t *vcpu, int irq, void *cookie)
{
    (void)vcpu;
    (void)cookie;
    if (irq == GUEST_IRQ) {
        acks++;
    }
}

static void test_irq_ack_callback_runs_after_guest_eoi(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    acks = 0;
    assert_int_equal(vm_register_irq(f->vcpu, GUEST_IRQ, on_ack, NULL), 0);
    run_irq_guest(f, "irq_32", 0);
    assert_int_equal(acks, 1);
}

struct notified {
    unsigned count;
    seL4_Word badge;
    bool stop;
    bool inject;
};

static int on_notification(vm_t *vm, seL4_Word badge, seL4_MessageInfo_t tag, void *cookie)
{
    (void)tag;
    struct notified *n = cookie;
    n->count++;
    n->badge = badge;
    if (n->inject) {
        return vm_inject_irq(vm->vcpus[BOOT_VCPU], GUEST_IRQ);
    }
    return n->stop ? sel4kvm_vm_stop(vm) : 0;
}

static void test_notification_from_another_thread_reaches_halted_guest_vmm(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    static struct notified n;
    n = (struct notified){ .stop = true };
    assert_int_equal(vm_register_notification_callback(&f->vm, on_notification, &n), 0);
    kvm_load_guest(f, "halt_16");
    struct poker p = { .f = f, .what = POKE_SIGNAL, .delay_ms = 50, .badged = badged_endpoint(f, 0x5a) };
    poker_start(&p);
    int ret = kvm_run(f);
    poker_join(&p);
    assert_int_equal(ret, 0);
    assert_int_equal(n.count, 1);
    assert_int_equal(n.badge, 0x5a);
    assert_false(kvm_guest_exited(f));
}

static void test_notification_callback_interrupts_halted_guest(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    static struct notified n;
    n = (struct notified){ .inject = true };
    assert_int_equal(vm_register_notification_callback(&f->vm, on_notification, &n), 0);
    add_report_port(f);
    kvm_load_guest(f, "irq_64");
    struct poker p = { .f = f, .what = POKE_SIGNAL, .delay_ms = 50, .badged = badged_endpoint(f, 0x3) };
    poker_start(&p);
    int ret = kvm_run(f);
    poker_join(&p);
    assert_int_equal(ret, 0);
    assert_int_equal(n.count, 1);
    assert_int_equal(n.badge, 0x3);
    assert_int_equal(reports.count, 1);
    assert_int_equal(kvm_exit_status(f), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        KVM_TEST(test_irq_reaches_idt_handler_in_protected_mode),
        KVM_TEST(test_irq_reaches_idt_handler_in_long_mode),
        KVM_TEST(test_irq_from_another_thread_wakes_halted_guest),
        KVM_TEST(test_irq_ack_callback_runs_after_guest_eoi),
        KVM_TEST(test_notification_from_another_thread_reaches_halted_guest_vmm),
        KVM_TEST(test_notification_callback_interrupts_halted_guest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
