/* Real guests' port I/O: IN/OUT of each width, rep outsb/insb, the serial port, debug exit, triple fault, Multiboot. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/ioports.h>
#include "kvm_fixture.h"

struct port_log {
    unsigned in_count;
    unsigned reported[3];
    unsigned report_sizes[3];
    unsigned reports;
    char string[32];
    size_t string_len;
    unsigned string_ins;
};

static ioport_fault_result_t report_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                        unsigned int value)
{
    (void)vcpu;
    (void)port_no;
    struct port_log *log = cookie;
    if (log->reports < ARRAY_SIZE(log->reported)) {
        log->reported[log->reports] = value;
        log->report_sizes[log->reports] = size;
    }
    log->reports++;
    return IO_FAULT_HANDLED;
}

static ioport_fault_result_t string_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                        unsigned int value)
{
    (void)vcpu;
    (void)port_no;
    (void)size;
    struct port_log *log = cookie;
    if (log->string_len + 1 < sizeof(log->string)) {
        log->string[log->string_len++] = (char)value;
    }
    return IO_FAULT_HANDLED;
}

static ioport_fault_result_t string_in(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                       unsigned int *result)
{
    (void)vcpu;
    (void)port_no;
    (void)size;
    struct port_log *log = cookie;
    *result = 0xa0 + log->string_ins++;
    return IO_FAULT_HANDLED;
}

static void test_port_io_of_each_width_and_string_forms(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    static struct port_log log;
    memset(&log, 0, sizeof(log));
    vm_ioport_interface_t report = { .cookie = &log, .port_out = report_out, .desc = "report" };
    vm_ioport_interface_t string = { .cookie = &log, .port_in = string_in, .port_out = string_out, .desc = "str" };
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ GUEST_REPORT_PORT, GUEST_REPORT_PORT + 3 },
                                            report),
                     0);
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ GUEST_STRING_PORT, GUEST_STRING_PORT },
                                            string),
                     0);
    kvm_load_guest(f, "ports_32");
    kvm_clear_results(f, 1);
    assert_int_equal(kvm_run(f), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    /* The fixture's SYNC port reads 0: the guest sends back 1 at each width. */
    assert_int_equal(log.reports, 3);
    const unsigned sizes[] = { 4, 2, 1 };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(log.reported[i], 1);
        assert_int_equal(log.report_sizes[i], sizes[i]);
    }
    assert_string_equal(log.string, "rep outsb!");
    assert_int_equal(log.string_ins, 4);
    assert_int_equal(kvm_result(f, 0), 0xa3a2a1a0);
}

static void check_hello(struct kvm_fixture *f, const char *guest)
{
    kvm_load_guest(f, guest);
    assert_int_equal(vm_set_thread_context_reg(f->vcpu, VCPU_CONTEXT_EAX, 0x2a), 0);
    assert_int_equal(kvm_run(f), 0);
    char out[64];
    kvm_serial_output(f, out, sizeof(out));
    assert_string_equal(out, "hello\n");
    assert_int_equal(kvm_exit_status(f), (0x2a << 1) | 1);
}

static void test_serial_prints_hello_from_protected_mode(void **state)
{
    check_hello(kvm_fixture(state), "hello_32");
}

static void test_serial_prints_hello_from_long_mode(void **state)
{
    check_hello(kvm_fixture(state), "hello_64");
}

static void test_debug_exit_reports_status_for_each_value(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    kvm_load_guest(f, "hello_32");
    assert_int_equal(kvm_run(f), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    /* Each run from the start with another EAX: the guest's 4-byte OUT carries all of it. */
    const unsigned values[] = { 0xff, 0x1234, 0x3fffffff };
    for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
        kvm_load_guest(f, "hello_32");
        assert_int_equal(vm_set_thread_context_reg(f->vcpu, VCPU_CONTEXT_EAX, values[i]), 0);
        assert_int_equal(kvm_run(f), 0);
        assert_int_equal(kvm_exit_status(f), (int)((values[i] << 1) | 1));
    }
}

static void test_triple_fault_ends_vm_run_with_an_error(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    kvm_load_guest(f, "triple_fault_32");
    kvm_capture_log();
    assert_int_equal(kvm_run(f), -1);
    assert_false(kvm_guest_exited(f));
    assert_true(kvm_log_contains("triple"));
}

static void test_multiboot_kernel_sees_its_command_line(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    kvm_load_multiboot(f, "multiboot_32", "console=ttyS0 answer=42");
    assert_int_equal(kvm_run(f), 0);
    char out[256];
    kvm_serial_output(f, out, sizeof(out));
    assert_non_null(strstr(out, "cmdline: console=ttyS0 answer=42\n"));
    /* mem_upper: the KiB contiguous from 1 MiB, which is the fixture's high RAM. */
    assert_non_null(strstr(out, "mem_upper: 0xc00\n"));
    assert_int_equal(kvm_exit_status(f), 1);
}

static void test_multiboot_kernel_with_empty_command_line(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    kvm_load_multiboot(f, "multiboot_32", NULL);
    assert_int_equal(kvm_run(f), 0);
    char out[256];
    kvm_serial_output(f, out, sizeof(out));
    assert_non_null(strstr(out, "cmdline: \n"));
    assert_int_equal(kvm_exit_status(f), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        KVM_TEST(test_port_io_of_each_width_and_string_forms),
        KVM_TEST(test_serial_prints_hello_from_protected_mode),
        KVM_TEST(test_serial_prints_hello_from_long_mode),
        KVM_TEST(test_debug_exit_reports_status_for_each_value),
        KVM_TEST(test_triple_fault_ends_vm_run_with_an_error),
        KVM_TEST(test_multiboot_kernel_sees_its_command_line),
        KVM_TEST(test_multiboot_kernel_with_empty_command_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
