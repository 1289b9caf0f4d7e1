/* The sel4kvm vspace implementation: a sel4utils-style vspace_t over the VMM's host space or a guest's EPT. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>
#include <sel4/sel4.h>
#include <vka/vka.h>
#include <vspace/vspace.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module sel4kvm/vspace.h
 * Builds a `vspace_t` with sel4utils semantics over the simulated kernel. Reservations cover whole 4 KiB
 * pages and hold rights (or defer them to map time); no page belongs to two reservations, and a page that is
 * mapped cannot be reserved. Mapping needs every page of the range reserved by the given reservation and not
 * mapped; unmapping inside a reservation makes the pages reserved again; freeing a reservation leaves its
 * mapped pages mapped. Lookups are O(log n) in the number of reservations and mappings.
 *
 * Differences from sel4utils, all in the direction of reporting instead of crashing: a NULL or already freed
 * reservation is an error; a multi-page map that fails part way unmaps what it mapped (and frees what it
 * allocated), leaving the range as it was; new_pages_at_vaddr into a deferred-rights reservation is refused;
 * unmap_pages refuses a range that holds pages of another size; anonymous placement never returns address 0;
 * tear_down unmaps every page and always deletes the cap copies share_mem made. The vspace is thread-safe.
 */

/***
 * @struct sel4kvm_vspace_kind_t
 * Which kind of address space a vspace manages.
 * @param {enum} SEL4KVM_VSPACE_VMM The VMM's own (host) address space: pages are mapped with
 *        seL4_X86_Page_Map and really appear at their host address
 * @param {enum} SEL4KVM_VSPACE_GUEST A guest-physical address space: pages are mapped with seL4_X86_Page_MapEPT
 *        into an EPT PML4 and the address is the guest-physical address
 */
typedef enum { SEL4KVM_VSPACE_VMM, SEL4KVM_VSPACE_GUEST } sel4kvm_vspace_kind_t;

/***
 * @function sel4kvm_vspace_init(vspace, vka, root, kind, start, end)
 * Fill a vspace_t that manages one address space. Frames it allocates itself come from vka, and cap copies
 * made for sharing take their cslots from it; tear_down with VSPACE_FREE returns them there.
 * @param {vspace_t *} vspace Struct to fill (overwritten)
 * @param {vka_t *} vka Allocator for frames and cslots; must outlive the vspace
 * @param {seL4_CPtr} root seL4_CapInitThreadVSpace for SEL4KVM_VSPACE_VMM, an EPT PML4 cap for
 *        SEL4KVM_VSPACE_GUEST
 * @param {sel4kvm_vspace_kind_t} kind Kind of address space
 * @param {uintptr_t} start First address at which the vspace places ranges it chooses itself (4 KiB aligned)
 * @param {uintptr_t} end End (exclusive) of that area (4 KiB aligned, above start). For the VMM kind
 *        [start, end) must lie inside sel4kvm_sim_vmm_window(); for the guest kind below 2^48
 * @return 0 on success, -1 on bad arguments or when no memory is left for the bookkeeping
 */
int sel4kvm_vspace_init(vspace_t *vspace, vka_t *vka, seL4_CPtr root, sel4kvm_vspace_kind_t kind, uintptr_t start,
                        uintptr_t end);

#ifdef __cplusplus
}
#endif
