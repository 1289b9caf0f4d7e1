/* Compiles <sel4vm/guest_vcpu_fault.h> alone and checks each declaration against upstream's exact prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_vcpu_fault.h>

void check_sel4vm_guest_vcpu_fault_h(void);
void check_sel4vm_guest_vcpu_fault_h(void)
{
    seL4_Word (*address)(vm_vcpu_t *) = get_vcpu_fault_address;
    seL4_Word (*ip)(vm_vcpu_t *) = get_vcpu_fault_ip;
    seL4_Word (*data)(vm_vcpu_t *) = get_vcpu_fault_data;
    seL4_Word (*mask)(vm_vcpu_t *) = get_vcpu_fault_data_mask;
    size_t (*size)(vm_vcpu_t *) = get_vcpu_fault_size;
    bool (*is_read)(vm_vcpu_t *) = is_vcpu_read_fault;
    int (*set_data)(vm_vcpu_t *, seL4_Word) = set_vcpu_fault_data;
    seL4_Word (*emulate)(vm_vcpu_t *, seL4_Word) = emulate_vcpu_fault;
    void (*advance)(vm_vcpu_t *) = advance_vcpu_fault;
    void (*restart)(vm_vcpu_t *) = restart_vcpu_fault;
    (void)address;
    (void)ip;
    (void)data;
    (void)mask;
    (void)size;
    (void)is_read;
    (void)set_data;
    (void)emulate;
    (void)advance;
    (void)restart;
}
