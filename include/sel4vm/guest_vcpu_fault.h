/* Inspecting and completing the memory fault a vCPU is stopped on, from inside a fault callback. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <sel4/sel4.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_vcpu_fault.h
 * The memory access a vCPU is stopped on, as a fault callback sees it: address, size, direction, data, and
 * the functions that complete it. A callback emulates the access, calls `advance_vcpu_fault` and returns
 * FAULT_HANDLED.
 *
 * Data sits in the byte lanes of its 32-bit word, as on seL4: for an access of size 1, 2 or 4 at address A,
 * `shift = (A & 3) * 8` and the mask is `MASK(size * 8) << shift` (all ones for size 8). A write's data is
 * the written value shifted into its lane; data set for a read is taken from its lane, so the guest receives
 * `(data & mask) >> shift`. For aligned accesses, the usual case, the lane is simply the value.
 * Ours: 8-byte accesses are supported (upstream x86 handles 1, 2 and 4).
 */

/***
 * @function get_vcpu_fault_address(vcpu)
 * Get the guest-physical address of the faulting access.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @return The address, or 0 if vcpu is NULL or not stopped on a memory fault
 */
seL4_Word get_vcpu_fault_address(vm_vcpu_t *vcpu);

/***
 * @function get_vcpu_fault_ip(vcpu)
 * Get the guest instruction pointer (RIP) of the faulting instruction.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @return The instruction pointer, or 0 if vcpu is NULL or not stopped on a memory fault
 */
seL4_Word get_vcpu_fault_ip(vm_vcpu_t *vcpu);

/***
 * @function get_vcpu_fault_data(vcpu)
 * Get the data of the faulting access: for a write, the value written, shifted into its lane; for a read,
 * the data set so far with set_vcpu_fault_data (0 before that).
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @return The data, or 0 if vcpu is NULL or not stopped on a memory fault
 */
seL4_Word get_vcpu_fault_data(vm_vcpu_t *vcpu);

/***
 * @function get_vcpu_fault_data_mask(vcpu)
 * Get the mask of the access's lane: MASK(size * 8) << ((address & 3) * 8), or all ones for 8 bytes.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @return The mask, or 0 if vcpu is NULL or not stopped on a memory fault
 */
seL4_Word get_vcpu_fault_data_mask(vm_vcpu_t *vcpu);

/***
 * @function get_vcpu_fault_size(vcpu)
 * Get the width of the faulting access.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @return 1, 2, 4 or 8; 0 if vcpu is NULL or not stopped on a memory fault
 */
size_t get_vcpu_fault_size(vm_vcpu_t *vcpu);

/***
 * @function is_vcpu_read_fault(vcpu)
 * Tell whether the faulting access is a read.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @return true for a read, false for a write (and if vcpu is NULL or not stopped on a memory fault)
 */
bool is_vcpu_read_fault(vm_vcpu_t *vcpu);

/***
 * @function set_vcpu_fault_data(vcpu, data)
 * Set the value a faulting read returns, lane-positioned: the guest receives (data & mask) >> shift once
 * the fault is advanced. Setting data on a write fault is a handler bug: ignored, and reported (an error in
 * strict mode).
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {seL4_Word} data The data, in the access's lane
 * @return 0 on success, -1 if vcpu is NULL or not stopped on a memory fault
 */
int set_vcpu_fault_data(vm_vcpu_t *vcpu, seL4_Word data);

/***
 * @function emulate_vcpu_fault(vcpu, data)
 * Apply the faulting access to a register value. With shift and mask as above and d the fault data: a read
 * gives (data & ~(mask >> shift)) | ((d & mask) >> shift); a write gives (data & ~mask) | ((d << shift) & mask).
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {seL4_Word} data Current value of the emulated register
 * @return The register's value after the access; data unchanged if vcpu is NULL or not stopped on a memory fault
 */
seL4_Word emulate_vcpu_fault(vm_vcpu_t *vcpu, seL4_Word data);

/***
 * @function advance_vcpu_fault(vcpu)
 * Complete the faulting access: a read receives the data set with set_vcpu_fault_data, and the guest
 * continues after the instruction. Call it before returning FAULT_HANDLED.
 * @param {vm_vcpu_t *} vcpu The vCPU
 */
void advance_vcpu_fault(vm_vcpu_t *vcpu);

/***
 * @function restart_vcpu_fault(vcpu)
 * Have the faulting access retried instead of completed, as FAULT_RESTART does: if memory is now mapped at
 * the address the access uses it, otherwise it faults again.
 * @param {vm_vcpu_t *} vcpu The vCPU
 */
void restart_vcpu_fault(vm_vcpu_t *vcpu);

#ifdef __cplusplus
}
#endif
