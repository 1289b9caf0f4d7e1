/* The mmio-device example's timer: a free-running counter with a one-shot compare, emulated entirely in a
 * reservation fault callback. The example VMM and tests/unit/test_example_mmio_device.c both use this file. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vm.h>

/* The registers, 32 bits each, at offsets from the device's base; every access must be 4 bytes and aligned.
 *   COUNT    read: microseconds counted while enabled (wraps at 2^32); writes are ignored, as a read-only
 *            register's are on hardware
 *   COMPARE  read/write: writing arms a one-shot match at this count
 *   STATUS   read: MATCH once an armed compare has been reached; write: each 1 bit clears that bit
 *   CTRL     read/write: ENABLE runs the counter; writing RESET (not kept) zeroes the count */
/* Where the mmio-device example's guest expects the timer: a page above hello's counter, so sel4vm-run can offer
 * both. */
#define TIMER_EXAMPLE_BASE 0xd0001000ul

#define TIMER_COUNT 0x0
#define TIMER_COMPARE 0x4
#define TIMER_STATUS 0x8
#define TIMER_CTRL 0xc
#define TIMER_SIZE 0x10

#define TIMER_STATUS_MATCH 0x1u
#define TIMER_CTRL_ENABLE 0x1u
#define TIMER_CTRL_RESET 0x2u

/* The timer's time source, in microseconds: a real clock in the example, a variable the test sets in tests. */
typedef uint64_t (*timer_clock_fn)(void *cookie);

struct timer_device {
    uintptr_t base;
    timer_clock_fn clock;
    void *clock_cookie;
    uint32_t count;      /* while stopped, the count; while running, the count when it was started */
    uint64_t started_at; /* clock time when the counter last started */
    uint32_t compare;
    bool armed; /* COMPARE was written and has not matched yet */
    uint32_t status;
    uint32_t ctrl;
    vm_memory_reservation_t *reservation;
};

/* Puts a stopped timer at guest-physical base in vm; 0 on success, -1 if the range cannot be reserved. */
int timer_device_add(struct timer_device *t, vm_t *vm, uintptr_t base, timer_clock_fn clock, void *clock_cookie);

/* The fault callback timer_device_add installs (its cookie is the struct timer_device). */
memory_fault_result_t timer_device_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie);

/* A timer_clock_fn over CLOCK_MONOTONIC. */
uint64_t timer_clock_monotonic_us(void *cookie);
