/* libsel4vspace: the portable virtual-memory allocator interface (vspace_t) and its checked wrappers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <autoconf.h>
#include <sel4/sel4.h>
#include <utils/util.h>
#include <vka/vka.h>
#include <vka/object.h>
#include <vspace/page.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module vspace.h
 * A `vspace_t` hands out virtual address ranges of one address space and maps frames into them. Ranges are
 * first *reserved* (with the rights and cacheability their pages will get, or with rights deferred to map
 * time), then pages are mapped into the reservation, either frames the caller already has or new ones taken
 * from the vspace's vka. The struct is a table of function pointers filled by an implementation (here
 * `sel4kvm_vspace_init`); the `vspace_*` wrappers below check their arguments and call through the table, so
 * code written against them runs over any implementation.
 */

typedef struct vspace vspace_t;

/***
 * @struct reservation_t
 * Handle to a reserved range, returned by the reserve functions and passed back to map into or free it.
 * @param {void *} res Implementation state; NULL means the reservation failed
 */
typedef struct reservation {
    void *res;
} reservation_t;

/***
 * @struct vspace_new_pages_config_t
 * Options for vspace_new_pages_with_config and vspace_new_pages_at_vaddr_with_config.
 * @param {void *} vaddr Where to map the pages, or NULL to let the vspace choose (it then writes the choice here)
 * @param {size_t} num_pages Number of pages to create and map
 * @param {size_t} size_bits log2 of the size of each page
 * @param {bool} can_use_dev Whether the frames may come from device untyped memory
 */
typedef struct vspace_new_pages_config {
    void *vaddr;
    size_t num_pages;
    size_t size_bits;
    bool can_use_dev;
} vspace_new_pages_config_t;

/***
 * @function default_vspace_new_pages_config(num_pages, size_bits, config)
 * Fill a configuration with a vspace-chosen address and non-device frames.
 * @param {size_t} num_pages Number of pages (must not be 0)
 * @param {size_t} size_bits log2 of the size of each page
 * @param {vspace_new_pages_config_t *} config Configuration to fill
 * @return 0 on success, -1 if num_pages is 0 or config is NULL
 */
static inline int default_vspace_new_pages_config(size_t num_pages, size_t size_bits, vspace_new_pages_config_t *config)
{
    if (num_pages == 0) {
        ZF_LOGW("attempt to create 0 pages");
        return -1;
    }
    if (config == NULL) {
        ZF_LOGE("config is NULL");
        return -1;
    }

    config->vaddr = NULL;
    config->num_pages = num_pages;
    config->size_bits = size_bits;
    config->can_use_dev = false;
    return 0;
}

/***
 * @function vspace_new_pages_config_set_vaddr(vaddr, config)
 * Ask for the pages at a fixed address.
 * @param {void *} vaddr Address of the first page, or NULL to let the vspace choose
 * @param {vspace_new_pages_config_t *} config Configuration to change
 * @return 0 on success, -1 if config is NULL
 */
static inline int vspace_new_pages_config_set_vaddr(void *vaddr, vspace_new_pages_config_t *config)
{
    if (config == NULL) {
        ZF_LOGE("config is NULL");
        return -1;
    }
    config->vaddr = vaddr;
    return 0;
}

/***
 * @function vspace_new_pages_config_use_device_ut(can_use_dev, config)
 * Allow or forbid frames from device untyped memory.
 * @param {bool} can_use_dev true to allow device memory
 * @param {vspace_new_pages_config_t *} config Configuration to change
 * @return 0 on success, -1 if config is NULL
 */
static inline int vspace_new_pages_config_use_device_ut(bool can_use_dev, vspace_new_pages_config_t *config)
{
    if (config == NULL) {
        ZF_LOGE("config is NULL");
        return -1;
    }
    config->can_use_dev = can_use_dev;
    return 0;
}

/* Implementation-independent helpers, built on the function table. */

/***
 * @function vspace_reserve_range(vspace, bytes, rights, cacheable, vaddr)
 * Reserve a range anywhere, 4 KiB aligned, for pages to be mapped into later.
 * @param {vspace_t *} vspace The address space
 * @param {size_t} bytes Size of the range; rounded up to 4 KiB
 * @param {seL4_CapRights_t} rights Rights the pages of this range will be mapped with
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached (DMA, devices)
 * @param {void **} vaddr Receives the start of the range
 * @return the reservation; its `res` is NULL on failure
 */
reservation_t vspace_reserve_range(vspace_t *vspace, size_t bytes, seL4_CapRights_t rights, int cacheable,
                                   void **vaddr);

/***
 * @function vspace_share_mem(from, to, start, num_pages, size_bits, rights, cacheable)
 * Map pages already mapped in one address space into a new range of another, so both see the same frames.
 * The frame caps are copied (with `rights`) and the copies mapped; unmap them with VSPACE_FREE to delete the
 * copies again.
 * @param {vspace_t *} from Address space the pages are mapped in
 * @param {vspace_t *} to Address space to map them into
 * @param {void *} start Address of the first page in `from`
 * @param {int} num_pages Number of pages to share
 * @param {size_t} size_bits log2 of the page size; the pages in `from` must be of this size
 * @param {seL4_CapRights_t} rights Rights of the new mappings
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached
 * @return the address of the shared range in `to`, or NULL on failure (nothing is left mapped)
 */
