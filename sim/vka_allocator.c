/* The vka_t over the simulated kernel's boot info: O(1) cslots and a buddy allocator over untyped caps. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <sel4/sel4.h>
#include <sel4kvm/allocator.h>
#include <sel4kvm/sim.h>
#include <utils/util.h>
#include <vka/object.h>
#include <vka/vka.h>

/*
 * Every block of untyped memory the allocator knows is a node with its own untyped cap. A free node of 2^s
 * bytes becomes an object of 2^s bytes by one Retype (the untyped has no children, so the kernel places the
 * object at its base); a larger free node is first retyped into two untyped halves. Freeing revokes the node,
 * which deletes the object and every cap derived from it, and when both halves of a parent are free the
 * parent is revoked too, deleting their caps, so that the kernel sees the whole block unused again and
 * zeroes it on its next Retype.
 */

#define NODE_NONE UINT32_MAX
#define NODE_CHUNK_BITS 10
#define RAM 0
#define DEVICE 1

enum node_state {
    NODE_UNUSED,    /* index recycled; on the unused list */
    NODE_FREE,      /* untyped cap with no children; on the free list of its size */
    NODE_SPLIT,     /* retyped into two untyped halves */
    NODE_ALLOCATED, /* retyped into one object handed out */
};

struct ut_node {
    uintptr_t paddr;
    seL4_CPtr cptr;
    uint32_t parent;
    uint32_t child[2];
    uint32_t prev, next; /* free-list links, or the unused list through next */
    uint32_t generation; /* bumped on every allocation, so that stale cookies do not match */
    uint8_t size_bits;
    uint8_t state;
    bool device;
};

struct allocator {
    pthread_mutex_t lock;

    seL4_CPtr slot_start, slot_end, slot_bump; /* slots below slot_bump have been handed out at least once */
    GArray *slot_free;                         /* freed slots, reused first */
    uint8_t *slot_used;                        /* one bit per slot of the region, for double-free checks */

    GPtrArray *chunks; /* of struct ut_node[1 << NODE_CHUNK_BITS]; chunks never move, so node pointers hold */
    uint32_t nnodes;
    uint32_t unused_head;
    uint32_t free_head[2][seL4_WordBits]; /* per memory kind and size */
    uint64_t free_mask[2];                /* bit s set when free_head[kind][s] is non-empty */
    GArray *roots;                        /* boot untyped node indices, by physical address */
};

static struct ut_node *node(struct allocator *a, uint32_t i)
{
    struct ut_node *chunk = g_ptr_array_index(a->chunks, i >> NODE_CHUNK_BITS);
    return &chunk[i & MASK(NODE_CHUNK_BITS)];
}

static uint32_t node_new(struct allocator *a)
{
    uint32_t i = a->unused_head;
    if (i != NODE_NONE) {
        a->unused_head = node(a, i)->next;
        return i;
    }
    if (a->nnodes == NODE_NONE) {
        return NODE_NONE;
    }
    if ((a->nnodes & MASK(NODE_CHUNK_BITS)) == 0) {
        g_ptr_array_add(a->chunks, g_new0(struct ut_node, BIT(NODE_CHUNK_BITS)));
    }
    return a->nnodes++;
}

static void node_recycle(struct allocator *a, uint32_t i)
{
    struct ut_node *n = node(a, i);
    uint32_t generation = n->generation;
    *n = (struct ut_node){ .state = NODE_UNUSED, .generation = generation, .next = a->unused_head };
    a->unused_head = i;
}

static void list_push(struct allocator *a, uint32_t i)
{
    struct ut_node *n = node(a, i);
    uint32_t *head = &a->free_head[n->device][n->size_bits];
    n->state = NODE_FREE;
    n->prev = NODE_NONE;
    n->next = *head;
    if (*head != NODE_NONE) {
        node(a, *head)->prev = i;
    }
    *head = i;
    a->free_mask[n->device] |= BIT(n->size_bits);
}

