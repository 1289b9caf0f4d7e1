/* The sel4utils-style vspace over the simulated kernel: reservations, page bookkeeping, map, unmap, tear down. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/vspace.h>
#include <utils/util.h>
#include <vka/capops.h>
#include <vka/object.h>
#include <vspace/vspace.h>
#include "vspace_internal.h"

/*
 * State is two GTrees of disjoint address spans keyed by start address: the reservations and the mappings.
 * A page is free when neither tree covers it, reserved when only a reservation does, mapped when a mapping
 * does (whether or not a reservation also covers it, which is how unmapping inside a reservation makes pages
 * reserved again and freeing a reservation leaves its mappings alone). Every query is one or two O(log n)
 * tree lookups. Reservation handles are checked against a set of live ones before they are dereferenced.
 *
 * Which addresses a vspace accepts: the VMM kind covers the whole host window of the simulated kernel, the
 * guest kind the 48-bit guest-physical space; [start, end) given at init only bounds where the vspace
 * places ranges it chooses itself.
 */

static gint addr_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y ? -1 : x > y;
}

/* The span of a tree of disjoint spans that overlaps [lo, hi), if any: the last one starting below hi. */
static struct span *span_overlapping(GTree *tree, uintptr_t lo, uintptr_t hi)
{
    GTreeNode *n = g_tree_lower_bound(tree, (gconstpointer)hi);
    n = n != NULL ? g_tree_node_previous(n) : g_tree_node_last(tree);
    if (n == NULL) {
        return NULL;
    }
    struct span *s = g_tree_node_value(n);
    return s->end > lo ? s : NULL;
}

/* Every span of the tree that overlaps [lo, hi), in address order. */
static GPtrArray *spans_in(GTree *tree, uintptr_t lo, uintptr_t hi)
{
    GPtrArray *found = g_ptr_array_new();
    GTreeNode *n = g_tree_lower_bound(tree, (gconstpointer)lo);
    GTreeNode *prev = n != NULL ? g_tree_node_previous(n) : g_tree_node_last(tree);
    if (prev != NULL && ((struct span *)g_tree_node_value(prev))->end > lo) {
        g_ptr_array_add(found, g_tree_node_value(prev));
    }
    for (; n != NULL && (uintptr_t)g_tree_node_key(n) < hi; n = g_tree_node_next(n)) {
        g_ptr_array_add(found, g_tree_node_value(n));
    }
    return found;
}

struct vs_map *sim_vs_mapping_at(struct vs_data *d, uintptr_t vaddr)
{
    if (vaddr == UINTPTR_MAX) {
        return NULL;
    }
    return (struct vs_map *)span_overlapping(d->mappings, vaddr, vaddr + 1);
}

struct vs_data *sim_vs_get(vspace_t *vspace, const char *action)
{
    struct vs_data *d = vspace != NULL ? vspace->data : NULL;
    if (d == NULL || d->magic != VSPACE_MAGIC) {
        ZF_LOGE("Failed to %s: not a vspace made by sel4kvm_vspace_init (or torn down)", action);
        return NULL;
    }
    g_rec_mutex_lock(&d->lock);
    return d;
}

void sim_vs_put(struct vs_data *d)
{
    g_rec_mutex_unlock(&d->lock);
}

/* Check the page range [vaddr, vaddr + num_pages * 2^size_bits) and return its end. */
bool sim_vs_page_range(struct vs_data *d, const char *action, uintptr_t vaddr, size_t num_pages, size_t size_bits,
                       uintptr_t *end)
{
    if (!sel4_valid_size_bits(size_bits)) {
        ZF_LOGE("Failed to %s: invalid size_bits %zu", action, size_bits);
        return false;
    }
    if (d->kind == SEL4KVM_VSPACE_GUEST && size_bits > seL4_LargePageBits) {
        ZF_LOGE("Failed to %s: guest (EPT) address spaces take 4 KiB and 2 MiB pages only", action);
        return false;
    }
    if (num_pages == 0) {
        ZF_LOGE("Failed to %s: zero pages", action);
        return false;
    }
    if (!IS_ALIGNED(vaddr, size_bits)) {
        ZF_LOGE("Failed to %s: 0x%lx is not aligned to the page size 0x%lx", action, (unsigned long)vaddr,
                BIT(size_bits));
        return false;
    }
    if (num_pages > (UINTPTR_MAX >> size_bits) || (num_pages << size_bits) > UINTPTR_MAX - vaddr) {
        ZF_LOGE("Failed to %s: %zu pages at 0x%lx run past the end of the address space", action, num_pages,
                (unsigned long)vaddr);
        return false;
    }
    *end = vaddr + (num_pages << size_bits);
    return true;
}

