/* Guest memory reservations: regular and anonymous, mapping (now or on first fault), lookup and release. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_vcpu_fault.h>
#include "vm_internal.h"

/* Frames are at least 4 KiB and must fit below the top of the EPT. */
#define FRAME_BITS_MIN PAGE_BITS_4K
#define FRAME_BITS_LIMIT 48

static struct vm_memory_reservation_cookie *cookie_of(vm_t *vm, const char *what)
{
    if (vm == NULL || vm->mem.reservation_cookie == NULL) {
        ZF_LOGE("Failed to %s: VM is NULL or its memory is not initialised", what);
        return NULL;
    }
    return vm->mem.reservation_cookie;
}

/* Checks membership before touching the reservation, so a freed or foreign pointer is refused, not read. */
static bool owned(struct vm_memory_reservation_cookie *c, vm_memory_reservation_t *res, const char *what)
{
    if (res == NULL) {
        ZF_LOGE("Failed to %s: reservation is NULL", what);
        return false;
    }
    if (!g_hash_table_contains(c->live, res)) {
        ZF_LOGE("Failed to %s: %p is not a live reservation of this VM", what, (void *)res);
        return false;
    }
    return true;
}

/* The 4 KiB pages [start, end) that cover [addr, addr + size); false (logged) for an empty or wrapping range. */
static bool page_span(uintptr_t addr, size_t size, const char *what, uintptr_t *start, uintptr_t *end)
{
    if (size == 0) {
        ZF_LOGE("Failed to %s at 0x%" PRIxPTR ": size is 0", what, addr);
        return false;
    }
    if (size > UINTPTR_MAX - addr || addr + size > UINTPTR_MAX - (PAGE_SIZE_4K - 1)) {
        ZF_LOGE("Failed to %s at 0x%" PRIxPTR ": 0x%zx bytes wrap around the address space", what, addr, size);
        return false;
    }
    *start = ROUND_DOWN(addr, PAGE_SIZE_4K);
    *end = ROUND_UP(addr + size, PAGE_SIZE_4K);
    return true;
}

