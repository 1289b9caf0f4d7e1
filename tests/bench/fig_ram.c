/* RAM figures: registering 1 GiB and 4 GiB of guest RAM (time and resident memory, each in a fresh process)
 * against an anonymous mmap plus one memslot, and copying 64 MiB through vm_ram_touch against memcpy. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/env.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vm.h>
#include "bench.h"

#define GIB (1ul << 30)
#define MIB (1ul << 20)
/* Above the 32-bit hole where KVM keeps its TSS, so 4 GiB fits in one piece. */
#define RAM_GPA (4 * GIB)
/* Enough simulated RAM for 4 GiB of guest frames and the environment's own objects; backed lazily. */
#define SIM_RAM (12 * GIB)
#define REGISTER_ROUNDS 9
#define TOUCH_BYTES (64 * MIB)
/* Where the copied RAM sits in the guest: any registered RAM would do. */
#define TOUCH_GPA MIB
#define TOUCH_ROUNDS 15

/* ---- registration: one measurement per process, so that each starts from the same resident set ------------- */

int child_ram(size_t bytes, uint64_t gpa)
{
    sel4kvm_sim_config_t config = { .ram_size = SIM_RAM };
    sel4kvm_env_t env;
    vm_t vm;
    if (sel4kvm_env_init(&env, &config) != 0) {
        return 1;
    }
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM);
    if (vm_init(&vm, &env.vka, &env.simple, env.vspace, &env.io_ops, env.host_endpoint, "bench-ram") != 0) {
        sel4kvm_env_destroy(&env);
        return 1;
    }
    long rss = bare_rss_kib();
    double start = bare_now();
    size_t slots = 0;
    /* Memslots are brought in line before the guest next runs; asking for their number does it now. */
    int err = vm_ram_register_at(&vm, gpa, bytes, false) != 0 || sel4kvm_vm_memslots(&vm, &slots) != 0;
    double seconds = bare_now() - start;
    long grown = bare_rss_kib() - rss;
    sel4kvm_vm_destroy(&vm);
    sel4kvm_env_destroy(&env);
    if (err) {
        return 1;
    }
    printf("%.9f %ld %zu\n", seconds, grown, slots);
    return 0;
}

struct ram_probe {
    bool library;
    size_t bytes;
    long rss_kib; /* of the last run */
};

static double ram_probe_run(void *cookie)
{
    struct ram_probe *p = cookie;
    char bytes[24], gpa[24], out[256];
    snprintf(bytes, sizeof(bytes), "%zu", p->bytes);
    snprintf(gpa, sizeof(gpa), "%lu", RAM_GPA);
    char *lib_argv[] = { BENCH_SUITE, "--child", "ram", bytes, gpa, NULL };
    char *bare_argv[] = { BENCH_BARE, "ram", bytes, gpa, NULL };
    double seconds;
    if (run_capture(p->library ? lib_argv : bare_argv, out, sizeof(out)) != 0 ||
        sscanf(out, "%lf %ld", &seconds, &p->rss_kib) != 2) {
        fprintf(stderr, "bench: RAM registration run (%s, %zu bytes) failed\n", p->library ? "library" : "bare",
                p->bytes);
        return -1;
    }
    return seconds;
}

/* Median time ratio and the library's largest resident growth (KiB) for one size; -1 on failure. */
static double register_size(size_t bytes, double *lib_s, double *bare_s, long *lib_rss, long *bare_rss)
{
    struct ram_probe lib = { .library = true, .bytes = bytes }, bare = { .bytes = bytes };
    double tl[REGISTER_ROUNDS], tb[REGISTER_ROUNDS];
    *lib_rss = *bare_rss = 0;
    for (int i = 0; i < REGISTER_ROUNDS; i++) {
        /* One round at a time, to keep the largest resident growth of each side. */
        if (bench_alternate(1, ram_probe_run, &lib, &tl[i], ram_probe_run, &bare, &tb[i]) != 0) {
            return -1;
        }
        *lib_rss = lib.rss_kib > *lib_rss ? lib.rss_kib : *lib_rss;
        *bare_rss = bare.rss_kib > *bare_rss ? bare.rss_kib : *bare_rss;
    }
    double ratio = median_ratio(tl, tb, REGISTER_ROUNDS);
    *lib_s = median(tl, REGISTER_ROUNDS);
    *bare_s = median(tb, REGISTER_ROUNDS);
    return ratio;
}

