/* Our extensions to a libsel4vm VM: choosing its backend and options, and destroying it. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module vm.h
 * Upstream libsel4vm has no way to destroy a VM (a seL4 VMM runs until the machine stops); a Linux process
 * creates and destroys many. These calls also set the options that upstream fixes at build time.
 */

/**
 * What runs a VM's guest.
 * SEL4KVM_BACKEND_TEST: no guest runs; tests inject accesses with the calls of test_backend.h. The default.
 * SEL4KVM_BACKEND_KVM: a real x86 guest under Linux KVM (/dev/kvm).
 */
typedef enum sel4kvm_backend {
    SEL4KVM_BACKEND_TEST,
    SEL4KVM_BACKEND_KVM,
} sel4kvm_backend_t;

/***
 * @function sel4kvm_vm_select_backend(backend)
 * Choose the backend of the VMs that later vm_init calls create in this process (vm_init's prototype is
 * upstream's, so the choice is made beside it). VMs already created keep theirs.
 * @param {sel4kvm_backend_t} backend SEL4KVM_BACKEND_TEST or SEL4KVM_BACKEND_KVM
 * @return 0 on success, -1 if backend is not one of them
 */
int sel4kvm_vm_select_backend(sel4kvm_backend_t backend);

/***
 * @function sel4kvm_kvm_available(reason, reason_size)
 * Tell whether this process can run guests with KVM: /dev/kvm exists, opens read-write and speaks API
 * version 12. Tests use it to skip with the reason.
 * @param {char *} reason Buffer for a one-line reason when it cannot, or NULL
 * @param {size_t} reason_size Size of reason
 * @return true if KVM is usable
 */
bool sel4kvm_kvm_available(char *reason, size_t reason_size);

/***
 * @function sel4kvm_vm_stop(vm)
 * Ask a VM to stop: vm_run returns 0 at its next look, which a running or halted guest is kicked into at
 * once. Callable from any thread, including the vCPU's own handlers. A stop requested while vm_run is not
 * running makes the next vm_run return at once; each request stops one vm_run.
 * @param {vm_t *} vm An initialised VM
 * @return 0 on success, -1 if vm is NULL or not initialised
 */
int sel4kvm_vm_stop(vm_t *vm);

/***
 * @function sel4kvm_vm_memslots(vm, count)
 * Count the KVM memory slots the VM's guest memory uses now (0 with the test backend). Slots are derived
 * from the guest's mappings: one per maximal run of mapped guest-physical pages of equal writability.
 * @param {vm_t *} vm An initialised VM
 * @param {size_t *} count Receives the count
 * @return 0 on success, -1 if an argument is NULL or vm is not initialised
 */
int sel4kvm_vm_memslots(vm_t *vm, size_t *count);

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