/* Refuses pages already claimed by a reservation or an anonymous region, naming the first one in the way. */
static bool span_is_free(struct vm_memory_reservation_cookie *c, uintptr_t start, uintptr_t end, const char *what)
{
    const struct {
        struct range_index *ix;
        const char *name;
    } kinds[] = {
        { &c->regular, "reservation" },
        { &c->anon, "anonymous reservation" },
        { &c->anon_regions, "anonymous region" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        struct range *r = range_index_overlap(kinds[i].ix, start, end);
        if (r != NULL) {
            ZF_LOGE("Failed to %s [0x%" PRIxPTR ", 0x%" PRIxPTR "): its pages overlap the %s at [0x%" PRIxPTR
                    ", 0x%" PRIxPTR ")",
                    what, start, end, kinds[i].name, r->start, r->end);
            return false;
        }
    }
    return true;
}

int vm_memory_init(vm_t *vm)
{
    if (vm == NULL) {
        ZF_LOGE("Failed to initialise VM memory: vm is NULL");
        return -1;
    }
    if (vm->mem.reservation_cookie != NULL) {
        ZF_LOGE("Failed to initialise VM memory: it is already initialised");
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
    c->live = g_hash_table_new(g_direct_hash, g_direct_equal);
    vm->mem.reservation_cookie = c;
    return 0;
}

static vm_memory_reservation_t *reservation_new(vm_t *vm, uintptr_t addr, size_t size,
                                                memory_fault_callback_fn fault_callback, void *cookie)
{
    vm_memory_reservation_t *res = calloc(1, sizeof(*res));
    if (res == NULL) {
        ZF_LOGE("Failed to reserve 0x%" PRIxPTR ": out of memory", addr);
        return NULL;
    }
    res->range = (struct range){ .start = ROUND_DOWN(addr, PAGE_SIZE_4K), .end = ROUND_UP(addr + size, PAGE_SIZE_4K) };
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
    const char *what = "reserve memory";
    struct vm_memory_reservation_cookie *c = cookie_of(vm, what);
    uintptr_t start, end;
    if (c == NULL) {
        return NULL;
    }
    if (fault_callback == NULL) {
        ZF_LOGE("Failed to %s at 0x%" PRIxPTR ": fault callback is NULL", what, addr);
        return NULL;
    }
    if (!page_span(addr, size, what, &start, &end) || !span_is_free(c, start, end, what)) {
        return NULL;
    }
    reservation_t vres = vspace_reserve_deferred_rights_range_at(&vm->mem.vm_vspace, (void *)start, end - start, 1);
    if (vres.res == NULL) {
        ZF_LOGE("Failed to %s [0x%" PRIxPTR ", 0x%" PRIxPTR "): the guest address space has pages there in use", what,
                start, end);
        return NULL;
    }
    vm_memory_reservation_t *res = reservation_new(vm, addr, size, fault_callback, cookie);
    if (res == NULL) {
        vspace_free_reservation(&vm->mem.vm_vspace, vres);
        return NULL;
    }
    res->vspace_res = vres;
    bool inserted = range_index_insert(&c->regular, &res->range);
    assert(inserted);
    (void)inserted;
    g_hash_table_add(c->live, res);
    return res;
}

int vm_memory_make_anon(vm_t *vm, uintptr_t addr, size_t size)
{
    const char *what = "make anonymous region";
    struct vm_memory_reservation_cookie *c = cookie_of(vm, what);
    uintptr_t start, end;
    if (c == NULL || !page_span(addr, size, what, &start, &end) || !span_is_free(c, start, end, what)) {
        return -1;
    }
    /* The whole region is reserved up front, so that nothing else in the guest address space can land in it. */
    reservation_t vres = vspace_reserve_deferred_rights_range_at(&vm->mem.vm_vspace, (void *)start, end - start, 1);
    if (vres.res == NULL) {
        ZF_LOGE("Failed to %s [0x%" PRIxPTR ", 0x%" PRIxPTR "): the guest address space has pages there in use", what,
                start, end);
        return -1;
    }
    struct anon_region *region = calloc(1, sizeof(*region));
    if (region == NULL) {
        ZF_LOGE("Failed to %s at 0x%" PRIxPTR ": out of memory", what, addr);
        vspace_free_reservation(&vm->mem.vm_vspace, vres);
        return -1;
    }
    region->range = (struct range){ .start = start, .end = end };
    region->base = addr;
    region->limit = addr + size;
    region->next = addr;
    region->vspace_res = vres;
    bool inserted = range_index_insert(&c->anon_regions, &region->range);
    assert(inserted);
    (void)inserted;
    return 0;
}

/*
 * Where a region's bump pointer stands after a reservation: past ROUND_UP(size, 4 KiB), and on a page boundary
 * even when the region (and so its first reservation) starts mid-page, so two reservations never share a page.
 */
static uintptr_t bump_after(const vm_memory_reservation_t *res)
{
    return ROUND_UP(res->addr + ROUND_UP(res->size, PAGE_SIZE_4K), PAGE_SIZE_4K);
}

/* First fit, without wrapping: the reservation's start, or false if the region has no room. */
static bool anon_fit(const struct anon_region *region, size_t size, size_t align, uintptr_t *start)
{
    if (region->next > UINTPTR_MAX - (align - 1)) {
        return false;
    }
    uintptr_t s = ROUND_UP(region->next, align);
    if (s >= region->limit || region->limit - s < size) {
        return false;
    }
    *start = s;
    return true;
}

vm_memory_reservation_t *vm_reserve_anon_memory(vm_t *vm, size_t size, size_t align,
                                                memory_fault_callback_fn fault_callback, void *cookie, uintptr_t *addr)
{
    const char *what = "reserve anonymous memory";
    struct vm_memory_reservation_cookie *c = cookie_of(vm, what);
    if (c == NULL) {
        return NULL;
    }
    if (fault_callback == NULL) {
        ZF_LOGE("Failed to %s: fault callback is NULL", what);
        return NULL;
    }
    if (addr == NULL) {
        ZF_LOGE("Failed to %s: addr is NULL", what);
        return NULL;
    }
    if (size == 0) {
        ZF_LOGE("Failed to %s: size is 0", what);
        return NULL;
    }
    if (!IS_POWER_OF_2(align)) {
        ZF_LOGE("Failed to %s: align 0x%zx is not a non-zero power of two", what, align);
        return NULL;
    }
    for (struct range *r = range_index_next(&c->anon_regions, 0); r != NULL;
         r = range_index_next(&c->anon_regions, r->end)) {
        struct anon_region *region = (struct anon_region *)r;
        uintptr_t start;
        if (!anon_fit(region, size, align, &start)) {
            continue;
        }
        vm_memory_reservation_t *res = reservation_new(vm, start, size, fault_callback, cookie);
        if (res == NULL) {
            return NULL;
        }
        res->anon = true;
        res->vspace_res = region->vspace_res;
        bool inserted = range_index_insert(&c->anon, &res->range);
        assert(inserted);
        (void)inserted;
        g_hash_table_add(c->live, res);
        region->next = bump_after(res);
        *addr = start;
        return res;
    }
    ZF_LOGE("Failed to %s: no anonymous region has 0x%zx bytes free at an alignment of 0x%zx", what, size, align);
    return NULL;
}

/* Unmaps the pages recorded from index `from` on, one vspace call per run of contiguous pages of one size. */
static void unmap_from(vm_t *vm, vm_memory_reservation_t *res, guint from)
{
    GArray *pages = res->pages;
    vspace_t *vs = &vm->mem.vm_vspace;
    if (pages == NULL) {
        return;
    }
    for (guint i = from; i < pages->len;) {
        const struct mapped_page *first = &g_array_index(pages, struct mapped_page, i);
        size_t n = 1;
        while (i + n < pages->len) {
            const struct mapped_page *p = &g_array_index(pages, struct mapped_page, i + n);
            if (p->size_bits != first->size_bits || p->vaddr != first->vaddr + (n << first->size_bits)) {
                break;
            }
            n++;
        }
        /* Called through the table: the wrapper warns about address 0, an ordinary guest-physical address. */
        vs->unmap_pages(vs, (void *)first->vaddr, n, first->size_bits, VSPACE_PRESERVE);
        i += n;
    }
    g_array_set_size(pages, from);
    __atomic_store_n(&res->mapped, pages->len > 0, __ATOMIC_RELEASE);
}

static bool frame_fits(const vm_memory_reservation_t *res, const vm_frame_t *frame, uintptr_t addr)
{
    if (frame->cptr == seL4_CapNull) {
        ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": the iterator gave no frame for 0x%" PRIxPTR, res->addr,
                addr);
        return false;
    }
    if (frame->size_bits < FRAME_BITS_MIN || frame->size_bits >= FRAME_BITS_LIMIT) {
        ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": frame size 2^%zu is not a page size", res->addr,
                frame->size_bits);
        return false;
    }
    size_t bytes = BIT(frame->size_bits);
    if (!IS_ALIGNED(frame->vaddr, frame->size_bits)) {
        ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": frame address 0x%" PRIxPTR " is not aligned to 0x%zx",
                res->addr, frame->vaddr, bytes);
        return false;
    }
    if (frame->vaddr < res->range.start || frame->vaddr >= res->range.end || res->range.end - frame->vaddr < bytes) {
        ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": frame [0x%" PRIxPTR ", +0x%zx) is outside its pages "
                "[0x%" PRIxPTR ", 0x%" PRIxPTR ")",
                res->addr, frame->vaddr, bytes, res->range.start, res->range.end);
        return false;
    }
    return true;
}

