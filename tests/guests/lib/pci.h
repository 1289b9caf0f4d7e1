/* PCI for the test and example guests: configuration mechanism #1 (ports 0xCF8/0xCFC), bus 0 scan, BARs, INTx line. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc

/* Type-0 header offsets. */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_REVISION_ID 0x08
#define PCI_PROG_IF 0x09
#define PCI_SUBCLASS 0x0a
#define PCI_CLASS 0x0b
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_NUM_BARS 6
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_VENDOR_NONE 0xffff
#define PCI_DEVICES_PER_BUS 32

/* BAR type bits. */
#define PCI_BAR_IO 0x1
#define PCI_BAR_MEM_TYPE_MASK 0x6
#define PCI_BAR_MEM_64 0x4
#define PCI_BAR_PREFETCH 0x8

typedef struct pci_addr {
    uint8_t bus;
    uint8_t dev;
    uint8_t fn;
} pci_addr_t;

/* Configuration space of bus:dev.fn at reg (any byte offset for 8-bit accesses; 2- and 4-byte accesses are
 * expected aligned, as the mechanism cannot cross a dword). */
uint8_t pci_config_read8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg);
uint16_t pci_config_read16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg);
uint32_t pci_config_read32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg);
void pci_config_write8(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg, uint8_t value);
void pci_config_write16(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg, uint16_t value);
void pci_config_write32(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t reg, uint32_t value);

/* Whether bus 0 has a device at dev (function 0): absent devices read vendor 0xffff. */
int pci_present(uint8_t dev);

/* The index-th (from 0) device on bus 0, function 0, with these IDs, in slot order; 0 and *addr filled, or -1
 * when there are not that many. */
int pci_find(uint16_t vendor, uint16_t device, unsigned index, pci_addr_t *addr);

/* The address a BAR decodes, without its type bits; a 64-bit memory BAR includes the next BAR as its upper half. */
uint64_t pci_bar_address(pci_addr_t addr, unsigned bar);

/* The size a BAR decodes, from the all-ones probe (the BAR is restored afterwards); 0 for an unimplemented BAR. */
uint64_t pci_bar_size(pci_addr_t addr, unsigned bar);

/* The INTx line the firmware (here, the VMM) routed the device to. */
uint8_t pci_irq_line(pci_addr_t addr);
