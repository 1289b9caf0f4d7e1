/* Sharing pages between two sim vspaces: copy the frame caps of one and map the copies in the other. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <glib.h>
#include <utils/util.h>
#include <vka/capops.h>
#include <vka/object.h>
#include "vspace_internal.h"

/* The caps of the pages of `from` to share, each a page of exactly 2^size_bits bytes. */
static seL4_CPtr *collect_share_caps(vspace_t *from, uintptr_t start, size_t num_pages, size_t size_bits,
                                     vka_t **from_vka)
{
    const char *action = "share memory";
    struct vs_data *d = sim_vs_get(from, action);
    if (d == NULL) {
        return NULL;
    }
    seL4_CPtr *caps = NULL;
    uintptr_t end;
    /* The source range may start inside a page, as sel4utils allows; the range check wants it page aligned. */
    uintptr_t base = sel4_valid_size_bits(size_bits) ? ROUND_DOWN(start, BIT(size_bits)) : start;
    if (sim_vs_page_range(d, action, base, num_pages, size_bits, &end)) {
        caps = g_new(seL4_CPtr, num_pages);
        for (size_t i = 0; i < num_pages && caps != NULL; i++) {
            uintptr_t v = start + (i << size_bits);
            struct vs_map *m = sim_vs_mapping_at(d, v);
            if (m == NULL || m->size_bits != size_bits) {
                ZF_LOGE("Failed to %s: 0x%lx in the source vspace is %s", action, (unsigned long)v,
                        m == NULL ? "not mapped" : "mapped with a page of another size");
                g_clear_pointer(&caps, g_free);
            } else {
                caps[i] = m->cap;
            }
        }
    }
    *from_vka = d->vka;
    sim_vs_put(d);
    return caps;
}

/* Copy each cap into a new cslot and map the copy; undo everything on failure. */
static int map_copies(struct vs_data *d, vka_t *from_vka, const seL4_CPtr *caps, uintptr_t vaddr, size_t num_pages,
                      size_t size_bits, struct vs_res *res)
{
    const char *action = "share memory";
    size_t done = 0;
    int ret = 0;
    for (; done < num_pages && ret == 0; done++) {
        uintptr_t v = vaddr + (done << size_bits);
        cspacepath_t src, dest;
        vka_cspace_make_path(from_vka, caps[done], &src);
        if (vka_cspace_alloc_path(d->vka, &dest) != 0) {
            ZF_LOGE("Failed to %s: no cslot for the copy of page %zu", action, done);
            ret = -1;
            break;
        }
        int err = vka_cnode_copy(&dest, &src, res->rights);
        if (err == 0) {
            err = sim_vs_kernel_map(d, dest.capPtr, v, res->rights, res->cacheable);
        }
        if (err != 0) {
            ZF_LOGE("Failed to %s: copying or mapping page %zu at 0x%lx failed with seL4 error %d", action, done,
                    (unsigned long)v, err);
            vka_cnode_delete(&dest);
            vka_cspace_free(d->vka, dest.capPtr);
            ret = -1;
            break;
        }
        sim_vs_record_mapping(d, v, size_bits, dest.capPtr, 0, OWNER_COPY);
    }
    if (ret != 0) {
        for (size_t j = 0; j < done; j++) {
            sim_vs_drop_mapping(d, g_tree_lookup(d->mappings, (gconstpointer)(vaddr + (j << size_bits))), d->vka);
        }
    }
    return ret;
}

/*
 * Sharing copies the frame caps of `from` with the reservation's rights and maps the copies in `to`. The
 * source is read under its own lock and released before `to` is locked, so two vspaces never hold each
 * other's locks.
 */
int sim_vs_share_mem_at_vaddr(vspace_t *from, vspace_t *to, void *start, int num_pages, size_t size_bits, void *vaddr,
                              reservation_t reservation)
{
    const char *action = "share memory";
    if (num_pages <= 0) {
        ZF_LOGE("Failed to %s: %d pages", action, num_pages);
        return -1;
    }
    if (to == NULL || to->share_mem_at_vaddr != sim_vs_share_mem_at_vaddr) {
        ZF_LOGE("Failed to %s: the destination is not a vspace made by sel4kvm_vspace_init", action);
        return -1;
    }
    vka_t *from_vka = NULL;
    seL4_CPtr *caps = collect_share_caps(from, (uintptr_t)start, (size_t)num_pages, size_bits, &from_vka);
    if (caps == NULL) {
        return -1;
    }
    int ret = -1;
    struct vs_data *d = sim_vs_get(to, action);
    if (d != NULL) {
        uintptr_t end;
        struct vs_res *res = sim_vs_checked_target(d, action, (uintptr_t)vaddr, (size_t)num_pages, size_bits,
                                                   reservation, false, &end);
        if (res != NULL) {
            ret = map_copies(d, from_vka, caps, (uintptr_t)vaddr, (size_t)num_pages, size_bits, res);
        }
        sim_vs_put(d);
    }
    g_free(caps);
    return ret;
}
