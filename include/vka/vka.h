/* seL4_libs' vka_t: the allocator interface for CSpace slots and kernel objects, and its checked wrappers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <autoconf.h>
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <sel4/sel4.h>
#include <sel4/types.h>
#include <utils/util.h>
#include <vka/cspacepath_t.h>

/***
 * @module vka.h
 * The virtual kernel allocator: a table of functions, implemented by an allocator, that hands out CSpace
 * slots and carves kernel objects out of untyped memory. Code written against `vka_t` works with any
 * allocator; `sel4kvm_vka_init` (sel4kvm/allocator.h) provides one over the simulated kernel's boot untypeds.
 * The wrappers below check their arguments and a missing implementation: where upstream aborts (ZF_LOGF) they
 * log an error and fail instead.
 */

/***
 * @function vka_cspace_alloc_fn(data, res)
 * Allocate an empty slot.
 * @param {void *} data The allocator's cookie
 * @param {seL4_CPtr *} res Receives the slot's cptr
 * @return 0 on success
 */
typedef int (*vka_cspace_alloc_fn)(void *data, seL4_CPtr *res);

/***
 * @function vka_cspace_make_path_fn(data, slot, res)
 * Describe an allocated slot as a cspacepath_t, for invocations such as Untyped_Retype.
 * @param {void *} data The allocator's cookie
 * @param {seL4_CPtr} slot Slot from cspace_alloc
 * @param {cspacepath_t *} res Path to fill in
 */
typedef void (*vka_cspace_make_path_fn)(void *data, seL4_CPtr slot, cspacepath_t *res);

/***
 * @function vka_cspace_free_fn(data, slot)
 * Return an allocated slot, which must be empty, to the allocator.
 * @param {void *} data The allocator's cookie
 * @param {seL4_CPtr} slot Slot from cspace_alloc
 */
typedef void (*vka_cspace_free_fn)(void *data, seL4_CPtr slot);

/***
 * @function vka_utspace_alloc_fn(data, dest, type, size_bits, res)
 * Retype untyped memory into one object whose cap is placed in dest.
 * @param {void *} data The allocator's cookie
 * @param {const cspacepath_t *} dest Path to an empty slot
 * @param {seL4_Word} type seL4 object type, as Untyped_Retype takes it
 * @param {seL4_Word} size_bits Object size, as Untyped_Retype takes it
 * @param {seL4_Word *} res Receives the cookie that frees the memory later
 * @return 0 on success
 */
typedef int (*vka_utspace_alloc_fn)(void *data, const cspacepath_t *dest, seL4_Word type, seL4_Word size_bits,
                                    seL4_Word *res);

/***
 * @function vka_utspace_alloc_at_fn(data, dest, type, size_bits, paddr, cookie)
 * Retype the untyped memory at one physical address into an object.
 * @param {void *} data The allocator's cookie
 * @param {const cspacepath_t *} dest Path to an empty slot
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Object size, as Untyped_Retype takes it
 * @param {uintptr_t} paddr Physical address the object must start at
 * @param {seL4_Word *} cookie Receives the allocation's cookie
 * @return 0 on success
 */
typedef int (*vka_utspace_alloc_at_fn)(void *data, const cspacepath_t *dest, seL4_Word type, seL4_Word size_bits,
                                       uintptr_t paddr, seL4_Word *cookie);

/***
 * @function vka_utspace_alloc_maybe_device_fn(data, dest, type, size_bits, can_use_dev, res)
 * As vka_utspace_alloc_fn, optionally falling back to device untypeds.
 * @param {void *} data The allocator's cookie
 * @param {const cspacepath_t *} dest Path to an empty slot
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Object size, as Untyped_Retype takes it
 * @param {bool} can_use_dev Whether device untyped memory may be used
 * @param {seL4_Word *} res Receives the allocation's cookie
 * @return 0 on success
 */
typedef int (*vka_utspace_alloc_maybe_device_fn)(void *data, const cspacepath_t *dest, seL4_Word type,
                                                 seL4_Word size_bits, bool can_use_dev, seL4_Word *res);

