/* The KVM backend's own mechanisms, with hand-assembled real-mode guests: exits, memslots, kicks, registers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sel4kvm/env.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm.h>
#include <sel4vm/guest_vm_exits.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/arch/vmcs_fields.h>
#include <vka/capops.h>
#include <vka/object.h>
#include "../unit/quiet_log.h"

#define CODE 0x1000ul   /* real-mode guests run from here */
#define DEVICE 0x9000ul /* and touch a device page here */
#define EXIT_PORT 0xf4

struct kvm_fixture {
    sel4kvm_env_t env;
    vm_t vm;
    vm_vcpu_t *vcpu;
    /* what the guest did */
    unsigned out_value;
    int outs;
    int reads, writes;
    uintptr_t last_addr;
    size_t last_size;
    seL4_Word last_write;
    seL4_Word read_data;
    int notified;
    seL4_Word badge;
};

static ioport_fault_result_t exit_port_out(vm_vcpu_t *vcpu, void *cookie, unsigned port, unsigned size, unsigned value)
{
    (void)port;
    (void)size;
    struct kvm_fixture *f = cookie;
    f->out_value = value;
    f->outs++;
    sel4kvm_vm_stop(vcpu->vm);
    return IO_FAULT_HANDLED;
}

static int fixture_up(void **state)
{
    static struct kvm_fixture f;
    memset(&f, 0, sizeof(f));
    *state = &f;
    if (sel4kvm_env_init(&f.env, NULL) != 0 || sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM) != 0 ||
        vm_init(&f.vm, &f.env.vka, &f.env.simple, f.env.vspace, &f.env.io_ops, f.env.host_endpoint, "kvm") != 0 ||
        vm_ram_register_at(&f.vm, 0, 0x8000, false) != 0) {
        return -1;
    }
    vm_ioport_interface_t exit_port = { .cookie = &f, .port_out = exit_port_out, .desc = "exit" };
    if (vm_io_port_add_handler(&f.vm, (vm_ioport_range_t){ EXIT_PORT, EXIT_PORT }, exit_port) != 0) {
        return -1;
    }
    f.vcpu = vm_create_vcpu(&f.vm, 100);
    return f.vcpu != NULL ? 0 : -1;
}

static int fixture_down(void **state)
{
    struct kvm_fixture *f = *state;
    sel4kvm_vm_destroy(&f->vm);
    sel4kvm_env_destroy(&f->env);
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_TEST);
    return 0;
}

static int skip_without_kvm(void **state)
{
    char reason[160];
    if (!sel4kvm_kvm_available(reason, sizeof(reason))) {
        print_message("skipped: %s\n", reason);
        skip();
    }
    return fixture_up(state);
}

#define KVM_TEST(fn) cmocka_unit_test_setup_teardown(fn, skip_without_kvm, fixture_down)

/* Loads 16-bit code at CODE and points the vCPU at it in real mode (CS = 0). */
static void load_real_mode(struct kvm_fixture *f, const uint8_t *code, size_t size)
{
    assert_int_equal(vm_ram_touch(&f->vm, CODE, size, vm_guest_ram_write_callback, (void *)code), 0);
    assert_int_equal(vm_set_vmcs_field(f->vcpu, VMX_GUEST_CS_SELECTOR, 0), 0);
    assert_int_equal(vm_set_vmcs_field(f->vcpu, VMX_GUEST_CS_BASE, 0), 0);
    assert_int_equal(vm_set_vmcs_field(f->vcpu, VMX_GUEST_RIP, CODE), 0);
    assert_int_equal(vm_set_vmcs_field(f->vcpu, VMX_GUEST_RFLAGS, 2), 0);
    assert_int_equal(vcpu_start(f->vcpu), 0);
}

