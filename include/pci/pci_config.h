/* Decoded base-address information of a PCI device (util_libs libpci). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <pci/helper.h>

/***
 * @module pci_config.h
 * The decoded base address registers of a PCI device, as libpci's scan fills them in, and small helpers
 * over them. 64-bit memory BARs occupy two slots: the low word at index i and the high word at i + 1, which
 * is marked `base_addr_64H`.
 */

#define PCI_CONFIG_HEADER_SIZE_BYTES PCI_STD_HEADER_SIZEOF

/***
 * @struct libpci_device_iocfg
 * Base address information of the six BARs of a type-0 device.
 * @param {uint32_t} base_addr Address decoded from each BAR (flag bits removed)
 * @param {uint8_t} base_addr_space PCI_BASE_ADDRESS_SPACE_IO or PCI_BASE_ADDRESS_SPACE_MEMORY
 * @param {uint8_t} base_addr_type PCI_BASE_ADDRESS_MEM_TYPE_32, _1M or _64
 * @param {uint8_t} base_addr_prefetchable Non-zero for a prefetchable memory BAR
 * @param {uint32_t} base_addr_size_mask Value read back after writing all ones
 * @param {uint32_t} base_addr_size Decoded size in bytes
 * @param {uint32_t} base_addr_raw BAR value as read, flag bits included
 * @param {bool} base_addr_64H True when this slot is the high word of the 64-bit BAR before it
 */
struct libpci_device_iocfg {
    uint32_t base_addr[6];
    uint8_t base_addr_space[6];
    uint8_t base_addr_type[6];
    uint8_t base_addr_prefetchable[6];
    uint32_t base_addr_size_mask[6];
    uint32_t base_addr_size[6];
    uint32_t base_addr_raw[6];
    bool base_addr_64H[6];
};

typedef struct libpci_device_iocfg libpci_device_iocfg_t;

/***
 * @function libpci_device_cfg_sizeof(offset)
 * Width of the standard header field that starts at an offset.
 * @param {int} offset Offset into the header
 * @return 1, 2 or 4, or 0 when no field starts there
 */
static inline int libpci_device_cfg_sizeof(int offset)
{
    switch (offset) {
    case PCI_VENDOR_ID:
    case PCI_DEVICE_ID:
    case PCI_COMMAND:
    case PCI_STATUS:
    case PCI_CLASS_DEVICE:
    case PCI_SUBSYSTEM_VENDOR_ID:
    case PCI_SUBSYSTEM_ID:
        return 2;
    case PCI_CLASS_REVISION:
    case PCI_CLASS_PROG:
    case PCI_CACHE_LINE_SIZE:
    case PCI_LATENCY_TIMER:
    case PCI_HEADER_TYPE:
    case PCI_BIST:
    case PCI_INTERRUPT_LINE:
    case PCI_INTERRUPT_PIN:
    case PCI_MIN_GNT:
    case PCI_MAX_LAT:
        return 1;
    case PCI_BASE_ADDRESS_0:
    case PCI_BASE_ADDRESS_1:
    case PCI_BASE_ADDRESS_2:
    case PCI_BASE_ADDRESS_3:
    case PCI_BASE_ADDRESS_4:
    case PCI_BASE_ADDRESS_5:
    case PCI_CARDBUS_CIS:
    case PCI_ROM_ADDRESS:
        return 4;
    default:
        return 0;
    }
}

/***
 * @function libpci_device_iocfg_get_baseaddr(cfg, index)
 * Full address of a BAR, joining the two words of a 64-bit BAR.
 * Ours: an index out of 0..5, or a 64-bit BAR in the last slot, gives 0 instead of an assertion.
 * @param {libpci_device_iocfg_t *} cfg Decoded BARs
 * @param {int} index BAR number, 0 to 5
 * @return The address, or 0 for a bad index
 */
static inline uint64_t libpci_device_iocfg_get_baseaddr(libpci_device_iocfg_t *cfg, int index)
{
    if (cfg == NULL || index < 0 || index > 5) {
        return 0;
    }
    uint64_t low = cfg->base_addr[index];
    if (cfg->base_addr_type[index] != PCI_BASE_ADDRESS_MEM_TYPE_64) {
        return low;
    }
    if (index == 5) {
        return 0;
    }
    return low | ((uint64_t)cfg->base_addr[index + 1] << 32);
}

/***
 * @function libpci_device_iocfg_get_baseaddr32(cfg, index)
 * Address of a BAR that must fit in 32 bits.
 * Ours: a 64-bit address above 4 GiB gives 0 (upstream prints a warning and asserts).
 * @param {libpci_device_iocfg_t *} cfg Decoded BARs
 * @param {int} index BAR number, 0 to 5
 * @return The address, or 0 when it does not fit or the index is bad
 */
static inline uint32_t libpci_device_iocfg_get_baseaddr32(libpci_device_iocfg_t *cfg, int index)
{
    uint64_t addr = libpci_device_iocfg_get_baseaddr(cfg, index);
    return addr > UINT32_MAX ? 0 : (uint32_t)addr;
}

/***
 * @function libpci_device_iocfg_uses_iomem(cfg)
 * Whether the device decodes any address range at all.
 * @param {libpci_device_iocfg_t *} cfg Decoded BARs
 * @return true if some BAR (not counting high words of 64-bit BARs) has a non-zero address
 */
static inline bool libpci_device_iocfg_uses_iomem(libpci_device_iocfg_t *cfg)
{
    if (cfg == NULL) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        if (cfg->base_addr[i] != 0 && !cfg->base_addr_64H[i]) {
            return true;
        }
    }
    return false;
}

/***
 * @function libpci_device_iocfg_debug_print(cfg, compact)
 * Print the BARs on stdout.
 * @param {libpci_device_iocfg_t *} cfg Decoded BARs
 * @param {bool} compact One line per used BAR instead of one block per BAR
 */
static inline void libpci_device_iocfg_debug_print(libpci_device_iocfg_t *cfg, bool compact)
{
    if (cfg == NULL) {
        return;
    }
    for (int i = 0; i < 6; i++) {
        bool used = cfg->base_addr[i] != 0 && !cfg->base_addr_64H[i];
        bool io = cfg->base_addr_space[i] == PCI_BASE_ADDRESS_SPACE_IO;
        if (!compact) {
            printf("    BASE_ADDR[%d] ----\n", i);
        }
        if (!used) {
            continue;
        }
        printf("    BAR%d : [ %s 0x%" PRIx64 " sz 0x%" PRIx32 " szmask 0x%" PRIx32 "%s%s ]\n", i, io ? "io" : "mem",
               libpci_device_iocfg_get_baseaddr(cfg, i), cfg->base_addr_size[i], cfg->base_addr_size_mask[i],
               !io && cfg->base_addr_type[i] == PCI_BASE_ADDRESS_MEM_TYPE_64 ? " 64bit" : "",
               !io && cfg->base_addr_prefetchable[i] ? " prefetch" : "");
    }
}
