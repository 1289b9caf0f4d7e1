/* The guest side of seL4's cross-VM connections: finding the devices, emitting, and waiting for events. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "crossvm.h"
#include "guest.h"

#define PCI_COMMAND_MEMORY 0x2
/* Edge/level control registers of the PIC pair (bit n: line n level-triggered). */
#define ELCR_MASTER 0x4d0
#define ELCR_SLAVE 0x4d1
#define PIC_LINES 16

unsigned crossvm_count(void)
{
    unsigned n = 0;
    pci_addr_t addr;
    while (pci_find(CROSSVM_VENDOR_ID, CROSSVM_DEVICE_ID, n, &addr) == 0) {
        n++;
    }
    return n;
}

int crossvm_open(unsigned index, crossvm_dev_t *dev)
{
    pci_addr_t addr;
    if (pci_find(CROSSVM_VENDOR_ID, CROSSVM_DEVICE_ID, index, &addr) != 0) {
        return -1;
    }
    uint16_t command = pci_config_read16(addr.bus, addr.dev, addr.fn, PCI_COMMAND);
    if (!(command & PCI_COMMAND_MEMORY)) {
        pci_config_write16(addr.bus, addr.dev, addr.fn, PCI_COMMAND, command | PCI_COMMAND_MEMORY);
    }
    dev->addr = addr;
    dev->event = (volatile uint32_t *)(uintptr_t)pci_bar_address(addr, 0);
    dev->data = (volatile uint8_t *)(uintptr_t)pci_bar_address(addr, 1);
    dev->size = (uint32_t)pci_bar_size(addr, 1);
    dev->irq = pci_irq_line(addr);
    volatile const uint8_t *name = (volatile const uint8_t *)dev->event + CROSSVM_NAME;
    for (unsigned i = 0; i < CROSSVM_NAME_MAX; i++) {
        dev->name[i] = (char)name[i];
    }
    dev->name[CROSSVM_NAME_MAX] = '\0';
    return 0;
}

static int name_equal(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

int crossvm_find(const char *name, crossvm_dev_t *dev)
{
    for (unsigned i = 0; crossvm_open(i, dev) == 0; i++) {
        if (name_equal(dev->name, name)) {
            return 0;
        }
    }
    return -1;
}

void crossvm_emit(const crossvm_dev_t *dev)
{
    dev->event[CROSSVM_EMIT / 4] = 1;
}

uint32_t crossvm_events(const crossvm_dev_t *dev)
{
    return dev->event[CROSSVM_EVENTS / 4];
}

void crossvm_ack(const crossvm_dev_t *dev)
{
    dev->event[CROSSVM_EVENTS / 4] = 0;
}

int crossvm_irq_init(uint8_t irq)
{
    static int pic_ready;
    if (irq >= PIC_LINES) {
        return -1;
    }
    if (!pic_ready) {
        pic_remap(GUEST_PIC_BASE, GUEST_PIC_BASE + 8);
        pic_ready = 1;
    }
    /* The VMM holds the line up while any counter is non-zero, as PCI INTx is held: in edge mode the PIC would
     * request once per rising edge and never again for a line that was already up. */
    uint16_t elcr = irq < 8 ? ELCR_MASTER : ELCR_SLAVE;
    outb(elcr, inb(elcr) | (uint8_t)(1u << (irq & 7)));
    idt_install_wake(GUEST_PIC_BASE + irq);
    /* A slave line that rises and falls while interrupts are off (crossvm_wait taking a pending event without
     * sleeping) leaves the master's edge-triggered cascade input latched: the next sti delivers it as the slave's
     * spurious IRQ 15, and IRQ 7 is the master's. Both wake the waiter, which finds no event and sleeps again. */
    idt_install_wake(GUEST_PIC_BASE + 7);
    idt_install_wake(GUEST_PIC_BASE + 15);
    pic_unmask(irq);
    return 0;
}

uint32_t crossvm_wait(const crossvm_dev_t *dev)
{
    /* Interrupts are off between calls, so an event that arrives before the counter check is still pending at the
     * PIC and ends the first sleep at once; one that arrived earlier is taken without sleeping, and without an EOI
     * (nothing was delivered: in level mode the request goes away with the line). */
    for (int woken = 0;; woken = 1) {
        uint32_t events = crossvm_events(dev);
        /* Acknowledge first: the line must have dropped when the EOI lets the PIC look at it again, or it would
         * request at once for events already taken. */
        if (events != 0) {
            crossvm_ack(dev);
        }
        if (woken) {
            /* Also right after a spurious wake: a spurious IRQ 15 leaves the cascade in service at the master, and a
             * non-specific EOI to a PIC with nothing in service does nothing. */
            pic_eoi(dev->irq);
        }
        if (events != 0) {
            return events;
        }
        irq_wait();
    }
}
