/* Guest memory faults through the test backend: lanes, every fault result, strict mode, deferred mapping. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4kvm/log.h>
#include <sel4kvm/test_backend.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm_exits.h>
#include <vka/capops.h>
#include <vka/object.h>
#include "vm_fixture.h"

#define DEV 0x10000000ul

/* A device whose behaviour each test chooses; it records what its callback saw. */
struct device {
    memory_fault_result_t result;
    bool advance;
    bool set_data;
    seL4_Word data; /* lane-positioned, set on reads */
    int calls;
    uintptr_t addr;
    size_t len;
    seL4_Word seen_data, seen_mask, seen_ip;
    bool seen_read;
    vm_memory_reservation_t *res;
    seL4_CPtr map_on_fault; /* frame to map into res on the first fault, then RESTART */
};

static memory_fault_result_t device_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    struct device *d = cookie;
    d->calls++;
    d->addr = addr;
    d->len = len;
    d->seen_read = is_vcpu_read_fault(vcpu);
    d->seen_data = get_vcpu_fault_data(vcpu);
    d->seen_mask = get_vcpu_fault_data_mask(vcpu);
    d->seen_ip = get_vcpu_fault_ip(vcpu);
    if (d->map_on_fault != seL4_CapNull) {
        seL4_CPtr cap = d->map_on_fault;
        d->map_on_fault = seL4_CapNull;
        assert_int_equal(vm_map_reservation_frames(vm, d->res, &cap, 1, seL4_PageBits), 0);
        return FAULT_RESTART;
    }
    if (d->set_data) {
        set_vcpu_fault_data(vcpu, d->data);
    }
    if (d->advance) {
        advance_vcpu_fault(vcpu);
    }
    return d->result;
}

static struct device *attach(struct vm_fixture *f, uintptr_t addr, size_t size)
{
    static struct device d;
    memset(&d, 0, sizeof(d));
    d.result = FAULT_HANDLED;
    d.advance = true;
    d.set_data = true;
    d.res = vm_reserve_memory_at(&f->vm, addr, size, device_fault, &d);
    assert_non_null(d.res);
    return &d;
}

static void test_handled_read_delivers_the_data(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    d->data = 0x12345678;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV + 8, 4, &out), 0);
    assert_int_equal(out.read_value, 0x12345678);
    assert_true(out.advanced);
    assert_int_equal(out.callbacks, 1);
    assert_int_equal(d->addr, DEV + 8);
    assert_int_equal(d->len, 4);
    assert_true(d->seen_read);
}

static void test_write_data_and_mask_sit_in_the_access_lane(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    static const size_t sizes[] = { 1, 2, 4 };
    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        for (unsigned off = 0; off + sizes[s] <= 4; off++) {
            assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV + off, sizes[s], 0xa1b2c3d4e5f60718ul, NULL), 0);
            seL4_Word mask = MASK(sizes[s] * 8) << (off * 8);
            assert_int_equal(d->seen_mask, mask);
            assert_int_equal(d->seen_data, (0xa1b2c3d4e5f60718ul << (off * 8)) & mask);
            assert_false(d->seen_read);
        }
    }
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV + 8, 8, 0xa1b2c3d4e5f60718ul, NULL), 0);
    assert_int_equal(d->seen_mask, ~0ul);
    assert_int_equal(d->seen_data, 0xa1b2c3d4e5f60718ul);
}

static void test_read_data_is_taken_from_the_lane(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    d->data = 0x8877665544332211ul;
    static const size_t sizes[] = { 1, 2, 4 };
    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        for (unsigned off = 0; off + sizes[s] <= 4; off++) {
            sel4kvm_test_access_t out;
            assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV + 0x10 + off, sizes[s], &out), 0);
            assert_int_equal(out.read_value, (d->data >> (off * 8)) & MASK(sizes[s] * 8));
        }
    }
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV + 0x20, 8, &out), 0);
    assert_int_equal(out.read_value, 0x8877665544332211ul);
}

static seL4_Word emulated;
static memory_fault_result_t emulate_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)vm;
    (void)addr;
    (void)len;
    if (is_vcpu_read_fault(vcpu)) {
        set_vcpu_fault_data(vcpu, *(seL4_Word *)cookie);
    }
    emulated = emulate_vcpu_fault(vcpu, 0xffffffffffffffff);
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static void test_emulate_vcpu_fault_matches_the_table(void **state)
{
    struct vm_fixture *f = *state;
    seL4_Word data = 0x0000000011223344;
    assert_non_null(vm_reserve_memory_at(&f->vm, DEV, 0x1000, emulate_fault, &data));
    /* read of 2 bytes at offset 1: the register keeps its bits outside the low 16, which become 0x2233 */
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV + 1, 2, NULL), 0);
    assert_int_equal(emulated, 0xffffffffffff2233);
    /* read of 1 byte at offset 3 */
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV + 3, 1, NULL), 0);
    assert_int_equal(emulated, 0xffffffffffffff11);
    /* write of 1 byte 0x5a at offset 2: the register's lane 2 takes it */
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV + 2, 1, 0x5a, NULL), 0);
    assert_int_equal(emulated, 0xffffffffff5affff);
    /* write of 4 bytes at offset 0 */
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV, 4, 0x01020304, NULL), 0);
    assert_int_equal(emulated, 0xffffffff01020304);
}