/***
 * @function vka_utspace_free_fn(data, type, size_bits, target)
 * Give an allocation's memory back. The caller deletes the object's caps first.
 * @param {void *} data The allocator's cookie
 * @param {seL4_Word} type Type the object was allocated with
 * @param {seL4_Word} size_bits Size the object was allocated with
 * @param {seL4_Word} target Cookie from the utspace alloc function
 */
typedef void (*vka_utspace_free_fn)(void *data, seL4_Word type, seL4_Word size_bits, seL4_Word target);

/***
 * @function vka_utspace_paddr_fn(data, target, type, size_bits)
 * The physical address of an allocated object.
 * @param {void *} data The allocator's cookie
 * @param {seL4_Word} target Cookie from the utspace alloc function
 * @param {seL4_Word} type Type the object was allocated with
 * @param {seL4_Word} size_bits Size the object was allocated with
 * @return the physical address, or VKA_NO_PADDR on error
 */
typedef uintptr_t (*vka_utspace_paddr_fn)(void *data, seL4_Word target, seL4_Word type, seL4_Word size_bits);

/* Never a valid object address (objects are at least 16-byte aligned), so it can mean "none" and "error". */
#define VKA_NO_PADDR 1

/***
 * @struct vka_t
 * An allocator: its cookie and its operations. Members left NULL make the matching wrapper fail.
 * @param {void *} data Cookie passed to every operation
 * @param {vka_cspace_alloc_fn} cspace_alloc Allocate a slot
 * @param {vka_cspace_make_path_fn} cspace_make_path Describe a slot as a path
 * @param {vka_utspace_alloc_fn} utspace_alloc Allocate an object from RAM untypeds
 * @param {vka_utspace_alloc_maybe_device_fn} utspace_alloc_maybe_device Allocate, device memory allowed
 * @param {vka_utspace_alloc_at_fn} utspace_alloc_at Allocate at a physical address
 * @param {vka_cspace_free_fn} cspace_free Free a slot
 * @param {vka_utspace_free_fn} utspace_free Free an object's memory
 * @param {vka_utspace_paddr_fn} utspace_paddr Physical address of an allocation
 */
typedef struct vka {
    void *data;
    vka_cspace_alloc_fn cspace_alloc;
    vka_cspace_make_path_fn cspace_make_path;
    vka_utspace_alloc_fn utspace_alloc;
    vka_utspace_alloc_maybe_device_fn utspace_alloc_maybe_device;
    vka_utspace_alloc_at_fn utspace_alloc_at;
    vka_cspace_free_fn cspace_free;
    vka_utspace_free_fn utspace_free;
    vka_utspace_paddr_fn utspace_paddr;
} vka_t;

/***
 * @function vka_cspace_alloc(vka, res)
 * Allocate an empty slot.
 * @param {vka_t *} vka The allocator
 * @param {seL4_CPtr *} res Receives the slot
 * @return 0 on success, -1 on bad arguments, or the allocator's error
 */
static inline int vka_cspace_alloc(vka_t *vka, seL4_CPtr *res)
{
    if (vka == NULL) {
        ZF_LOGE("Failed to allocate cslot: vka is NULL");
        return -1;
    }
    if (res == NULL) {
        ZF_LOGE("Failed to allocate cslot: res is NULL");
        return -1;
    }
    if (vka->cspace_alloc == NULL) {
        ZF_LOGE("Failed to allocate cslot: Unimplemented");
        return -1;
    }
    return vka->cspace_alloc(vka->data, res);
}

/***
 * @function vka_cspace_make_path(vka, slot, res)
 * Describe a slot as a cspacepath_t. On bad arguments (upstream aborts) res, if given, is zeroed, so its
 * capPtr of 0 marks it invalid.
 * @param {vka_t *} vka The allocator
 * @param {seL4_CPtr} slot Slot from vka_cspace_alloc
 * @param {cspacepath_t *} res Path to fill in
 */
