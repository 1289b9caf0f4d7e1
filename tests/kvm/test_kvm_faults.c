/* Fault results with real guests: read-only frames, map-on-demand RESTART, IGNORE, ERROR, unhandled faults, RAM. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm_exits.h>
#include "kvm_fixture.h"

#define D GUEST_MMIO
#define FRAME_WORD 0x11223344u

static struct mmio_recorder recorder;

static struct mmio_recorder *recorder_with(uintptr_t base, memory_fault_result_t result)
{
    memset(&recorder, 0, sizeof(recorder));
    recorder.base = base;
    recorder.result = result;
    return &recorder;
}

static void fill_frame(uint8_t *host)
{
    for (size_t i = 0; i < 4096; i += 4) {
        uint32_t v = FRAME_WORD + (uint32_t)i;
        memcpy(host + i, &v, 4);
    }
}

static uint32_t frame_word(const uint8_t *host, size_t offset)
{
    uint32_t v;
    memcpy(&v, host + offset, 4);
    return v;
}

/* A recorder at D with a read-only frame of fill_frame's words mapped over its page. */
static struct mmio_recorder *read_only_device(struct kvm_fixture *f, uint8_t **host)
{
    struct mmio_recorder *r = recorder_with(D, FAULT_HANDLED);
    vm_memory_reservation_t *res = kvm_reserve(f, D, 0x1000, kvm_recorder_callback, r);
    seL4_CPtr frame = kvm_new_frame(f, host);
    fill_frame(*host);
    kvm_map_frame(f, res, frame, D, seL4_CanRead);
    return r;
}

