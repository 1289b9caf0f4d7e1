/* Guest RAM: registering frame-backed RAM, the free/allocated region list, and VMM access through the physmap. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <glib.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/sim.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vm/guest_ram.h>
#include <vka/object.h>
#include "vm_internal.h"

/* One registration: its reservation and the frames this file allocated for it (NULL when the caller's). */
struct ram_backing {
    vm_memory_reservation_t *res;
    GArray *frames; /* vka_object_t */
};

/*
 * The RAM bookkeeping of a VM. vm->mem.ram_regions points at `regions` inside this block, so the state that
 * upstream's struct has no room for still hangs off the vm_t and is found from it without a global table.
 */
struct ram_state {
    GArray *backings; /* struct ram_backing */
    size_t capacity;  /* entries `regions` has room for */
    struct vm_ram_region regions[];
};

/* Iterator state while a registration maps frames the library allocates. */
struct ram_map_ctx {
    vm_t *vm;
    uintptr_t end;
    bool one_to_one;
    GArray *frames;
};

static bool ram_vm_ready(vm_t *vm, const char *what)
{
    if (vm == NULL || !vm->vm_initialised || vm->mem.reservation_cookie == NULL) {
        ZF_LOGE("Failed to %s: VM is NULL or not initialised", what);
        return false;
    }
    return true;
}

static struct ram_state *ram_state(vm_t *vm)
{
    if (vm->mem.ram_regions == NULL) {
        return NULL;
    }
    return (struct ram_state *)((char *)vm->mem.ram_regions - offsetof(struct ram_state, regions));
}

/* Makes room for `extra` more regions; the state is created on first use. */
static struct ram_state *ram_reserve_regions(vm_t *vm, size_t extra)
{
    struct ram_state *st = ram_state(vm);
    size_t used = (size_t)vm->mem.num_ram_regions;
    if (st != NULL && st->capacity - used >= extra) {
        return st;
    }
    size_t capacity = MAX(used + extra, st != NULL ? st->capacity * 2 : 8);
    struct ram_state *grown = realloc(st, sizeof(*grown) + capacity * sizeof(struct vm_ram_region));
    if (grown == NULL) {
        ZF_LOGE("Failed to grow the RAM region list: out of memory");
        return NULL;
    }
    if (st == NULL) {
        grown->backings = g_array_new(FALSE, FALSE, sizeof(struct ram_backing));
    }
    grown->capacity = capacity;
    vm->mem.ram_regions = grown->regions;
    return grown;
}

/* Restores the invariant that touching neighbours differ in allocation state. */
static void ram_merge_regions(vm_t *vm)
{
    struct vm_ram_region *r = vm->mem.ram_regions;
    int n = vm->mem.num_ram_regions;
    int out = 0;
    for (int i = 1; i < n; i++) {
        struct vm_ram_region *last = &r[out];
        if (last->start + last->size == r[i].start && !last->allocated == !r[i].allocated) {
            last->size += r[i].size;
        } else {
            r[++out] = r[i];
        }
    }
    vm->mem.num_ram_regions = n > 0 ? out + 1 : 0;
}

/* Index of the region containing addr, or -1. Regions are sorted and disjoint. */
static int ram_find_region(vm_t *vm, uintptr_t addr)
{
    int lo = 0, hi = vm->mem.num_ram_regions;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        struct vm_ram_region *r = &vm->mem.ram_regions[mid];
        if (addr < r->start) {
            hi = mid;
        } else if (addr - r->start >= r->size) {
            lo = mid + 1;
        } else {
            return mid;
        }
    }
    return -1;
}

/* True if [start, start + bytes) is non-empty and does not wrap. */
static bool range_ok(uintptr_t start, size_t bytes)
{
    return bytes != 0 && bytes - 1 <= UINTPTR_MAX - start;
}

/* Index of the region that holds all of [start, start + bytes) and has the given state, or -1. */
static int ram_find_containing(vm_t *vm, uintptr_t start, size_t bytes, bool allocated)
{
    int i = ram_find_region(vm, start);
    if (i < 0) {
        return -1;
    }
    struct vm_ram_region *r = &vm->mem.ram_regions[i];
    if (!r->allocated != !allocated || bytes > r->size - (start - r->start)) {
        return -1;
    }
    return i;
}

/*
 * Gives [start, start + bytes) inside region i the state `allocated`, splitting i into up to three pieces.
 * The caller has made room for two more regions.
 */