void *vspace_share_mem(vspace_t *from, vspace_t *to, void *start, int num_pages, size_t size_bits,
                       seL4_CapRights_t rights, int cacheable);

/***
 * @function vspace_new_pages_with_config(vspace, config, rights)
 * Allocate frames from the vspace's vka and map them contiguously, as the configuration says.
 * @param {vspace_t *} vspace The address space
 * @param {vspace_new_pages_config_t *} config Number, size and address of the pages; a NULL vaddr is
 *        replaced by the chosen address
 * @param {seL4_CapRights_t} rights Rights of the mappings
 * @return the address of the first page, or NULL on failure
 */
void *vspace_new_pages_with_config(vspace_t *vspace, vspace_new_pages_config_t *config, seL4_CapRights_t rights);

/***
 * @function vspace_new_sized_stack(vspace, n_pages)
 * Create a stack of new 4 KiB pages with an unmapped guard page below it.
 * @param {vspace_t *} vspace The address space
 * @param {size_t} n_pages Number of 4 KiB pages of stack (the guard page comes on top of these)
 * @return the top of the stack (one past its last byte), or NULL on failure
 */
void *vspace_new_sized_stack(vspace_t *vspace, size_t n_pages);

/***
 * @function vspace_new_stack(vspace)
 * Create a stack of CONFIG_SEL4UTILS_STACK_SIZE bytes with a guard page.
 * @param {vspace_t *} vspace The address space
 * @return the top of the stack, or NULL on failure
 */
static inline void *vspace_new_stack(vspace_t *vspace)
{
    return vspace_new_sized_stack(vspace, BYTES_TO_4K_PAGES(CONFIG_SEL4UTILS_STACK_SIZE));
}

/***
 * @function vspace_free_sized_stack(vspace, stack_top, n_pages)
 * Unmap a stack made by vspace_new_sized_stack, free its frames with the vspace's vka and release its range.
 * @param {vspace_t *} vspace The address space
 * @param {void *} stack_top The top of the stack as returned at creation
 * @param {size_t} n_pages The number of pages it was created with
 */
void vspace_free_sized_stack(vspace_t *vspace, void *stack_top, size_t n_pages);

/***
 * @function vspace_free_stack(vspace, stack_top)
 * Free a stack made by vspace_new_stack.
 * @param {vspace_t *} vspace The address space
 * @param {void *} stack_top The top of the stack as returned at creation
 */
static inline void vspace_free_stack(vspace_t *vspace, void *stack_top)
{
    vspace_free_sized_stack(vspace, stack_top, BYTES_TO_4K_PAGES(CONFIG_SEL4UTILS_STACK_SIZE));
}

/***
 * @function vspace_new_ipc_buffer(vspace, page)
 * Map one new 4 KiB page to serve as an IPC buffer.
 * @param {vspace_t *} vspace The address space
 * @param {seL4_CPtr *} page Receives the frame cap of the page
 * @return the address of the page, or NULL on failure
 */
void *vspace_new_ipc_buffer(vspace_t *vspace, seL4_CPtr *page);

/***
 * @function vspace_free_ipc_buffer(vspace, addr)
 * Unmap an IPC buffer made by vspace_new_ipc_buffer and free its frame with the vspace's vka.
 * @param {vspace_t *} vspace The address space
 * @param {void *} addr Address of the buffer
 */
void vspace_free_ipc_buffer(vspace_t *vspace, void *addr);

/***
 * @function vspace_access_callback_fn(access_addr, vaddr, cookie)
 * Called by vspace_access_page_with_callback while the page is mapped in the accessing address space.
 * @param {void *} access_addr The address being accessed, in the source address space
 * @param {void *} vaddr Start of the page as mapped in the accessing address space
 * @param {void *} cookie The caller's cookie
 * @return a value passed back to the caller of vspace_access_page_with_callback
 */
typedef int (*vspace_access_callback_fn)(void *access_addr, void *vaddr, void *cookie);

/***
 * @function vspace_access_page_with_callback(from, to, access_addr, size_bits, rights, cacheable, callback, cookie)
 * Map the page of `from` that holds access_addr into `to` for as long as a callback runs, then unmap it.
 * @param {vspace_t *} from Address space the page is mapped in
 * @param {vspace_t *} to Address space to access it from
 * @param {void *} access_addr Address in `from`; any address inside the page
 * @param {size_t} size_bits log2 of the size of the page in `from`
 * @param {seL4_CapRights_t} rights Rights of the temporary mapping
 * @param {int} cacheable 1 for a cacheable mapping, 0 for uncached
 * @param {vspace_access_callback_fn} callback Function to call with the mapping
 * @param {void *} cookie Passed to the callback
 * @return -1 if the page could not be mapped, else the callback's result
 */
int vspace_access_page_with_callback(vspace_t *from, vspace_t *to, void *access_addr, size_t size_bits,
                                     seL4_CapRights_t rights, int cacheable, vspace_access_callback_fn callback,
                                     void *cookie);

/* Implementation functions: the members of vspace_t. */

/***
 * @function vspace_new_pages_fn(vspace, rights, num_pages, size_bits)
 * Allocate frames from the vspace's vka and map them at an address the vspace chooses.
 * @param {vspace_t *} vspace The address space
 * @param {seL4_CapRights_t} rights Rights of the mappings
 * @param {size_t} num_pages Number of pages
 * @param {size_t} size_bits log2 of the page size
 * @return the address of the first page, or NULL on failure
 */
