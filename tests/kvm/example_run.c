/* Running an example VMM as a subprocess for the KVM tests (example_run.h). */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sel4kvm/vm.h>
#include "example_run.h"

/* Generous: the examples take tens of milliseconds; a hang must fail the test, not the CI job. */
#define TIMEOUT_S 60

int run_example(char *output, const char *name, const char *arg, const char *arg2)
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
    for (ssize_t n;
         len < EXAMPLE_OUTPUT_MAX - 1 && (n = read(pipefd[0], output + len, EXAMPLE_OUTPUT_MAX - 1 - len)) > 0;) {
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
