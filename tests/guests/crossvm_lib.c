/* 32- and 64-bit C guest: drives cross-VM devices through lib/crossvm.h against the VMM's cross_vm_connection.h. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "crossvm.h"
#include "guest.h"

#define PIC_MASTER_COMMAND 0x20
#define PIC_SLAVE_COMMAND 0xa0
#define PIC_OCW3_READ_IRR 0x0a

static void report(uint32_t v)
{
    outl(GUEST_REPORT_PORT, v);
}

/* Whether a level-triggered line is up: the PIC's request register follows such a line, even while it is masked
 * or interrupts are off. */
static uint32_t line_level(uint8_t irq)
{
    uint16_t port = irq < 8 ? PIC_MASTER_COMMAND : PIC_SLAVE_COMMAND;
    outb(port, PIC_OCW3_READ_IRR);
    return (inb(port) >> (irq & 7)) & 1;
}

/* GUEST_CROSSVM_STRAY: interrupts enabled outside crossvm_wait, so the wake entry finds no waiter. */
static int stray(void)
{
    crossvm_dev_t dev;
    if (crossvm_open(0, &dev) != 0 || crossvm_irq_init(dev.irq) != 0) {
        return 1;
    }
    outb(GUEST_SYNC_PORT, 1);
    for (;;) {
        cpu_sti_hlt();
    }
}

/* The GUEST_CROSSVM_* steps of lib/layout.h, one report each. */
static int exchange(void)
{
    crossvm_dev_t named, ping, none;
    report(crossvm_count());
    report((uint32_t)crossvm_find(GUEST_CROSSVM_LONG_NAME, &named));
    report(named.addr.dev);
    report((uint32_t)(uintptr_t)named.event);
    report((uint32_t)(uintptr_t)named.data);
    report(named.size);
    report(named.irq);
    report((uint32_t)crossvm_find("nonexistent", &none));
    report((uint32_t)crossvm_open(crossvm_count(), &none));
    if (crossvm_find(GUEST_CROSSVM_PING, &ping) != 0) {
        return 1;
    }
    report((uint32_t)crossvm_irq_init(ping.irq));
    /* The peer reverses the dataport's string when the guest emits, and signals back. It answers from another
     * thread, so wait for its event with interrupts off: crossvm_wait then always finds it pending. */
    const char *text = "hello";
    for (unsigned i = 0; i <= 5; i++) {
        ping.data[i] = (uint8_t)text[i];
    }
    crossvm_emit(&ping);
    while (crossvm_events(&ping) == 0) {
    }
    report(line_level(ping.irq));
    report(crossvm_wait(&ping));
    report((uint32_t)ping.data[0] | (uint32_t)ping.data[1] << 8 | (uint32_t)ping.data[2] << 16 |
           (uint32_t)ping.data[3] << 24);
    /* Here two events arrive from another thread while the guest sleeps. */
    outb(GUEST_SYNC_PORT, 1);
    report(crossvm_wait(&ping));
    report(crossvm_events(&ping));
    report(line_level(ping.irq));
    return 0;
}

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)ebx;
    return eax == GUEST_CROSSVM_STRAY ? stray() : exchange();
}
