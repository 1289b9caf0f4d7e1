/* Start-up figure: from process start to the hello guest's first output and to its exit, examples/hello against
 * the same guest under a bare KVM program, each a fresh process started by fork and exec. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

#define ROUNDS 31
/* The guest's last line; it writes to the debug-exit port right after it. */
#define GUEST_LAST_LINE "counter: 30\n"

struct start_times {
    double first_output; /* the guest's first serial byte reached the pipe */
    double guest_exit;   /* its last line had */
    double process_exit; /* the VMM process was reaped */
};

/* Starts argv with stdout on a pipe and times it from just before fork; 0 if it printed the whole guest text and
 * exited with status 0. */
static int time_start(char *const argv[], struct start_times *t, char *out, size_t out_size)
{
    double start = bare_now();
    int fd;
    pid_t pid = spawn_piped(argv, &fd);
    if (pid < 0) {
        return -1;
    }
    size_t got = 0;
    *t = (struct start_times){ -1, -1, -1 };
    for (;;) {
        ssize_t n = read(fd, out + got, out_size - 1 - got);
        if (n <= 0) {
            break;
        }
        double at = bare_now() - start;
        got += (size_t)n;
        out[got] = '\0';
        if (t->first_output < 0) {
            t->first_output = at;
        }
        if (t->guest_exit < 0 && strstr(out, GUEST_LAST_LINE) != NULL) {
            t->guest_exit = at;
        }
        if (got + 1 == out_size) {
            break;
        }
    }
    out[got] = '\0';
    close(fd);
    int status = reap(pid);
    t->process_exit = bare_now() - start;
    if (status != 0 || t->guest_exit < 0) {
        fprintf(stderr, "bench: %s did not run the hello guest to its exit\n", argv[0]);
        return -1;
    }
    return 0;
}

static void fill(struct bench_row *row, double lib_s, double bare_s, double ratio)
{
    char library[64], reference[64];
    snprintf(library, sizeof(library), "%.2f ms", lib_s * 1e3);
    snprintf(reference, sizeof(reference), "%.2f ms", bare_s * 1e3);
    row_result(row, ratio, library, reference);
    row_detail(row, "library_ms", lib_s * 1e3);
    row_detail(row, "bare_ms", bare_s * 1e3);
    row_detail(row, "rounds", ROUNDS);
}

void fig_hello_start(struct bench_row *first_output, struct bench_row *guest_exit)
{
    char *lib_argv[] = { BENCH_HELLO, NULL };
    char *bare_argv[] = { BENCH_BARE, "hello", BENCH_HELLO_GUEST, NULL };
    double lf[ROUNDS], lg[ROUNDS], le[ROUNDS], bf[ROUNDS], bg[ROUNDS], be[ROUNDS];
    char lib_out[512], bare_out[512];
    for (int i = 0; i < ROUNDS; i++) {
        struct start_times l, b;
        /* Alternate which goes first, as bench_alternate does. */
        int err = i % 2 == 0 ? time_start(lib_argv, &l, lib_out, sizeof(lib_out)) ||
                                   time_start(bare_argv, &b, bare_out, sizeof(bare_out))
                             : time_start(bare_argv, &b, bare_out, sizeof(bare_out)) ||
                                   time_start(lib_argv, &l, lib_out, sizeof(lib_out));
        if (err != 0 || strcmp(lib_out, bare_out) != 0) {
            if (err == 0) {
                fprintf(stderr, "bench: hello and the bare hello printed different things:\n%s---\n%s", lib_out,
                        bare_out);
            }
            row_skip(first_output, "a run failed");
            row_skip(guest_exit, "a run failed");
            return;
        }
        lf[i] = l.first_output;
        lg[i] = l.guest_exit;
        le[i] = l.process_exit;
        bf[i] = b.first_output;
        bg[i] = b.guest_exit;
        be[i] = b.process_exit;
    }
    double first_ratio = median_ratio(lf, bf, ROUNDS), exit_ratio = median_ratio(lg, bg, ROUNDS);
    double process_ratio = median_ratio(le, be, ROUNDS);
    fill(first_output, median(lf, ROUNDS), median(bf, ROUNDS), first_ratio);
    fill(guest_exit, median(lg, ROUNDS), median(bg, ROUNDS), exit_ratio);
    row_detail(guest_exit, "process_exit_ratio", process_ratio);
    row_detail(guest_exit, "library_process_exit_ms", median(le, ROUNDS) * 1e3);
    row_detail(guest_exit, "bare_process_exit_ms", median(be, ROUNDS) * 1e3);
}
