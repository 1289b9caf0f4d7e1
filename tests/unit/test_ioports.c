/* I/O ports through the test backend: registration and overlap, dispatch, unhandled ports, string forms. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4kvm/log.h>
#include <sel4kvm/test_backend.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/guest_vm_exits.h>
#include "vm_fixture.h"

struct port_dev {
    unsigned last_port, last_size, last_value;
    unsigned outs;
    unsigned next_in;
    ioport_fault_result_t result;
};

static ioport_fault_result_t dev_in(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                    unsigned int *result)
{
    (void)vcpu;
    struct port_dev *d = cookie;
    d->last_port = port_no;
    d->last_size = size;
    *result = d->next_in++;
    return d->result;
}

static ioport_fault_result_t dev_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                     unsigned int value)
{
    (void)vcpu;
    struct port_dev *d = cookie;
    d->last_port = port_no;
    d->last_size = size;
    d->last_value = value;
    d->outs++;
    return d->result;
}

static struct port_dev *add_dev(struct vm_fixture *f, uint16_t start, uint16_t end)
{
    static struct port_dev d;
    memset(&d, 0, sizeof(d));
    d.result = IO_FAULT_HANDLED;
    vm_ioport_interface_t itf = { .cookie = &d, .port_in = dev_in, .port_out = dev_out, .desc = "dev" };
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ start, end }, itf), 0);
    return &d;
}

static void test_in_and_out_reach_the_range_handler(void **state)
{
    struct vm_fixture *f = *state;
    struct port_dev *d = add_dev(f, 0x3f8, 0x3ff);
    d->next_in = 0x12345;
    unsigned v = 0;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x3fd, 1, &v), 0);
    assert_int_equal(v, 0x45); /* masked to the access size */
    assert_int_equal(d->last_port, 0x3fd);
    assert_int_equal(sel4kvm_test_io_out(f->vcpu, 0x3f8, 2, 0xbeef), 0);
    assert_int_equal(d->last_value, 0xbeef);
    assert_int_equal(d->last_size, 2);
}

static void test_overlapping_ranges_are_refused_with_inclusive_ends(void **state)
{
    struct vm_fixture *f = *state;
    add_dev(f, 0x60, 0x64);
    vm_ioport_interface_t itf = { .port_in = dev_in, .port_out = dev_out };
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0x64, 0x70 }, itf), -1);
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0x50, 0x60 }, itf), -1);
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0x61, 0x61 }, itf), -1);
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0x65, 0x70 }, itf), 0);
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0x10, 0x5f }, itf), 0);
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0x80, 0x7f }, itf), -1);
    assert_int_equal(vm_io_port_add_handler(NULL, (vm_ioport_range_t){ 0x80, 0x80 }, itf), -1);
    assert_int_equal(f->vm.arch.ioport_list.num_ioports, 3);
    for (int i = 1; i < f->vm.arch.ioport_list.num_ioports; i++) {
        assert_true(f->vm.arch.ioport_list.ioports[i - 1].range.end < f->vm.arch.ioport_list.ioports[i].range.start);
    }
}

static void test_many_ranges_each_find_their_handler(void **state)
{
    struct vm_fixture *f = *state;
    static struct port_dev devs[100];
    for (int i = 99; i >= 0; i--) {
        devs[i] = (struct port_dev){ .result = IO_FAULT_HANDLED, .next_in = (unsigned)i };
        vm_ioport_interface_t itf = { .cookie = &devs[i], .port_in = dev_in, .port_out = dev_out };
        assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ (uint16_t)(i * 8), (uint16_t)(i * 8 + 3) },
                                                itf),
                         0);
    }
    for (int i = 0; i < 100; i++) {
        unsigned v;
        assert_int_equal(sel4kvm_test_io_in(f->vcpu, (unsigned)(i * 8 + 3), 4, &v), 0);
        assert_int_equal(v, (unsigned)i);
        assert_int_equal(sel4kvm_test_io_in(f->vcpu, (unsigned)(i * 8 + 4), 4, &v), 0);
        assert_int_equal(v, 0xffffffff);
    }
}

