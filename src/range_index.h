/* An index of disjoint address ranges: O(log n) insert, remove and point lookup, with a cache of recent hits. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A range [start, end) kept in an index; embed it in the object the range belongs to. */
struct range {
    uintptr_t start;
    uintptr_t end;
};

/* Sets of the hit cache; each holds the two ranges last found through pages that hash to it. */
#define RANGE_INDEX_CACHE_SETS 128

struct range_index {
    GTree *tree; /* start -> struct range * */
    /* Recent hits by page: a guest that keeps to a few devices finds them without a tree walk, however many
     * ranges there are. [set][0] is the more recent. */
    struct range *cache[RANGE_INDEX_CACHE_SETS][2];
};

void range_index_init(struct range_index *ix);
void range_index_destroy(struct range_index *ix);
size_t range_index_count(const struct range_index *ix);

/* The range overlapping [start, end), or NULL. end > start. */
struct range *range_index_overlap(const struct range_index *ix, uintptr_t start, uintptr_t end);

/* Adds r; refuses (returns false) if it overlaps a range already there or is empty. */
bool range_index_insert(struct range_index *ix, struct range *r);
void range_index_remove(struct range_index *ix, struct range *r);

/* The range containing addr, or NULL. Allocation-free and lock-free: safe on the fault path. */
struct range *range_index_find(struct range_index *ix, uintptr_t addr);

/* The first range starting at or after addr, or NULL. */
struct range *range_index_next(const struct range_index *ix, uintptr_t addr);
