/* seL4_libs' cspacepath_t: everything an invocation needs to name one CSpace slot (or a run of slots). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <inttypes.h>
#include <stdio.h>
#include <sel4/sel4.h>
#include <utils/util.h>

/***
 * @module cspacepath_t.h
 * A slot is named two ways by seL4 invocations: as a cptr resolved from the caller's root CNode
 * (`capPtr`/`capDepth`, the form CNode Copy/Delete take for their source) and as a destination CNode plus an
 * offset in it (`dest`/`destDepth`/`offset`, the form Untyped_Retype takes). A `cspacepath_t` carries both so
 * that allocator-independent code never builds either by hand. In the simulated kernel every slot lives in the
 * root CNode: `capDepth` is seL4_WordBits, `dest`/`destDepth` are 0 (the root itself) and `offset` == `capPtr`.
 */

/***
 * @struct cspacepath_t
 * Path to a slot (or to `window` consecutive slots starting at it).
 * @param {seL4_CPtr} capPtr Address of the slot, resolved from root
 * @param {seL4_Word} capDepth Bits of capPtr to resolve
 * @param {seL4_CNode} root Root CNode of the CSpace the path is in
 * @param {seL4_Word} dest Address of the CNode that holds the slot, resolved from root
 * @param {seL4_Word} destDepth Bits of dest to resolve (0: root itself)
 * @param {seL4_Word} offset Index of the slot in the CNode named by dest
 * @param {seL4_Word} window Number of slots in the range
 */
typedef struct _cspacepath_t {
    seL4_CPtr capPtr;
    seL4_Word capDepth;
    seL4_CNode root;
    seL4_Word dest;
    seL4_Word destDepth;
    seL4_Word offset;
    seL4_Word window;
} cspacepath_t;

/***
 * @function cspacepath_swap(a, b)
 * Exchange two paths.
 * @param {cspacepath_t *} a First path
 * @param {cspacepath_t *} b Second path
 */
static inline void cspacepath_swap(cspacepath_t *a, cspacepath_t *b)
{
    if (a == NULL || b == NULL) {
        ZF_LOGE("Failed to swap cspace paths: NULL path");
        return;
    }
    cspacepath_t tmp = *a;
    *a = *b;
    *b = tmp;
}

/***
 * @function cspacepath_t_print(src)
 * Print every member of a path to stdout (upstream prints only in DEBUG builds; so do we).
 * @param {const cspacepath_t *} src Path to print
 */
static inline void cspacepath_t_print(const cspacepath_t *src)
{
#ifdef DEBUG
    if (src == NULL) {
        printf("cspacepath: NULL\n");
        return;
    }
    printf("capPtr:     0x%" PRIxPTR "\n", (uintptr_t)src->capPtr);
    printf("capDepth:   0x%" PRIxPTR "\n", (uintptr_t)src->capDepth);
    printf("root:       0x%" PRIxPTR "\n", (uintptr_t)src->root);
    printf("dest:       0x%" PRIxPTR "\n", (uintptr_t)src->dest);
    printf("destDepth:  0x%" PRIxPTR "\n", (uintptr_t)src->destDepth);
    printf("offset:     0x%" PRIxPTR "\n", (uintptr_t)src->offset);
    printf("window:     0x%" PRIxPTR "\n", (uintptr_t)src->window);
#else
    (void)src;
#endif
}
