/* guest_memory.c through the public API: page claims, anonymous bump placement, iterator mapping, ownership checks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/vm.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_memory_helpers.h>
#include <vka/object.h>
#include <vspace/vspace.h>
#include "vm_fixture.h"

#define MAX_CALLS 8

static memory_fault_result_t never(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)vm;
    (void)vcpu;
    (void)addr;
    (void)len;
    (void)cookie;
    return FAULT_ERROR;
}

static seL4_CPtr cap_at(struct vm_fixture *f, uintptr_t gpa)
{
    return vspace_get_cap(&f->vm.mem.vm_vspace, (void *)gpa);
}

/* True if nothing else can take the page at gpa: a vspace reservation there is refused. */
static bool page_claimed(struct vm_fixture *f, uintptr_t gpa)
{
    reservation_t r = vspace_reserve_range_at(&f->vm.mem.vm_vspace, (void *)gpa, 1, seL4_AllRights, 1);
    if (r.res == NULL) {
        return true;
    }
    vspace_free_reservation(&f->vm.mem.vm_vspace, r);
    return false;
}

static seL4_CPtr new_frame(struct vm_fixture *f, size_t size_bits)
{
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, size_bits, &frame), 0);
    return frame.cptr;
}

/* An iterator that hands out its frames in order, at the page of the address asked for, and records the calls. */
struct feed {
    seL4_CPtr caps[MAX_CALLS];
    seL4_CapRights_t rights;
    size_t size_bits;
    uintptr_t fixed_vaddr; /* if non-zero, every frame claims this address */
    uintptr_t asked[MAX_CALLS];
    int calls;
};

static vm_frame_t feed_next(uintptr_t addr, void *cookie)
{
    struct feed *fd = cookie;
    int i = fd->calls < MAX_CALLS ? fd->calls : MAX_CALLS - 1;
    fd->asked[i] = addr;
    fd->calls++;
    return (vm_frame_t){
        .cptr = fd->caps[i],
        .rights = fd->rights,
        .vaddr = fd->fixed_vaddr != 0 ? fd->fixed_vaddr : ROUND_DOWN(addr, BIT(fd->size_bits)),
        .size_bits = fd->size_bits,
    };
}

static struct feed feed_of(struct vm_fixture *f, int n, size_t size_bits, seL4_CapRights_t rights)
{
    struct feed fd = { .rights = rights, .size_bits = size_bits };
    for (int i = 0; i < n; i++) {
        fd.caps[i] = new_frame(f, size_bits);
    }
    return fd;
}

static vm_memory_reservation_t *reserve_mapped(struct vm_fixture *f, uintptr_t gpa, size_t size, struct feed *fd)
{
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, gpa, size, never, NULL);
    assert_non_null(r);
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, fd), 0);
    return r;
}

static void test_reservation_claims_every_page_it_touches_and_no_more(void **state)
{
    struct vm_fixture *f = *state;
    assert_non_null(vm_reserve_memory_at(&f->vm, 0x10000ff0, 0x20, never, NULL));
    assert_true(page_claimed(f, 0x10000000));
    assert_true(page_claimed(f, 0x10001000));
    assert_false(page_claimed(f, 0xffff000));
    assert_false(page_claimed(f, 0x10002000));
    assert_null(vm_reserve_memory_at(&f->vm, 0x10001ffc, 4, never, NULL));
    assert_non_null(vm_reserve_memory_at(&f->vm, 0xfffffff, 1, never, NULL));
    assert_non_null(vm_reserve_memory_at(&f->vm, 0x10002000, 1, never, NULL));
}

static void test_reserve_at_guest_physical_zero(void **state)
{
    struct vm_fixture *f = *state;
    struct feed fd = feed_of(f, 1, seL4_PageBits, seL4_AllRights);
    vm_memory_reservation_t *r = reserve_mapped(f, 0, 0x1000, &fd);
    assert_int_equal(cap_at(f, 0), fd.caps[0]);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
    assert_int_equal(cap_at(f, 0), seL4_CapNull);
}