static void test_handled_without_advance_warns_once_and_completes(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    d->advance = false;
    d->set_data = false;
    unsigned long warnings = sel4kvm_log_count(ZF_LOG_WARN);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV, 4, 1, NULL), 0);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV, 4, 1, NULL), 0);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_WARN), warnings + 1);
}

static void test_handled_without_advance_is_an_error_in_strict_mode(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    d->advance = false;
    assert_int_equal(sel4kvm_vm_set_strict(&f->vm, true), 0);
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV, 4, 1, &out), -1);
    assert_int_equal(out.exit_reason, VM_GUEST_ERROR_EXIT);
}

static void test_strict_mode_catches_reads_without_data_and_data_on_writes(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    d->set_data = false;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, NULL), 0);
    assert_int_equal(sel4kvm_vm_set_strict(&f->vm, true), 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, NULL), -1);
    d->set_data = true;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, NULL), 0);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV, 4, 7, NULL), -1);
    assert_int_equal(sel4kvm_vm_set_strict(&f->vm, false), 0);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV, 4, 7, NULL), 0);
}

static void test_ignore_skips_the_access_and_reads_zero(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    d->result = FAULT_IGNORE;
    d->data = 0xffff;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, &out), 0);
    assert_int_equal(out.read_value, 0);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV, 4, 5, &out), 0);
}

static void test_error_ends_the_run(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    d->result = FAULT_ERROR;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, &out), -1);
    assert_int_equal(out.exit_reason, VM_GUEST_ERROR_EXIT);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_ERROR_EXIT);
}

static void test_restart_after_mapping_reaches_the_new_frame(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frame), 0);
    uint32_t *bytes = sel4kvm_sim_paddr_to_host(vka_object_paddr(&f->env.vka, &frame), 4096);
    bytes[4] = 0xcafef00d;
    d->map_on_fault = frame.cptr;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV + 16, 4, &out), 0);
    assert_int_equal(out.read_value, 0xcafef00d);
    assert_int_equal(d->calls, 1);
    /* the page is mapped now: on a real guest the next access would not fault at all */
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV + 20, 4, 0x600d, &out), 0);
    assert_int_equal(bytes[5], 0x600d);
    assert_int_equal(out.callbacks, 0);
    assert_int_equal(d->calls, 1);
    assert_int_equal(vm_free_reserved_memory(&f->vm, d->res), 0);
    vka_free_object(&f->env.vka, &frame);
}

static void test_restart_without_progress_is_an_error(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    d->result = FAULT_RESTART;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, &out), -1);
    assert_int_equal(out.callbacks, 1000);
}

static memory_fault_result_t handle_anything(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)vm;
    (void)len;
    *(uintptr_t *)cookie = addr;
    if (is_vcpu_read_fault(vcpu)) {
        set_vcpu_fault_data(vcpu, 0x77);
    }
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static void test_unhandled_without_callback_ends_the_run(void **state)
{
    struct vm_fixture *f = *state;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, 0xdead000, 4, &out), -1);
    assert_int_equal(out.exit_reason, VM_GUEST_ERROR_EXIT);
    assert_int_equal(out.callbacks, 0);
}

static void test_unhandled_callback_takes_unreserved_and_declined_accesses(void **state)
{
    struct vm_fixture *f = *state;
    uintptr_t seen = 0;
    assert_int_equal(vm_register_unhandled_mem_fault_callback(&f->vm, handle_anything, &seen), 0);
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, 0xdead000, 4, &out), 0);
    assert_int_equal(seen, 0xdead000);
    assert_int_equal(out.read_value, 0x77);
    struct device *d = attach(f, DEV, 0x1000);
    d->result = FAULT_UNHANDLED;
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV + 4, 2, 1, &out), 0);
    assert_int_equal(seen, DEV + 4);
    assert_int_equal(out.callbacks, 2);
}

static void test_access_straddling_the_reservation_end_is_an_error(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 6);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV + 2, 4, NULL), 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV + 4, 4, NULL), -1);
    assert_int_equal(d->calls, 1);
}

