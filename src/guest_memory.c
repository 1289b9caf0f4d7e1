/* Guest memory reservations: regular and anonymous, mapping (now or on first fault), lookup and release. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_vcpu_fault.h>
#include "vm_internal.h"

static struct vm_memory_reservation_cookie *cookie_of(vm_t *vm, const char *what)
{
    if (vm == NULL || vm->mem.reservation_cookie == NULL) {
        ZF_LOGE("Failed to %s: VM is NULL or its memory is not initialised", what);
        return NULL;
    }
    return vm->mem.reservation_cookie;
}

/* The 4 KiB pages [start, end) that cover [addr, addr + size); false for an empty or wrapping range. */
static bool page_span(uintptr_t addr, size_t size, uintptr_t *start, uintptr_t *end)
{
    if (size == 0 || addr + size - 1 < addr || addr + size - 1 > UINTPTR_MAX - PAGE_SIZE_4K) {
        return false;
    }
    *start = ROUND_DOWN(addr, PAGE_SIZE_4K);
    *end = ROUND_UP(addr + size, PAGE_SIZE_4K);
    return true;
}

static bool span_is_free(struct vm_memory_reservation_cookie *c, uintptr_t start, uintptr_t end)
{
    return range_index_overlap(&c->regular, start, end) == NULL && range_index_overlap(&c->anon, start, end) == NULL &&
           range_index_overlap(&c->anon_regions, start, end) == NULL;
}

int vm_memory_init(vm_t *vm)
{
    if (vm == NULL || vm->mem.reservation_cookie != NULL) {
        ZF_LOGE("Failed to initialise VM memory: VM is NULL or already initialised");
        return -1;
    }
    struct vm_memory_reservation_cookie *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        ZF_LOGE("Failed to initialise VM memory: out of memory");
        return -1;
    }
    range_index_init(&c->regular);
    range_index_init(&c->anon);
    range_index_init(&c->anon_regions);
    vm->mem.reservation_cookie = c;
    return 0;
}

static vm_memory_reservation_t *reservation_new(vm_t *vm, uintptr_t addr, size_t size, uintptr_t start, uintptr_t end,
                                                memory_fault_callback_fn fault_callback, void *cookie)
{
    vm_memory_reservation_t *res = calloc(1, sizeof(*res));
    if (res == NULL) {
        ZF_LOGE("Failed to reserve 0x%" PRIxPTR ": out of memory", addr);
        return NULL;
    }
    res->vspace_res = vspace_reserve_deferred_rights_range_at(&vm->mem.vm_vspace, (void *)start, end - start, 1);
    if (res->vspace_res.res == NULL) {
        ZF_LOGE("Failed to reserve 0x%" PRIxPTR ": the guest address space refused it", addr);
        free(res);
        return NULL;
    }
    res->range = (struct range){ .start = start, .end = end };
    res->addr = addr;
    res->size = size;
    res->fault_callback = fault_callback;
    res->cookie = cookie;
    res->vm = vm;
    return res;
}

vm_memory_reservation_t *vm_reserve_memory_at(vm_t *vm, uintptr_t addr, size_t size,
                                              memory_fault_callback_fn fault_callback, void *cookie)
{
    struct vm_memory_reservation_cookie *c = cookie_of(vm, "reserve memory");
    uintptr_t start, end;
    if (c == NULL) {
        return NULL;
    }
    if (fault_callback == NULL) {
        ZF_LOGE("Failed to reserve 0x%" PRIxPTR ": fault callback is NULL", addr);
        return NULL;
    }
    if (!page_span(addr, size, &start, &end)) {
        ZF_LOGE("Failed to reserve 0x%" PRIxPTR ": size 0x%zx is zero or wraps", addr, size);
        return NULL;
    }
    if (!span_is_free(c, start, end)) {
        ZF_LOGE("Failed to reserve [0x%" PRIxPTR ", 0x%" PRIxPTR "): a page of it is already reserved", addr,
                addr + size);
        return NULL;
    }
    vm_memory_reservation_t *res = reservation_new(vm, addr, size, start, end, fault_callback, cookie);
    if (res != NULL) {
        range_index_insert(&c->regular, &res->range);
    }
    return res;
}