static void test_reserve_rejects_pages_mapped_outside_the_library(void **state)
{
    struct vm_fixture *f = *state;
    seL4_CPtr cap = new_frame(f, seL4_PageBits);
    reservation_t vres = vspace_reserve_range_at(&f->vm.mem.vm_vspace, (void *)0x60000000, 0x1000, seL4_AllRights, 1);
    assert_non_null(vres.res);
    assert_int_equal(vspace_map_pages_at_vaddr(&f->vm.mem.vm_vspace, &cap, NULL, (void *)0x60000000, 1, seL4_PageBits,
                                               vres),
                     0);
    vspace_free_reservation(&f->vm.mem.vm_vspace, vres);
    assert_null(vm_reserve_memory_at(&f->vm, 0x60000800, 0x10, never, NULL));
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x5ffff000, 0x3000), -1);
    assert_non_null(vm_reserve_memory_at(&f->vm, 0x60001000, 0x10, never, NULL));
}

static void test_anonymous_region_keeps_everything_else_out(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x70000000, 0x10000), 0);
    assert_true(page_claimed(f, 0x70008000));
    assert_null(vm_reserve_memory_at(&f->vm, 0x7000fff0, 0x20, never, NULL));
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x7000f000, 0x1000), -1);
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x70010000, 0x1000), 0);
}

static void test_anonymous_reservations_never_share_a_page_in_an_unaligned_region(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x70000100, 0x4000), 0);
    uintptr_t a = 0, b = 0;
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x10, 0x10, never, NULL, &a));
    assert_int_equal(a, 0x70000100);
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x10, 0x10, never, NULL, &b));
    assert_int_equal(b, 0x70002000);
}

static void test_anonymous_reservation_fills_its_region_exactly_then_fails(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x71000000, 0x3800), 0);
    uintptr_t a = 0;
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x2000, 0x1000, never, NULL, &a));
    assert_null(vm_reserve_anon_memory(&f->vm, 0x1801, 0x1000, never, NULL, &a));
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x1800, 0x1000, never, NULL, &a));
    assert_int_equal(a, 0x71002000);
    assert_null(vm_reserve_anon_memory(&f->vm, 1, 1, never, NULL, &a));
}

static void test_anonymous_alignment_larger_than_the_address_space_does_not_wrap(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x72000000, 0x10000), 0);
    uintptr_t a = 0;
    assert_null(vm_reserve_anon_memory(&f->vm, 0x1000, 1ul << 63, never, NULL, &a));
    assert_null(vm_reserve_anon_memory(&f->vm, ~0ul, 0x1000, never, NULL, &a));
    assert_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, never, NULL, NULL));
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x10000, never, NULL, &a));
    assert_int_equal(a, 0x72000000);
}

static void test_anonymous_reservation_without_any_region_fails(void **state)
{
    struct vm_fixture *f = *state;
    uintptr_t a = 0;
    assert_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, never, NULL, &a));
}

static void test_freeing_the_topmost_anonymous_reservation_gives_its_space_back(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x73000000, 0x100000), 0);
    uintptr_t a = 0, b = 0, c = 0;
    vm_memory_reservation_t *ra = vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, never, NULL, &a);
    vm_memory_reservation_t *rb = vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, never, NULL, &b);
    assert_non_null(ra);
    assert_non_null(rb);
    assert_int_equal(vm_free_reserved_memory(&f->vm, rb), 0);
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, never, NULL, &c));
    assert_int_equal(c, b);
    /* a freed reservation below others leaves the bump pointer where it is */
    assert_int_equal(vm_free_reserved_memory(&f->vm, ra), 0);
    assert_non_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, never, NULL, &c));
    assert_int_equal(c, b + 0x1000);
}

