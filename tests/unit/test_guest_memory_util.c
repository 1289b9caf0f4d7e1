/* Backing guest reservations (allocated, maybe-device, physically placed frames; shared pages) and device lists. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include <sel4kvm/log.h>
#include <sel4kvm/test_backend.h>
#include <sel4kvm/vm.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vmmplatsupport/device.h>
#include <sel4vmmplatsupport/guest_memory_util.h>
#include <vspace/vspace.h>

#include "quiet_log.h"
#include "vm_fixture.h"

/* Guest-physical addresses used below; physical addresses inside the simulated RAM and device untypeds. */
#define GUEST_BASE 0x40000000ul
#define RAM_PADDR 0xA0000000ul
#define DEVICE_PADDR 0x200000000ul
#define NO_MEMORY_PADDR 0x400000000ul

static unsigned callback_calls;

static memory_fault_result_t count_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)vm, (void)addr, (void)len, (void)cookie;
    callback_calls++;
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static vm_memory_reservation_t *reserve(struct vm_fixture *f, uintptr_t addr, size_t size)
{
    vm_memory_reservation_t *r = vm_reserve_memory_at(&f->vm, addr, size, count_fault, NULL);
    assert_non_null(r);
    return r;
}

/* A guest access that memory serves: it completes without any fault callback. */
static void assert_guest_memory(struct vm_fixture *f, uintptr_t addr, seL4_Word value)
{
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, addr, 8, value, &out), 0);
    assert_int_equal(out.callbacks, 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, addr, 8, &out), 0);
    assert_int_equal(out.callbacks, 0);
    assert_int_equal(out.read_value, value);
}

static uintptr_t guest_frame_paddr(struct vm_fixture *f, uintptr_t addr)
{
    seL4_CPtr cap = vspace_get_cap(&f->vm.mem.vm_vspace, (void *)addr);
    assert_int_not_equal(cap, seL4_CapNull);
    seL4_X86_Page_GetAddress_t r = seL4_X86_Page_GetAddress(cap);
    assert_int_equal(r.error, seL4_NoError);
    return r.paddr;
}

/* ---- map_* -------------------------------------------------------------------------------------------------- */

static void test_frame_alloc_backs_every_page(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, 3 * PAGE_SIZE_4K);
    assert_int_equal(map_frame_alloc_reservation(&f->vm, r), 0);
    for (int i = 0; i < 3; i++) {
        assert_guest_memory(f, GUEST_BASE + i * PAGE_SIZE_4K + 8, 0x1111 * (i + 1));
    }
    assert_int_equal(callback_calls, 0);
}

static void test_maybe_device_backs_every_page(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, 2 * PAGE_SIZE_4K);
    assert_int_equal(map_maybe_device_reservation(&f->vm, r), 0);
    assert_guest_memory(f, GUEST_BASE, 0xfeedface);
    assert_guest_memory(f, GUEST_BASE + PAGE_SIZE_4K, 0xcafe);
}

static void test_ut_alloc_maps_guest_address_to_the_same_paddr(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, RAM_PADDR, 2 * PAGE_SIZE_4K);
    assert_int_equal(map_ut_alloc_reservation(&f->vm, r), 0);
    assert_int_equal(guest_frame_paddr(f, RAM_PADDR), RAM_PADDR);
    assert_int_equal(guest_frame_paddr(f, RAM_PADDR + PAGE_SIZE_4K), RAM_PADDR + PAGE_SIZE_4K);
    assert_guest_memory(f, RAM_PADDR + 0x10, 42);
}

static void test_ut_alloc_with_base_paddr_places_frames_from_it(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, 3 * PAGE_SIZE_4K);
    assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&f->vm, RAM_PADDR, r), 0);
    for (uintptr_t i = 0; i < 3; i++) {
        assert_int_equal(guest_frame_paddr(f, GUEST_BASE + i * PAGE_SIZE_4K), RAM_PADDR + i * PAGE_SIZE_4K);
    }
    assert_guest_memory(f, GUEST_BASE + 2 * PAGE_SIZE_4K, 7);
}

static void test_ut_alloc_from_device_memory(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, PAGE_SIZE_4K);
    assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&f->vm, DEVICE_PADDR, r), 0);
    assert_int_equal(guest_frame_paddr(f, GUEST_BASE), DEVICE_PADDR);
}

