/* Event tracing (sel4kvm/trace.h) through the test backend: the exact fields of each line, and silence when off. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/devices.h>
#include <sel4kvm/test_backend.h>
#include <sel4kvm/trace.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vcpu_fault.h>
#include "quiet_log.h"
#include "vm_fixture.h"

#define DEVICE 0xd0000000ul

/* A stream that collects the trace in memory. */
struct capture {
    FILE *out;
    char *text;
    size_t len;
};

static void capture_open(struct capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->out = open_memstream(&c->text, &c->len);
    assert_non_null(c->out);
}

static const char *capture_text(struct capture *c)
{
    fflush(c->out);
    return c->text;
}

static void capture_close(struct capture *c)
{
    fclose(c->out);
    free(c->text);
}

/* Tracing on into a fresh capture, and off again. */
static void trace_on(struct vm_fixture *f, struct capture *c, unsigned flags)
{
    capture_open(c);
    assert_int_equal(sel4kvm_vm_set_trace(&f->vm, flags, c->out), 0);
}

static void trace_off(struct vm_fixture *f, struct capture *c)
{
    assert_int_equal(sel4kvm_vm_set_trace(&f->vm, 0, NULL), 0);
    capture_close(c);
}

/* Checks that the text is exactly one line: expected, then " ns=<digits>". */
static void assert_one_line(const char *text, const char *expected)
{
    size_t n = strlen(expected);
    assert_true(strncmp(text, expected, n) == 0 || (fprintf(stderr, "got: %s", text), false));
    const char *ns = text + n;
    assert_true(strncmp(ns, " ns=", 4) == 0);
    char *end;
    strtoull(ns + 4, &end, 10);
    assert_true(end > ns + 4);
    assert_string_equal(end, "\n");
}

static memory_fault_result_t device_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    (void)addr;
    (void)size;
    memory_fault_result_t *result = cookie;
    if (*result == FAULT_HANDLED) {
        if (is_vcpu_read_fault(vcpu)) {
            set_vcpu_fault_data(vcpu, 0x1234);
        }
        advance_vcpu_fault(vcpu);
    }
    return *result;
}

static ioport_fault_result_t port_in(vm_vcpu_t *vcpu, void *cookie, unsigned int port, unsigned int size,
                                     unsigned int *result)
{
    (void)vcpu;
    (void)cookie;
    (void)port;
    (void)size;
    *result = 0xab;
    return IO_FAULT_HANDLED;
}

static ioport_fault_result_t port_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port, unsigned int size,
                                      unsigned int value)
{
    (void)vcpu;
    (void)cookie;
    (void)port;
    (void)size;
    (void)value;
    return IO_FAULT_ERROR;
}

static void add_ports(struct vm_fixture *f)
{
    vm_ioport_range_t range = { 0x60, 0x61 };
    vm_ioport_interface_t iface = { .cookie = NULL, .port_in = port_in, .port_out = port_out, .desc = "test" };
    assert_int_equal(vm_io_port_add_handler(&f->vm, range, iface), 0);
}

static void test_fault_line_for_a_handled_read(void **state)
{
    struct vm_fixture *f = *state;
    memory_fault_result_t result = FAULT_HANDLED;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEVICE, 0x1000, device_fault, &result);
    assert_non_null(res);
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_FAULTS);
    assert_int_equal(sel4kvm_test_set_ip(f->vcpu, 0x1000), 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEVICE + 8, 4, NULL), 0);
    assert_one_line(capture_text(&c), "fault vcpu=0 rip=0x1000 gpa=0xd0000008 size=4 read data=0x1234 "
                                      "res=[0xd0000000,0xd0001000) result=HANDLED");
    vm_free_reserved_memory(&f->vm, res);
    trace_off(f, &c);
}

static void test_fault_line_for_a_write_shows_the_written_value(void **state)
{
    struct vm_fixture *f = *state;
    memory_fault_result_t result = FAULT_HANDLED;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEVICE, 0x1000, device_fault, &result);
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_FAULTS);
    assert_int_equal(sel4kvm_test_set_ip(f->vcpu, 0x2000), 0);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEVICE + 1, 2, 0xbeef, NULL), 0);
    assert_one_line(capture_text(&c), "fault vcpu=0 rip=0x2000 gpa=0xd0000001 size=2 write data=0xbeef "
                                      "res=[0xd0000000,0xd0001000) result=HANDLED");
    vm_free_reserved_memory(&f->vm, res);
    trace_off(f, &c);
}

