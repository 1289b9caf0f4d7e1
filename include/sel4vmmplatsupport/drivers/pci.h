/* The guest's virtual PCI bus: device entries with config-space callbacks, addressed by bus/device/function. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>

/***
 * @module pci.h
 * A virtual PCI bus for a guest. Each device is a vmm_pci_entry_t: a cookie with read and write callbacks
 * for its configuration space. vmm_pci_init creates the space with a host bridge at 00:00.0 and
 * vmm_pci_add_entry places devices in the next free slot of bus 0. The guest reaches the space through
 * configuration mechanism #1 (ports 0xCF8-0xCFF), served by vmm_pci_io_port_in/out in
 * <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>; pci_helper.h builds entries from memory and wraps them
 * with BAR, IRQ and capability emulation. Only bus 0 exists; every space is independent (no global state).
 */

/***
 * @struct vmm_pci_address
 * A PCI address.
 * @param {uint8_t} bus Bus number (only 0 is populated)
 * @param {uint8_t} dev Device number, 0 to 31
 * @param {uint8_t} fun Function number, 0 to 7
 */
typedef struct vmm_pci_address {
    uint8_t bus;
    uint8_t dev;
    uint8_t fun;
} vmm_pci_address_t;

/***
 * @struct vmm_pci_config
 * Accessors for a real PCI configuration space, used by vmm_pci_create_passthrough.
 * @param {void *} cookie Passed to every accessor
 * @param {uint8_t *(void *cookie, vmm_pci_address_t addr, unsigned int offset)} ioread8 Read a byte
 * @param {uint16_t *(void *cookie, vmm_pci_address_t addr, unsigned int offset)} ioread16 Read 16 bits
 * @param {uint32_t *(void *cookie, vmm_pci_address_t addr, unsigned int offset)} ioread32 Read 32 bits
 * @param {void *(void *cookie, vmm_pci_address_t addr, unsigned int offset, uint8_t val)} iowrite8 Write a byte
 * @param {void *(void *cookie, vmm_pci_address_t addr, unsigned int offset, uint16_t val)} iowrite16 Write 16 bits
 * @param {void *(void *cookie, vmm_pci_address_t addr, unsigned int offset, uint32_t val)} iowrite32 Write 32 bits
 */
typedef struct vmm_pci_config {
    void *cookie;
    uint8_t (*ioread8)(void *cookie, vmm_pci_address_t addr, unsigned int offset);
    uint16_t (*ioread16)(void *cookie, vmm_pci_address_t addr, unsigned int offset);
    uint32_t (*ioread32)(void *cookie, vmm_pci_address_t addr, unsigned int offset);
    void (*iowrite8)(void *cookie, vmm_pci_address_t addr, unsigned int offset, uint8_t val);
    void (*iowrite16)(void *cookie, vmm_pci_address_t addr, unsigned int offset, uint16_t val);
    void (*iowrite32)(void *cookie, vmm_pci_address_t addr, unsigned int offset, uint32_t val);
} vmm_pci_config_t;

/***
 * @struct vmm_pci_entry
 * One device function on the virtual bus. The callbacks get the offset into the function's configuration
 * space and the access size (1, 2 or 4; the access never crosses a 4-byte boundary) and return 0 on success
 * or -1 on error; a read stores the value in the low `size` bytes of *result.
 * @param {void *} cookie Passed to both callbacks
 * @param {int *(void *cookie, int offset, int size, uint32_t *result)} ioread Configuration space read
 * @param {int *(void *cookie, int offset, int size, uint32_t value)} iowrite Configuration space write
 */
typedef struct vmm_pci_entry {
    void *cookie;
    int (*ioread)(void *cookie, int offset, int size, uint32_t *result);
    int (*iowrite)(void *cookie, int offset, int size, uint32_t value);
} vmm_pci_entry_t;

/***
 * @struct vmm_pci_space
 * A virtual PCI space. Release it with sel4kvm_pci_destroy once the VM that uses it is gone (free() releases
 * the space but not the wrappers of its entries).
 * @param {vmm_pci_entry_t *} bus0 The functions of bus 0, [device][function]; NULL where absent
 * @param {uint32_t} conf_port_addr The value of the mechanism #1 address register (0xCF8)
 */
typedef struct vmm_pci_space {
    vmm_pci_entry_t *bus0[32][8];
    uint32_t conf_port_addr;
} vmm_pci_space_t;

/***
 * @function vmm_pci_init(space)
 * Create a PCI space holding only a host bridge (vendor 0x5E14, device 0x42, class 0x06) at 00:00.0. The
 * bridge's header is read-only.
 * @param {vmm_pci_space_t **} space Receives the new space
 * @return 0 on success, -1 if space is NULL or memory runs out
 */
int vmm_pci_init(vmm_pci_space_t **space);

/***
 * @function vmm_pci_add_entry(space, entry, addr)
 * Put a device in the first free device slot of bus 0, as function 0. The entry is copied.
 * @param {vmm_pci_space_t *} space The PCI space
 * @param {vmm_pci_entry_t} entry The device; ioread and iowrite must both be set
 * @param {vmm_pci_address_t *} addr Receives where the device was placed; may be NULL
 * @return 0 on success; -1 if space is NULL, a callback is missing, all 32 slots are taken or memory runs out
 */
int vmm_pci_add_entry(vmm_pci_space_t *space, vmm_pci_entry_t entry, vmm_pci_address_t *addr);

/***
 * @function sel4kvm_pci_destroy(space)
 * sel4kvm extension: release a space made by vmm_pci_init, with every wrapper that the vmm_pci_create_*
 * functions allocated for the entries added to it (BAR, IRQ, capability and passthrough wrappers, down each
 * chain). The innermost cookie of each chain (for example a vmm_pci_device_def_t) stays its creator's. An entry
 * added to the space belongs to it from then on: do not add it to a second space.
 * @param {vmm_pci_space_t *} space The space; NULL does nothing
 */
void sel4kvm_pci_destroy(vmm_pci_space_t *space);

/***
 * @function make_addr_reg_from_config(conf, addr, reg)
 * Split a mechanism #1 address register value: bus = bits 23:16, device = 15:11, function = 10:8,
 * register = 7:0.
 * @param {uint32_t} conf Address register value
 * @param {vmm_pci_address_t *} addr Receives bus, device and function
 * @param {uint8_t *} reg Receives the register offset
 */
void make_addr_reg_from_config(uint32_t conf, vmm_pci_address_t *addr, uint8_t *reg);

/***
 * @function find_device(self, addr)
 * Look up the entry at an address.
 * @param {vmm_pci_space_t *} self The PCI space
 * @param {vmm_pci_address_t} addr Bus, device and function
 * @return The entry, or NULL if none is there (any bus but 0, device > 31 or function > 7 included)
 */
vmm_pci_entry_t *find_device(vmm_pci_space_t *self, vmm_pci_address_t addr);
