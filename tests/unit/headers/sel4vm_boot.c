/* Compiles <sel4vm/boot.h> alone and checks each declaration against upstream's exact prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/boot.h>

_Static_assert(BOOT_VCPU == 0, "BOOT_VCPU");

void check_sel4vm_boot_h(void);
void check_sel4vm_boot_h(void)
{
    int (*init)(vm_t *, vka_t *, simple_t *, vspace_t, ps_io_ops_t *, seL4_CPtr, const char *) = vm_init;
    vm_vcpu_t *(*create_vcpu)(vm_t *, int) = vm_create_vcpu;
    int (*assign_target)(vm_vcpu_t *, int) = vm_assign_vcpu_target;
    (void)init;
    (void)create_vcpu;
    (void)assign_target;
}
