/* Guest memory reservations through the public API: placement, overlap, anonymous memory, mapping, freeing. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_memory.h>
#include <string.h>
#include <sel4kvm/test_backend.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <vka/object.h>
#include "vm_fixture.h"

static memory_fault_result_t cb(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)vm;
    (void)vcpu;
    (void)addr;
    (void)len;
    (void)cookie;
    return FAULT_ERROR;
}

static void test_reservation_keeps_its_exact_region(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x10000010, 0x20, cb, NULL);
    assert_non_null(r);
    uintptr_t addr = 0;
    size_t size = 0;
    vm_get_reservation_memory_region(r, &addr, &size);
    assert_int_equal(addr, 0x10000010);
    assert_int_equal(size, 0x20);
    vm_get_reservation_memory_region(NULL, &addr, &size);
    vm_get_reservation_memory_region(r, NULL, NULL);
}

static void test_reserve_rejects_overlap_within_one_page(void **state)
{
    struct vm_fixture *f = *state;
    assert_non_null(vm_reserve_memory_at(&f->vm, 0x10000000, 0x10, cb, NULL));
    assert_null(vm_reserve_memory_at(&f->vm, 0x10000800, 0x10, cb, NULL));
    assert_null(vm_reserve_memory_at(&f->vm, 0xfffff00, 0x200, cb, NULL));
    assert_non_null(vm_reserve_memory_at(&f->vm, 0x10001000, 0x10, cb, NULL));
}

static void test_reserve_rejects_overlap_with_anonymous_memory(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x40000000, 0x100000), 0);
    assert_null(vm_reserve_memory_at(&f->vm, 0x40080000, 0x1000, cb, NULL));
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x400ff000, 0x2000), -1);
    assert_non_null(vm_reserve_memory_at(&f->vm, 0x40100000, 0x1000, cb, NULL));
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x40100000, 0x1000), -1);
}

static void test_anonymous_first_fit_with_alignment(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x80001000, 0x400000), 0);
    uintptr_t a = 0, b = 0, c = 0;
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x1800, 0x1000, cb, NULL, &a));
    assert_int_equal(a, 0x80001000);
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x100000, 0x100000, cb, NULL, &b));
    assert_int_equal(b, 0x80100000);
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, cb, NULL, &c));
    assert_int_equal(c, 0x80200000);
    /* the region holds 0x80001000..0x80401000: another MiB aligned to 1 MiB no longer fits after 0x80300000 */
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x100000, 0x100000, cb, NULL, &b));
    assert_int_equal(b, 0x80300000);
    assert_null(vm_reserve_anon_memory(&f->vm, 0x100000, 0x100000, cb, NULL, &b));
}

static void test_anonymous_memory_moves_to_the_next_region_when_one_is_full(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x90000000, 0x2000), 0);
    assert_int_equal(vm_memory_make_anon(&f->vm, 0xa0000000, 0x10000), 0);
    uintptr_t a = 0;
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x2000, 0x1000, cb, NULL, &a));
    assert_int_equal(a, 0x90000000);
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, cb, NULL, &a));
    assert_int_equal(a, 0xa0000000);
}

static void test_anonymous_reservation_rejects_bad_alignment_and_input(void **state)
{
    struct vm_fixture *f = *state;
    uintptr_t a;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x90000000, 0x100000), 0);
    assert_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0, cb, NULL, &a));
    assert_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x3000, cb, NULL, &a));
    assert_null(vm_reserve_anon_memory(&f->vm, 0, 0x1000, cb, NULL, &a));
    assert_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, NULL, NULL, &a));
    assert_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, cb, NULL, NULL));
    assert_null(vm_reserve_anon_memory(NULL, 0x1000, 0x1000, cb, NULL, &a));
    assert_null(vm_reserve_anon_memory(&f->vm, ~0ul, 0x1000, cb, NULL, &a));
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, cb, NULL, &a));
}

static void test_reserve_rejects_bad_input(void **state)
{
    struct vm_fixture *f = *state;
    assert_null(vm_reserve_memory_at(NULL, 0x1000, 0x1000, cb, NULL));
    assert_null(vm_reserve_memory_at(&f->vm, 0x1000, 0x1000, NULL, NULL));
    assert_null(vm_reserve_memory_at(&f->vm, 0x1000, 0, cb, NULL));
    assert_null(vm_reserve_memory_at(&f->vm, ~0ul - 0xfff, 0x2000, cb, NULL));
    assert_int_equal(vm_memory_make_anon(NULL, 0x1000, 0x1000), -1);
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x1000, 0), -1);
    assert_int_equal(vm_memory_init(&f->vm), -1);
    assert_int_equal(vm_memory_init(NULL), -1);
    vm_t zero = { 0 };
    assert_null(vm_reserve_memory_at(&zero, 0x1000, 0x1000, cb, NULL));
}

