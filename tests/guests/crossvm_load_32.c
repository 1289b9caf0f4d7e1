/* 32-bit C guest for the cross-VM load test: takes the events of connection 0 until the VMM sets the first word
 * of its dataport. Reports (GUEST_REPORT_PORT) the events its first wait took, then the events of all waits and
 * the number of waits; GUEST_SYNC_PORT marks the end of the first wait. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "crossvm.h"
#include "guest.h"

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)eax;
    (void)ebx;
    crossvm_dev_t dev;
    if (crossvm_open(0, &dev) != 0 || crossvm_irq_init(dev.irq) != 0) {
        return 1;
    }
    volatile uint32_t *stop = (volatile uint32_t *)dev.data;
    uint32_t total = crossvm_wait(&dev);
    uint32_t waits = 1;
    outl(GUEST_REPORT_PORT, total);
    outb(GUEST_SYNC_PORT, 1);
    /* The stop word is read after each acknowledgement, so an event the VMM sends after setting it either wakes
     * this loop or was merged into an acknowledgement that is followed by this read. */
    while (*stop == 0) {
        total += crossvm_wait(&dev);
        waits++;
    }
    outl(GUEST_REPORT_PORT, total);
    outl(GUEST_REPORT_PORT, waits);
    return 0;
}
