/* An index of disjoint address ranges over a balanced tree, with a one-entry cache for repeated hits. */
/* SPDX-License-Identifier: BSD-2-Clause */
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
    ix->last_hit = NULL;
}

void range_index_destroy(struct range_index *ix)
{
    if (ix->tree != NULL) {
        g_tree_destroy(ix->tree);
    }
    ix->tree = NULL;
    ix->last_hit = NULL;
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
    if (ix->last_hit == r) {
        ix->last_hit = NULL;
    }
}

struct range *range_index_find(struct range_index *ix, uintptr_t addr)
{
    struct range *r = ix->last_hit;
    if (r != NULL && addr >= r->start && addr < r->end) {
        return r;
    }
    r = floor_range(ix, addr);
    if (r == NULL || addr >= r->end) {
        return NULL;
    }
    ix->last_hit = r;
    return r;
}

struct range *range_index_next(const struct range_index *ix, uintptr_t addr)
{
    GTreeNode *n = g_tree_lower_bound(ix->tree, (gconstpointer)addr);
    return n != NULL ? g_tree_node_value(n) : NULL;
}