static void ram_set_state(vm_t *vm, int i, uintptr_t start, size_t bytes, bool allocated)
{
    struct vm_ram_region *r = vm->mem.ram_regions;
    struct vm_ram_region old = r[i];
    struct vm_ram_region pieces[3];
    int n = 0;
    if (start > old.start) {
        pieces[n++] = (struct vm_ram_region){ .start = old.start,
                                              .size = start - old.start,
                                              .allocated = old.allocated };
    }
    pieces[n++] = (struct vm_ram_region){ .start = start, .size = bytes, .allocated = allocated };
    size_t tail = old.size - (start - old.start) - bytes;
    if (tail > 0) {
        pieces[n++] = (struct vm_ram_region){ .start = start + bytes, .size = tail, .allocated = old.allocated };
    }
    memmove(&r[i + n], &r[i + 1], (size_t)(vm->mem.num_ram_regions - i - 1) * sizeof(*r));
    memcpy(&r[i], pieces, (size_t)n * sizeof(*r));
    vm->mem.num_ram_regions += n - 1;
    ram_merge_regions(vm);
}

/* Adds a free region; the caller has checked it overlaps no RAM and made room for it. */
static void ram_insert_free(vm_t *vm, uintptr_t start, size_t bytes)
{
    struct vm_ram_region *r = vm->mem.ram_regions;
    int n = vm->mem.num_ram_regions;
    int i = 0;
    while (i < n && r[i].start < start) {
        i++;
    }
    memmove(&r[i + 1], &r[i], (size_t)(n - i) * sizeof(*r));
    r[i] = (struct vm_ram_region){ .start = start, .size = bytes, .allocated = 0 };
    vm->mem.num_ram_regions = n + 1;
    ram_merge_regions(vm);
}

static bool ram_overlaps(vm_t *vm, uintptr_t start, size_t bytes)
{
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        struct vm_ram_region *r = &vm->mem.ram_regions[i];
        if (start <= r->start + (r->size - 1) && r->start <= start + (bytes - 1)) {
            return true;
        }
    }
    return false;
}

static void ram_free_frames(vm_t *vm, GArray *frames)
{
    if (frames == NULL) {
        return;
    }
    for (guint i = 0; i < frames->len; i++) {
        vka_free_object(vm->vka, &g_array_index(frames, vka_object_t, i));
    }
    g_array_free(frames, TRUE);
}

/* Allocates one frame of 2^bits bytes, at physical address paddr when one_to_one. */
static int ram_alloc_frame(struct ram_map_ctx *ctx, uintptr_t paddr, size_t bits, vka_object_t *frame)
{
    if (ctx->one_to_one) {
        return vka_alloc_frame_at(ctx->vm->vka, (uint32_t)bits, paddr, frame);
    }
    return vka_alloc_frame(ctx->vm->vka, (uint32_t)bits, frame);
}

/* Map iterator for RAM backed by the VM's allocator: 2 MiB frames where address and remaining size allow. */
static vm_frame_t ram_frame_iterator(uintptr_t addr, void *cookie)
{
    struct ram_map_ctx *ctx = cookie;
    vm_frame_t frame = { .cptr = seL4_CapNull, .rights = seL4_AllRights, .vaddr = addr, .size_bits = PAGE_BITS_4K };
    vka_object_t obj;
    int err = -1;
    if (IS_ALIGNED(addr, PAGE_BITS_2M) && ctx->end - addr >= PAGE_SIZE_2M) {
        err = ram_alloc_frame(ctx, addr, PAGE_BITS_2M, &obj);
        frame.size_bits = PAGE_BITS_2M;
    }
    if (err != 0) {
        /* A 2 MiB frame can be unavailable (fragmented or partly used memory) where 4 KiB ones are not. */
        err = ram_alloc_frame(ctx, addr, PAGE_BITS_4K, &obj);
        frame.size_bits = PAGE_BITS_4K;
    }
    if (err != 0) {
        ZF_LOGE("Failed to allocate a RAM frame for guest address 0x%" PRIxPTR "%s", addr,
                ctx->one_to_one ? " at the same physical address" : "");
        return frame;
    }
    g_array_append_val(ctx->frames, obj);
    frame.cptr = obj.cptr;
    return frame;
}

/*
 * Maps a fresh RAM reservation now, even when the VM defers mapping: RAM must never fault, and the iterator's
 * state does not outlive this call. On failure nothing stays mapped.
 */
