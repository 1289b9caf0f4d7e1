/* seL4_libs' vka_object_t and the helpers that allocate, free and size kernel objects through a vka_t. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <utils/util.h>
#include <vka/vka.h>
#include <vka/kobject_t.h>

/***
 * @module object.h
 * An object is a cap in an allocated slot plus the untyped allocation behind it; `vka_object_t` keeps both
 * with the type and size, so that one call frees everything. The helpers check their arguments: a NULL
 * object, an unknown type or a missing implementation is an error with a message (upstream dereferences or
 * aborts).
 */

/***
 * @struct vka_object_t
 * One allocated kernel object.
 * @param {seL4_CPtr} cptr Slot holding the object's cap
 * @param {seL4_Word} ut Allocator cookie for the memory (frees it, yields its physical address)
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Size argument the object was retyped with
 */
typedef struct vka_object {
    seL4_CPtr cptr;
    seL4_Word ut;
    seL4_Word type;
    seL4_Word size_bits;
} vka_object_t;

/***
 * @function vka_alloc_object_at_maybe_dev(vka, type, size_bits, paddr, can_use_dev, result)
 * Allocate a slot and an object into it: anywhere when paddr is VKA_NO_PADDR, else at paddr.
 * @param {vka_t *} vka The allocator
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Size argument, as Untyped_Retype takes it
 * @param {uintptr_t} paddr Physical address, or VKA_NO_PADDR
 * @param {bool} can_use_dev Whether device untypeds may be used (ignored with a paddr)
 * @param {vka_object_t *} result Receives the object; zeroed on failure
 * @return 0 on success, non-zero on failure (the slot is freed again)
 */
static inline int vka_alloc_object_at_maybe_dev(vka_t *vka, seL4_Word type, seL4_Word size_bits, uintptr_t paddr,
                                                bool can_use_dev, vka_object_t *result)
{
    if (result == NULL) {
        ZF_LOGE("Failed to allocate object: result is NULL");
        return -1;
    }
    *result = (vka_object_t){ 0 };
    if (type >= seL4_ObjectTypeCount) {
        ZF_LOGE("Failed to allocate object: unknown object type %ld", (long)type);
        return -1;
    }
    int error = vka_cspace_alloc(vka, &result->cptr);
    if (unlikely(error)) {
        ZF_LOGE("Failed to allocate cslot: error %d", error);
        *result = (vka_object_t){ 0 };
        return error;
    }
    cspacepath_t path;
    vka_cspace_make_path(vka, result->cptr, &path);
    if (paddr == VKA_NO_PADDR) {
        error = vka_utspace_alloc_maybe_device(vka, &path, type, size_bits, can_use_dev, &result->ut);
        if (unlikely(error)) {
            ZF_LOGE("Failed to allocate object of type %ld, size_bits %ld: error %d", (long)type, (long)size_bits,
                    error);
        }
    } else {
        error = vka_utspace_alloc_at(vka, &path, type, size_bits, paddr, &result->ut);
        if (unlikely(error)) {
            ZF_LOGE("Failed to allocate object of type %ld, size_bits %ld at paddr %p: error %d", (long)type,
                    (long)size_bits, (void *)paddr, error);
        }
    }
    if (unlikely(error)) {
        vka_cspace_free(vka, result->cptr);
        *result = (vka_object_t){ 0 };
        return error;
    }
    result->type = type;
    result->size_bits = size_bits;
    return 0;
}

/***
 * @function vka_alloc_object_at(vka, type, size_bits, paddr, result)
 * Allocate an object at a physical address (RAM or device memory).
 * @param {vka_t *} vka The allocator
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Size argument, as Untyped_Retype takes it
 * @param {uintptr_t} paddr Physical address, or VKA_NO_PADDR for anywhere in RAM
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_object_at(vka_t *vka, seL4_Word type, seL4_Word size_bits, uintptr_t paddr,
                                      vka_object_t *result)
{
    return vka_alloc_object_at_maybe_dev(vka, type, size_bits, paddr, false, result);
}

/***
 * @function vka_alloc_object(vka, type, size_bits, result)
 * Allocate an object anywhere in RAM.
 * @param {vka_t *} vka The allocator
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Size argument, as Untyped_Retype takes it
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_object(vka_t *vka, seL4_Word type, seL4_Word size_bits, vka_object_t *result)
{
    return vka_alloc_object_at(vka, type, size_bits, VKA_NO_PADDR, result);
}

/***
 * @function vka_alloc_object_leaky(vka, type, size_bits)
 * Allocate an object and keep only its cap; it can never be freed.
 * @param {vka_t *} vka The allocator
 * @param {seL4_Word} type seL4 object type
 * @param {seL4_Word} size_bits Size argument
 * @return the cap, or 0 on failure
 */
