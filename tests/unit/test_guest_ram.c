/* Tests of guest RAM: registration, the region list, allocation, and VMM access through vm_ram_touch. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/log.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/test_backend.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vm_exits.h>
#include <vka/object.h>
#include "vm_fixture.h"

#define RAM_BASE 0x100000ul
#define SZ_4K 0x1000ul
#define SZ_2M 0x200000ul
#define SZ_1G 0x40000000ul

static vm_t *fvm(void **state)
{
    return &((struct vm_fixture *)*state)->vm;
}

static void assert_region(vm_t *vm, int i, uintptr_t start, size_t size, bool allocated)
{
    assert_true(i < vm->mem.num_ram_regions);
    assert_int_equal(vm->mem.ram_regions[i].start, start);
    assert_int_equal(vm->mem.ram_regions[i].size, size);
    assert_int_equal(!!vm->mem.ram_regions[i].allocated, allocated);
}

/* Snapshot of the region list, to check that a refused call changed nothing. */
struct regions_copy {
    int n;
    struct vm_ram_region r[16];
};

static struct regions_copy regions_snapshot(vm_t *vm)
{
    struct regions_copy c = { .n = vm->mem.num_ram_regions };
    assert_true(c.n <= 16);
    if (c.n > 0) {
        memcpy(c.r, vm->mem.ram_regions, (size_t)c.n * sizeof(c.r[0]));
    }
    return c;
}

static void assert_regions_unchanged(vm_t *vm, const struct regions_copy *c)
{
    assert_int_equal(vm->mem.num_ram_regions, c->n);
    /* Field by field: the padding after `allocated` is never written, so comparing bytes reads garbage. */
    for (int i = 0; i < c->n; i++) {
        assert_int_equal(vm->mem.ram_regions[i].start, c->r[i].start);
        assert_int_equal(vm->mem.ram_regions[i].size, c->r[i].size);
        assert_int_equal(vm->mem.ram_regions[i].allocated, c->r[i].allocated);
    }
}

/* The physmap address of guest-physical addr, found independently of vm_ram_touch. */
static uint8_t *physmap_of(vm_t *vm, uintptr_t addr)
{
    seL4_CPtr cap = vspace_get_cap(&vm->mem.vm_vspace, (void *)addr);
    assert_int_not_equal(cap, seL4_CapNull);
    seL4_Word mapped;
    assert_int_equal(sel4kvm_sim_frame_mapping(cap, &mapped, NULL), 0);
    seL4_X86_Page_GetAddress_t where = seL4_X86_Page_GetAddress(cap);
    assert_int_equal(where.error, seL4_NoError);
    uint8_t *host = sel4kvm_sim_paddr_to_host(where.paddr + (addr - mapped), 1);
    assert_non_null(host);
    return host;
}

static uintptr_t frame_paddr(vm_t *vm, uintptr_t addr)
{
    seL4_CPtr cap = vspace_get_cap(&vm->mem.vm_vspace, (void *)addr);
    assert_int_not_equal(cap, seL4_CapNull);
    seL4_X86_Page_GetAddress_t where = seL4_X86_Page_GetAddress(cap);
    assert_int_equal(where.error, seL4_NoError);
    return where.paddr;
}

/* ---- region list ---------------------------------------------------------------------------------------------- */

static void test_register_at_adds_one_free_region(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm->mem.num_ram_regions, 1);
    assert_region(vm, 0, RAM_BASE, 0x4000, false);
}

static void test_register_at_merges_contiguous_registrations(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE + 0x4000, 0x2000, false), 0);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm->mem.num_ram_regions, 1);
    assert_region(vm, 0, RAM_BASE, 0x6000, false);
}

static void test_register_at_keeps_regions_sorted(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, 0x900000, 0x1000, false), 0);
    assert_int_equal(vm_ram_register_at(vm, 0x100000, 0x1000, false), 0);
    assert_int_equal(vm_ram_register_at(vm, 0x500000, 0x1000, false), 0);
    assert_int_equal(vm->mem.num_ram_regions, 3);
    assert_region(vm, 0, 0x100000, 0x1000, false);
    assert_region(vm, 1, 0x500000, 0x1000, false);
    assert_region(vm, 2, 0x900000, 0x1000, false);
}

static void test_mark_allocated_splits_free_allocated_free(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x10000, false), 0);
    vm_ram_mark_allocated(vm, RAM_BASE + 0x3000, 0x2800);
    assert_int_equal(vm->mem.num_ram_regions, 3);
    assert_region(vm, 0, RAM_BASE, 0x3000, false);
    assert_region(vm, 1, RAM_BASE + 0x3000, 0x2800, true);
    assert_region(vm, 2, RAM_BASE + 0x5800, 0xa800, false);
}

static void test_mark_allocated_at_region_start_leaves_two_regions(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x10000, false), 0);
    vm_ram_mark_allocated(vm, RAM_BASE, 0x1000);
    assert_int_equal(vm->mem.num_ram_regions, 2);
    assert_region(vm, 0, RAM_BASE, 0x1000, true);
    assert_region(vm, 1, RAM_BASE + 0x1000, 0xf000, false);
}

static void test_mark_allocated_whole_region_changes_its_state(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x10000, false), 0);
    vm_ram_mark_allocated(vm, RAM_BASE, 0x10000);
    assert_int_equal(vm->mem.num_ram_regions, 1);
    assert_region(vm, 0, RAM_BASE, 0x10000, true);
}

