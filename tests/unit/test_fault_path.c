/* The fault path's shortcut: accesses to reservations that hold no frames go straight to their callbacks, while
 * anything that may be mapped (a mapped reservation, an address outside every reservation) is looked up first. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4kvm/test_backend.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <vka/object.h>
#include "vm_fixture.h"

#define DEV 0x20000000ul
#define READ_VALUE 0x5eed

static memory_fault_result_t count_and_answer(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)vm;
    (void)addr;
    (void)len;
    (*(int *)cookie)++;
    if (is_vcpu_read_fault(vcpu)) {
        set_vcpu_fault_data(vcpu, READ_VALUE);
    }
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

/* A fresh 4 KiB frame whose first word is value; its host bytes through *bytes. */
static seL4_CPtr frame_holding(struct vm_fixture *f, uint32_t value, uint32_t **bytes)
{
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frame), 0);
    *bytes = sel4kvm_sim_paddr_to_host(vka_object_paddr(&f->env.vka, &frame), 4096);
    assert_non_null(*bytes);
    (*bytes)[0] = value;
    return frame.cptr;
}

/* A read at DEV is answered by the callback, which has then been called `calls_after` times in all. */
static void expect_callback_answers(struct vm_fixture *f, const int *calls, int calls_after)
{
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, &out), 0);
    assert_int_equal(out.read_value, READ_VALUE);
    assert_int_equal(out.callbacks, 1);
    assert_int_equal(*calls, calls_after);
}

static void test_unmapped_reservation_read_reaches_its_callback(void **state)
{
    struct vm_fixture *f = *state;
    int calls = 0;
    assert_non_null(vm_reserve_memory_at(&f->vm, DEV, 0x1000, count_and_answer, &calls));
    expect_callback_answers(f, &calls, 1);
}

static void test_reservation_mapped_after_a_fault_is_served_from_memory(void **state)
{
    struct vm_fixture *f = *state;
    int calls = 0;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEV, 0x1000, count_and_answer, &calls);
    assert_non_null(res);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, NULL), 0);
    uint32_t *bytes;
    seL4_CPtr cap = frame_holding(f, 0xfeedbeef, &bytes);
    assert_int_equal(vm_map_reservation_frames(&f->vm, res, &cap, 1, seL4_PageBits), 0);
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, &out), 0);
    assert_int_equal(out.read_value, 0xfeedbeef);
    assert_int_equal(out.callbacks, 0);
    assert_int_equal(calls, 1);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEV + 4, 4, 0x1234, &out), 0);
    assert_int_equal(bytes[1], 0x1234);
    assert_int_equal(calls, 1);
}

/* Gives one good frame, then none: the mapping fails half way and takes back what it mapped. */
static vm_frame_t first_frame_only(uintptr_t addr, void *cookie)
{
    seL4_CPtr *cap = cookie;
    vm_frame_t frame = { .cptr = *cap, .rights = seL4_AllRights, .vaddr = addr, .size_bits = seL4_PageBits };
    *cap = seL4_CapNull;
    return frame;
}

static void test_failed_mapping_leaves_accesses_to_the_callback(void **state)
{
    struct vm_fixture *f = *state;
    int calls = 0;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEV, 0x2000, count_and_answer, &calls);
    uint32_t *bytes;
    seL4_CPtr cap = frame_holding(f, 0xbad, &bytes);
    assert_int_equal(vm_map_reservation(&f->vm, res, first_frame_only, &cap), -1);
    expect_callback_answers(f, &calls, 1);
}

static void test_reservation_made_again_after_a_mapped_one_is_freed_reaches_its_callback(void **state)
{
    struct vm_fixture *f = *state;
    int calls = 0;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEV, 0x1000, count_and_answer, &calls);
    uint32_t *bytes;
    seL4_CPtr cap = frame_holding(f, 0x77, &bytes);
    assert_int_equal(vm_map_reservation_frames(&f->vm, res, &cap, 1, seL4_PageBits), 0);
    assert_int_equal(vm_free_reserved_memory(&f->vm, res), 0);
    assert_non_null(vm_reserve_memory_at(&f->vm, DEV, 0x1000, count_and_answer, &calls));
    expect_callback_answers(f, &calls, 1);
}

static void test_frame_mapped_outside_every_reservation_is_served_from_memory(void **state)
{
    struct vm_fixture *f = *state;
    uint32_t *bytes;
    seL4_CPtr cap = frame_holding(f, 0xabcdef, &bytes);
    vspace_t *vs = &f->vm.mem.vm_vspace;
    reservation_t r = vspace_reserve_range_at(vs, (void *)DEV, 0x1000, seL4_AllRights, 1);
    assert_non_null(r.res);
    assert_int_equal(vspace_map_pages_at_vaddr(vs, &cap, NULL, (void *)DEV, 1, seL4_PageBits, r), 0);
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEV, 4, &out), 0);
    assert_int_equal(out.read_value, 0xabcdef);
    assert_int_equal(out.callbacks, 0);
    vspace_unmap_pages(vs, (void *)DEV, 1, seL4_PageBits, VSPACE_PRESERVE);
    vspace_free_reservation(vs, r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST(test_unmapped_reservation_read_reaches_its_callback),
        VM_TEST(test_reservation_mapped_after_a_fault_is_served_from_memory),
        VM_TEST(test_failed_mapping_leaves_accesses_to_the_callback),
        VM_TEST(test_reservation_made_again_after_a_mapped_one_is_freed_reaches_its_callback),
        VM_TEST(test_frame_mapped_outside_every_reservation_is_served_from_memory),
    };
    return cmocka_run_group_tests_name("fault path", tests, NULL, NULL);
}