int vm_memory_make_anon(vm_t *vm, uintptr_t addr, size_t size)
{
    struct vm_memory_reservation_cookie *c = cookie_of(vm, "make anonymous memory");
    uintptr_t start, end;
    if (c == NULL) {
        return -1;
    }
    if (!page_span(addr, size, &start, &end) || !span_is_free(c, start, end)) {
        ZF_LOGE("Failed to make [0x%" PRIxPTR ", +0x%zx) anonymous: empty, wrapping or already reserved", addr, size);
        return -1;
    }
    struct anon_region *region = calloc(1, sizeof(*region));
    if (region == NULL) {
        return -1;
    }
    region->range = (struct range){ .start = start, .end = end };
    region->next = start;
    range_index_insert(&c->anon_regions, &region->range);
    return 0;
}

vm_memory_reservation_t *vm_reserve_anon_memory(vm_t *vm, size_t size, size_t align,
                                                memory_fault_callback_fn fault_callback, void *cookie, uintptr_t *addr)
{
    struct vm_memory_reservation_cookie *c = cookie_of(vm, "reserve anonymous memory");
    if (c == NULL) {
        return NULL;
    }
    if (fault_callback == NULL || addr == NULL || size == 0 || size > UINTPTR_MAX - PAGE_SIZE_4K ||
        !IS_POWER_OF_2(align)) {
        ZF_LOGE("Failed to reserve anonymous memory: NULL callback or addr, zero size, or align 0x%zx not a power "
                "of two",
                align);
        return NULL;
    }
    size_t need = ROUND_UP(size, PAGE_SIZE_4K);
    for (struct range *r = range_index_next(&c->anon_regions, 0); r != NULL;
         r = r->end == 0 ? NULL : range_index_next(&c->anon_regions, r->end)) {
        struct anon_region *region = (struct anon_region *)r;
        uintptr_t start = ROUND_UP(region->next, MAX(align, PAGE_SIZE_4K));
        if (start < region->next || start >= r->end || r->end - start < need) {
            continue;
        }
        vm_memory_reservation_t *res = reservation_new(vm, start, size, start, start + need, fault_callback, cookie);
        if (res == NULL) {
            return NULL;
        }
        res->anon = true;
        range_index_insert(&c->anon, &res->range);
        region->next = start + need;
        *addr = start;
        return res;
    }
    ZF_LOGE("Failed to reserve 0x%zx bytes of anonymous memory aligned to 0x%zx: no room", size, align);
    return NULL;
}

static void unmap_pages(vm_t *vm, vm_memory_reservation_t *res)
{
    if (res->pages == NULL) {
        return;
    }
    for (guint i = 0; i < res->pages->len; i++) {
        struct mapped_page *p = &g_array_index(res->pages, struct mapped_page, i);
        vspace_unmap_pages(&vm->mem.vm_vspace, (void *)p->vaddr, 1, p->size_bits, VSPACE_PRESERVE);
    }
    g_array_set_size(res->pages, 0);
    res->mapped = false;
}