static void test_unhandled_in_reads_all_ones_and_out_is_dropped_with_one_warning(void **state)
{
    struct vm_fixture *f = *state;
    unsigned v = 0;
    unsigned long warnings = sel4kvm_log_count(ZF_LOG_WARN);
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x80, 2, &v), 0);
    assert_int_equal(v, 0xffff);
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x80, 1, &v), 0);
    assert_int_equal(v, 0xff);
    assert_int_equal(sel4kvm_test_io_out(f->vcpu, 0x81, 1, 5), 0);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_WARN), warnings + 2);
}

static ioport_fault_result_t unhandled_cb(vm_vcpu_t *vcpu, unsigned int port_no, bool is_in, unsigned int *value,
                                          size_t size, void *cookie)
{
    (void)vcpu;
    (void)size;
    *(unsigned *)cookie = port_no;
    if (is_in) {
        *value = 0x42;
    }
    return port_no == 0xdead ? IO_FAULT_ERROR : IO_FAULT_HANDLED;
}

static void test_unhandled_callback_takes_unclaimed_and_declined_ports(void **state)
{
    struct vm_fixture *f = *state;
    unsigned seen = 0, v = 0;
    assert_int_equal(vm_register_unhandled_ioport_callback(&f->vm, unhandled_cb, &seen), 0);
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x70, 1, &v), 0);
    assert_int_equal(v, 0x42);
    assert_int_equal(seen, 0x70);
    struct port_dev *d = add_dev(f, 0x100, 0x100);
    d->result = IO_FAULT_UNHANDLED;
    assert_int_equal(sel4kvm_test_io_out(f->vcpu, 0x100, 1, 1), 0);
    assert_int_equal(seen, 0x100);
    assert_int_equal(d->outs, 1);
    assert_int_equal(vm_register_unhandled_ioport_callback(&f->vm, NULL, NULL), -1);
}

static void test_handler_error_ends_the_run(void **state)
{
    struct vm_fixture *f = *state;
    struct port_dev *d = add_dev(f, 0xf4, 0xf4);
    d->result = IO_FAULT_ERROR;
    assert_int_equal(sel4kvm_test_io_out(f->vcpu, 0xf4, 1, 1), -1);
    assert_int_equal(f->vm.run.exit_reason, VM_GUEST_ERROR_EXIT);
}

static void test_string_io_handles_every_item(void **state)
{
    struct vm_fixture *f = *state;
    struct port_dev *d = add_dev(f, 0x1f0, 0x1f7);
    uint16_t out[4] = { 1, 2, 3, 0x4444 };
    assert_int_equal(sel4kvm_test_io_string(f->vcpu, 0x1f0, 2, false, 4, out), 0);
    assert_int_equal(d->outs, 4);
    assert_int_equal(d->last_value, 0x4444);
    d->next_in = 10;
    uint8_t in[3] = { 0 };
    assert_int_equal(sel4kvm_test_io_string(f->vcpu, 0x1f1, 1, true, 3, in), 0);
    assert_int_equal(in[0], 10);
    assert_int_equal(in[2], 12);
}

static void test_io_injection_and_passthrough_reject_bad_input(void **state)
{
    struct vm_fixture *f = *state;
    unsigned v;
    uint8_t buf[4];
    assert_int_equal(sel4kvm_test_io_in(NULL, 0x80, 1, &v), -1);
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x80, 8, &v), -1);
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x10000, 1, &v), -1);
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x80, 1, NULL), -1);
    assert_int_equal(sel4kvm_test_io_string(f->vcpu, 0x80, 1, true, 0, buf), -1);
    assert_int_equal(sel4kvm_test_io_string(f->vcpu, 0x80, 1, true, 1, NULL), -1);
    assert_int_equal(vm_enable_passthrough_ioport(f->vcpu, 0x60, 0x64), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST(test_in_and_out_reach_the_range_handler),
        VM_TEST(test_overlapping_ranges_are_refused_with_inclusive_ends),
        VM_TEST(test_many_ranges_each_find_their_handler),
        VM_TEST(test_unhandled_in_reads_all_ones_and_out_is_dropped_with_one_warning),
        VM_TEST(test_unhandled_callback_takes_unclaimed_and_declined_ports),
        VM_TEST(test_handler_error_ends_the_run),
        VM_TEST(test_string_io_handles_every_item),
        VM_TEST(test_io_injection_and_passthrough_reject_bad_input),
    };
    return cmocka_run_group_tests_name("I/O ports (test backend)", tests, NULL, NULL);
}