typedef void *(*vspace_new_pages_fn)(vspace_t *vspace, seL4_CapRights_t rights, size_t num_pages, size_t size_bits);

/***
 * @function vspace_map_pages_fn(vspace, caps, cookies, rights, num_pages, size_bits, cacheable)
 * Map existing frames contiguously at an address the vspace chooses.
 * @param {vspace_t *} vspace The address space
 * @param {seL4_CPtr *} caps Frame caps, one per page
 * @param {uintptr_t *} cookies vka allocation cookies, one per page, so the vspace can free the frames later;
 *        NULL if it must not
 * @param {seL4_CapRights_t} rights Rights of the mappings
 * @param {size_t} num_pages Number of pages (entries in caps)
 * @param {size_t} size_bits log2 of the page size; all frames must be of this size
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached
 * @return the address of the first page, or NULL on failure
 */
typedef void *(*vspace_map_pages_fn)(vspace_t *vspace, seL4_CPtr caps[], uintptr_t cookies[], seL4_CapRights_t rights,
                                     size_t num_pages, size_t size_bits, int cacheable);

/***
 * @function vspace_new_pages_at_vaddr_fn(vspace, vaddr, num_pages, size_bits, reservation, can_use_dev)
 * Allocate frames from the vspace's vka and map them at an address inside a reservation, with the
 * reservation's rights. Every page of the range must be reserved by it and not mapped.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Address of the first page
 * @param {size_t} num_pages Number of pages
 * @param {size_t} size_bits log2 of the page size
 * @param {reservation_t} reservation Reservation that covers the range
 * @param {bool} can_use_dev Whether the frames may come from device untyped memory
 * @return 0 on success, -1 on failure
 */
typedef int (*vspace_new_pages_at_vaddr_fn)(vspace_t *vspace, void *vaddr, size_t num_pages, size_t size_bits,
                                            reservation_t reservation, bool can_use_dev);

/***
 * @function vspace_map_pages_at_vaddr_fn(vspace, caps, cookies, vaddr, num_pages, size_bits, reservation)
 * Map existing frames at an address inside a reservation, with the reservation's rights. Every page of the
 * range must be reserved by it and not mapped.
 * @param {vspace_t *} vspace The address space
 * @param {seL4_CPtr *} caps Frame caps, one per page
 * @param {uintptr_t *} cookies vka allocation cookies, one per page, or NULL
 * @param {void *} vaddr Address of the first page
 * @param {size_t} num_pages Number of pages (entries in caps)
 * @param {size_t} size_bits log2 of the page size; all frames must be of this size
 * @param {reservation_t} reservation Reservation that covers the range
 * @return 0 on success, -1 on failure
 */
typedef int (*vspace_map_pages_at_vaddr_fn)(vspace_t *vspace, seL4_CPtr caps[], uintptr_t cookies[], void *vaddr,
                                            size_t num_pages, size_t size_bits, reservation_t reservation);

/***
 * @function vspace_deferred_rights_map_pages_at_vaddr_fn(vspace, caps, cookies, vaddr, num_pages, size_bits, rights, reservation)
 * Map existing frames at an address inside a reservation made without rights, with rights given now. Every
 * page of the range must be reserved by it and not mapped.
 * @param {vspace_t *} vspace The address space
 * @param {seL4_CPtr *} caps Frame caps, one per page
 * @param {uintptr_t *} cookies vka allocation cookies, one per page, or NULL
 * @param {void *} vaddr Address of the first page
 * @param {size_t} num_pages Number of pages (entries in caps)
 * @param {size_t} size_bits log2 of the page size; all frames must be of this size
 * @param {seL4_CapRights_t} rights Rights of the mappings
 * @param {reservation_t} reservation A reservation made by reserve_deferred_rights_range_at
 * @return 0 on success, -1 on failure
 */
typedef int (*vspace_deferred_rights_map_pages_at_vaddr_fn)(vspace_t *vspace, seL4_CPtr caps[], uintptr_t cookies[],
                                                            void *vaddr, size_t num_pages, size_t size_bits,
                                                            seL4_CapRights_t rights, reservation_t reservation);

/* Values for the vka argument of unmap_pages and tear_down besides a vka of the caller's. */
#define VSPACE_FREE ((vka_t *)0xffffffff)
#define VSPACE_PRESERVE ((vka_t *)0)

/***
 * @function vspace_unmap_pages_fn(vspace, vaddr, num_pages, size_bits, free)
 * Unmap contiguous pages. Pages inside a reservation become reserved again; others become free. Optionally
 * delete the frame caps, free their cslots and (where a cookie was recorded) their memory.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Address of the first page
 * @param {size_t} num_pages Number of pages
 * @param {size_t} size_bits log2 of the page size the pages were mapped with
 * @param {vka_t *} free VSPACE_FREE to free with the vspace's vka, VSPACE_PRESERVE to keep the caps and frames,
 *        or the vka the frames and cslots came from
 */
typedef void (*vspace_unmap_pages_fn)(vspace_t *vspace, void *vaddr, size_t num_pages, size_t size_bits, vka_t *free);