static void test_ten_thousand_anonymous_reservations_pack_and_unwind(void **state)
{
    struct vm_fixture *f = *state;
    enum { N = 10000 };
    static vm_memory_reservation_t *res[N];
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x200000000ul, (size_t)N * 0x1000), 0);
    for (int i = 0; i < N; i++) {
        uintptr_t a = 0;
        res[i] = vm_reserve_anon_memory(&f->vm, 0x800, 0x1000, never, NULL, &a);
        assert_non_null(res[i]);
        assert_int_equal(a, 0x200000000ul + (uintptr_t)i * 0x1000);
    }
    uintptr_t a = 0;
    assert_null(vm_reserve_anon_memory(&f->vm, 0x800, 0x1000, never, NULL, &a));
    for (int i = 0; i < N; i++) {
        uintptr_t addr = 0;
        size_t size = 0;
        vm_get_reservation_memory_region(res[i], &addr, &size);
        assert_int_equal(addr, 0x200000000ul + (uintptr_t)i * 0x1000);
        assert_int_equal(size, 0x800);
    }
    for (int i = N - 1; i >= 0; i--) {
        assert_int_equal(vm_free_reserved_memory(&f->vm, res[i]), 0);
    }
    assert_non_null(vm_reserve_anon_memory(&f->vm, (size_t)N * 0x1000, 0x1000, never, NULL, &a));
    assert_int_equal(a, 0x200000000ul);
}

static void test_iterator_is_asked_for_the_exact_start_then_each_next_page(void **state)
{
    struct vm_fixture *f = *state;
    struct feed fd = feed_of(f, 2, seL4_PageBits, seL4_AllRights);
    reserve_mapped(f, 0x20000004, 0x1000, &fd);
    assert_int_equal(fd.calls, 2);
    assert_int_equal(fd.asked[0], 0x20000004);
    assert_int_equal(fd.asked[1], 0x20001000);
    assert_int_equal(cap_at(f, 0x20000000), fd.caps[0]);
    assert_int_equal(cap_at(f, 0x20001000), fd.caps[1]);
}

static void test_map_gives_each_frame_its_own_rights(void **state)
{
    struct vm_fixture *f = *state;
    struct feed fd = feed_of(f, 1, seL4_PageBits, seL4_CanRead);
    reserve_mapped(f, 0x21000000, 0x1000, &fd);
    seL4_Word vaddr = 0;
    seL4_CapRights_t rights;
    assert_int_equal(sel4kvm_sim_frame_mapping(fd.caps[0], &vaddr, &rights), 0);
    assert_int_equal(vaddr, 0x21000000);
    assert_true(seL4_CapRights_get_capAllowRead(rights));
    assert_false(seL4_CapRights_get_capAllowWrite(rights));
}

static void test_map_frames_maps_with_all_rights(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x21000000, 0x1000, never, NULL);
    seL4_CPtr cap = new_frame(f, seL4_PageBits);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, &cap, 1, seL4_PageBits), 0);
    seL4_CapRights_t rights;
    assert_int_equal(sel4kvm_sim_frame_mapping(cap, NULL, &rights), 0);
    assert_true(seL4_CapRights_get_capAllowRead(rights));
    assert_true(seL4_CapRights_get_capAllowWrite(rights));
}

static void test_large_frame_is_mapped_once_and_unmapped_on_free(void **state)
{
    struct vm_fixture *f = *state;
    struct feed fd = feed_of(f, 1, seL4_LargePageBits, seL4_AllRights);
    vm_memory_reservation_t *r = reserve_mapped(f, 0x40000000, BIT(seL4_LargePageBits), &fd);
    assert_int_equal(fd.calls, 1);
    assert_int_equal(cap_at(f, 0x401ff000), fd.caps[0]);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
    assert_int_equal(cap_at(f, 0x40000000), seL4_CapNull);
    assert_int_equal(sel4kvm_sim_frame_mapping(fd.caps[0], NULL, NULL), -1);
}

static void test_map_frames_ignores_frames_beyond_the_reservation(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x22000000, 0x1000, never, NULL);
    seL4_CPtr caps[2] = { new_frame(f, seL4_PageBits), new_frame(f, seL4_PageBits) };
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, caps, 2, seL4_PageBits), 0);
    assert_int_equal(cap_at(f, 0x22000000), caps[0]);
    assert_int_equal(sel4kvm_sim_frame_mapping(caps[1], NULL, NULL), -1);
}

