/* The simulated kernel's ready-made vka_t and simple_t, built over its boot information. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <vka/vka.h>
#include <simple/simple.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module allocator.h
 * What a root task builds first on seL4, ready-made for the simulated kernel: an allocator (`vka_t`) that owns
 * the empty slots of the root CNode and every untyped cap, and a `simple_t` that describes the boot caps.
 * The allocator hands out slots in O(1) and kernel objects from a buddy system over the untypeds: an object of
 * 2^s bytes is retyped from an untyped of exactly 2^s bytes, made by splitting a larger free one in halves with
 * seL4_Untyped_Retype. Freeing revokes that untyped (the kernel deletes the object and every copy of its cap,
 * and zeroes RAM before it is used again) and merges free buddies back. It is thread-safe. The cookie in
 * `vka_object_t.ut` carries a generation, so a stale or forged cookie is refused rather than freeing another
 * object. Device untypeds are used only for allocations at a physical address, or when the caller allows it
 * and RAM is exhausted.
 */

/***
 * @function sel4kvm_vka_init(vka)
 * Create an allocator over the running kernel's boot information. It assumes it is the only user of the empty
 * slot region and of the boot untypeds: create one per kernel, before anything else allocates.
 * @param {vka_t *} vka Filled in with the allocator's operations
 * @return 0 on success, -1 if vka is NULL, no kernel is running, or the host is out of memory
 */
int sel4kvm_vka_init(vka_t *vka);

/***
 * @function sel4kvm_vka_destroy(vka)
 * Free the allocator's host bookkeeping and clear vka. Caps and objects stay with the kernel (they go with
 * sel4kvm_sim_shutdown); the vka must not be used afterwards. NULL or an already-destroyed vka is ignored.
 * @param {vka_t *} vka Allocator from sel4kvm_vka_init
 */
void sel4kvm_vka_destroy(vka_t *vka);

/***
 * @function sel4kvm_simple_init(simple)
 * Describe the running kernel's boot information as a simple_t: the untyped caps (with size, physical address
 * and device flag), the initial caps at their seL4 slots, the root CNode's size, one core, and a print
 * operation. Frame, IRQ, I/O port, ASID and extended-bootinfo operations are left NULL, so their wrappers fail.
 * @param {simple_t *} simple Filled in
 * @return 0 on success, -1 if simple is NULL or no kernel is running
 */
int sel4kvm_simple_init(simple_t *simple);

/***
 * @function sel4kvm_simple_destroy(simple)
 * Clear a simple_t from sel4kvm_simple_init. NULL is ignored.
 * @param {simple_t *} simple The simple
 */
void sel4kvm_simple_destroy(simple_t *simple);

#ifdef __cplusplus
}
#endif
