/* Types of libpci's virtual PCI space (util_libs libpci). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <pci/pci.h>
#include <pci/virtual_device.h>

/***
 * @module virtual_pci.h
 * libpci's older model of a guest PCI space: a set of virtual device slots and an allow-list of host devices.
 * Only the types and constants are provided, so that code that includes this header (as x86
 * vmm_pci_helper.h does) compiles. Ours: `libpci_virtual_pci_init` is left out; the guest's PCI space is
 * vmm_pci_space_t from sel4vmmplatsupport/drivers/pci.h.
 */

#define PCI_HOST_BUS_INVALID 0xFFFF
#define PCI_INVALID_READ_VALUE 0xFFFFFFFF
#define PCI_MAX_VDEVICES 64

/***
 * @struct libpci_virtual_device
 * A host device the guest may see.
 * @param {uint16_t} host_bus Bus of the host device, or PCI_HOST_BUS_INVALID
 * @param {uint8_t} host_dev Device number
 * @param {uint8_t} host_fun Function number
 */
typedef struct libpci_virtual_device {
    uint16_t host_bus;
    uint8_t host_dev;
    uint8_t host_fun;
} libpci_passthrough_vdevice_t;

struct libpci_virtual_pci;
typedef struct libpci_virtual_pci libpci_virtual_pci_t;

/***
 * @struct libpci_virtual_pci
 * A virtual PCI space.
 * @param {libpci_passthrough_vdevice_t} allowed_devices Host devices the guest may see
 * @param {uint32_t} num_allowed_devices Entries used in allowed_devices
 * @param {bool} override_allow_all_devices Let the guest see every host device
 * @param {libpci_vdevice_t} virtual_devices Virtual device slots
 * @param {uint32_t} num_virtual_devices Slots used
 * @param {uint32_t} current_addr Last value written to the address register
 * @param {bool *(libpci_virtual_pci_t *self, libpci_device_t *device)} device_allow Allow a host device
 * @param {bool *(libpci_virtual_pci_t *self, uint16_t vendor_id, uint16_t device_id)} device_allow_id Allow
 *        host devices by id
 * @param {bool *(libpci_virtual_pci_t *self, const libpci_device_t *device)} device_disallow Hide a host device
 * @param {bool *(libpci_virtual_pci_t *self, uint8_t bus, uint8_t dev, uint8_t fun)} device_check Whether an
 *        address is visible
 * @param {libpci_vdevice_t *(libpci_virtual_pci_t *self)} vdevice_assign Take a free slot
 * @param {void *(libpci_virtual_pci_t *self, libpci_vdevice_t *vdev)} vdevice_resign Free a slot
 * @param {libpci_vdevice_t *(libpci_virtual_pci_t *self, uint8_t bus, uint8_t dev, uint8_t fun)} vdevice_check
 *        Slot at an address, or NULL
 * @param {int *(libpci_virtual_pci_t *self, uint32_t port_no, uint32_t *val, uint32_t size)} ioread Port read
 * @param {int *(libpci_virtual_pci_t *self, uint32_t port_no, uint32_t val, uint32_t size)} iowrite Port write
 */
struct libpci_virtual_pci {
    libpci_passthrough_vdevice_t allowed_devices[PCI_MAX_VDEVICES];
    uint32_t num_allowed_devices;
    bool override_allow_all_devices;

    libpci_vdevice_t virtual_devices[PCI_MAX_VDEVICES];
    uint32_t num_virtual_devices;
    uint32_t current_addr;

    bool (*device_allow)(libpci_virtual_pci_t *self, libpci_device_t *device);
    bool (*device_allow_id)(libpci_virtual_pci_t *self, uint16_t vendor_id, uint16_t device_id);
    bool (*device_disallow)(libpci_virtual_pci_t *self, const libpci_device_t *device);
    bool (*device_check)(libpci_virtual_pci_t *self, uint8_t bus, uint8_t dev, uint8_t fun);

    libpci_vdevice_t *(*vdevice_assign)(libpci_virtual_pci_t *self);
    void (*vdevice_resign)(libpci_virtual_pci_t *self, libpci_vdevice_t *vdev);
    libpci_vdevice_t *(*vdevice_check)(libpci_virtual_pci_t *self, uint8_t bus, uint8_t dev, uint8_t fun);

    int (*ioread)(libpci_virtual_pci_t *self, uint32_t port_no, uint32_t *val, uint32_t size);
    int (*iowrite)(libpci_virtual_pci_t *self, uint32_t port_no, uint32_t val, uint32_t size);
};