static void test_map_frames_refuses_frames_larger_than_the_alignment(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x22001000, 0x1000, never, NULL);
    seL4_CPtr cap = new_frame(f, seL4_LargePageBits);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, &cap, 1, seL4_LargePageBits), -1);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, &cap, 1, 48), -1);
    assert_int_equal(cap_at(f, 0x22001000), seL4_CapNull);
}

static void test_map_refuses_a_frame_outside_the_reservation(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x23000000, 0x2000, never, NULL);
    struct feed fd = feed_of(f, 2, seL4_PageBits, seL4_AllRights);
    fd.fixed_vaddr = 0x23002000;
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, &fd), -1);
    fd.calls = 0;
    fd.fixed_vaddr = 0x23000800;
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, &fd), -1);
    assert_int_equal(cap_at(f, 0x23000000), seL4_CapNull);
    assert_int_equal(cap_at(f, 0x23002000), seL4_CapNull);
}

static void test_map_rolls_back_when_the_kernel_refuses_a_frame(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x24000000, 0x3000, never, NULL);
    struct feed fd = feed_of(f, 3, seL4_PageBits, seL4_AllRights);
    fd.caps[2] = fd.caps[0]; /* a frame cap maps only once */
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, &fd), -1);
    assert_int_equal(fd.calls, 3);
    for (uintptr_t gpa = 0x24000000; gpa < 0x24003000; gpa += 0x1000) {
        assert_int_equal(cap_at(f, gpa), seL4_CapNull);
    }
    fd.caps[2] = new_frame(f, seL4_PageBits);
    fd.calls = 0;
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, &fd), 0);
    assert_int_equal(cap_at(f, 0x24002000), fd.caps[2]);
}

static void test_mapped_reservation_cannot_be_mapped_again(void **state)
{
    struct vm_fixture *f = *state;
    struct feed fd = feed_of(f, 1, seL4_PageBits, seL4_AllRights);
    vm_memory_reservation_t *r = reserve_mapped(f, 0x25000000, 0x1000, &fd);
    fd.calls = 0;
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, &fd), -1);
    assert_int_equal(fd.calls, 0);
    assert_int_equal(cap_at(f, 0x25000000), fd.caps[0]);
}

static void test_deferred_map_records_without_mapping_or_calling_the_iterator(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(sel4kvm_vm_set_defer_memory_map(&f->vm, true), 0);
    struct feed fd = feed_of(f, 1, seL4_PageBits, seL4_AllRights);
    vm_memory_reservation_t *r = reserve_mapped(f, 0x26000000, 0x1000, &fd);
    assert_int_equal(fd.calls, 0);
    assert_int_equal(cap_at(f, 0x26000000), seL4_CapNull);
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, &fd), -1);
    seL4_CPtr cap = new_frame(f, seL4_PageBits);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, &cap, 1, seL4_PageBits), -1);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
    assert_int_equal(fd.calls, 0);
}

static void test_freed_anonymous_reservation_leaves_its_pages_to_the_region(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x74000000, 0x10000), 0);
    uintptr_t a = 0;
    vm_memory_reservation_t *r = vm_reserve_anon_memory(&f->vm, 0x2000, 0x1000, never, NULL, &a);
    seL4_CPtr caps[2] = { new_frame(f, seL4_PageBits), new_frame(f, seL4_PageBits) };
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, caps, 2, seL4_PageBits), 0);
    assert_int_equal(cap_at(f, a + 0x1000), caps[1]);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
    assert_int_equal(cap_at(f, a + 0x1000), seL4_CapNull);
    assert_true(page_claimed(f, a));
    assert_null(vm_reserve_memory_at(&f->vm, a, 0x1000, never, NULL));
    /* the frames are still the caller's, and can be mapped again */
    r = vm_reserve_anon_memory(&f->vm, 0x2000, 0x1000, never, NULL, &a);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, caps, 2, seL4_PageBits), 0);
}

