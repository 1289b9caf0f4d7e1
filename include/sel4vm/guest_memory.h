/* Guest-physical address space management: reservations, their fault callbacks, and mapping frames into them. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <sel4/sel4.h>

#include <sel4vm/arch/guest_memory_arch.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_memory.h
 * The guest's physical address space is managed through reservations. A reservation claims a range of
 * guest-physical addresses and names a fault callback; the range can then be backed with frames
 * (`vm_map_reservation`), which the guest accesses directly, or left unbacked, so that every guest access to
 * it calls the callback: that is how devices are emulated. Frames mapped read-only let reads through and
 * send writes to the callback. Reservations are made at a fixed address (`vm_reserve_memory_at`) or carved
 * from a region set aside with `vm_memory_make_anon` (`vm_reserve_anon_memory`).
 *
 * A guest access that no mapped frame serves is looked up among the reservations (fixed ones first, then
 * anonymous ones) and handed to the matching callback; one that matches none goes to the VM's
 * unhandled-fault callback (`guest_vm.h`). The callback inspects and completes the access with the functions
 * of `guest_vcpu_fault.h`.
 */

typedef struct vm vm_t;
typedef struct vm_vcpu vm_vcpu_t;

/***
 * @struct vm_frame
 * A frame to map into the guest, as a memory map iterator returns it.
 * @param {seL4_CPtr} cptr Cap to the frame; seL4_CapNull tells the mapper there is no frame (an error)
 * @param {seL4_CapRights_t} rights Rights of the guest mapping: with write, read-write; read alone, read-only
 * @param {uintptr_t} vaddr Guest-physical address to map the frame at, aligned to its size
 * @param {size_t} size_bits log2 of the frame size: 12 (4 KiB) or 21 (2 MiB)
 */
typedef struct vm_frame {
    seL4_CPtr cptr;
    seL4_CapRights_t rights;
    uintptr_t vaddr;
    size_t size_bits;
} vm_frame_t;

/**
 * What a memory fault callback did with the access.
 * FAULT_HANDLED: emulated; the callback called advance_vcpu_fault and the guest continues after the
 *   instruction, a read receiving the data set with set_vcpu_fault_data.
 * FAULT_UNHANDLED: declined; the access goes to the VM's unhandled-fault callback (vm_run fails without one).
 * FAULT_RESTART: retry the access, typically after mapping memory at the address.
 *   Ours: works on x86 (upstream treats it as an error there); a retry that makes no progress is an error.
 * FAULT_IGNORE: skip the instruction; a read sees 0 and a write is dropped.
 * FAULT_ERROR: emulation failed; vm_run returns -1 with exit_reason VM_GUEST_ERROR_EXIT.
 */
typedef enum memory_fault_result {
    FAULT_HANDLED,
    FAULT_UNHANDLED,
    FAULT_RESTART,
    FAULT_IGNORE,
    FAULT_ERROR
} memory_fault_result_t;

/**
 * Fault callback of a reservation, called for a guest access to it that no mapped frame serves.
 * Ours: an access that runs past the end of its reservation is FAULT_ERROR without calling the callback
 * (upstream only compares the access size with the reservation size).
 * @param {vm_t *} vm The VM
 * @param {vm_vcpu_t *} vcpu The vCPU that made the access
 * @param {uintptr_t} fault_addr Guest-physical address of the access, exact to the byte
 * @param {size_t} fault_length Access width in bytes: 1, 2, 4 or 8
 * @param {void *} cookie The cookie given with the reservation
 * @return What was done with the access (memory_fault_result_t)
 */
typedef memory_fault_result_t (*memory_fault_callback_fn)(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t fault_addr,
                                                          size_t fault_length, void *cookie);

/**
 * Supplies the frames of a reservation being mapped, one call per frame.
 * @param {uintptr_t} addr Guest-physical address the next frame must cover
 * @param {void *} cookie The cookie given to vm_map_reservation
 * @return The frame to map; a cptr of seL4_CapNull stops the mapping with an error
 */
typedef vm_frame_t (*memory_map_iterator_fn)(uintptr_t addr, void *cookie);

/* Opaque: a reservation, and a VM's collection of them. */
typedef struct vm_memory_reservation vm_memory_reservation_t;
typedef struct vm_memory_reservation_cookie vm_memory_reservation_cookie_t;

/***
 * @function vm_reserve_memory_at(vm, addr, size, fault_callback, cookie)
 * Reserve the guest-physical range [addr, addr + size) and attach a fault callback to it.
 * The range need not be page aligned: it claims every 4 KiB page it touches, and the callback receives exact
 * byte addresses. It fails if any of those pages is already reserved or mapped, so two reservations that
 * share a page conflict even when their byte ranges do not.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} addr First guest-physical address of the range
 * @param {size_t} size Bytes in the range, at least 1
 * @param {memory_fault_callback_fn} fault_callback Called for accesses no mapped frame serves; required
 * @param {void *} cookie Passed to fault_callback
 * @return The reservation, or NULL if vm or fault_callback is NULL, size is 0, the range wraps around the
 *         address space, or one of its pages is already reserved or mapped
 */
vm_memory_reservation_t *vm_reserve_memory_at(vm_t *vm, uintptr_t addr, size_t size,
                                              memory_fault_callback_fn fault_callback, void *cookie);