static inline void vka_cspace_make_path(vka_t *vka, seL4_CPtr slot, cspacepath_t *res)
{
    if (res == NULL) {
        ZF_LOGE("Failed to make cspace path: res is NULL");
        return;
    }
    if (vka == NULL || vka->cspace_make_path == NULL) {
        *res = (cspacepath_t){ 0 };
        ZF_LOGE("Failed to make cspace path: %s", vka == NULL ? "vka is NULL" : "Unimplemented");
        return;
    }
    vka->cspace_make_path(vka->data, slot, res);
}

/***
 * @function vka_cspace_alloc_path(vka, res)
 * Allocate a slot and describe it as a path.
 * @param {vka_t *} vka The allocator
 * @param {cspacepath_t *} res Path to fill in
 * @return 0 on success, non-zero on failure (nothing is allocated then)
 */
static inline int vka_cspace_alloc_path(vka_t *vka, cspacepath_t *res)
{
    if (res == NULL) {
        ZF_LOGE("Failed to allocate cslot path: res is NULL");
        return -1;
    }
    if (vka != NULL && vka->cspace_make_path == NULL) {
        ZF_LOGE("Failed to allocate cslot path: Unimplemented");
        return -1;
    }
    seL4_CPtr slot;
    int error = vka_cspace_alloc(vka, &slot);
    if (error == seL4_NoError) {
        vka_cspace_make_path(vka, slot, res);
    }
    return error;
}

/***
 * @function vka_cspace_free(vka, slot)
 * Return a slot to the allocator. Delete its cap first (vka_cnode_delete).
 * @param {vka_t *} vka The allocator
 * @param {seL4_CPtr} slot Slot from vka_cspace_alloc
 */
static inline void vka_cspace_free(vka_t *vka, seL4_CPtr slot)
{
    if (vka == NULL) {
        ZF_LOGE("Failed to free cslot: vka is NULL");
        return;
    }
    if (vka->cspace_free == NULL) {
        ZF_LOGE("Failed to free cslot: Not implemented");
        return;
    }
    vka->cspace_free(vka->data, slot);
}

/***
 * @function vka_cspace_free_path(vka, path)
 * Return the slot a path names to the allocator.
 * @param {vka_t *} vka The allocator
 * @param {cspacepath_t} path Path from vka_cspace_alloc_path
 */
static inline void vka_cspace_free_path(vka_t *vka, cspacepath_t path)
{
    vka_cspace_free(vka, path.capPtr);
}

/***
 * @function vka_utspace_alloc(vka, dest, type, size_bits, res)
 * Allocate an object of RAM into an empty slot.
 * @param {vka_t *} vka The allocator
 * @param {const cspacepath_t *} dest Path to an empty slot
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Object size, as Untyped_Retype takes it
 * @param {seL4_Word *} res Receives the allocation's cookie
 * @return 0 on success, -1 on bad arguments, or the allocator's error
 */
static inline int vka_utspace_alloc(vka_t *vka, const cspacepath_t *dest, seL4_Word type, seL4_Word size_bits,
                                    seL4_Word *res)
{
    if (vka == NULL) {
        ZF_LOGE("Failed to allocate object: vka is NULL");
        return -1;
    }
    if (res == NULL) {
        ZF_LOGE("Failed to allocate object: res is NULL");
        return -1;
    }
    if (vka->utspace_alloc == NULL) {
        ZF_LOGE("Failed to allocate object: Not implemented");
        return -1;
    }
    return vka->utspace_alloc(vka->data, dest, type, size_bits, res);
}

/***
 * @function vka_utspace_alloc_maybe_device(vka, dest, type, size_bits, can_use_dev, res)
 * Allocate an object, using device untypeds when allowed and RAM is exhausted.
 * @param {vka_t *} vka The allocator
 * @param {const cspacepath_t *} dest Path to an empty slot
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Object size, as Untyped_Retype takes it
 * @param {bool} can_use_dev Whether device memory may be used
 * @param {seL4_Word *} res Receives the allocation's cookie
 * @return 0 on success, -1 on bad arguments, or the allocator's error
 */
