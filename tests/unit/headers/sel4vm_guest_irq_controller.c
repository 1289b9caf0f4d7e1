/* Compiles <sel4vm/guest_irq_controller.h> alone and checks each declaration against upstream's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_irq_controller.h>

_Static_assert(__builtin_types_compatible_p(irq_ack_fn_t, void (*)(vm_vcpu_t *, int, void *)), "irq_ack_fn_t");

void check_sel4vm_guest_irq_controller_h(void);
void check_sel4vm_guest_irq_controller_h(void)
{
    int (*inject)(vm_vcpu_t *, int) = vm_inject_irq;
    int (*level)(vm_vcpu_t *, int, int) = vm_set_irq_level;
    int (*reg)(vm_vcpu_t *, int, irq_ack_fn_t, void *) = vm_register_irq;
    int (*create)(vm_t *) = vm_create_default_irq_controller;
    (void)inject;
    (void)level;
    (void)reg;
    (void)create;
}