static int map_now(vm_t *vm, vm_memory_reservation_t *res, memory_map_iterator_fn iterator, void *cookie)
{
    vspace_t *vs = &vm->mem.vm_vspace;
    if (vs->deferred_rights_map_pages_at_vaddr == NULL || vs->unmap_pages == NULL) {
        ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": the guest address space cannot map", res->addr);
        return -1;
    }
    if (res->pages == NULL) {
        res->pages = g_array_new(FALSE, FALSE, sizeof(struct mapped_page));
    }
    guint first = res->pages->len;
    uintptr_t end = res->addr + res->size;
    /* Set before the first frame: vcpu_fault_dispatch skips the memory check for reservations not mapped, and
     * a vCPU on another thread may reach a frame of this one before the last is in. */
    __atomic_store_n(&res->mapped, true, __ATOMIC_RELEASE);
    for (uintptr_t addr = res->addr; addr < end;) {
        vm_frame_t frame = iterator(addr, cookie);
        if (!frame_fits(res, &frame, addr)) {
            goto fail;
        }
        seL4_CPtr cap = frame.cptr;
        if (vs->deferred_rights_map_pages_at_vaddr(vs, &cap, NULL, (void *)frame.vaddr, 1, frame.size_bits,
                                                   frame.rights, res->vspace_res) != 0) {
            ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": frame 0x%lx at 0x%" PRIxPTR " was refused", res->addr,
                    (unsigned long)frame.cptr, frame.vaddr);
            goto fail;
        }
        struct mapped_page p = { .vaddr = frame.vaddr, .size_bits = frame.size_bits };
        g_array_append_val(res->pages, p);
        /* The next address the frame does not serve; always moves forward, whatever the iterator returned. */
        addr = ROUND_DOWN(addr, BIT(frame.size_bits)) + BIT(frame.size_bits);
    }
    return 0;