static struct vs_res *res_get(struct vs_data *d, reservation_t reservation, const char *action)
{
    if (reservation.res == NULL) {
        ZF_LOGE("Failed to %s: the reservation is NULL (did reserving fail?)", action);
        return NULL;
    }
    if (!g_hash_table_contains(d->live, reservation.res)) {
        ZF_LOGE("Failed to %s: %p is not a live reservation of this vspace", action, reservation.res);
        return NULL;
    }
    return reservation.res;
}

/* Mapping needs every page of [lo, hi) inside the reservation and not mapped. */
static bool range_reserved_unmapped(struct vs_data *d, struct vs_res *res, uintptr_t lo, uintptr_t hi,
                                    const char *action)
{
    if (lo < res->span.start || hi > res->span.end) {
        ZF_LOGE("Failed to %s: Invalid reservation: [0x%lx, 0x%lx) is not inside the reservation [0x%lx, 0x%lx)",
                action, (unsigned long)lo, (unsigned long)hi, (unsigned long)res->span.start,
                (unsigned long)res->span.end);
        return false;
    }
    struct span *m = span_overlapping(d->mappings, lo, hi);
    if (m != NULL) {
        ZF_LOGE("Failed to %s: Invalid reservation: 0x%lx is already mapped", action, (unsigned long)MAX(m->start, lo));
        return false;
    }
    return true;
}

static bool range_free(struct vs_data *d, uintptr_t lo, uintptr_t hi, const char *action)
{
    struct span *s = span_overlapping(d->reservations, lo, hi);
    if (s != NULL) {
        ZF_LOGE("Failed to %s: page 0x%lx is already reserved", action, (unsigned long)MAX(s->start, lo));
        return false;
    }
    s = span_overlapping(d->mappings, lo, hi);
    if (s != NULL) {
        ZF_LOGE("Failed to %s: page 0x%lx is already mapped", action, (unsigned long)MAX(s->start, lo));
        return false;
    }
    return true;
}

/*
 * Next-fit over [place_lo, place_hi) for `size` free bytes aligned to 2^align_bits, wrapping once. Each
 * step jumps past the span in the way, so the search costs O(log n) per span it skips. Address 0 is never
 * chosen: the callers that return a pointer use NULL for failure.
 */
static bool place(struct vs_data *d, size_t size, size_t align_bits, uintptr_t *out)
{
    uintptr_t align = BIT(align_bits);
    uintptr_t lowest = ALIGN_UP(MAX(d->place_lo, (uintptr_t)1), align);
    for (int pass = 0; pass < 2; pass++) {
        uintptr_t cand = pass == 0 ? ALIGN_UP(MAX(d->next_fit, lowest), align) : lowest;
        while (cand <= d->place_hi && d->place_hi - cand >= size) {
            struct span *r = span_overlapping(d->reservations, cand, cand + size);
            struct span *m = span_overlapping(d->mappings, cand, cand + size);
            if (r == NULL && m == NULL) {
                *out = cand;
                d->next_fit = cand + size;
                return true;
            }
            cand = ALIGN_UP(MAX(r != NULL ? r->end : 0, m != NULL ? m->end : 0), align);
        }
    }
    return false;
}

seL4_Error sim_vs_kernel_map(struct vs_data *d, seL4_CPtr cap, uintptr_t vaddr, seL4_CapRights_t rights, int cacheable)
{
    if (d->kind == SEL4KVM_VSPACE_VMM) {
        return seL4_X86_Page_Map(cap, d->root, vaddr, rights,
                                 cacheable ? seL4_X86_Default_VMAttributes : seL4_X86_CacheDisabled);
    }
    return seL4_X86_Page_MapEPT(cap, d->root, vaddr, rights,
                                cacheable ? seL4_X86_EPT_Default_VMAttributes : seL4_X86_EPT_Uncached_VMAttributes);
}

