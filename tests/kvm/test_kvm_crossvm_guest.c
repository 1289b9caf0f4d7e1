/* The guest side of cross-VM connections (tests/guests/lib/crossvm.h) against the VMM side of
 * sel4vmmplatsupport/drivers/cross_vm_connection.h, with a peer thread that talks to the VM through notifications. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pci/helper.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci.h>
#include <vka/capops.h>
#include <vka/object.h>
#include "guest_reports.h"
#include "kvm_fixture.h"

#define CONNECTIONS 2
#define CONN_BASE GUEST_MMIO
/* Lines alloc_irq hands out: one on each PIC (a slave line goes through the cascade). */
#define MASTER_IRQ 5
#define SLAVE_IRQ 11
#define PAGE 0x1000u
/* consume_id of connection 0, and the badge of the peer's copy of the VM's host endpoint. */
#define PING_ID 0x1
/* Connection 1 sits after the host bridge and connection 0. */
#define LONG_NAME_SLOT 2

/* The other end of connection 0, as a CAmkES component would be: woken by the guest's emit through a
 * notification, it reverses the string in the dataport and signals the VM. */
struct peer {
    bool running;
    pthread_t thread;
    seL4_CPtr wake;  /* signalled by the connection's emit_fn */
    seL4_CPtr to_vm; /* the VM's host endpoint, badged PING_ID */
    uint8_t *data;   /* the dataport, through the peer's own mapping */
    atomic_bool quit;
    unsigned emits;   /* calls of emit_fn */
    unsigned replies; /* strings reversed and signalled back */
};

static struct peer peer;
static vmm_pci_space_t *pci;
static int irq_to_allocate;
static unsigned eois;
static struct guest_reports reports;

static int alloc_irq(void)
{
    return irq_to_allocate;
}

static void emit_to_peer(void)
{
    peer.emits++;
    seL4_Signal(peer.wake);
}

