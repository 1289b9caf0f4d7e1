/* The lazy-ram example's guest: uses memory the VMM maps only when first touched. It writes a pattern into every
 * other page of the range, each page reading as zeros first, then reads every page back. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"

#define LAZY_BASE 0x40000000u
#define LAZY_PAGES 64u
#define PAGE_SIZE 0x1000u

static uint32_t pattern(uint32_t page)
{
    return 0x1a2e0000u | page;
}

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)eax;
    (void)ebx;
    uint32_t touched = 0;
    /* Each first access here exits to the VMM, which maps a frame; the access then completes on that frame.
     * The word's offset moves from page to page so that not only offset 0 is checked. */
    for (uint32_t page = 0; page < LAZY_PAGES; page += 2) {
        uintptr_t word = LAZY_BASE + page * PAGE_SIZE + (page * 0x44u) % PAGE_SIZE;
        if (mmio_read32(word) != 0) {
            serial_puts("lazy-ram: a new page was not zero\n");
            return 1;
        }
        mmio_write32(word, pattern(page));
        touched++;
    }
    /* Now mapped, these pages are plain memory: reading them back makes no exit. */
    for (uint32_t page = 0; page < LAZY_PAGES; page += 2) {
        uintptr_t word = LAZY_BASE + page * PAGE_SIZE + (page * 0x44u) % PAGE_SIZE;
        if (mmio_read32(word) != pattern(page)) {
            serial_puts("lazy-ram: page ");
            serial_putdec(page);
            serial_puts(" lost its contents\n");
            return 1;
        }
    }
    serial_puts("lazy-ram guest: wrote and read back ");
    serial_putdec(touched);
    serial_puts(" pages\n");
    return 0;
}
