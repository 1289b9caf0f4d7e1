/* x86 parts of the VM and vCPU structures: exit and vmcall handler tables, I/O ports, interrupt state. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>

#include <sel4/sel4.h>

#include <sel4vm/arch/vmexit_reasons.h>
#include <sel4vm/arch/ioports.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_vm_arch.h
 * The x86 members of `vm_t` (`struct vm_arch`) and `vm_vcpu_t` (`struct vm_vcpu_arch`). They are the
 * library's own state: VMM code reaches it through the functions of `ioports.h`, `vmcall.h`,
 * `guest_irq_controller.h` and `guest_x86_context.h`, not by writing the members.
 */

typedef struct vm_vcpu vm_vcpu_t;

/* Physical addresses of the local APIC and the I/O APIC in a PC's memory map. */
#define APIC_DEFAULT_PHYS_BASE 0xfee00000
#define IOAPIC_DEFAULT_PHYS_BASE 0xfec00000
/* The older spelling of IOAPIC_DEFAULT_PHYS_BASE, still used by some VMMs. */
#define IO_APIC_DEFAULT_PHYS_BASE IOAPIC_DEFAULT_PHYS_BASE

/* Opaque: their layout is private to the library. */
typedef struct vm_lapic vm_lapic_t;
typedef struct i8259 i8259_t;
typedef struct guest_state guest_state_t;

/**
 * Handler for one VMX exit reason.
 * @param {vm_vcpu_t *} vcpu The vCPU that exited
 * @return 0 to resume the guest, -1 on error
 */
typedef int (*vmexit_handler_ptr)(vm_vcpu_t *vcpu);

/**
 * Handler for a guest VMCALL whose EAX holds the handler's token.
 * @param {vm_vcpu_t *} vcpu The vCPU that executed VMCALL; its registers carry the call's arguments
 * @return 0 on success, -1 on error (vm_run then returns -1)
 */
typedef int (*vmcall_handler)(vm_vcpu_t *vcpu);

/***
 * @struct vmcall_handler
 * A registered VMCALL handler.
 * @param {int} token Value of the guest's EAX that selects this handler
 * @param {vmcall_handler} func The handler
 */
typedef struct vmcall_handler {
    int token;
    vmcall_handler func;
} vmcall_handler_t;

/***
 * @struct vm_arch
 * x86 state of a VM.
 * @param {vmexit_handler_ptr[]} vmexit_handlers Handler per VMX exit reason, VM_EXIT_REASON_NUM entries
 * @param {vmcall_handler_t *} vmcall_handlers Registered VMCALL handlers
 * @param {unsigned int} vmcall_num_handlers Number of entries in vmcall_handlers
 * @param {uintptr_t} guest_pd Guest-physical address of the page directory built for the guest, if any
 * @param {unhandled_ioport_callback_fn} unhandled_ioport_callback Callback for ports no range contains
 * @param {void *} unhandled_ioport_callback_cookie Cookie for unhandled_ioport_callback
 * @param {vm_io_port_list_t} ioport_list Registered I/O port ranges, sorted by start
 * @param {i8259_t *} i8259_gs State of the interrupt controller model
 * @param {void *} backend Ours: private state of the backend that runs the VM (KVM or the test backend)
 */
struct vm_arch {
    vmexit_handler_ptr vmexit_handlers[VM_EXIT_REASON_NUM];
    vmcall_handler_t *vmcall_handlers;
    unsigned int vmcall_num_handlers;
    uintptr_t guest_pd;
    unhandled_ioport_callback_fn unhandled_ioport_callback;
    void *unhandled_ioport_callback_cookie;
    vm_io_port_list_t ioport_list;
    i8259_t *i8259_gs;
    void *backend;
};

/***
 * @struct vm_vcpu_arch
 * x86 state of a vCPU.
 * @param {guest_state_t *} guest_state Cached guest registers and the exit being handled
 * @param {vm_lapic_t *} lapic State of the vCPU's local APIC model
 * @param {void *} backend Ours: private state of the backend for this vCPU (KVM or the test backend)
 */
struct vm_vcpu_arch {
    guest_state_t *guest_state;
    vm_lapic_t *lapic;
    void *backend;
};

#ifdef __cplusplus
}
#endif
