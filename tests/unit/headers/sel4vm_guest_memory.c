/* Compiles <sel4vm/guest_memory.h> alone and checks each declaration against upstream's exact prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_memory.h>

_Static_assert(__builtin_types_compatible_p(memory_fault_callback_fn,
                                            memory_fault_result_t (*)(vm_t *, vm_vcpu_t *, uintptr_t, size_t, void *)),
               "memory_fault_callback_fn");
_Static_assert(__builtin_types_compatible_p(memory_map_iterator_fn, vm_frame_t (*)(uintptr_t, void *)),
               "memory_map_iterator_fn");
_Static_assert(__builtin_types_compatible_p(__typeof__(((vm_frame_t *)0)->rights), seL4_CapRights_t), "rights");
_Static_assert(__builtin_types_compatible_p(__typeof__(((vm_frame_t *)0)->size_bits), size_t), "size_bits");

void check_sel4vm_guest_memory_h(void);
void check_sel4vm_guest_memory_h(void)
{
    vm_memory_reservation_t *(*reserve_at)(vm_t *, uintptr_t, size_t, memory_fault_callback_fn,
                                           void *) = vm_reserve_memory_at;
    vm_memory_reservation_t *(*reserve_anon)(vm_t *, size_t, size_t, memory_fault_callback_fn, void *,
                                             uintptr_t *) = vm_reserve_anon_memory;
    int (*make_anon)(vm_t *, uintptr_t, size_t) = vm_memory_make_anon;
    int (*free_res)(vm_t *, vm_memory_reservation_t *) = vm_free_reserved_memory;
    int (*map_res)(vm_t *, vm_memory_reservation_t *, memory_map_iterator_fn, void *) = vm_map_reservation;
    int (*map_frames)(vm_t *, vm_memory_reservation_t *, seL4_CPtr *, size_t, size_t) = vm_map_reservation_frames;
    void (*region)(vm_memory_reservation_t *, uintptr_t *, size_t *) = vm_get_reservation_memory_region;
    int (*init)(vm_t *) = vm_memory_init;
    (void)reserve_at;
    (void)reserve_anon;
    (void)make_anon;
    (void)free_res;
    (void)map_res;
    (void)map_frames;
    (void)region;
    (void)init;
}
