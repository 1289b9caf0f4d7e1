/* PCI configuration mechanism #1 for the test and example guests, with BAR decoding and the size probe. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"
#include "pci.h"

#define CONFIG_ENABLE 0x80000000u

/* Selects the dword holding reg and gives the data port of reg's byte within it. */
static uint16_t config_select(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg)
{
    outl(PCI_CONFIG_ADDRESS, CONFIG_ENABLE | (uint32_t)bus << 16 | (uint32_t)(dev & 0x1f) << 11 |
                                 (uint32_t)(fn & 0x7) << 8 | (reg & 0xfcu));
    return (uint16_t)(PCI_CONFIG_DATA + (reg & 3));
}

uint8_t pci_config_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg)
{
    return inb(config_select(bus, dev, fn, reg));
}

uint16_t pci_config_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg)
{
    return inw(config_select(bus, dev, fn, reg));
}

uint32_t pci_config_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg)
{
    return inl(config_select(bus, dev, fn, reg));
}

void pci_config_write8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg, uint8_t value)
{
    outb(config_select(bus, dev, fn, reg), value);
}

void pci_config_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg, uint16_t value)
{
    outw(config_select(bus, dev, fn, reg), value);
}

void pci_config_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg, uint32_t value)
{
    outl(config_select(bus, dev, fn, reg), value);
}

int pci_present(uint8_t dev)
{
    return pci_config_read16(0, dev, 0, PCI_VENDOR_ID) != PCI_VENDOR_NONE;
}

int pci_find(uint16_t vendor, uint16_t device, unsigned index, pci_addr_t *addr)
{
    for (uint8_t dev = 0; dev < PCI_DEVICES_PER_BUS; dev++) {
        /* One dword read gives both IDs: a config cycle costs two exits. */
        uint32_t ids = pci_config_read32(0, dev, 0, PCI_VENDOR_ID);
        if ((ids & 0xffff) != vendor || ids >> 16 != device) {
            continue;
        }
        if (index-- == 0) {
            *addr = (pci_addr_t){ 0, dev, 0 };
            return 0;
        }
    }
    return -1;
}

static uint8_t bar_reg(unsigned bar)
{
    return (uint8_t)(PCI_BAR0 + 4 * bar);
}

static int bar_is_64(uint32_t value)
{
    return !(value & PCI_BAR_IO) && (value & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_64;
}

static uint32_t bar_type_mask(uint32_t value)
{
    return (value & PCI_BAR_IO) ? 0x3u : 0xfu;
}

uint64_t pci_bar_address(pci_addr_t addr, unsigned bar)
{
    if (bar >= PCI_NUM_BARS) {
        return 0;
    }
    uint32_t low = pci_config_read32(addr.bus, addr.dev, addr.fn, bar_reg(bar));
    uint64_t a = low & ~bar_type_mask(low);
    if (bar_is_64(low) && bar + 1 < PCI_NUM_BARS) {
        a |= (uint64_t)pci_config_read32(addr.bus, addr.dev, addr.fn, bar_reg(bar + 1)) << 32;
    }
    return a;
}

/* Writes all ones to one BAR register, reads what sticks and puts the original back. */
static uint32_t bar_probe(pci_addr_t addr, unsigned bar)
{
    uint8_t reg = bar_reg(bar);
    uint32_t saved = pci_config_read32(addr.bus, addr.dev, addr.fn, reg);
    pci_config_write32(addr.bus, addr.dev, addr.fn, reg, 0xffffffffu);
    uint32_t probed = pci_config_read32(addr.bus, addr.dev, addr.fn, reg);
    pci_config_write32(addr.bus, addr.dev, addr.fn, reg, saved);
    return probed;
}

uint64_t pci_bar_size(pci_addr_t addr, unsigned bar)
{
    if (bar >= PCI_NUM_BARS) {
        return 0;
    }
    uint32_t low = bar_probe(addr, bar);
    if (low == 0) {
        return 0;
    }
    uint64_t mask = low & ~bar_type_mask(low);
    if (bar_is_64(low) && bar + 1 < PCI_NUM_BARS) {
        mask |= (uint64_t)bar_probe(addr, bar + 1) << 32;
    } else {
        mask |= 0xffffffff00000000ull;
        if (low & PCI_BAR_IO) {
            /* I/O BARs may implement only the low 16 address bits. */
            mask |= 0xffff0000u;
        }
    }
    return ~mask + 1;
}

uint8_t pci_irq_line(pci_addr_t addr)
{
    return pci_config_read8(addr.bus, addr.dev, addr.fn, PCI_INTERRUPT_LINE);
}