/***
 * @function vspace_tear_down_fn(vspace, free)
 * Destroy the vspace: unmap every page, release every reservation and the vspace's own memory. Frames that
 * have an allocation cookie are freed as unmap_pages would; the caller must first unmap (or record no cookie
 * for) frames that another vka owns.
 * @param {vspace_t *} vspace The address space
 * @param {vka_t *} free VSPACE_FREE, VSPACE_PRESERVE, or the vka to free frames and cslots with
 */
typedef void (*vspace_tear_down_fn)(vspace_t *vspace, vka_t *free);

/***
 * @function vspace_reserve_range_aligned_fn(vspace, bytes, size_bits, rights, cacheable, vaddr)
 * Reserve a range anywhere, aligned to 2^size_bits, for pages to be mapped into later.
 * @param {vspace_t *} vspace The address space
 * @param {size_t} bytes Size of the range; rounded up to 4 KiB
 * @param {size_t} size_bits log2 of the alignment (a valid page size)
 * @param {seL4_CapRights_t} rights Rights the pages will be mapped with
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached
 * @param {void **} vaddr Receives the start of the range
 * @return the reservation; its `res` is NULL on failure
 */
typedef reservation_t (*vspace_reserve_range_aligned_fn)(vspace_t *vspace, size_t bytes, size_t size_bits,
                                                         seL4_CapRights_t rights, int cacheable, void **vaddr);

/***
 * @function vspace_reserve_range_at_fn(vspace, vaddr, bytes, rights, cacheable)
 * Reserve a range at a given address. It covers [vaddr, vaddr + bytes) rounded out to 4 KiB pages and fails
 * if any of those pages is already reserved or mapped.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Start of the range
 * @param {size_t} bytes Size of the range
 * @param {seL4_CapRights_t} rights Rights the pages will be mapped with
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached
 * @return the reservation; its `res` is NULL on failure
 */
typedef reservation_t (*vspace_reserve_range_at_fn)(vspace_t *vspace, void *vaddr, size_t bytes,
                                                    seL4_CapRights_t rights, int cacheable);

/***
 * @function vspace_reserve_deferred_rights_range_at_fn(vspace, vaddr, bytes, cacheable)
 * Reserve a range at a given address whose rights are given when pages are mapped into it (with
 * deferred_rights_map_pages_at_vaddr). Covers and conflicts as reserve_range_at.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Start of the range
 * @param {size_t} bytes Size of the range
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached
 * @return the reservation; its `res` is NULL on failure
 */
typedef reservation_t (*vspace_reserve_deferred_rights_range_at_fn)(vspace_t *vspace, void *vaddr, size_t bytes,
                                                                    int cacheable);

/***
 * @function vspace_free_reservation_fn(vspace, reservation)
 * Release a reservation. Its unmapped pages become free; mapped pages stay mapped.
 * @param {vspace_t *} vspace The address space
 * @param {reservation_t} reservation The reservation
 */
typedef void (*vspace_free_reservation_fn)(vspace_t *vspace, reservation_t reservation);

/***
 * @function vspace_free_reservation_by_vaddr_fn(vspace, vaddr)
 * Release the reservation that contains an address, as free_reservation does.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Any address inside the reservation
 */
typedef void (*vspace_free_reservation_by_vaddr_fn)(vspace_t *vspace, void *vaddr);

/***
 * @function vspace_get_cap_fn(vspace, vaddr)
 * The frame cap mapped at an address.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Any address inside the page
 * @return the cap, or seL4_CapNull if nothing is mapped there
 */
typedef seL4_CPtr (*vspace_get_cap_fn)(vspace_t *vspace, void *vaddr);

/***
 * @function vspace_get_cookie_fn(vspace, vaddr)
 * The vka allocation cookie recorded for the frame mapped at an address.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Any address inside the page
 * @return the cookie, or 0 if nothing is mapped there or no cookie was recorded
 */
typedef uintptr_t (*vspace_get_cookie_fn)(vspace_t *vspace, void *vaddr);

/***
 * @function vspace_allocated_object_fn(allocated_object_cookie, object)
 * Called by an implementation for every kernel object it allocates for its own use (paging structures), so
 * the owner can free them later. Not called if NULL.
 * @param {void *} allocated_object_cookie The vspace's allocated_object_cookie
 * @param {vka_object_t} object The object allocated
 */
typedef void (*vspace_allocated_object_fn)(void *allocated_object_cookie, vka_object_t object);

/***
 * @function vspace_get_root_fn(vspace)
 * The root paging structure of the address space (PML4 or EPT PML4 cap).
 * @param {vspace_t *} vspace The address space
 * @return the cap
 */
typedef seL4_CPtr (*vspace_get_root_fn)(vspace_t *vspace);

/***
 * @function vspace_share_mem_at_vaddr_fn(from, to, start, num_pages, size_bits, vaddr, res)
 * Map pages already mapped in `from` into a reservation of `to` at a given address, by copying their caps
 * (with the reservation's rights) and mapping the copies.
 * @param {vspace_t *} from Address space the pages are mapped in
 * @param {vspace_t *} to Address space to map them into
 * @param {void *} start Address of the first page in `from`
 * @param {int} num_pages Number of pages
 * @param {size_t} size_bits log2 of the page size
 * @param {void *} vaddr Address of the first page in `to`
 * @param {reservation_t} res Reservation of `to` that covers the destination range
 * @return 0 on success, -1 on failure
 */