static void test_mark_allocated_merges_with_allocated_neighbour(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x10000, false), 0);
    vm_ram_mark_allocated(vm, RAM_BASE + 0x2000, 0x1000);
    vm_ram_mark_allocated(vm, RAM_BASE + 0x3000, 0x1000);
    vm_ram_mark_allocated(vm, RAM_BASE + 0x1000, 0x1000);
    assert_int_equal(vm->mem.num_ram_regions, 3);
    assert_region(vm, 0, RAM_BASE, 0x1000, false);
    assert_region(vm, 1, RAM_BASE + 0x1000, 0x3000, true);
    assert_region(vm, 2, RAM_BASE + 0x4000, 0xc000, false);
}

static void test_mark_allocated_refuses_allocated_or_partial_ranges(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x10000, false), 0);
    vm_ram_mark_allocated(vm, RAM_BASE + 0x2000, 0x1000);
    struct regions_copy before = regions_snapshot(vm);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    vm_ram_mark_allocated(vm, RAM_BASE + 0x2000, 0x10);        /* already allocated */
    vm_ram_mark_allocated(vm, RAM_BASE + 0x1000, 0x2000);      /* free then allocated */
    vm_ram_mark_allocated(vm, RAM_BASE + 0xf000, 0x2000);      /* runs past the RAM */
    vm_ram_mark_allocated(vm, RAM_BASE - 0x1000, 0x2000);      /* starts before the RAM */
    vm_ram_mark_allocated(vm, 0x40000000, 0x1000);             /* not RAM */
    vm_ram_mark_allocated(vm, RAM_BASE + 0x4000, 0);           /* empty */
    vm_ram_mark_allocated(vm, RAM_BASE + 0x4000, UINTPTR_MAX); /* wraps */
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 7);
    assert_regions_unchanged(vm, &before);
}

static void test_mark_allocated_refuses_null_and_uninitialised_vm(void **state)
{
    (void)state;
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    vm_ram_mark_allocated(NULL, RAM_BASE, 0x1000);
    vm_ram_mark_allocated(&blank, RAM_BASE, 0x1000);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 2);
    assert_null(blank.mem.ram_regions);
}

/* ---- allocation ----------------------------------------------------------------------------------------------- */

static void test_allocate_is_first_fit_in_address_order(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, 0x500000, 0x8000, false), 0);
    assert_int_equal(vm_ram_register_at(vm, 0x100000, 0x2000, false), 0);
    assert_int_equal(vm_ram_allocate(vm, 0x3000), 0x500000);
    assert_int_equal(vm_ram_allocate(vm, 0x800), 0x100000);
    assert_int_equal(vm_ram_allocate(vm, 0x1800), 0x100800);
    assert_int_equal(vm_ram_allocate(vm, 0x10), 0x503000);
}

static void test_allocate_marks_the_range_allocated(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), RAM_BASE);
    assert_int_equal(vm->mem.num_ram_regions, 2);
    assert_region(vm, 0, RAM_BASE, 0x1000, true);
    assert_region(vm, 1, RAM_BASE + 0x1000, 0x3000, false);
}

static void test_allocate_fails_when_no_free_region_is_large_enough(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, 0x100000, 0x2000, false), 0);
    assert_int_equal(vm_ram_register_at(vm, 0x300000, 0x2000, false), 0);
    struct regions_copy before = regions_snapshot(vm);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_allocate(vm, 0x2001), 0);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 1);
    assert_regions_unchanged(vm, &before);
}

static void test_allocate_fails_when_everything_is_allocated(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x2000, false), 0);
    assert_int_equal(vm_ram_allocate(vm, 0x2000), RAM_BASE);
    assert_int_equal(vm_ram_allocate(vm, 1), 0);
}

static void test_allocate_never_returns_address_zero(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, 0, 0x3000, false), 0);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), 0x1000);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), 0x2000);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), 0);
    vm_ram_mark_allocated(vm, 0, 0x1000);
    assert_region(vm, 0, 0, 0x3000, true);
}

static void test_allocate_refuses_bad_input(void **state)
{
    vm_t *vm = fvm(state);
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x2000, false), 0);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_allocate(NULL, 0x1000), 0);
    assert_int_equal(vm_ram_allocate(&blank, 0x1000), 0);
    assert_int_equal(vm_ram_allocate(vm, 0), 0);
    assert_int_equal(vm_ram_allocate(vm, SIZE_MAX), 0);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 4);
    assert_region(vm, 0, RAM_BASE, 0x2000, false);
}

static void test_allocate_without_ram_fails(void **state)
{
    assert_int_equal(vm_ram_allocate(fvm(state), 0x1000), 0);
}

/* ---- free ----------------------------------------------------------------------------------------------------- */

static void test_free_returns_range_and_merges_with_free_neighbours(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm_ram_allocate(vm, 0x4000), RAM_BASE);
    vm_ram_free(vm, RAM_BASE + 0x1000, 0x1000);
    assert_int_equal(vm->mem.num_ram_regions, 3);
    assert_region(vm, 0, RAM_BASE, 0x1000, true);
    assert_region(vm, 1, RAM_BASE + 0x1000, 0x1000, false);
    assert_region(vm, 2, RAM_BASE + 0x2000, 0x2000, true);
    vm_ram_free(vm, RAM_BASE + 0x2000, 0x2000);
    vm_ram_free(vm, RAM_BASE, 0x1000);
    assert_int_equal(vm->mem.num_ram_regions, 1);
    assert_region(vm, 0, RAM_BASE, 0x4000, false);
}