fail:
    unmap_from(vm, res, first);
    return -1;
}

/* Maps now, or in deferred mode records the iterator; owned_cookie (may be NULL) becomes the reservation's. */
static int map_or_defer(vm_t *vm, vm_memory_reservation_t *res, memory_map_iterator_fn iterator, void *cookie,
                        void *owned_cookie)
{
    if (res->mapped || res->deferred_iterator != NULL) {
        ZF_LOGE("Failed to map reservation at 0x%" PRIxPTR ": it is already mapped", res->addr);
        free(owned_cookie);
        return -1;
    }
    struct vm_private *priv = vm_private(vm);
    if (priv != NULL && priv->defer_memory_map) {
        free(res->owned_cookie);
        res->owned_cookie = owned_cookie;
        res->deferred_iterator = iterator;
        res->deferred_cookie = cookie;
        return 0;
    }
    int ret = map_now(vm, res, iterator, cookie);
    free(owned_cookie);
    return ret;
}

int vm_map_reservation(vm_t *vm, vm_memory_reservation_t *reservation, memory_map_iterator_fn map_iterator,
                       void *cookie)
{
    const char *what = "map reservation";
    struct vm_memory_reservation_cookie *c = cookie_of(vm, what);
    if (c == NULL || !owned(c, reservation, what)) {
        return -1;
    }
    if (map_iterator == NULL) {
        ZF_LOGE("Failed to %s at 0x%" PRIxPTR ": map iterator is NULL", what, reservation->addr);
        return -1;
    }
    return map_or_defer(vm, reservation, map_iterator, cookie, NULL);
}

/* vm_map_reservation_frames' iterator state; the caps are copied in, as a deferred mapping outlives the call. */
struct frames_cookie {
    size_t num_frames;
    size_t size_bits;
    uintptr_t base;
    seL4_CPtr frames[];
};

