/* Tracing a VM's guest memory faults, I/O port accesses and interrupt lines, one text line per event. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdio.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module trace.h
 * A VM can write one line per event to a stdio stream: each guest memory access that reached the library
 * (a fault), each I/O port access item, and each interrupt line change or acknowledgement. Off (the default), the
 * fault, port and interrupt paths pay one predictable branch: no clock read, no lock, no allocation. On, each
 * event costs a clock read before and after its handler and one fprintf. Lines have space-separated key=value
 * fields in a fixed order:
 *
 * `fault vcpu=N rip=0xR gpa=0xA size=S read|write data=0xD res=[0xSTART,0xEND)|none result=R ns=T`
 * (R: HANDLED, IGNORE, RESTART, UNHANDLED, ERROR, or MEMORY when mapped memory served the access without a
 * handler; data is what a write wrote or what a read received, not shifted into its lane; res the reservation
 * containing gpa when the fault arrived)
 *
 * `io vcpu=N rip=0xR port=0xP size=S in|out data=0xD result=R ns=T` (R: HANDLED, UNHANDLED (served by the default:
 * all ones for IN, dropped for OUT) or ERROR; rip as the hypervisor reports it at the exit)
 *
 * `irq vcpu=N line=L op=level|inject|ack value=V result=OK|ERROR ns=T` (value: the level set, 1 for an injection,
 * 0 for an acknowledgement)
 */

/* What sel4kvm_vm_set_trace traces; OR them together. */
#define SEL4KVM_TRACE_FAULTS 0x1u
#define SEL4KVM_TRACE_IO 0x2u
#define SEL4KVM_TRACE_IRQ 0x4u
#define SEL4KVM_TRACE_ALL (SEL4KVM_TRACE_FAULTS | SEL4KVM_TRACE_IO | SEL4KVM_TRACE_IRQ)

/***
 * @function sel4kvm_vm_set_trace(vm, flags, out)
 * Choose which events a VM traces and where the lines go. Set it while no vCPU of the VM runs (before vm_run,
 * or from a handler on the vCPU thread).
 * @param {vm_t *} vm An initialised VM
 * @param {unsigned} flags SEL4KVM_TRACE_FAULTS, SEL4KVM_TRACE_IO and SEL4KVM_TRACE_IRQ ORed; 0 turns tracing off
 * @param {FILE *} out Stream that receives the lines (not owned by the VM; it must stay open while tracing is
 *        on); ignored when flags is 0
 * @return 0 on success, -1 if vm is NULL or not initialised, flags has an unknown bit, or out is NULL with flags
 *         not 0
 */
int sel4kvm_vm_set_trace(vm_t *vm, unsigned flags, FILE *out);

#ifdef __cplusplus
}
#endif
