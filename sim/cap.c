/* Capabilities: slot lookup through CNodes, the capability derivation tree, deletion and revocation. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <sys/mman.h>
#include "kernel.h"

bool sim_is_frame_type(seL4_Word type)
{
    return type == seL4_X86_4K || type == seL4_X86_LargePageObject || type == seL4_X64_HugePageObject;
}

unsigned sim_frame_bits(seL4_Word type)
{
    switch (type) {
    case seL4_X86_4K:
        return seL4_PageBits;
    case seL4_X86_LargePageObject:
        return seL4_LargePageBits;
    case seL4_X64_HugePageObject:
        return seL4_HugePageBits;
    default:
        return 0;
    }
}

bool sim_is_vspace_root(const struct kobj *o)
{
    return o != NULL && (o->type == seL4_X64_PML4Object || o->type == seL4_X86_EPTPML4Object);
}

void sim_cap_insert(struct cte *dst, struct kobj *obj, seL4_CapRights_t rights, seL4_Word badge, struct cte *parent)
{
    *dst = (struct cte){ .obj = obj, .badge = badge, .rights = (uint8_t)(rights.words[0] & 0xf) };
    obj->ncaps++;
    sim_kernel->ncaps++;
    dst->parent = parent;
    if (parent != NULL) {
        dst->next_sib = parent->first_child;
        if (dst->next_sib != NULL) {
            dst->next_sib->prev_sib = dst;
        }
        parent->first_child = dst;
    }
}

bool sim_cap_has_children(const struct cte *slot)
{
    return slot->first_child != NULL;
}

static void cdt_unlink(struct cte *c)
{
    if (c->prev_sib != NULL) {
        c->prev_sib->next_sib = c->next_sib;
    } else if (c->parent != NULL) {
        c->parent->first_child = c->next_sib;
    }
    if (c->next_sib != NULL) {
        c->next_sib->prev_sib = c->prev_sib;
    }
    c->parent = c->next_sib = c->prev_sib = NULL;
}

/* A deleted cap's children stay derived from its parent, as they stay in seL4's derivation list. */
static void cdt_remove(struct cte *c)
{
    struct cte *parent = c->parent;
    cdt_unlink(c);
    while (c->first_child != NULL) {
        struct cte *child = c->first_child;
        cdt_unlink(child);
        child->parent = parent;
        if (parent != NULL) {
            child->next_sib = parent->first_child;
            if (child->next_sib != NULL) {
                child->next_sib->prev_sib = child;
            }
            parent->first_child = child;
        }
    }
}

static void obj_destroy(struct kobj *o)
{
    o->dying = true;
    if (o->type == seL4_CapTableObject) {
        for (size_t i = 0; i < BIT(o->size_bits); i++) {
            if (o->cnode.slots[i].obj != NULL) {
                sim_cap_delete(&o->cnode.slots[i]);
            }
        }
        sim_cnode_slots_free(o->cnode.slots, o->size_bits);
        o->cnode.slots = NULL;
    } else if (sim_is_vspace_root(o)) {
        sim_vsroot_destroy(o);
    } else if (o->type == seL4_NotificationObject) {
        sim_ntfn_destroy(o);
        if (o->pins > 0) {
            return; /* the last waiter to leave frees it */
        }
    }
    sim_obj_free(o);
}

void sim_cap_delete(struct cte *slot)
{
    struct kobj *o = slot->obj;
    if (o == NULL) {
        return;
    }
    if (slot->map_root != NULL) {
        sim_frame_unmap(slot);
    }
    cdt_remove(slot);
    *slot = (struct cte){ 0 };
    sim_kernel->ncaps--;
    if (--o->ncaps == 0 && !o->dying) {
        obj_destroy(o);
    }
}

void sim_cap_revoke(struct cte *slot)
{
    while (slot->first_child != NULL) {
        struct cte *child = slot->first_child;
        sim_cap_revoke(child);
        sim_cap_delete(child);
    }
}

