/* seL4_libs' object_capops: mint an allocated object's cap into a newly allocated slot. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <vka/vka.h>
#include <vka/capops.h>
#include <vka/object.h>

/***
 * @module object_capops.h
 * Badged or rights-reduced copies of an object's cap, with the slot allocation done for the caller.
 */

/***
 * @function vka_mint_object_inter_cspace(src_vka, object, dest_vka, result, rights, badge)
 * Allocate a slot with dest_vka and mint the object's cap (a slot of src_vka) into it. If the mint fails the
 * slot is freed again (upstream leaks it).
 * @param {vka_t *} src_vka Allocator the object's slot came from
 * @param {vka_object_t *} object The object
 * @param {vka_t *} dest_vka Allocator to take the new slot from
 * @param {cspacepath_t *} result Receives the path of the new cap
 * @param {seL4_CapRights_t} rights Rights of the new cap
 * @param {seL4_Word} badge Badge of the new cap
 * @return 0 on success, non-zero on failure
 */
static inline int vka_mint_object_inter_cspace(vka_t *src_vka, vka_object_t *object, vka_t *dest_vka,
                                               cspacepath_t *result, seL4_CapRights_t rights, seL4_Word badge)
{
    if (object == NULL || src_vka == NULL || src_vka->cspace_make_path == NULL) {
        ZF_LOGE("Failed to mint object: NULL object or source vka");
        return -1;
    }
    int error = vka_cspace_alloc_path(dest_vka, result);
    if (error != seL4_NoError) {
        return error;
    }
    cspacepath_t src;
    vka_cspace_make_path(src_vka, object->cptr, &src);
    error = vka_cnode_mint(result, &src, rights, badge);
    if (error != seL4_NoError) {
        ZF_LOGE("Failed to mint object: seL4 error %d", error);
        vka_cspace_free_path(dest_vka, *result);
    }
    return error;
}

/***
 * @function vka_mint_object(vka, object, result, rights, badge)
 * Mint the object's cap into a new slot of the same allocator.
 * @param {vka_t *} vka The allocator
 * @param {vka_object_t *} object The object
 * @param {cspacepath_t *} result Receives the path of the new cap
 * @param {seL4_CapRights_t} rights Rights of the new cap
 * @param {seL4_Word} badge Badge of the new cap
 * @return 0 on success, non-zero on failure
 */
static inline int vka_mint_object(vka_t *vka, vka_object_t *object, cspacepath_t *result, seL4_CapRights_t rights,
                                  seL4_Word badge)
{
    return vka_mint_object_inter_cspace(vka, object, vka, result, rights, badge);
}
