/* Our extensions to a libsel4vm VM: choosing its backend and options, and destroying it. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module vm.h
 * Upstream libsel4vm has no way to destroy a VM (a seL4 VMM runs until the machine stops); a Linux process
 * creates and destroys many. These calls also set the options that upstream fixes at build time.
 */

/***
 * @function sel4kvm_vm_destroy(vm)
 * Release everything vm_init and later calls created: vCPUs, reservations, RAM bookkeeping, the guest
 * vspace and its root, and the backend's state. Frames the caller mapped into reservations stay the caller's.
 * @param {vm_t *} vm An initialised VM
 * @return the number of reservations that were still live (strict mode reports them as leaks), or -1 if vm is
 * NULL or not initialised
 */
int sel4kvm_vm_destroy(vm_t *vm);

/***
 * @function sel4kvm_vm_set_strict(vm, strict)
 * Report fault-handler contract violations (HANDLED without advance, data set on a write, a read completed
 * without data, an access straddling its reservation, reservations leaked at destroy) as errors rather than
 * warnings. Off by default.
 * @param {vm_t *} vm An initialised VM
 * @param {bool} strict true for strict
 * @return 0 on success, -1 if vm is NULL or not initialised
 */
int sel4kvm_vm_set_strict(vm_t *vm, bool strict);

/***
 * @function sel4kvm_vm_set_defer_memory_map(vm, defer)
 * The run-time form of CONFIG_LIB_SEL4VM_DEFER_MEMORY_MAP: vm_map_reservation records the iterator and maps
 * the whole reservation on its first fault, which is then retried.
 * @param {vm_t *} vm An initialised VM
 * @param {bool} defer true to defer mapping
 * @return 0 on success, -1 if vm is NULL or not initialised
 */
int sel4kvm_vm_set_defer_memory_map(vm_t *vm, bool defer);

#ifdef __cplusplus
}
#endif
