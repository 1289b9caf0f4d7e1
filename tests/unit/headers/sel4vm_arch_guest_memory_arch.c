/* Compiles <sel4vm/arch/guest_memory_arch.h> alone. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/arch/guest_memory_arch.h>

vm_t *sel4vm_arch_guest_memory_arch_h_vm;
vm_vcpu_t *sel4vm_arch_guest_memory_arch_h_vcpu;
