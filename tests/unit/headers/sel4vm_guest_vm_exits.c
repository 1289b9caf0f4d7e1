/* Compiles <sel4vm/guest_vm_exits.h> alone and checks its values against upstream's. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_vm_exits.h>

_Static_assert(VM_GUEST_MMIO_EXIT == 0 && VM_GUEST_IO_EXIT == 1 && VM_GUEST_NOTIFICATION_EXIT == 2 &&
                   VM_GUEST_UNKNOWN_EXIT == 3,
               "vm_exit_codes_t");
_Static_assert(VM_GUEST_ERROR_EXIT == -1, "VM_GUEST_ERROR_EXIT");

vm_exit_codes_t sel4vm_guest_vm_exits_h_type_exists;
