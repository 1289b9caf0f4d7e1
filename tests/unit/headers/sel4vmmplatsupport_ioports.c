/* Compiles <sel4vmmplatsupport/ioports.h> alone and checks each declaration against upstream's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vmmplatsupport/ioports.h>

_Static_assert(IOPORT_FREE == 0 && IOPORT_ADDR == 1, "ioport_type_t");
_Static_assert(__builtin_types_compatible_p(ioport_in_fn, int (*)(void *, unsigned int, unsigned int, unsigned int *)),
               "ioport_in_fn");
_Static_assert(__builtin_types_compatible_p(ioport_out_fn, int (*)(void *, unsigned int, unsigned int, unsigned int)),
               "ioport_out_fn");
_Static_assert(__builtin_types_compatible_p(__typeof__(((vmm_io_port_list_t *)0)->ioports), ioport_entry_t **),
               "ioports");
_Static_assert(__builtin_types_compatible_p(__typeof__(((ioport_range_t *)0)->size), uint16_t), "size");

void check_sel4vmmplatsupport_ioports_h(void);
void check_sel4vmmplatsupport_ioports_h(void)
{
    int (*init)(vmm_io_port_list_t **, uint16_t) = vmm_io_port_init;
    ioport_entry_t *(*add)(vmm_io_port_list_t *, ioport_range_t, ioport_interface_t,
                           ioport_type_t) = vmm_io_port_add_handler;
    int (*emulate)(vmm_io_port_list_t *, unsigned int, bool, size_t, unsigned int *) = emulate_io_handler;
    (void)init;
    (void)add;
    (void)emulate;
}
