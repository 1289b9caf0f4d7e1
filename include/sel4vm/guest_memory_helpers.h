/* Ready-made fault callbacks for reservations. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <sel4vm/guest_vm.h>
#include <sel4vm/guest_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_memory_helpers.h
 * Helpers for the guest memory interface: fault callbacks for reservations that need one but should never
 * fault, such as memory mapped with all rights.
 */

/***
 * @function default_error_fault_callback(vm, vcpu, fault_addr, fault_length, cookie)
 * Fault callback that treats any fault as an error: it logs the address and returns FAULT_ERROR, so vm_run
 * fails. Use it for reservations fully backed by read-write frames, where a fault means a bug.
 * @param {vm_t *} vm The VM
 * @param {vm_vcpu_t *} vcpu The vCPU that faulted
 * @param {uintptr_t} fault_addr Guest-physical address of the access
 * @param {size_t} fault_length Access width in bytes
 * @param {void *} cookie Unused
 * @return FAULT_ERROR
 */
memory_fault_result_t default_error_fault_callback(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t fault_addr, size_t fault_length,
                                                   void *cookie);

#ifdef __cplusplus
}
#endif
