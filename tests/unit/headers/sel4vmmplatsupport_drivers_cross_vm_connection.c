/* Compiles <sel4vmmplatsupport/drivers/cross_vm_connection.h> alone. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>

void (*cross_vm_connection_h_consume)(vm_t *, seL4_Word, bool) = consume_connection_event;