static void test_sub_page_range_is_free_again_after_free(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x27000010, 0x10, never, NULL);
    assert_non_null(r);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
    assert_false(page_claimed(f, 0x27000000));
    r = vm_reserve_memory_at(&f->vm, 0x27000800, 0x10, never, NULL);
    assert_non_null(r);
    uintptr_t addr = 0;
    size_t size = 0;
    vm_get_reservation_memory_region(r, &addr, &size);
    assert_int_equal(addr, 0x27000800);
    assert_int_equal(size, 0x10);
}

static void test_freed_or_foreign_reservation_is_refused(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x28000000, 0x1000, never, NULL);
    seL4_CPtr cap = new_frame(f, seL4_PageBits);
    struct feed fd = feed_of(f, 1, seL4_PageBits, seL4_AllRights);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), -1);
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, &fd), -1);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, &cap, 1, seL4_PageBits), -1);

    vm_t other;
    assert_int_equal(vm_init(&other, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint,
                             "other"),
                     0);
    vm_memory_reservation_t *theirs = vm_reserve_memory_at(&other, 0x28000000, 0x1000, never, NULL);
    assert_non_null(theirs);
    assert_int_equal(vm_map_reservation(&f->vm, theirs, feed_next, &fd), -1);
    assert_int_equal(vm_map_reservation_frames(&f->vm, theirs, &cap, 1, seL4_PageBits), -1);
    assert_int_equal(vm_free_reserved_memory(&f->vm, theirs), -1);
    assert_int_equal(fd.calls, 0);
    assert_int_equal(sel4kvm_vm_destroy(&other), 1);
}

static void test_map_rejects_null_and_empty_frames(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x29000000, 0x1000, never, NULL);
    struct feed fd = { .rights = seL4_AllRights, .size_bits = seL4_PageBits }; /* caps are seL4_CapNull */
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, &fd), -1);
    fd.caps[0] = new_frame(f, seL4_PageBits);
    fd.size_bits = 3;
    fd.calls = 0;
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, &fd), -1);
    assert_int_equal(vm_map_reservation(NULL, r, feed_next, &fd), -1);
    assert_int_equal(vm_map_reservation(&f->vm, NULL, feed_next, &fd), -1);
    assert_int_equal(vm_map_reservation(&f->vm, r, NULL, &fd), -1);
    assert_int_equal(cap_at(f, 0x29000000), seL4_CapNull);
}

static void test_get_region_with_a_null_argument_sets_nothing(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x2a000000, 0x10, never, NULL);
    uintptr_t addr = 7;
    size_t size = 7;
    vm_get_reservation_memory_region(r, NULL, &size);
    vm_get_reservation_memory_region(r, &addr, NULL);
    vm_get_reservation_memory_region(NULL, &addr, &size);
    assert_int_equal(addr, 7);
    assert_int_equal(size, 7);
}

static void test_default_error_callback_reports_an_error(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(default_error_fault_callback(&f->vm, f->vcpu, 0x1000, 4, NULL), FAULT_ERROR);
    assert_int_equal(default_error_fault_callback(&f->vm, NULL, 0x1000, 4, NULL), FAULT_ERROR);
    assert_int_equal(default_error_fault_callback(NULL, NULL, 0, 0, NULL), FAULT_ERROR);
}

static void test_make_anon_rejects_bad_ranges(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, ~0ul - 0xfff, 0x2000), -1);
    assert_int_equal(vm_memory_make_anon(&f->vm, ~0ul, 1), -1);
    assert_int_equal(vm_memory_make_anon(&f->vm, 1ul << 48, 0x1000), -1);
    assert_non_null(vm_reserve_memory_at(&f->vm, 0x2b000ff0, 0x10, never, NULL));
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x2b000000, 0x800), -1);
}

static void test_every_function_fails_cleanly_on_a_destroyed_vm(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, 0x2c000000, 0x1000, never, NULL);
    assert_non_null(r);
    assert_int_equal(sel4kvm_vm_destroy(&f->vm), 1);
    uintptr_t a = 0;
    seL4_CPtr cap = 1;
    assert_null(vm_reserve_memory_at(&f->vm, 0x2c000000, 0x1000, never, NULL));
    assert_null(vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, never, NULL, &a));
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x2c000000, 0x1000), -1);
    assert_int_equal(vm_map_reservation(&f->vm, r, feed_next, NULL), -1);
    assert_int_equal(vm_map_reservation_frames(&f->vm, r, &cap, 1, seL4_PageBits), -1);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), -1);
    /* the fixture tears down an initialised VM */
    assert_int_equal(vm_init(&f->vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint,
                             "again"),
                     0);
}

