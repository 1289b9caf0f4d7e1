/* Guest RAM: registering it, handing it out, and reading or writing it from the VMM. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_ram.h
 * Guest RAM is guest-physical memory backed by frames and mapped read-write when it is registered, never
 * lazily; a guest access to it that faults anyway is an error. Registered RAM is kept as a sorted list of
 * regions (`vm->mem.ram_regions`), each free or allocated, from which the VMM places images and tables
 * (`vm_ram_allocate`, `vm_ram_mark_allocated`). `vm_ram_touch` gives the VMM access to guest RAM without
 * mapping it: the callback receives a pointer into the VMM's view of the frames, one page at a time.
 * Host memory behind guest RAM is committed only when touched, so large RAM sizes are cheap until used.
 */

/**
 * Callback of vm_ram_touch, called once per chunk of the range; a chunk never crosses a 4 KiB page.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} guest_addr Guest-physical address of the chunk's first byte
 * @param {void *} vmm_vaddr Where that byte is in the VMM's address space
 * @param {size_t} size Bytes in the chunk
 * @param {size_t} offset Distance of the chunk from the address given to vm_ram_touch
 * @param {void *} cookie The cookie given to vm_ram_touch
 * @return 0 to continue; anything else stops the walk and is returned by vm_ram_touch
 */
typedef int (*ram_touch_callback_fn)(vm_t *vm, uintptr_t guest_addr, void *vmm_vaddr, size_t size, size_t offset,
                                     void *cookie);

/***
 * @function vm_guest_ram_read_callback(vm, guest_addr, vaddr, size, offset, buf)
 * Touch callback that copies guest RAM out: size bytes from vaddr to buf + offset. Pass the destination
 * buffer as vm_ram_touch's cookie. Ours: honours offset (upstream copies every chunk to the start of buf).
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} guest_addr Guest-physical address of the chunk
 * @param {void *} vaddr Where the chunk is in the VMM's address space
 * @param {size_t} size Bytes in the chunk
 * @param {size_t} offset Distance of the chunk from the start of the touched range
 * @param {void *} buf Destination buffer, as large as the touched range
 * @return 0 on success, -1 if vaddr or buf is NULL
 */
int vm_guest_ram_read_callback(vm_t *vm, uintptr_t guest_addr, void *vaddr, size_t size, size_t offset, void *buf);

/***
 * @function vm_guest_ram_write_callback(vm, guest_addr, vaddr, size, offset, buf)
 * Touch callback that copies into guest RAM: size bytes from buf + offset to vaddr. Pass the source buffer
 * as vm_ram_touch's cookie. Ours: honours offset (upstream copies every chunk from the start of buf).
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} guest_addr Guest-physical address of the chunk
 * @param {void *} vaddr Where the chunk is in the VMM's address space
 * @param {size_t} size Bytes in the chunk
 * @param {size_t} offset Distance of the chunk from the start of the touched range
 * @param {void *} buf Source buffer, as large as the touched range
 * @return 0 on success, -1 if vaddr or buf is NULL
 */
int vm_guest_ram_write_callback(vm_t *vm, uintptr_t guest_addr, void *vaddr, size_t size, size_t offset, void *buf);

/***
 * @function vm_ram_touch(vm, addr, size, touch_callback, cookie)
 * Walk a range of guest RAM in chunks that never cross a 4 KiB page, calling touch_callback for each.
 * Ours: the callback gets each chunk's exact address (upstream passes the page's), and the range may span
 * free and allocated regions (upstream fails there); it must be registered RAM throughout.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} addr First guest-physical address of the range
 * @param {size_t} size Bytes in the range, at least 1
 * @param {ram_touch_callback_fn} touch_callback Called for each chunk
 * @param {void *} cookie Passed to touch_callback
 * @return 0 on success; -1 if an argument is NULL or zero, the range wraps or is not all registered RAM;
 *         otherwise the first non-zero value the callback returned
 */
int vm_ram_touch(vm_t *vm, uintptr_t addr, size_t size, ram_touch_callback_fn touch_callback, void *cookie);