/* Delete a mapped frame's cap, free its cslot and, if it has a cookie or was allocated here, its memory. */
static void release_frame(struct vs_map *m, vka_t *vka)
{
    cspacepath_t path;
    vka_cspace_make_path(vka, m->cap, &path);
    vka_cnode_delete(&path);
    vka_cspace_free(vka, m->cap);
    if (m->cookie != 0 || m->owner == OWNER_FRAME) {
        vka_utspace_free(vka, kobject_get_type(KOBJECT_FRAME, m->size_bits), m->size_bits, m->cookie);
    }
}

/* Unmap one recorded page and forget it; with a vka, free it as unmap_pages documents. */
void sim_vs_drop_mapping(struct vs_data *d, struct vs_map *m, vka_t *vka)
{
    seL4_Error err = seL4_X86_Page_Unmap(m->cap);
    if (err != seL4_NoError) {
        ZF_LOGW("Unmapping cap 0x%lx at 0x%lx returned seL4 error %d; forgetting it anyway", (unsigned long)m->cap,
                (unsigned long)m->span.start, (int)err);
    }
    if (vka != NULL) {
        release_frame(m, vka);
    }
    g_tree_remove(d->mappings, (gconstpointer)m->span.start);
}

void sim_vs_record_mapping(struct vs_data *d, uintptr_t vaddr, size_t size_bits, seL4_CPtr cap, uintptr_t cookie,
                           map_owner_t owner)
{
    struct vs_map *m = g_new(struct vs_map, 1);
    *m = (struct vs_map){
        .span = { vaddr, vaddr + BIT(size_bits) },
        .size_bits = size_bits,
        .cap = cap,
        .cookie = cookie,
        .owner = owner,
    };
    g_tree_insert(d->mappings, (gpointer)vaddr, m);
}

/*
 * The kernel maps a frame at its own size whatever size_bits the caller claims; a frame smaller than that would
 * leave the rest of the recorded page unbacked, so the page's last byte must belong to the same frame.
 */
static seL4_Error check_frame_size(struct vs_data *d, uintptr_t vaddr, size_t size_bits)
{
    if (size_bits == seL4_PageBits) {
        return seL4_NoError;
    }
    uintptr_t first, last;
    size_t bytes;
    if (sel4kvm_sim_vspace_resolve(d->root, vaddr, 1, &first, &bytes) != 0 ||
        sel4kvm_sim_vspace_resolve(d->root, vaddr + BIT(size_bits) - 1, 1, &last, &bytes) != 0 ||
        last - first != BIT(size_bits) - 1) {
        return seL4_InvalidArgument;
    }
    return seL4_NoError;
}

/*
 * Map caps[i] at vaddr + i pages and record each. Ours: when one fails, the pages this call mapped are
 * unmapped again, so the range is exactly as before (sel4utils leaves them mapped); a frame smaller than
 * size_bits fails the call.
 */
static int map_range(struct vs_data *d, const char *action, seL4_CPtr caps[], uintptr_t cookies[], map_owner_t owner,
                     uintptr_t vaddr, size_t num_pages, size_t size_bits, seL4_CapRights_t rights, int cacheable)
{
    for (size_t i = 0; i < num_pages; i++) {
        uintptr_t v = vaddr + (i << size_bits);
        seL4_Error err = caps[i] == seL4_CapNull ? seL4_InvalidCapability
                                                 : sim_vs_kernel_map(d, caps[i], v, rights, cacheable);
        if (err == seL4_NoError && check_frame_size(d, v, size_bits) != seL4_NoError) {
            seL4_X86_Page_Unmap(caps[i]);
            err = seL4_InvalidArgument;
        }
        if (err != seL4_NoError) {
            ZF_LOGE("Failed to %s: mapping page %zu (cap 0x%lx) at 0x%lx failed with seL4 error %d", action, i,
                    (unsigned long)caps[i], (unsigned long)v, (int)err);
            for (size_t j = 0; j < i; j++) {
                sim_vs_drop_mapping(d, g_tree_lookup(d->mappings, (gconstpointer)(vaddr + (j << size_bits))), NULL);
            }
            return -1;
        }
        sim_vs_record_mapping(d, v, size_bits, caps[i], cookies != NULL ? cookies[i] : 0, owner);
    }
    return 0;
}

static void free_objects(vka_t *vka, vka_object_t *objects, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        vka_free_object(vka, &objects[i]);
    }
}