void fig_ram_register(struct bench_row *time_1g, struct bench_row *time_4g, struct bench_row *rss_4g)
{
    struct bench_row *rows[2] = { time_1g, time_4g };
    size_t sizes[2] = { GIB, 4 * GIB };
    for (int i = 0; i < 2; i++) {
        double lib_s, bare_s;
        long lib_rss, bare_rss;
        double ratio = register_size(sizes[i], &lib_s, &bare_s, &lib_rss, &bare_rss);
        if (ratio < 0) {
            row_skip(rows[i], "a registration run failed");
            if (i == 1) {
                row_skip(rss_4g, "a registration run failed");
            }
            continue;
        }
        char library[64], reference[64];
        snprintf(library, sizeof(library), "%.2f ms, +%.1f MiB", lib_s * 1e3, lib_rss / 1024.0);
        snprintf(reference, sizeof(reference), "%.3f ms, +%.1f MiB", bare_s * 1e3, bare_rss / 1024.0);
        row_result(rows[i], ratio, library, reference);
        row_detail(rows[i], "library_ms", lib_s * 1e3);
        row_detail(rows[i], "bare_ms", bare_s * 1e3);
        row_detail(rows[i], "library_rss_kib", (double)lib_rss);
        row_detail(rows[i], "bare_rss_kib", (double)bare_rss);
        row_detail(rows[i], "rounds", REGISTER_ROUNDS);
        if (i == 1) {
            snprintf(library, sizeof(library), "+%.1f MiB resident", lib_rss / 1024.0);
            snprintf(reference, sizeof(reference), "+%.1f MiB resident", bare_rss / 1024.0);
            row_result(rss_4g, lib_rss / 1024.0, library, reference);
            row_detail(rss_4g, "library_rss_kib", (double)lib_rss);
            row_detail(rss_4g, "bare_rss_kib", (double)bare_rss);
        }
    }
}

/* ---- vm_ram_touch against memcpy ------------------------------------------------------------------------------- */

struct touch {
    vm_t *vm;
    uint8_t *src, *dst;
    bool write;
};

static double touch_run(void *cookie)
{
    struct touch *t = cookie;
    double start = bare_now();
    int err = vm_ram_touch(t->vm, TOUCH_GPA, TOUCH_BYTES,
                           t->write ? vm_guest_ram_write_callback : vm_guest_ram_read_callback,
                           t->write ? t->src : t->dst);
    return err == 0 ? bare_now() - start : -1;
}

static double memcpy_run(void *cookie)
{
    struct touch *t = cookie;
    double start = bare_now();
    memcpy(t->dst, t->src, TOUCH_BYTES);
    /* Keeps the copy from being optimised away. */
    __asm__ volatile("" : : "r"(t->dst) : "memory");
    return bare_now() - start;
}

void fig_ram_touch(struct bench_row *row)
{
    sel4kvm_env_t env;
    vm_t vm;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        row_skip(row, "set-up failed");
        return;
    }
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_TEST);
    bool vm_ready = vm_init(&vm, &env.vka, &env.simple, env.vspace, &env.io_ops, env.host_endpoint, "bench") == 0;
    struct touch t = { .vm = &vm, .src = malloc(TOUCH_BYTES), .dst = malloc(TOUCH_BYTES) };
    double tw[TOUCH_ROUNDS], tr[TOUCH_ROUNDS], tc[TOUCH_ROUNDS];
    int err = -1;
    if (vm_ready && t.src != NULL && t.dst != NULL && vm_ram_register_at(&vm, TOUCH_GPA, TOUCH_BYTES, false) == 0) {
        memset(t.src, 0x5a, TOUCH_BYTES);
        memset(t.dst, 0xa5, TOUCH_BYTES);
        /* Every page of both sides is resident before the first timed copy. */
        struct touch w = t, r = t;
        w.write = true;
        err = touch_run(&w) < 0 || touch_run(&r) < 0 ? -1 : 0;
        for (int i = 0; i < TOUCH_ROUNDS && err == 0; i++) {
            err = bench_alternate(1, touch_run, &w, &tw[i], memcpy_run, &t, &tc[i]);
            err = err == 0 && (tr[i] = touch_run(&r)) < 0 ? -1 : err;
        }
        err = err == 0 && memcmp(t.src, t.dst, TOUCH_BYTES) != 0 ? -1 : err;
    }
    free(t.src);
    free(t.dst);
    if (vm_ready) {
        sel4kvm_vm_destroy(&vm);
    }
    sel4kvm_env_destroy(&env);
    if (err != 0) {
        row_skip(row, "set-up or a copy failed");
        return;
    }
    double write_x = median_ratio(tc, tw, TOUCH_ROUNDS);
    double read_x = median_ratio(tc, tr, TOUCH_ROUNDS);
    double mib = (double)TOUCH_BYTES / MIB;
    double write_bw = mib / median(tw, TOUCH_ROUNDS), read_bw = mib / median(tr, TOUCH_ROUNDS);
    double copy_bw = mib / median(tc, TOUCH_ROUNDS);
    char library[64], reference[64];
    snprintf(library, sizeof(library), "wr %.0f, rd %.0f MiB/s", write_bw, read_bw);
    snprintf(reference, sizeof(reference), "%.0f MiB/s", copy_bw);
    row_result(row, write_x < read_x ? write_x : read_x, library, reference);
    row_detail(row, "write_ratio", write_x);
    row_detail(row, "read_ratio", read_x);
    row_detail(row, "write_mib_s", write_bw);
    row_detail(row, "read_mib_s", read_bw);
    row_detail(row, "memcpy_mib_s", copy_bw);
    row_detail(row, "bytes", TOUCH_BYTES);
}