static void list_remove(struct allocator *a, uint32_t i)
{
    struct ut_node *n = node(a, i);
    if (n->prev != NODE_NONE) {
        node(a, n->prev)->next = n->next;
    } else {
        a->free_head[n->device][n->size_bits] = n->next;
    }
    if (n->next != NODE_NONE) {
        node(a, n->next)->prev = n->prev;
    }
    if (a->free_head[n->device][n->size_bits] == NODE_NONE) {
        a->free_mask[n->device] &= ~BIT(n->size_bits);
    }
    n->prev = n->next = NODE_NONE;
}

/* Slots */

static bool slot_is_used(const struct allocator *a, seL4_CPtr slot)
{
    seL4_Word i = slot - a->slot_start;
    return a->slot_used[i / 8] & BIT(i % 8);
}

static void slot_mark(struct allocator *a, seL4_CPtr slot, bool used)
{
    seL4_Word i = slot - a->slot_start;
    if (used) {
        a->slot_used[i / 8] |= (uint8_t)BIT(i % 8);
    } else {
        a->slot_used[i / 8] &= (uint8_t)~BIT(i % 8);
    }
}

static int slot_take(struct allocator *a, seL4_CPtr *slot)
{
    if (a->slot_free->len > 0) {
        *slot = g_array_index(a->slot_free, seL4_CPtr, a->slot_free->len - 1);
        g_array_set_size(a->slot_free, a->slot_free->len - 1);
    } else if (a->slot_bump < a->slot_end) {
        *slot = a->slot_bump++;
    } else {
        return -1;
    }
    slot_mark(a, *slot, true);
    return 0;
}

static void slot_give(struct allocator *a, seL4_CPtr slot)
{
    slot_mark(a, slot, false);
    g_array_append_val(a->slot_free, slot);
}

/* Whether a slot of the root CNode holds a cap. Moving a slot onto itself changes nothing: the kernel checks
 * that the destination is empty (DeleteFirst) before it looks at the source (FailedLookup when empty). */
static bool slot_occupied(seL4_CPtr slot)
{
    return seL4_CNode_Move(seL4_CapInitThreadCNode, slot, seL4_WordBits, seL4_CapInitThreadCNode, slot,
                           seL4_WordBits) == seL4_DeleteFirst;
}

static int cspace_alloc(void *data, seL4_CPtr *res)
{
    struct allocator *a = data;
    if (a == NULL || res == NULL) {
        ZF_LOGE("Failed to allocate cslot: NULL %s", a == NULL ? "allocator" : "result");
        return -1;
    }
    pthread_mutex_lock(&a->lock);
    int err = slot_take(a, res);
    pthread_mutex_unlock(&a->lock);
    if (err != 0) {
        ZF_LOGE("Failed to allocate cslot: all %lu slots in use", (unsigned long)(a->slot_end - a->slot_start));
    }
    return err;
}

static void cspace_make_path(UNUSED void *data, seL4_CPtr slot, cspacepath_t *res)
{
    if (res == NULL) {
        ZF_LOGE("Failed to make cspace path: res is NULL");
        return;
    }
    *res = (cspacepath_t){
        .capPtr = slot,
        .capDepth = seL4_WordBits,
        .root = seL4_CapInitThreadCNode,
        .dest = 0,
        .destDepth = 0,
        .offset = slot,
        .window = 1,
    };
}

static void cspace_free(void *data, seL4_CPtr slot)
{
    struct allocator *a = data;
    if (a == NULL) {
        ZF_LOGE("Failed to free cslot: NULL allocator");
        return;
    }
    pthread_mutex_lock(&a->lock);
    if (slot < a->slot_start || slot >= a->slot_bump || !slot_is_used(a, slot)) {
        ZF_LOGE("Failed to free cslot 0x%lx: not allocated", (unsigned long)slot);
    } else if (slot_occupied(slot)) {
        /* Handing it out again would make the next user's Retype or Copy fail with DeleteFirst. */
        ZF_LOGE("Failed to free cslot 0x%lx: slot is not free: call vka_cnode_delete first", (unsigned long)slot);
    } else {
        slot_give(a, slot);
    }
    pthread_mutex_unlock(&a->lock);
}

