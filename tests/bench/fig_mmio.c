/* MMIO figures: a guest's read loop through a reservation callback under vm_run against the bare KVM_RUN loop,
 * in time per exit and in user-space instructions per exit (callgrind). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/env.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vm.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/arch/vmcs_fields.h>
#include "bench.h"

#define LOOPS 10000
#define ROUNDS 41
/* Exits of the two callgrind runs per program: the difference is all exits, none of the set-up. */
#define CG_LOOPS_SHORT 1000
#define CG_LOOPS_LONG 5000

/* The library's side: one VM whose device reservation answers every read, and an exit port that stops vm_run. */
struct lib_mmio {
    sel4kvm_env_t env;
    vm_t vm;
    bool vm_ready;
    vm_vcpu_t *vcpu;
    vm_memory_reservation_t *device;
    uint64_t callbacks;
};

static ioport_fault_result_t exit_out(vm_vcpu_t *vcpu, void *cookie, unsigned port, unsigned size, unsigned value)
{
    (void)cookie;
    (void)port;
    (void)size;
    (void)value;
    sel4kvm_vm_stop(vcpu->vm);
    return IO_FAULT_HANDLED;
}

static void lib_mmio_destroy(struct lib_mmio *m)
{
    if (m->device != NULL) {
        vm_free_reserved_memory(&m->vm, m->device);
    }
    if (m->vm_ready) {
        sel4kvm_vm_destroy(&m->vm);
    }
    sel4kvm_env_destroy(&m->env);
}

static int lib_mmio_create(struct lib_mmio *m, const uint8_t *code, size_t code_size)
{
    *m = (struct lib_mmio){ 0 };
    if (sel4kvm_env_init(&m->env, NULL) != 0) {
        return -1;
    }
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM);
    m->vm_ready = vm_init(&m->vm, &m->env.vka, &m->env.simple, m->env.vspace, &m->env.io_ops, m->env.host_endpoint,
                          "bench-mmio") == 0;
    if (!m->vm_ready || vm_ram_register_at(&m->vm, 0, BARE_MMIO_RAM_SIZE, false) != 0 ||
        vm_ram_touch(&m->vm, BARE_MMIO_CODE, code_size, vm_guest_ram_write_callback, (void *)code) != 0 ||
        (m->device = vm_reserve_memory_at(&m->vm, BARE_MMIO_DEVICE, 0x1000, bench_device_read, &m->callbacks)) ==
            NULL ||
        vm_io_port_add_handler(&m->vm, (vm_ioport_range_t){ BARE_MMIO_EXIT_PORT, BARE_MMIO_EXIT_PORT },
                               (vm_ioport_interface_t){ .port_out = exit_out }) != 0 ||
        (m->vcpu = vm_create_vcpu(&m->vm, 100)) == NULL || vm_set_vmcs_field(m->vcpu, VMX_GUEST_CS_SELECTOR, 0) != 0 ||
        vm_set_vmcs_field(m->vcpu, VMX_GUEST_CS_BASE, 0) != 0 || vcpu_start(m->vcpu) != 0) {
        fprintf(stderr, "bench: setting up the library's MMIO VM failed\n");
        lib_mmio_destroy(m);
        return -1;
    }
    return 0;
}

/* One pass of the guest loop from its first instruction; seconds inside vm_run. */
static double lib_mmio_run(void *cookie)
{
    struct lib_mmio *m = cookie;
    m->callbacks = 0;
    if (vm_set_vmcs_field(m->vcpu, VMX_GUEST_RIP, BARE_MMIO_CODE) != 0) {
        return -1;
    }
    double start = bare_now();
    if (vm_run(&m->vm) != 0) {
        return -1;
    }
    double elapsed = bare_now() - start;
    return m->callbacks == LOOPS ? elapsed : -1;
}

static double bare_run(void *cookie)
{
    uint64_t exits = 0;
    double t = bare_mmio_run(cookie, BENCH_READ_VALUE, &exits);
    return exits == LOOPS ? t : -1;
}

