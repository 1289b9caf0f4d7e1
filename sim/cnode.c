/* CNode invocations: Copy, Mint, Move, Mutate, Delete and Revoke, with seL4's error codes. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "kernel.h"

static seL4_Error service_cnode(seL4_CNode service, struct cte **cap)
{
    *cap = sim_lookup_cap(service);
    if (*cap == NULL) {
        return SIM_ERR(seL4_InvalidCapability, "CNode: invoked cap 0x%lx is empty or cannot be found", service);
    }
    if ((*cap)->obj->type != seL4_CapTableObject) {
        return SIM_ERR(seL4_IllegalOperation, "CNode: invoked cap 0x%lx is not a CNode", service);
    }
    return seL4_NoError;
}

/* Resolves the destination (must be empty) and the source (must hold a cap) of a two-slot operation. */
static seL4_Error two_slots(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                            seL4_Word src_index, seL4_Uint8 src_depth, struct cte **dest, struct cte **src)
{
    struct cte *node;
    seL4_Error err = service_cnode(service, &node);
    if (err != seL4_NoError) {
        return err;
    }
    err = sim_lookup_slot(node, dest_index, dest_depth, dest);
    if (err != seL4_NoError) {
        return err;
    }
    if ((*dest)->obj != NULL) {
        return SIM_ERR(seL4_DeleteFirst, "CNode: destination slot 0x%lx is occupied", dest_index);
    }
    struct cte *src_node = sim_lookup_cap(src_root);
    if (src_node == NULL || src_node->obj->type != seL4_CapTableObject) {
        return SIM_ERR(seL4_FailedLookup, "CNode: source root 0x%lx is not a CNode", src_root);
    }
    err = sim_lookup_slot(src_node, src_index, src_depth, src);
    if (err != seL4_NoError) {
        return err;
    }
    if ((*src)->obj == NULL) {
        return SIM_ERR(seL4_FailedLookup, "CNode: source slot 0x%lx is empty", src_index);
    }
    return seL4_NoError;
}

static bool is_badged_ntfn(const struct cte *c)
{
    return c->obj->type == seL4_NotificationObject && c->badge != 0;
}

/* Copy and Mint: a derived cap with masked rights. A copy of a badged notification cap is its sibling, so
 * that revoking the original unbadged cap reaches it; everything else derived is a child of its source. */
static seL4_Error derive(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                         seL4_Word src_index, seL4_Uint8 src_depth, seL4_CapRights_t rights, bool mint, seL4_Word badge)
{
    struct cte *dest, *src;
    seL4_Error err = two_slots(service, dest_index, dest_depth, src_root, src_index, src_depth, &dest, &src);
    if (err != seL4_NoError) {
        return err;
    }
    struct kobj *o = src->obj;
    if (o->type == seL4_UntypedObject && sim_cap_has_children(src)) {
        return SIM_ERR(seL4_RevokeFirst, "CNode: untyped 0x%lx has children; revoke it first", src_index);
    }
    if (o->type == SIM_OBJ_CONTROL || o->type == SIM_OBJ_ASID_POOL) {
        return SIM_ERR(seL4_IllegalOperation, "CNode: cap 0x%lx cannot be derived", src_index);
    }
    seL4_Word new_badge = src->badge;
    if (mint && o->type == seL4_NotificationObject) {
        if (src->badge != 0) {
            return SIM_ERR(seL4_IllegalOperation, "CNode: cannot mint a badge onto badged cap 0x%lx", src_index);
        }
        new_badge = badge;
    }
    seL4_CapRights_t masked = { { src->rights & rights.words[0] & 0xf } };
    struct cte *parent = is_badged_ntfn(src) ? src->parent : src;
    sim_cap_insert(dest, o, masked, new_badge, parent);
    dest->guard = src->guard;
    dest->guard_bits = src->guard_bits;
    if (mint && o->type == seL4_CapTableObject) {
        seL4_Word guard_bits = badge & 0x3f;
        if (guard_bits + o->size_bits > seL4_WordBits) {
            sim_cap_delete(dest);
            return SIM_ERR(seL4_IllegalOperation, "CNode: guard of %lu bits too large", guard_bits);
        }
        dest->guard_bits = (uint8_t)guard_bits;
        dest->guard = guard_bits == 0 ? 0 : (badge >> 6) & MASK(guard_bits);
    }
    return seL4_NoError;
}

seL4_Error seL4_CNode_Copy(seL4_CNode _service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                           seL4_Word src_index, seL4_Uint8 src_depth, seL4_CapRights_t rights)
{
    return SIM_INVOKE(derive(_service, dest_index, dest_depth, src_root, src_index, src_depth, rights, false, 0));
}

seL4_Error seL4_CNode_Mint(seL4_CNode _service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                           seL4_Word src_index, seL4_Uint8 src_depth, seL4_CapRights_t rights, seL4_Word badge)
{
    return SIM_INVOKE(derive(_service, dest_index, dest_depth, src_root, src_index, src_depth, rights, true, badge));
}

static seL4_Error move(seL4_CNode service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                       seL4_Word src_index, seL4_Uint8 src_depth, bool mutate, seL4_Word badge)
{
    struct cte *dest, *src;
    seL4_Error err = two_slots(service, dest_index, dest_depth, src_root, src_index, src_depth, &dest, &src);
    if (err != seL4_NoError) {
        return err;
    }
    if (mutate && src->obj->type == seL4_NotificationObject) {
        if (src->badge != 0) {
            return SIM_ERR(seL4_IllegalOperation, "CNode: cannot mutate the badge of badged cap 0x%lx", src_index);
        }
    }
    if (dest == src) {
        return seL4_NoError;
    }
    sim_cap_move(dest, src);
    if (mutate && dest->obj->type == seL4_NotificationObject) {
        dest->badge = badge;
    }
    return seL4_NoError;
}

seL4_Error seL4_CNode_Move(seL4_CNode _service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                           seL4_Word src_index, seL4_Uint8 src_depth)
{
    return SIM_INVOKE(move(_service, dest_index, dest_depth, src_root, src_index, src_depth, false, 0));
}

seL4_Error seL4_CNode_Mutate(seL4_CNode _service, seL4_Word dest_index, seL4_Uint8 dest_depth, seL4_CNode src_root,
                             seL4_Word src_index, seL4_Uint8 src_depth, seL4_Word badge)
{
    return SIM_INVOKE(move(_service, dest_index, dest_depth, src_root, src_index, src_depth, true, badge));
}

static seL4_Error one_slot(seL4_CNode service, seL4_Word index, seL4_Uint8 depth, struct cte **slot)
{
    struct cte *node;
    seL4_Error err = service_cnode(service, &node);
    if (err != seL4_NoError) {
        return err;
    }
    return sim_lookup_slot(node, index, depth, slot);
}

static seL4_Error cnode_delete(seL4_CNode service, seL4_Word index, seL4_Uint8 depth, bool revoke)
{
    struct cte *slot;
    seL4_Error err = one_slot(service, index, depth, &slot);
    if (err == seL4_NoError) {
        if (revoke) {
            sim_cap_revoke(slot);
        } else {
            sim_cap_delete(slot);
        }
    }
    return err;
}

seL4_Error seL4_CNode_Delete(seL4_CNode _service, seL4_Word index, seL4_Uint8 depth)
{
    return SIM_INVOKE(cnode_delete(_service, index, depth, false));
}

seL4_Error seL4_CNode_Revoke(seL4_CNode _service, seL4_Word index, seL4_Uint8 depth)
{
    return SIM_INVOKE(cnode_delete(_service, index, depth, true));
}