typedef int (*vspace_share_mem_at_vaddr_fn)(vspace_t *from, vspace_t *to, void *start, int num_pages, size_t size_bits,
                                            void *vaddr, reservation_t res);

/***
 * @struct vspace_t
 * An address space allocator: implementation state and the functions that act on it.
 * @param {void *} data Implementation state
 * @param {vspace_new_pages_fn} new_pages Allocate and map frames anywhere
 * @param {vspace_map_pages_fn} map_pages Map existing frames anywhere
 * @param {vspace_new_pages_at_vaddr_fn} new_pages_at_vaddr Allocate and map frames in a reservation
 * @param {vspace_map_pages_at_vaddr_fn} map_pages_at_vaddr Map existing frames in a reservation
 * @param {vspace_deferred_rights_map_pages_at_vaddr_fn} deferred_rights_map_pages_at_vaddr Map existing frames
 *        in a deferred-rights reservation with rights given now
 * @param {vspace_unmap_pages_fn} unmap_pages Unmap pages, optionally freeing them
 * @param {vspace_tear_down_fn} tear_down Destroy the vspace
 * @param {vspace_reserve_range_aligned_fn} reserve_range_aligned Reserve a range anywhere
 * @param {vspace_reserve_range_at_fn} reserve_range_at Reserve a range at an address
 * @param {vspace_reserve_deferred_rights_range_at_fn} reserve_deferred_rights_range_at Reserve a range at an
 *        address with rights deferred to map time
 * @param {vspace_free_reservation_fn} free_reservation Release a reservation
 * @param {vspace_free_reservation_by_vaddr_fn} free_reservation_by_vaddr Release the reservation at an address
 * @param {vspace_get_cap_fn} get_cap Frame cap mapped at an address
 * @param {vspace_get_root_fn} get_root Root paging structure
 * @param {vspace_get_cookie_fn} get_cookie Allocation cookie of the frame at an address
 * @param {vspace_share_mem_at_vaddr_fn} share_mem_at_vaddr Map pages of this vspace into another one
 * @param {vspace_allocated_object_fn} allocated_object Told about objects the implementation allocates, or NULL
 * @param {void *} allocated_object_cookie Passed to allocated_object
 */
struct vspace {
    void *data;

    vspace_new_pages_fn new_pages;
    vspace_map_pages_fn map_pages;

    vspace_new_pages_at_vaddr_fn new_pages_at_vaddr;

    vspace_map_pages_at_vaddr_fn map_pages_at_vaddr;
    vspace_deferred_rights_map_pages_at_vaddr_fn deferred_rights_map_pages_at_vaddr;

    vspace_unmap_pages_fn unmap_pages;
    vspace_tear_down_fn tear_down;

    vspace_reserve_range_aligned_fn reserve_range_aligned;
    vspace_reserve_range_at_fn reserve_range_at;
    vspace_reserve_deferred_rights_range_at_fn reserve_deferred_rights_range_at;
    vspace_free_reservation_fn free_reservation;
    vspace_free_reservation_by_vaddr_fn free_reservation_by_vaddr;

    vspace_get_cap_fn get_cap;
    vspace_get_root_fn get_root;
    vspace_get_cookie_fn get_cookie;

    vspace_share_mem_at_vaddr_fn share_mem_at_vaddr;

    vspace_allocated_object_fn allocated_object;
    void *allocated_object_cookie;
};

/* Checked wrappers: each validates what it can without the implementation, then calls through the table. */

/***
 * @function vspace_new_pages(vspace, rights, num_pages, size_bits)
 * Allocate frames from the vspace's vka and map them contiguously at an address the vspace chooses.
 * @param {vspace_t *} vspace The address space
 * @param {seL4_CapRights_t} rights Rights of the mappings
 * @param {size_t} num_pages Number of pages (not 0)
 * @param {size_t} size_bits log2 of the page size (a valid page size)
 * @return the address of the first page, or NULL on failure
 */
static inline void *vspace_new_pages(vspace_t *vspace, seL4_CapRights_t rights, size_t num_pages, size_t size_bits)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL.");
        return NULL;
    }
    if (vspace->new_pages == NULL) {
        ZF_LOGE("Supplied vspace doesn't implement new_pages().");
        return NULL;
    }
    if (num_pages == 0) {
        ZF_LOGE("Called with num_pages == 0. Intentional?");
        return NULL;
    }
    if (!sel4_valid_size_bits(size_bits)) {
        ZF_LOGE("Invalid size_bits %zu", size_bits);
        return NULL;
    }

    return vspace->new_pages(vspace, rights, num_pages, size_bits);
}

/***
 * @function vspace_map_pages(vspace, caps, cookies, rights, num_pages, size_bits, cacheable)
 * Map existing frames contiguously at an address the vspace chooses.
 * @param {vspace_t *} vspace The address space
 * @param {seL4_CPtr *} caps Frame caps, one per page
 * @param {uintptr_t *} cookies vka allocation cookies, one per page, or NULL
 * @param {seL4_CapRights_t} rights Rights of the mappings
 * @param {size_t} num_pages Number of pages (not 0)
 * @param {size_t} size_bits log2 of the page size (a valid page size)
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached
 * @return the address of the first page, or NULL on failure
 */
