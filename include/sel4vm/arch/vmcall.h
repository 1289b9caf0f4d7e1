/* Registering handlers for guest hypercalls made with the VMCALL instruction. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module vmcall.h
 * Guest hypercalls: the guest puts a token in EAX and executes VMCALL; the handler registered for that token
 * runs with the vCPU's registers as its arguments and results. Ours: under KVM the host kernel handles
 * VMCALL itself and does not pass it to user space, so handlers run only for the VMCALL exits a backend
 * delivers, such as those the test backend injects.
 */

/***
 * @function vm_reg_new_vmcall_handler(vm, func, token)
 * Register the handler for a hypercall token.
 * @param {vm_t *} vm The VM
 * @param {vmcall_handler} func The handler (typedef in guest_vm_arch.h)
 * @param {int} token Value of EAX that selects the handler
 * @return 0 on success, -1 if vm or func is NULL, token already has a handler, or memory runs out
 */
int vm_reg_new_vmcall_handler(vm_t *vm, vmcall_handler func, int token);

#ifdef __cplusplus
}
#endif
