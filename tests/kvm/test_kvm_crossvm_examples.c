/* KVM integration: the cross-VM examples run as a user runs them — peer thread, peer process, peer VMM. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "kvm_fixture.h"
#include "example_run.h"

#define REVERSED "!sMV ssorca ,tseug a morf olleH"

static size_t occurrences(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
        n++;
    }
    return n;
}

static void test_crossvm_reverse_with_a_peer_thread(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    assert_int_equal(run_example(out, "crossvm-reverse", NULL, NULL), 0);
    assert_non_null(strstr(out, "peer: reversed 31 bytes"));
    assert_non_null(strstr(out, "got \"" REVERSED "\" after 1 event(s)"));
    assert_non_null(strstr(out, "guest exited with 0"));
}

static void test_crossvm_two_process_with_a_peer_process(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    assert_int_equal(run_example(out, "crossvm-two-process", "process", NULL), 0);
    assert_non_null(strstr(out, "reversed 31 bytes of \"Hello from a guest, across VMs!\""));
    assert_non_null(strstr(out, "got \"" REVERSED "\""));
    assert_non_null(strstr(out, "(peer: process): VMM ok, peer ok"));
    assert_null(strstr(out, "(peer: vmm)"));
}

static void test_crossvm_two_process_with_a_peer_vmm_and_its_guest(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    assert_int_equal(run_example(out, "crossvm-two-process", "vmm", NULL), 0);
    /* Both guests printed: the reversing one in the second VMM, the checking one in the first. */
    assert_non_null(strstr(out, "reverser guest: reversed 31 bytes"));
    assert_non_null(strstr(out, "got \"" REVERSED "\""));
    assert_non_null(strstr(out, "(peer: vmm): VMM ok, peer ok"));
}

static void test_crossvm_two_process_runs_both_variants_by_default(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    assert_int_equal(run_example(out, "crossvm-two-process", NULL, NULL), 0);
    assert_int_equal(occurrences(out, "got \"" REVERSED "\""), 2);
    assert_int_equal(occurrences(out, "VMM ok, peer ok"), 2);
}

static void test_crossvm_two_process_fails_cleanly_when_its_vmm_cannot_start(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[EXAMPLE_OUTPUT_MAX];
    /* A guest image that does not exist: the first VMM fails, its socket closes, the peer gives up. Neither
     * side may hang. */
    assert_int_equal(run_example(out, "crossvm-two-process", "vmm", "/nonexistent/guest.elf"), 1);
    assert_non_null(strstr(out, "VMM failed, peer failed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crossvm_reverse_with_a_peer_thread),
        cmocka_unit_test(test_crossvm_two_process_with_a_peer_process),
        cmocka_unit_test(test_crossvm_two_process_with_a_peer_vmm_and_its_guest),
        cmocka_unit_test(test_crossvm_two_process_runs_both_variants_by_default),
        cmocka_unit_test(test_crossvm_two_process_fails_cleanly_when_its_vmm_cannot_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
