/* Compiles <sel4vm/arch/vmcall.h> alone and checks its declaration against upstream's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/arch/vmcall.h>

void check_sel4vm_arch_vmcall_h(void);
void check_sel4vm_arch_vmcall_h(void)
{
    int (*reg)(vm_t *, vmcall_handler, int) = vm_reg_new_vmcall_handler;
    (void)reg;
}
