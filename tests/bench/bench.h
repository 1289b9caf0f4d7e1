/* The benchmark suite's shared pieces: result rows, statistics over alternating rounds, child processes. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sel4vm/guest_memory.h>
#include "../../kvm_backend/bare/bare.h"

/* Where this build put the programs the suite runs (the Makefile defines BENCH_BUILD_DIR). */
#define BENCH_SUITE BENCH_BUILD_DIR "/tests/bench/bench_suite"
#define BENCH_BARE BENCH_BUILD_DIR "/tests/bench/bare"
#define BENCH_HELLO BENCH_BUILD_DIR "/examples/hello"
#define BENCH_HELLO_GUEST BENCH_BUILD_DIR "/examples/hello-guest.elf"

enum bench_goal {
    GOAL_AT_MOST,
    GOAL_AT_LEAST,
};

/* One row of the table and of build/bench.json. The first block is fixed; a figure fills the rest. */
struct bench_row {
    const char *id;
    const char *figure;
    const char *baseline;
    const char *unit; /* of value: "x" for a ratio */
    enum bench_goal goal_kind;
    double goal;
    /* Filled by the figure: value is compared with the goal; the texts are what the table shows. */
    bool measured;
    double value;
    char library[64];   /* the library's own measurement */
    char reference[64]; /* the baseline's, from the same run */
    char status[96];    /* set when not measured: why */
    char details[1024]; /* JSON members ("name": number, ...) for bench.json */
};

/* Sets the row's value and its two measurement texts (printf formats). */
void row_result(struct bench_row *row, double value, const char *library, const char *reference);
/* Marks the row as not measured, with the reason shown in the table. */
void row_skip(struct bench_row *row, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a number to the row's details in bench.json. */
void row_detail(struct bench_row *row, const char *name, double value);
/* The row's verdict: "met", "MISSED", or its status when not measured. */
const char *row_verdict(const struct bench_row *row);

/* The median of n values (n > 0); the array is reordered. */
double median(double *v, size_t n);

/* A measurement for bench_alternate: seconds, or negative on failure. */
typedef double (*bench_fn)(void *cookie);

/* Runs a and b `rounds` times each, in the order a b, b a, a b, ... so that drift on a shared machine and any
 * first-or-second effect fall on both. Times go to ta[i] and tb[i]; -1 if any run failed. */
int bench_alternate(int rounds, bench_fn a, void *ca, double *ta, bench_fn b, void *cb, double *tb);

/* The median over rounds of ta[i] / tb[i]: each pair ran back to back, so their ratio cancels slow drift. */
double median_ratio(const double *ta, const double *tb, int rounds);

/* Starts argv (argv[0] a path) with its stdout on a pipe whose read end goes to *out_fd; stderr is inherited.
 * Returns the child's pid, or -1. */
pid_t spawn_piped(char *const argv[], int *out_fd);
/* Waits for pid; its exit status, or -1 if it was killed. */
int reap(pid_t pid);

/* Runs argv (argv[0] a path) with stdout into out (NUL-terminated, truncated to out_size); stderr is inherited.
 * Returns the exit status, or -1 if it could not run or was killed. */
int run_capture(char *const argv[], char *out, size_t out_size);

/* What the benchmarks' devices answer to every read. */
#define BENCH_READ_VALUE 0x1234
/* A device's fault callback: answers every access with BENCH_READ_VALUE (advanced, HANDLED) and counts it in the
 * uint64_t at cookie. */
memory_fault_result_t bench_device_read(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie);

/* True if KVM can run guests here; reason (reason_size bytes) says why not. */
bool bench_kvm_usable(char *reason, size_t reason_size);

/* The figures (fig_*.c). Each fills its rows, measuring against its baseline in the same run. */
void fig_mmio_round_trip(struct bench_row *row);
void fig_mmio_instructions(struct bench_row *row);
void fig_dispatch_scaling(struct bench_row *row);
void fig_ram_register(struct bench_row *time_1g, struct bench_row *time_4g, struct bench_row *rss_4g);
void fig_ram_touch(struct bench_row *row);
void fig_hello_start(struct bench_row *first_output, struct bench_row *guest_exit);
void fig_sim_frame_cycles(struct bench_row *row);
void fig_crossvm_round_trip(struct bench_row *thread_peer, struct bench_row *process_peer);

/* Child modes of bench_suite, run in a process of their own (fig_mmio.c, fig_ram.c). */
int child_mmio(uint32_t loops);
int child_ram(size_t bytes, uint64_t gpa);