static void test_free_spans_adjacent_allocations(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), RAM_BASE);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), RAM_BASE + 0x1000);
    vm_ram_free(vm, RAM_BASE + 0x800, 0x1000);
    assert_int_equal(vm->mem.num_ram_regions, 4);
    assert_region(vm, 1, RAM_BASE + 0x800, 0x1000, false);
}

static void test_freed_range_is_allocated_again(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), RAM_BASE);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), RAM_BASE + 0x1000);
    vm_ram_free(vm, RAM_BASE, 0x1000);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), RAM_BASE);
    assert_int_equal(vm_ram_allocate(vm, 0x2000), RAM_BASE + 0x2000);
    assert_int_equal(vm_ram_allocate(vm, 1), 0);
}

static void test_free_refuses_ranges_that_are_not_allocated(void **state)
{
    vm_t *vm = fvm(state);
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm_ram_allocate(vm, 0x1000), RAM_BASE);
    struct regions_copy before = regions_snapshot(vm);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    vm_ram_free(vm, RAM_BASE + 0x1000, 0x1000); /* free already */
    vm_ram_free(vm, RAM_BASE + 0x800, 0x1000);  /* half free */
    vm_ram_free(vm, 0x40000000, 0x1000);        /* not RAM */
    vm_ram_free(vm, RAM_BASE, 0);               /* empty */
    vm_ram_free(vm, RAM_BASE, UINTPTR_MAX);     /* wraps */
    vm_ram_free(NULL, RAM_BASE, 0x1000);
    vm_ram_free(&blank, RAM_BASE, 0x1000);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 7);
    assert_regions_unchanged(vm, &before);
}

/* ---- largest free region -------------------------------------------------------------------------------------- */

static void test_largest_free_region_is_found(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, 0x100000, 0x2000, false), 0);
    assert_int_equal(vm_ram_register_at(vm, 0x300000, 0x8000, false), 0);
    assert_int_equal(vm_ram_register_at(vm, 0x500000, 0x4000, false), 0);
    vm_ram_mark_allocated(vm, 0x300000, 0x5000);
    uintptr_t addr = 0;
    size_t size = 0;
    assert_int_equal(vm_ram_find_largest_free_region(vm, &addr, &size), 0);
    assert_int_equal(addr, 0x500000);
    assert_int_equal(size, 0x4000);
}

static void test_largest_free_region_fails_when_all_allocated(void **state)
{
    vm_t *vm = fvm(state);
    uintptr_t addr = 0x1234;
    size_t size = 0x5678;
    assert_int_equal(vm_ram_find_largest_free_region(vm, &addr, &size), -1);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x2000, false), 0);
    vm_ram_mark_allocated(vm, RAM_BASE, 0x2000);
    assert_int_equal(vm_ram_find_largest_free_region(vm, &addr, &size), -1);
    assert_int_equal(addr, 0x1234);
    assert_int_equal(size, 0x5678);
}

static void test_largest_free_region_refuses_null_arguments(void **state)
{
    vm_t *vm = fvm(state);
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    uintptr_t addr;
    size_t size;
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x2000, false), 0);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_find_largest_free_region(NULL, &addr, &size), -1);
    assert_int_equal(vm_ram_find_largest_free_region(&blank, &addr, &size), -1);
    assert_int_equal(vm_ram_find_largest_free_region(vm, NULL, &size), -1);
    assert_int_equal(vm_ram_find_largest_free_region(vm, &addr, NULL), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 4);
}

/* ---- touch ---------------------------------------------------------------------------------------------------- */

struct chunk {
    uintptr_t addr;
    void *vaddr;
    size_t size;
    size_t offset;
};

struct chunk_log {
    vm_t *vm;
    int n;
    int stop_at;
    struct chunk c[16];
};

static int record_chunk(vm_t *vm, uintptr_t guest_addr, void *vmm_vaddr, size_t size, size_t offset, void *cookie)
{
    struct chunk_log *log = cookie;
    assert_ptr_equal(vm, log->vm);
    assert_true(log->n < 16);
    log->c[log->n++] = (struct chunk){ .addr = guest_addr, .vaddr = vmm_vaddr, .size = size, .offset = offset };
    return log->n == log->stop_at ? 7 : 0;
}

static void assert_chunk(struct chunk_log *log, int i, uintptr_t addr, size_t size, size_t offset)
{
    assert_int_equal(log->c[i].addr, addr);
    assert_int_equal(log->c[i].size, size);
    assert_int_equal(log->c[i].offset, offset);
    assert_ptr_equal(log->c[i].vaddr, physmap_of(log->vm, addr));
}

static void test_touch_walks_page_chunks_with_exact_addresses_and_offsets(void **state)
{
    vm_t *vm = fvm(state);
    struct chunk_log log = { .vm = vm };
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm_ram_touch(vm, RAM_BASE + 0xff0, 0x2020, record_chunk, &log), 0);
    assert_int_equal(log.n, 4);
    assert_chunk(&log, 0, RAM_BASE + 0xff0, 0x10, 0);
    assert_chunk(&log, 1, RAM_BASE + 0x1000, 0x1000, 0x10);
    assert_chunk(&log, 2, RAM_BASE + 0x2000, 0x1000, 0x1010);
    assert_chunk(&log, 3, RAM_BASE + 0x3000, 0x10, 0x2010);
}

static void test_touch_within_one_page_is_one_chunk(void **state)
{
    vm_t *vm = fvm(state);
    struct chunk_log log = { .vm = vm };
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x1000, false), 0);
    assert_int_equal(vm_ram_touch(vm, RAM_BASE + 0x123, 1, record_chunk, &log), 0);
    assert_int_equal(log.n, 1);
    assert_chunk(&log, 0, RAM_BASE + 0x123, 1, 0);
}