static inline void *vspace_map_pages(vspace_t *vspace, seL4_CPtr caps[], uintptr_t cookies[], seL4_CapRights_t rights,
                                     size_t num_pages, size_t size_bits, int cacheable)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL.");
        return NULL;
    }
    /* Upstream tests new_pages here (a slip); the member called below is map_pages. */
    if (vspace->map_pages == NULL) {
        ZF_LOGE("Supplied vspace doesn't implement map_pages().");
        return NULL;
    }
    if (num_pages == 0) {
        ZF_LOGE("Called with num_pages == 0. Intentional?");
        return NULL;
    }
    if (!sel4_valid_size_bits(size_bits)) {
        ZF_LOGE("Invalid size_bits %zu", size_bits);
        return NULL;
    }

    return vspace->map_pages(vspace, caps, cookies, rights, num_pages, size_bits, cacheable);
}

/***
 * @function vspace_new_pages_at_vaddr_with_config(vspace, config, res)
 * Allocate frames and map them in a reservation as a configuration says (config->vaddr must be set).
 * @param {vspace_t *} vspace The address space
 * @param {vspace_new_pages_config_t *} config Number, size, address and device permission of the pages
 * @param {reservation_t} res Reservation that covers the range
 * @return 0 on success, -1 on failure
 */
static inline int vspace_new_pages_at_vaddr_with_config(vspace_t *vspace, vspace_new_pages_config_t *config,
                                                        reservation_t res)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return -1;
    }
    if (config == NULL) {
        ZF_LOGE("config is NULL");
        return -1;
    }
    /* Upstream only logs this and calls on; every implementation would then fail or crash on the reservation. */
    if (res.res == NULL) {
        ZF_LOGE("reservation is required");
        return -1;
    }
    if (vspace->new_pages_at_vaddr == NULL) {
        ZF_LOGE("Unimplemented");
        return -1;
    }
    return vspace->new_pages_at_vaddr(vspace, config->vaddr, config->num_pages, config->size_bits, res,
                                      config->can_use_dev);
}

/***
 * @function vspace_new_pages_at_vaddr(vspace, vaddr, num_pages, size_bits, reservation)
 * Allocate non-device frames and map them at an address inside a reservation.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Address of the first page
 * @param {size_t} num_pages Number of pages (not 0)
 * @param {size_t} size_bits log2 of the page size
 * @param {reservation_t} reservation Reservation that covers the range
 * @return 0 on success, -1 on failure
 */
static inline int vspace_new_pages_at_vaddr(vspace_t *vspace, void *vaddr, size_t num_pages, size_t size_bits,
                                            reservation_t reservation)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return -1;
    }

    if (vspace->new_pages_at_vaddr == NULL) {
        ZF_LOGE("Unimplemented");
        return -1;
    }
    vspace_new_pages_config_t config;
    if (default_vspace_new_pages_config(num_pages, size_bits, &config)) {
        ZF_LOGE("Failed to create config");
        return -1;
    }
    if (vspace_new_pages_config_set_vaddr(vaddr, &config)) {
        ZF_LOGE("Failed to set vaddr");
        return -1;
    }
    return vspace_new_pages_at_vaddr_with_config(vspace, &config, reservation);
}

/***
 * @function vspace_map_pages_at_vaddr(vspace, caps, cookies, vaddr, num_pages, size_bits, reservation)
 * Map existing frames at an address inside a reservation, with the reservation's rights.
 * @param {vspace_t *} vspace The address space
 * @param {seL4_CPtr *} caps Frame caps, one per page
 * @param {uintptr_t *} cookies vka allocation cookies, one per page, or NULL
 * @param {void *} vaddr Address of the first page (NULL only draws a warning)
 * @param {size_t} num_pages Number of pages (not 0)
 * @param {size_t} size_bits log2 of the page size
 * @param {reservation_t} reservation Reservation that covers the range (not a deferred-rights one)
 * @return 0 on success, -1 on failure
 */
static inline int vspace_map_pages_at_vaddr(vspace_t *vspace, seL4_CPtr caps[], uintptr_t cookies[], void *vaddr,
                                            size_t num_pages, size_t size_bits, reservation_t reservation)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return -1;
    }

    if (num_pages == 0) {
        ZF_LOGW("Attempt to map 0 pages");
        return -1;
    }

    if (vaddr == NULL) {
        ZF_LOGW("Mapping NULL");
    }

    if (vspace->map_pages_at_vaddr == NULL) {
        ZF_LOGW("Unimplemented\n");
        return -1;
    }

    return vspace->map_pages_at_vaddr(vspace, caps, cookies, vaddr, num_pages, size_bits, reservation);
}

/***
 * @function vspace_deferred_rights_map_pages_at_vaddr(vspace, caps, cookies, vaddr, num_pages, size_bits, rights, reservation)
 * Map existing frames at an address inside a deferred-rights reservation, with the rights given here.
 * @param {vspace_t *} vspace The address space
 * @param {seL4_CPtr *} caps Frame caps, one per page
 * @param {uintptr_t *} cookies vka allocation cookies, one per page, or NULL
 * @param {void *} vaddr Address of the first page (NULL only draws a warning)
 * @param {size_t} num_pages Number of pages (not 0)
 * @param {size_t} size_bits log2 of the page size
 * @param {seL4_CapRights_t} rights Rights of the mappings
 * @param {reservation_t} reservation A reservation made by vspace_reserve_deferred_rights_range_at
 * @return 0 on success, -1 on failure
 */