static inline seL4_CPtr vka_alloc_object_leaky(vka_t *vka, seL4_Word type, seL4_Word size_bits) WARN_UNUSED_RESULT;
static inline seL4_CPtr vka_alloc_object_leaky(vka_t *vka, seL4_Word type, seL4_Word size_bits)
{
    vka_object_t result = { 0 };
    return vka_alloc_object(vka, type, size_bits, &result) != 0 ? 0 : result.cptr;
}

/***
 * @function vka_free_object(vka, object)
 * Delete the object's cap, free its slot and give its memory back.
 * @param {vka_t *} vka The allocator it came from
 * @param {vka_object_t *} object The object
 */
static inline void vka_free_object(vka_t *vka, vka_object_t *object)
{
    if (object == NULL) {
        ZF_LOGE("Failed to free object: object is NULL");
        return;
    }
    cspacepath_t path = { 0 };
    vka_cspace_make_path(vka, object->cptr, &path);
    if (path.capPtr == 0) {
        ZF_LOGE("Failed to create cspace path to object");
        return;
    }
    /* The memory is reclaimed by revoking its untyped, which removes any cap this delete could not. */
    seL4_CNode_Delete(path.root, path.capPtr, path.capDepth);
    vka_cspace_free(vka, object->cptr);
    vka_utspace_free(vka, object->type, object->size_bits, object->ut);
}

/***
 * @function vka_object_paddr(vka, object)
 * The physical address of an object.
 * @param {vka_t *} vka The allocator it came from
 * @param {vka_object_t *} object The object
 * @return the physical address, or VKA_NO_PADDR on error
 */
static inline uintptr_t vka_object_paddr(vka_t *vka, vka_object_t *object)
{
    if (object == NULL) {
        ZF_LOGE("Failed to get object paddr: object is NULL");
        return VKA_NO_PADDR;
    }
    return vka_utspace_paddr(vka, object->ut, object->type, object->size_bits);
}

/***
 * @function vka_alloc_untyped(vka, size_bits, result)
 * Allocate an untyped of 2^size_bits bytes of RAM.
 * @param {vka_t *} vka The allocator
 * @param {uint32_t} size_bits log2 of the size
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_untyped(vka_t *vka, uint32_t size_bits, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_UntypedObject, size_bits, result);
}

/***
 * @function vka_alloc_untyped_at(vka, size_bits, paddr, result)
 * Allocate an untyped at a physical address.
 * @param {vka_t *} vka The allocator
 * @param {uint32_t} size_bits log2 of the size
 * @param {uintptr_t} paddr Physical address, aligned to the size
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_untyped_at(vka_t *vka, uint32_t size_bits, uintptr_t paddr, vka_object_t *result)
{
    return vka_alloc_object_at(vka, seL4_UntypedObject, size_bits, paddr, result);
}

/***
 * @function vka_alloc_tcb(vka, result)
 * Allocate a TCB.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_tcb(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_TCBObject, seL4_TCBBits, result);
}

/***
 * @function vka_alloc_sched_context(vka, result)
 * Scheduling contexts exist only on MCS kernels; this one is not.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Zeroed if not NULL
 * @return ENOSYS, as upstream on a non-MCS kernel
 */
static inline int vka_alloc_sched_context(UNUSED vka_t *vka, vka_object_t *result)
{
    if (result != NULL) {
        *result = (vka_object_t){ 0 };
    }
    ZF_LOGW("Allocating sched context on non RT kernel");
    return ENOSYS;
}

