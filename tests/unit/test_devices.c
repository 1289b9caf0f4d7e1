/* Tiny-guest devices through the test backend: the 16550-style serial port and isa-debug-exit. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sel4kvm/devices.h>
#include <sel4kvm/test_backend.h>
#include "quiet_log.h"
#include "vm_fixture.h"
#include "vm_internal.h"

#define COM1 SEL4KVM_SERIAL_PORT

struct pipe_fixture {
    int rd, wr;
};

static struct pipe_fixture open_pipe(void)
{
    int fds[2];
    assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
    return (struct pipe_fixture){ fds[0], fds[1] };
}

static void close_pipe(struct pipe_fixture p)
{
    close(p.rd);
    close(p.wr);
}

static unsigned io_in(struct vm_fixture *f, unsigned port, size_t size)
{
    unsigned v = 0xdeadbeef;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, port, size, &v), 0);
    return v;
}

static void io_out(struct vm_fixture *f, unsigned port, size_t size, unsigned value)
{
    assert_int_equal(sel4kvm_test_io_out(f->vcpu, port, size, value), 0);
}

static void test_serial_bytes_reach_the_fd(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    const char *msg = "hello\n";
    for (const char *c = msg; *c != '\0'; c++) {
        io_out(f, COM1, 1, (unsigned char)*c);
    }
    char buf[16] = { 0 };
    assert_int_equal(read(p.rd, buf, sizeof(buf)), strlen(msg));
    assert_string_equal(buf, msg);
    close_pipe(p);
}

static void test_serial_rep_outsb_reaches_the_fd(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    char msg[] = "string";
    assert_int_equal(sel4kvm_test_io_string(f->vcpu, COM1, 1, false, 6, msg), 0);
    char buf[16] = { 0 };
    assert_int_equal(read(p.rd, buf, sizeof(buf)), 6);
    assert_string_equal(buf, "string");
    close_pipe(p);
}

static void test_serial_line_status_reports_transmitter_empty(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    assert_int_equal(io_in(f, COM1 + 5, 1), 0x60);
    io_out(f, COM1, 1, 'x');
    assert_int_equal(io_in(f, COM1 + 5, 1), 0x60);
    close_pipe(p);
}

static void test_serial_fixed_registers(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    assert_int_equal(io_in(f, COM1 + 2, 1), 0x01); /* IIR: no interrupt pending */
    assert_int_equal(io_in(f, COM1 + 0, 1), 0);    /* RBR: nothing received */
    assert_int_equal(io_in(f, COM1 + 6, 1), 0xb0); /* MSR: DCD, DSR, CTS */
    io_out(f, COM1 + 5, 1, 0);                     /* LSR is read-only */
    assert_int_equal(io_in(f, COM1 + 5, 1), 0x60);
    close_pipe(p);
}

static void test_serial_registers_read_back(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    io_out(f, COM1 + 7, 1, 0xa5);
    assert_int_equal(io_in(f, COM1 + 7, 1), 0xa5);
    io_out(f, COM1 + 3, 1, 0x03);
    assert_int_equal(io_in(f, COM1 + 3, 1), 0x03);
    io_out(f, COM1 + 1, 1, 0x0f);
    assert_int_equal(io_in(f, COM1 + 1, 1), 0x0f);
    io_out(f, COM1 + 1, 1, 0xff); /* IER has four bits */
    assert_int_equal(io_in(f, COM1 + 1, 1), 0x0f);
    io_out(f, COM1 + 4, 1, 0x0b);
    assert_int_equal(io_in(f, COM1 + 4, 1), 0x0b);
    close_pipe(p);
}

static void test_serial_divisor_latch_is_separate_from_thr_and_ier(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    io_out(f, COM1 + 1, 1, 0x05);
    io_out(f, COM1 + 3, 1, 0x83); /* DLAB on */
    io_out(f, COM1 + 0, 1, 0x01); /* DLL: 115200 baud, not output */
    io_out(f, COM1 + 1, 1, 0x02); /* DLM */
    assert_int_equal(io_in(f, COM1 + 0, 1), 0x01);
    assert_int_equal(io_in(f, COM1 + 1, 1), 0x02);
    io_out(f, COM1 + 3, 1, 0x03); /* DLAB off */
    assert_int_equal(io_in(f, COM1 + 1, 1), 0x05);
    char c;
    assert_int_equal(read(p.rd, &c, 1), -1); /* nothing was transmitted */
    close_pipe(p);
}

