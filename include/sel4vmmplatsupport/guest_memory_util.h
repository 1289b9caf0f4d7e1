/* Common ways to back guest reservations: allocated frames, device frames at a physical address, untypeds. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>

#include <sel4/sel4.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vm.h>

/***
 * @module guest_memory_util.h
 * Helpers over the guest memory interface (sel4vm/guest_memory.h) for the usual ways of backing guest
 * memory. The map_* functions back a reservation made by the caller with 4 KiB frames, through
 * vm_map_reservation; the create_* functions reserve one 4 KiB page, back it with a frame and also map that
 * frame into the VMM, returning the VMM's address of it (a shared page between VMM and guest).
 *
 * Frames come from the VM's vka, or for a physical address from the VM's simple_t (when it can give frame
 * caps) or the vka's untypeds covering that address (device untypeds included). If a call fails, every
 * frame, slot and reservation it created is released again. Frames of a successful call stay allocated for
 * the life of the VM's allocator: as with every reservation here, vm_free_reserved_memory leaves the frame
 * caps to their owner, and these helpers give no handle to free them. The functions need a VM set up by
 * vm_init, and a reservation that is the VM's.
 */

/***
 * @function create_allocated_reservation_frame(vm, addr, rights, alloc_fault_callback, alloc_fault_cookie)
 * Reserve the page at addr, back it with a newly allocated frame mapped into the guest with rights, and map
 * the same frame read-write into the VMM. Accesses the rights do not allow (e.g. writes to a read-only page)
 * go to alloc_fault_callback.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} addr Guest-physical address of the page; 4 KiB aligned
 * @param {seL4_CapRights_t} rights Rights of the guest mapping
 * @param {memory_fault_callback_fn} alloc_fault_callback Fault callback of the reservation; required
 * @param {void *} alloc_fault_cookie Passed to alloc_fault_callback
 * @return The frame's address in the VMM, or NULL on error (NULL vm or callback, uninitialised VM, unaligned
 *         address, page already reserved, out of memory)
 */
void *create_allocated_reservation_frame(vm_t *vm, uintptr_t addr, seL4_CapRights_t rights,
                                         memory_fault_callback_fn alloc_fault_callback, void *alloc_fault_cookie);

/***
 * @function create_device_reservation_frame(vm, addr, rights, fault_callback, fault_cookie)
 * Reserve the page at guest-physical addr and back it with the frame at the same physical address, mapped
 * into the guest with rights and read-write into the VMM.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} addr Guest-physical and physical address of the page; 4 KiB aligned
 * @param {seL4_CapRights_t} rights Rights of the guest mapping
 * @param {memory_fault_callback_fn} fault_callback Fault callback of the reservation; required
 * @param {void *} fault_cookie Passed to fault_callback
 * @return The frame's address in the VMM, or NULL on error (as create_allocated_reservation_frame, or no
 *         frame at that physical address)
 */
void *create_device_reservation_frame(vm_t *vm, uintptr_t addr, seL4_CapRights_t rights,
                                      memory_fault_callback_fn fault_callback, void *fault_cookie);

/***
 * @function map_ut_alloc_reservation_with_base_paddr(vm, paddr, reservation)
 * Back a reservation with the physical frames from paddr on: the page at the reservation's start + n * 4 KiB
 * gets the frame at paddr + n * 4 KiB, all rights.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} paddr Physical address backing the reservation's first page; 4 KiB aligned
 * @param {vm_memory_reservation_t *} reservation The reservation, made by the caller
 * @return 0 on success; -1 on error (NULL argument, uninitialised VM, unaligned or wrapping paddr, a frame
 *         missing or already taken, a mapping failure)
 */
int map_ut_alloc_reservation_with_base_paddr(vm_t *vm, uintptr_t paddr, vm_memory_reservation_t *reservation);

/***
 * @function map_ut_alloc_reservation(vm, reservation)
 * Back a reservation with the physical frames at the same addresses (guest-physical = physical).
 * @param {vm_t *} vm The VM
 * @param {vm_memory_reservation_t *} reservation The reservation, made by the caller
 * @return 0 on success; -1 on error (as map_ut_alloc_reservation_with_base_paddr)
 */
int map_ut_alloc_reservation(vm_t *vm, vm_memory_reservation_t *reservation);

/***
 * @function map_frame_alloc_reservation(vm, reservation)
 * Back a reservation with newly allocated RAM frames, all rights.
 * @param {vm_t *} vm The VM
 * @param {vm_memory_reservation_t *} reservation The reservation, made by the caller
 * @return 0 on success; -1 on error (NULL argument, uninitialised VM, out of memory, a mapping failure)
 */
int map_frame_alloc_reservation(vm_t *vm, vm_memory_reservation_t *reservation);

/***
 * @function map_maybe_device_reservation(vm, reservation)
 * Back a reservation with newly allocated frames that may come from device memory when RAM runs out, all
 * rights.
 * @param {vm_t *} vm The VM
 * @param {vm_memory_reservation_t *} reservation The reservation, made by the caller
 * @return 0 on success; -1 on error (as map_frame_alloc_reservation)
 */
int map_maybe_device_reservation(vm_t *vm, vm_memory_reservation_t *reservation);
