/* KVM integration: the single-guest examples (hello, mmio-device, lazy-ram) run as a user runs them. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "kvm_fixture.h"
#include "example_run.h"

static void test_hello_greets_and_counts(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    assert_int_equal(run_example(out, "hello", NULL, NULL), 0);
    assert_non_null(strstr(out, "hello from a KVM guest\n"));
    assert_non_null(strstr(out, "counter: 10\ncounter: 20\ncounter: 30\n"));
    assert_non_null(strstr(out, "hello: guest exited with 0\n"));
}

static void test_mmio_device_guest_sees_the_timer_match_and_stop(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    assert_int_equal(run_example(out, "mmio-device", NULL, NULL), 0);
    assert_non_null(strstr(out, "timer: compare matched after "));
    assert_non_null(strstr(out, "timer: stopped at "));
    /* The guest cleared the match and left the timer stopped. */
    assert_non_null(strstr(out, ", status 0\n"));
    assert_non_null(strstr(out, "mmio-device: guest exited with 0\n"));
}

static void test_lazy_ram_maps_only_the_touched_pages(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    assert_int_equal(run_example(out, "lazy-ram", NULL, NULL), 0);
    assert_non_null(strstr(out, "lazy-ram guest: wrote and read back 32 pages\n"));
    assert_non_null(strstr(out, "lazy-ram: 32 of 64 pages were mapped on first touch\n"));
    assert_non_null(strstr(out, "lazy-ram: guest exited with 0\n"));
}

static void test_examples_fail_cleanly_without_their_guest(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    assert_int_equal(run_example(out, "mmio-device", "/nonexistent/guest.elf", NULL), 1);
    assert_non_null(strstr(out, "mmio-device: guest exited with -1\n"));
    assert_int_equal(run_example(out, "lazy-ram", "/nonexistent/guest.elf", NULL), 1);
    assert_non_null(strstr(out, "lazy-ram: guest exited with -1\n"));
}

static void test_examples_fail_when_given_another_examples_guest(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    /* lazy-ram has no device where the hello guest's counter is: the VMM reports the stray access and fails. */
    assert_int_equal(run_example(out, "lazy-ram", EXAMPLE_DIR "/hello-guest.elf", NULL), 1);
    assert_non_null(strstr(out, "unhandled guest memory access: write of 4 bytes at 0xd0000004"));
    assert_non_null(strstr(out, "lazy-ram: guest exited with -1\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_greets_and_counts),
        cmocka_unit_test(test_mmio_device_guest_sees_the_timer_match_and_stop),
        cmocka_unit_test(test_lazy_ram_maps_only_the_touched_pages),
        cmocka_unit_test(test_examples_fail_cleanly_without_their_guest),
        cmocka_unit_test(test_examples_fail_when_given_another_examples_guest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