static void test_serial_loopback_returns_transmitted_byte(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    io_out(f, COM1 + 4, 1, 0x1f);
    assert_int_equal(io_in(f, COM1 + 6, 1), 0xf0);
    io_out(f, COM1, 1, 0xae);
    assert_int_equal(io_in(f, COM1 + 5, 1), 0x61);
    assert_int_equal(io_in(f, COM1, 1), 0xae);
    assert_int_equal(io_in(f, COM1 + 5, 1), 0x60);
    char c;
    assert_int_equal(read(p.rd, &c, 1), -1);
    close_pipe(p);
}

static void test_serial_wide_access_covers_consecutive_registers(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    io_out(f, COM1 + 7, 1, 0x5a);
    assert_int_equal(io_in(f, COM1 + 4, 4), 0x5ab06000);
    assert_int_equal(io_in(f, COM1 + 5, 4), 0xff5ab060);
    assert_int_equal(io_in(f, COM1 + 6, 4), 0xffff5ab0);
    close_pipe(p);
}

static void test_serial_write_error_drops_output_and_does_not_fail_the_guest(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    close(p.rd);
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    io_out(f, COM1, 1, 'a');
    io_out(f, COM1, 1, 'b');
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR), errors + 1);
    close(p.wr);
}

static void test_serial_add_rejects_bad_input(void **state)
{
    struct vm_fixture *f = *state;
    vm_t zero = { 0 };
    assert_int_equal(sel4kvm_serial_add(NULL, 1), -1);
    assert_int_equal(sel4kvm_serial_add(&zero, 1), -1);
    assert_int_equal(sel4kvm_serial_add(&f->vm, -1), -1);
    assert_int_equal(sel4kvm_serial_add(&f->vm, 1), 0);
    assert_int_equal(sel4kvm_serial_add(&f->vm, 1), -1);
}

static void test_serial_add_fails_when_ports_are_taken(void **state)
{
    struct vm_fixture *f = *state;
    vm_ioport_interface_t iface = { .desc = "other" };
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0x3fc, 0x3fc }, iface), 0);
    assert_int_equal(sel4kvm_serial_add(&f->vm, 1), -1);
}

static void test_debug_exit_records_status_for_each_width(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(sel4kvm_debug_exit_add(&f->vm), 0);
    static const struct {
        size_t size;
        unsigned value;
        int status;
    } cases[] = {
        { 1, 0, 1 },
        { 1, 1, 3 },
        { 1, 0xff, 0x1ff },
        { 1, 0x1ff, 0x1ff },
        { 2, 0xffff, 0x1ffff },
        { 2, 0x10031, 0x63 },
        { 4, 0x12345, 0x2468b },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int status = -7;
        io_out(f, SEL4KVM_DEBUG_EXIT_PORT, cases[i].size, cases[i].value);
        assert_int_equal(sel4kvm_debug_exit_status(&f->vm, &status), 0);
        assert_int_equal(status, cases[i].status);
    }
}

static void test_debug_exit_requests_one_stop(void **state)
{
    struct vm_fixture *f = *state;
    assert_int_equal(sel4kvm_debug_exit_add(&f->vm), 0);
    assert_int_equal(vcpu_start(f->vcpu), 0);
    struct vm_private *priv = vm_private(&f->vm);
    assert_false(atomic_load(&priv->stop_requested));
    io_out(f, SEL4KVM_DEBUG_EXIT_PORT, 1, 0);
    assert_true(atomic_load(&priv->stop_requested));
    assert_int_equal(vm_run(&f->vm), 0);
    assert_false(atomic_load(&priv->stop_requested));
    assert_int_equal(vm_run(&f->vm), 0);
    int status;
    assert_int_equal(sel4kvm_debug_exit_status(&f->vm, &status), 0);
    assert_int_equal(status, 1);
}

