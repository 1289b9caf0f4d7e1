/* libsel4vspace's implementation-independent helpers (stacks, IPC buffers, sharing), built on the vspace_t table. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdint.h>
#include <utils/util.h>
#include <vspace/vspace.h>

reservation_t vspace_reserve_range(vspace_t *vspace, size_t bytes, seL4_CapRights_t rights, int cacheable, void **vaddr)
{
    return vspace_reserve_range_aligned(vspace, bytes, seL4_PageBits, rights, cacheable, vaddr);
}

/* num_pages pages of 2^size_bits as a byte count, or 0 if that is not a sensible size. */
static size_t pages_to_bytes(const char *action, size_t num_pages, size_t size_bits)
{
    if (num_pages == 0) {
        ZF_LOGE("Failed to %s: zero pages", action);
        return 0;
    }
    if (!sel4_valid_size_bits(size_bits)) {
        ZF_LOGE("Failed to %s: invalid size_bits %zu", action, size_bits);
        return 0;
    }
    if (num_pages > (SIZE_MAX >> size_bits)) {
        ZF_LOGE("Failed to %s: %zu pages of 2^%zu bytes overflow", action, num_pages, size_bits);
        return 0;
    }
    return num_pages << size_bits;
}

/* As upstream, the temporary reservation is released once the pages are mapped; the mappings stay. */
void *vspace_share_mem(vspace_t *from, vspace_t *to, void *start, int num_pages, size_t size_bits,
                       seL4_CapRights_t rights, int cacheable)
{
    if (num_pages < 0) {
        ZF_LOGE("Failed to share memory: %d pages", num_pages);
        return NULL;
    }
    size_t bytes = pages_to_bytes("share memory", (size_t)num_pages, size_bits);
    if (bytes == 0) {
        return NULL;
    }
    void *result = NULL;
    reservation_t res = vspace_reserve_range_aligned(to, bytes, size_bits, rights, cacheable, &result);
    if (res.res == NULL) {
        ZF_LOGE("Failed to share memory: no range to map it into");
        return NULL;
    }
    if (vspace_share_mem_at_vaddr(from, to, start, num_pages, size_bits, result, res) != 0) {
        result = NULL;
    }
    vspace_free_reservation(to, res);
    return result;
}

int vspace_access_page_with_callback(vspace_t *from, vspace_t *to, void *access_addr, size_t size_bits,
                                     seL4_CapRights_t rights, int cacheable, vspace_access_callback_fn callback,
                                     void *cookie)
{
    if (callback == NULL) {
        ZF_LOGE("Failed to access page: callback is NULL");
        return -1;
    }
    if (!sel4_valid_size_bits(size_bits)) {
        ZF_LOGE("Failed to access page: invalid size_bits %zu", size_bits);
        return -1;
    }
    void *page = (void *)ROUND_DOWN((uintptr_t)access_addr, BIT(size_bits));
    void *to_vaddr = vspace_share_mem(from, to, page, 1, size_bits, rights, cacheable);
    if (to_vaddr == NULL) {
        ZF_LOGE("Failed to access page: could not map %p into the accessing vspace", access_addr);
        return -1;
    }
    int result = callback(access_addr, to_vaddr, cookie);
    /* The mapping is a cap copy made by the share; VSPACE_FREE deletes it and returns its cslot. */
    vspace_unmap_pages(to, to_vaddr, 1, size_bits, VSPACE_FREE);
    return result;
}

/* Ours: on failure the reservation is released and a vaddr the vspace chose is cleared again. */
void *vspace_new_pages_with_config(vspace_t *vspace, vspace_new_pages_config_t *config, seL4_CapRights_t rights)
{
    if (config == NULL) {
        ZF_LOGE("Failed to create pages: config is NULL");
        return NULL;
    }
    size_t bytes = pages_to_bytes("create pages", config->num_pages, config->size_bits);
    if (bytes == 0) {
        return NULL;
    }
    bool chosen = config->vaddr == NULL;
    reservation_t res;
    if (chosen) {
        res = vspace_reserve_range_aligned(vspace, bytes, config->size_bits, rights, 1, &config->vaddr);
    } else {
        res = vspace_reserve_range_at(vspace, config->vaddr, bytes, rights, 1);
    }
    if (res.res == NULL) {
        ZF_LOGE("Failed to create pages: no range to map them into");
        return NULL;
    }
    int error = vspace_new_pages_at_vaddr_with_config(vspace, config, res);
    vspace_free_reservation(vspace, res);
    if (error != 0) {
        if (chosen) {
            config->vaddr = NULL;
        }
        return NULL;
    }
    return config->vaddr;
}

void *vspace_new_sized_stack(vspace_t *vspace, size_t n_pages)
{
    if (n_pages == 0 || n_pages >= (SIZE_MAX >> seL4_PageBits)) {
        ZF_LOGE("Failed to create stack: %zu pages", n_pages);
        return NULL;
    }
    void *vaddr = NULL;
    /* One page more than asked for: the lowest stays reserved and unmapped as the guard. */
    reservation_t res = vspace_reserve_range(vspace, (n_pages + 1) * PAGE_SIZE_4K, seL4_AllRights, 1, &vaddr);
    if (res.res == NULL) {
        ZF_LOGE("Failed to create stack: no range for %zu pages", n_pages);
        return NULL;
    }
    uintptr_t bottom = (uintptr_t)vaddr + PAGE_SIZE_4K;
    if (vspace_new_pages_at_vaddr(vspace, (void *)bottom, n_pages, seL4_PageBits, res) != 0) {
        vspace_free_reservation(vspace, res);
        return NULL;
    }
    return (void *)(bottom + n_pages * PAGE_SIZE_4K);
}

void vspace_free_sized_stack(vspace_t *vspace, void *stack_top, size_t n_pages)
{
    if (n_pages == 0) {
        ZF_LOGW("Freeing 0 sized stack");
        return;
    }
    uintptr_t top = (uintptr_t)stack_top;
    if (n_pages >= (SIZE_MAX >> seL4_PageBits) || top < (n_pages + 1) * PAGE_SIZE_4K) {
        ZF_LOGE("Failed to free stack: %zu pages below %p do not fit in the address space", n_pages, stack_top);
        return;
    }
    uintptr_t bottom = top - n_pages * PAGE_SIZE_4K;
    vspace_unmap_pages(vspace, (void *)bottom, n_pages, seL4_PageBits, VSPACE_FREE);
    vspace_free_reservation_by_vaddr(vspace, (void *)(bottom - PAGE_SIZE_4K));
}

void *vspace_new_ipc_buffer(vspace_t *vspace, seL4_CPtr *page)
{
    if (page == NULL) {
        ZF_LOGE("Failed to create IPC buffer: page is NULL");
        return NULL;
    }
    void *vaddr = vspace_new_pages(vspace, seL4_AllRights, 1, seL4_PageBits);
    if (vaddr == NULL) {
        return NULL;
    }
    *page = vspace_get_cap(vspace, vaddr);
    return vaddr;
}

void vspace_free_ipc_buffer(vspace_t *vspace, void *addr)
{
    vspace_unmap_pages(vspace, addr, 1, seL4_PageBits, VSPACE_FREE);
}