/***
 * @function vka_alloc_sched_context_size(vka, result, size_bits)
 * As vka_alloc_sched_context.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Zeroed if not NULL
 * @param {uint32_t} size_bits Ignored
 * @return ENOSYS
 */
static inline int vka_alloc_sched_context_size(vka_t *vka, vka_object_t *result, UNUSED uint32_t size_bits)
{
    return vka_alloc_sched_context(vka, result);
}

/***
 * @function vka_alloc_endpoint(vka, result)
 * Allocate an endpoint.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_endpoint(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_EndpointObject, seL4_EndpointBits, result);
}

/***
 * @function vka_alloc_notification(vka, result)
 * Allocate a notification.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_notification(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_NotificationObject, seL4_NotificationBits, result);
}

/***
 * @function vka_alloc_async_endpoint(vka, result)
 * Deprecated name of vka_alloc_notification.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int __attribute__((deprecated("Use vka_alloc_notification")))
vka_alloc_async_endpoint(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_notification(vka, result);
}

/***
 * @function vka_alloc_reply(vka, result)
 * Reply objects exist only on MCS kernels; this one is not.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Zeroed if not NULL
 * @return ENOSYS, as upstream on a non-MCS kernel
 */
static inline int vka_alloc_reply(UNUSED vka_t *vka, vka_object_t *result)
{
    if (result != NULL) {
        *result = (vka_object_t){ 0 };
    }
    ZF_LOGW("Allocating reply on non RT kernel");
    return ENOSYS;
}

/***
 * @function vka_alloc_cnode_object(vka, slot_bits, result)
 * Allocate a CNode of 2^slot_bits slots.
 * @param {vka_t *} vka The allocator
 * @param {uint32_t} slot_bits log2 of the slot count
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_cnode_object(vka_t *vka, uint32_t slot_bits, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_CapTableObject, slot_bits, result);
}

/***
 * @function vka_alloc_frame(vka, size_bits, result)
 * Allocate a frame of RAM: 12 (4 KiB), 21 (2 MiB) or 30 (1 GiB) bits.
 * @param {vka_t *} vka The allocator
 * @param {uint32_t} size_bits log2 of the frame size
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure (also for an unsupported size)
 */
static inline int vka_alloc_frame(vka_t *vka, uint32_t size_bits, vka_object_t *result)
{
    return vka_alloc_object(vka, kobject_get_type(KOBJECT_FRAME, size_bits), size_bits, result);
}

/***
 * @function vka_alloc_frame_maybe_device(vka, size_bits, can_use_dev, result)
 * Allocate a frame, from device memory if allowed and RAM is exhausted.
 * @param {vka_t *} vka The allocator
 * @param {uint32_t} size_bits log2 of the frame size
 * @param {bool} can_use_dev Whether device memory may be used
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_frame_maybe_device(vka_t *vka, uint32_t size_bits, bool can_use_dev, vka_object_t *result)
{
    return vka_alloc_object_at_maybe_dev(vka, kobject_get_type(KOBJECT_FRAME, size_bits), size_bits, VKA_NO_PADDR,
                                         can_use_dev, result);
}

/***
 * @function vka_alloc_frame_at(vka, size_bits, paddr, result)
 * Allocate the frame at a physical address (RAM or device memory).
 * @param {vka_t *} vka The allocator
 * @param {uint32_t} size_bits log2 of the frame size
 * @param {uintptr_t} paddr Physical address, aligned to the frame size
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_frame_at(vka_t *vka, uint32_t size_bits, uintptr_t paddr, vka_object_t *result)
{
    return vka_alloc_object_at(vka, kobject_get_type(KOBJECT_FRAME, size_bits), size_bits, paddr, result);
}

/***
 * @function vka_alloc_page_directory(vka, result)
 * Allocate an x86 page directory.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_page_directory(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, kobject_get_type(KOBJECT_PAGE_DIRECTORY, 0), seL4_PageDirBits, result);
}

/***
 * @function vka_alloc_page_table(vka, result)
 * Allocate an x86 page table.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_page_table(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, kobject_get_type(KOBJECT_PAGE_TABLE, 0), seL4_PageTableBits, result);
}

/***
 * @function vka_alloc_kobject(vka, type, size_bits, result)
 * Allocate an object named by its generic kind.
 * @param {vka_t *} vka The allocator
 * @param {kobject_t} type Object kind
 * @param {seL4_Word} size_bits Size argument
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_kobject(vka_t *vka, kobject_t type, seL4_Word size_bits, vka_object_t *result)
{
    return vka_alloc_object(vka, kobject_get_type(type, size_bits), size_bits, result);
}

/* Leaky forms: allocate and keep only the cap (0 on failure); the object can never be freed. */
#define LEAKY(name)                                                                                                    \
    static inline seL4_CPtr vka_alloc_##name##_leaky(vka_t *vka) WARN_UNUSED_RESULT;                                   \
    static inline seL4_CPtr vka_alloc_##name##_leaky(vka_t *vka)                                                       \
    {                                                                                                                  \
        vka_object_t object;                                                                                           \
        if (vka_alloc_##name(vka, &object) != 0) {                                                                     \
            return 0;                                                                                                  \
        }                                                                                                              \
        return object.cptr;                                                                                            \
    }