void fig_mmio_round_trip(struct bench_row *row)
{
    uint8_t code[32];
    size_t code_size = bare_mmio_guest(code, LOOPS);
    struct lib_mmio lib;
    bare_mmio_t *bare = bare_mmio_create(code, code_size, BARE_MMIO_RAM_SIZE);
    if (bare == NULL || lib_mmio_create(&lib, code, code_size) != 0) {
        bare_mmio_destroy(bare);
        row_skip(row, "set-up failed");
        return;
    }
    double tl[ROUNDS], tb[ROUNDS];
    int err = bench_alternate(ROUNDS, lib_mmio_run, &lib, tl, bare_run, bare, tb);
    lib_mmio_destroy(&lib);
    bare_mmio_destroy(bare);
    if (err != 0) {
        row_skip(row, "a run failed or miscounted");
        return;
    }
    double ratio = median_ratio(tl, tb, ROUNDS);
    double lib_us = median(tl, ROUNDS) / LOOPS * 1e6;
    double bare_us = median(tb, ROUNDS) / LOOPS * 1e6;
    char library[64], reference[64];
    snprintf(library, sizeof(library), "%.2f us/exit", lib_us);
    snprintf(reference, sizeof(reference), "%.2f us/exit", bare_us);
    row_result(row, ratio, library, reference);
    row_detail(row, "exits_per_round", LOOPS);
    row_detail(row, "rounds", ROUNDS);
    row_detail(row, "library_us_per_exit", lib_us);
    row_detail(row, "bare_us_per_exit", bare_us);
}

int child_mmio(uint32_t loops)
{
    uint8_t code[32];
    size_t code_size = bare_mmio_guest(code, loops);
    struct lib_mmio lib;
    if (lib_mmio_create(&lib, code, code_size) != 0) {
        return 1;
    }
    lib.callbacks = 0;
    int ret = vm_set_vmcs_field(lib.vcpu, VMX_GUEST_RIP, BARE_MMIO_CODE) == 0 && vm_run(&lib.vm) == 0 &&
                      lib.callbacks == loops
                  ? 0
                  : 1;
    lib_mmio_destroy(&lib);
    printf("%llu callbacks\n", (unsigned long long)lib.callbacks);
    return ret;
}

/* Instructions callgrind counted for one run of program (bench_suite's child or bare) with `loops` exits; -1 if
 * valgrind is missing (*missing set) or the run failed. */
static long long callgrind_count(const char *program, const char *mode, uint32_t loops, bool *missing)
{
    char loops_text[16], out[8192];
    snprintf(loops_text, sizeof(loops_text), "%u", loops);
    bool suite = strcmp(program, BENCH_SUITE) == 0;
    char *argv[] = { "/usr/bin/env",
                     "valgrind",
                     "--tool=callgrind",
                     "--callgrind-out-file=/dev/null",
                     "--log-fd=1",
                     (char *)program,
                     suite ? "--child" : (char *)mode,
                     suite ? (char *)mode : loops_text,
                     suite ? loops_text : NULL,
                     NULL };
    int status = run_capture(argv, out, sizeof(out));
    if (status == 127) {
        *missing = true;
        return -1;
    }
    const char *collected = strstr(out, "Collected :");
    if (status != 0 || collected == NULL) {
        fprintf(stderr, "bench: callgrind run of %s %s %u failed (status %d)\n", program, mode, loops, status);
        return -1;
    }
    char digits[32];
    size_t n = 0;
    for (const char *p = collected + strlen("Collected :"); *p != '\n' && *p != '\0' && n + 1 < sizeof(digits); p++) {
        if (*p >= '0' && *p <= '9') {
            digits[n++] = *p;
        }
    }
    digits[n] = '\0';
    return n > 0 ? atoll(digits) : -1;
}

/* User-space instructions per exit: the difference between a long and a short run, so set-up cancels. */
static double per_exit(const char *program, const char *mode, bool *missing)
{
    long long short_run = callgrind_count(program, mode, CG_LOOPS_SHORT, missing);
    long long long_run = short_run >= 0 ? callgrind_count(program, mode, CG_LOOPS_LONG, missing) : -1;
    if (long_run < 0) {
        return -1;
    }
    return (double)(long_run - short_run) / (CG_LOOPS_LONG - CG_LOOPS_SHORT);
}

void fig_mmio_instructions(struct bench_row *row)
{
    bool missing = false;
    double bare = per_exit(BENCH_BARE, "mmio", &missing);
    double lib = bare >= 0 ? per_exit(BENCH_SUITE, "mmio", &missing) : -1;
    if (missing) {
        row_skip(row, "skipped: valgrind is not installed");
        return;
    }
    if (bare < 0 || lib < 0) {
        row_skip(row, "a callgrind run failed");
        return;
    }
    char library[64], reference[64];
    snprintf(library, sizeof(library), "%.0f instr/exit", lib);
    snprintf(reference, sizeof(reference), "%.0f instr/exit", bare);
    row_result(row, lib - bare, library, reference);
    row_detail(row, "library_instructions_per_exit", lib);
    row_detail(row, "bare_instructions_per_exit", bare);
    row_detail(row, "short_run_exits", CG_LOOPS_SHORT);
    row_detail(row, "long_run_exits", CG_LOOPS_LONG);
}