static void reverse_string(uint8_t *s)
{
    size_t n = strnlen((char *)s, PAGE);
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

static void *peer_main(void *arg)
{
    (void)arg;
    for (;;) {
        seL4_Wait(peer.wake, NULL);
        if (atomic_load(&peer.quit)) {
            return NULL;
        }
        reverse_string(peer.data);
        peer.replies++;
        seL4_Signal(peer.to_vm);
    }
}

/* The VMM's side of notifications: the peer's badge is connection 0's consume_id, and nothing else signals. */
static int on_notification(vm_t *vm, seL4_Word badge, seL4_MessageInfo_t tag, void *cookie)
{
    (void)tag;
    (void)cookie;
    if (badge != PING_ID) {
        return -1;
    }
    consume_connection_event(vm, badge, true);
    return 0;
}

static void on_eoi(vm_vcpu_t *vcpu, int irq, void *cookie)
{
    (void)vcpu;
    (void)irq;
    (void)cookie;
    eois++;
}

static vmm_pci_entry_t *long_name_device(void)
{
    vmm_pci_entry_t *e = find_device(pci, (vmm_pci_address_t){ .bus = 0, .dev = LONG_NAME_SLOT, .fun = 0 });
    assert_non_null(e);
    return e;
}

static uint16_t long_name_command(void)
{
    vmm_pci_entry_t *e = long_name_device();
    uint32_t command = 0;
    assert_int_equal(e->ioread(e->cookie, PCI_COMMAND, 2, &command), 0);
    return (uint16_t)command;
}

/* A VMM as an application sets one up: PCI configuration ports, the connections (0 is GUEST_CROSSVM_PING, which
 * emits to the peer and takes its events; 1 has the 48-character name and no events), the notification callback
 * and the peer. alloc_irq gives irq. */
static void connect(struct kvm_fixture *f, int irq)
{
    pci = kvm_attach_pci(f);
    seL4_CPtr frames[CONNECTIONS];
    uint8_t *unused;
    frames[0] = kvm_new_frame(f, &peer.data);
    frames[1] = kvm_new_frame(f, &unused);
    crossvm_dataport_handle_t dataports[CONNECTIONS] = {
        { .size = PAGE, .num_frames = 1, .frames = &frames[0] },
        { .size = PAGE, .num_frames = 1, .frames = &frames[1] },
    };
    crossvm_handle_t conns[CONNECTIONS] = {
        { .dataport = &dataports[0],
          .emit_fn = emit_to_peer,
          .consume_id = PING_ID,
          .connection_name = GUEST_CROSSVM_PING },
        { .dataport = &dataports[1],
          .emit_fn = NULL,
          .consume_id = (seL4_Word)-1,
          .connection_name = GUEST_CROSSVM_LONG_NAME },
    };
    irq_to_allocate = irq;
    assert_int_equal(cross_vm_connections_init_common(&f->vm, CONN_BASE, conns, CONNECTIONS, pci, alloc_irq), 0);
    assert_int_equal(vm_register_notification_callback(&f->vm, on_notification, NULL), 0);
    eois = 0;
    assert_int_equal(vm_register_irq(f->vcpu, irq, on_eoi, NULL), 0);
    /* As firmware may leave it: memory decoding off, for the guest library to turn on. */
    vmm_pci_entry_t *e = long_name_device();
    assert_int_equal(e->iowrite(e->cookie, PCI_COMMAND, 2, 0), 0);

    vka_object_t wake;
    assert_int_equal(vka_alloc_notification(&f->env.vka, &wake), 0);
    peer.wake = wake.cptr;
    peer.to_vm = kvm_badged_host_endpoint(f, PING_ID);
    atomic_store(&peer.quit, false);
    peer.emits = peer.replies = 0;
    assert_int_equal(pthread_create(&peer.thread, NULL, peer_main, NULL), 0);
    peer.running = true;
}

/* Teardown: the peer first (it waits on a notification of the environment), then the VM, then the PCI space
 * whose entries point into the VM's connection state. */
static int disconnect(void **state)
{
    if (peer.running) {
        atomic_store(&peer.quit, true);
        seL4_Signal(peer.wake);
        pthread_join(peer.thread, NULL);
        peer.running = false;
    }
    int ret = kvm_fixture_down(state);
    sel4kvm_pci_destroy(pci);
    pci = NULL;
    return ret;
}

#define CROSSVM_TEST(fn) cmocka_unit_test_setup_teardown(fn, kvm_fixture_up, disconnect)

/* Once the guest has written GUEST_SYNC_PORT and had time to fall asleep, delivers events to connection 0 from
 * this thread: all but one consumed here without an interrupt, the last through the peer's notification, so they
 * are all counted before the line rises. */
struct later {
    struct kvm_fixture *f;
    uint32_t events;
    bool saw_ready;
};

static void *signal_later(void *arg)
{
    struct later *l = arg;
    struct timespec ms = { 0, 1000000 };
    for (int waited = 0; !atomic_load(&l->f->guest_ready) && waited < 10000; waited++) {
        nanosleep(&ms, NULL);
    }
    l->saw_ready = atomic_load(&l->f->guest_ready);
    /* The guest sleeps a few instructions (tens of microseconds) after its sync write; the margin is for a loaded
     * CI machine that stalls the vCPU thread. */
    struct timespec settle = { 0, 150000000 };
    nanosleep(&settle, NULL);
    for (uint32_t i = 1; i < l->events; i++) {
        consume_connection_event(&l->f->vm, PING_ID, false);
    }
    seL4_Signal(peer.to_vm);
    return NULL;
}

static void run_with_later_signal(struct kvm_fixture *f, uint32_t events)
{
    struct later l = { f, events, false };
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, signal_later, &l), 0);
    int ret = kvm_run(f);
    pthread_join(thread, NULL);
    assert_int_equal(ret, 0);
    assert_true(l.saw_ready);
}

enum {
    R_COUNT,
    R_FIND_LONG,
    R_LONG_SLOT,
    R_LONG_EVENT,
    R_LONG_DATA,
    R_LONG_SIZE,
    R_LONG_IRQ,
    R_FIND_MISSING,
    R_OPEN_PAST_END,
    R_IRQ_INIT,
    R_LINE_PENDING,
    R_WAIT_PENDING,
    R_DATA,
    R_WAIT_ASLEEP,
    R_EVENTS_AFTER,
    R_LINE_AFTER,
    R_NUM
};