static void test_write_to_read_only_frame_traps_but_reads_do_not(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    uint8_t *host;
    struct mmio_recorder *r = read_only_device(f, &host);
    const struct guest_op ops[] = {
        OP_READ(4, D + 0x10),
        OP_WRITE(4, D + 0x10, 0xdeadbeef),
        OP_READ(4, D + 0x10),
        OP_READ(2, D + 0x22),
    };
    assert_int_equal(kvm_run_script(f, "mmio_script_32", ops, ARRAY_SIZE(ops)), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    assert_int_equal(r->count, 1);
    assert_false(r->accesses[0].is_read);
    assert_int_equal(r->accesses[0].addr, D + 0x10);
    assert_int_equal(r->accesses[0].size, 4);
    assert_int_equal(r->accesses[0].data, 0xdeadbeef);
    assert_int_equal(kvm_result(f, 0), FRAME_WORD + 0x10);
    assert_int_equal(kvm_result(f, 2), FRAME_WORD + 0x10);
    assert_int_equal(kvm_result(f, 3), (FRAME_WORD + 0x20) >> 16);
    assert_int_equal(frame_word(host, 0x10), FRAME_WORD + 0x10);
}

struct on_demand {
    struct kvm_fixture *f;
    vm_memory_reservation_t *res;
    seL4_CPtr frame;
    unsigned faults;
};

static memory_fault_result_t map_on_demand(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    (void)addr;
    (void)size;
    struct on_demand *d = cookie;
    d->faults++;
    kvm_map_frame(d->f, d->res, d->frame, D, seL4_AllRights);
    restart_vcpu_fault(vcpu);
    return FAULT_RESTART;
}

static void test_restart_after_mapping_on_demand_gives_the_frame_bytes(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    static struct on_demand d;
    memset(&d, 0, sizeof(d));
    d.f = f;
    d.res = kvm_reserve(f, D, 0x1000, map_on_demand, &d);
    uint8_t *host;
    d.frame = kvm_new_frame(f, &host);
    fill_frame(host);
    const struct guest_op ops[] = {
        OP_READ(4, D + 0x40),
        OP_WRITE(4, D + 0x80, 0xfeedface),
        OP_READ(4, D + 0x80),
    };
    assert_int_equal(kvm_run_script(f, "mmio_script_32", ops, ARRAY_SIZE(ops)), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    assert_int_equal(d.faults, 1);
    assert_int_equal(kvm_result(f, 0), FRAME_WORD + 0x40);
    assert_int_equal(frame_word(host, 0x80), 0xfeedface);
    assert_int_equal(kvm_result(f, 2), 0xfeedface);
}

static void test_long_mode_byte_write_to_read_only_frame_traps(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    uint8_t *host;
    struct mmio_recorder *r = read_only_device(f, &host);
    const struct guest_op ops[] = { OP_WRITE(1, D + 0x7, 0xab), OP_READ(4, D + 0x4) };
    assert_int_equal(kvm_run_script(f, "mmio_script_64", ops, ARRAY_SIZE(ops)), 0);
    assert_int_equal(r->count, 1);
    assert_int_equal(r->accesses[0].data, 0xabul << 24);
    assert_int_equal(kvm_result(f, 1), FRAME_WORD + 4);
}

static void test_ignore_skips_the_access_reads_see_zero(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    struct mmio_recorder *r = recorder_with(D, FAULT_IGNORE);
    kvm_reserve(f, D, 0x1000, kvm_recorder_callback, r);
    const struct guest_op ops[] = { OP_READ(4, D), OP_WRITE(4, D + 4, 1), OP_READ(2, D + 0xa), OP_READ(1, D + 3) };
    assert_int_equal(kvm_run_script(f, "mmio_script_32", ops, ARRAY_SIZE(ops)), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    assert_int_equal(r->count, 4);
    assert_int_equal(kvm_result(f, 0), 0);
    assert_int_equal(kvm_result(f, 1), KVM_RESULT_UNTOUCHED);
    assert_int_equal(kvm_result(f, 2), 0);
    assert_int_equal(kvm_result(f, 3), 0);
}

static void test_error_ends_vm_run_with_an_error(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    struct mmio_recorder *r = recorder_with(D, FAULT_ERROR);
    kvm_reserve(f, D, 0x1000, kvm_recorder_callback, r);
    const struct guest_op ops[] = { OP_READ(4, D + 8), OP_READ(4, D + 12) };
    kvm_capture_log();
    assert_int_equal(kvm_run_script(f, "mmio_script_32", ops, ARRAY_SIZE(ops)), -1);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_ERROR_EXIT);
    assert_true(kvm_log_contains("0xd0000008"));
    assert_int_equal(r->count, 1);
    assert_int_equal(kvm_result(f, 0), KVM_RESULT_UNTOUCHED);
    assert_false(kvm_guest_exited(f));
}

static void test_unreserved_access_ends_vm_run_with_an_error(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    const struct guest_op ops[] = { OP_WRITE(4, D + 0x10000, 7) };
    kvm_capture_log();
    assert_int_equal(kvm_run_script(f, "mmio_script_32", ops, ARRAY_SIZE(ops)), -1);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_ERROR_EXIT);
    /* The diagnostic names the access and where the guest was. */
    assert_true(kvm_log_contains("0xd0010000"));
    assert_true(kvm_log_contains("rip"));
    assert_false(kvm_guest_exited(f));
}

struct unhandled_log {
    unsigned calls;
    uintptr_t addr;
    size_t len;
    bool is_read;
};

static memory_fault_result_t on_unhandled(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t paddr, size_t len, void *cookie)
{
    (void)vm;
    struct unhandled_log *log = cookie;
    log->calls++;
    log->addr = paddr;
    log->len = len;
    log->is_read = is_vcpu_read_fault(vcpu);
    if (log->is_read) {
        set_vcpu_fault_data(vcpu, lane(paddr, len, 0x600d));
    }
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static void test_unhandled_fault_callback_serves_unreserved_access(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    static struct unhandled_log log;
    memset(&log, 0, sizeof(log));
    assert_int_equal(vm_register_unhandled_mem_fault_callback(&f->vm, on_unhandled, &log), 0);
    const struct guest_op ops[] = { OP_READ(2, D + 0x20002) };
    assert_int_equal(kvm_run_script(f, "mmio_script_32", ops, ARRAY_SIZE(ops)), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.addr, D + 0x20002);
    assert_int_equal(log.len, 2);
    assert_true(log.is_read);
    assert_int_equal(kvm_result(f, 0), 0x600d);
}

static void test_declined_fault_goes_to_the_unhandled_callback(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    static struct unhandled_log log;
    memset(&log, 0, sizeof(log));
    assert_int_equal(vm_register_unhandled_mem_fault_callback(&f->vm, on_unhandled, &log), 0);
    struct mmio_recorder *r = recorder_with(D, FAULT_UNHANDLED);
    kvm_reserve(f, D, 0x1000, kvm_recorder_callback, r);
    const struct guest_op ops[] = { OP_WRITE(4, D + 0x30, 5) };
    assert_int_equal(kvm_run_script(f, "mmio_script_32", ops, ARRAY_SIZE(ops)), 0);
    assert_int_equal(r->count, 1);
    assert_int_equal(log.calls, 1);
    assert_false(log.is_read);
    assert_int_equal(log.addr, D + 0x30);
}

#define RAM_SPOT 0x30000

static void test_guest_and_vmm_see_each_others_ram_writes(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    const uint64_t from_vmm = 0x0123456789abcdefull;
    kvm_ram_write(f, RAM_SPOT, &from_vmm, sizeof(from_vmm));
    const struct guest_op ops[] = {
        OP_READ(8, RAM_SPOT),
        OP_WRITE(4, RAM_SPOT + 8, 0xa5a55a5a),
        OP_WRITE(8, GUEST_RAM_HIGH + 0x200000, 0x1122334455667788ull),
        OP_READ(2, RAM_SPOT + 3),
    };
    assert_int_equal(kvm_run_script(f, "mmio_script_64", ops, ARRAY_SIZE(ops)), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    assert_int_equal(kvm_result(f, 0), from_vmm);
    assert_int_equal(kvm_result(f, 3), 0x6789);
    uint32_t word;
    kvm_ram_read(f, RAM_SPOT + 8, &word, sizeof(word));
    assert_int_equal(word, 0xa5a55a5a);
    uint64_t high;
    kvm_ram_read(f, GUEST_RAM_HIGH + 0x200000, &high, sizeof(high));
    assert_int_equal(high, 0x1122334455667788ull);
}

static void test_protected_mode_guest_reads_and_writes_ram(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    const uint32_t from_vmm = 0xc0ffee11;
    kvm_ram_write(f, RAM_SPOT + 0x101, &from_vmm, sizeof(from_vmm));
    const struct guest_op ops[] = { OP_READ(4, RAM_SPOT + 0x101), OP_WRITE(2, RAM_SPOT + 0x205, 0x4321) };
    assert_int_equal(kvm_run_script(f, "mmio_script_32", ops, ARRAY_SIZE(ops)), 0);
    assert_int_equal(kvm_result(f, 0), from_vmm);
    uint16_t half;
    kvm_ram_read(f, RAM_SPOT + 0x205, &half, sizeof(half));
    assert_int_equal(half, 0x4321);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        KVM_TEST(test_write_to_read_only_frame_traps_but_reads_do_not),
        KVM_TEST(test_restart_after_mapping_on_demand_gives_the_frame_bytes),
        KVM_TEST(test_long_mode_byte_write_to_read_only_frame_traps),
        KVM_TEST(test_ignore_skips_the_access_reads_see_zero),
        KVM_TEST(test_error_ends_vm_run_with_an_error),
        KVM_TEST(test_unreserved_access_ends_vm_run_with_an_error),
        KVM_TEST(test_unhandled_fault_callback_serves_unreserved_access),
        KVM_TEST(test_declined_fault_goes_to_the_unhandled_callback),
        KVM_TEST(test_guest_and_vmm_see_each_others_ram_writes),
        KVM_TEST(test_protected_mode_guest_reads_and_writes_ram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