/* Untyped nodes */

static seL4_Error node_revoke(const struct ut_node *n)
{
    return seL4_CNode_Revoke(seL4_CapInitThreadCNode, n->cptr, seL4_WordBits);
}

/* Turn the free node i (off its list) into two free halves (off their lists). On failure i is unchanged. */
static int node_split(struct allocator *a, uint32_t i)
{
    uint32_t child[2] = { node_new(a), node_new(a) };
    seL4_CPtr slot[2] = { 0, 0 };
    int made = 0;
    if (child[0] == NODE_NONE || child[1] == NODE_NONE) {
        ZF_LOGE("Failed to split untyped: too many nodes");
        goto fail;
    }
    if (slot_take(a, &slot[0]) != 0 || slot_take(a, &slot[1]) != 0) {
        ZF_LOGE("Failed to split untyped: out of cslots");
        goto fail;
    }
    struct ut_node *n = node(a, i);
    for (made = 0; made < 2; made++) {
        seL4_Error err = seL4_Untyped_Retype(n->cptr, seL4_UntypedObject, n->size_bits - 1u, seL4_CapInitThreadCNode, 0,
                                             0, slot[made], 1);
        if (err != seL4_NoError) {
            ZF_LOGE("Failed to split untyped 0x%lx: seL4 error %d", (unsigned long)n->cptr, err);
            goto fail;
        }
        struct ut_node *c = node(a, child[made]);
        *c = (struct ut_node){
            .paddr = n->paddr + (uintptr_t)made * BIT(n->size_bits - 1u),
            .cptr = slot[made],
            .parent = i,
            .child = { NODE_NONE, NODE_NONE },
            .prev = NODE_NONE,
            .next = NODE_NONE,
            .generation = c->generation,
            .size_bits = (uint8_t)(n->size_bits - 1u),
            .state = NODE_FREE,
            .device = n->device,
        };
    }
    n->state = NODE_SPLIT;
    n->child[0] = child[0];
    n->child[1] = child[1];
    return 0;

fail:
    if (made > 0) {
        node_revoke(node(a, i));
    }
    for (int k = 0; k < 2; k++) {
        if (slot[k] != 0) {
            slot_give(a, slot[k]);
        }
        if (child[k] != NODE_NONE) {
            node_recycle(a, child[k]);
        }
    }
    return -1;
}

/* Put the free node i (off its list, no children) back, merging it with its buddy while that is free too. */
static void node_release(struct allocator *a, uint32_t i)
{
    for (;;) {
        struct ut_node *n = node(a, i);
        if (n->parent == NODE_NONE) {
            break;
        }
        struct ut_node *p = node(a, n->parent);
        uint32_t buddy = p->child[0] == i ? p->child[1] : p->child[0];
        if (node(a, buddy)->state != NODE_FREE) {
            break;
        }
        seL4_Error err = node_revoke(p);
        if (err != seL4_NoError) {
            ZF_LOGE("Failed to merge untyped 0x%lx: seL4 error %d", (unsigned long)p->cptr, err);
            break;
        }
        list_remove(a, buddy);
        slot_give(a, n->cptr);
        slot_give(a, node(a, buddy)->cptr);
        uint32_t parent = n->parent;
        node_recycle(a, i);
        node_recycle(a, buddy);
        p->child[0] = p->child[1] = NODE_NONE;
        i = parent;
    }
    list_push(a, i);
}

/* A free node (off its list) of exactly 2^bits bytes of the given kind, splitting a larger one; NODE_NONE if
 * there is none. Best fit: the smallest block that is big enough. */
static uint32_t node_take(struct allocator *a, int kind, unsigned bits)
{
    uint64_t fits = a->free_mask[kind] & ~MASK(bits);
    if (fits == 0) {
        return NODE_NONE;
    }
    uint32_t i = a->free_head[kind][__builtin_ctzll(fits)];
    list_remove(a, i);
    while (node(a, i)->size_bits > bits) {
        if (node_split(a, i) != 0) {
            node_release(a, i);
            return NODE_NONE;
        }
        struct ut_node *n = node(a, i);
        list_push(a, n->child[1]);
        i = n->child[0];
    }
    return i;
}