LEAKY(tcb)
LEAKY(endpoint)
LEAKY(notification)
LEAKY(page_directory)
LEAKY(page_table)
LEAKY(sched_context)
LEAKY(reply)

static inline __attribute__((deprecated("use vka_alloc_notification_leaky"))) seL4_CPtr vka_alloc_async_endpoint_leaky(
    vka_t *vka)
{
    return vka_alloc_notification_leaky(vka);
}

#define LEAKY_SIZE_BITS(name)                                                                                          \
    static inline seL4_CPtr vka_alloc_##name##_leaky(vka_t *vka, uint32_t size_bits) WARN_UNUSED_RESULT;               \
    static inline seL4_CPtr vka_alloc_##name##_leaky(vka_t *vka, uint32_t size_bits)                                   \
    {                                                                                                                  \
        vka_object_t object;                                                                                           \
        if (vka_alloc_##name(vka, size_bits, &object) != 0) {                                                          \
            return 0;                                                                                                  \
        }                                                                                                              \
        return object.cptr;                                                                                            \
    }

LEAKY_SIZE_BITS(untyped)
LEAKY_SIZE_BITS(frame)
LEAKY_SIZE_BITS(cnode_object)

/* x86_64 paging structures (upstream: vka/sel4_arch/object.h). */

/***
 * @function vka_alloc_pml4(vka, result)
 * Allocate a PML4, the root of an x86_64 address space.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_pml4(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, kobject_get_type(KOBJECT_PML4, 0), seL4_PML4Bits, result);
}

/***
 * @function vka_alloc_pdpt(vka, result)
 * Allocate a page directory pointer table.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_pdpt(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, kobject_get_type(KOBJECT_PDPT, 0), seL4_PDPTBits, result);
}

LEAKY(pml4)
LEAKY(pdpt)

/***
 * @function vka_alloc_vspace_root(vka, result)
 * Allocate the architecture's address space root (a PML4 on x86_64).
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_vspace_root(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_pml4(vka, result);
}

/* x86 virtualisation objects (upstream: vka/arch/object.h). Upstream also has vka_alloc_io_page_table; this
 * kernel has no IOMMU objects, so it is absent. */
#ifdef CONFIG_VTX