/* Allocate num_pages frames and map them at vaddr; on failure nothing stays allocated or mapped. */
static int new_frames_at(struct vs_data *d, const char *action, uintptr_t vaddr, size_t num_pages, size_t size_bits,
                         seL4_CapRights_t rights, int cacheable, bool can_use_dev)
{
    vka_object_t *objects = g_try_new0(vka_object_t, num_pages);
    seL4_CPtr *caps = g_try_new(seL4_CPtr, num_pages);
    uintptr_t *cookies = g_try_new(uintptr_t, num_pages);
    int ret = -1;
    size_t got = 0;
    if (objects == NULL || caps == NULL || cookies == NULL) {
        ZF_LOGE("Failed to %s: out of memory for %zu pages of bookkeeping", action, num_pages);
        goto out;
    }
    for (; got < num_pages; got++) {
        if (vka_alloc_frame_maybe_device(d->vka, size_bits, can_use_dev, &objects[got]) != 0) {
            ZF_LOGE("Failed to %s: allocating frame %zu of %zu from the vka failed", action, got, num_pages);
            goto out;
        }
        caps[got] = objects[got].cptr;
        cookies[got] = objects[got].ut;
    }
    ret = map_range(d, action, caps, cookies, OWNER_FRAME, vaddr, num_pages, size_bits, rights, cacheable);
out:
    if (ret != 0 && objects != NULL) {
        free_objects(d->vka, objects, got);
    }
    g_free(objects);
    g_free(caps);
    g_free(cookies);
    return ret;
}

static reservation_t make_reservation(struct vs_data *d, uintptr_t lo, uintptr_t hi, seL4_CapRights_t rights,
                                      int cacheable, bool deferred)
{
    struct vs_res *res = g_new(struct vs_res, 1);
    *res = (struct vs_res){
        .span = { lo, hi },
        .rights = deferred ? seL4_NoRights : rights,
        .cacheable = cacheable,
        .deferred = deferred,
    };
    g_tree_insert(d->reservations, (gpointer)lo, res);
    g_hash_table_add(d->live, res);
    return (reservation_t){ .res = res };
}

static void drop_reservation(struct vs_data *d, struct vs_res *res)
{
    g_hash_table_remove(d->live, res);
    g_tree_remove(d->reservations, (gconstpointer)res->span.start);
}

static reservation_t reserve_at(vspace_t *vspace, void *vaddr, size_t bytes, seL4_CapRights_t rights, int cacheable,
                                bool deferred)
{
    const char *action = deferred ? "reserve deferred-rights range" : "reserve range";
    reservation_t none = { .res = NULL };
    struct vs_data *d = sim_vs_get(vspace, action);
    if (d == NULL) {
        return none;
    }
    uintptr_t v = (uintptr_t)vaddr;
    if (bytes == 0) {
        ZF_LOGE("Failed to %s: zero bytes", action);
    } else if (bytes > UINTPTR_MAX - v || v + bytes > UINTPTR_MAX - (PAGE_SIZE_4K - 1)) {
        ZF_LOGE("Failed to %s: 0x%zx bytes at 0x%lx run past the end of the address space", action, bytes,
                (unsigned long)v);
    } else {
        uintptr_t lo = ROUND_DOWN(v, PAGE_SIZE_4K);
        uintptr_t hi = ROUND_UP(v + bytes, PAGE_SIZE_4K);
        if (lo < d->addr_lo || hi > d->addr_hi) {
            ZF_LOGE("Failed to %s: [0x%lx, 0x%lx) is outside the address space [0x%lx, 0x%lx)", action,
                    (unsigned long)lo, (unsigned long)hi, (unsigned long)d->addr_lo, (unsigned long)d->addr_hi);
        } else if (range_free(d, lo, hi, action)) {
            none = make_reservation(d, lo, hi, rights, cacheable, deferred);
        }
    }
    sim_vs_put(d);
    return none;
}

static reservation_t vs_reserve_range_at(vspace_t *vspace, void *vaddr, size_t bytes, seL4_CapRights_t rights,
                                         int cacheable)
{
    return reserve_at(vspace, vaddr, bytes, rights, cacheable, false);
}

static reservation_t vs_reserve_deferred_rights_range_at(vspace_t *vspace, void *vaddr, size_t bytes, int cacheable)
{
    return reserve_at(vspace, vaddr, bytes, seL4_NoRights, cacheable, true);
}