static memory_fault_result_t device_access(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    struct kvm_fixture *f = cookie;
    f->last_addr = addr;
    f->last_size = size;
    if (is_vcpu_read_fault(vcpu)) {
        f->reads++;
        set_vcpu_fault_data(vcpu, f->read_data);
    } else {
        f->writes++;
        f->last_write = get_vcpu_fault_data(vcpu);
    }
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static void test_kvm_available_gives_a_reason_only_when_not(void **state)
{
    (void)state;
    char reason[160] = "untouched";
    assert_true(sel4kvm_kvm_available(reason, sizeof(reason)));
    assert_string_equal(reason, "untouched");
    assert_true(sel4kvm_kvm_available(NULL, 0));
}

static void test_mmio_exits_reach_the_callback_and_reads_reach_registers(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = {
        0xb8, 0x34,      0x12,             /* mov ax, 0x1234 */
        0xa3, 0x02,      0x90,             /* mov [0x9002], ax */
        0x66, 0x8b,      0x1e, 0x08, 0x90, /* mov ebx, [0x9008] */
        0xb0, 0x01,                        /* mov al, 1 */
        0xe6, EXIT_PORT,                   /* out 0xf4, al */
        0xf4,                              /* hlt */
    };
    assert_non_null(vm_reserve_memory_at(&f->vm, DEVICE, 0x1000, device_access, f));
    f->read_data = 0xcafef00d;
    load_real_mode(f, code, sizeof(code));
    assert_int_equal(vm_run(&f->vm), 0);
    assert_int_equal(f->writes, 1);
    assert_int_equal(f->reads, 1);
    assert_int_equal(f->last_write, 0x1234ul << 16); /* lane-positioned: byte offset 2 of the word */
    assert_int_equal(f->last_addr, DEVICE + 8);
    assert_int_equal(f->last_size, 4);
    seL4_Word ebx;
    assert_int_equal(vm_get_thread_context_reg(f->vcpu, VCPU_CONTEXT_EBX, &ebx), 0);
    assert_int_equal(ebx, 0xcafef00d);
    assert_int_equal(f->outs, 1);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_IO_EXIT);
}

static memory_fault_result_t fail_access(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    (void)vcpu;
    (void)addr;
    (void)size;
    (void)cookie;
    return FAULT_ERROR;
}

static void test_fault_error_ends_vm_run_with_a_register_dump(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = { 0xa0, 0x00, 0x90, 0xf4 }; /* mov al, [0x9000]; hlt */
    assert_non_null(vm_reserve_memory_at(&f->vm, DEVICE, 0x1000, fail_access, f));
    load_real_mode(f, code, sizeof(code));
    unsigned long errors_before = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_run(&f->vm), -1);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_ERROR_EXIT);
    assert_true((sel4kvm_log_count(ZF_LOG_ERROR) - errors_before) >= 3); /* the fault, the reason, the registers */
}

/* One 4 KiB frame for guest-physical addr, filled with byte, mapped with rights. */
struct frame_iter {
    seL4_CPtr frame;
    seL4_CapRights_t rights;
};

static vm_frame_t one_frame(uintptr_t addr, void *cookie)
{
    struct frame_iter *it = cookie;
    return (vm_frame_t){ .cptr = it->frame, .rights = it->rights, .vaddr = addr, .size_bits = seL4_PageBits };
}

static uint8_t *new_frame(struct kvm_fixture *f, struct frame_iter *it, seL4_CapRights_t rights, uint8_t fill)
{
    vka_object_t obj;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &obj), 0);
    uint8_t *host = sel4kvm_sim_paddr_to_host(seL4_X86_Page_GetAddress(obj.cptr).paddr, 4096);
    assert_non_null(host);
    memset(host, fill, 4096);
    *it = (struct frame_iter){ .frame = obj.cptr, .rights = rights };
    return host;
}

static void test_read_only_frame_traps_writes_and_serves_reads(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = {
        0xa0, 0x00,      0x90, /* mov al, [0x9000]: served from memory */
        0x88, 0xc3,            /* mov bl, al */
        0xb0, 0x77,            /* mov al, 0x77 */
        0xa2, 0x00,      0x90, /* mov [0x9000], al: traps */
        0xa0, 0x00,      0x90, /* mov al, [0x9000]: still 0x5a */
        0x00, 0xd8,            /* add al, bl */
        0xe6, EXIT_PORT,       /* out 0xf4, al */
        0xf4,
    };
    struct frame_iter it;
    uint8_t *host = new_frame(f, &it, seL4_CanRead, 0x5a);
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEVICE, 0x1000, device_access, f);
    assert_non_null(res);
    assert_int_equal(vm_map_reservation(&f->vm, res, one_frame, &it), 0);
    load_real_mode(f, code, sizeof(code));
    assert_int_equal(vm_run(&f->vm), 0);
    assert_int_equal(f->reads, 0);
    assert_int_equal(f->writes, 1);
    assert_int_equal(f->last_write, 0x77);
    assert_int_equal(host[0], 0x5a);
    assert_int_equal(f->out_value, (0x5a + 0x5a) & 0xff);
    size_t slots;
    assert_int_equal(sel4kvm_vm_memslots(&f->vm, &slots), 0);
    assert_int_equal(slots, 2); /* RAM, and the read-only page */
}

