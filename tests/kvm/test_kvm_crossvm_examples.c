/* KVM integration: the cross-VM examples run as a user runs them — peer thread, peer process, peer VMM. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sel4kvm/vm.h>

#define REVERSED "!sMV ssorca ,tseug a morf olleH"
#define OUTPUT_MAX 8192
/* Generous: the examples take tens of milliseconds; a hang must fail the test, not the CI job. */
#define TIMEOUT_S 60

static void skip_without_kvm(void)
{
    char reason[160];
    if (!sel4kvm_kvm_available(reason, sizeof(reason))) {
        print_message("skipped: KVM is not usable here: %s\n", reason);
        skip();
    }
}

/* Runs an example with up to two arguments (NULL for none), its stdout and stderr captured; returns its exit
 * status (-1 if it did not exit). */
static int run_example(char *output, const char *name, const char *arg, const char *arg2)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", EXAMPLE_DIR, name);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]);
        alarm(TIMEOUT_S);
        execl(path, path, arg, arg2, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    size_t len = 0;
    for (ssize_t n; len < OUTPUT_MAX - 1 && (n = read(pipefd[0], output + len, OUTPUT_MAX - 1 - len)) > 0;) {
        len += (size_t)n;
    }
    output[len] = '\0';
    close(pipefd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status)) {
        print_message("%s %s did not exit (signal %d); output:\n%s\n", name, arg != NULL ? arg : "",
                      WIFSIGNALED(status) ? WTERMSIG(status) : 0, output);
        return -1;
    }
    if (WEXITSTATUS(status) != 0) {
        print_message("%s %s exited with %d; output:\n%s\n", name, arg != NULL ? arg : "", WEXITSTATUS(status), output);
    }
    return WEXITSTATUS(status);
}

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
    char out[OUTPUT_MAX];
    assert_int_equal(run_example(out, "crossvm-reverse", NULL, NULL), 0);
    assert_non_null(strstr(out, "peer: reversed 31 bytes"));
    assert_non_null(strstr(out, "got \"" REVERSED "\" after 1 event(s)"));
    assert_non_null(strstr(out, "guest exited with 0"));
}

static void test_crossvm_two_process_with_a_peer_process(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[OUTPUT_MAX];
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
    char out[OUTPUT_MAX];
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
    char out[OUTPUT_MAX];
    assert_int_equal(run_example(out, "crossvm-two-process", NULL, NULL), 0);
    assert_int_equal(occurrences(out, "got \"" REVERSED "\""), 2);
    assert_int_equal(occurrences(out, "VMM ok, peer ok"), 2);
}

static void test_crossvm_two_process_fails_cleanly_when_its_vmm_cannot_start(void **state)
{
    (void)state;
    skip_without_kvm();
    char out[OUTPUT_MAX];
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