static void test_touch_crosses_registrations_and_allocation_boundaries(void **state)
{
    vm_t *vm = fvm(state);
    struct chunk_log log = { .vm = vm };
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x2000, false), 0);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE + 0x2000, 0x2000, false), 0);
    vm_ram_mark_allocated(vm, RAM_BASE + 0x1000, 0x2000);
    assert_int_equal(vm->mem.num_ram_regions, 3);
    assert_int_equal(vm_ram_touch(vm, RAM_BASE + 0x800, 0x3000, record_chunk, &log), 0);
    assert_int_equal(log.n, 4);
    assert_chunk(&log, 0, RAM_BASE + 0x800, 0x800, 0);
    assert_chunk(&log, 1, RAM_BASE + 0x1000, 0x1000, 0x800);
    assert_chunk(&log, 2, RAM_BASE + 0x2000, 0x1000, 0x1800);
    assert_chunk(&log, 3, RAM_BASE + 0x3000, 0x800, 0x2800);
}

static void test_touch_inside_a_2mib_frame_points_at_the_right_byte(void **state)
{
    vm_t *vm = fvm(state);
    struct chunk_log log = { .vm = vm };
    assert_int_equal(vm_ram_register_at(vm, SZ_2M, SZ_2M, false), 0);
    assert_int_equal(vm_ram_touch(vm, SZ_2M + 0x1ff800, 0x800, record_chunk, &log), 0);
    assert_int_equal(vm_ram_touch(vm, SZ_2M + 0x5000, 0x1800, record_chunk, &log), 0);
    assert_int_equal(log.n, 3);
    assert_chunk(&log, 0, SZ_2M + 0x1ff800, 0x800, 0);
    assert_chunk(&log, 1, SZ_2M + 0x5000, 0x1000, 0);
    assert_chunk(&log, 2, SZ_2M + 0x6000, 0x800, 0x1000);
    uintptr_t base = frame_paddr(vm, SZ_2M);
    assert_ptr_equal(log.c[1].vaddr, (uint8_t *)sel4kvm_sim_paddr_to_host(base, 1) + 0x5000);
}

static void test_touch_stops_at_first_nonzero_callback_return(void **state)
{
    vm_t *vm = fvm(state);
    struct chunk_log log = { .vm = vm, .stop_at = 2 };
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm_ram_touch(vm, RAM_BASE, 0x4000, record_chunk, &log), 7);
    assert_int_equal(log.n, 2);
}

static void test_touch_refuses_ranges_that_are_not_all_ram(void **state)
{
    vm_t *vm = fvm(state);
    struct chunk_log log = { .vm = vm };
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x2000, false), 0);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE + 0x3000, 0x1000, false), 0);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_touch(vm, RAM_BASE + 0x1000, 0x3000, record_chunk, &log), -1); /* gap */
    assert_int_equal(vm_ram_touch(vm, RAM_BASE - 1, 2, record_chunk, &log), -1);           /* starts before */
    assert_int_equal(vm_ram_touch(vm, RAM_BASE + 0x3fff, 2, record_chunk, &log), -1);      /* ends after */
    assert_int_equal(vm_ram_touch(vm, 0x40000000, 1, record_chunk, &log), -1);             /* not RAM */
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 4);
    assert_int_equal(log.n, 0);
}

static void test_touch_refuses_bad_input(void **state)
{
    vm_t *vm = fvm(state);
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    struct chunk_log log = { .vm = vm };
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x2000, false), 0);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_touch(NULL, RAM_BASE, 1, record_chunk, &log), -1);
    assert_int_equal(vm_ram_touch(&blank, RAM_BASE, 1, record_chunk, &log), -1);
    assert_int_equal(vm_ram_touch(vm, RAM_BASE, 1, NULL, &log), -1);
    assert_int_equal(vm_ram_touch(vm, RAM_BASE, 0, record_chunk, &log), -1);
    assert_int_equal(vm_ram_touch(vm, RAM_BASE, SIZE_MAX, record_chunk, &log), -1);
    assert_int_equal(vm_ram_touch(vm, UINTPTR_MAX, 2, record_chunk, &log), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 6);
    assert_int_equal(log.n, 0);
}

/* ---- read and write helpers ----------------------------------------------------------------------------------- */

static void test_write_then_read_round_trips_across_pages(void **state)
{
    vm_t *vm = fvm(state);
    enum { LEN = 0x2345 };
    uintptr_t at = RAM_BASE + 0x0abc;
    uint8_t *out = malloc(LEN), *in = calloc(1, LEN);
    assert_non_null(out);
    assert_non_null(in);
    for (size_t i = 0; i < LEN; i++) {
        out[i] = (uint8_t)(i * 7 + (i >> 8));
    }
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    assert_int_equal(vm_ram_touch(vm, at, LEN, vm_guest_ram_write_callback, out), 0);
    assert_int_equal(vm_ram_touch(vm, at, LEN, vm_guest_ram_read_callback, in), 0);
    assert_memory_equal(in, out, LEN);
    for (size_t i = 0; i < LEN; i += 0x1f1) {
        assert_int_equal(*physmap_of(vm, at + i), out[i]);
    }
    assert_int_equal(*physmap_of(vm, at + LEN - 1), out[LEN - 1]);
    assert_int_equal(*physmap_of(vm, at - 1), 0);
    assert_int_equal(*physmap_of(vm, at + LEN), 0);
    free(out);
    free(in);
}

