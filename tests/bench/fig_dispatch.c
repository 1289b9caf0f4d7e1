/* Fault dispatch against the number of reservations: ns per injected MMIO read (test backend) with 1, 100,
 * 10,000 and 100,000 reservations, for a guest that keeps to a few devices and for one that roams over all. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <sel4kvm/env.h>
#include <sel4kvm/test_backend.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vm.h>
#include "bench.h"

#define SIZES 4
#define FAULTS 100000
#define ROUNDS 9
#define HOT_DEVICES 16
#define ROAM_STEPS 4096
/* Reservations are a page each with a page between them, from 4 GiB up. */
#define RES_BASE 0x100000000ul
#define RES_STRIDE 0x2000ul

static const size_t sizes[SIZES] = { 1, 100, 10000, 100000 };

enum pattern {
    HOT,  /* HOT_DEVICES reservations spread over the range, in turn: a guest driving a few devices */
    ROAM, /* a fixed pseudo-random walk over all of them: every fault misses the last-hit cache */
    PATTERNS,
};

struct dispatch_vm {
    vm_t vm;
    bool ready;
    vm_vcpu_t *vcpu;
    size_t n;
    uintptr_t addrs[PATTERNS][ROAM_STEPS];
    size_t steps[PATTERNS];
    enum pattern pattern;
    uint64_t callbacks;
};

static int dispatch_vm_init(struct dispatch_vm *d, sel4kvm_env_t *env, size_t n)
{
    d->n = n;
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_TEST);
    d->ready = vm_init(&d->vm, &env->vka, &env->simple, env->vspace, &env->io_ops, env->host_endpoint, "bench") == 0;
    if (!d->ready || (d->vcpu = vm_create_vcpu(&d->vm, 100)) == NULL) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (vm_reserve_memory_at(&d->vm, RES_BASE + i * RES_STRIDE, 0x1000, bench_device_read, &d->callbacks) == NULL) {
            return -1;
        }
    }
    size_t hot = n < HOT_DEVICES ? n : HOT_DEVICES;
    for (size_t j = 0; j < hot; j++) {
        d->addrs[HOT][j] = RES_BASE + j * (n / hot) * RES_STRIDE;
    }
    d->steps[HOT] = hot;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t j = 0; j < ROAM_STEPS; j++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        d->addrs[ROAM][j] = RES_BASE + (x % n) * RES_STRIDE;
    }
    d->steps[ROAM] = ROAM_STEPS;
    return 0;
}

/* FAULTS reads in the VM's current pattern; seconds. */
static double dispatch_run(void *cookie)
{
    struct dispatch_vm *d = cookie;
    const uintptr_t *addrs = d->addrs[d->pattern];
    size_t steps = d->steps[d->pattern];
    d->callbacks = 0;
    double start = bare_now();
    for (size_t i = 0, j = 0; i < FAULTS; i++) {
        if (sel4kvm_test_mmio_read(d->vcpu, addrs[j], 4, NULL) != 0) {
            return -1;
        }
        j = j + 1 == steps ? 0 : j + 1;
    }
    double elapsed = bare_now() - start;
    return d->callbacks == FAULTS ? elapsed : -1;
}

void fig_dispatch_scaling(struct bench_row *row)
{
    static struct dispatch_vm vms[SIZES];
    sel4kvm_env_t env;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        row_skip(row, "set-up failed");
        return;
    }
    int err = 0;
    for (int s = 0; s < SIZES && err == 0; s++) {
        vms[s] = (struct dispatch_vm){ 0 };
        err = dispatch_vm_init(&vms[s], &env, sizes[s]);
    }
    /* Each round measures every size in both patterns, starting from a different size each time. */
    static double t[PATTERNS][SIZES][ROUNDS];
    for (int r = 0; r < ROUNDS && err == 0; r++) {
        for (int k = 0; k < SIZES && err == 0; k++) {
            int s = (r + k) % SIZES;
            for (int p = 0; p < PATTERNS && err == 0; p++) {
                vms[s].pattern = (enum pattern)p;
                t[p][s][r] = dispatch_run(&vms[s]);
                err = t[p][s][r] < 0 ? -1 : 0;
            }
        }
    }
    for (int s = 0; s < SIZES; s++) {
        if (vms[s].ready) {
            sel4kvm_vm_destroy(&vms[s].vm);
        }
    }
    sel4kvm_env_destroy(&env);
    if (err != 0) {
        row_skip(row, "set-up or a dispatch failed");
        return;
    }
    static const char *names[PATTERNS] = { "hot16", "roam" };
    double ratio[PATTERNS], ns[PATTERNS][SIZES];
    for (int p = 0; p < PATTERNS; p++) {
        for (int s = 0; s < SIZES; s++) {
            double copy[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                copy[r] = t[p][s][r];
            }
            ns[p][s] = median(copy, ROUNDS) / FAULTS * 1e9;
            char name[64];
            snprintf(name, sizeof(name), "%s_ns_per_fault_%zu", names[p], sizes[s]);
            row_detail(row, name, ns[p][s]);
        }
        ratio[p] = median_ratio(t[p][SIZES - 1], t[p][0], ROUNDS);
        char name[64];
        snprintf(name, sizeof(name), "%s_ratio_100000", names[p]);
        row_detail(row, name, ratio[p]);
    }
    char library[64], reference[64];
    snprintf(library, sizeof(library), "%.1f ns/fault (roam %.0f)", ns[HOT][SIZES - 1], ns[ROAM][SIZES - 1]);
    snprintf(reference, sizeof(reference), "%.1f ns/fault (roam %.1f)", ns[HOT][0], ns[ROAM][0]);
    row_result(row, ratio[HOT], library, reference);
}