static inline int vka_utspace_alloc_maybe_device(vka_t *vka, const cspacepath_t *dest, seL4_Word type,
                                                 seL4_Word size_bits, bool can_use_dev, seL4_Word *res)
{
    if (vka == NULL) {
        ZF_LOGE("Failed to allocate object: vka is NULL");
        return -1;
    }
    if (res == NULL) {
        ZF_LOGE("Failed to allocate object: res is NULL");
        return -1;
    }
    if (vka->utspace_alloc_maybe_device == NULL) {
        ZF_LOGE("Failed to allocate object: Not implemented");
        return -1;
    }
    return vka->utspace_alloc_maybe_device(vka->data, dest, type, size_bits, can_use_dev, res);
}

/***
 * @function vka_utspace_alloc_at(vka, dest, type, size_bits, paddr, cookie)
 * Allocate an object at a physical address.
 * @param {vka_t *} vka The allocator
 * @param {const cspacepath_t *} dest Path to an empty slot
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Object size, as Untyped_Retype takes it
 * @param {uintptr_t} paddr Physical address, aligned to the object's size
 * @param {seL4_Word *} cookie Receives the allocation's cookie
 * @return 0 on success, -1 on bad arguments, or the allocator's error
 */
static inline int vka_utspace_alloc_at(vka_t *vka, const cspacepath_t *dest, seL4_Word type, seL4_Word size_bits,
                                       uintptr_t paddr, seL4_Word *cookie)
{
    if (vka == NULL) {
        ZF_LOGE("Failed to allocate object at paddr: vka is NULL");
        return -1;
    }
    if (cookie == NULL) {
        ZF_LOGE("Failed to allocate object at paddr: cookie is NULL");
        return -1;
    }
    if (vka->utspace_alloc_at == NULL) {
        ZF_LOGE("Failed to allocate object at paddr: Not implemented");
        return -1;
    }
    return vka->utspace_alloc_at(vka->data, dest, type, size_bits, paddr, cookie);
}

/***
 * @function vka_utspace_free(vka, type, size_bits, target)
 * Give an object's memory back to the allocator. Delete every cap to the object first. Upstream aborts when
 * utspace_free is missing (unless CONFIG_LIB_VKA_ALLOW_MEMORY_LEAKS); ours logs an error and leaks.
 * @param {vka_t *} vka The allocator
 * @param {seL4_Word} type Type the object was allocated with
 * @param {seL4_Word} size_bits Size the object was allocated with
 * @param {seL4_Word} target The allocation's cookie
 */
static inline void vka_utspace_free(vka_t *vka, seL4_Word type, seL4_Word size_bits, seL4_Word target)
{
    if (vka == NULL) {
        ZF_LOGE("Failed to free object: vka is NULL");
        return;
    }
    if (vka->utspace_free == NULL) {
#ifndef CONFIG_LIB_VKA_ALLOW_MEMORY_LEAKS
        ZF_LOGE("Failed to free object: Not implemented");
#endif
        return;
    }
    vka->utspace_free(vka->data, type, size_bits, target);
}

/***
 * @function vka_utspace_paddr(vka, target, type, size_bits)
 * The physical address of an allocated object.
 * @param {vka_t *} vka The allocator
 * @param {seL4_Word} target The allocation's cookie
 * @param {seL4_Word} type Type the object was allocated with
 * @param {seL4_Word} size_bits Size the object was allocated with
 * @return the physical address, or VKA_NO_PADDR on error
 */
static inline uintptr_t vka_utspace_paddr(vka_t *vka, seL4_Word target, seL4_Word type, seL4_Word size_bits)
{
    if (vka == NULL) {
        ZF_LOGE("Failed to get object paddr: vka is NULL");
        return VKA_NO_PADDR;
    }
    if (vka->utspace_paddr == NULL) {
        ZF_LOGE("Failed to get object paddr: Not implemented");
        return VKA_NO_PADDR;
    }
    return vka->utspace_paddr(vka->data, target, type, size_bits);
}