static int ram_map_now(vm_t *vm, vm_memory_reservation_t *res, memory_map_iterator_fn iterator, void *cookie)
{
    if (vm_map_reservation(vm, res, iterator, cookie) != 0) {
        return -1;
    }
    return vm_memory_map_deferred(vm, res);
}

/*
 * Backs a reservation of [start, start + bytes) with frames and records it as free RAM. Frames come from the
 * caller's iterator, or from the VM's allocator when iterator is NULL. On failure the reservation is freed.
 */
static int ram_add(vm_t *vm, vm_memory_reservation_t *res, uintptr_t start, size_t bytes, bool one_to_one,
                   memory_map_iterator_fn iterator, void *cookie)
{
    struct ram_map_ctx ctx = { .vm = vm, .end = start + bytes, .one_to_one = one_to_one };
    struct ram_state *st = ram_reserve_regions(vm, 1);
    if (st == NULL) {
        vm_free_reserved_memory(vm, res);
        return -1;
    }
    if (iterator == NULL) {
        ctx.frames = g_array_new(FALSE, FALSE, sizeof(vka_object_t));
        iterator = ram_frame_iterator;
        cookie = &ctx;
    }
    if (ram_map_now(vm, res, iterator, cookie) != 0) {
        ZF_LOGE("Failed to register RAM at 0x%" PRIxPTR ": cannot back it with frames", start);
        vm_free_reserved_memory(vm, res);
        ram_free_frames(vm, ctx.frames);
        return -1;
    }
    struct ram_backing backing = { .res = res, .frames = ctx.frames };
    g_array_append_val(st->backings, backing);
    ram_insert_free(vm, start, bytes);
    return 0;
}

int vm_guest_ram_read_callback(vm_t *vm, uintptr_t guest_addr, void *vaddr, size_t size, size_t offset, void *buf)
{
    (void)vm;
    (void)guest_addr;
    if (vaddr == NULL || buf == NULL) {
        ZF_LOGE("Failed to read guest RAM: NULL %s", vaddr == NULL ? "vaddr" : "buffer");
        return -1;
    }
    memcpy((char *)buf + offset, vaddr, size);
    return 0;
}

int vm_guest_ram_write_callback(vm_t *vm, uintptr_t guest_addr, void *vaddr, size_t size, size_t offset, void *buf)
{
    (void)vm;
    (void)guest_addr;
    if (vaddr == NULL || buf == NULL) {
        ZF_LOGE("Failed to write guest RAM: NULL %s", vaddr == NULL ? "vaddr" : "buffer");
        return -1;
    }
    memcpy(vaddr, (const char *)buf + offset, size);
    return 0;
}

/* Guest RAM that is contiguous in physical memory from start to end, found by one lookup: a walk then needs one
 * lookup per run of frames rather than one per page. */
struct ram_run {
    uintptr_t start;
    uintptr_t end;
    uint8_t *host;
};

/* Where the guest-physical range [addr, addr + len) (inside one page) is in the physmap, or NULL; want is how
 * much of the walk is left from addr, so a new run is not looked up further than needed. */
static void *ram_host_pointer(vm_t *vm, uintptr_t addr, size_t len, size_t want, struct ram_run *run)
{
    if (addr >= run->start && addr + len <= run->end) {
        return run->host + (addr - run->start);
    }
    uintptr_t paddr;
    size_t bytes;
    if (sel4kvm_sim_vspace_resolve(vm->mem.vm_vspace_root.cptr, addr, want, &paddr, &bytes) != 0) {
        ZF_LOGE("Failed to touch guest RAM: no frame is mapped at 0x%" PRIxPTR, addr);
        return NULL;
    }
    uint8_t *host = sel4kvm_sim_paddr_to_host(paddr, bytes);
    if (host == NULL) {
        /* A run may span two banks of physical memory; the page alone cannot. */
        bytes = len;
        host = sel4kvm_sim_paddr_to_host(paddr, bytes);
    }
    if (host == NULL) {
        ZF_LOGE("Failed to touch guest RAM: the frame at 0x%" PRIxPTR " is not in physical memory", addr);
        return NULL;
    }
    *run = (struct ram_run){ .start = addr, .end = addr + bytes, .host = host };
    return host;
}

