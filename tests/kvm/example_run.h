/* KVM tests that run the example VMMs as a user would: as subprocesses, with their output captured. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

/* Room for an example's whole output (stdout and stderr together). */
#define EXAMPLE_OUTPUT_MAX 8192

/* Runs build/examples/<name> with up to two arguments (NULL for none) and a time limit, its stdout and stderr
 * captured in output (EXAMPLE_OUTPUT_MAX bytes, NUL-terminated); returns its exit status, or -1 if it did not
 * exit. The output is printed when the status is not 0. */
int run_example(char *output, const char *name, const char *arg, const char *arg2);

/* skip_without_kvm() is in kvm_fixture.h. */
