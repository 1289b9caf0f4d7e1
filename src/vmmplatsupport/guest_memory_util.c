/* Backing guest reservations with allocated, device or physically placed frames (memory map iterators). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <inttypes.h>
#include <stdlib.h>

#include <glib.h>

#include <sel4vmmplatsupport/guest_memory_util.h>
#include <simple/simple.h>
#include <utils/util.h>
#include <vka/capops.h>
#include <vka/object.h>
#include <vspace/vspace.h>

#include "vm_internal.h"

#define FRAME_BITS seL4_PageBits
#define FRAME_SIZE BIT(FRAME_BITS)

typedef enum frame_source { FROM_VKA, FROM_VKA_MAYBE_DEVICE, FROM_PADDR } frame_source_t;

/* A frame obtained here: an allocator object, or a cap simple_t copied into a slot (nothing to give back). */
typedef struct owned_frame {
    vka_object_t object;
    bool from_simple;
} owned_frame_t;

/* State of the map_* iterator. frames lists what the current vm_map_reservation call obtained, so a failed
 * call can give it back; in deferred mode the iterator runs at the first fault and frames is NULL. */
typedef struct map_cookie {
    vm_t *vm;
    frame_source_t source;
    uintptr_t base; /* page of the reservation's start */
    uintptr_t paddr;
    GArray *frames;
} map_cookie_t;

/* State of the create_* iterator: one prepared copy of the frame cap to hand to the guest mapping. */
typedef struct single_frame_cookie {
    seL4_CPtr cap;
    seL4_CapRights_t rights;
    uintptr_t addr;
} single_frame_cookie_t;

static bool vm_ok(const char *what, vm_t *vm)
{
    if (vm == NULL || !vm->vm_initialised || vm->vka == NULL) {
        ZF_LOGE("Failed to %s: %s", what, vm == NULL ? "NULL vm" : "the VM is not initialised");
        return false;
    }
    return true;
}

static void release_frame(vka_t *vka, owned_frame_t *frame)
{
    if (!frame->from_simple) {
        vka_free_object(vka, &frame->object);
        return;
    }
    cspacepath_t path;
    vka_cspace_make_path(vka, frame->object.cptr, &path);
    vka_cnode_delete(&path);
    vka_cspace_free_path(vka, path);
}

/* The 4 KiB frame at a physical address: simple_t's cap when it has one, else carved from an untyped. */
static int frame_at_paddr(vm_t *vm, uintptr_t paddr, owned_frame_t *out)
{
    if (vm->simple != NULL && vm->simple->frame_cap != NULL) {
        cspacepath_t path;
        if (vka_cspace_alloc_path(vm->vka, &path) != 0) {
            ZF_LOGE("Failed to get the frame at paddr 0x%" PRIxPTR ": no free slot", paddr);
            return -1;
        }
        if (simple_get_frame_cap(vm->simple, (void *)paddr, FRAME_BITS, &path) == seL4_NoError) {
            *out = (owned_frame_t){ .object = { .cptr = path.capPtr, .size_bits = FRAME_BITS }, .from_simple = true };
            return 0;
        }
        vka_cspace_free_path(vm->vka, path);
    }
    *out = (owned_frame_t){ .from_simple = false };
    if (vka_alloc_frame_at(vm->vka, FRAME_BITS, paddr, &out->object) != 0) {
        ZF_LOGE("Failed to get the frame at paddr 0x%" PRIxPTR ": no free untyped covers it", paddr);
        return -1;
    }
    return 0;
}

static vm_frame_t map_iterator(uintptr_t addr, void *cookie)
{
    map_cookie_t *c = cookie;
    vm_frame_t none = { .cptr = seL4_CapNull, .rights = seL4_NoRights };
    uintptr_t page = ROUND_DOWN(addr, FRAME_SIZE);
    owned_frame_t frame = { .from_simple = false };
    int err;
    switch (c->source) {
    case FROM_VKA:
        err = vka_alloc_frame(c->vm->vka, FRAME_BITS, &frame.object);
        break;
    case FROM_VKA_MAYBE_DEVICE:
        err = vka_alloc_frame_maybe_device(c->vm->vka, FRAME_BITS, true, &frame.object);
        break;
    default:
        err = frame_at_paddr(c->vm, c->paddr + (page - c->base), &frame);
        break;
    }
    if (err != 0) {
        ZF_LOGE("Failed to back guest address 0x%" PRIxPTR ": no frame", page);
        return none;
    }
    if (c->frames != NULL) {
        g_array_append_val(c->frames, frame);
    }
    return (vm_frame_t){ .cptr = frame.object.cptr, .rights = seL4_AllRights, .vaddr = page, .size_bits = FRAME_BITS };
}