static void test_guest_write_is_seen_through_touch(void **state)
{
    struct vm_fixture *f = *state;
    vm_t *vm = &f->vm;
    uint32_t seen = 0;
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x2000, false), 0);
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, RAM_BASE + 0x1ffc, 4, 0xcafef00d, &out), 0);
    assert_int_equal(out.callbacks, 0);
    assert_int_equal(vm_ram_touch(vm, RAM_BASE + 0x1ffc, 4, vm_guest_ram_read_callback, &seen), 0);
    assert_int_equal(seen, 0xcafef00d);
}

static void test_read_and_write_callbacks_honour_offset(void **state)
{
    (void)state;
    char ram[4] = "abcd";
    char buf[8] = "01234567";
    assert_int_equal(vm_guest_ram_read_callback(NULL, 0, ram, 2, 5, buf), 0);
    assert_memory_equal(buf, "01234ab7", 8);
    assert_int_equal(vm_guest_ram_write_callback(NULL, 0, ram + 1, 3, 1, buf), 0);
    assert_memory_equal(ram, "a123", 4);
}

static void test_read_and_write_callbacks_refuse_null_pointers(void **state)
{
    (void)state;
    char b[4];
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_guest_ram_read_callback(NULL, 0, NULL, 1, 0, b), -1);
    assert_int_equal(vm_guest_ram_read_callback(NULL, 0, b, 1, 0, NULL), -1);
    assert_int_equal(vm_guest_ram_write_callback(NULL, 0, NULL, 1, 0, b), -1);
    assert_int_equal(vm_guest_ram_write_callback(NULL, 0, b, 1, 0, NULL), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 4);
}

/* ---- registration --------------------------------------------------------------------------------------------- */

static void test_register_at_maps_frames_immediately(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x3000, false), 0);
    for (uintptr_t a = RAM_BASE; a < RAM_BASE + 0x3000; a += SZ_4K) {
        seL4_CPtr cap = vspace_get_cap(&vm->mem.vm_vspace, (void *)a);
        assert_int_not_equal(cap, seL4_CapNull);
        seL4_CapRights_t rights;
        assert_int_equal(sel4kvm_sim_frame_mapping(cap, NULL, &rights), 0);
        assert_true(seL4_CapRights_get_capAllowWrite(rights));
        assert_true(seL4_CapRights_get_capAllowRead(rights));
    }
}

static void test_register_at_maps_immediately_in_deferred_mode(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(sel4kvm_vm_set_defer_memory_map(vm, true), 0);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x2000, false), 0);
    assert_int_not_equal(vspace_get_cap(&vm->mem.vm_vspace, (void *)RAM_BASE), seL4_CapNull);
    assert_int_not_equal(vspace_get_cap(&vm->mem.vm_vspace, (void *)(RAM_BASE + 0x1000)), seL4_CapNull);
}

static void test_register_1gib_uses_2mib_frames(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, SZ_1G, SZ_1G, false), 0);
    for (uintptr_t a = SZ_1G; a < 2 * SZ_1G; a += 64 * SZ_2M) {
        seL4_CPtr first = vspace_get_cap(&vm->mem.vm_vspace, (void *)a);
        assert_int_not_equal(first, seL4_CapNull);
        assert_int_equal(vspace_get_cap(&vm->mem.vm_vspace, (void *)(a + SZ_2M - SZ_4K)), first);
        assert_int_not_equal(vspace_get_cap(&vm->mem.vm_vspace, (void *)(a + SZ_2M)), first);
    }
    assert_region(vm, 0, SZ_1G, SZ_1G, false);
}

static void test_register_uses_4kib_frames_where_2mib_do_not_fit(void **state)
{
    vm_t *vm = fvm(state);
    uintptr_t start = SZ_2M - SZ_4K;
    assert_int_equal(vm_ram_register_at(vm, start, SZ_2M + 2 * SZ_4K, false), 0);
    seL4_CPtr head = vspace_get_cap(&vm->mem.vm_vspace, (void *)start);
    seL4_CPtr big = vspace_get_cap(&vm->mem.vm_vspace, (void *)SZ_2M);
    seL4_CPtr tail = vspace_get_cap(&vm->mem.vm_vspace, (void *)(2 * SZ_2M));
    assert_int_not_equal(head, big);
    assert_int_not_equal(tail, big);
    assert_int_equal(vspace_get_cap(&vm->mem.vm_vspace, (void *)(2 * SZ_2M - SZ_4K)), big);
    seL4_Word mapped;
    assert_int_equal(sel4kvm_sim_frame_mapping(big, &mapped, NULL), 0);
    assert_int_equal(mapped, SZ_2M);
}

static void test_register_at_rejects_overlap_with_ram(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), 0);
    struct regions_copy before = regions_snapshot(vm);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE + 0x3000, 0x2000, false), -1);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE - 0x1000, 0x2000, false), -1);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE - 0x1000, 0x10000, true), -1);
    assert_regions_unchanged(vm, &before);
}

static void test_register_at_rejects_overlap_with_reservation(void **state)
{
    vm_t *vm = fvm(state);
    assert_non_null(vm_reserve_memory_at(vm, RAM_BASE + 0x1800, 0x10, default_error_fault_callback, NULL));
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x4000, false), -1);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) > errors);
    assert_int_equal(vm->mem.num_ram_regions, 0);
    assert_int_equal(vspace_get_cap(&vm->mem.vm_vspace, (void *)RAM_BASE), seL4_CapNull);
}