static seL4_Word cookie_of(const struct ut_node *n, uint32_t i)
{
    return ((seL4_Word)n->generation << 32) | ((seL4_Word)i + 1);
}

/* The allocated node a cookie names, or NODE_NONE for a cookie that is not live. */
static uint32_t cookie_node(struct allocator *a, seL4_Word cookie)
{
    seL4_Word low = cookie & MASK(32);
    if (low == 0 || low > a->nnodes) {
        return NODE_NONE;
    }
    uint32_t i = (uint32_t)(low - 1);
    struct ut_node *n = node(a, i);
    if (n->state != NODE_ALLOCATED || n->generation != (uint32_t)(cookie >> 32)) {
        return NODE_NONE;
    }
    return i;
}

/* Retype the free node i (off its list) into the object at dest; on failure it goes back to the free lists. */
static int node_place(struct allocator *a, uint32_t i, const cspacepath_t *dest, seL4_Word type, seL4_Word size_bits,
                      seL4_Word *cookie)
{
    struct ut_node *n = node(a, i);
    seL4_Error err = seL4_Untyped_Retype(n->cptr, type, size_bits, dest->root, dest->dest, dest->destDepth,
                                         dest->offset, 1);
    if (err != seL4_NoError) {
        ZF_LOGE("Failed to allocate object: Retype into slot 0x%lx failed with seL4 error %d",
                (unsigned long)dest->offset, err);
        node_release(a, i);
        return -1;
    }
    n->state = NODE_ALLOCATED;
    n->generation++;
    *cookie = cookie_of(n, i);
    return 0;
}

/* log2 of the memory the object takes, or -1 with a message. */
static long object_bits(seL4_Word type, seL4_Word size_bits)
{
    if (type >= seL4_ObjectTypeCount) {
        ZF_LOGE("Failed to allocate object: unknown object type %lu", (unsigned long)type);
        return -1;
    }
    if ((type == seL4_UntypedObject || type == seL4_CapTableObject) && size_bits >= seL4_WordBits) {
        ZF_LOGE("Failed to allocate object: size_bits %lu too large", (unsigned long)size_bits);
        return -1;
    }
    unsigned long bits = vka_get_object_size(type, size_bits);
    if (bits < seL4_MinUntypedBits || bits > seL4_MaxUntypedBits) {
        ZF_LOGE("Failed to allocate object: object of 2^%lu bytes is outside 2^%d..2^%d", bits, seL4_MinUntypedBits,
                seL4_MaxUntypedBits);
        return -1;
    }
    return (long)bits;
}

static bool device_capable(seL4_Word type)
{
    return type == seL4_UntypedObject || type == seL4_X86_4K || type == seL4_X86_LargePageObject ||
           type == seL4_X64_HugePageObject;
}

static int utspace_alloc_maybe_device(void *data, const cspacepath_t *dest, seL4_Word type, seL4_Word size_bits,
                                      bool can_use_dev, seL4_Word *res)
{
    struct allocator *a = data;
    if (a == NULL || dest == NULL || res == NULL) {
        ZF_LOGE("Failed to allocate object: NULL %s", a == NULL ? "allocator" : dest == NULL ? "dest" : "res");
        return -1;
    }
    long bits = object_bits(type, size_bits);
    if (bits < 0) {
        return -1;
    }
    pthread_mutex_lock(&a->lock);
    uint32_t i = node_take(a, RAM, (unsigned)bits);
    if (i == NODE_NONE && can_use_dev && device_capable(type)) {
        i = node_take(a, DEVICE, (unsigned)bits);
    }
    int err = -1;
    if (i == NODE_NONE) {
        ZF_LOGE("Failed to allocate object of 2^%ld bytes: out of %s", bits,
                can_use_dev && device_capable(type) ? "RAM and device memory" : "RAM");
    } else {
        err = node_place(a, i, dest, type, size_bits, res);
    }
    pthread_mutex_unlock(&a->lock);
    return err;
}