static void test_map_free_cycles_show_frames_in_the_guest(void **state)
{
    struct vm_fixture *f = *state;
    vka_object_t frames[2];
    seL4_CPtr caps[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frames[i]), 0);
        caps[i] = frames[i].cptr;
    }
    for (int round = 0; round < 3; round++) {
        vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x20000000, 0x2000, cb, NULL);
        assert_non_null(r);
        assert_int_equal(vspace_get_cap(&f->vm.mem.vm_vspace, (void *)0x20001000), seL4_CapNull);
        assert_int_equal(vm_map_reservation_frames(&f->vm, r, caps, 2, seL4_PageBits), 0);
        assert_int_equal(vspace_get_cap(&f->vm.mem.vm_vspace, (void *)0x20001000), caps[1]);
        assert_int_equal(vm_map_reservation_frames(&f->vm, r, caps, 2, seL4_PageBits), -1);
        assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
        assert_int_equal(vspace_get_cap(&f->vm.mem.vm_vspace, (void *)0x20001000), seL4_CapNull);
    }
    /* the caller's caps survive the frees */
    assert_int_equal(seL4_X86_Page_GetAddress(caps[0]).error, seL4_NoError);
}

struct partial {
    seL4_CPtr good;
    int calls;
};

static vm_frame_t one_good_frame(uintptr_t addr, void *cookie)
{
    struct partial *p = cookie;
    p->calls++;
    return (vm_frame_t){ .cptr = p->calls == 1 ? p->good : seL4_CapNull,
                         .rights = seL4_AllRights,
                         .vaddr = addr,
                         .size_bits = seL4_PageBits };
}

static void test_failed_map_unmaps_what_it_mapped(void **state)
{
    struct vm_fixture *f = *state;
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frame), 0);
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x30000000, 0x2000, cb, NULL);
    struct partial p = { .good = frame.cptr };
    assert_int_equal(vm_map_reservation(&f->vm, r, one_good_frame, &p), -1);
    assert_int_equal(vspace_get_cap(&f->vm.mem.vm_vspace, (void *)0x30000000), seL4_CapNull);
    /* and the reservation can be mapped afterwards */
    vka_object_t second;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &second), 0);
    seL4_CPtr caps[2] = { frame.cptr, second.cptr };
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, caps, 2, seL4_PageBits), 0);
}

static void test_map_rejects_bad_input(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x30000000, 0x2000, cb, NULL);
    seL4_CPtr caps[2] = { 1, 2 };
    assert_int_equal(vm_map_reservation(NULL, r, one_good_frame, NULL), -1);
    assert_int_equal(vm_map_reservation(&f->vm, NULL, one_good_frame, NULL), -1);
    assert_int_equal(vm_map_reservation(&f->vm, r, NULL, NULL), -1);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, NULL, 2, seL4_PageBits), -1);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, caps, 0, seL4_PageBits), -1);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, caps, 1, seL4_PageBits), -1); /* does not cover */
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, caps, 2, 3), -1);
    assert_int_equal(vm_free_reserved_memory(&f->vm, NULL), -1);
    assert_int_equal(vm_free_reserved_memory(NULL, r), -1);
}

static void test_anonymous_reservations_can_be_freed(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x50000000, 0x10000), 0);
    uintptr_t a;
    vm_memory_reservation_t *r = vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, cb, NULL, &a);
    assert_non_null(r);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
}

static memory_fault_result_t count_hit(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)vm;
    (void)addr;
    (void)len;
    (*(int *)cookie)++;
    set_vcpu_fault_data(vcpu, 0);
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static void test_ten_thousand_reservations_are_each_found(void **state)
{
    struct vm_fixture *f = *state;
    static int hits[10000];
    memset(hits, 0, sizeof(hits));
    for (int i = 0; i < 10000; i++) {
        assert_non_null(
            vm_reserve_memory_at(&f->vm, 0x100000000ul + (uintptr_t)i * 0x2000, 0x100, count_hit, &hits[i]));
    }
    for (int i = 0; i < 10000; i += 97) {
        uintptr_t addr = 0x100000000ul + (uintptr_t)i * 0x2000;
        assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, addr + 0x10, 4, NULL), 0);
        assert_int_equal(hits[i], 1);
        /* between reservations nothing answers */
        assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, addr + 0x1000, 4, NULL), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST(test_reservation_keeps_its_exact_region),
        VM_TEST(test_reserve_rejects_overlap_within_one_page),
        VM_TEST(test_reserve_rejects_overlap_with_anonymous_memory),
        VM_TEST(test_anonymous_first_fit_with_alignment),
        VM_TEST(test_anonymous_memory_moves_to_the_next_region_when_one_is_full),
        VM_TEST(test_anonymous_reservation_rejects_bad_alignment_and_input),
        VM_TEST(test_reserve_rejects_bad_input),
        VM_TEST(test_map_free_cycles_show_frames_in_the_guest),
        VM_TEST(test_failed_map_unmaps_what_it_mapped),
        VM_TEST(test_map_rejects_bad_input),
        VM_TEST(test_anonymous_reservations_can_be_freed),
        VM_TEST(test_ten_thousand_reservations_are_each_found),
    };
    return cmocka_run_group_tests_name("guest memory reservations", tests, NULL, NULL);
}