static void test_register_at_refuses_bad_input(void **state)
{
    vm_t *vm = fvm(state);
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_register_at(NULL, RAM_BASE, 0x1000, false), -1);
    assert_int_equal(vm_ram_register_at(&blank, RAM_BASE, 0x1000, false), -1);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0, false), -1);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE + 0x10, 0x1000, false), -1);
    assert_int_equal(vm_ram_register_at(vm, RAM_BASE, 0x1010, false), -1);
    assert_int_equal(vm_ram_register_at(vm, UINTPTR_MAX - 0xfff, 0x2000, false), -1);
    assert_int_equal(vm_ram_register_at(vm, 1ul << 48, 0x1000, false), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors >= 7, true);
    assert_int_equal(vm->mem.num_ram_regions, 0);
    assert_null(blank.mem.ram_regions);
}

static void test_register_at_untyped_maps_guest_address_to_same_physical(void **state)
{
    vm_t *vm = fvm(state);
    uintptr_t start = 0xc0000000ul - SZ_4K;
    size_t bytes = SZ_2M + 2 * SZ_4K;
    assert_int_equal(vm_ram_register_at(vm, start, bytes, true), 0);
    assert_int_equal(frame_paddr(vm, start), start);
    assert_int_equal(frame_paddr(vm, 0xc0000000ul), 0xc0000000ul);
    assert_int_equal(frame_paddr(vm, 0xc0000000ul + SZ_2M - SZ_4K), 0xc0000000ul);
    assert_int_equal(frame_paddr(vm, 0xc0000000ul + SZ_2M), 0xc0000000ul + SZ_2M);
    for (uintptr_t a = start; a < start + bytes; a += 0x7000) {
        assert_ptr_equal(physmap_of(vm, a), sel4kvm_sim_paddr_to_host(a, 1));
    }
}

static void test_register_at_untyped_fails_where_there_is_no_memory(void **state)
{
    vm_t *vm = fvm(state);
    /* Physical memory starts at 1 MiB, so nothing backs guest page 0 one to one. */
    assert_int_equal(vm_ram_register_at(vm, 0, 0x2000, true), -1);
    assert_int_equal(vm->mem.num_ram_regions, 0);
    assert_non_null(vm_reserve_memory_at(vm, 0, 0x2000, default_error_fault_callback, NULL));
}

static void test_register_at_untyped_failure_part_way_leaves_nothing_behind(void **state)
{
    vm_t *vm = fvm(state);
    uintptr_t ram_end = SEL4KVM_SIM_DEFAULT_RAM_BASE + SEL4KVM_SIM_DEFAULT_RAM_SIZE;
    /* The first page has memory behind it, the second does not. */
    assert_int_equal(vm_ram_register_at(vm, ram_end - SZ_4K, 2 * SZ_4K, true), -1);
    assert_int_equal(vm->mem.num_ram_regions, 0);
    assert_int_equal(vspace_get_cap(&vm->mem.vm_vspace, (void *)(ram_end - SZ_4K)), seL4_CapNull);
    /* The frame taken for the first page went back: it can be had again. */
    assert_int_equal(vm_ram_register_at(vm, ram_end - SZ_4K, SZ_4K, true), 0);
    assert_int_equal(frame_paddr(vm, ram_end - SZ_4K), ram_end - SZ_4K);
}

static void test_register_needs_an_anonymous_region(void **state)
{
    vm_t *vm = fvm(state);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_register(vm, 0x1000), 0);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) > errors);
    assert_int_equal(vm->mem.num_ram_regions, 0);
}

static void test_register_places_ram_in_the_anonymous_region(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_memory_make_anon(vm, 0x80000000ul, 0x1000000), 0);
    assert_int_equal(vm_ram_register(vm, 0x3000), 0x80000000ul);
    assert_int_equal(vm_ram_register(vm, 0x1800), 0x80003000ul);
    /* Whole pages are mapped, so whole pages are RAM; consecutive registrations merge. */
    assert_int_equal(vm->mem.num_ram_regions, 1);
    assert_region(vm, 0, 0x80000000ul, 0x5000, false);
    assert_int_not_equal(vspace_get_cap(&vm->mem.vm_vspace, (void *)0x80004000ul), seL4_CapNull);
    assert_int_equal(vm_ram_allocate(vm, 0x5000), 0x80000000ul);
}

static void test_register_uses_2mib_frames_in_an_aligned_anonymous_region(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_memory_make_anon(vm, SZ_1G, SZ_1G), 0);
    assert_int_equal(vm_ram_register(vm, 2 * SZ_2M), SZ_1G);
    seL4_CPtr cap = vspace_get_cap(&vm->mem.vm_vspace, (void *)SZ_1G);
    assert_int_equal(vspace_get_cap(&vm->mem.vm_vspace, (void *)(SZ_1G + SZ_2M - SZ_4K)), cap);
}

static void test_register_fails_when_the_anonymous_region_is_full(void **state)
{
    vm_t *vm = fvm(state);
    assert_int_equal(vm_memory_make_anon(vm, 0x80000000ul, 0x2000), 0);
    assert_int_equal(vm_ram_register(vm, 0x3000), 0);
    assert_int_equal(vm->mem.num_ram_regions, 0);
    assert_int_equal(vm_ram_register(vm, 0x2000), 0x80000000ul);
}

static void test_register_refuses_bad_input(void **state)
{
    vm_t *vm = fvm(state);
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    assert_int_equal(vm_memory_make_anon(vm, 0x80000000ul, 0x100000), 0);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_register(NULL, 0x1000), 0);
    assert_int_equal(vm_ram_register(&blank, 0x1000), 0);
    assert_int_equal(vm_ram_register(vm, 0), 0);
    assert_int_equal(vm_ram_register(vm, SIZE_MAX), 0);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) - errors >= 4);
    assert_int_equal(vm->mem.num_ram_regions, 0);
    assert_int_equal(vm_ram_register(vm, 0x100000), 0x80000000ul);
}

