/* RAM mapped on first touch (the lazy-ram example's mechanism, also offered by sel4vm-run). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vm.h>
#include <vka/vka.h>

/* Where the lazy-ram example's guest expects it, and how much of it there is (its guest/main.c agrees). */
#define LAZY_BASE 0x40000000ul
#define LAZY_PAGES 64

/* vm_map_reservation backs a whole reservation at once, so each page is a reservation of its own: the callback
 * can then map exactly the page that faulted. All of them share one callback and this state. */
struct lazy_ram {
    vka_t *vka;
    uintptr_t base;
    unsigned reserved;
    unsigned mapped; /* pages the guest has touched */
    vm_memory_reservation_t *pages[LAZY_PAGES];
    vka_object_t frames[LAZY_PAGES];
};

/* Reserves LAZY_PAGES pages from base with nothing behind them; each is mapped when the guest first touches it.
 * On failure lazy_ram_remove still has to be called. */
int lazy_ram_add(struct lazy_ram *l, vm_t *vm, vka_t *vka, uintptr_t base);

/* Frees the reservations (which unmaps the frames from the guest) and the frames. */
void lazy_ram_remove(struct lazy_ram *l, vm_t *vm);