static void test_deferred_mapping_maps_on_first_fault(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(sel4kvm_vm_set_defer_memory_map(&f->vm, true), 0);
    struct device *d = attach(f, DEV, 0x2000);
    vka_object_t frames[2];
    seL4_CPtr caps[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frames[i]), 0);
        caps[i] = frames[i].cptr;
    }
    uint8_t *second = sel4kvm_sim_paddr_to_host(vka_object_paddr(&f->env.vka, &frames[1]), 4096);
    second[0x10] = 0x42;
    assert_int_equal(vm_map_reservation_frames(&f->vm, d->res, caps, 2, seL4_PageBits), 0);
    assert_int_equal(vspace_get_cap(&f->vm.mem.vm_vspace, (void *)DEV), seL4_CapNull);
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV + 0x1010, 1, &out), 0);
    assert_int_equal(out.read_value, 0x42);
    assert_int_equal(d->calls, 0);
    assert_int_not_equal(vspace_get_cap(&f->vm.mem.vm_vspace, (void *)DEV), seL4_CapNull);
    assert_int_equal(vm_free_reserved_memory(&f->vm, d->res), 0);
    for (int i = 0; i < 2; i++) {
        vka_free_object(&f->env.vka, &frames[i]);
    }
}

static void test_fault_reports_the_guest_ip(void **state)
{
    struct vm_fixture *f = *state;
    struct device *d = attach(f, DEV, 0x1000);
    assert_int_equal(sel4kvm_test_set_ip(f->vcpu, 0xffff1234), 0);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV, 1, 0, NULL), 0);
    assert_int_equal(d->seen_ip, 0xffff1234);
    assert_int_equal(sel4kvm_test_set_ip(NULL, 1), -1);
}

static void test_fault_api_without_a_pending_fault(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(get_vcpu_fault_address(f->vcpu), 0);
    assert_int_equal(get_vcpu_fault_data(f->vcpu), 0);
    assert_int_equal(get_vcpu_fault_data_mask(f->vcpu), 0);
    assert_int_equal(get_vcpu_fault_size(f->vcpu), 0);
    assert_false(is_vcpu_read_fault(f->vcpu));
    assert_int_equal(set_vcpu_fault_data(f->vcpu, 1), -1);
    assert_int_equal(set_vcpu_fault_data(NULL, 1), -1);
    assert_int_equal(get_vcpu_fault_ip(NULL), 0);
    assert_int_equal(emulate_vcpu_fault(NULL, 5), 5);
    advance_vcpu_fault(NULL);
    restart_vcpu_fault(f->vcpu);
}

static void test_injection_rejects_bad_input(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(sel4kvm_test_mmio_read(NULL, DEV, 4, NULL), -1);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 3, NULL), -1);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 0, NULL), -1);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, ~0ul - 1, 4, 0, NULL), -1);
}

static void test_two_vms_in_one_process_are_independent(void **state)
{
    struct vm_fixture *f = *state;
    vm_t other;
    assert_int_equal(vm_init(&other, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint,
                             "other"),
                     0);
    vm_vcpu_t *vcpu = vm_create_vcpu(&other, 100);
    assert_non_null(vcpu);
    assert_int_equal(vcpu->vcpu_id, 0);
    struct device *d = attach(f, DEV, 0x1000);
    /* the same address is free in the other VM, and faults there do not reach this VM's device */
    assert_non_null(vm_reserve_memory_at(&other, DEV, 0x1000, default_error_fault_callback, NULL));
    assert_int_equal(sel4kvm_test_mmio_read(vcpu, DEV, 4, NULL), -1);
    assert_int_equal(d->calls, 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, NULL), 0);
    assert_int_equal(d->calls, 1);
    assert_int_equal(sel4kvm_vm_destroy(&other), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST(test_handled_read_delivers_the_data),
        VM_TEST(test_write_data_and_mask_sit_in_the_access_lane),
        VM_TEST(test_read_data_is_taken_from_the_lane),
        VM_TEST(test_emulate_vcpu_fault_matches_the_table),
        VM_TEST(test_handled_without_advance_warns_once_and_completes),
        VM_TEST(test_handled_without_advance_is_an_error_in_strict_mode),
        VM_TEST(test_strict_mode_catches_reads_without_data_and_data_on_writes),
        VM_TEST(test_ignore_skips_the_access_and_reads_zero),
        VM_TEST(test_error_ends_the_run),
        VM_TEST(test_restart_after_mapping_reaches_the_new_frame),
        VM_TEST(test_restart_without_progress_is_an_error),
        VM_TEST(test_unhandled_without_callback_ends_the_run),
        VM_TEST(test_unhandled_callback_takes_unreserved_and_declined_accesses),
        VM_TEST(test_access_straddling_the_reservation_end_is_an_error),
        VM_TEST(test_deferred_mapping_maps_on_first_fault),
        VM_TEST(test_fault_reports_the_guest_ip),
        VM_TEST(test_fault_api_without_a_pending_fault),
        VM_TEST(test_injection_rejects_bad_input),
        VM_TEST(test_two_vms_in_one_process_are_independent),
    };
    return cmocka_run_group_tests_name("vcpu faults (test backend)", tests, NULL, NULL);
}
