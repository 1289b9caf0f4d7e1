/* 32- and 64-bit C guest: writes every offset of a cross-VM event page at every width, then reads it back. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "crossvm.h"
#include "guest.h"

#define EVENT_PAGE_SIZE 0x1000u

static void report(uint32_t v)
{
    outl(GUEST_REPORT_PORT, v);
}

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)eax;
    (void)ebx;
    const uintptr_t page = GUEST_HOSTILE_CROSSVM;
#ifdef __x86_64__
    const unsigned widest = 8;
#else
    const unsigned widest = 4;
#endif
    for (unsigned width = 1; width <= widest; width *= 2) {
        /* Accesses past the end of the page land in the dataport, which is ordinary memory. */
        for (uintptr_t offset = 0; offset < EVENT_PAGE_SIZE; offset++) {
            uint32_t v = GUEST_CROSSVM_HOSTILE_VALUE(offset, width);
            uintptr_t a = page + offset;
            if (width == 1) {
                mmio_write8(a, (uint8_t)v);
            } else if (width == 2) {
                mmio_write16(a, (uint16_t)v);
            } else if (width == 4) {
                mmio_write32(a, v);
            } else {
                mmio_write64(a, (uint64_t)v << 32 | v);
            }
        }
    }
    report(mmio_read32(page + CROSSVM_EVENTS));
    for (unsigned i = 0; i < CROSSVM_NAME_MAX; i += 4) {
        report(mmio_read32(page + CROSSVM_NAME + i));
    }
    return 0;
}