static void test_debug_exit_status_absent_before_a_write(void **state)
{
    struct vm_fixture *f = *state;
    int status = 42;
    assert_int_equal(sel4kvm_debug_exit_status(&f->vm, &status), -1);
    assert_int_equal(sel4kvm_debug_exit_add(&f->vm), 0);
    assert_int_equal(sel4kvm_debug_exit_status(&f->vm, &status), -1);
    assert_int_equal(status, 42);
    unsigned v = 0;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, SEL4KVM_DEBUG_EXIT_PORT, 1, &v), 0);
    assert_int_equal(sel4kvm_debug_exit_status(&f->vm, &status), -1);
}

static void test_debug_exit_rejects_bad_input(void **state)
{
    struct vm_fixture *f = *state;
    vm_t zero = { 0 };
    int status;
    assert_int_equal(sel4kvm_debug_exit_add(NULL), -1);
    assert_int_equal(sel4kvm_debug_exit_add(&zero), -1);
    assert_int_equal(sel4kvm_debug_exit_add(&f->vm), 0);
    assert_int_equal(sel4kvm_debug_exit_add(&f->vm), -1);
    io_out(f, SEL4KVM_DEBUG_EXIT_PORT, 1, 3);
    assert_int_equal(sel4kvm_debug_exit_status(NULL, &status), -1);
    assert_int_equal(sel4kvm_debug_exit_status(&zero, &status), -1);
    assert_int_equal(sel4kvm_debug_exit_status(&f->vm, NULL), -1);
}

static void test_devices_coexist_and_are_freed_with_the_vm(void **state)
{
    struct vm_fixture *f = *state;
    struct pipe_fixture p = open_pipe();
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    assert_int_equal(sel4kvm_debug_exit_add(&f->vm), 0);
    io_out(f, COM1, 1, 'z');
    io_out(f, SEL4KVM_DEBUG_EXIT_PORT, 1, 2);
    char c = 0;
    assert_int_equal(read(p.rd, &c, 1), 1);
    assert_int_equal(c, 'z');
    int status;
    assert_int_equal(sel4kvm_debug_exit_status(&f->vm, &status), 0);
    assert_int_equal(status, 5);
    assert_int_equal(sel4kvm_vm_destroy(&f->vm), 0);
    assert_null(vm_private(&f->vm));
    assert_int_equal(vm_init(&f->vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint,
                             "again"),
                     0);
    f->vcpu = vm_create_vcpu(&f->vm, 100);
    assert_non_null(f->vcpu);
    assert_int_equal(sel4kvm_debug_exit_status(&f->vm, &status), -1);
    assert_int_equal(sel4kvm_serial_add(&f->vm, p.wr), 0);
    close_pipe(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST(test_serial_bytes_reach_the_fd),
        VM_TEST(test_serial_rep_outsb_reaches_the_fd),
        VM_TEST(test_serial_line_status_reports_transmitter_empty),
        VM_TEST(test_serial_fixed_registers),
        VM_TEST(test_serial_registers_read_back),
        VM_TEST(test_serial_divisor_latch_is_separate_from_thr_and_ier),
        VM_TEST(test_serial_loopback_returns_transmitted_byte),
        VM_TEST(test_serial_wide_access_covers_consecutive_registers),
        VM_TEST(test_serial_write_error_drops_output_and_does_not_fail_the_guest),
        VM_TEST(test_serial_add_rejects_bad_input),
        VM_TEST(test_serial_add_fails_when_ports_are_taken),
        VM_TEST(test_debug_exit_records_status_for_each_width),
        VM_TEST(test_debug_exit_requests_one_stop),
        VM_TEST(test_debug_exit_status_absent_before_a_write),
        VM_TEST(test_debug_exit_rejects_bad_input),
        VM_TEST(test_devices_coexist_and_are_freed_with_the_vm),
    };
    return cmocka_run_group_tests(tests, quiet_group, loud_group);
}