/* True if every byte of [addr, addr + size) is registered RAM (regions may differ in allocation state). */
static bool ram_covers(vm_t *vm, uintptr_t addr, size_t size)
{
    int i = ram_find_region(vm, addr);
    if (i < 0) {
        return false;
    }
    uintptr_t last = addr + (size - 1);
    for (;;) {
        struct vm_ram_region *r = &vm->mem.ram_regions[i];
        uintptr_t r_last = r->start + (r->size - 1);
        if (last <= r_last) {
            return true;
        }
        if (i + 1 >= vm->mem.num_ram_regions || vm->mem.ram_regions[i + 1].start != r_last + 1) {
            return false;
        }
        i++;
    }
}

int vm_ram_touch(vm_t *vm, uintptr_t addr, size_t size, ram_touch_callback_fn touch_callback, void *cookie)
{
    if (!ram_vm_ready(vm, "touch guest RAM")) {
        return -1;
    }
    if (touch_callback == NULL || !range_ok(addr, size)) {
        ZF_LOGE("Failed to touch guest RAM at 0x%" PRIxPTR ": NULL callback, or size 0x%zx is zero or wraps", addr,
                size);
        return -1;
    }
    if (!ram_covers(vm, addr, size)) {
        ZF_LOGE("Failed to touch guest RAM: [0x%" PRIxPTR ", +0x%zx) is not all registered RAM", addr, size);
        return -1;
    }
    struct ram_run run = { 0 };
    for (size_t offset = 0; offset < size;) {
        uintptr_t cur = addr + offset;
        size_t chunk = MIN(PAGE_SIZE_4K - (cur & (PAGE_SIZE_4K - 1)), size - offset);
        void *host = ram_host_pointer(vm, cur, chunk, size - offset, &run);
        if (host == NULL) {
            return -1;
        }
        int ret = touch_callback(vm, cur, host, chunk, offset, cookie);
        if (ret != 0) {
            return ret;
        }
        offset += chunk;
    }
    return 0;
}

int vm_ram_find_largest_free_region(vm_t *vm, uintptr_t *addr, size_t *size)
{
    if (!ram_vm_ready(vm, "find the largest free RAM region")) {
        return -1;
    }
    if (addr == NULL || size == NULL) {
        ZF_LOGE("Failed to find the largest free RAM region: NULL %s", addr == NULL ? "addr" : "size");
        return -1;
    }
    int best = -1;
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        struct vm_ram_region *r = &vm->mem.ram_regions[i];
        if (!r->allocated && (best < 0 || r->size > vm->mem.ram_regions[best].size)) {
            best = i;
        }
    }
    if (best < 0) {
        ZF_LOGE("Failed to find the largest free RAM region: no RAM is free");
        return -1;
    }
    *addr = vm->mem.ram_regions[best].start;
    *size = vm->mem.ram_regions[best].size;
    return 0;
}

uintptr_t vm_ram_register(vm_t *vm, size_t bytes)
{
    if (!ram_vm_ready(vm, "register RAM")) {
        return 0;
    }
    if (bytes == 0 || bytes > UINTPTR_MAX - PAGE_SIZE_4K) {
        ZF_LOGE("Failed to register RAM: size 0x%zx is zero or too large", bytes);
        return 0;
    }
    uintptr_t start = 0;
    vm_memory_reservation_t *res = vm_reserve_anon_memory(vm, bytes, PAGE_SIZE_4K, default_error_fault_callback, NULL,
                                                          &start);
    if (res == NULL) {
        ZF_LOGE("Failed to register 0x%zx bytes of RAM: no anonymous region (vm_memory_make_anon) has room", bytes);
        return 0;
    }
    /* The frames cover whole pages, and anonymous placement moves on by whole pages: all of it is RAM. */
    if (ram_add(vm, res, start, ROUND_UP(bytes, PAGE_SIZE_4K), false, NULL, NULL) != 0) {
        return 0;
    }
    return start;
}

/* Checks shared by the register_at forms; reserves [start, start + bytes) on success. */
static vm_memory_reservation_t *ram_reserve_at(vm_t *vm, uintptr_t start, size_t bytes)
{
    if (!ram_vm_ready(vm, "register RAM")) {
        return NULL;
    }
    if (bytes == 0 || !IS_ALIGNED(start, PAGE_BITS_4K) || !IS_ALIGNED(bytes, PAGE_BITS_4K) || !range_ok(start, bytes)) {
        ZF_LOGE("Failed to register RAM at 0x%" PRIxPTR ": start and size 0x%zx must be 4 KiB aligned, non-zero and "
                "not wrap",
                start, bytes);
        return NULL;
    }
    if (ram_overlaps(vm, start, bytes)) {
        ZF_LOGE("Failed to register RAM at 0x%" PRIxPTR ": it overlaps registered RAM", start);
        return NULL;
    }
    vm_memory_reservation_t *res = vm_reserve_memory_at(vm, start, bytes, default_error_fault_callback, NULL);
    if (res == NULL) {
        ZF_LOGE("Failed to register RAM at 0x%" PRIxPTR ": the range is already reserved", start);
    }
    return res;
}