static reservation_t vs_reserve_range_aligned(vspace_t *vspace, size_t bytes, size_t size_bits, seL4_CapRights_t rights,
                                              int cacheable, void **vaddr)
{
    const char *action = "reserve range";
    reservation_t none = { .res = NULL };
    struct vs_data *d = sim_vs_get(vspace, action);
    if (d == NULL) {
        return none;
    }
    uintptr_t v;
    if (vaddr == NULL) {
        ZF_LOGE("Failed to %s: nowhere to store the address (vaddr is NULL)", action);
    } else if (!sel4_valid_size_bits(size_bits)) {
        ZF_LOGE("Failed to %s: invalid size_bits %zu", action, size_bits);
    } else if (bytes == 0) {
        ZF_LOGE("Failed to %s: zero bytes", action);
    } else if (bytes > UINTPTR_MAX - (BIT(size_bits) - 1)) {
        ZF_LOGE("Failed to %s: 0x%zx bytes is larger than any address space", action, bytes);
    } else if (!place(d, ROUND_UP(bytes, BIT(size_bits)), size_bits, &v)) {
        ZF_LOGE("Failed to %s: no free 0x%zx bytes aligned to 0x%lx in [0x%lx, 0x%lx)", action, bytes, BIT(size_bits),
                (unsigned long)d->place_lo, (unsigned long)d->place_hi);
    } else {
        /* As sel4utils: the range is placed for whole pages but only the bytes asked for, in 4 KiB pages, are
         * reserved. */
        none = make_reservation(d, v, v + ROUND_UP(bytes, PAGE_SIZE_4K), rights, cacheable, false);
        *vaddr = (void *)v;
    }
    sim_vs_put(d);
    return none;
}

static void vs_free_reservation(vspace_t *vspace, reservation_t reservation)
{
    const char *action = "free reservation";
    struct vs_data *d = sim_vs_get(vspace, action);
    if (d == NULL) {
        return;
    }
    struct vs_res *res = res_get(d, reservation, action);
    if (res != NULL) {
        drop_reservation(d, res);
    }
    sim_vs_put(d);
}

static void vs_free_reservation_by_vaddr(vspace_t *vspace, void *vaddr)
{
    const char *action = "free reservation";
    struct vs_data *d = sim_vs_get(vspace, action);
    if (d == NULL) {
        return;
    }
    uintptr_t v = (uintptr_t)vaddr;
    struct span *s = v == UINTPTR_MAX ? NULL : span_overlapping(d->reservations, v, v + 1);
    if (s == NULL) {
        ZF_LOGE("Failed to %s: no reservation contains %p", action, vaddr);
    } else {
        drop_reservation(d, (struct vs_res *)s);
    }
    sim_vs_put(d);
}

/* Checks shared by every way of mapping into a reservation; returns the reservation or NULL. */
struct vs_res *sim_vs_checked_target(struct vs_data *d, const char *action, uintptr_t vaddr, size_t num_pages,
                                     size_t size_bits, reservation_t reservation, bool deferred, uintptr_t *end)
{
    if (!sim_vs_page_range(d, action, vaddr, num_pages, size_bits, end)) {
        return NULL;
    }
    struct vs_res *res = res_get(d, reservation, action);
    if (res == NULL || !range_reserved_unmapped(d, res, vaddr, *end, action)) {
        return NULL;
    }
    if (res->deferred && !deferred) {
        ZF_LOGE("Failed to %s: Reservation has no rights associated with it", action);
        return NULL;
    }
    if (!res->deferred && deferred) {
        ZF_LOGE("Failed to %s: Invalid rights: rights already given to reservation", action);
        return NULL;
    }
    return res;
}