static void test_fault_line_for_an_access_outside_reservations(void **state)
{
    struct vm_fixture *f = *state;
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_FAULTS);
    assert_int_equal(sel4kvm_test_set_ip(f->vcpu, 0x3000), 0);
    assert_logs_error(assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, 0xe0000000, 1, NULL), -1));
    assert_one_line(capture_text(&c),
                    "fault vcpu=0 rip=0x3000 gpa=0xe0000000 size=1 read data=0x0 res=none result=UNHANDLED");
    trace_off(f, &c);
}

static void test_fault_line_for_a_handler_error(void **state)
{
    struct vm_fixture *f = *state;
    memory_fault_result_t result = FAULT_ERROR;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEVICE, 0x1000, device_fault, &result);
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_FAULTS);
    assert_int_equal(sel4kvm_test_set_ip(f->vcpu, 0x10), 0);
    assert_logs_error(assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, DEVICE, 1, 7, NULL), -1));
    assert_one_line(capture_text(&c), "fault vcpu=0 rip=0x10 gpa=0xd0000000 size=1 write data=0x7 "
                                      "res=[0xd0000000,0xd0001000) result=ERROR");
    vm_free_reserved_memory(&f->vm, res);
    trace_off(f, &c);
}

static void test_io_line_for_a_handled_in(void **state)
{
    struct vm_fixture *f = *state;
    add_ports(f);
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_IO);
    assert_int_equal(sel4kvm_test_set_ip(f->vcpu, 0x4000), 0);
    unsigned v;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x60, 1, &v), 0);
    assert_one_line(capture_text(&c), "io vcpu=0 rip=0x4000 port=0x60 size=1 in data=0xab result=HANDLED");
    trace_off(f, &c);
}

static void test_io_line_for_a_failed_out(void **state)
{
    struct vm_fixture *f = *state;
    add_ports(f);
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_IO);
    assert_int_equal(sel4kvm_test_set_ip(f->vcpu, 0x4000), 0);
    assert_logs_error(assert_int_equal(sel4kvm_test_io_out(f->vcpu, 0x61, 2, 0x55aa), -1));
    assert_one_line(capture_text(&c), "io vcpu=0 rip=0x4000 port=0x61 size=2 out data=0x55aa result=ERROR");
    trace_off(f, &c);
}

static void test_io_line_for_an_unhandled_in_reads_all_ones(void **state)
{
    struct vm_fixture *f = *state;
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_IO);
    assert_int_equal(sel4kvm_test_set_ip(f->vcpu, 0x4000), 0);
    unsigned v;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x80, 2, &v), 0);
    assert_one_line(capture_text(&c), "io vcpu=0 rip=0x4000 port=0x80 size=2 in data=0xffff result=UNHANDLED");
    trace_off(f, &c);
}

static void test_irq_lines_for_level_and_inject(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(vm_create_default_irq_controller(&f->vm), 0);
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_IRQ);
    assert_int_equal(vm_inject_irq(f->vcpu, 5), 0);
    assert_one_line(capture_text(&c), "irq vcpu=0 line=5 op=inject value=1 result=OK");
    assert_int_equal(sel4kvm_test_irq_raised(&f->vm, 5), 1);
    capture_close(&c);
    trace_on(f, &c, SEL4KVM_TRACE_IRQ);
    assert_int_equal(vm_set_irq_level(f->vcpu, 6, 1), 0);
    assert_one_line(capture_text(&c), "irq vcpu=0 line=6 op=level value=1 result=OK");
    trace_off(f, &c);
}

static void test_irq_line_for_a_failed_change(void **state)
{
    struct vm_fixture *f = *state;
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_IRQ);
    assert_logs_error(assert_int_equal(vm_set_irq_level(f->vcpu, 3, 0), -1));
    assert_one_line(capture_text(&c), "irq vcpu=0 line=3 op=level value=0 result=ERROR");
    trace_off(f, &c);
}