/* ---- custom iterator ------------------------------------------------------------------------------------------ */

struct caller_frames {
    vka_object_t frames[4];
    seL4_CapRights_t rights;
    uintptr_t base;
    int calls;
    int fail_at;
};

static vm_frame_t caller_iterator(uintptr_t addr, void *cookie)
{
    struct caller_frames *cf = cookie;
    size_t i = (addr - cf->base) / SZ_4K;
    vm_frame_t frame = { .cptr = seL4_CapNull, .rights = cf->rights, .vaddr = addr, .size_bits = 12 };
    if (cf->calls++ != cf->fail_at && i < 4) {
        frame.cptr = cf->frames[i].cptr;
    }
    return frame;
}

static void caller_frames_alloc(struct vm_fixture *f, struct caller_frames *cf, uintptr_t base)
{
    memset(cf, 0, sizeof(*cf));
    cf->base = base;
    cf->rights = seL4_AllRights;
    cf->fail_at = -1;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(vka_alloc_frame(&f->env.vka, 12, &cf->frames[i]), 0);
    }
}

static void test_custom_iterator_maps_the_callers_frames(void **state)
{
    struct vm_fixture *f = *state;
    struct caller_frames cf;
    caller_frames_alloc(f, &cf, RAM_BASE);
    assert_int_equal(vm_ram_register_at_custom_iterator(&f->vm, RAM_BASE, 0x4000, caller_iterator, &cf), 0);
    assert_int_equal(cf.calls, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(vspace_get_cap(&f->vm.mem.vm_vspace, (void *)(RAM_BASE + i * SZ_4K)), cf.frames[i].cptr);
    }
    assert_region(&f->vm, 0, RAM_BASE, 0x4000, false);
    uint32_t word = 0x5a5a1234, seen = 0;
    assert_int_equal(vm_ram_touch(&f->vm, RAM_BASE + 0x2ffe, 4, vm_guest_ram_write_callback, &word), 0);
    assert_int_equal(vm_ram_touch(&f->vm, RAM_BASE + 0x2ffe, 4, vm_guest_ram_read_callback, &seen), 0);
    assert_int_equal(seen, word);
}

static void test_custom_iterator_failure_leaves_nothing_behind(void **state)
{
    struct vm_fixture *f = *state;
    struct caller_frames cf;
    caller_frames_alloc(f, &cf, RAM_BASE);
    cf.fail_at = 2;
    assert_int_equal(vm_ram_register_at_custom_iterator(&f->vm, RAM_BASE, 0x4000, caller_iterator, &cf), -1);
    assert_int_equal(f->vm.mem.num_ram_regions, 0);
    assert_int_equal(vspace_get_cap(&f->vm.mem.vm_vspace, (void *)RAM_BASE), seL4_CapNull);
    cf.calls = 0;
    cf.fail_at = -1;
    assert_int_equal(vm_ram_register_at_custom_iterator(&f->vm, RAM_BASE, 0x4000, caller_iterator, &cf), 0);
}

static void test_custom_iterator_refuses_bad_input(void **state)
{
    struct vm_fixture *f = *state;
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    struct caller_frames cf;
    caller_frames_alloc(f, &cf, RAM_BASE);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(vm_ram_register_at_custom_iterator(NULL, RAM_BASE, 0x1000, caller_iterator, &cf), -1);
    assert_int_equal(vm_ram_register_at_custom_iterator(&blank, RAM_BASE, 0x1000, caller_iterator, &cf), -1);
    assert_int_equal(vm_ram_register_at_custom_iterator(&f->vm, RAM_BASE, 0x1000, NULL, &cf), -1);
    assert_int_equal(vm_ram_register_at_custom_iterator(&f->vm, RAM_BASE, 0, caller_iterator, &cf), -1);
    assert_int_equal(vm_ram_register_at_custom_iterator(&f->vm, RAM_BASE + 1, 0x1000, caller_iterator, &cf), -1);
    assert_int_equal(vm_ram_register_at_custom_iterator(&f->vm, RAM_BASE, 0x800, caller_iterator, &cf), -1);
    assert_int_equal(vm_ram_register_at_custom_iterator(&f->vm, UINTPTR_MAX - 0xfff, 0x2000, caller_iterator, &cf), -1);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) - errors >= 7);
    assert_int_equal(cf.calls, 0);
    assert_int_equal(f->vm.mem.num_ram_regions, 0);
}

static void test_guest_fault_on_ram_is_an_error(void **state)
{
    struct vm_fixture *f = *state;
    struct caller_frames cf;
    caller_frames_alloc(f, &cf, RAM_BASE);
    cf.rights = seL4_CanRead;
    assert_int_equal(vm_ram_register_at_custom_iterator(&f->vm, RAM_BASE, 0x4000, caller_iterator, &cf), 0);
    sel4kvm_test_access_t out;
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, RAM_BASE + 0x10, 4, 1, &out), -1);
    assert_int_equal(out.callbacks, 1);
    assert_int_equal(out.exit_reason, VM_GUEST_ERROR_EXIT);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) > errors);
}

/* ---- teardown ------------------------------------------------------------------------------------------------- */

