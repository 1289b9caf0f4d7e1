/* Compiles <sel4vm/guest_iospace.h> alone and checks its declaration against upstream's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_iospace.h>

void check_sel4vm_guest_iospace_h(void);
void check_sel4vm_guest_iospace_h(void)
{
    int (*add)(vm_t *, vspace_t *, seL4_CPtr) = vm_guest_add_iospace;
    (void)add;
}