static vm_frame_t frames_from_array(uintptr_t addr, void *cookie)
{
    seL4_CPtr *frames = cookie;
    return (vm_frame_t){
        .cptr = frames[(addr % 0x200000) / 0x1000], .rights = seL4_AllRights, .vaddr = addr, .size_bits = seL4_PageBits
    };
}

static void test_memslots_follow_mappings(void **state)
{
    struct kvm_fixture *f = *state;
    size_t slots;
    assert_int_equal(sel4kvm_vm_memslots(&f->vm, &slots), 0);
    assert_int_equal(slots, 1); /* the fixture's RAM */
    /* 1 GiB of RAM at 1 MiB is one more slot: contiguous pages of equal rights make one run. */
    assert_int_equal(vm_ram_register_at(&f->vm, 0x100000, 1ul << 30, false), 0);
    assert_int_equal(sel4kvm_vm_memslots(&f->vm, &slots), 0);
    assert_int_equal(slots, 2);
    /* 100 device pages with a gap after each: one slot each. */
    vm_memory_reservation_t *res[100];
    for (int i = 0; i < 100; i++) {
        struct frame_iter it;
        new_frame(f, &it, seL4_AllRights, (uint8_t)i);
        res[i] = vm_reserve_memory_at(&f->vm, 0x80000000ul + (uintptr_t)i * 0x2000, 0x1000, device_access, f);
        assert_non_null(res[i]);
        assert_int_equal(vm_map_reservation(&f->vm, res[i], one_frame, &it), 0);
    }
    assert_int_equal(sel4kvm_vm_memslots(&f->vm, &slots), 0);
    assert_int_equal(slots, 102);
    /* Freeing a reservation unmaps its frame and its slot goes. */
    for (int i = 0; i < 100; i++) {
        assert_int_equal(vm_free_reserved_memory(&f->vm, res[i]), 0);
    }
    assert_int_equal(sel4kvm_vm_memslots(&f->vm, &slots), 0);
    assert_int_equal(slots, 2);
    /* Adjacent pages mapped one by one merge into one slot. */
    seL4_CPtr frames[16];
    for (int i = 0; i < 16; i++) {
        vka_object_t obj;
        assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &obj), 0);
        frames[i] = obj.cptr;
    }
    vm_memory_reservation_t *block = vm_reserve_memory_at(&f->vm, 0x90000000ul, 16 * 0x1000, device_access, f);
    assert_int_equal(vm_map_reservation(&f->vm, block, frames_from_array, frames), 0);
    assert_int_equal(sel4kvm_vm_memslots(&f->vm, &slots), 0);
    assert_int_equal(slots, 3);
    assert_int_equal(vm_free_reserved_memory(&f->vm, block), 0);
}

static void test_guest_sees_ram_mapped_after_it_started(void **state)
{
    struct kvm_fixture *f = *state;
    /* mov al, [0x9000]; out 0xf4, al: the page appears between two runs. */
    static const uint8_t code[] = { 0xa0, 0x00, 0x90, 0xe6, EXIT_PORT, 0xf4 };
    load_real_mode(f, code, sizeof(code));
    f->read_data = 0x11;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEVICE, 0x1000, device_access, f);
    assert_int_equal(vm_run(&f->vm), 0);
    assert_int_equal(f->out_value, 0x11);
    assert_int_equal(f->reads, 1);
    struct frame_iter it;
    new_frame(f, &it, seL4_AllRights, 0x22);
    assert_int_equal(vm_map_reservation(&f->vm, res, one_frame, &it), 0);
    assert_int_equal(vm_set_vmcs_field(f->vcpu, VMX_GUEST_RIP, CODE), 0);
    assert_int_equal(vm_run(&f->vm), 0);
    assert_int_equal(f->out_value, 0x22);
    assert_int_equal(f->reads, 1);
}

static void *stop_later(void *arg)
{
    usleep(20000);
    sel4kvm_vm_stop(arg);
    return NULL;
}

static void test_stop_from_another_thread_ends_a_spinning_guest(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = { 0xeb, 0xfe }; /* jmp $ */
    load_real_mode(f, code, sizeof(code));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stop_later, &f->vm), 0);
    assert_int_equal(vm_run(&f->vm), 0);
    pthread_join(t, NULL);
    seL4_Word rip;
    assert_int_equal(vm_get_vmcs_field(f->vcpu, VMX_GUEST_RIP, &rip), 0);
    assert_int_equal(rip, CODE);
}

