/* Compiles <sel4vmmplatsupport/guest_memory_util.h> alone and checks each prototype against upstream's. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vmmplatsupport/guest_memory_util.h>

void check_sel4vmmplatsupport_guest_memory_util_h(void);
void check_sel4vmmplatsupport_guest_memory_util_h(void)
{
    void *(*alloc)(vm_t *, uintptr_t, seL4_CapRights_t, memory_fault_callback_fn,
                   void *) = create_allocated_reservation_frame;
    void *(*dev)(vm_t *, uintptr_t, seL4_CapRights_t, memory_fault_callback_fn,
                 void *) = create_device_reservation_frame;
    int (*ut_paddr)(vm_t *, uintptr_t, vm_memory_reservation_t *) = map_ut_alloc_reservation_with_base_paddr;
    int (*ut)(vm_t *, vm_memory_reservation_t *) = map_ut_alloc_reservation;
    int (*frames)(vm_t *, vm_memory_reservation_t *) = map_frame_alloc_reservation;
    int (*maybe)(vm_t *, vm_memory_reservation_t *) = map_maybe_device_reservation;
    (void)alloc;
    (void)dev;
    (void)ut_paddr;
    (void)ut;
    (void)frames;
    (void)maybe;
}
