/* vCPU registers: general-purpose context and VMCS-named guest state, checked here and kept by the backend. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/vmcs_fields.h>
#include "vm_internal.h"

/* The guest-state fields with a meaning outside a VMCS; their position is their index. */
static const seL4_Word supported_fields[VMCS_FIELD_COUNT] = {
    VMX_GUEST_RIP,       VMX_GUEST_RSP,        VMX_GUEST_RFLAGS,     VMX_GUEST_CR0,
    VMX_GUEST_CR3,       VMX_GUEST_CR4,        VMX_GUEST_EFER,
#define SEGMENT_FIELDS(seg)                                                                                            \
    VMX_GUEST_##seg##_SELECTOR, VMX_GUEST_##seg##_BASE, VMX_GUEST_##seg##_LIMIT, VMX_GUEST_##seg##_ACCESS_RIGHTS
    SEGMENT_FIELDS(ES),  SEGMENT_FIELDS(CS),   SEGMENT_FIELDS(SS),   SEGMENT_FIELDS(DS),
    SEGMENT_FIELDS(FS),  SEGMENT_FIELDS(GS),   SEGMENT_FIELDS(LDTR), SEGMENT_FIELDS(TR),
#undef SEGMENT_FIELDS
    VMX_GUEST_GDTR_BASE, VMX_GUEST_GDTR_LIMIT, VMX_GUEST_IDTR_BASE,  VMX_GUEST_IDTR_LIMIT,
};

int vmcs_field_index(seL4_Word field)
{
    for (int i = 0; i < VMCS_FIELD_COUNT; i++) {
        if (supported_fields[i] == field) {
            return i;
        }
    }
    return -1;
}

static const struct vm_backend_ops *vcpu_ops(vm_vcpu_t *vcpu, const char *what)
{
    if (vcpu == NULL || vcpu->vm == NULL || vm_private(vcpu->vm) == NULL || vcpu->vcpu_arch.guest_state == NULL) {
        ZF_LOGE("Failed to %s: vcpu is NULL or its VM is not initialised", what);
        return NULL;
    }
    return vm_private(vcpu->vm)->ops;
}

/* The member of seL4_VCPUContext a vcpu_context_reg_t names; NULL for an invalid name. */
static seL4_Word *context_member(seL4_VCPUContext *context, vcpu_context_reg_t reg)
{
    seL4_Word *members[] = {
        &context->eax, &context->ebx, &context->ecx, &context->edx, &context->esi, &context->edi, &context->ebp,
#ifdef CONFIG_X86_64_VTX_64BIT_GUESTS
        &context->r8,  &context->r9,  &context->r10, &context->r11, &context->r12, &context->r13, &context->r14,
        &context->r15,
#endif
    };
    if ((unsigned)reg >= ARRAY_SIZE(members)) {
        ZF_LOGE("Failed to access register: %d is not a vcpu_context_reg_t", (int)reg);
        return NULL;
    }
    return members[reg];
}

int vm_set_thread_context(vm_vcpu_t *vcpu, seL4_VCPUContext context)
{
    const struct vm_backend_ops *ops = vcpu_ops(vcpu, "set vCPU context");
    return ops != NULL ? ops->set_context(vcpu, &context) : -1;
}

int vm_get_thread_context(vm_vcpu_t *vcpu, seL4_VCPUContext *context)
{
    const struct vm_backend_ops *ops = vcpu_ops(vcpu, "get vCPU context");
    if (ops == NULL) {
        return -1;
    }
    if (context == NULL) {
        ZF_LOGE("Failed to get vCPU context: context is NULL");
        return -1;
    }
    return ops->get_context(vcpu, context);
}

int vm_set_thread_context_reg(vm_vcpu_t *vcpu, vcpu_context_reg_t reg, seL4_Word value)
{
    seL4_VCPUContext context;
    const struct vm_backend_ops *ops = vcpu_ops(vcpu, "set vCPU register");
    seL4_Word *member = context_member(&context, reg);
    if (ops == NULL || member == NULL || ops->get_context(vcpu, &context) != 0) {
        return -1;
    }
    *member = value;
    return ops->set_context(vcpu, &context);
}

int vm_get_thread_context_reg(vm_vcpu_t *vcpu, vcpu_context_reg_t reg, seL4_Word *value)
{
    seL4_VCPUContext context;
    const struct vm_backend_ops *ops = vcpu_ops(vcpu, "get vCPU register");
    if (ops == NULL) {
        return -1;
    }
    if (value == NULL) {
        ZF_LOGE("Failed to get vCPU register: value is NULL");
        return -1;
    }
    seL4_Word *member = context_member(&context, reg);
    if (member == NULL || ops->get_context(vcpu, &context) != 0) {
        return -1;
    }
    *value = *member;
    return 0;
}

int vm_set_vmcs_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word value)
{
    const struct vm_backend_ops *ops = vcpu_ops(vcpu, "set VMCS field");
    if (ops == NULL) {
        return -1;
    }
    if (vmcs_field_index(field) < 0) {
        ZF_LOGE("Failed to set VMCS field 0x%lx: not guest state this hypervisor has", (unsigned long)field);
        return -1;
    }
    return ops->set_field(vcpu, field, value);
}

int vm_get_vmcs_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word *value)
{
    const struct vm_backend_ops *ops = vcpu_ops(vcpu, "get VMCS field");
    if (ops == NULL) {
        return -1;
    }
    if (value == NULL) {
        ZF_LOGE("Failed to get VMCS field 0x%lx: value is NULL", (unsigned long)field);
        return -1;
    }
    if (vmcs_field_index(field) < 0) {
        ZF_LOGE("Failed to get VMCS field 0x%lx: not guest state this hypervisor has", (unsigned long)field);
        return -1;
    }
    return ops->get_field(vcpu, field, value);
}
