/* The counter device of the hello example, which sel4vm-run also offers so that hello's guest runs unchanged. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>
#include <sel4vm/guest_memory.h>

/* Where the hello guest expects it. */
#define COUNTER_BASE 0xd0000000ul

/* Each 32-bit read of +0 advances the count by the step last written to +4 (1 at first) and returns it; +4 reads
 * back the step. */
struct counter {
    uint32_t count;
    uint32_t step;
};

/* The reservation fault callback that is the whole device (cookie: a struct counter). */
memory_fault_result_t counter_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t fault_addr, size_t size, void *cookie);
