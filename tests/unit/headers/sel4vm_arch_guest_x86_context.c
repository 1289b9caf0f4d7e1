/* Compiles <sel4vm/arch/guest_x86_context.h> alone and checks each declaration against upstream's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/arch/guest_x86_context.h>

_Static_assert(VCPU_CONTEXT_EAX == 0 && VCPU_CONTEXT_EBP == 6, "32-bit registers");
_Static_assert(VCPU_CONTEXT_R8 == 7 && VCPU_CONTEXT_R15 == 14, "64-bit registers");

void check_sel4vm_arch_guest_x86_context_h(void);
void check_sel4vm_arch_guest_x86_context_h(void)
{
    int (*set_ctx)(vm_vcpu_t *, seL4_VCPUContext) = vm_set_thread_context;
    int (*set_reg)(vm_vcpu_t *, vcpu_context_reg_t, seL4_Word) = vm_set_thread_context_reg;
    int (*get_ctx)(vm_vcpu_t *, seL4_VCPUContext *) = vm_get_thread_context;
    int (*get_reg)(vm_vcpu_t *, vcpu_context_reg_t, seL4_Word *) = vm_get_thread_context_reg;
    int (*set_field)(vm_vcpu_t *, seL4_Word, seL4_Word) = vm_set_vmcs_field;
    int (*get_field)(vm_vcpu_t *, seL4_Word, seL4_Word *) = vm_get_vmcs_field;
    (void)set_ctx;
    (void)set_reg;
    (void)get_ctx;
    (void)get_reg;
    (void)set_field;
    (void)get_field;
}
