/* Compiles <sel4vm/arch/ioports.h> alone and checks each declaration against upstream's exact prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/arch/ioports.h>

_Static_assert(IO_FAULT_HANDLED == 0 && IO_FAULT_UNHANDLED == 1 && IO_FAULT_ERROR == 2, "ioport_fault_result_t");
_Static_assert(__builtin_types_compatible_p(vm_ioport_in_fn,
                                            ioport_fault_result_t (*)(vm_vcpu_t *, void *, unsigned int, unsigned int,
                                                                      unsigned int *)),
               "vm_ioport_in_fn");
_Static_assert(__builtin_types_compatible_p(vm_ioport_out_fn,
                                            ioport_fault_result_t (*)(vm_vcpu_t *, void *, unsigned int, unsigned int,
                                                                      unsigned int)),
               "vm_ioport_out_fn");
_Static_assert(__builtin_types_compatible_p(unhandled_ioport_callback_fn,
                                            ioport_fault_result_t (*)(vm_vcpu_t *, unsigned int, bool, unsigned int *,
                                                                      size_t, void *)),
               "unhandled_ioport_callback_fn");
_Static_assert(__builtin_types_compatible_p(__typeof__(((vm_ioport_range_t *)0)->start), uint16_t), "start");
_Static_assert(__builtin_types_compatible_p(__typeof__(((vm_ioport_range_t *)0)->end), uint16_t), "end");
_Static_assert(__builtin_types_compatible_p(__typeof__(((vm_ioport_interface_t *)0)->desc), const char *), "desc");

void check_sel4vm_arch_ioports_h(void);
void check_sel4vm_arch_ioports_h(void)
{
    int (*add)(vm_t *, vm_ioport_range_t, vm_ioport_interface_t) = vm_io_port_add_handler;
    int (*unhandled)(vm_t *, unhandled_ioport_callback_fn, void *) = vm_register_unhandled_ioport_callback;
    int (*passthrough)(vm_vcpu_t *, uint16_t, uint16_t) = vm_enable_passthrough_ioport;
    vm_io_port_list_t list = { .num_ioports = 0, .ioports = NULL };
    (void)add;
    (void)unhandled;
    (void)passthrough;
    (void)list;
}