static inline int vspace_deferred_rights_map_pages_at_vaddr(vspace_t *vspace, seL4_CPtr caps[], uintptr_t cookies[],
                                                            void *vaddr, size_t num_pages, size_t size_bits,
                                                            seL4_CapRights_t rights, reservation_t reservation)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return -1;
    }

    if (num_pages == 0) {
        ZF_LOGW("Attempt to map 0 pages");
        return -1;
    }

    if (vaddr == NULL) {
        ZF_LOGW("Mapping NULL");
    }

    if (vspace->deferred_rights_map_pages_at_vaddr == NULL) {
        ZF_LOGW("Unimplemented\n");
        return -1;
    }

    return vspace->deferred_rights_map_pages_at_vaddr(vspace, caps, cookies, vaddr, num_pages, size_bits, rights,
                                                      reservation);
}

/***
 * @function vspace_unmap_pages(vspace, vaddr, num_pages, size_bits, vka)
 * Unmap contiguous pages, optionally freeing their caps, cslots and frames (see vspace_unmap_pages_fn).
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Address of the first page (NULL only draws a warning)
 * @param {size_t} num_pages Number of pages (0 draws a warning and does nothing)
 * @param {size_t} size_bits log2 of the page size the pages were mapped with
 * @param {vka_t *} vka VSPACE_FREE, VSPACE_PRESERVE, or the vka to free with
 */
static inline void vspace_unmap_pages(vspace_t *vspace, void *vaddr, size_t num_pages, size_t size_bits, vka_t *vka)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return;
    }

    if (num_pages == 0) {
        ZF_LOGW("Attempt to unmap 0 pages");
        return;
    }

    if (vaddr == NULL) {
        ZF_LOGW("Attempt to unmap NULL\n");
    }

    if (vspace->unmap_pages == NULL) {
        ZF_LOGE("Not implemented\n");
        return;
    }

    vspace->unmap_pages(vspace, vaddr, num_pages, size_bits, vka);
}

/***
 * @function vspace_tear_down(vspace, vka)
 * Destroy a vspace (see vspace_tear_down_fn).
 * @param {vspace_t *} vspace The address space
 * @param {vka_t *} vka VSPACE_FREE, VSPACE_PRESERVE, or the vka to free with
 */
static inline void vspace_tear_down(vspace_t *vspace, vka_t *vka)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return;
    }

    if (vspace->tear_down == NULL) {
        ZF_LOGE("Not implemented");
        return;
    }
    vspace->tear_down(vspace, vka);
}

/***
 * @function vspace_reserve_range_aligned(vspace, bytes, size_bits, rights, cacheable, vaddr)
 * Reserve a range anywhere, aligned to 2^size_bits.
 * @param {vspace_t *} vspace The address space
 * @param {size_t} bytes Size of the range (not 0)
 * @param {size_t} size_bits log2 of the alignment
 * @param {seL4_CapRights_t} rights Rights the pages will be mapped with
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached
 * @param {void **} vaddr Receives the start of the range (not NULL)
 * @return the reservation; its `res` is NULL on failure
 */
static inline reservation_t vspace_reserve_range_aligned(vspace_t *vspace, size_t bytes, size_t size_bits,
                                                         seL4_CapRights_t rights, int cacheable, void **vaddr)
{
    reservation_t error = { .res = 0 };

    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return error;
    }

    if (vspace->reserve_range_aligned == NULL) {
        ZF_LOGE("Not implemented");
        return error;
    }

    if (bytes == 0) {
        ZF_LOGE("Attempt to reserve 0 length range");
        return error;
    }

    if (vaddr == NULL) {
        ZF_LOGE("Cannot store result at NULL");
        return error;
    }

    return vspace->reserve_range_aligned(vspace, bytes, size_bits, rights, cacheable, vaddr);
}

/***
 * @function vspace_reserve_range_at(vspace, vaddr, bytes, rights, cacheable)
 * Reserve [vaddr, vaddr + bytes), rounded out to 4 KiB pages, for pages mapped with the given rights.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Start of the range
 * @param {size_t} bytes Size of the range (not 0)
 * @param {seL4_CapRights_t} rights Rights the pages will be mapped with
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached
 * @return the reservation; its `res` is NULL on failure
 */
static inline reservation_t vspace_reserve_range_at(vspace_t *vspace, void *vaddr, size_t bytes,
                                                    seL4_CapRights_t rights, int cacheable)
{
    reservation_t error = { .res = 0 };

    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return error;
    }

    if (vspace->reserve_range_at == NULL) {
        ZF_LOGE("Not implemented");
        return error;
    }

    if (bytes == 0) {
        ZF_LOGE("Attempt to reserve 0 length range");
        return error;
    }

    return vspace->reserve_range_at(vspace, vaddr, bytes, rights, cacheable);
}

/***
 * @function vspace_reserve_deferred_rights_range_at(vspace, vaddr, bytes, cacheable)
 * Reserve [vaddr, vaddr + bytes), rounded out to 4 KiB pages, with rights given at map time.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Start of the range
 * @param {size_t} bytes Size of the range (not 0)
 * @param {int} cacheable 1 for cacheable mappings, 0 for uncached
 * @return the reservation; its `res` is NULL on failure
 */