static void test_failed_ut_alloc_gives_back_what_it_took(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *taken = reserve(f, GUEST_BASE + 0x100000, PAGE_SIZE_4K);
    assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&f->vm, RAM_PADDR + PAGE_SIZE_4K, taken), 0);
    /* pages 0 and 1 of this reservation want RAM_PADDR and RAM_PADDR + 4 KiB; the second is taken */
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, 2 * PAGE_SIZE_4K);
    assert_logs_error(assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&f->vm, RAM_PADDR, r), -1));
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, GUEST_BASE, 4, &out), 0);
    assert_int_equal(out.callbacks, 1); /* not mapped */
    /* the frame at RAM_PADDR was released again */
    vm_memory_reservation_t *again = reserve(f, GUEST_BASE + 0x200000, PAGE_SIZE_4K);
    assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&f->vm, RAM_PADDR, again), 0);
}

static void test_ut_alloc_without_memory_at_paddr_fails(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, PAGE_SIZE_4K);
    assert_logs_error(assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&f->vm, NO_MEMORY_PADDR, r), -1));
}

static void test_map_functions_reject_bad_arguments(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, 2 * PAGE_SIZE_4K);
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    assert_logs_error(assert_int_equal(map_frame_alloc_reservation(NULL, r), -1));
    assert_logs_error(assert_int_equal(map_frame_alloc_reservation(&f->vm, NULL), -1));
    assert_logs_error(assert_int_equal(map_frame_alloc_reservation(&blank, r), -1));
    assert_logs_error(assert_int_equal(map_maybe_device_reservation(NULL, r), -1));
    assert_logs_error(assert_int_equal(map_maybe_device_reservation(&f->vm, NULL), -1));
    assert_logs_error(assert_int_equal(map_ut_alloc_reservation(NULL, r), -1));
    assert_logs_error(assert_int_equal(map_ut_alloc_reservation(&f->vm, NULL), -1));
    assert_logs_error(assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&f->vm, RAM_PADDR + 8, r), -1));
    assert_logs_error(assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&f->vm, UINTPTR_MAX - 0xfff, r), -1));
    assert_logs_error(assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&blank, RAM_PADDR, r), -1));
    /* the reservation is still unmapped and can be backed now */
    assert_int_equal(map_frame_alloc_reservation(&f->vm, r), 0);
}

static void test_mapping_an_already_mapped_reservation_fails_and_keeps_it(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, PAGE_SIZE_4K);
    assert_int_equal(map_frame_alloc_reservation(&f->vm, r), 0);
    assert_guest_memory(f, GUEST_BASE, 5);
    assert_logs_error(assert_int_equal(map_frame_alloc_reservation(&f->vm, r), -1));
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, GUEST_BASE, 8, &out), 0);
    assert_int_equal(out.read_value, 5);
}

static void test_deferred_mode_maps_at_the_first_access(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(sel4kvm_vm_set_defer_memory_map(&f->vm, true), 0);
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, 2 * PAGE_SIZE_4K);
    assert_int_equal(map_ut_alloc_reservation_with_base_paddr(&f->vm, RAM_PADDR, r), 0);
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, GUEST_BASE + PAGE_SIZE_4K, 4, 99, &out), 0);
    assert_int_equal(callback_calls, 0);
    assert_int_equal(guest_frame_paddr(f, GUEST_BASE + PAGE_SIZE_4K), RAM_PADDR + PAGE_SIZE_4K);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, GUEST_BASE + PAGE_SIZE_4K, 4, &out), 0);
    assert_int_equal(out.read_value, 99);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0); /* frees the iterator state with it */
}

/* ---- create_* ----------------------------------------------------------------------------------------------- */

static void test_allocated_frame_is_shared_between_vmm_and_guest(void **state)
{
    struct vm_fixture *f = *state;
    volatile uint32_t *p = create_allocated_reservation_frame(&f->vm, GUEST_BASE, seL4_AllRights, count_fault, NULL);
    assert_non_null(p);
    p[4] = 0xabcdef01;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, GUEST_BASE + 16, 4, &out), 0);
    assert_int_equal(out.read_value, 0xabcdef01);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, GUEST_BASE + 0xffc, 4, 0x55aa55aa, &out), 0);
    assert_int_equal(p[0x3ff], 0x55aa55aa);
    assert_int_equal(callback_calls, 0);
}

