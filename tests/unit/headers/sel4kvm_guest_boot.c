/* Compiles <sel4kvm/guest_boot.h> alone and checks each declaration's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4kvm/guest_boot.h>

_Static_assert(SEL4KVM_LONG_MODE_TABLES_SIZE % 4096 == 0, "SEL4KVM_LONG_MODE_TABLES_SIZE is a page multiple");

void check_sel4kvm_guest_boot_h(void);
void check_sel4kvm_guest_boot_h(void)
{
    int (*real)(vm_vcpu_t *, uintptr_t) = sel4kvm_vcpu_set_real_mode;
    int (*prot)(vm_vcpu_t *, uintptr_t) = sel4kvm_vcpu_set_protected_mode;
    int (*lng)(vm_vcpu_t *, uintptr_t, uintptr_t) = sel4kvm_vcpu_set_long_mode;
    (void)real;
    (void)prot;
    (void)lng;
}
