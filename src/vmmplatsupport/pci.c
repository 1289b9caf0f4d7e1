/* The guest's virtual PCI bus: slot allocation, lookup and config address decoding. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>

#include <sel4vmmplatsupport/drivers/pci.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include <utils/util.h>

#include "pci_internal.h"

#define PCI_NUM_DEVICES 32
#define PCI_NUM_FUNCTIONS 8

/*
 * vmm_pci_init hands out the public struct as the first member of this block, so the host bridge and the copies
 * of added entries live and die with the space; sel4kvm_pci_destroy also frees the wrappers those copies hold.
 */
typedef struct pci_space_block {
    vmm_pci_space_t space;
    vmm_pci_device_def_t bridge;
    vmm_pci_entry_t entries[PCI_NUM_DEVICES][PCI_NUM_FUNCTIONS];
} pci_space_block_t;

int vmm_pci_init(vmm_pci_space_t **space)
{
    if (space == NULL) {
        ZF_LOGE("Failed to create PCI space: NULL result pointer");
        return -1;
    }
    pci_space_block_t *block = calloc(1, sizeof(*block));
    if (block == NULL) {
        ZF_LOGE("Failed to create PCI space: out of memory");
        return -1;
    }
    define_pci_host_bridge(&block->bridge);
    block->entries[0][0] = (vmm_pci_entry_t){
        .cookie = &block->bridge,
        .ioread = vmm_pci_mem_device_read,
        .iowrite = vmm_pci_entry_ignore_write,
    };
    block->space.bus0[0][0] = &block->entries[0][0];
    *space = &block->space;
    return 0;
}

int vmm_pci_add_entry(vmm_pci_space_t *space, vmm_pci_entry_t entry, vmm_pci_address_t *addr)
{
    if (space == NULL) {
        ZF_LOGE("Failed to add PCI entry: NULL space");
        return -1;
    }
    if (entry.ioread == NULL || entry.iowrite == NULL) {
        ZF_LOGE("Failed to add PCI entry: it has no %s callback", entry.ioread == NULL ? "read" : "write");
        return -1;
    }
    pci_space_block_t *block = (pci_space_block_t *)space;
    for (int dev = 0; dev < PCI_NUM_DEVICES; dev++) {
        bool in_use = false;
        for (int fun = 0; fun < PCI_NUM_FUNCTIONS; fun++) {
            in_use = in_use || space->bus0[dev][fun] != NULL;
        }
        if (in_use) {
            continue;
        }
        block->entries[dev][0] = entry;
        space->bus0[dev][0] = &block->entries[dev][0];
        if (addr != NULL) {
            *addr = (vmm_pci_address_t){ .bus = 0, .dev = (uint8_t)dev, .fun = 0 };
        }
        return 0;
    }
    ZF_LOGE("Failed to add PCI entry: all %d device slots of bus 0 are taken", PCI_NUM_DEVICES);
    return -1;
}

void sel4kvm_pci_destroy(vmm_pci_space_t *space)
{
    if (space == NULL) {
        return;
    }
    pci_space_block_t *block = (pci_space_block_t *)space;
    for (int dev = 0; dev < PCI_NUM_DEVICES; dev++) {
        for (int fun = 0; fun < PCI_NUM_FUNCTIONS; fun++) {
            pci_entry_release(block->entries[dev][fun]);
        }
    }
    free(block);
}

void make_addr_reg_from_config(uint32_t conf, vmm_pci_address_t *addr, uint8_t *reg)
{
    if (addr == NULL || reg == NULL) {
        ZF_LOGE("Failed to decode PCI config address 0x%08x: NULL %s", conf, addr == NULL ? "addr" : "reg");
        return;
    }
    addr->bus = (conf >> 16) & MASK(8);
    addr->dev = (conf >> 11) & MASK(5);
    addr->fun = (conf >> 8) & MASK(3);
    *reg = conf & MASK(8);
}

vmm_pci_entry_t *find_device(vmm_pci_space_t *self, vmm_pci_address_t addr)
{
    if (self == NULL) {
        ZF_LOGE("Failed to find PCI device: NULL space");
        return NULL;
    }
    if (addr.bus != 0 || addr.dev >= PCI_NUM_DEVICES || addr.fun >= PCI_NUM_FUNCTIONS) {
        return NULL;
    }
    return self->bus0[addr.dev][addr.fun];
}