static void run_exchange(struct kvm_fixture *f, const char *guest, int irq)
{
    connect(f, irq);
    guest_reports_attach(f, &reports);
    kvm_load_guest(f, guest);
    run_with_later_signal(f, 2);
    assert_int_equal(kvm_exit_status(f), 1);
    assert_int_equal(reports.count, R_NUM);
}

static void test_devices_are_counted_found_by_name_and_decoded(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    run_exchange(f, "crossvm_lib_32", SLAVE_IRQ);
    assert_int_equal(reports.values[R_COUNT], CONNECTIONS);
    assert_int_equal(reports.values[R_FIND_LONG], 0);
    assert_int_equal(reports.values[R_LONG_SLOT], LONG_NAME_SLOT);
    assert_int_equal(reports.values[R_LONG_EVENT], CONN_BASE + 2 * PAGE);
    assert_int_equal(reports.values[R_LONG_DATA], CONN_BASE + 3 * PAGE);
    assert_int_equal(reports.values[R_LONG_SIZE], PAGE);
    assert_int_equal(reports.values[R_LONG_IRQ], SLAVE_IRQ);
    assert_int_equal(reports.values[R_FIND_MISSING], (uint32_t)-1);
    assert_int_equal(reports.values[R_OPEN_PAST_END], (uint32_t)-1);
    assert_true(long_name_command() & PCI_COMMAND_MEMORY);
}

static void check_events(void)
{
    assert_int_equal(reports.values[R_IRQ_INIT], 0);
    assert_int_equal(peer.emits, 1);
    assert_int_equal(peer.replies, 1);
    /* The peer's event was counted and its injection holds the line up until the guest acknowledges. */
    assert_int_equal(reports.values[R_LINE_PENDING], 1);
    assert_int_equal(reports.values[R_WAIT_PENDING], 1);
    assert_memory_equal(&reports.values[R_DATA], "olle", 4);
    assert_int_equal(reports.values[R_WAIT_ASLEEP], 2);
    assert_int_equal(reports.values[R_EVENTS_AFTER], 0);
    assert_int_equal(reports.values[R_LINE_AFTER], 0);
    /* Only the wait that slept took the interrupt; the one that found the event pending sent no EOI. */
    assert_int_equal(eois, 1);
}

static void test_emit_and_wait_exchange_events_in_protected_mode(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    run_exchange(f, "crossvm_lib_32", MASTER_IRQ);
    assert_int_equal(reports.values[R_LONG_IRQ], MASTER_IRQ);
    check_events();
}

/* The event taken without sleeping leaves the master's cascade input latched: the next sleep takes a spurious
 * IRQ 15 first, which must not end the run. */
static void test_emit_and_wait_survive_spurious_slave_interrupt(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    run_exchange(f, "crossvm_lib_32", SLAVE_IRQ);
    check_events();
}

static void test_emit_and_wait_exchange_events_in_long_mode(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    run_exchange(f, "crossvm_lib_64", SLAVE_IRQ);
    assert_int_equal(reports.values[R_LONG_EVENT], CONN_BASE + 2 * PAGE);
    check_events();
}

static void test_interrupt_outside_wait_ends_run_as_stray(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    connect(f, MASTER_IRQ);
    kvm_load_guest(f, "crossvm_lib_32");
    assert_int_equal(vm_set_thread_context_reg(f->vcpu, VCPU_CONTEXT_EAX, GUEST_CROSSVM_STRAY), 0);
    run_with_later_signal(f, 1);
    assert_int_equal(kvm_exit_status(f), (GUEST_EXIT_STRAY_IRQ << 1) | 1);
    assert_int_equal(peer.emits, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        CROSSVM_TEST(test_devices_are_counted_found_by_name_and_decoded),
        CROSSVM_TEST(test_emit_and_wait_exchange_events_in_protected_mode),
        CROSSVM_TEST(test_emit_and_wait_survive_spurious_slave_interrupt),
        CROSSVM_TEST(test_emit_and_wait_exchange_events_in_long_mode),
        CROSSVM_TEST(test_interrupt_outside_wait_ends_run_as_stray),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
