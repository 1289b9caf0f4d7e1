/* Compiles <sel4vm/guest_memory_helpers.h> alone and checks its declaration against upstream's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_memory_helpers.h>

void check_sel4vm_guest_memory_helpers_h(void);
void check_sel4vm_guest_memory_helpers_h(void)
{
    memory_fault_callback_fn error_cb = default_error_fault_callback;
    (void)error_cb;
}
