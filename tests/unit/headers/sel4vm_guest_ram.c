/* Compiles <sel4vm/guest_ram.h> alone and checks each declaration against upstream's exact prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_ram.h>

_Static_assert(__builtin_types_compatible_p(ram_touch_callback_fn,
                                            int (*)(vm_t *, uintptr_t, void *, size_t, size_t, void *)),
               "ram_touch_callback_fn");

void check_sel4vm_guest_ram_h(void);
void check_sel4vm_guest_ram_h(void)
{
    ram_touch_callback_fn read_cb = vm_guest_ram_read_callback;
    ram_touch_callback_fn write_cb = vm_guest_ram_write_callback;
    int (*touch)(vm_t *, uintptr_t, size_t, ram_touch_callback_fn, void *) = vm_ram_touch;
    int (*largest)(vm_t *, uintptr_t *, size_t *) = vm_ram_find_largest_free_region;
    uintptr_t (*reg)(vm_t *, size_t) = vm_ram_register;
    int (*reg_at)(vm_t *, uintptr_t, size_t, bool) = vm_ram_register_at;
    int (*reg_at_it)(vm_t *, uintptr_t, size_t, memory_map_iterator_fn, void *) = vm_ram_register_at_custom_iterator;
    void (*mark)(vm_t *, uintptr_t, size_t) = vm_ram_mark_allocated;
    uintptr_t (*alloc)(vm_t *, size_t) = vm_ram_allocate;
    void (*ram_free)(vm_t *, uintptr_t, size_t) = vm_ram_free;
    (void)read_cb;
    (void)write_cb;
    (void)touch;
    (void)largest;
    (void)reg;
    (void)reg_at;
    (void)reg_at_it;
    (void)mark;
    (void)alloc;
    (void)ram_free;
}