static void test_each_flag_traces_only_its_events(void **state)
{
    struct vm_fixture *f = *state;
    add_ports(f);
    assert_int_equal(vm_create_default_irq_controller(&f->vm), 0);
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_IRQ);
    unsigned v;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x60, 1, &v), 0);
    assert_logs_error(sel4kvm_test_mmio_read(f->vcpu, 0xe0000000, 1, NULL));
    capture_text(&c);
    assert_int_equal(c.len, 0);
    assert_int_equal(sel4kvm_vm_set_trace(&f->vm, SEL4KVM_TRACE_FAULTS | SEL4KVM_TRACE_IO, c.out), 0);
    assert_int_equal(vm_inject_irq(f->vcpu, 5), 0);
    capture_text(&c);
    assert_int_equal(c.len, 0);
    trace_off(f, &c);
}

static void test_off_writes_nothing(void **state)
{
    struct vm_fixture *f = *state;
    add_ports(f);
    memory_fault_result_t result = FAULT_HANDLED;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEVICE, 0x1000, device_fault, &result);
    assert_int_equal(vm_create_default_irq_controller(&f->vm), 0);
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_ALL);
    assert_int_equal(sel4kvm_vm_set_trace(&f->vm, 0, NULL), 0);
    unsigned v;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0x60, 1, &v), 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEVICE, 4, NULL), 0);
    assert_int_equal(vm_inject_irq(f->vcpu, 5), 0);
    capture_text(&c);
    assert_int_equal(c.len, 0);
    vm_free_reserved_memory(&f->vm, res);
    capture_close(&c);
}

/* A handler may turn tracing off: the line of the access it is handling is then dropped, not written to NULL. */
static memory_fault_result_t trace_off_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)addr;
    (void)size;
    (void)cookie;
    sel4kvm_vm_set_trace(vm, 0, NULL);
    set_vcpu_fault_data(vcpu, 7);
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static void test_handler_turning_tracing_off_drops_its_line(void **state)
{
    struct vm_fixture *f = *state;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, DEVICE, 0x1000, trace_off_fault, NULL);
    assert_non_null(res);
    struct capture c;
    trace_on(f, &c, SEL4KVM_TRACE_FAULTS);
    sel4kvm_test_access_t a;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, DEVICE, 4, &a), 0);
    assert_int_equal(a.read_value, 7);
    const char *text = capture_text(&c);
    assert_true(text == NULL || text[0] == '\0');
    vm_free_reserved_memory(&f->vm, res);
    trace_off(f, &c);
}

static void test_set_trace_rejects_bad_input(void **state)
{
    struct vm_fixture *f = *state;
    vm_t blank;
    memset(&blank, 0, sizeof(blank));
    assert_logs_error(assert_int_equal(sel4kvm_vm_set_trace(NULL, SEL4KVM_TRACE_IO, stderr), -1));
    assert_logs_error(assert_int_equal(sel4kvm_vm_set_trace(&blank, SEL4KVM_TRACE_IO, stderr), -1));
    assert_logs_error(assert_int_equal(sel4kvm_vm_set_trace(&f->vm, 0x8, stderr), -1));
    assert_logs_error(assert_int_equal(sel4kvm_vm_set_trace(&f->vm, SEL4KVM_TRACE_IO, NULL), -1));
    assert_int_equal(sel4kvm_vm_set_trace(&f->vm, 0, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST(test_fault_line_for_a_handled_read),
        VM_TEST(test_handler_turning_tracing_off_drops_its_line),
        VM_TEST(test_fault_line_for_a_write_shows_the_written_value),
        VM_TEST(test_fault_line_for_an_access_outside_reservations),
        VM_TEST(test_fault_line_for_a_handler_error),
        VM_TEST(test_io_line_for_a_handled_in),
        VM_TEST(test_io_line_for_a_failed_out),
        VM_TEST(test_io_line_for_an_unhandled_in_reads_all_ones),
        VM_TEST(test_irq_lines_for_level_and_inject),
        VM_TEST(test_irq_line_for_a_failed_change),
        VM_TEST(test_each_flag_traces_only_its_events),
        VM_TEST(test_off_writes_nothing),
        VM_TEST(test_set_trace_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, quiet_group, loud_group);
}