static void test_read_only_frame_sends_guest_writes_to_the_callback(void **state)
{
    struct vm_fixture *f = *state;
    volatile uint32_t *p = create_allocated_reservation_frame(&f->vm, GUEST_BASE, seL4_CanRead, count_fault, NULL);
    assert_non_null(p);
    p[1] = 77;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, GUEST_BASE + 4, 4, &out), 0);
    assert_int_equal(out.read_value, 77);
    assert_int_equal(callback_calls, 0);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, GUEST_BASE + 4, 4, 1, &out), 0);
    assert_int_equal(callback_calls, 1);
    assert_int_equal(p[1], 77);
}

static void test_device_frame_is_the_frame_at_that_paddr(void **state)
{
    struct vm_fixture *f = *state;
    volatile uint64_t *p = create_device_reservation_frame(&f->vm, DEVICE_PADDR, seL4_AllRights, count_fault, NULL);
    assert_non_null(p);
    assert_int_equal(guest_frame_paddr(f, DEVICE_PADDR), DEVICE_PADDR);
    p[3] = 0x0123456789abcdef;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEVICE_PADDR + 24, 8, &out), 0);
    assert_int_equal(out.read_value, 0x0123456789abcdef);
}

static void test_create_in_deferred_mode_shares_the_page_at_first_access(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(sel4kvm_vm_set_defer_memory_map(&f->vm, true), 0);
    volatile uint32_t *p = create_allocated_reservation_frame(&f->vm, GUEST_BASE, seL4_AllRights, count_fault, NULL);
    assert_non_null(p);
    p[0] = 31337;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, GUEST_BASE, 4, &out), 0);
    assert_int_equal(out.read_value, 31337);
    assert_int_equal(callback_calls, 0);
}

static void test_create_on_a_reserved_page_fails_and_can_be_retried(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, GUEST_BASE, PAGE_SIZE_4K);
    assert_logs_error(
        assert_null(create_allocated_reservation_frame(&f->vm, GUEST_BASE, seL4_AllRights, count_fault, NULL)));
    assert_logs_error(
        assert_null(create_device_reservation_frame(&f->vm, GUEST_BASE, seL4_AllRights, count_fault, NULL)));
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
    assert_non_null(create_allocated_reservation_frame(&f->vm, GUEST_BASE, seL4_AllRights, count_fault, NULL));
}

static void test_failed_device_frame_releases_the_frame(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *r = reserve(f, DEVICE_PADDR, PAGE_SIZE_4K);
    assert_logs_error(
        assert_null(create_device_reservation_frame(&f->vm, DEVICE_PADDR, seL4_AllRights, count_fault, NULL)));
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
    assert_non_null(create_device_reservation_frame(&f->vm, DEVICE_PADDR, seL4_AllRights, count_fault, NULL));
}

static void test_create_functions_reject_bad_arguments(void **state)
{
    struct vm_fixture *f = *state;
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    void *(*create[2])(vm_t *, uintptr_t, seL4_CapRights_t, memory_fault_callback_fn,
                       void *) = { create_allocated_reservation_frame, create_device_reservation_frame };
    for (int i = 0; i < 2; i++) {
        assert_logs_error(assert_null(create[i](NULL, DEVICE_PADDR, seL4_AllRights, count_fault, NULL)));
        assert_logs_error(assert_null(create[i](&blank, DEVICE_PADDR, seL4_AllRights, count_fault, NULL)));
        assert_logs_error(assert_null(create[i](&f->vm, DEVICE_PADDR, seL4_AllRights, NULL, NULL)));
        assert_logs_error(assert_null(create[i](&f->vm, DEVICE_PADDR + 0x10, seL4_AllRights, count_fault, NULL)));
    }
    assert_logs_error(
        assert_null(create_device_reservation_frame(&f->vm, NO_MEMORY_PADDR, seL4_AllRights, count_fault, NULL)));
    /* nothing was left reserved */
    vm_memory_reservation_t *r = reserve(f, NO_MEMORY_PADDR, PAGE_SIZE_4K);
    assert_int_equal(vm_free_reserved_memory(&f->vm, r), 0);
}

/* ---- device lists ------------------------------------------------------------------------------------------- */

static struct device dev_at(const char *name, seL4_Word start, seL4_Word size)
{
    return (struct device){ .name = name, .pstart = start, .size = size };
}