static void test_destroy_releases_mapped_and_anonymous_reservations(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_memory_make_anon(&f->vm, 0x75000000, 0x10000), 0);
    uintptr_t a = 0;
    vm_memory_reservation_t *anon = vm_reserve_anon_memory(&f->vm, 0x1000, 0x1000, never, NULL, &a);
    vm_memory_reservation_t *fixed = vm_reserve_memory_at(&f->vm, 0x2d000000, 0x1000, never, NULL);
    seL4_CPtr caps[2] = { new_frame(f, seL4_PageBits), new_frame(f, seL4_PageBits) };
    assert_int_equal(vm_map_reservation_frames(&f->vm, anon, &caps[0], 1, seL4_PageBits), 0);
    assert_int_equal(vm_map_reservation_frames(&f->vm, fixed, &caps[1], 1, seL4_PageBits), 0);
    assert_int_equal(sel4kvm_vm_destroy(&f->vm), 2);
    assert_int_equal(sel4kvm_sim_frame_mapping(caps[0], NULL, NULL), -1);
    assert_int_equal(sel4kvm_sim_frame_mapping(caps[1], NULL, NULL), -1);
    assert_int_equal(seL4_X86_Page_GetAddress(caps[0]).error, seL4_NoError);
    assert_int_equal(vm_init(&f->vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint,
                             "again"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST(test_reservation_claims_every_page_it_touches_and_no_more),
        VM_TEST(test_reserve_at_guest_physical_zero),
        VM_TEST(test_reserve_rejects_pages_mapped_outside_the_library),
        VM_TEST(test_anonymous_region_keeps_everything_else_out),
        VM_TEST(test_anonymous_reservations_never_share_a_page_in_an_unaligned_region),
        VM_TEST(test_anonymous_reservation_fills_its_region_exactly_then_fails),
        VM_TEST(test_anonymous_alignment_larger_than_the_address_space_does_not_wrap),
        VM_TEST(test_anonymous_reservation_without_any_region_fails),
        VM_TEST(test_freeing_the_topmost_anonymous_reservation_gives_its_space_back),
        VM_TEST(test_ten_thousand_anonymous_reservations_pack_and_unwind),
        VM_TEST(test_iterator_is_asked_for_the_exact_start_then_each_next_page),
        VM_TEST(test_map_gives_each_frame_its_own_rights),
        VM_TEST(test_map_frames_maps_with_all_rights),
        VM_TEST(test_large_frame_is_mapped_once_and_unmapped_on_free),
        VM_TEST(test_map_frames_ignores_frames_beyond_the_reservation),
        VM_TEST(test_map_frames_refuses_frames_larger_than_the_alignment),
        VM_TEST(test_map_refuses_a_frame_outside_the_reservation),
        VM_TEST(test_map_rolls_back_when_the_kernel_refuses_a_frame),
        VM_TEST(test_mapped_reservation_cannot_be_mapped_again),
        VM_TEST(test_deferred_map_records_without_mapping_or_calling_the_iterator),
        VM_TEST(test_freed_anonymous_reservation_leaves_its_pages_to_the_region),
        VM_TEST(test_sub_page_range_is_free_again_after_free),
        VM_TEST(test_freed_or_foreign_reservation_is_refused),
        VM_TEST(test_map_rejects_null_and_empty_frames),
        VM_TEST(test_get_region_with_a_null_argument_sets_nothing),
        VM_TEST(test_default_error_callback_reports_an_error),
        VM_TEST(test_make_anon_rejects_bad_ranges),
        VM_TEST(test_every_function_fails_cleanly_on_a_destroyed_vm),
        VM_TEST(test_destroy_releases_mapped_and_anonymous_reservations),
    };
    return cmocka_run_group_tests_name("guest memory", tests, NULL, NULL);
}
