/* Internal interface between the sim vspace's files: its state and the helpers they share. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <sel4/sel4.h>
#include <sel4kvm/vspace.h>
#include <vka/vka.h>
#include <vspace/vspace.h>

#define VSPACE_MAGIC 0x73346b76u
#define GUEST_ADDR_LIMIT (1ul << 48)

struct span {
    uintptr_t start;
    uintptr_t end;
};

struct vs_res {
    struct span span;
    seL4_CapRights_t rights;
    int cacheable;
    bool deferred;
};

/* Who provided a mapped frame, which decides what unmap and tear-down may delete. */
typedef enum {
    OWNER_CALLER,
    OWNER_FRAME, /* frame and cslot allocated here from the vspace's vka */
    OWNER_COPY,  /* cap copied here (share_mem) into a cslot from the vspace's vka */
} map_owner_t;

struct vs_map {
    struct span span;
    size_t size_bits;
    seL4_CPtr cap;
    uintptr_t cookie;
    map_owner_t owner;
};

struct vs_data {
    uint32_t magic;
    sel4kvm_vspace_kind_t kind;
    vka_t *vka;
    seL4_CPtr root;
    uintptr_t place_lo, place_hi;
    uintptr_t addr_lo, addr_hi;
    uintptr_t next_fit;
    GTree *reservations;
    GTree *mappings;
    GHashTable *live;
    /* Recursive so that a vspace can share memory with itself. */
    GRecMutex lock;
};

/* Validate a vspace made by sel4kvm_vspace_init and take its lock; NULL (with a message) if it is not one. */
struct vs_data *sim_vs_get(vspace_t *vspace, const char *action);
void sim_vs_put(struct vs_data *d);

/* Check [vaddr, vaddr + num_pages * 2^size_bits) (size, alignment, wrap-around) and return its end. */
bool sim_vs_page_range(struct vs_data *d, const char *action, uintptr_t vaddr, size_t num_pages, size_t size_bits,
                       uintptr_t *end);

/* The mapping that covers an address, or NULL. */
struct vs_map *sim_vs_mapping_at(struct vs_data *d, uintptr_t vaddr);

/*
 * The live reservation to map [vaddr, end) into, every page of it reserved there and unmapped, and of the
 * kind the caller maps with (deferred rights or not); else NULL with the reason logged.
 */
struct vs_res *sim_vs_checked_target(struct vs_data *d, const char *action, uintptr_t vaddr, size_t num_pages,
                                     size_t size_bits, reservation_t reservation, bool deferred, uintptr_t *end);

seL4_Error sim_vs_kernel_map(struct vs_data *d, seL4_CPtr cap, uintptr_t vaddr, seL4_CapRights_t rights, int cacheable);
void sim_vs_record_mapping(struct vs_data *d, uintptr_t vaddr, size_t size_bits, seL4_CPtr cap, uintptr_t cookie,
                           map_owner_t owner);

/* Unmap a recorded page and forget it; with a vka, delete its cap, free its cslot and its memory. */
void sim_vs_drop_mapping(struct vs_data *d, struct vs_map *m, vka_t *vka);

int sim_vs_share_mem_at_vaddr(vspace_t *from, vspace_t *to, void *start, int num_pages, size_t size_bits, void *vaddr,
                              reservation_t reservation);
