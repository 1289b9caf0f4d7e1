/* seL4_libs' capops: CNode and Untyped invocations taking cspacepath_t, so callers never unpack paths. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <autoconf.h>
#include <sel4/sel4.h>
#include <utils/util.h>
#include <vka/cspacepath_t.h>
#include <vka/object.h>

/***
 * @module capops.h
 * Each function is the seL4 invocation of the same name with its slot arguments taken from paths. They return
 * the invocation's seL4_Error; a NULL path is seL4_InvalidArgument with a message (upstream dereferences it).
 * Upstream also wraps SaveCaller, CancelBadgedSends and Rotate; the simulated kernel has no such invocations.
 */

/***
 * @function vka_cnode_copy(dest, src, rights)
 * Copy a cap, masking its rights.
 * @param {const cspacepath_t *} dest Empty destination slot
 * @param {const cspacepath_t *} src Source slot
 * @param {seL4_CapRights_t} rights Rights the copy keeps (at most the source's)
 * @return seL4_NoError, or the invocation's error
 */
static inline int vka_cnode_copy(const cspacepath_t *dest, const cspacepath_t *src, seL4_CapRights_t rights)
{
    if (dest == NULL || src == NULL) {
        ZF_LOGE("Failed to copy cap: NULL path");
        return seL4_InvalidArgument;
    }
    return seL4_CNode_Copy(dest->root, dest->capPtr, dest->capDepth, src->root, src->capPtr, src->capDepth, rights);
}

/***
 * @function vka_cnode_delete(src)
 * Delete the cap in a slot (an empty slot is not an error).
 * @param {const cspacepath_t *} src Slot to empty
 * @return seL4_NoError, or the invocation's error
 */
static inline int vka_cnode_delete(const cspacepath_t *src)
{
    if (src == NULL) {
        ZF_LOGE("Failed to delete cap: NULL path");
        return seL4_InvalidArgument;
    }
    return seL4_CNode_Delete(src->root, src->capPtr, src->capDepth);
}

/***
 * @function vka_cnode_mint(dest, src, rights, badge)
 * Copy a cap, masking its rights and setting its badge (or guard, for a CNode cap).
 * @param {const cspacepath_t *} dest Empty destination slot
 * @param {const cspacepath_t *} src Source slot
 * @param {seL4_CapRights_t} rights Rights the copy keeps
 * @param {seL4_Word} badge Badge of the new cap
 * @return seL4_NoError, or the invocation's error
 */
static inline int vka_cnode_mint(const cspacepath_t *dest, const cspacepath_t *src, seL4_CapRights_t rights,
                                 seL4_Word badge)
{
    if (dest == NULL || src == NULL) {
        ZF_LOGE("Failed to mint cap: NULL path");
        return seL4_InvalidArgument;
    }
    return seL4_CNode_Mint(dest->root, dest->capPtr, dest->capDepth, src->root, src->capPtr, src->capDepth, rights,
                           badge);
}

/***
 * @function vka_cnode_move(dest, src)
 * Move a cap to another slot.
 * @param {const cspacepath_t *} dest Empty destination slot
 * @param {const cspacepath_t *} src Source slot (empty afterwards)
 * @return seL4_NoError, or the invocation's error
 */
static inline int vka_cnode_move(const cspacepath_t *dest, const cspacepath_t *src)
{
    if (dest == NULL || src == NULL) {
        ZF_LOGE("Failed to move cap: NULL path");
        return seL4_InvalidArgument;
    }
    return seL4_CNode_Move(dest->root, dest->capPtr, dest->capDepth, src->root, src->capPtr, src->capDepth);
}

/***
 * @function vka_cnode_mutate(dest, src, badge)
 * Move a cap to another slot, setting its badge.
 * @param {const cspacepath_t *} dest Empty destination slot
 * @param {const cspacepath_t *} src Source slot (empty afterwards)
 * @param {seL4_Word} badge Badge of the moved cap
 * @return seL4_NoError, or the invocation's error
 */
static inline int vka_cnode_mutate(const cspacepath_t *dest, const cspacepath_t *src, seL4_Word badge)
{
    if (dest == NULL || src == NULL) {
        ZF_LOGE("Failed to mutate cap: NULL path");
        return seL4_InvalidArgument;
    }
    return seL4_CNode_Mutate(dest->root, dest->capPtr, dest->capDepth, src->root, src->capPtr, src->capDepth, badge);
}

/***
 * @function vka_cnode_revoke(src)
 * Delete every cap derived from the cap in a slot, keeping that cap.
 * @param {const cspacepath_t *} src Slot whose descendants go
 * @return seL4_NoError, or the invocation's error
 */
static inline int vka_cnode_revoke(const cspacepath_t *src)
{
    if (src == NULL) {
        ZF_LOGE("Failed to revoke cap: NULL path");
        return seL4_InvalidArgument;
    }
    return seL4_CNode_Revoke(src->root, src->capPtr, src->capDepth);
}

/***
 * @function vka_untyped_retype(untyped, type, size_bits, num_objects, dest)
 * Retype num_objects objects out of an untyped into consecutive slots starting at dest. Upstream replaces
 * size_bits by vka_get_object_size() before the invocation, which makes a CNode 32 times too big; ours passes
 * size_bits through as Untyped_Retype takes it (only untypeds and CNodes use it).
 * @param {vka_object_t *} untyped The untyped
 * @param {int} type seL4 object type
 * @param {int} size_bits Size argument, as Untyped_Retype takes it
 * @param {int} num_objects Number of objects
 * @param {const cspacepath_t *} dest First destination slot
 * @return seL4_NoError, or the invocation's error
 */
static inline int vka_untyped_retype(vka_object_t *untyped, int type, int size_bits, int num_objects,
                                     const cspacepath_t *dest)
{
    if (untyped == NULL || dest == NULL) {
        ZF_LOGE("Failed to retype untyped: NULL %s", untyped == NULL ? "untyped" : "path");
        return seL4_InvalidArgument;
    }
    if (type < 0 || size_bits < 0 || num_objects <= 0) {
        ZF_LOGE("Failed to retype untyped: negative type or size, or no objects");
        return seL4_InvalidArgument;
    }
    return seL4_Untyped_Retype(untyped->cptr, type, size_bits, dest->root, dest->dest, dest->destDepth, dest->offset,
                               num_objects);
}