static void test_stop_before_run_makes_one_run_return_at_once(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = { 0xb0, 0x05, 0xe6, EXIT_PORT, 0xf4 }; /* mov al, 5; out 0xf4, al */
    load_real_mode(f, code, sizeof(code));
    assert_int_equal(sel4kvm_vm_stop(&f->vm), 0);
    assert_int_equal(vm_run(&f->vm), 0);
    assert_int_equal(f->outs, 0);
    assert_int_equal(vm_run(&f->vm), 0);
    assert_int_equal(f->outs, 1);
    assert_int_equal(f->out_value, 5);
    assert_int_equal(sel4kvm_vm_stop(NULL), -1);
}

static int on_notification(vm_t *vm, seL4_Word badge, seL4_MessageInfo_t tag, void *cookie)
{
    (void)tag;
    struct kvm_fixture *f = cookie;
    f->notified++;
    f->badge |= badge;
    sel4kvm_vm_stop(vm);
    return 0;
}

static seL4_CPtr badged_endpoint(struct kvm_fixture *f, seL4_Word badge)
{
    seL4_CPtr slot;
    assert_int_equal(vka_cspace_alloc(&f->env.vka, &slot), 0);
    cspacepath_t src, dest;
    vka_cspace_make_path(&f->env.vka, f->env.host_endpoint, &src);
    vka_cspace_make_path(&f->env.vka, slot, &dest);
    assert_int_equal(vka_cnode_mint(&dest, &src, seL4_AllRights, badge), 0);
    return slot;
}

static void *signal_later(void *arg)
{
    usleep(20000);
    seL4_Signal((seL4_CPtr)(uintptr_t)arg);
    return NULL;
}

static void test_notification_from_another_thread_reaches_a_halted_guest(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = { 0xfa, 0xf4, 0xeb, 0xfd }; /* cli; 1: hlt; jmp 1b */
    load_real_mode(f, code, sizeof(code));
    assert_int_equal(vm_register_notification_callback(&f->vm, on_notification, f), 0);
    seL4_CPtr badged = badged_endpoint(f, 0x40);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, signal_later, (void *)(uintptr_t)badged), 0);
    assert_int_equal(vm_run(&f->vm), 0);
    pthread_join(t, NULL);
    assert_int_equal(f->notified, 1);
    assert_int_equal(f->badge, 0x40);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_NOTIFICATION_EXIT);
}

static void test_notification_from_another_process_reaches_a_spinning_guest(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = { 0xeb, 0xfe };
    load_real_mode(f, code, sizeof(code));
    assert_int_equal(vm_register_notification_callback(&f->vm, on_notification, f), 0);
    int fd = sel4kvm_notification_export(badged_endpoint(f, 0x8));
    assert_true(fd >= 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        usleep(20000);
        _exit(sel4kvm_eventfd_signal(fd) == 0 ? 0 : 1);
    }
    assert_int_equal(vm_run(&f->vm), 0);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(f->notified, 1);
    assert_int_equal(f->badge, 0x8);
}

static void test_notification_without_callback_ends_vm_run(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = { 0xeb, 0xfe };
    load_real_mode(f, code, sizeof(code));
    seL4_Signal(badged_endpoint(f, 1));
    unsigned long errors_before = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_run(&f->vm), -1);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_ERROR_EXIT);
    assert_true((sel4kvm_log_count(ZF_LOG_ERROR) - errors_before) >= 1);
}