static void test_device_list_finds_the_containing_device(void **state)
{
    (void)state;
    device_list_t l;
    assert_int_equal(device_list_init(&l), 0);
    assert_int_equal(l.num_devices, 0);
    assert_null(find_device_by_pa(&l, 0));
    struct device uart = dev_at("uart", 0x1000, 0x100);
    struct device gic = dev_at("gic", 0x8000, 0x2000);
    assert_int_equal(add_device(&l, &uart), 0);
    assert_int_equal(add_device(&l, &gic), 0);
    assert_int_equal(l.num_devices, 2);
    assert_string_equal(find_device_by_pa(&l, 0x1000)->name, "uart");
    assert_string_equal(find_device_by_pa(&l, 0x10ff)->name, "uart");
    assert_null(find_device_by_pa(&l, 0x1100));
    assert_string_equal(find_device_by_pa(&l, 0x9fff)->name, "gic");
    assert_null(find_device_by_pa(&l, 0xfff));
    assert_ptr_equal(find_device_by_pa(&l, 0x8000), &l.devices[1]);
    free(l.devices);
}

static void test_device_list_refuses_bad_and_overlapping_devices(void **state)
{
    (void)state;
    device_list_t l;
    assert_int_equal(device_list_init(&l), 0);
    struct device a = dev_at("a", 0x1000, 0x1000);
    assert_int_equal(add_device(&l, &a), 0);
    struct device bad[] = {
        dev_at("overlap-end", 0x1fff, 0x10), dev_at("overlap-start", 0x800, 0x801),    dev_at("inside", 0x1400, 1),
        dev_at("empty", 0x5000, 0),          dev_at("wraps", UINTPTR_MAX - 0xf, 0x20),
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_logs_error(assert_int_equal(add_device(&l, &bad[i]), -1));
    }
    assert_logs_error(assert_int_equal(add_device(NULL, &a), -1));
    assert_logs_error(assert_int_equal(add_device(&l, NULL), -1));
    assert_logs_error(assert_int_equal(device_list_init(NULL), -1));
    assert_logs_error(assert_null(find_device_by_pa(NULL, 0x1000)));
    struct device touching = dev_at("touching", 0x2000, 0x10);
    assert_int_equal(add_device(&l, &touching), 0);
    assert_int_equal(l.num_devices, 2);
    device_list_t broken = { .devices = NULL, .num_devices = 3 };
    assert_logs_error(assert_int_equal(add_device(&broken, &a), -1));
    free(l.devices);
}

static int reset_calls(void **state)
{
    callback_calls = 0;
    return vm_fixture_up(state);
}

#define UTIL_TEST(fn) cmocka_unit_test_setup_teardown(fn, reset_calls, vm_fixture_down)

int main(void)
{
    const struct CMUnitTest tests[] = {
        UTIL_TEST(test_frame_alloc_backs_every_page),
        UTIL_TEST(test_maybe_device_backs_every_page),
        UTIL_TEST(test_ut_alloc_maps_guest_address_to_the_same_paddr),
        UTIL_TEST(test_ut_alloc_with_base_paddr_places_frames_from_it),
        UTIL_TEST(test_ut_alloc_from_device_memory),
        UTIL_TEST(test_failed_ut_alloc_gives_back_what_it_took),
        UTIL_TEST(test_ut_alloc_without_memory_at_paddr_fails),
        UTIL_TEST(test_map_functions_reject_bad_arguments),
        UTIL_TEST(test_mapping_an_already_mapped_reservation_fails_and_keeps_it),
        UTIL_TEST(test_deferred_mode_maps_at_the_first_access),
        UTIL_TEST(test_allocated_frame_is_shared_between_vmm_and_guest),
        UTIL_TEST(test_read_only_frame_sends_guest_writes_to_the_callback),
        UTIL_TEST(test_device_frame_is_the_frame_at_that_paddr),
        UTIL_TEST(test_create_in_deferred_mode_shares_the_page_at_first_access),
        UTIL_TEST(test_create_on_a_reserved_page_fails_and_can_be_retried),
        UTIL_TEST(test_failed_device_frame_releases_the_frame),
        UTIL_TEST(test_create_functions_reject_bad_arguments),
        cmocka_unit_test(test_device_list_finds_the_containing_device),
        cmocka_unit_test(test_device_list_refuses_bad_and_overlapping_devices),
    };
    return cmocka_run_group_tests_name("guest memory util and device lists", tests, quiet_group, loud_group);
}