static vm_frame_t frames_iterator(uintptr_t addr, void *cookie)
{
    struct frames_cookie *fc = cookie;
    size_t i = (addr - fc->base) >> fc->size_bits;
    vm_frame_t frame = {
        .cptr = i < fc->num_frames ? fc->frames[i] : seL4_CapNull,
        .rights = seL4_AllRights,
        .vaddr = fc->base + (i << fc->size_bits),
        .size_bits = fc->size_bits,
    };
    return frame;
}

int vm_map_reservation_frames(vm_t *vm, vm_memory_reservation_t *reservation, seL4_CPtr *frames, size_t num_frames,
                              size_t frame_size_bits)
{
    const char *what = "map frames into reservation";
    struct vm_memory_reservation_cookie *c = cookie_of(vm, what);
    if (c == NULL || !owned(c, reservation, what)) {
        return -1;
    }
    if (frames == NULL || num_frames == 0) {
        ZF_LOGE("Failed to %s at 0x%" PRIxPTR ": no frames given", what, reservation->addr);
        return -1;
    }
    if (frame_size_bits < FRAME_BITS_MIN || frame_size_bits >= FRAME_BITS_LIMIT) {
        ZF_LOGE("Failed to %s at 0x%" PRIxPTR ": frame size 2^%zu is not a page size", what, reservation->addr,
                frame_size_bits);
        return -1;
    }
    size_t span = reservation->range.end - reservation->range.start;
    size_t needed = DIV_ROUND_UP(span, BIT(frame_size_bits));
    if (num_frames < needed) {
        ZF_LOGE("Failed to %s at 0x%" PRIxPTR ": %zu frames of 0x%lx bytes do not cover its 0x%zx bytes of pages", what,
                reservation->addr, num_frames, BIT(frame_size_bits), span);
        return -1;
    }
    if (num_frames > needed) {
        ZF_LOGW("Mapping frames into the reservation at 0x%" PRIxPTR ": %zu frames given, the last %zu are not used",
                reservation->addr, num_frames, num_frames - needed);
    }
    struct frames_cookie *fc = malloc(sizeof(*fc) + needed * sizeof(seL4_CPtr));
    if (fc == NULL) {
        ZF_LOGE("Failed to %s at 0x%" PRIxPTR ": out of memory", what, reservation->addr);
        return -1;
    }
    fc->num_frames = needed;
    fc->size_bits = frame_size_bits;
    fc->base = reservation->range.start;
    memcpy(fc->frames, frames, needed * sizeof(seL4_CPtr));
    return map_or_defer(vm, reservation, frames_iterator, fc, fc);
}

/* After freeing the topmost anonymous reservation of a region, its bump pointer drops back to what is left. */
static void anon_rewind(struct vm_memory_reservation_cookie *c, const vm_memory_reservation_t *res)
{
    struct anon_region *region = (struct anon_region *)range_index_find(&c->anon_regions, res->range.start);
    assert(region != NULL);
    if (region == NULL) {
        return;
    }
    if (res->range.end < region->range.end &&
        range_index_overlap(&c->anon, res->range.end, region->range.end) != NULL) {
        return;
    }
    struct range *below = res->range.start > region->range.start
                              ? range_index_overlap(&c->anon, region->range.start, res->range.start)
                              : NULL;
    region->next = below != NULL ? bump_after((const vm_memory_reservation_t *)below) : region->base;
}

static void reservation_release(vm_t *vm, struct vm_memory_reservation_cookie *c, vm_memory_reservation_t *res)
{
    unmap_from(vm, res, 0);
    if (res->pages != NULL) {
        g_array_free(res->pages, TRUE);
    }
    if (res->anon) {
        /* The region's vspace reservation stays: the pages go back to the region, not to the address space. */
        range_index_remove(&c->anon, &res->range);
        anon_rewind(c, res);
    } else {
        vspace_free_reservation(&vm->mem.vm_vspace, res->vspace_res);
        range_index_remove(&c->regular, &res->range);
    }
    g_hash_table_remove(c->live, res);
    free(res->owned_cookie);
    free(res);
}

