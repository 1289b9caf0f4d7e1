/* Attaching an IOMMU address space to a guest, for devices that DMA into it. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4/sel4.h>
#include <vspace/vspace.h>
#include <vka/vka.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_iospace.h
 * IO spaces let a passed-through device DMA into guest memory through an IOMMU (x86) or SMMU (Arm): every
 * mapping made in the guest's address space is mirrored into each attached IO space. The simulated machine
 * has no IOMMU and no passed-through devices, so there is nothing to attach here.
 */

/***
 * @function vm_guest_add_iospace(vm, loader, iospace)
 * Attach an IO space to the VM. Ours: there is no IOMMU to program, so this always fails with a message.
 * @param {vm_t *} vm The VM
 * @param {vspace_t *} loader The VMM's vspace, used upstream to allocate the IO space's bookkeeping
 * @param {seL4_CPtr} iospace Cap to the IO space
 * @return -1
 */
int vm_guest_add_iospace(vm_t *vm, vspace_t *loader, seL4_CPtr iospace);

#ifdef __cplusplus
}
#endif