/***
 * @function vm_ram_find_largest_free_region(vm, addr, size)
 * Find the largest region of registered RAM not yet allocated.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t *} addr Receives the region's first guest-physical address
 * @param {size_t *} size Receives the region's size in bytes
 * @return 0 on success, -1 if an argument is NULL or no free region exists
 */
int vm_ram_find_largest_free_region(vm_t *vm, uintptr_t *addr, size_t *size);

/***
 * @function vm_ram_register(vm, bytes)
 * Register RAM at an address of the library's choosing: an anonymous reservation (vm_reserve_anon_memory,
 * 4 KiB aligned) backed by frames from the VM's allocator.
 * @param {vm_t *} vm The VM
 * @param {size_t} bytes Size of the RAM, at least 1
 * @return The RAM's first guest-physical address, or 0 if vm is NULL, bytes is 0, no anonymous region has room,
 *         or frames run out
 */
uintptr_t vm_ram_register(vm_t *vm, size_t bytes);

/***
 * @function vm_ram_register_at(vm, start, bytes, untyped)
 * Register RAM at a given guest-physical address, backed by frames from the VM's allocator.
 * Ours: every failure returns -1 (upstream returns 0 from most of its error paths).
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} start First guest-physical address, 4 KiB aligned
 * @param {size_t} bytes Size of the RAM, a non-zero multiple of 4 KiB
 * @param {bool} untyped true to back each guest-physical address X with the frame at physical address X
 *        (1:1, from untyped memory at that address); false for frames from anywhere
 * @return 0 on success; -1 if vm is NULL, start or bytes is unaligned or zero, the range wraps or overlaps a
 *         reservation, or frames cannot be had
 */
int vm_ram_register_at(vm_t *vm, uintptr_t start, size_t bytes, bool untyped);

/***
 * @function vm_ram_register_at_custom_iterator(vm, start, bytes, map_iterator, cookie)
 * Register RAM at a given guest-physical address, backed by the frames map_iterator supplies (as
 * vm_map_reservation calls it), for RAM shared with another component such as a dataport.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} start First guest-physical address, 4 KiB aligned
 * @param {size_t} bytes Size of the RAM, a non-zero multiple of 4 KiB
 * @param {memory_map_iterator_fn} map_iterator Returns the frame for each address
 * @param {void *} cookie Passed to map_iterator
 * @return 0 on success; -1 as vm_ram_register_at, or if map_iterator is NULL or fails
 */
int vm_ram_register_at_custom_iterator(vm_t *vm, uintptr_t start, size_t bytes, memory_map_iterator_fn map_iterator,
                                       void *cookie);

/***
 * @function vm_ram_mark_allocated(vm, start, bytes)
 * Mark a range of free RAM as allocated, splitting the free region that contains it as needed. A range that
 * is not inside one free region is logged as an error and changes nothing.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} start First guest-physical address of the range
 * @param {size_t} bytes Bytes in the range
 */
void vm_ram_mark_allocated(vm_t *vm, uintptr_t start, size_t bytes);

/***
 * @function vm_ram_allocate(vm, bytes)
 * Allocate RAM: the first free region large enough, in address order, gives up its first bytes.
 * @param {vm_t *} vm The VM
 * @param {size_t} bytes Bytes to allocate, at least 1
 * @return The first guest-physical address of the allocation, or 0 if vm is NULL, bytes is 0 or no free region
 *         is large enough
 */
uintptr_t vm_ram_allocate(vm_t *vm, size_t bytes);

/***
 * @function vm_ram_free(vm, start, bytes)
 * Return allocated RAM to the free list, merging it with free neighbours. Ours: really frees (upstream's does
 * nothing). A range that is not allocated RAM is logged as an error and changes nothing.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} start First guest-physical address of the range
 * @param {size_t} bytes Bytes in the range
 */
void vm_ram_free(vm_t *vm, uintptr_t start, size_t bytes);

#ifdef __cplusplus
}
#endif