/***
 * @function vka_alloc_vcpu(vka, result)
 * Allocate a VT-x VCPU object.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_vcpu(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_X86_VCPUObject, seL4_X86_VCPUBits, result);
}

/***
 * @function vka_alloc_ept_page_directory_pointer_table(vka, result)
 * Allocate an EPT PDPT.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_ept_page_directory_pointer_table(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_X86_EPTPDPTObject, seL4_X86_EPTPDPTBits, result);
}

/***
 * @function vka_alloc_ept_page_directory(vka, result)
 * Allocate an EPT page directory.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_ept_page_directory(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_X86_EPTPDObject, seL4_X86_EPTPDBits, result);
}

/***
 * @function vka_alloc_ept_page_table(vka, result)
 * Allocate an EPT page table.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_ept_page_table(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_X86_EPTPTObject, seL4_X86_EPTPTBits, result);
}

/***
 * @function vka_alloc_ept_pdpt(vka, result)
 * Allocate an EPT PDPT (same as vka_alloc_ept_page_directory_pointer_table).
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_ept_pdpt(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_ept_page_directory_pointer_table(vka, result);
}

/***
 * @function vka_alloc_ept_pml4(vka, result)
 * Allocate an EPT PML4, the root of a guest's physical address space.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} result Receives the object
 * @return 0 on success, non-zero on failure
 */
static inline int vka_alloc_ept_pml4(vka_t *vka, vka_object_t *result)
{
    return vka_alloc_object(vka, seL4_X86_EPTPML4Object, seL4_X86_EPTPML4Bits, result);
}

LEAKY(vcpu)
LEAKY(ept_page_directory_pointer_table)
LEAKY(ept_page_directory)
LEAKY(ept_page_table)
LEAKY(ept_pdpt)
LEAKY(ept_pml4)

#endif /* CONFIG_VTX */

/***
 * @function vka_x86_mode_get_object_size(objectType)
 * log2 of the memory of an x86_64-only object type.
 * @param {seL4_Word} objectType seL4 object type
 * @return the size in bits, or (unsigned long)-1 for a type that is not x86_64-specific
 */
static inline unsigned long vka_x86_mode_get_object_size(seL4_Word objectType)
{
    switch (objectType) {
    case seL4_X64_HugePageObject:
        return seL4_HugePageBits;
    case seL4_X86_PDPTObject:
        return seL4_PDPTBits;
    case seL4_X64_PML4Object:
        return seL4_PML4Bits;
    default:
        ZF_LOGE("Failed to get object size: unknown object type %ld", (long)objectType);
        return -1;
    }
}

/***
 * @function vka_arch_get_object_size(objectType)
 * log2 of the memory of an x86 object type.
 * @param {seL4_Word} objectType seL4 object type
 * @return the size in bits, or (unsigned long)-1 for an unknown type (upstream aborts)
 */
static inline unsigned long vka_arch_get_object_size(seL4_Word objectType)
{
    switch (objectType) {
    case seL4_X86_4K:
        return seL4_PageBits;
    case seL4_X86_LargePageObject:
        return seL4_LargePageBits;
    case seL4_X86_PageTableObject:
        return seL4_PageTableBits;
    case seL4_X86_PageDirectoryObject:
        return seL4_PageDirBits;
    case seL4_X86_VCPUObject:
        return seL4_X86_VCPUBits;
    case seL4_X86_EPTPDPTObject:
        return seL4_X86_EPTPDPTBits;
    case seL4_X86_EPTPDObject:
        return seL4_X86_EPTPDBits;
    case seL4_X86_EPTPTObject:
        return seL4_X86_EPTPTBits;
    case seL4_X86_EPTPML4Object:
        return seL4_X86_EPTPML4Bits;
    default:
        return vka_x86_mode_get_object_size(objectType);
    }
}

/***
 * @function vka_get_object_size(objectType, objectSize)
 * log2 of the untyped memory an object needs: what Untyped_Retype carves for it.
 * @param {seL4_Word} objectType seL4 object type
 * @param {seL4_Word} objectSize Size argument (untypeds: log2 bytes; CNodes: log2 slots; others ignored)
 * @return the size in bits, or (unsigned long)-1 for an unknown type
 */
static inline unsigned long vka_get_object_size(seL4_Word objectType, seL4_Word objectSize)
{
    switch (objectType) {
    case seL4_UntypedObject:
        return objectSize;
    case seL4_TCBObject:
        return seL4_TCBBits;
    case seL4_EndpointObject:
        return seL4_EndpointBits;
    case seL4_NotificationObject:
        return seL4_NotificationBits;
    case seL4_CapTableObject:
        return seL4_SlotBits + objectSize;
    default:
        return vka_arch_get_object_size(objectType);
    }
}
