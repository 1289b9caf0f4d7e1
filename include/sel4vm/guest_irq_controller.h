/* The guest's interrupt controller: creating it, raising and lowering lines, acknowledgement callbacks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_irq_controller.h
 * The guest's interrupt controller and the lines into it. On x86 it is a PC's: a pair of 8259 PICs (lines
 * 0 to 15) and an I/O APIC (pins 0 to 23), emulated by the hypervisor. Devices raise interrupts by pulsing
 * a line (`vm_inject_irq`) or by holding its level (`vm_set_irq_level`) for level-triggered sources.
 */

/**
 * Called when the guest acknowledges an interrupt on a line (end of interrupt).
 * @param {vm_vcpu_t *} vcpu The vCPU that acknowledged
 * @param {int} irq The line
 * @param {void *} cookie The cookie given to vm_register_irq
 */
typedef void (*irq_ack_fn_t)(vm_vcpu_t *vcpu, int irq, void *cookie);

/***
 * @function vm_inject_irq(vcpu, irq)
 * Pulse an interrupt line: raise it, then lower it.
 * @param {vm_vcpu_t *} vcpu A vCPU of the VM
 * @param {int} irq Line, 0 to 23
 * @return 0 on success, -1 if vcpu is NULL, irq is out of range or the VM has no interrupt controller
 */
int vm_inject_irq(vm_vcpu_t *vcpu, int irq);

/***
 * @function vm_set_irq_level(vcpu, irq, irq_level)
 * Raise or lower an interrupt line.
 * @param {vm_vcpu_t *} vcpu A vCPU of the VM
 * @param {int} irq Line, 0 to 23
 * @param {int} irq_level Non-zero to raise the line, 0 to lower it
 * @return 0 on success, -1 if vcpu is NULL, irq is out of range or the VM has no interrupt controller
 */
int vm_set_irq_level(vm_vcpu_t *vcpu, int irq, int irq_level);

/***
 * @function vm_register_irq(vcpu, irq, ack_fn, cookie)
 * Set the acknowledgement callback of an interrupt line, replacing any previous one. Ours: callbacks are kept
 * per VM (upstream keeps one global table for the whole process).
 * @param {vm_vcpu_t *} vcpu A vCPU of the VM
 * @param {int} irq Line, 0 to 23
 * @param {irq_ack_fn_t} ack_fn The callback
 * @param {void *} cookie Passed to ack_fn
 * @return 0 on success, -1 if vcpu or ack_fn is NULL or irq is out of range
 */
int vm_register_irq(vm_vcpu_t *vcpu, int irq, irq_ack_fn_t ack_fn, void *cookie);

/***
 * @function vm_create_default_irq_controller(vm)
 * Give the VM its interrupt controller (on KVM, the in-kernel PIC and I/O APIC). It may be called before or
 * after the vCPUs are created, as upstream VMMs do both, but on KVM before any vCPU runs or has its registers
 * read or written (KVM creates its vCPUs then, and needs the controller first). A VM without one has no
 * interrupts; a guest that halts in it sleeps until the VMM is notified or stopped.
 * @param {vm_t *} vm The VM
 * @return 0 on success, -1 if vm is NULL or uninitialised, the VM already has one, or the hypervisor refuses
 */
int vm_create_default_irq_controller(vm_t *vm);

#ifdef __cplusplus
}
#endif
