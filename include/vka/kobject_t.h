/* seL4_libs' kobject_t: architecture-neutral kernel object kinds and their seL4 types and sizes on x86_64. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <autoconf.h>
#include <assert.h>
#include <sel4/sel4.h>
#include <sel4/types.h>
#include <utils/util.h>

/***
 * @module kobject_t.h
 * Generic names for kernel objects, so that code can ask for "a frame of 2^n bytes" without knowing the
 * architecture's object type. Upstream splits this over vka/arch and vka/sel4_arch headers; for x86_64 it is
 * all here, numbered as upstream numbers it (mode kinds, then x86 kinds, then generic kinds).
 */

typedef int kobject_t;

enum _x86_mode_kobject_type {
    KOBJECT_PML4,
    KOBJECT_PDPT,
    KOBJECT_FRAME,
    KOBJECT_MODE_NUM_TYPES,
};

enum _x86_kobject_type {
    KOBJECT_IO_PAGETABLE = KOBJECT_MODE_NUM_TYPES,
    KOBJECT_PAGE_DIRECTORY,
    KOBJECT_PAGE_TABLE,
    KOBJECT_ARCH_NUM_TYPES,
};

enum _kobject_type {
    KOBJECT_TCB = KOBJECT_ARCH_NUM_TYPES,
    KOBJECT_CNODE,
    KOBJECT_CSLOT,
    KOBJECT_UNTYPED,
    KOBJECT_ENDPOINT,
    KOBJECT_NOTIFICATION,
    KOBJECT_REPLY,
    KOBJECT_SCHED_CONTEXT,
    NUM_KOBJECT_TYPES
};

/* Deprecated upstream names. */
#define KOBJECT_ASYNC_ENDPOINT KOBJECT_NOTIFICATION
#define KOBJECT_SYNC_ENDPOINT KOBJECT_ENDPOINT

/***
 * @function kobject_get_size(type, objectSize)
 * log2 of the untyped memory an object needs. Upstream gives notifications seL4_EndpointBits and PML4s 0;
 * ours gives seL4_NotificationBits and seL4_PML4Bits.
 * @param {kobject_t} type Object kind
 * @param {seL4_Word} objectSize Size argument (frames: log2 bytes; CNodes: log2 slots; untypeds: log2 bytes)
 * @return the size in bits, or 0 for an unknown kind, a frame size x86_64 lacks, or a kind without memory
 */
static inline seL4_Word kobject_get_size(kobject_t type, seL4_Word objectSize)
{
    switch (type) {
    case KOBJECT_TCB:
        return seL4_TCBBits;
    case KOBJECT_CNODE:
        return seL4_SlotBits + objectSize;
    case KOBJECT_CSLOT:
        return 0;
    case KOBJECT_UNTYPED:
        return objectSize;
    case KOBJECT_ENDPOINT:
        return seL4_EndpointBits;
    case KOBJECT_NOTIFICATION:
        return seL4_NotificationBits;
    case KOBJECT_PAGE_DIRECTORY:
        return seL4_PageDirBits;
    case KOBJECT_PAGE_TABLE:
        return seL4_PageTableBits;
    case KOBJECT_PDPT:
        return seL4_PDPTBits;
    case KOBJECT_PML4:
        return seL4_PML4Bits;
    case KOBJECT_FRAME:
        if (objectSize == seL4_PageBits || objectSize == seL4_LargePageBits || objectSize == seL4_HugePageBits) {
            return objectSize;
        }
        return 0;
    default:
        ZF_LOGE("Failed to get object size: unknown object kind %d", type);
        return 0;
    }
}

/***
 * @function kobject_get_type(type, objectSize)
 * The seL4 object type for an object kind. Frames: 12 bits → seL4_X86_4K, 21 → seL4_X86_LargePageObject,
 * 30 → seL4_X64_HugePageObject.
 * @param {kobject_t} type Object kind
 * @param {seL4_Word} objectSize Size argument (used for frames)
 * @return the seL4 object type, or (seL4_Word)-1 for an unknown kind, a kind this kernel lacks (I/O page
 *         tables, reply and scheduling-context objects, cslots) or an unsupported frame size
 */
static inline seL4_Word kobject_get_type(kobject_t type, seL4_Word objectSize)
{
    switch (type) {
    case KOBJECT_TCB:
        return seL4_TCBObject;
    case KOBJECT_CNODE:
        return seL4_CapTableObject;
    case KOBJECT_UNTYPED:
        return seL4_UntypedObject;
    case KOBJECT_ENDPOINT:
        return seL4_EndpointObject;
    case KOBJECT_NOTIFICATION:
        return seL4_NotificationObject;
    case KOBJECT_PAGE_DIRECTORY:
        return seL4_X86_PageDirectoryObject;
    case KOBJECT_PAGE_TABLE:
        return seL4_X86_PageTableObject;
    case KOBJECT_PDPT:
        return seL4_X86_PDPTObject;
    case KOBJECT_PML4:
        return seL4_X64_PML4Object;
    case KOBJECT_FRAME:
        switch (objectSize) {
        case seL4_PageBits:
            return seL4_X86_4K;
        case seL4_LargePageBits:
            return seL4_X86_LargePageObject;
        case seL4_HugePageBits:
            return seL4_X64_HugePageObject;
        default:
            return -1;
        }
    case KOBJECT_CSLOT:
    case KOBJECT_IO_PAGETABLE:
    case KOBJECT_REPLY:
    case KOBJECT_SCHED_CONTEXT:
        return -1;
    default:
        ZF_LOGE("Failed to get object type: unknown object kind %d", type);
        return -1;
    }
}