static bool deferred(vm_t *vm)
{
    struct vm_private *priv = vm_private(vm);
    return priv != NULL && priv->defer_memory_map;
}

/*
 * vm_map_reservation through an iterator whose cookie is heap state: freed once mapping is over, or in deferred
 * mode handed to the reservation (which frees it with itself) since the iterator runs at the first fault.
 */
static int map_with_cookie(vm_t *vm, vm_memory_reservation_t *reservation, memory_map_iterator_fn iterator,
                           void *cookie)
{
    bool defer = deferred(vm);
    int err = vm_map_reservation(vm, reservation, iterator, cookie);
    if (err == 0 && defer) {
        free(reservation->owned_cookie);
        reservation->owned_cookie = cookie;
    } else {
        free(cookie);
    }
    return err;
}

static int map_from(vm_t *vm, vm_memory_reservation_t *reservation, frame_source_t source, uintptr_t paddr)
{
    if (!vm_ok("back a reservation", vm)) {
        return -1;
    }
    if (reservation == NULL) {
        ZF_LOGE("Failed to back a reservation: NULL reservation");
        return -1;
    }
    uintptr_t start = 0;
    size_t size = 0;
    vm_get_reservation_memory_region(reservation, &start, &size);
    uintptr_t base = ROUND_DOWN(start, FRAME_SIZE);
    if (source == FROM_PADDR) {
        uintptr_t span = ROUND_UP(start + size, FRAME_SIZE) - base;
        if (!IS_ALIGNED(paddr, FRAME_BITS) || paddr + span < paddr) {
            ZF_LOGE("Failed to back a reservation: paddr 0x%" PRIxPTR " is unaligned or the range wraps", paddr);
            return -1;
        }
    }
    map_cookie_t *cookie = calloc(1, sizeof(*cookie));
    GArray *frames = deferred(vm) ? NULL : g_array_new(false, false, sizeof(owned_frame_t));
    if (cookie == NULL) {
        ZF_LOGE("Failed to back a reservation: out of memory");
        if (frames != NULL) {
            g_array_free(frames, true);
        }
        return -1;
    }
    *cookie = (map_cookie_t){ .vm = vm, .source = source, .base = base, .paddr = paddr, .frames = frames };
    int err = map_with_cookie(vm, reservation, map_iterator, cookie);
    if (frames != NULL) {
        for (guint i = 0; err != 0 && i < frames->len; i++) {
            release_frame(vm->vka, &g_array_index(frames, owned_frame_t, i));
        }
        g_array_free(frames, true);
    }
    return err == 0 ? 0 : -1;
}

int map_ut_alloc_reservation_with_base_paddr(vm_t *vm, uintptr_t paddr, vm_memory_reservation_t *reservation)
{
    return map_from(vm, reservation, FROM_PADDR, paddr);
}

int map_ut_alloc_reservation(vm_t *vm, vm_memory_reservation_t *reservation)
{
    uintptr_t start = 0;
    size_t size = 0;
    if (reservation != NULL) {
        vm_get_reservation_memory_region(reservation, &start, &size);
    }
    return map_from(vm, reservation, FROM_PADDR, ROUND_DOWN(start, FRAME_SIZE));
}

int map_frame_alloc_reservation(vm_t *vm, vm_memory_reservation_t *reservation)
{
    return map_from(vm, reservation, FROM_VKA, 0);
}

int map_maybe_device_reservation(vm_t *vm, vm_memory_reservation_t *reservation)
{
    return map_from(vm, reservation, FROM_VKA_MAYBE_DEVICE, 0);
}

/* ---- one shared page ------------------------------------------------------------------------------------------ */

static vm_frame_t single_frame_iterator(UNUSED uintptr_t addr, void *cookie)
{
    single_frame_cookie_t *c = cookie;
    return (vm_frame_t){ .cptr = c->cap, .rights = c->rights, .vaddr = c->addr, .size_bits = FRAME_BITS };
}

/*
 * Reserve the page at addr and map frame there for the guest (through a copy of its cap, since a cap maps once)
 * and anywhere in the VMM. On failure everything made here is undone; the frame stays the caller's.
 */
