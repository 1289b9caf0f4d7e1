/* libsel4vmmplatsupport's I/O port list: fixed and allocated ranges, overlap, dispatch, and use from a VM. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>

#include <sel4kvm/log.h>
#include <sel4kvm/test_backend.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vmmplatsupport/ioports.h>

#include "quiet_log.h"
#include "vm_fixture.h"

struct dev {
    unsigned ins, outs;
    unsigned last_port, last_size, last_value;
    unsigned in_value;
    int ret;
};

static int dev_in(void *cookie, unsigned int port_no, unsigned int size, unsigned int *result)
{
    struct dev *d = cookie;
    d->ins++;
    d->last_port = port_no;
    d->last_size = size;
    *result = d->in_value;
    return d->ret;
}

static int dev_out(void *cookie, unsigned int port_no, unsigned int size, unsigned int value)
{
    struct dev *d = cookie;
    d->outs++;
    d->last_port = port_no;
    d->last_size = size;
    d->last_value = value;
    return d->ret;
}

static vmm_io_port_list_t *list;

static int list_up(void **state)
{
    (void)state;
    return vmm_io_port_init(&list, 0x8000);
}

static int list_down(void **state)
{
    (void)state;
    for (int i = 0; i < list->num_ioports; i++) {
        free(list->ioports[i]);
    }
    free(list->ioports);
    free(list);
    list = NULL;
    return 0;
}

#define LIST_TEST(fn) cmocka_unit_test_setup_teardown(fn, list_up, list_down)

static ioport_interface_t iface(struct dev *d)
{
    return (ioport_interface_t){ .cookie = d, .port_in = dev_in, .port_out = dev_out, .desc = "dev" };
}

static ioport_entry_t *add_fixed(struct dev *d, uint16_t start, uint16_t end)
{
    return vmm_io_port_add_handler(list, (ioport_range_t){ .start = start, .end = end }, iface(d), IOPORT_ADDR);
}

static void test_init_starts_empty_with_the_allocation_base(void **state)
{
    (void)state;
    assert_int_equal(list->num_ioports, 0);
    assert_int_equal(list->alloc_addr, 0x8000);
    assert_logs_error(assert_int_equal(vmm_io_port_init(NULL, 0), -1));
}

static void test_fixed_range_is_registered_as_given(void **state)
{
    (void)state;
    struct dev d = { 0 };
    ioport_entry_t *e = add_fixed(&d, 0x3f8, 0x3ff);
    assert_non_null(e);
    assert_int_equal(e->range.start, 0x3f8);
    assert_int_equal(e->range.end, 0x3ff);
    assert_ptr_equal(e->interface.cookie, &d);
    assert_int_equal(list->num_ioports, 1);
    assert_ptr_equal(list->ioports[0], e);
    assert_int_equal(list->alloc_addr, 0x8000);
}

static void test_ranges_stay_sorted_by_start(void **state)
{
    (void)state;
    struct dev d = { 0 };
    assert_non_null(add_fixed(&d, 0x300, 0x30f));
    assert_non_null(add_fixed(&d, 0x100, 0x10f));
    assert_non_null(add_fixed(&d, 0x200, 0x200));
    assert_non_null(add_fixed(&d, 0xffff, 0xffff));
    assert_non_null(add_fixed(&d, 0, 0));
    assert_int_equal(list->num_ioports, 5);
    for (int i = 1; i < list->num_ioports; i++) {
        assert_true(list->ioports[i - 1]->range.end < list->ioports[i]->range.start);
    }
}

static void test_overlapping_ranges_are_refused_with_inclusive_ends(void **state)
{
    (void)state;
    struct dev d = { 0 };
    assert_non_null(add_fixed(&d, 0x60, 0x64));
    assert_logs_error(assert_null(add_fixed(&d, 0x64, 0x70)));
    assert_logs_error(assert_null(add_fixed(&d, 0x50, 0x60)));
    assert_logs_error(assert_null(add_fixed(&d, 0x62, 0x62)));
    assert_logs_error(assert_null(add_fixed(&d, 0x00, 0xffff)));
    assert_non_null(add_fixed(&d, 0x65, 0x70));
    assert_non_null(add_fixed(&d, 0x10, 0x5f));
    assert_int_equal(list->num_ioports, 3);
}

static void test_bad_registrations_are_refused(void **state)
{
    (void)state;
    struct dev d = { 0 };
    assert_logs_error(assert_null(add_fixed(&d, 0x80, 0x7f)));
    assert_logs_error(
        assert_null(vmm_io_port_add_handler(NULL, (ioport_range_t){ .start = 1, .end = 1 }, iface(&d), IOPORT_ADDR)));
    assert_logs_error(assert_null(
        vmm_io_port_add_handler(list, (ioport_range_t){ .start = 1, .end = 1 }, iface(&d), (ioport_type_t)5)));
    assert_int_equal(list->num_ioports, 0);
}

static void test_free_ranges_come_from_the_bump_allocator(void **state)
{
    (void)state;
    struct dev d = { 0 };
    ioport_entry_t *a = vmm_io_port_add_handler(list, (ioport_range_t){ .size = 0x20 }, iface(&d), IOPORT_FREE);
    ioport_entry_t *b = vmm_io_port_add_handler(list, (ioport_range_t){ .size = 0x8 }, iface(&d), IOPORT_FREE);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->range.start, 0x8000);
    assert_int_equal(a->range.end, 0x801f);
    assert_int_equal(b->range.start, 0x8020);
    assert_int_equal(b->range.end, 0x8027);
    assert_int_equal(list->alloc_addr, 0x8028);
}

static void test_failed_free_allocation_leaves_the_allocator_alone(void **state)
{
    (void)state;
    struct dev d = { 0 };
    assert_non_null(add_fixed(&d, 0x8004, 0x8004));
    assert_logs_error(
        assert_null(vmm_io_port_add_handler(list, (ioport_range_t){ .size = 8 }, iface(&d), IOPORT_FREE)));
    assert_int_equal(list->alloc_addr, 0x8000);
    assert_logs_error(
        assert_null(vmm_io_port_add_handler(list, (ioport_range_t){ .size = 0 }, iface(&d), IOPORT_FREE)));
    assert_int_equal(list->alloc_addr, 0x8000);
    list->alloc_addr = 0xfff0;
    assert_logs_error(
        assert_null(vmm_io_port_add_handler(list, (ioport_range_t){ .size = 0x10 }, iface(&d), IOPORT_FREE)));
    assert_int_equal(list->alloc_addr, 0xfff0);
    assert_non_null(vmm_io_port_add_handler(list, (ioport_range_t){ .size = 0xf }, iface(&d), IOPORT_FREE));
    assert_int_equal(list->alloc_addr, 0xffff);
}

static void test_emulate_dispatches_to_the_containing_range(void **state)
{
    (void)state;
    struct dev a = { .in_value = 0x12345678 };
    struct dev b = { 0 };
    add_fixed(&a, 0x100, 0x107);
    add_fixed(&b, 0x108, 0x10f);
    unsigned v = 0;
    assert_int_equal(emulate_io_handler(list, 0x107, true, 2, &v), 0);
    assert_int_equal(v, 0x5678);
    assert_int_equal(a.last_port, 0x107);
    assert_int_equal(a.last_size, 2);
    v = 0xabcd;
    assert_int_equal(emulate_io_handler(list, 0x108, false, 4, &v), 0);
    assert_int_equal(b.last_value, 0xabcd);
    assert_int_equal(b.outs, 1);
    assert_int_equal(a.outs, 0);
}

static void test_many_ranges_each_find_their_handler(void **state)
{
    (void)state;
    static struct dev devs[200];
    memset(devs, 0, sizeof(devs));
    for (int i = 199; i >= 0; i--) {
        devs[i].in_value = (unsigned)i;
        assert_non_null(add_fixed(&devs[i], (uint16_t)(i * 8), (uint16_t)(i * 8 + 3)));
    }
    for (unsigned port = 0; port < 200 * 8; port++) {
        unsigned v = 0xffff;
        int r = emulate_io_handler(list, port, true, 1, &v);
        if (port % 8 < 4) {
            assert_int_equal(r, 0);
            assert_int_equal(v, port / 8);
        } else {
            assert_int_equal(r, 1);
        }
    }
}

static void test_unclaimed_ports_and_missing_handlers_are_unhandled(void **state)
{
    (void)state;
    struct dev d = { 0 };
    ioport_interface_t out_only = { .cookie = &d, .port_out = dev_out };
    assert_non_null(
        vmm_io_port_add_handler(list, (ioport_range_t){ .start = 0x70, .end = 0x71 }, out_only, IOPORT_ADDR));
    unsigned v = 7;
    assert_int_equal(emulate_io_handler(list, 0x80, true, 1, &v), 1);
    assert_int_equal(emulate_io_handler(list, 0x70, true, 1, &v), 1);
    assert_int_equal(v, 7);
    assert_int_equal(emulate_io_handler(list, 0x71, false, 1, &v), 0);
    assert_int_equal(d.last_value, 7);
    assert_int_equal(emulate_io_handler(list, 0x10000, true, 1, &v), 1);
}

static void test_failing_handler_is_an_error(void **state)
{
    (void)state;
    struct dev d = { .ret = -1, .in_value = 5 };
    add_fixed(&d, 0x40, 0x43);
    unsigned v = 9;
    assert_logs_error(assert_int_equal(emulate_io_handler(list, 0x40, true, 1, &v), -1));
    assert_int_equal(v, 9);
    assert_logs_error(assert_int_equal(emulate_io_handler(list, 0x41, false, 1, &v), -1));
}

static void test_emulate_rejects_bad_arguments(void **state)
{
    (void)state;
    struct dev d = { 0 };
    add_fixed(&d, 0x40, 0x43);
    unsigned v = 0;
    assert_logs_error(assert_int_equal(emulate_io_handler(NULL, 0x40, true, 1, &v), -1));
    assert_logs_error(assert_int_equal(emulate_io_handler(list, 0x40, true, 1, NULL), -1));
    assert_logs_error(assert_int_equal(emulate_io_handler(list, 0x40, true, 3, &v), -1));
    assert_logs_error(assert_int_equal(emulate_io_handler(list, 0x40, false, 8, &v), -1));
    assert_logs_error(assert_int_equal(emulate_io_handler(list, 0x40, false, 0, &v), -1));
    assert_int_equal(d.ins + d.outs, 0);
}

static ioport_fault_result_t forward_to_list(vm_vcpu_t *vcpu, unsigned int port_no, bool is_in, unsigned int *value,
                                             size_t size, void *cookie)
{
    (void)vcpu;
    int r = emulate_io_handler(cookie, port_no, is_in, size, value);
    return r == 0 ? IO_FAULT_HANDLED : r == 1 ? IO_FAULT_UNHANDLED : IO_FAULT_ERROR;
}

static void test_vm_unhandled_callback_dispatches_through_the_list(void **state)
{
    struct vm_fixture *f = *state;
    vmm_io_port_list_t *l = NULL;
    assert_int_equal(vmm_io_port_init(&l, 0xc000), 0);
    struct dev d = { .in_value = 0xa5a5 };
    ioport_entry_t *e = vmm_io_port_add_handler(l, (ioport_range_t){ .size = 0x10 }, iface(&d), IOPORT_FREE);
    assert_non_null(e);
    assert_int_equal(vm_register_unhandled_ioport_callback(&f->vm, forward_to_list, l), 0);
    unsigned v = 0;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0xc00f, 2, &v), 0);
    assert_int_equal(v, 0xa5a5);
    assert_int_equal(sel4kvm_test_io_out(f->vcpu, 0xc003, 1, 0x5a), 0);
    assert_int_equal(d.last_value, 0x5a);
    assert_int_equal(d.last_port, 0xc003);
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0xc010, 1, &v), 0); /* declined: reads all ones */
    assert_int_equal(v, 0xff);
    d.ret = -1;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0xc000, 1, &v), -1);
    free(e);
    free(l->ioports);
    free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        LIST_TEST(test_init_starts_empty_with_the_allocation_base),
        LIST_TEST(test_fixed_range_is_registered_as_given),
        LIST_TEST(test_ranges_stay_sorted_by_start),
        LIST_TEST(test_overlapping_ranges_are_refused_with_inclusive_ends),
        LIST_TEST(test_bad_registrations_are_refused),
        LIST_TEST(test_free_ranges_come_from_the_bump_allocator),
        LIST_TEST(test_failed_free_allocation_leaves_the_allocator_alone),
        LIST_TEST(test_emulate_dispatches_to_the_containing_range),
        LIST_TEST(test_many_ranges_each_find_their_handler),
        LIST_TEST(test_unclaimed_ports_and_missing_handlers_are_unhandled),
        LIST_TEST(test_failing_handler_is_an_error),
        LIST_TEST(test_emulate_rejects_bad_arguments),
        VM_TEST(test_vm_unhandled_callback_dispatches_through_the_list),
    };
    return cmocka_run_group_tests_name("vmmplatsupport I/O port list", tests, quiet_group, loud_group);
}
