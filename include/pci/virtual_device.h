/* Types of libpci's per-byte virtualised PCI device (util_libs libpci). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <pci/pci.h>
#include <pci/pci_config.h>

/***
 * @module virtual_device.h
 * libpci's older model of a virtual PCI device, with a mode per configuration-header byte. Only the types
 * and mode numbers are provided, so that code declaring them compiles. Ours: `libpci_vdevice_init`, which
 * fills in the function pointers, is left out; sel4vmmplatsupport/drivers/pci_helper.h is the supported way
 * to emulate a device.
 */

/* Per-byte modes of a libpci_vdevice_t. */
#define PCI_VDEVICE_MODE_PASSTHROUGH 0
#define PCI_VDEVICE_MODE_FATAL_ERROR 1
#define PCI_VDEVICE_MODE_CALLBACK 2
#define PCI_VDEVICE_MODE_REBASED_ADDR 3

struct libpci_vdevice;
typedef struct libpci_vdevice libpci_vdevice_t;

/***
 * @struct libpci_vdevice_mode
 * How one header byte is virtualised.
 * @param {int} mode One of PCI_VDEVICE_MODE_*
 * @param {uint8_t *(libpci_vdevice_t *vdevice, int offset)} callback_ioread Read callback for the callback mode
 * @param {void *(libpci_vdevice_t *vdevice, int offset, uint8_t val)} callback_iowrite Write callback for the
 *        callback mode
 */
typedef struct libpci_vdevice_mode {
    int mode;
    uint8_t (*callback_ioread)(libpci_vdevice_t *vdevice, int offset);
    void (*callback_iowrite)(libpci_vdevice_t *vdevice, int offset, uint8_t val);
} libpci_vdevice_mode_t;

/***
 * @struct libpci_vdevice
 * A virtual device slot.
 * @param {bool} enabled Whether the slot is in use
 * @param {bool} allow_extended_pci_config_space Whether offsets past the standard header pass through
 * @param {uint8_t} location_bus Bus the device appears on
 * @param {uint8_t} location_dev Device number it appears as
 * @param {uint8_t} location_fun Function number it appears as
 * @param {libpci_vdevice_mode_t} mode Mode of each header byte
 * @param {libpci_device_t *} physical_device_passthrough Real device behind it, or NULL
 * @param {uint32_t} rebased_addr Rebased address of each BAR
 * @param {uint32_t} rebased_writemask Size mask of each rebased BAR
 * @param {uint32_t} rebased_type Flag bits of each rebased BAR
 * @param {void *(libpci_vdevice_t *self, uint8_t bus, uint8_t dev, uint8_t fun, libpci_device_t *pdevice_passthrough)} enable
 *        Place the device
 * @param {void *(libpci_vdevice_t *self)} disable Remove the device
 * @param {bool *(libpci_vdevice_t *self, uint8_t bus, uint8_t dev, uint8_t fun)} match Whether it is at an address
 * @param {void *(libpci_vdevice_t *self, int offset, libpci_vdevice_mode_t m)} set_mode Set the mode of a byte
 * @param {void *(libpci_vdevice_t *self, int base_addr_index, uint32_t base_addr, libpci_device_t *dev)} rebase_addr_realdevice
 *        Rebase a memory BAR of the real device
 * @param {void *(libpci_vdevice_t *self, int base_addr_index, uint32_t base_addr, libpci_device_t *dev)} rebase_ioaddr_realdevice
 *        Rebase an I/O BAR of the real device
 * @param {void *(libpci_vdevice_t *self, int base_addr_index, uint32_t base_addr, uint32_t size_mask, bool prefetch, bool LWord64)} rebase_addr_virtdevice
 *        Define a memory BAR of a virtual device
 * @param {void *(libpci_vdevice_t *self, int base_addr_index, uint32_t base_addr, uint32_t size_mask)} rebase_ioaddr_virtdevice
 *        Define an I/O BAR of a virtual device
 * @param {uint32_t *(libpci_vdevice_t *self, int offset, int size)} ioread Read the header
 * @param {void *(libpci_vdevice_t *self, int offset, int size, uint32_t val)} iowrite Write the header
 */
struct libpci_vdevice {
    bool enabled;
    bool allow_extended_pci_config_space;

    uint8_t location_bus;
    uint8_t location_dev;
    uint8_t location_fun;

    libpci_vdevice_mode_t mode[PCI_CONFIG_HEADER_SIZE_BYTES];
    libpci_device_t *physical_device_passthrough;

    uint32_t rebased_addr[6];
    uint32_t rebased_writemask[6];
    uint32_t rebased_type[6];

    void (*enable)(libpci_vdevice_t *self, uint8_t bus, uint8_t dev, uint8_t fun, libpci_device_t *pdevice_passthrough);
    void (*disable)(libpci_vdevice_t *self);
    bool (*match)(libpci_vdevice_t *self, uint8_t bus, uint8_t dev, uint8_t fun);
    void (*set_mode)(libpci_vdevice_t *self, int offset, libpci_vdevice_mode_t m);
    void (*rebase_addr_realdevice)(libpci_vdevice_t *self, int base_addr_index, uint32_t base_addr,
                                   libpci_device_t *dev);
    void (*rebase_ioaddr_realdevice)(libpci_vdevice_t *self, int base_addr_index, uint32_t base_addr,
                                     libpci_device_t *dev);
    void (*rebase_addr_virtdevice)(libpci_vdevice_t *self, int base_addr_index, uint32_t base_addr, uint32_t size_mask,
                                   bool prefetch, bool LWord64);
    void (*rebase_ioaddr_virtdevice)(libpci_vdevice_t *self, int base_addr_index, uint32_t base_addr,
                                     uint32_t size_mask);
    uint32_t (*ioread)(libpci_vdevice_t *self, int offset, int size);
    void (*iowrite)(libpci_vdevice_t *self, int offset, int size, uint32_t val);
};