int vm_free_reserved_memory(vm_t *vm, vm_memory_reservation_t *reservation)
{
    const char *what = "free reservation";
    struct vm_memory_reservation_cookie *c = cookie_of(vm, what);
    if (c == NULL || !owned(c, reservation, what)) {
        return -1;
    }
    reservation_release(vm, c, reservation);
    return 0;
}

void vm_get_reservation_memory_region(vm_memory_reservation_t *reservation, uintptr_t *addr, size_t *size)
{
    if (reservation == NULL || addr == NULL || size == NULL) {
        ZF_LOGE("Failed to get reservation region: reservation, addr and size must not be NULL");
        return;
    }
    *addr = reservation->addr;
    *size = reservation->size;
}

vm_memory_reservation_t *vm_memory_find_reservation(vm_t *vm, uintptr_t addr)
{
    struct vm_memory_reservation_cookie *c = vm != NULL ? vm->mem.reservation_cookie : NULL;
    if (c == NULL) {
        return NULL;
    }
    struct range *r = range_index_find(&c->regular, addr);
    if (r == NULL) {
        r = range_index_find(&c->anon, addr);
    }
    vm_memory_reservation_t *res = (vm_memory_reservation_t *)r;
    /* Pages belong to one reservation only, so a byte of its pages outside its exact range belongs to none. */
    if (res == NULL || addr < res->addr || addr - res->addr >= res->size) {
        return NULL;
    }
    return res;
}

int vm_memory_map_deferred(vm_t *vm, vm_memory_reservation_t *res)
{
    if (vm == NULL || res == NULL) {
        return -1;
    }
    memory_map_iterator_fn iterator = res->deferred_iterator;
    if (iterator == NULL) {
        return res->mapped ? 0 : -1;
    }
    /* Cleared first: a failed mapping is reported once, and later faults go to the callback. */
    res->deferred_iterator = NULL;
    return map_now(vm, res, iterator, res->deferred_cookie);
}

size_t vm_memory_destroy(vm_t *vm)
{
    struct vm_memory_reservation_cookie *c = vm != NULL ? vm->mem.reservation_cookie : NULL;
    if (c == NULL) {
        return 0;
    }
    size_t live = g_hash_table_size(c->live);
    GList *all = g_hash_table_get_keys(c->live);
    for (GList *l = all; l != NULL; l = l->next) {
        reservation_release(vm, c, l->data);
    }
    g_list_free(all);
    for (struct range *r = range_index_next(&c->anon_regions, 0); r != NULL;
         r = range_index_next(&c->anon_regions, 0)) {
        struct anon_region *region = (struct anon_region *)r;
        range_index_remove(&c->anon_regions, r);
        vspace_free_reservation(&vm->mem.vm_vspace, region->vspace_res);
        free(region);
    }
    range_index_destroy(&c->regular);
    range_index_destroy(&c->anon);
    range_index_destroy(&c->anon_regions);
    g_hash_table_destroy(c->live);
    free(c);
    vm->mem.reservation_cookie = NULL;
    return live;
}

memory_fault_result_t default_error_fault_callback(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t fault_addr, size_t fault_length,
                                                   void *cookie)
{
    (void)cookie;
    const char *name = vm != NULL && vm->vm_name != NULL ? vm->vm_name : "?";
    if (vcpu != NULL) {
        ZF_LOGE("VM %s: unexpected %s of %zu bytes at 0x%" PRIxPTR " (guest rip 0x%lx)", name,
                get_vcpu_fault_size(vcpu) == 0 ? "access"
                : is_vcpu_read_fault(vcpu)     ? "read"
                                               : "write",
                fault_length, fault_addr, (unsigned long)get_vcpu_fault_ip(vcpu));
    } else {
        ZF_LOGE("VM %s: unexpected access of %zu bytes at 0x%" PRIxPTR, name, fault_length, fault_addr);
    }
    return FAULT_ERROR;
}