/* Map the caller's caps into a reservation: with its rights, or for a deferred one with `deferred_rights`. */
static int map_into_reservation(vspace_t *vspace, const char *action, seL4_CPtr caps[], uintptr_t cookies[],
                                void *vaddr, size_t num_pages, size_t size_bits,
                                const seL4_CapRights_t *deferred_rights, reservation_t reservation)
{
    struct vs_data *d = sim_vs_get(vspace, action);
    if (d == NULL) {
        return -1;
    }
    int ret = -1;
    uintptr_t end;
    struct vs_res *res = NULL;
    if (caps == NULL) {
        ZF_LOGE("Failed to %s: caps is NULL", action);
    } else {
        res = sim_vs_checked_target(d, action, (uintptr_t)vaddr, num_pages, size_bits, reservation,
                                    deferred_rights != NULL, &end);
    }
    if (res != NULL) {
        ret = map_range(d, action, caps, cookies, OWNER_CALLER, (uintptr_t)vaddr, num_pages, size_bits,
                        deferred_rights != NULL ? *deferred_rights : res->rights, res->cacheable);
    }
    sim_vs_put(d);
    return ret;
}

static int vs_map_pages_at_vaddr(vspace_t *vspace, seL4_CPtr caps[], uintptr_t cookies[], void *vaddr, size_t num_pages,
                                 size_t size_bits, reservation_t reservation)
{
    return map_into_reservation(vspace, "map pages", caps, cookies, vaddr, num_pages, size_bits, NULL, reservation);
}

static int vs_deferred_rights_map_pages_at_vaddr(vspace_t *vspace, seL4_CPtr caps[], uintptr_t cookies[], void *vaddr,
                                                 size_t num_pages, size_t size_bits, seL4_CapRights_t rights,
                                                 reservation_t reservation)
{
    return map_into_reservation(vspace, "map pages with deferred rights", caps, cookies, vaddr, num_pages, size_bits,
                                &rights, reservation);
}

/* Ours: a deferred-rights reservation is refused here too (sel4utils would map with no rights). */
static int vs_new_pages_at_vaddr(vspace_t *vspace, void *vaddr, size_t num_pages, size_t size_bits,
                                 reservation_t reservation, bool can_use_dev)
{
    const char *action = "create pages";
    struct vs_data *d = sim_vs_get(vspace, action);
    if (d == NULL) {
        return -1;
    }
    int ret = -1;
    uintptr_t end;
    struct vs_res *res = sim_vs_checked_target(d, action, (uintptr_t)vaddr, num_pages, size_bits, reservation, false,
                                               &end);
    if (res != NULL) {
        ret = new_frames_at(d, action, (uintptr_t)vaddr, num_pages, size_bits, res->rights, res->cacheable,
                            can_use_dev);
    }
    sim_vs_put(d);
    return ret;
}

/* Place num_pages pages of 2^size_bits anywhere; as sel4utils, no reservation is made for them. */
static bool place_pages(struct vs_data *d, const char *action, size_t num_pages, size_t size_bits, uintptr_t *vaddr)
{
    uintptr_t end;
    if (!sim_vs_page_range(d, action, 0, num_pages, size_bits, &end)) {
        return false;
    }
    if (!place(d, end, size_bits, vaddr)) {
        ZF_LOGE("Failed to %s: no free 0x%lx bytes in [0x%lx, 0x%lx)", action, (unsigned long)end,
                (unsigned long)d->place_lo, (unsigned long)d->place_hi);
        return false;
    }
    return true;
}

static void *vs_new_pages(vspace_t *vspace, seL4_CapRights_t rights, size_t num_pages, size_t size_bits)
{
    const char *action = "create pages";
    struct vs_data *d = sim_vs_get(vspace, action);
    if (d == NULL) {
        return NULL;
    }
    uintptr_t v = 0;
    if (place_pages(d, action, num_pages, size_bits, &v) &&
        new_frames_at(d, action, v, num_pages, size_bits, rights, 1, false) != 0) {
        v = 0;
    }
    sim_vs_put(d);
    return (void *)v;
}

static void *vs_map_pages(vspace_t *vspace, seL4_CPtr caps[], uintptr_t cookies[], seL4_CapRights_t rights,
                          size_t num_pages, size_t size_bits, int cacheable)
{
    const char *action = "map pages";
    struct vs_data *d = sim_vs_get(vspace, action);
    if (d == NULL) {
        return NULL;
    }
    uintptr_t v = 0;
    if (caps == NULL) {
        ZF_LOGE("Failed to %s: caps is NULL", action);
    } else if (place_pages(d, action, num_pages, size_bits, &v) &&
               map_range(d, action, caps, cookies, OWNER_CALLER, v, num_pages, size_bits, rights, cacheable) != 0) {
        v = 0;
    }
    sim_vs_put(d);
    return (void *)v;
}