static int map_now(vm_t *vm, vm_memory_reservation_t *res, memory_map_iterator_fn iterator, void *cookie)
{
    if (res->pages == NULL) {
        res->pages = g_array_new(FALSE, FALSE, sizeof(struct mapped_page));
    }
    for (uintptr_t addr = res->range.start; addr < res->range.end;) {
        vm_frame_t frame = iterator(addr, cookie);
        if (frame.cptr == seL4_CapNull) {
            ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": no frame for 0x%" PRIxPTR, res->addr, addr);
            goto fail;
        }
        if (frame.size_bits < PAGE_BITS_4K || frame.size_bits >= 48 || frame.vaddr < res->range.start ||
            frame.vaddr + BIT(frame.size_bits) > res->range.end || !IS_ALIGNED(frame.vaddr, frame.size_bits)) {
            ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": frame at 0x%" PRIxPTR " (2^%zu) is outside it",
                    res->addr, frame.vaddr, frame.size_bits);
            goto fail;
        }
        seL4_CPtr cap = frame.cptr;
        if (vspace_deferred_rights_map_pages_at_vaddr(&vm->mem.vm_vspace, &cap, NULL, (void *)frame.vaddr, 1,
                                                      frame.size_bits, frame.rights, res->vspace_res) != 0) {
            ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": mapping 0x%" PRIxPTR " failed", res->addr,
                    frame.vaddr);
            goto fail;
        }
        struct mapped_page p = { .vaddr = frame.vaddr, .size_bits = frame.size_bits };
        g_array_append_val(res->pages, p);
        addr = frame.vaddr + BIT(frame.size_bits);
    }
    res->mapped = true;
    return 0;

fail:
    unmap_pages(vm, res);
    return -1;
}

int vm_map_reservation(vm_t *vm, vm_memory_reservation_t *reservation, memory_map_iterator_fn map_iterator,
                       void *cookie)
{
    if (cookie_of(vm, "map reservation") == NULL || reservation == NULL || map_iterator == NULL ||
        reservation->vm != vm) {
        ZF_LOGE("Failed to map reservation: NULL argument or a reservation of another VM");
        return -1;
    }
    if (reservation->mapped || reservation->deferred_iterator != NULL) {
        ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": already mapped", reservation->addr);
        return -1;
    }
    if (vm_private(vm)->defer_memory_map) {
        reservation->deferred_iterator = map_iterator;
        reservation->deferred_cookie = cookie;
        return 0;
    }
    return map_now(vm, reservation, map_iterator, cookie);
}

struct frames_cookie {
    seL4_CPtr *frames;
    size_t num_frames;
    size_t size_bits;
    uintptr_t base;
};

static vm_frame_t frames_iterator(uintptr_t addr, void *cookie)
{
    struct frames_cookie *fc = cookie;
    size_t i = (addr - fc->base) >> fc->size_bits;
    vm_frame_t frame = { .cptr = seL4_CapNull, .rights = seL4_AllRights, .vaddr = addr, .size_bits = fc->size_bits };
    if (i < fc->num_frames) {
        frame.cptr = fc->frames[i];
    }
    return frame;
}

int vm_map_reservation_frames(vm_t *vm, vm_memory_reservation_t *reservation, seL4_CPtr *frames, size_t num_frames,
                              size_t frame_size_bits)
{
    if (reservation == NULL || frames == NULL || num_frames == 0 || frame_size_bits < PAGE_BITS_4K ||
        frame_size_bits >= 48) {
        ZF_LOGE("Failed to map frames: NULL reservation or frames, no frames, or frame size 2^%zu", frame_size_bits);
        return -1;
    }
    size_t span = reservation->range.end - reservation->range.start;
    if (num_frames > (span >> frame_size_bits) + 1 || (num_frames << frame_size_bits) < span) {
        ZF_LOGE("Failed to map frames: %zu frames of 2^%zu bytes do not cover the reservation of 0x%zx bytes",
                num_frames, frame_size_bits, span);
        return -1;
    }
    /* The iterator's state must outlive a deferred mapping, so it lives with the reservation's frames. */
    struct frames_cookie *fc = malloc(sizeof(*fc) + num_frames * sizeof(seL4_CPtr));
    if (fc == NULL) {
        return -1;
    }
    fc->frames = (seL4_CPtr *)(fc + 1);
    memcpy(fc->frames, frames, num_frames * sizeof(seL4_CPtr));
    fc->num_frames = num_frames;
    fc->size_bits = frame_size_bits;
    fc->base = reservation->range.start;
    int ret = vm_map_reservation(vm, reservation, frames_iterator, fc);
    if (ret != 0 || reservation->deferred_iterator == NULL) {
        free(fc);
    } else {
        reservation->owned_cookie = fc;
    }
    return ret;
}