static void *share_frame(vm_t *vm, uintptr_t addr, seL4_CapRights_t rights, owned_frame_t *frame, int cacheable,
                         memory_fault_callback_fn callback, void *callback_cookie)
{
    vm_memory_reservation_t *res = vm_reserve_memory_at(vm, addr, FRAME_SIZE, callback, callback_cookie);
    if (res == NULL) {
        ZF_LOGE("Failed to share a frame at guest address 0x%" PRIxPTR ": the page cannot be reserved", addr);
        return NULL;
    }
    cspacepath_t src;
    cspacepath_t copy;
    vka_cspace_make_path(vm->vka, frame->object.cptr, &src);
    if (vka_cspace_alloc_path(vm->vka, &copy) != 0) {
        ZF_LOGE("Failed to share a frame at guest address 0x%" PRIxPTR ": no free slot", addr);
        vm_free_reserved_memory(vm, res);
        return NULL;
    }
    single_frame_cookie_t *cookie = calloc(1, sizeof(*cookie));
    void *vmm_addr = NULL;
    if (cookie == NULL || vka_cnode_copy(&copy, &src, seL4_AllRights) != 0) {
        ZF_LOGE("Failed to share a frame at guest address 0x%" PRIxPTR ": %s", addr,
                cookie == NULL ? "out of memory" : "cannot copy the frame cap");
        free(cookie);
        vka_cspace_free_path(vm->vka, copy);
        vm_free_reserved_memory(vm, res);
        return NULL;
    }
    *cookie = (single_frame_cookie_t){ .cap = copy.capPtr, .rights = rights, .addr = addr };
    vmm_addr = vspace_map_pages(&vm->mem.vmm_vspace, &frame->object.cptr, NULL, seL4_AllRights, 1, FRAME_BITS,
                                cacheable);
    if (vmm_addr == NULL || map_with_cookie(vm, res, single_frame_iterator, cookie) != 0) {
        ZF_LOGE("Failed to share a frame at guest address 0x%" PRIxPTR ": cannot map it into the %s", addr,
                vmm_addr == NULL ? "VMM" : "guest");
        if (vmm_addr == NULL) {
            free(cookie);
        } else {
            vspace_unmap_pages(&vm->mem.vmm_vspace, vmm_addr, 1, FRAME_BITS, NULL);
        }
        vm_free_reserved_memory(vm, res);
        vka_cnode_delete(&copy);
        vka_cspace_free_path(vm->vka, copy);
        return NULL;
    }
    return vmm_addr;
}

static bool page_args_ok(const char *what, vm_t *vm, uintptr_t addr, memory_fault_callback_fn callback)
{
    if (!vm_ok(what, vm)) {
        return false;
    }
    if (callback == NULL || !IS_ALIGNED(addr, FRAME_BITS)) {
        ZF_LOGE("Failed to %s: %s", what, callback == NULL ? "NULL fault callback" : "address not 4 KiB aligned");
        return false;
    }
    return true;
}

void *create_allocated_reservation_frame(vm_t *vm, uintptr_t addr, seL4_CapRights_t rights,
                                         memory_fault_callback_fn alloc_fault_callback, void *alloc_fault_cookie)
{
    if (!page_args_ok("create an allocated frame", vm, addr, alloc_fault_callback)) {
        return NULL;
    }
    owned_frame_t frame = { .from_simple = false };
    if (vka_alloc_frame(vm->vka, FRAME_BITS, &frame.object) != 0) {
        ZF_LOGE("Failed to create an allocated frame at 0x%" PRIxPTR ": out of frames", addr);
        return NULL;
    }
    void *vmm_addr = share_frame(vm, addr, rights, &frame, 1, alloc_fault_callback, alloc_fault_cookie);
    if (vmm_addr == NULL) {
        release_frame(vm->vka, &frame);
    }
    return vmm_addr;
}

void *create_device_reservation_frame(vm_t *vm, uintptr_t addr, seL4_CapRights_t rights,
                                      memory_fault_callback_fn fault_callback, void *fault_cookie)
{
    if (!page_args_ok("create a device frame", vm, addr, fault_callback)) {
        return NULL;
    }
    owned_frame_t frame;
    if (frame_at_paddr(vm, addr, &frame) != 0) {
        return NULL;
    }
    void *vmm_addr = share_frame(vm, addr, rights, &frame, 0, fault_callback, fault_cookie);
    if (vmm_addr == NULL) {
        release_frame(vm->vka, &frame);
    }
    return vmm_addr;
}