static vka_t *resolve_vka(struct vs_data *d, vka_t *vka)
{
    return vka == VSPACE_FREE ? d->vka : vka;
}

/*
 * Ours: the whole range is checked first and a page of another size in it refuses the call, so a wrong
 * size_bits cannot unmap half a range. Pages in the range that are not mapped are skipped.
 */
static void vs_unmap_pages(vspace_t *vspace, void *vaddr, size_t num_pages, size_t size_bits, vka_t *vka)
{
    const char *action = "unmap pages";
    struct vs_data *d = sim_vs_get(vspace, action);
    if (d == NULL) {
        return;
    }
    uintptr_t lo = (uintptr_t)vaddr, hi;
    if (sim_vs_page_range(d, action, lo, num_pages, size_bits, &hi)) {
        GPtrArray *found = spans_in(d->mappings, lo, hi);
        bool sizes_match = true;
        for (guint i = 0; i < found->len && sizes_match; i++) {
            struct vs_map *m = g_ptr_array_index(found, i);
            if (m->size_bits != size_bits) {
                ZF_LOGE("Failed to %s: 0x%lx holds a page of 0x%lx bytes, not 0x%lx", action,
                        (unsigned long)m->span.start, BIT(m->size_bits), BIT(size_bits));
                sizes_match = false;
            }
        }
        if (sizes_match && found->len == 0) {
            ZF_LOGW("Unmapping %zu pages at %p: nothing is mapped there", num_pages, vaddr);
        }
        for (guint i = 0; i < found->len && sizes_match; i++) {
            sim_vs_drop_mapping(d, g_ptr_array_index(found, i), resolve_vka(d, vka));
        }
        g_ptr_array_free(found, TRUE);
    }
    sim_vs_put(d);
}

static seL4_CPtr vs_get_cap(vspace_t *vspace, void *vaddr)
{
    struct vs_data *d = sim_vs_get(vspace, "get cap");
    if (d == NULL) {
        return seL4_CapNull;
    }
    struct vs_map *m = sim_vs_mapping_at(d, (uintptr_t)vaddr);
    seL4_CPtr cap = m != NULL ? m->cap : seL4_CapNull;
    sim_vs_put(d);
    return cap;
}

static uintptr_t vs_get_cookie(vspace_t *vspace, void *vaddr)
{
    struct vs_data *d = sim_vs_get(vspace, "get cookie");
    if (d == NULL) {
        return 0;
    }
    struct vs_map *m = sim_vs_mapping_at(d, (uintptr_t)vaddr);
    uintptr_t cookie = m != NULL ? m->cookie : 0;
    sim_vs_put(d);
    return cookie;
}

static seL4_CPtr vs_get_root(vspace_t *vspace)
{
    struct vs_data *d = sim_vs_get(vspace, "get root");
    if (d == NULL) {
        return seL4_CapNull;
    }
    seL4_CPtr root = d->root;
    sim_vs_put(d);
    return root;
}

static gboolean collect_value(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    g_ptr_array_add(data, value);
    return FALSE;
}

/*
 * Every page is unmapped. Frames with a cookie or allocated here are freed with `vka` (VSPACE_FREE: the
 * vspace's own) unless it is VSPACE_PRESERVE; frames the caller mapped without a cookie keep their caps.
 * Ours: cap copies made by share_mem are always deleted, since nothing but the vspace knows them.
 */
static void vs_tear_down(vspace_t *vspace, vka_t *vka)
{
    struct vs_data *d = sim_vs_get(vspace, "tear down vspace");
    if (d == NULL) {
        return;
    }
    vka = resolve_vka(d, vka);
    GPtrArray *all = g_ptr_array_new();
    g_tree_foreach(d->mappings, collect_value, all);
    for (guint i = 0; i < all->len; i++) {
        struct vs_map *m = g_ptr_array_index(all, i);
        vka_t *free_with = NULL;
        if (m->owner == OWNER_COPY) {
            free_with = d->vka;
        } else if (m->cookie != 0 || m->owner == OWNER_FRAME) {
            free_with = vka;
        }
        sim_vs_drop_mapping(d, m, free_with);
    }
    g_ptr_array_free(all, TRUE);
    d->magic = 0;
    g_hash_table_destroy(d->live);
    g_tree_destroy(d->reservations);
    g_tree_destroy(d->mappings);
    sim_vs_put(d);
    g_rec_mutex_clear(&d->lock);
    g_free(d);
    memset(vspace, 0, sizeof(*vspace));
}