static inline reservation_t vspace_reserve_deferred_rights_range_at(vspace_t *vspace, void *vaddr, size_t bytes,
                                                                    int cacheable)
{
    reservation_t error = { .res = 0 };

    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return error;
    }

    if (vspace->reserve_deferred_rights_range_at == NULL) {
        ZF_LOGE("Not implemented");
        return error;
    }

    if (bytes == 0) {
        ZF_LOGE("Attempt to reserve 0 length range");
        return error;
    }
    return vspace->reserve_deferred_rights_range_at(vspace, vaddr, bytes, cacheable);
}

/***
 * @function vspace_free_reservation(vspace, reservation)
 * Release a reservation; its mapped pages stay mapped.
 * @param {vspace_t *} vspace The address space
 * @param {reservation_t} reservation The reservation
 */
static inline void vspace_free_reservation(vspace_t *vspace, reservation_t reservation)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return;
    }

    if (vspace->free_reservation == NULL) {
        ZF_LOGE("Not implemented");
        return;
    }

    vspace->free_reservation(vspace, reservation);
}

/***
 * @function vspace_free_reservation_by_vaddr(vspace, vaddr)
 * Release the reservation that contains an address.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Any address inside the reservation
 */
static inline void vspace_free_reservation_by_vaddr(vspace_t *vspace, void *vaddr)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return;
    }

    if (vspace->free_reservation_by_vaddr == NULL) {
        ZF_LOGE("Not implemented");
        return;
    }

    vspace->free_reservation_by_vaddr(vspace, vaddr);
}

/***
 * @function vspace_get_cap(vspace, vaddr)
 * The frame cap mapped at an address.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Any address inside the page (NULL only draws a warning)
 * @return the cap, or seL4_CapNull
 */
static inline seL4_CPtr vspace_get_cap(vspace_t *vspace, void *vaddr)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return seL4_CapNull;
    }

    if (vaddr == NULL) {
        ZF_LOGW("Warning: null address");
    }

    if (vspace->get_cap == NULL) {
        ZF_LOGE("Not implemented\n");
        return seL4_CapNull;
    }

    return vspace->get_cap(vspace, vaddr);
}

/***
 * @function vspace_get_cookie(vspace, vaddr)
 * The vka allocation cookie of the frame mapped at an address.
 * @param {vspace_t *} vspace The address space
 * @param {void *} vaddr Any address inside the page (NULL only draws a warning)
 * @return the cookie, or 0
 */
static inline uintptr_t vspace_get_cookie(vspace_t *vspace, void *vaddr)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return 0;
    }

    if (vaddr == NULL) {
        ZF_LOGW("Warning: null address");
    }

    if (vspace->get_cookie == NULL) {
        ZF_LOGE("Not implemented");
        return 0;
    }

    return vspace->get_cookie(vspace, vaddr);
}

/***
 * @function vspace_maybe_call_allocated_object(vspace, object)
 * Tell the vspace's owner about an object an implementation allocated, if it asked to be told.
 * @param {vspace_t *} vspace The address space
 * @param {vka_object_t} object The object
 */
static inline void vspace_maybe_call_allocated_object(vspace_t *vspace, vka_object_t object)
{
    /* Upstream aborts here (ZF_LOGF); a library reports and returns instead. */
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return;
    }

    if (vspace->allocated_object != NULL) {
        vspace->allocated_object(vspace->allocated_object_cookie, object);
    }
}

/***
 * @function vspace_get_root(vspace)
 * The root paging structure of an address space.
 * @param {vspace_t *} vspace The address space
 * @return the cap, or seL4_CapNull on error
 */
static inline seL4_CPtr vspace_get_root(vspace_t *vspace)
{
    if (vspace == NULL) {
        ZF_LOGE("vspace is NULL");
        return seL4_CapNull;
    }
    if (vspace->get_root == NULL) {
        ZF_LOGE("Not implemented");
        return seL4_CapNull;
    }
    return vspace->get_root(vspace);
}

/***
 * @function vspace_share_mem_at_vaddr(from, to, start, num_pages, size_bits, vaddr, res)
 * Map pages of one address space into a reservation of another at a given address.
 * @param {vspace_t *} from Address space the pages are mapped in
 * @param {vspace_t *} to Address space to map them into
 * @param {void *} start Address of the first page in `from`
 * @param {int} num_pages Number of pages (positive)
 * @param {size_t} size_bits log2 of the page size
 * @param {void *} vaddr Address of the first page in `to` (not NULL)
 * @param {reservation_t} res Reservation of `to` that covers the destination range
 * @return 0 on success, -1 on failure
 */
static inline int vspace_share_mem_at_vaddr(vspace_t *from, vspace_t *to, void *start, int num_pages, size_t size_bits,
                                            void *vaddr, reservation_t res)
{
    if (num_pages == 0) {
        return -1;
    } else if (num_pages < 0) {
        ZF_LOGE("Attempted to share %d pages\n", num_pages);
        return -1;
    }

    if (from == NULL) {
        ZF_LOGE("From vspace does not exist");
        return -1;
    }

    if (to == NULL) {
        ZF_LOGE("To vspace does not exist");
        return -1;
    }

    if (vaddr == NULL) {
        ZF_LOGE("Cannot share memory at NULL");
        return -1;
    }

    if (from->share_mem_at_vaddr == NULL) {
        ZF_LOGE("Not implemented for this vspace\n");
        return -1;
    }

    return from->share_mem_at_vaddr(from, to, start, num_pages, size_bits, vaddr, res);
}

#ifdef __cplusplus
}
#endif