static void reservation_release(vm_t *vm, struct vm_memory_reservation_cookie *c, vm_memory_reservation_t *res)
{
    unmap_pages(vm, res);
    if (res->pages != NULL) {
        g_array_free(res->pages, TRUE);
    }
    vspace_free_reservation(&vm->mem.vm_vspace, res->vspace_res);
    range_index_remove(res->anon ? &c->anon : &c->regular, &res->range);
    free(res->owned_cookie);
    free(res);
}

int vm_free_reserved_memory(vm_t *vm, vm_memory_reservation_t *reservation)
{
    struct vm_memory_reservation_cookie *c = cookie_of(vm, "free reservation");
    if (c == NULL || reservation == NULL || reservation->vm != vm) {
        ZF_LOGE("Failed to free reservation: NULL, or a reservation of another VM");
        return -1;
    }
    reservation_release(vm, c, reservation);
    return 0;
}

void vm_get_reservation_memory_region(vm_memory_reservation_t *reservation, uintptr_t *addr, size_t *size)
{
    if (reservation == NULL) {
        ZF_LOGE("Failed to get reservation region: reservation is NULL");
        return;
    }
    if (addr != NULL) {
        *addr = reservation->addr;
    }
    if (size != NULL) {
        *size = reservation->size;
    }
}

vm_memory_reservation_t *vm_memory_find_reservation(vm_t *vm, uintptr_t addr)
{
    struct vm_memory_reservation_cookie *c = vm->mem.reservation_cookie;
    struct range *r = range_index_find(&c->regular, addr);
    if (r == NULL) {
        r = range_index_find(&c->anon, addr);
    }
    vm_memory_reservation_t *res = (vm_memory_reservation_t *)r;
    if (res == NULL || addr < res->addr || addr - res->addr >= res->size) {
        return NULL;
    }
    return res;
}

int vm_memory_map_deferred(vm_t *vm, vm_memory_reservation_t *res)
{
    memory_map_iterator_fn iterator = res->deferred_iterator;
    if (iterator == NULL) {
        return 0;
    }
    res->deferred_iterator = NULL;
    return map_now(vm, res, iterator, res->deferred_cookie);
}

static gboolean collect(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    g_ptr_array_add(data, value);
    return FALSE;
}

size_t vm_memory_destroy(vm_t *vm)
{
    struct vm_memory_reservation_cookie *c = vm->mem.reservation_cookie;
    if (c == NULL) {
        return 0;
    }
    GPtrArray *all = g_ptr_array_new();
    g_tree_foreach(c->regular.tree, collect, all);
    g_tree_foreach(c->anon.tree, collect, all);
    size_t live = all->len;
    for (guint i = 0; i < all->len; i++) {
        reservation_release(vm, c, g_ptr_array_index(all, i));
    }
    g_ptr_array_set_size(all, 0);
    g_tree_foreach(c->anon_regions.tree, collect, all);
    for (guint i = 0; i < all->len; i++) {
        free(g_ptr_array_index(all, i));
    }
    g_ptr_array_free(all, TRUE);
    range_index_destroy(&c->regular);
    range_index_destroy(&c->anon);
    range_index_destroy(&c->anon_regions);
    free(c);
    vm->mem.reservation_cookie = NULL;
    return live;
}

memory_fault_result_t default_error_fault_callback(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t fault_addr, size_t fault_length,
                                                   void *cookie)
{
    (void)cookie;
    ZF_LOGE("VM %s: unexpected %s of %zu bytes at 0x%" PRIxPTR " (guest rip 0x%lx)",
            vm != NULL && vm->vm_name != NULL ? vm->vm_name : "?",
            vcpu != NULL && is_vcpu_read_fault(vcpu) ? "read" : "access", fault_length, fault_addr,
            vcpu != NULL ? (unsigned long)get_vcpu_fault_ip(vcpu) : 0ul);
    return FAULT_ERROR;
}