/***
 * @function vm_reserve_anon_memory(vm, size, align, fault_callback, cookie, addr)
 * Reserve size bytes at an address of the library's choosing, inside memory claimed with vm_memory_make_anon.
 * The anonymous regions are tried in address order; the first with room places the reservation at its next
 * free address rounded up to align, and its next free address then moves past ROUND_UP(size, 4 KiB).
 * Ours: align must be a non-zero power of two (upstream divides by zero on 0), and a reservation never
 * extends past the end of its region (upstream's free-space computation can wrap).
 * @param {vm_t *} vm The VM
 * @param {size_t} size Bytes to reserve, at least 1
 * @param {size_t} align Alignment of the reservation's start: 4 KiB for RAM, the BAR size for a PCI BAR
 * @param {memory_fault_callback_fn} fault_callback Called for accesses no mapped frame serves; required
 * @param {void *} cookie Passed to fault_callback
 * @param {uintptr_t *} addr Receives the reservation's first guest-physical address
 * @return The reservation, or NULL if an argument is NULL or zero, align is not a power of two, or no
 *         anonymous region has room
 */
vm_memory_reservation_t *vm_reserve_anon_memory(vm_t *vm, size_t size, size_t align,
                                                memory_fault_callback_fn fault_callback, void *cookie, uintptr_t *addr);

/***
 * @function vm_memory_make_anon(vm, addr, size)
 * Set aside the guest-physical range [addr, addr + size) for anonymous reservations (vm_reserve_anon_memory).
 * Guest accesses to parts of it not yet reserved are unhandled faults.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} addr First guest-physical address of the region
 * @param {size_t} size Bytes in the region, at least 1
 * @return 0 on success; -1 if vm is NULL, size is 0, the range wraps, or it overlaps a reservation or mapping
 */
int vm_memory_make_anon(vm_t *vm, uintptr_t addr, size_t size);

/***
 * @function vm_free_reserved_memory(vm, reservation)
 * Release a reservation: its pages are unmapped from the guest and its addresses can be reserved again.
 * Ours: anonymous reservations can be freed too (upstream refuses, so its own error paths leak them), and the
 * frame caps that backed the reservation are not deleted: they stay the caller's (upstream deletes them).
 * @param {vm_t *} vm The VM
 * @param {vm_memory_reservation_t *} reservation The reservation; invalid after this call
 * @return 0 on success, -1 if vm or reservation is NULL or the reservation is not the VM's
 */
int vm_free_reserved_memory(vm_t *vm, vm_memory_reservation_t *reservation);

/***
 * @function vm_map_reservation(vm, reservation, map_iterator, cookie)
 * Back a reservation with frames. map_iterator is called with the reservation's start address, then with
 * each address just past the frame it last returned, until the reservation is covered; each frame is mapped
 * at its vaddr with its rights. In deferred mode (upstream's CONFIG_LIB_SEL4VM_DEFER_MEMORY_MAP; ours is a
 * run-time option of the VM) the iterator is only recorded, the whole reservation is mapped at its first
 * fault, and the access is then retried.
 * Ours: if mapping fails part way, the frames already mapped are unmapped again (upstream leaves them).
 * @param {vm_t *} vm The VM
 * @param {vm_memory_reservation_t *} reservation The reservation to back
 * @param {memory_map_iterator_fn} map_iterator Returns the frame for each address
 * @param {void *} cookie Passed to map_iterator
 * @return 0 on success; -1 if an argument is NULL, the iterator returns seL4_CapNull or a frame outside the
 *         reservation, or a frame cannot be mapped
 */
int vm_map_reservation(vm_t *vm, vm_memory_reservation_t *reservation, memory_map_iterator_fn map_iterator,
                       void *cookie);

/***
 * @function vm_map_reservation_frames(vm, reservation, frames, num_frames, frame_size_bits)
 * Back a reservation with an array of frames of one size: frames[i] is mapped with all rights at the
 * reservation's start + i * BIT(frame_size_bits).
 * @param {vm_t *} vm The VM
 * @param {vm_memory_reservation_t *} reservation The reservation to back
 * @param {seL4_CPtr *} frames Frame caps, in address order
 * @param {size_t} num_frames Number of caps in frames
 * @param {size_t} frame_size_bits log2 of the size of every frame: 12 or 21
 * @return 0 on success; -1 as vm_map_reservation, or if the frames do not cover the reservation
 */
int vm_map_reservation_frames(vm_t *vm, vm_memory_reservation_t *reservation, seL4_CPtr *frames, size_t num_frames,
                              size_t frame_size_bits);

/***
 * @function vm_get_reservation_memory_region(reservation, addr, size)
 * Get the range of a reservation, exactly as it was requested (not rounded to pages). With a NULL argument
 * it logs an error and sets nothing.
 * @param {vm_memory_reservation_t *} reservation The reservation
 * @param {uintptr_t *} addr Receives the first guest-physical address
 * @param {size_t *} size Receives the size in bytes
 */
void vm_get_reservation_memory_region(vm_memory_reservation_t *reservation, uintptr_t *addr, size_t *size);

/***
 * @function vm_memory_init(vm)
 * Set up the reservation bookkeeping of a VM. vm_init calls it; VMM code does not need to.
 * @param {vm_t *} vm The VM
 * @return 0 on success, -1 if vm is NULL, its memory is already initialised, or memory runs out
 */
int vm_memory_init(vm_t *vm);

#ifdef __cplusplus
}
#endif
