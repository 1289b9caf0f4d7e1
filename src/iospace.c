/* IO spaces: there is no IOMMU behind the simulated machine, so none can be attached. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_iospace.h>
#include "vm_internal.h"

int vm_guest_add_iospace(vm_t *vm, vspace_t *loader, seL4_CPtr iospace)
{
    (void)loader;
    (void)iospace;
    ZF_LOGE("Failed to add IO space to VM %s: this machine has no IOMMU to program",
            vm != NULL && vm->vm_name != NULL ? vm->vm_name : "(NULL)");
    return -1;
}
