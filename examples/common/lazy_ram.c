/* RAM mapped on first touch (lazy_ram.h): a fault callback that maps a frame and returns FAULT_RESTART. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <vka/object.h>
#include "lazy_ram.h"

/* The map iterator for one page: the frame the callback just allocated (cookie), at the page's address. */
static vm_frame_t one_page(uintptr_t addr, void *cookie)
{
    vm_frame_t frame = {
        .cptr = ((vka_object_t *)cookie)->cptr,
        .rights = seL4_AllRights,
        .vaddr = addr,
        .size_bits = seL4_PageBits,
    };
    return frame;
}

static memory_fault_result_t map_on_first_touch(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)size;
    struct lazy_ram *l = cookie;
    size_t page = (addr - l->base) >> seL4_PageBits;
    /* A fresh frame from the vka reads as zeros, like untouched RAM. */
    if (vka_alloc_frame(l->vka, seL4_PageBits, &l->frames[page]) != 0) {
        return FAULT_ERROR;
    }
    if (vm_map_reservation(vm, l->pages[page], one_page, &l->frames[page]) != 0) {
        vka_free_object(l->vka, &l->frames[page]);
        return FAULT_ERROR;
    }
    l->mapped++;
    /* Not emulated: the library retries the access, which now finds the frame. */
    restart_vcpu_fault(vcpu);
    return FAULT_RESTART;
}

int lazy_ram_add(struct lazy_ram *l, vm_t *vm, vka_t *vka, uintptr_t base)
{
    memset(l, 0, sizeof(*l));
    l->vka = vka;
    l->base = base;
    for (; l->reserved < LAZY_PAGES; l->reserved++) {
        uintptr_t addr = base + ((uintptr_t)l->reserved << seL4_PageBits);
        l->pages[l->reserved] = vm_reserve_memory_at(vm, addr, BIT(seL4_PageBits), map_on_first_touch, l);
        if (l->pages[l->reserved] == NULL) {
            return -1;
        }
    }
    return 0;
}

void lazy_ram_remove(struct lazy_ram *l, vm_t *vm)
{
    /* Freeing a reservation unmaps its frame from the guest; the frame itself stays ours to free. */
    for (unsigned i = 0; i < l->reserved; i++) {
        vm_free_reserved_memory(vm, l->pages[i]);
        if (l->frames[i].cptr != seL4_CapNull) {
            vka_free_object(l->vka, &l->frames[i]);
        }
    }
    l->reserved = 0;
}
