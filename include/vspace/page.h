/* libsel4vspace page sizes for x86_64 and the seL4_ARCH_* names that portable mapping code uses. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <autoconf.h>
#include <sel4/sel4.h>
#include <utils/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module page.h
 * The frame sizes a vspace can map on this architecture, smallest first, and helpers to check a size or pick
 * the largest size that fits a region. x86_64 kernels are built with huge (1 GiB) pages; guest (EPT) address
 * spaces still take 4 KiB and 2 MiB frames only, which the guest vspace checks when mapping.
 */

/* Sorted ascending: sel4_valid_size_bits stops at the first entry larger than the size it looks for. */
static const UNUSED size_t sel4_page_sizes[] = {
    seL4_PageBits,
    seL4_LargePageBits,
    seL4_HugePageBits,
};

#define SEL4_NUM_PAGE_SIZES ((int)ARRAY_SIZE(sel4_page_sizes))

#ifndef seL4_ARCH_Page_Map
#define seL4_ARCH_Page_Map seL4_X86_Page_Map
#endif
#ifndef seL4_ARCH_Page_Unmap
#define seL4_ARCH_Page_Unmap seL4_X86_Page_Unmap
#endif
#ifndef seL4_ARCH_Page_GetAddress
#define seL4_ARCH_Page_GetAddress seL4_X86_Page_GetAddress
#endif
#ifndef seL4_ARCH_Page_GetAddress_t
#define seL4_ARCH_Page_GetAddress_t seL4_X86_Page_GetAddress_t
#endif
#ifndef seL4_ARCH_ASIDPool_Assign
#define seL4_ARCH_ASIDPool_Assign seL4_X86_ASIDPool_Assign
#endif
#ifndef seL4_ARCH_PageTableObject
#define seL4_ARCH_PageTableObject seL4_X86_PageTableObject
#endif
#ifndef seL4_ARCH_PageDirectoryObject
#define seL4_ARCH_PageDirectoryObject seL4_X86_PageDirectoryObject
#endif
#ifndef seL4_ARCH_Default_VMAttributes
#define seL4_ARCH_Default_VMAttributes seL4_X86_Default_VMAttributes
#endif
#ifndef seL4_ARCH_Uncached_VMAttributes
#define seL4_ARCH_Uncached_VMAttributes seL4_X86_CacheDisabled
#endif
#ifndef seL4_ARCH_VMAttributes
#define seL4_ARCH_VMAttributes seL4_X86_VMAttributes
#endif
#ifndef seL4_ARCH_4KPage
#define seL4_ARCH_4KPage seL4_X86_4K
#endif
#ifndef seL4_ARCH_LargePageObject
#define seL4_ARCH_LargePageObject seL4_X86_LargePageObject
#endif

/***
 * @function sel4_valid_size_bits(size_bits)
 * Whether a frame of 2^size_bits bytes exists on this architecture.
 * @param {size_t} size_bits log2 of the frame size
 * @return true for 12, 21 and 30; false otherwise
 */
static inline bool sel4_valid_size_bits(size_t size_bits)
{
    for (int i = 0; i < SEL4_NUM_PAGE_SIZES && size_bits >= sel4_page_sizes[i]; i++) {
        if (size_bits == sel4_page_sizes[i]) {
            return true;
        }
    }
    return false;
}

/***
 * @function sel4_page_size_bits_for_memory_region(size_bytes)
 * The largest frame size that is no larger than a region, for covering it with as few frames as possible.
 * @param {size_t} size_bytes Size of the region in bytes
 * @return log2 of the chosen frame size (the smallest frame size when the region is smaller than that)
 */
static inline int sel4_page_size_bits_for_memory_region(size_t size_bytes)
{
    int index = 0;
    while (index + 1 < SEL4_NUM_PAGE_SIZES && (size_bytes >> sel4_page_sizes[index + 1]) != 0) {
        index++;
    }
    return (int)sel4_page_sizes[index];
}

#ifdef __cplusplus
}
#endif
