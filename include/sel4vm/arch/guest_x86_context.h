/* Reading and writing an x86 vCPU's registers: general-purpose registers and VMCS-named guest state. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <autoconf.h>
#include <sel4/sel4.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_x86_context.h
 * Access to an x86 vCPU's registers, to set up its boot state or to emulate an instruction. The general
 * registers go through `seL4_VCPUContext` or one at a time by `vcpu_context_reg_t`; RIP, RSP, RFLAGS, control
 * registers, EFER and segment state go through the VMCS field names of `vmcs_fields.h`. Values are full
 * 64-bit words. Changes take effect when the vCPU next runs.
 */

/**
 * The general-purpose registers, in the order of seL4_VCPUContext's members (RSP is VMX_GUEST_RSP).
 * The E-names address the whole 64-bit register. R8 to R15 exist with 64-bit guests
 * (CONFIG_X86_64_VTX_64BIT_GUESTS, set in this build).
 */
typedef enum vcpu_context_reg {
    VCPU_CONTEXT_EAX = 0,
    VCPU_CONTEXT_EBX,
    VCPU_CONTEXT_ECX,
    VCPU_CONTEXT_EDX,
    VCPU_CONTEXT_ESI,
    VCPU_CONTEXT_EDI,
    VCPU_CONTEXT_EBP,
#ifdef CONFIG_X86_64_VTX_64BIT_GUESTS
    VCPU_CONTEXT_R8,
    VCPU_CONTEXT_R9,
    VCPU_CONTEXT_R10,
    VCPU_CONTEXT_R11,
    VCPU_CONTEXT_R12,
    VCPU_CONTEXT_R13,
    VCPU_CONTEXT_R14,
    VCPU_CONTEXT_R15,
#endif
} vcpu_context_reg_t;

/***
 * @function vm_set_thread_context(vcpu, context)
 * Set all general-purpose registers of a vCPU.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {seL4_VCPUContext} context The new register values
 * @return 0 on success, -1 if vcpu is NULL or the registers cannot be written
 */
int vm_set_thread_context(vm_vcpu_t *vcpu, seL4_VCPUContext context);

/***
 * @function vm_set_thread_context_reg(vcpu, reg, value)
 * Set one general-purpose register of a vCPU.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {vcpu_context_reg_t} reg The register
 * @param {seL4_Word} value Its new value
 * @return 0 on success, -1 if vcpu is NULL, reg is not a vcpu_context_reg_t or the register cannot be written
 */
int vm_set_thread_context_reg(vm_vcpu_t *vcpu, vcpu_context_reg_t reg, seL4_Word value);

/***
 * @function vm_get_thread_context(vcpu, context)
 * Get all general-purpose registers of a vCPU.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {seL4_VCPUContext *} context Receives the register values
 * @return 0 on success, -1 if an argument is NULL or the registers cannot be read
 */
int vm_get_thread_context(vm_vcpu_t *vcpu, seL4_VCPUContext *context);

/***
 * @function vm_get_thread_context_reg(vcpu, reg, value)
 * Get one general-purpose register of a vCPU.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {vcpu_context_reg_t} reg The register
 * @param {seL4_Word *} value Receives its value
 * @return 0 on success, -1 if vcpu or value is NULL, reg is not a vcpu_context_reg_t or the register cannot
 *         be read
 */
int vm_get_thread_context_reg(vm_vcpu_t *vcpu, vcpu_context_reg_t reg, seL4_Word *value);

/***
 * @function vm_set_vmcs_field(vcpu, field, value)
 * Set guest state named by a VMCS field. Ours: there is no VMCS; VMX_GUEST_RIP, RSP, RFLAGS, CR0, CR3, CR4,
 * EFER and the segment selectors and bases are applied to the hypervisor's register state, and any other
 * field fails with a message.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {seL4_Word} field A VMX_GUEST_* encoding from vmcs_fields.h
 * @param {seL4_Word} value Its new value
 * @return 0 on success, -1 if vcpu is NULL or the field is not supported
 */
int vm_set_vmcs_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word value);

/***
 * @function vm_get_vmcs_field(vcpu, field, value)
 * Get guest state named by a VMCS field; the fields supported are those of vm_set_vmcs_field.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {seL4_Word} field A VMX_GUEST_* encoding from vmcs_fields.h
 * @param {seL4_Word *} value Receives its value
 * @return 0 on success, -1 if vcpu or value is NULL or the field is not supported
 */
int vm_get_vmcs_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word *value);

#ifdef __cplusplus
}
#endif