static int utspace_alloc(void *data, const cspacepath_t *dest, seL4_Word type, seL4_Word size_bits, seL4_Word *res)
{
    return utspace_alloc_maybe_device(data, dest, type, size_bits, false, res);
}

/* The boot untyped whose range holds paddr, or NODE_NONE. */
static uint32_t root_containing(struct allocator *a, uintptr_t paddr)
{
    guint lo = 0, hi = a->roots->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        struct ut_node *n = node(a, g_array_index(a->roots, uint32_t, mid));
        if (paddr < n->paddr) {
            hi = mid;
        } else if (paddr - n->paddr >= BIT(n->size_bits)) {
            lo = mid + 1;
        } else {
            return g_array_index(a->roots, uint32_t, mid);
        }
    }
    return NODE_NONE;
}

static int utspace_alloc_at(void *data, const cspacepath_t *dest, seL4_Word type, seL4_Word size_bits, uintptr_t paddr,
                            seL4_Word *cookie)
{
    struct allocator *a = data;
    if (a == NULL || dest == NULL || cookie == NULL) {
        ZF_LOGE("Failed to allocate object at paddr: NULL %s", a == NULL      ? "allocator"
                                                               : dest == NULL ? "dest"
                                                                              : "cookie");
        return -1;
    }
    long bits = object_bits(type, size_bits);
    if (bits < 0) {
        return -1;
    }
    if (!IS_ALIGNED(paddr, bits)) {
        ZF_LOGE("Failed to allocate object at paddr %p: not aligned to its size 2^%ld", (void *)paddr, bits);
        return -1;
    }
    pthread_mutex_lock(&a->lock);
    int err = -1;
    uint32_t i = root_containing(a, paddr);
    if (i == NODE_NONE || node(a, i)->size_bits < bits) {
        ZF_LOGE("Failed to allocate object at paddr %p: no untyped memory covers 2^%ld bytes there", (void *)paddr,
                bits);
        goto out;
    }
    /* Walk down the halves that contain paddr, splitting free blocks, until one is exactly the object's size. */
    for (;;) {
        struct ut_node *n = node(a, i);
        if (n->state == NODE_ALLOCATED || (n->state == NODE_SPLIT && n->size_bits == bits)) {
            ZF_LOGE("Failed to allocate object at paddr %p: memory already in use", (void *)paddr);
            goto out;
        }
        if (n->state == NODE_FREE) {
            list_remove(a, i);
            if (n->size_bits == bits) {
                break;
            }
            if (node_split(a, i) != 0) {
                node_release(a, i);
                goto out;
            }
            list_push(a, n->child[0]);
            list_push(a, n->child[1]);
        }
        i = n->child[(paddr - n->paddr) >> (n->size_bits - 1u)];
    }
    err = node_place(a, i, dest, type, size_bits, cookie);
out:
    pthread_mutex_unlock(&a->lock);
    return err;
}

static void utspace_free(void *data, seL4_Word type, seL4_Word size_bits, seL4_Word target)
{
    struct allocator *a = data;
    if (a == NULL) {
        ZF_LOGE("Failed to free object: NULL allocator");
        return;
    }
    pthread_mutex_lock(&a->lock);
    uint32_t i = cookie_node(a, target);
    if (i == NODE_NONE) {
        ZF_LOGE("Failed to free object: cookie 0x%lx is not a live allocation", (unsigned long)target);
        goto out;
    }
    struct ut_node *n = node(a, i);
    if (type >= seL4_ObjectTypeCount || vka_get_object_size(type, size_bits) != n->size_bits) {
        ZF_LOGW("Freeing object: type %lu size_bits %lu do not match the allocation of 2^%u bytes; freeing that",
                (unsigned long)type, (unsigned long)size_bits, n->size_bits);
    }
    seL4_Error err = node_revoke(n);
    if (err != seL4_NoError) {
        ZF_LOGE("Failed to free object: revoking untyped 0x%lx failed with seL4 error %d", (unsigned long)n->cptr, err);
        goto out;
    }
    node_release(a, i);
out:
    pthread_mutex_unlock(&a->lock);
}

