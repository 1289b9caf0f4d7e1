/* Compiles <sel4vmmplatsupport/device.h> alone and checks each declaration against upstream's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vmmplatsupport/device.h>

_Static_assert(__builtin_types_compatible_p(__typeof__(((struct device *)0)->handle_device_fault),
                                            int (*)(vm_t *, vm_vcpu_t *, struct device *, uintptr_t, size_t)),
               "handle_device_fault");
_Static_assert(__builtin_types_compatible_p(__typeof__(((struct device *)0)->pstart), seL4_Word), "pstart");

void check_sel4vmmplatsupport_device_h(void);
void check_sel4vmmplatsupport_device_h(void)
{
    int (*init)(device_list_t *) = device_list_init;
    int (*add)(device_list_t *, const struct device *) = add_device;
    struct device *(*find)(device_list_t *, uintptr_t) = find_device_by_pa;
    (void)init;
    (void)add;
    (void)find;
}