static void test_destroy_returns_ram_frames_to_the_allocator(void **state)
{
    struct vm_fixture *f = *state;
    /* 3 GiB of the machine's 4 GiB: a second VM gets it only if the first one's frames came back. */
    assert_int_equal(vm_ram_register_at(&f->vm, 0, 3 * SZ_1G, false), 0);
    assert_int_equal(sel4kvm_vm_destroy(&f->vm) >= 0, true);
    assert_null(f->vm.mem.ram_regions);
    assert_int_equal(vm_init(&f->vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint,
                             "again"),
                     0);
    assert_int_equal(vm_ram_register_at(&f->vm, 0, 3 * SZ_1G, false), 0);
}

static void test_destroy_releases_one_to_one_frames(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_ram_register_at(&f->vm, 0x40000000ul, 0x400000, true), 0);
    assert_int_equal(sel4kvm_vm_destroy(&f->vm) >= 0, true);
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame_at(&f->env.vka, 21, 0x40200000ul, &frame), 0);
    vka_free_object(&f->env.vka, &frame);
    assert_int_equal(vm_init(&f->vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint,
                             "again"),
                     0);
}

/* Error messages are counted only when they pass the level filter: keep errors counted even under
 * SEL4KVM_LOG=none, but then send them nowhere. */
static void discard_message(void *cookie, int level, const char *tag, const char *file, int line, const char *func,
                            const char *msg)
{
    (void)cookie, (void)level, (void)tag, (void)file, (void)line, (void)func, (void)msg;
}

int main(void)
{
    if (zf_log_runtime_level() > ZF_LOG_ERROR) {
        zf_log_set_runtime_level(ZF_LOG_ERROR);
        sel4kvm_log_set_sink(discard_message, NULL);
    }
    const struct CMUnitTest tests[] = {
        VM_TEST(test_register_at_adds_one_free_region),
        VM_TEST(test_register_at_merges_contiguous_registrations),
        VM_TEST(test_register_at_keeps_regions_sorted),
        VM_TEST(test_mark_allocated_splits_free_allocated_free),
        VM_TEST(test_mark_allocated_at_region_start_leaves_two_regions),
        VM_TEST(test_mark_allocated_whole_region_changes_its_state),
        VM_TEST(test_mark_allocated_merges_with_allocated_neighbour),
        VM_TEST(test_mark_allocated_refuses_allocated_or_partial_ranges),
        VM_TEST(test_mark_allocated_refuses_null_and_uninitialised_vm),
        VM_TEST(test_allocate_is_first_fit_in_address_order),
        VM_TEST(test_allocate_marks_the_range_allocated),
        VM_TEST(test_allocate_fails_when_no_free_region_is_large_enough),
        VM_TEST(test_allocate_fails_when_everything_is_allocated),
        VM_TEST(test_allocate_never_returns_address_zero),
        VM_TEST(test_allocate_refuses_bad_input),
        VM_TEST(test_allocate_without_ram_fails),
        VM_TEST(test_free_returns_range_and_merges_with_free_neighbours),
        VM_TEST(test_free_spans_adjacent_allocations),
        VM_TEST(test_freed_range_is_allocated_again),
        VM_TEST(test_free_refuses_ranges_that_are_not_allocated),
        VM_TEST(test_largest_free_region_is_found),
        VM_TEST(test_largest_free_region_fails_when_all_allocated),
        VM_TEST(test_largest_free_region_refuses_null_arguments),
        VM_TEST(test_touch_walks_page_chunks_with_exact_addresses_and_offsets),
        VM_TEST(test_touch_within_one_page_is_one_chunk),
        VM_TEST(test_touch_crosses_registrations_and_allocation_boundaries),
        VM_TEST(test_touch_inside_a_2mib_frame_points_at_the_right_byte),
        VM_TEST(test_touch_stops_at_first_nonzero_callback_return),
        VM_TEST(test_touch_refuses_ranges_that_are_not_all_ram),
        VM_TEST(test_touch_refuses_bad_input),
        VM_TEST(test_write_then_read_round_trips_across_pages),
        VM_TEST(test_guest_write_is_seen_through_touch),
        VM_TEST(test_read_and_write_callbacks_honour_offset),
        VM_TEST(test_read_and_write_callbacks_refuse_null_pointers),
        VM_TEST(test_register_at_maps_frames_immediately),
        VM_TEST(test_register_at_maps_immediately_in_deferred_mode),
        VM_TEST(test_register_1gib_uses_2mib_frames),
        VM_TEST(test_register_uses_4kib_frames_where_2mib_do_not_fit),
        VM_TEST(test_register_at_rejects_overlap_with_ram),
        VM_TEST(test_register_at_rejects_overlap_with_reservation),
        VM_TEST(test_register_at_refuses_bad_input),
        VM_TEST(test_register_at_untyped_maps_guest_address_to_same_physical),
        VM_TEST(test_register_at_untyped_fails_where_there_is_no_memory),
        VM_TEST(test_register_at_untyped_failure_part_way_leaves_nothing_behind),
        VM_TEST(test_register_needs_an_anonymous_region),
        VM_TEST(test_register_places_ram_in_the_anonymous_region),
        VM_TEST(test_register_uses_2mib_frames_in_an_aligned_anonymous_region),
        VM_TEST(test_register_fails_when_the_anonymous_region_is_full),
        VM_TEST(test_register_refuses_bad_input),
        VM_TEST(test_custom_iterator_maps_the_callers_frames),
        VM_TEST(test_custom_iterator_failure_leaves_nothing_behind),
        VM_TEST(test_custom_iterator_refuses_bad_input),
        VM_TEST(test_guest_fault_on_ram_is_an_error),
        VM_TEST(test_destroy_returns_ram_frames_to_the_allocator),
        VM_TEST(test_destroy_releases_one_to_one_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