static uintptr_t utspace_paddr(void *data, seL4_Word target, UNUSED seL4_Word type, UNUSED seL4_Word size_bits)
{
    struct allocator *a = data;
    if (a == NULL) {
        ZF_LOGE("Failed to get object paddr: NULL allocator");
        return VKA_NO_PADDR;
    }
    pthread_mutex_lock(&a->lock);
    uint32_t i = cookie_node(a, target);
    uintptr_t paddr = i == NODE_NONE ? VKA_NO_PADDR : node(a, i)->paddr;
    pthread_mutex_unlock(&a->lock);
    if (paddr == VKA_NO_PADDR) {
        ZF_LOGE("Failed to get object paddr: cookie 0x%lx is not a live allocation", (unsigned long)target);
    }
    return paddr;
}

static gint root_order(gconstpointer x, gconstpointer y, gpointer data)
{
    struct allocator *a = data;
    uintptr_t px = node(a, *(const uint32_t *)x)->paddr;
    uintptr_t py = node(a, *(const uint32_t *)y)->paddr;
    return px < py ? -1 : px > py;
}

static void allocator_free(struct allocator *a)
{
    pthread_mutex_destroy(&a->lock);
    g_array_free(a->slot_free, TRUE);
    g_free(a->slot_used);
    g_ptr_array_free(a->chunks, TRUE);
    g_array_free(a->roots, TRUE);
    g_free(a);
}

int sel4kvm_vka_init(vka_t *vka)
{
    if (vka == NULL) {
        ZF_LOGE("Failed to create allocator: vka is NULL");
        return -1;
    }
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    if (bi == NULL) {
        ZF_LOGE("Failed to create allocator: no kernel is running");
        return -1;
    }
    struct allocator *a = g_new0(struct allocator, 1);
    pthread_mutex_init(&a->lock, NULL);
    a->slot_start = a->slot_bump = bi->empty.start;
    a->slot_end = MAX(bi->empty.end, bi->empty.start);
    a->slot_free = g_array_new(FALSE, FALSE, sizeof(seL4_CPtr));
    a->slot_used = g_malloc0((a->slot_end - a->slot_start) / 8 + 1);
    a->chunks = g_ptr_array_new_with_free_func(g_free);
    a->unused_head = NODE_NONE;
    memset(a->free_head, 0xff, sizeof(a->free_head));
    a->roots = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (seL4_CPtr cap = bi->untyped.start; cap < bi->untyped.end; cap++) {
        const seL4_UntypedDesc *d = &bi->untypedList[cap - bi->untyped.start];
        uint32_t i = node_new(a);
        *node(a, i) = (struct ut_node){
            .paddr = d->paddr,
            .cptr = cap,
            .parent = NODE_NONE,
            .child = { NODE_NONE, NODE_NONE },
            .size_bits = d->sizeBits,
            .device = d->isDevice != 0,
        };
        list_push(a, i);
        g_array_append_val(a->roots, i);
    }
    g_array_sort_with_data(a->roots, root_order, a);
    *vka = (vka_t){
        .data = a,
        .cspace_alloc = cspace_alloc,
        .cspace_make_path = cspace_make_path,
        .utspace_alloc = utspace_alloc,
        .utspace_alloc_maybe_device = utspace_alloc_maybe_device,
        .utspace_alloc_at = utspace_alloc_at,
        .cspace_free = cspace_free,
        .utspace_free = utspace_free,
        .utspace_paddr = utspace_paddr,
    };
    return 0;
}

void sel4kvm_vka_destroy(vka_t *vka)
{
    if (vka == NULL || vka->data == NULL) {
        return;
    }
    allocator_free(vka->data);
    *vka = (vka_t){ 0 };
}
