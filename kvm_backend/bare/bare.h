/* Plain KVM programs, with none of the library, that benchmarks use as their baseline. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Guest-physical layout of the MMIO loop guest (bare_mmio_guest): code in RAM at 0, the device outside it. */
#define BARE_MMIO_CODE 0x1000
#define BARE_MMIO_DEVICE 0x9000
#define BARE_MMIO_EXIT_PORT 0xf4
#define BARE_MMIO_RAM_SIZE 0x8000

/* Seconds on CLOCK_MONOTONIC. */
double bare_now(void);

/* The process's resident set (VmRSS) in KiB, or -1. */
long bare_rss_kib(void);

/* Writes the MMIO loop guest into code (at least 32 bytes): real mode, `loops` 2-byte reads of BARE_MMIO_DEVICE,
 * then an OUT to BARE_MMIO_EXIT_PORT and HLT. Returns its size; it runs at BARE_MMIO_CODE. */
size_t bare_mmio_guest(uint8_t *code, uint32_t loops);

typedef struct bare_mmio bare_mmio_t;

/* A VM with RAM at guest-physical 0 holding code at BARE_MMIO_CODE, and one vCPU in real mode; NULL on failure
 * (with a message on stderr). */
bare_mmio_t *bare_mmio_create(const uint8_t *code, size_t code_size, size_t ram_size);

/* Runs the guest from BARE_MMIO_CODE until it does an OUT, answering each MMIO read with `value`: KVM_RUN, fill
 * the data, re-enter. Returns the seconds spent in the loop and the number of MMIO exits, or a negative time on
 * failure. */
double bare_mmio_run(bare_mmio_t *b, uint64_t value, uint64_t *exits);

void bare_mmio_destroy(bare_mmio_t *b);

/* In a new VM: mmap `bytes` of anonymous memory and give it to the guest at `gpa` as one memslot. Returns 0 with
 * the seconds those two calls took and the growth of the resident set (KiB) they caused, or -1. */
int bare_ram_setup(size_t bytes, uint64_t gpa, double *seconds, long *rss_kib);

/* The hello example's VMM in plain KVM: loads the ELF32 guest at elf_path into RAM at [0, 512 KiB) and
 * [1 MiB, 2 MiB), starts it in flat protected mode, serves its 16550 serial output (to stdout), its debug-exit port
 * and its MMIO counter, and prints the same last line. Returns the process exit status (0 when the guest reported
 * success). */
int bare_hello_main(const char *elf_path);
