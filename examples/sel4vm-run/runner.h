/* sel4vm-run's parts: the settings from the command line and config file, the VM they describe, and its run. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sel4kvm/env.h>
#include <sel4kvm/loader.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vm.h>

/* Exit statuses of the runner itself; a guest's debug-exit value v gives v & 0xff. */
#define EXIT_TIMEOUT 124
#define EXIT_BAD_INPUT 125
#define EXIT_GUEST_FAILED 126
#define EXIT_NO_KVM 127

#define RUNNER_DEFAULT_MEM (64ul << 20)
#define RUNNER_MIN_MEM (64ul << 10)
/* RAM is one region from 0 and must end below the connections' window (CROSSVM_BASE). */
#define RUNNER_MAX_MEM (3ul << 30)
#define RUNNER_REAL_LOAD 0x8000ul    /* flat images in real mode: where the test guests are linked (real.ld) */
#define RUNNER_FLAT_LOAD 0x100000ul  /* flat images in protected or long mode: 1 MiB */
#define CROSSVM_BASE 0xd0000000ul    /* guest-physical base of the cross-VM connections */
#define CROSSVM_WINDOW (256ul << 20) /* ...and their whole window */
#define CROSSVM_IRQ 11
#define CROSSVM_MAX 8

enum cpu_mode { MODE_AUTO, MODE_REAL, MODE_PROTECTED, MODE_LONG };

struct crossvm_spec {
    char name[49];
    size_t size;
    bool emit;
    bool consume;
};

struct runner_options {
    const char *image;
    size_t mem;
    bool load_addr_set;
    uintptr_t load_addr;
    bool entry_set;
    uintptr_t entry;
    enum cpu_mode mode;
    const char *cmdline;
    const char *const *modules; /* NULL-terminated; each "FILE [ARGS]" */
    const char *serial;         /* NULL for stdout */
    struct crossvm_spec crossvm[CROSSVM_MAX];
    unsigned num_crossvm;
    const char *crossvm_socket; /* NULL: a path in $TMPDIR, printed */
    unsigned trace;             /* SEL4KVM_TRACE_* */
    bool strict;
    uint16_t gdb_port; /* 0: no gdb */
    double timeout;    /* seconds; 0: none */
};

/* options.c: fills o from argv and the config file (GOption prints --help and exits). On bad input prints one
 * line to stderr and returns -1. The strings live until options_free. */
int options_parse(int argc, char **argv, struct runner_options *o);
void options_free(void);

/* Prints "sel4vm-run: <message>" on stderr, appending the library's last error message if one was logged since
 * the last report_clear. */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_clear(void);

/* run.c: checks the image against the settings, then (KVM permitting) runs it in a VM of its own environment;
 * returns the process exit status. */
int runner_run(const struct runner_options *o);

/* devices.c: the example VMMs' devices (examples/common): hello's counter at 0xd0000000, mmio-device's timer at
 * 0xd0001000 and, when RAM ends below 1 GiB, lazy-ram's 64 pages mapped on first touch at 1 GiB. NULL on failure. */
struct example_devices;
struct example_devices *example_devices_add(vm_t *vm, vka_t *vka, size_t ram_size);
void example_devices_remove(struct example_devices *d, vm_t *vm);

/* main.c: library errors are printed as they happen from here on (the guest runs), not kept for report. */
void report_running(bool running);

/* crossvm.c: the connections of --crossvm, set up after the boot vCPU exists: PCI bus, interrupt controller,
 * dataports, the socket and the peer's connection. Returns 0, or the exit status to end with (the message
 * printed). *out receives the state whenever it was allocated, for crossvm_teardown after sel4kvm_vm_destroy. */
struct runner_crossvm;
int crossvm_setup(const struct runner_options *o, sel4kvm_env_t *env, vm_t *vm, struct runner_crossvm **out);
void crossvm_teardown(struct runner_crossvm *c);
