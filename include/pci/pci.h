/* PCI configuration mechanism #1 ports and the device record of util_libs libpci. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <assert.h>
#include <stdint.h>
#include <stdio.h>

#include <pci/pci_config.h>
#include <platsupport/io.h>
#include <sel4/sel4.h>

/***
 * @module pci.h
 * The I/O ports of PCI configuration mechanism #1 and libpci's record of a device found by a bus scan.
 * Ours: the host bus scan and its device list (`libpci_scan`, `libpci_find_device*`, `libpci_read_ioconfig`,
 * `libpci_ioread`/`libpci_iowrite`, `libpci_device_list`) are left out: a VMM running as a Linux process has
 * no host PCI bus to scan. The guest's virtual bus is sel4vmmplatsupport/drivers/pci.h.
 */

/* Address register (0xCF8-0xCFB) and data window (0xCFC-0xCFF); the _END values are one past the last port. */
#define PCI_CONF_PORT_ADDR 0x0CF8
#define PCI_CONF_PORT_DATA 0x0CFC
#define PCI_CONF_PORT_ADDR_END (PCI_CONF_PORT_ADDR + 4)
#define PCI_CONF_PORT_DATA_END (PCI_CONF_PORT_DATA + 4)
#define PCI_MAX_DEVICES 128

/***
 * @struct libpci_device
 * A device found on the bus.
 * @param {uint8_t} bus Bus number
 * @param {uint8_t} dev Device number
 * @param {uint8_t} fun Function number
 * @param {uint16_t} vendor_id Vendor id
 * @param {uint16_t} device_id Device id
 * @param {uint16_t} subsystem_id Subsystem id
 * @param {uint8_t} interrupt_pin Interrupt pin (1 = INTA#, 0 = none)
 * @param {uint8_t} interrupt_line Interrupt line
 * @param {const char *} vendor_name Vendor name, may be NULL
 * @param {const char *} device_name Device name, may be NULL
 * @param {libpci_device_iocfg_t} cfg Decoded BARs
 */
typedef struct libpci_device {
    uint8_t bus;
    uint8_t dev;
    uint8_t fun;

    uint16_t vendor_id;
    uint16_t device_id;
    uint16_t subsystem_id;
    uint8_t interrupt_pin;
    uint8_t interrupt_line;

    const char *vendor_name;
    const char *device_name;
    libpci_device_iocfg_t cfg;
} libpci_device_t;
