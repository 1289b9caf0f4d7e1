/* Plain KVM programs, with none of the library, that benchmarks use as their baseline. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Runs a real-mode guest whose code (code_size bytes, at guest-physical 0x1000 in RAM_SIZE bytes of RAM at 0)
 * reads MMIO outside RAM until it does an OUT; each read is answered with `value`. Returns the seconds spent
 * in the run loop and the number of MMIO exits, or a negative time on failure (with a message on stderr). */
double bare_mmio_run(const uint8_t *code, size_t code_size, size_t ram_size, uint64_t value, uint64_t *exits);
