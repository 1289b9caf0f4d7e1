/* Compiles <sel4vm/guest_vm_util.h> alone and checks each helper against upstream's exact prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_vm_util.h>

void check_sel4vm_guest_vm_util_h(void);
void check_sel4vm_guest_vm_util_h(void)
{
    seL4_CPtr (*tcb)(vm_vcpu_t *) = vm_get_vcpu_tcb;
    seL4_CPtr (*vcpu)(vm_t *, int) = vm_get_vcpu;
    vm_vcpu_t *(*for_target)(vm_t *, int) = vm_vcpu_for_target_cpu;
    vm_vcpu_t *(*free_vcpu)(vm_t *) = vm_find_free_unassigned_vcpu;
    int (*free_cpu)(vm_t *) = vm_find_free_unassigned_cpu;
    bool (*online)(vm_vcpu_t *) = is_vcpu_online;
    vspace_t *(*vspace)(vm_t *) = vm_get_vspace;
    vspace_t *(*vmm_vspace)(vm_t *) = vm_get_vmm_vspace;
    (void)tcb;
    (void)vcpu;
    (void)for_target;
    (void)free_vcpu;
    (void)free_cpu;
    (void)online;
    (void)vspace;
    (void)vmm_vspace;
}
