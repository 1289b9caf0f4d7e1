/* Kernel object types and object sizes for x86_64 with VT-x, numbered as libsel4 numbers them. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

typedef enum api_object {
    seL4_UntypedObject,
    seL4_TCBObject,
    seL4_EndpointObject,
    seL4_NotificationObject,
    seL4_CapTableObject,
    seL4_NonArchObjectTypeCount,
} seL4_ObjectType;

typedef enum _mode_object {
    seL4_X86_PDPTObject = seL4_NonArchObjectTypeCount,
    seL4_X64_PML4Object,
    seL4_X64_HugePageObject,
    seL4_ModeObjectTypeCount
} seL4_seL4ArchObjectType;

typedef enum _object {
    seL4_X86_4K = seL4_ModeObjectTypeCount,
    seL4_X86_LargePageObject,
    seL4_X86_PageTableObject,
    seL4_X86_PageDirectoryObject,
    seL4_X86_VCPUObject,
    seL4_X86_EPTPML4Object,
    seL4_X86_EPTPDPTObject,
    seL4_X86_EPTPDObject,
    seL4_X86_EPTPTObject,
    seL4_ObjectTypeCount
} seL4_ArchObjectType;

#define seL4_X86_HugePageObject seL4_X64_HugePageObject
#define seL4_ARCH_4KPage seL4_X86_4K
#define seL4_ARCH_LargePageObject seL4_X86_LargePageObject

#define seL4_WordBits 64
#define seL4_WordSizeBits 3
#define seL4_PageBits 12
#define seL4_LargePageBits 21
#define seL4_HugePageBits 30
#define seL4_SlotBits 5
#define seL4_TCBBits 11
#define seL4_EndpointBits 4
#define seL4_NotificationBits 5
#define seL4_PageTableBits 12
#define seL4_PageDirBits 12
#define seL4_PDPTBits 12
#define seL4_PML4Bits 12
#define seL4_VSpaceBits seL4_PML4Bits
#define seL4_X86_VCPUBits 14
#define seL4_X86_EPTPML4Bits 12
#define seL4_X86_EPTPDPTBits 12
#define seL4_X86_EPTPDBits 12
#define seL4_X86_EPTPTBits 12
#define seL4_MinUntypedBits 4
#define seL4_MaxUntypedBits 47
#define seL4_UserTop 0x00007fffffffffffUL
#define seL4_NilData 0
#define seL4_PageTableIndexBits 9