static void test_registers_round_trip_through_kvm(void **state)
{
    struct kvm_fixture *f = *state;
    seL4_VCPUContext in = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xffffffffffffffff }, out;
    assert_int_equal(vm_set_thread_context(f->vcpu, in), 0);
    assert_int_equal(vm_get_thread_context(f->vcpu, &out), 0);
    assert_memory_equal(&in, &out, sizeof(in));
    assert_int_equal(vm_set_thread_context_reg(f->vcpu, VCPU_CONTEXT_EDI, 0xabc), 0);
    seL4_Word v;
    assert_int_equal(vm_get_thread_context_reg(f->vcpu, VCPU_CONTEXT_EDI, &v), 0);
    assert_int_equal(v, 0xabc);
    static const struct {
        seL4_Word field, value;
    } fields[] = {
        { VMX_GUEST_RSP, 0x7000 },
        { VMX_GUEST_RFLAGS, 0x202 },
        { VMX_GUEST_CS_SELECTOR, 0x08 },
        { VMX_GUEST_CS_BASE, 0x10000 },
        { VMX_GUEST_CS_LIMIT, 0xfffff },
        { VMX_GUEST_CS_ACCESS_RIGHTS, 0xc09b }, /* type 11, S, P, DB, G */
        { VMX_GUEST_TR_ACCESS_RIGHTS, 0x8b },
        { VMX_GUEST_LDTR_ACCESS_RIGHTS, 0x10000 }, /* unusable */
        { VMX_GUEST_GDTR_BASE, 0x5000 },
        { VMX_GUEST_GDTR_LIMIT, 0x17 },
        { VMX_GUEST_IDTR_LIMIT, 0x3ff },
        { VMX_GUEST_CR3, 0x2000 },
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        assert_int_equal(vm_set_vmcs_field(f->vcpu, fields[i].field, fields[i].value), 0);
    }
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        assert_int_equal(vm_get_vmcs_field(f->vcpu, fields[i].field, &v), 0);
        assert_int_equal(v, fields[i].value);
    }
    unsigned long errors_before = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_set_vmcs_field(f->vcpu, VMX_CONTROL_EXCEPTION_BITMAP, 0), -1);
    assert_int_equal(vm_get_vmcs_field(f->vcpu, VMX_GUEST_RIP, NULL), -1);
    assert_int_equal(vm_get_thread_context_reg(f->vcpu, (vcpu_context_reg_t)99, &v), -1);
    assert_int_equal((sel4kvm_log_count(ZF_LOG_ERROR) - errors_before), 3);
}

static ioport_fault_result_t ready_port_out(vm_vcpu_t *vcpu, void *cookie, unsigned port, unsigned size, unsigned value)
{
    (void)cookie;
    (void)port;
    (void)size;
    return vm_inject_irq(vcpu, (int)value) == 0 ? IO_FAULT_HANDLED : IO_FAULT_ERROR;
}

static ioport_fault_result_t report_port_out(vm_vcpu_t *vcpu, void *cookie, unsigned port, unsigned size,
                                             unsigned value)
{
    (void)vcpu;
    (void)port;
    (void)size;
    struct kvm_fixture *f = cookie;
    f->out_value = value;
    f->outs++;
    return IO_FAULT_HANDLED;
}

static int acks;
static void on_ack(vm_vcpu_t *vcpu, int irq, void *cookie)
{
    assert_int_equal(irq, 3);
    assert_ptr_equal(cookie, &acks);
    acks++;
    sel4kvm_vm_stop(vcpu->vm);
}

