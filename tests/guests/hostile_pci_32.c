/* 32-bit C guest: nonsense in PCI configuration space (BARs, command, interrupt line, odd addresses), then a rescan. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"
#include "pci.h"

#define CROSSVM_NAME_OFFSET 0x8

static void report(uint32_t v)
{
    outl(GUEST_REPORT_PORT, v);
}

/* All ones, the classic probe; values with type bits and low bits a BAR cannot hold; and noise. */
static uint32_t nasty_value(void)
{
    static const uint32_t values[] = { 0xffffffffu, 0xfffffffeu, 0x00000001u, 0xdeadbeefu, 0x80000007u, 0 };
    uint32_t r = guest_rand();
    return (r & 3) != 0 ? values[(r >> 2) % 6] : guest_rand();
}

/* Writes of each width at every register of a device, the BARs, command and interrupt line twice over. */
static void hammer_device(uint8_t dev)
{
    for (unsigned reg = 0; reg < 256; reg++) {
        unsigned width = 1u << (guest_rand() % 3);
        uint8_t aligned = (uint8_t)(reg & ~(width - 1));
        if (width == 1) {
            pci_config_write8(0, dev, 0, aligned, (uint8_t)nasty_value());
        } else if (width == 2) {
            pci_config_write16(0, dev, 0, aligned, (uint16_t)nasty_value());
        } else {
            pci_config_write32(0, dev, 0, aligned, nasty_value());
        }
    }
    for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++) {
        pci_config_write32(0, dev, 0, (uint8_t)(PCI_BAR0 + 4 * bar), nasty_value());
        pci_config_write8(0, dev, 0, (uint8_t)(PCI_BAR0 + 4 * bar + 3), (uint8_t)guest_rand());
    }
    pci_config_write16(0, dev, 0, PCI_COMMAND, (uint16_t)guest_rand());
    pci_config_write8(0, dev, 0, PCI_INTERRUPT_LINE, (uint8_t)guest_rand());
    pci_config_write8(0, dev, 0, PCI_INTERRUPT_PIN, (uint8_t)guest_rand());
}

/* The address port with reserved bits, other buses and functions, the enable bit clear; data-port accesses that
 * straddle the data window's end. */
static void hammer_mechanism(void)
{
    for (unsigned i = 0; i < 64; i++) {
        outl(PCI_CONFIG_ADDRESS, guest_rand());
        switch (guest_rand() % 6) {
        case 0:
            outl(PCI_CONFIG_DATA, nasty_value());
            break;
        case 1:
            (void)inl(PCI_CONFIG_DATA);
            break;
        case 2:
            outw((uint16_t)(PCI_CONFIG_DATA + 3), (uint16_t)nasty_value());
            break;
        case 3:
            outl((uint16_t)(PCI_CONFIG_DATA + 2), nasty_value());
            break;
        case 4:
            outb((uint16_t)(PCI_CONFIG_ADDRESS + 1 + guest_rand() % 3), (uint8_t)guest_rand());
            break;
        default:
            (void)inl((uint16_t)(PCI_CONFIG_ADDRESS + 2));
            break;
        }
    }
}

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)ebx;
    guest_srand((uint32_t)eax);
    for (uint8_t dev = 0; dev < PCI_DEVICES_PER_BUS; dev++) {
        if (pci_present(dev)) {
            hammer_device(dev);
        }
    }
    hammer_mechanism();
    /* A device's IDs are as writable as the rest of its header (upstream's memory-backed devices), so the rescan
     * does not go by them. */
    int devices = 0;
    for (uint8_t dev = 0; dev < GUEST_PCI_HOSTILE_SLOTS; dev++) {
        devices += pci_present(dev);
        report(dev);
        for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++) {
            uint8_t reg = (uint8_t)(PCI_BAR0 + 4 * bar);
            pci_config_write32(0, dev, 0, reg, 0);
            report(pci_config_read32(0, dev, 0, reg));
        }
        report(pci_config_read8(0, dev, 0, PCI_INTERRUPT_LINE));
    }
    /* The event page is still where the VMM put it, whatever the BARs were told. */
    report(mmio_read32(GUEST_HOSTILE_CROSSVM + CROSSVM_NAME_OFFSET));
    return devices;
}