/* Moves the cap with its place in the CDT and its mapping; pointers to the old slot are redirected. */
void sim_cap_move(struct cte *dst, struct cte *src)
{
    *dst = *src;
    if (dst->prev_sib != NULL) {
        dst->prev_sib->next_sib = dst;
    } else if (dst->parent != NULL) {
        dst->parent->first_child = dst;
    }
    if (dst->next_sib != NULL) {
        dst->next_sib->prev_sib = dst;
    }
    for (struct cte *c = dst->first_child; c != NULL; c = c->next_sib) {
        c->parent = dst;
    }
    if (dst->map_root != NULL) {
        g_tree_replace(dst->map_root->vs.maps, (gpointer)dst->map_vaddr, dst);
    }
    *src = (struct cte){ 0 };
}

/* seL4's resolveAddressBits: walk CNodes, consuming guard and radix bits of the address at each level.
 * Stops at the slot where the bits run out, or early at a slot that holds no CNode. */
static seL4_Error resolve(struct cte *node, seL4_Word addr, seL4_Word depth, struct cte **slot, seL4_Word *left)
{
    seL4_Word n = depth;
    for (;;) {
        if (node->obj == NULL || node->obj->type != seL4_CapTableObject) {
            return SIM_ERR(seL4_FailedLookup, "address 0x%lx: not a CNode on the path", addr);
        }
        unsigned radix = node->obj->size_bits;
        unsigned guard_bits = node->guard_bits;
        unsigned level = radix + guard_bits;
        if (level == 0 || level > n) {
            return SIM_ERR(seL4_FailedLookup, "address 0x%lx: depth %lu does not reach a slot", addr, depth);
        }
        seL4_Word guard = guard_bits == 0 ? 0 : (addr >> (n - guard_bits)) & MASK(guard_bits);
        if (guard != node->guard) {
            return SIM_ERR(seL4_FailedLookup, "address 0x%lx: guard mismatch", addr);
        }
        seL4_Word index = (addr >> (n - level)) & MASK(radix);
        struct cte *s = &node->obj->cnode.slots[index];
        n -= level;
        if (n == 0 || s->obj == NULL || s->obj->type != seL4_CapTableObject) {
            *slot = s;
            *left = n;
            return seL4_NoError;
        }
        node = s;
    }
}

static struct cte *root_cap(void)
{
    return &sim_kernel->root_cnode->cnode.slots[seL4_CapInitThreadCNode];
}

/* The cap an invocation names, looked up in the caller's CSpace with all 64 bits. */
struct cte *sim_lookup_cap(seL4_CPtr cptr)
{
    struct cte *slot;
    seL4_Word left;
    struct cte *root = root_cap();
    if (root->obj == NULL || resolve(root, cptr, seL4_WordBits, &slot, &left) != seL4_NoError) {
        return NULL;
    }
    return slot->obj != NULL ? slot : NULL;
}

/* A slot named by (CNode cap, index, depth), as CNode invocations and Retype name their slots. */
seL4_Error sim_lookup_slot(struct cte *cnode_cap, seL4_Word index, seL4_Word depth, struct cte **slot)
{
    if (depth < 1 || depth > seL4_WordBits) {
        return SIM_ERR(seL4_RangeError, "depth %lu outside 1..%d", depth, seL4_WordBits);
    }
    seL4_Word left;
    seL4_Error err = resolve(cnode_cap, index, depth, slot, &left);
    if (err != seL4_NoError) {
        return err;
    }
    if (left != 0) {
        return SIM_ERR(seL4_FailedLookup, "index 0x%lx: %lu bits left at a non-CNode slot", index, left);
    }
    return seL4_NoError;
}

/* Below this size calloc is as lazy as mmap and wastes no page per small CNode. */
#define CNODE_MMAP_BYTES (1ul << 20)

struct cte *sim_cnode_slots_new(unsigned size_bits)
{
    size_t bytes = BIT(size_bits) * sizeof(struct cte);
    if (bytes < CNODE_MMAP_BYTES) {
        return calloc(BIT(size_bits), sizeof(struct cte));
    }
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void sim_cnode_slots_free(struct cte *slots, unsigned size_bits)
{
    size_t bytes = BIT(size_bits) * sizeof(struct cte);
    if (slots == NULL) {
        return;
    }
    if (bytes < CNODE_MMAP_BYTES) {
        free(slots);
    } else {
        munmap(slots, bytes);
    }
}