static void test_irq_reaches_the_guest_handler_and_its_eoi_the_ack_callback(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = {
        0xfa,                   /* cli */
        0xbc, 0x00, 0x70,       /* mov sp, 0x7000: the interrupt frame goes there */
        0xb0, 0x11, 0xe6, 0x20, /* ICW1: edge, cascade, ICW4 */
        0xb0, 0x20, 0xe6, 0x21, /* ICW2: IRQ 0 at vector 0x20 */
        0xb0, 0x04, 0xe6, 0x21, /* ICW3 */
        0xb0, 0x01, 0xe6, 0x21, /* ICW4: 8086 mode, normal EOI */
        0xb0, 0xf7, 0xe6, 0x21, /* unmask IRQ 3 only */
        0xb0, 0x03, 0xe6, 0xf5, /* out 0xf5, 3: the VMM injects IRQ 3 */
        0xfb,                   /* sti */
        0xf4, 0xeb, 0xfd,       /* 1: hlt; jmp 1b */
    };
    static const uint8_t handler[] = {
        0xb0, 0x42, 0xe6, 0xf6, /* out 0xf6, 0x42: handled */
        0xb0, 0x20, 0xe6, 0x20, /* EOI */
        0xcf,                   /* iret */
    };
    static const uint8_t vector_0x23[] = { 0x00, 0x11, 0x00, 0x00 }; /* 0000:1100 */
    assert_int_equal(vm_ram_touch(&f->vm, 0x1100, sizeof(handler), vm_guest_ram_write_callback, (void *)handler), 0);
    assert_int_equal(vm_ram_touch(&f->vm, 0x23 * 4, 4, vm_guest_ram_write_callback, (void *)vector_0x23), 0);
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0xf5, 0xf5 },
                                            (vm_ioport_interface_t){ .port_out = ready_port_out }),
                     0);
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0xf6, 0xf6 },
                                            (vm_ioport_interface_t){ .cookie = f, .port_out = report_port_out }),
                     0);
    unsigned long errors_before = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_inject_irq(f->vcpu, 3), -1); /* no controller yet */
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors_before, 1);
    assert_int_equal(vm_create_default_irq_controller(&f->vm), 0);
    assert_int_equal(vm_create_default_irq_controller(&f->vm), -1);
    assert_int_equal(vm_register_irq(f->vcpu, 3, on_ack, &acks), 0);
    assert_int_equal(vm_register_irq(f->vcpu, 3, on_ack, &acks), -1);
    assert_int_equal(vm_register_irq(f->vcpu, 24, on_ack, &acks), -1);
    assert_int_equal(vm_register_irq(f->vcpu, 4, NULL, NULL), -1);
    acks = 0;
    load_real_mode(f, code, sizeof(code));
    assert_int_equal(vm_run(&f->vm), 0);
    assert_int_equal(f->outs, 1);
    assert_int_equal(f->out_value, 0x42);
    assert_int_equal(acks, 1);
}

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    while (d != NULL && readdir(d) != NULL) {
        n++;
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static void test_vm_create_run_destroy_leaves_no_fds(void **state)
{
    struct kvm_fixture *f = *state;
    static const uint8_t code[] = { 0xb0, 0x01, 0xe6, EXIT_PORT, 0xf4 };
    int before = count_fds();
    for (int i = 0; i < 20; i++) {
        vm_t vm;
        assert_int_equal(vm_init(&vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint,
                                 "cycle"),
                         0);
        assert_int_equal(vm_ram_register_at(&vm, 0, 0x8000, false), 0);
        vm_ioport_interface_t exit_port = { .cookie = f, .port_out = exit_port_out };
        assert_int_equal(vm_io_port_add_handler(&vm, (vm_ioport_range_t){ EXIT_PORT, EXIT_PORT }, exit_port), 0);
        vm_vcpu_t *vcpu = vm_create_vcpu(&vm, 100);
        assert_non_null(vcpu);
        assert_int_equal(vm_ram_touch(&vm, CODE, sizeof(code), vm_guest_ram_write_callback, (void *)code), 0);
        assert_int_equal(vm_set_vmcs_field(vcpu, VMX_GUEST_CS_SELECTOR, 0), 0);
        assert_int_equal(vm_set_vmcs_field(vcpu, VMX_GUEST_CS_BASE, 0), 0);
        assert_int_equal(vm_set_vmcs_field(vcpu, VMX_GUEST_RIP, CODE), 0);
        assert_int_equal(vcpu_start(vcpu), 0);
        assert_int_equal(vm_run(&vm), 0);
        assert_int_equal(sel4kvm_vm_destroy(&vm), 0);
    }
    assert_int_equal(f->outs, 20);
    assert_int_equal(count_fds(), before);
}

static void test_guest_memory_cannot_overlap_kvm_tss(void **state)
{
    struct kvm_fixture *f = *state;
    unsigned long errors_before = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_not_equal(vm_ram_register_at(&f->vm, 0xfffbc000, 0x1000, false), 0);
    assert_true((sel4kvm_log_count(ZF_LOG_ERROR) - errors_before) >= 1);
    assert_int_equal(vm_ram_register_at(&f->vm, 0xfffc0000, 0x1000, false), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        KVM_TEST(test_kvm_available_gives_a_reason_only_when_not),
        KVM_TEST(test_mmio_exits_reach_the_callback_and_reads_reach_registers),
        KVM_TEST(test_fault_error_ends_vm_run_with_a_register_dump),
        KVM_TEST(test_read_only_frame_traps_writes_and_serves_reads),
        KVM_TEST(test_memslots_follow_mappings),
        KVM_TEST(test_guest_sees_ram_mapped_after_it_started),
        KVM_TEST(test_stop_from_another_thread_ends_a_spinning_guest),
        KVM_TEST(test_stop_before_run_makes_one_run_return_at_once),
        KVM_TEST(test_notification_from_another_thread_reaches_a_halted_guest),
        KVM_TEST(test_notification_from_another_process_reaches_a_spinning_guest),
        KVM_TEST(test_notification_without_callback_ends_vm_run),
        KVM_TEST(test_registers_round_trip_through_kvm),
        KVM_TEST(test_irq_reaches_the_guest_handler_and_its_eoi_the_ack_callback),
        KVM_TEST(test_vm_create_run_destroy_leaves_no_fds),
        KVM_TEST(test_guest_memory_cannot_overlap_kvm_tss),
    };
    return cmocka_run_group_tests(tests, getenv("LOUD") ? NULL : quiet_group, loud_group);
}
