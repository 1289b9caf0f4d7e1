/* An index of disjoint address ranges over a balanced tree, with a two-way cache of recent hits by page. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include "range_index.h"

static gint addr_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y ? -1 : x > y;
}

void range_index_init(struct range_index *ix)
{
    ix->tree = g_tree_new_full(addr_cmp, NULL, NULL, NULL);
    memset(ix->cache, 0, sizeof(ix->cache));
}

void range_index_destroy(struct range_index *ix)
{
    if (ix->tree != NULL) {
        g_tree_destroy(ix->tree);
    }
    ix->tree = NULL;
    memset(ix->cache, 0, sizeof(ix->cache));
}

size_t range_index_count(const struct range_index *ix)
{
    return (size_t)g_tree_nnodes(ix->tree);
}

/* The range with the greatest start <= addr. */
static struct range *floor_range(const struct range_index *ix, uintptr_t addr)
{
    GTreeNode *n = g_tree_upper_bound(ix->tree, (gconstpointer)addr);
    n = n != NULL ? g_tree_node_previous(n) : g_tree_node_last(ix->tree);
    return n != NULL ? g_tree_node_value(n) : NULL;
}

struct range *range_index_overlap(const struct range_index *ix, uintptr_t start, uintptr_t end)
{
    struct range *r = floor_range(ix, end - 1);
    return r != NULL && r->end > start ? r : NULL;
}

bool range_index_insert(struct range_index *ix, struct range *r)
{
    if (r->end <= r->start || range_index_overlap(ix, r->start, r->end) != NULL) {
        return false;
    }
    g_tree_insert(ix->tree, (gpointer)r->start, r);
    return true;
}

void range_index_remove(struct range_index *ix, struct range *r)
{
    if (g_tree_lookup(ix->tree, (gconstpointer)r->start) == r) {
        g_tree_remove(ix->tree, (gconstpointer)r->start);
    }
    /* A range may be cached under any of its pages. */
    for (size_t set = 0; set < RANGE_INDEX_CACHE_SETS; set++) {
        for (size_t way = 0; way < 2; way++) {
            if (ix->cache[set][way] == r) {
                __atomic_store_n(&ix->cache[set][way], NULL, __ATOMIC_RELAXED);
            }
        }
    }
}

/* Fibonacci hashing of the 4 KiB page number: devices at regular strides spread over the sets. */
static size_t cache_set(uintptr_t addr)
{
    return (size_t)(((uint64_t)(addr >> 12) * 0x9e3779b97f4a7c15ull) >> 57);
}
_Static_assert(RANGE_INDEX_CACHE_SETS == 1 << (64 - 57), "cache_set gives one of RANGE_INDEX_CACHE_SETS sets");

static bool contains(const struct range *r, uintptr_t addr)
{
    return r != NULL && addr >= r->start && addr < r->end;
}

/* Cache slots are written by whichever vCPU thread looks up and read by the others, so they are accessed
 * atomically; between lookups a lost or duplicated entry only costs a tree walk. A lookup must never run alongside
 * range_index_remove (the tree needs that anyway): it could put the removed range back in the cache. */
struct range *range_index_find(struct range_index *ix, uintptr_t addr)
{
    struct range **ways = ix->cache[cache_set(addr)];
    struct range *first = __atomic_load_n(&ways[0], __ATOMIC_RELAXED);
    if (contains(first, addr)) {
        return first;
    }
    struct range *r = __atomic_load_n(&ways[1], __ATOMIC_RELAXED);
    if (!contains(r, addr)) {
        r = floor_range(ix, addr);
        if (r == NULL || addr >= r->end) {
            return NULL;
        }
    }
    __atomic_store_n(&ways[1], first, __ATOMIC_RELAXED);
    __atomic_store_n(&ways[0], r, __ATOMIC_RELAXED);
    return r;
}

struct range *range_index_next(const struct range_index *ix, uintptr_t addr)
{
    GTreeNode *n = g_tree_lower_bound(ix->tree, (gconstpointer)addr);
    return n != NULL ? g_tree_node_value(n) : NULL;
}