int vm_ram_register_at(vm_t *vm, uintptr_t start, size_t bytes, bool untyped)
{
    vm_memory_reservation_t *res = ram_reserve_at(vm, start, bytes);
    if (res == NULL) {
        return -1;
    }
    return ram_add(vm, res, start, bytes, untyped, NULL, NULL);
}

int vm_ram_register_at_custom_iterator(vm_t *vm, uintptr_t start, size_t bytes, memory_map_iterator_fn map_iterator,
                                       void *cookie)
{
    if (map_iterator == NULL) {
        ZF_LOGE("Failed to register RAM at 0x%" PRIxPTR ": map iterator is NULL", start);
        return -1;
    }
    vm_memory_reservation_t *res = ram_reserve_at(vm, start, bytes);
    if (res == NULL) {
        return -1;
    }
    return ram_add(vm, res, start, bytes, false, map_iterator, cookie);
}

void vm_ram_mark_allocated(vm_t *vm, uintptr_t start, size_t bytes)
{
    if (!ram_vm_ready(vm, "mark RAM allocated")) {
        return;
    }
    int i = range_ok(start, bytes) ? ram_find_containing(vm, start, bytes, false) : -1;
    if (i < 0) {
        ZF_LOGE("Failed to mark RAM allocated: [0x%" PRIxPTR ", +0x%zx) is empty or not inside one free region", start,
                bytes);
        return;
    }
    if (ram_reserve_regions(vm, 2) != NULL) {
        ram_set_state(vm, i, start, bytes, true);
    }
}

/* The first address of free region r an allocation of bytes may take, or 0 if none: 0 is the failure value. */
static uintptr_t ram_fit(const struct vm_ram_region *r, size_t bytes)
{
    uintptr_t start = r->start != 0 ? r->start : PAGE_SIZE_4K;
    if (start - r->start >= r->size || r->size - (start - r->start) < bytes) {
        return 0;
    }
    return start;
}

uintptr_t vm_ram_allocate(vm_t *vm, size_t bytes)
{
    if (!ram_vm_ready(vm, "allocate RAM")) {
        return 0;
    }
    if (bytes == 0) {
        ZF_LOGE("Failed to allocate RAM: size is zero");
        return 0;
    }
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        struct vm_ram_region *r = &vm->mem.ram_regions[i];
        uintptr_t start = r->allocated ? 0 : ram_fit(r, bytes);
        if (start != 0) {
            if (ram_reserve_regions(vm, 2) == NULL) {
                return 0;
            }
            ram_set_state(vm, i, start, bytes, true);
            return start;
        }
    }
    ZF_LOGE("Failed to allocate 0x%zx bytes of RAM: no free region is large enough", bytes);
    return 0;
}

void vm_ram_free(vm_t *vm, uintptr_t start, size_t bytes)
{
    if (!ram_vm_ready(vm, "free RAM")) {
        return;
    }
    int i = range_ok(start, bytes) ? ram_find_containing(vm, start, bytes, true) : -1;
    if (i < 0) {
        ZF_LOGE("Failed to free RAM: [0x%" PRIxPTR ", +0x%zx) is empty or not allocated RAM", start, bytes);
        return;
    }
    if (ram_reserve_regions(vm, 2) != NULL) {
        ram_set_state(vm, i, start, bytes, false);
    }
}

void vm_ram_destroy(vm_t *vm)
{
    if (vm == NULL) {
        return;
    }
    struct ram_state *st = ram_state(vm);
    if (st == NULL) {
        return;
    }
    for (guint i = 0; i < st->backings->len; i++) {
        struct ram_backing *b = &g_array_index(st->backings, struct ram_backing, i);
        /* vm_memory_destroy may have released every reservation already, unmapping the frames. */
        if (vm->mem.reservation_cookie != NULL) {
            vm_free_reserved_memory(vm, b->res);
        }
        ram_free_frames(vm, b->frames);
    }
    g_array_free(st->backings, TRUE);
    free(st);
    vm->mem.ram_regions = NULL;
    vm->mem.num_ram_regions = 0;
}