static bool check_bounds(sel4kvm_vspace_kind_t kind, uintptr_t start, uintptr_t end, uintptr_t *addr_lo,
                         uintptr_t *addr_hi)
{
    if (!IS_ALIGNED(start, seL4_PageBits) || !IS_ALIGNED(end, seL4_PageBits) || start >= end) {
        ZF_LOGE("Failed to create vspace: [0x%lx, 0x%lx) is not a non-empty 4 KiB aligned range", (unsigned long)start,
                (unsigned long)end);
        return false;
    }
    if (kind == SEL4KVM_VSPACE_GUEST) {
        *addr_lo = 0;
        *addr_hi = GUEST_ADDR_LIMIT;
    } else {
        size_t size;
        if (sel4kvm_sim_vmm_window(addr_lo, &size) != 0) {
            ZF_LOGE("Failed to create vspace: no simulated kernel is running");
            return false;
        }
        *addr_hi = *addr_lo + size;
    }
    if (start < *addr_lo || end > *addr_hi) {
        ZF_LOGE("Failed to create vspace: [0x%lx, 0x%lx) is outside the address space [0x%lx, 0x%lx)",
                (unsigned long)start, (unsigned long)end, (unsigned long)*addr_lo, (unsigned long)*addr_hi);
        return false;
    }
    return true;
}

int sel4kvm_vspace_init(vspace_t *vspace, vka_t *vka, seL4_CPtr root, sel4kvm_vspace_kind_t kind, uintptr_t start,
                        uintptr_t end)
{
    uintptr_t addr_lo, addr_hi;
    if (vspace == NULL || vka == NULL) {
        ZF_LOGE("Failed to create vspace: %s is NULL", vspace == NULL ? "vspace" : "vka");
        return -1;
    }
    if (root == seL4_CapNull) {
        ZF_LOGE("Failed to create vspace: the root cap is seL4_CapNull");
        return -1;
    }
    if (kind != SEL4KVM_VSPACE_VMM && kind != SEL4KVM_VSPACE_GUEST) {
        ZF_LOGE("Failed to create vspace: unknown kind %d", (int)kind);
        return -1;
    }
    if (!check_bounds(kind, start, end, &addr_lo, &addr_hi)) {
        return -1;
    }
    struct vs_data *d = g_try_new0(struct vs_data, 1);
    if (d == NULL) {
        ZF_LOGE("Failed to create vspace: out of memory");
        return -1;
    }
    *d = (struct vs_data){
        .magic = VSPACE_MAGIC,
        .kind = kind,
        .vka = vka,
        .root = root,
        .place_lo = start,
        .place_hi = end,
        .addr_lo = addr_lo,
        .addr_hi = addr_hi,
        .next_fit = start,
        .reservations = g_tree_new_full(addr_cmp, NULL, NULL, g_free),
        .mappings = g_tree_new_full(addr_cmp, NULL, NULL, g_free),
        .live = g_hash_table_new(g_direct_hash, g_direct_equal),
    };
    g_rec_mutex_init(&d->lock);
    *vspace = (vspace_t){
        .data = d,
        .new_pages = vs_new_pages,
        .map_pages = vs_map_pages,
        .new_pages_at_vaddr = vs_new_pages_at_vaddr,
        .map_pages_at_vaddr = vs_map_pages_at_vaddr,
        .deferred_rights_map_pages_at_vaddr = vs_deferred_rights_map_pages_at_vaddr,
        .unmap_pages = vs_unmap_pages,
        .tear_down = vs_tear_down,
        .reserve_range_aligned = vs_reserve_range_aligned,
        .reserve_range_at = vs_reserve_range_at,
        .reserve_deferred_rights_range_at = vs_reserve_deferred_rights_range_at,
        .free_reservation = vs_free_reservation,
        .free_reservation_by_vaddr = vs_free_reservation_by_vaddr,
        .get_cap = vs_get_cap,
        .get_root = vs_get_root,
        .get_cookie = vs_get_cookie,
        .share_mem_at_vaddr = sim_vs_share_mem_at_vaddr,
        .allocated_object = NULL,
        .allocated_object_cookie = NULL,
    };
    return 0;
}
