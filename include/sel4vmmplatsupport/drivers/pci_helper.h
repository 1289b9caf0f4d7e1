/* Building blocks for virtual PCI devices: memory-backed headers and BAR, IRQ and capability emulation. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pci/pci.h>
#include <sel4vmmplatsupport/drivers/pci.h>
#include <utils/util.h>

/***
 * @module pci_helper.h
 * Helpers that build vmm_pci_entry_t devices. A device is usually a vmm_pci_device_def_t (its 64-byte
 * header in memory) served by vmm_pci_mem_device_read/write, wrapped by vmm_pci_create_bar_emulation (fixed
 * BARs the guest can size but not move) and vmm_pci_create_irq_emulation (the interrupt line it reports):
 *
 *     vmm_pci_entry_t e = { .cookie = def, .ioread = vmm_pci_mem_device_read,
 *                           .iowrite = vmm_pci_mem_device_write };
 *     e = vmm_pci_create_bar_emulation(e, 2, bars);
 *     e = vmm_pci_create_irq_emulation(e, irq);
 *     vmm_pci_add_entry(pci, e, &addr);
 *
 * Every callback built here accepts sizes 1, 2 and 4 at offsets that do not cross a 4-byte boundary and
 * fails with -1 and a message otherwise. The create functions return an entry whose ioread is NULL on
 * failure (bad arguments, or an `existing` entry that is itself such a failure), which vmm_pci_add_entry
 * refuses, so a chain of wrappers needs one check at the end. Wrappers live as long as the process, as
 * upstream's do. BAR arrays and capability lists are copied; a vmm_pci_device_def_t used as a cookie must
 * outlive the entry.
 */

/* Offset of BAR b (0..5) in the configuration header. */
#define PCI_BAR_OFFSET(b) (offsetof(vmm_pci_device_def_t, bar##b))

/***
 * @struct vmm_pci_device_def
 * A type-0 configuration header laid out as the guest sees it (64 packed bytes), followed by an optional
 * capability area. Ours: when caps_len > 0 and caps is set, vmm_pci_mem_device_read serves caps_len bytes
 * of caps at offsets 0x40 onwards (point caps_pointer at 0x40 and set PCI_STATUS_CAP_LIST in status to
 * publish them); upstream ignores both fields.
 * @param {uint16_t} vendor_id Vendor id (offset 0x00)
 * @param {uint16_t} device_id Device id (0x02)
 * @param {uint16_t} command Command register (0x04)
 * @param {uint16_t} status Status register (0x06)
 * @param {uint8_t} revision_id Revision (0x08)
 * @param {uint8_t} prog_if Programming interface (0x09)
 * @param {uint8_t} subclass Subclass (0x0a)
 * @param {uint8_t} class_code Base class (0x0b)
 * @param {uint8_t} cache_line_size Cache line size (0x0c)
 * @param {uint8_t} latency_timer Latency timer (0x0d)
 * @param {uint8_t} header_type Header type (0x0e)
 * @param {uint8_t} bist Built-in self test (0x0f)
 * @param {uint32_t} bar0 BAR 0 (0x10)
 * @param {uint32_t} bar1 BAR 1 (0x14)
 * @param {uint32_t} bar2 BAR 2 (0x18)
 * @param {uint32_t} bar3 BAR 3 (0x1c)
 * @param {uint32_t} bar4 BAR 4 (0x20)
 * @param {uint32_t} bar5 BAR 5 (0x24)
 * @param {uint32_t} cardbus CardBus CIS pointer (0x28)
 * @param {uint16_t} subsystem_vendor_id Subsystem vendor id (0x2c)
 * @param {uint16_t} subsystem_id Subsystem id (0x2e)
 * @param {uint32_t} expansion_rom Expansion ROM base (0x30)
 * @param {uint8_t} caps_pointer Offset of the first capability (0x34)
 * @param {uint8_t} reserved1 Reserved (0x35)
 * @param {uint16_t} reserved2 Reserved (0x36)
 * @param {uint32_t} reserved3 Reserved (0x38)
 * @param {uint8_t} interrupt_line Interrupt line (0x3c)
 * @param {uint8_t} interrupt_pin Interrupt pin, 1 = INTA# (0x3d)
 * @param {uint8_t} min_grant Minimum grant (0x3e)
 * @param {uint8_t} max_latency Maximum latency (0x3f)
 * @param {int} caps_len Bytes of capability data at caps (not part of the header)
 * @param {void *} caps Capability data served from offset 0x40, or NULL
 */
typedef struct vmm_pci_device_def {
    uint16_t vendor_id;
    uint16_t device_id;
    uint16_t command;
    uint16_t status;
    uint8_t revision_id;
    uint8_t prog_if;
    uint8_t subclass;
    uint8_t class_code;
    uint8_t cache_line_size;
    uint8_t latency_timer;
    uint8_t header_type;
    uint8_t bist;
    uint32_t bar0;
    uint32_t bar1;
    uint32_t bar2;
    uint32_t bar3;
    uint32_t bar4;
    uint32_t bar5;
    uint32_t cardbus;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    uint32_t expansion_rom;
    uint8_t caps_pointer;
    uint8_t reserved1;
    uint16_t reserved2;
    uint32_t reserved3;
    uint8_t interrupt_line;
    uint8_t interrupt_pin;
    uint8_t min_grant;
    uint8_t max_latency;
    int caps_len;
    void *caps;
} PACKED vmm_pci_device_def_t;

/* What a BAR decodes: NON_MEM is an I/O BAR; the others are 32-bit memory BARs. */
typedef enum pci_mem_type { NON_MEM = 0, NON_PREFETCH_MEM, PREFETCH_MEM } pci_mem_type_t;

/***
 * @struct vmm_pci_bar
 * A BAR as vmm_pci_create_bar_emulation presents it.
 * @param {pci_mem_type_t} mem_type I/O, memory, or prefetchable memory
 * @param {uintptr_t} address Base address; must be aligned to the size and below 4 GiB (64 KiB for I/O)
 * @param {size_t} size_bits log2 of the size: 4 to 31 for memory, 2 to 16 for I/O
 */
typedef struct vmm_pci_bar {
    pci_mem_type_t mem_type;
    uintptr_t address;
    size_t size_bits;
} vmm_pci_bar_t;

/***
 * @struct pci_bar_emulation
 * State of a BAR emulation wrapper (the cookie of the entry vmm_pci_create_bar_emulation returns).
 * @param {vmm_pci_entry_t} passthrough The wrapped entry, which serves everything outside 0x10-0x27
 * @param {int} num_bars Number of emulated BARs, from BAR 0 on
 * @param {vmm_pci_bar_t} bars The BARs
 * @param {uint32_t} bar_writes Last value the guest wrote to each BAR register
 */
typedef struct pci_bar_emulation {
    vmm_pci_entry_t passthrough;
    int num_bars;
    vmm_pci_bar_t bars[6];
    uint32_t bar_writes[6];
} pci_bar_emulation_t;

/***
 * @struct pci_irq_emulation
 * State of an interrupt line wrapper (the cookie of the entry vmm_pci_create_irq_emulation returns).
 * @param {vmm_pci_entry_t} passthrough The wrapped entry
 * @param {int} irq Value reported in the interrupt line register
 */
typedef struct pci_irq_emulation {
    vmm_pci_entry_t passthrough;
    int irq;
} pci_irq_emulation_t;

/***
 * @struct pci_passthrough_device
 * State of a passthrough entry (the cookie of the entry vmm_pci_create_passthrough returns).
 * @param {vmm_pci_address_t} addr Address of the device on the bus config reaches
 * @param {vmm_pci_config_t} config Accessors of that bus
 */
typedef struct pci_passthrough_device {
    vmm_pci_address_t addr;
    vmm_pci_config_t config;
} pci_passthrough_device_t;

/***
 * @struct pci_cap_emulation
 * State of a capability-list wrapper (the cookie of the entry vmm_pci_create_cap_emulation returns).
 * @param {vmm_pci_entry_t} passthrough The wrapped entry
 * @param {int} num_caps Number of capabilities left in the list
 * @param {uint8_t *} caps Their offsets, in list order
 * @param {int} num_ignore Number of hidden ranges
 * @param {uint8_t *} ignore_start First offset of each hidden range
 * @param {uint8_t *} ignore_end Offset just past each hidden range
 */
typedef struct pci_cap_emulation {
    vmm_pci_entry_t passthrough;
    int num_caps;
    uint8_t *caps;
    int num_ignore;
    uint8_t *ignore_start;
    uint8_t *ignore_end;
} pci_cap_emulation_t;

/***
 * @function vmm_pci_entry_ignore_write(cookie, offset, size, value)
 * A write callback that drops every write, for read-only devices.
 * @param {void *} cookie Unused
 * @param {int} offset Offset of the write
 * @param {int} size Size of the write
 * @param {uint32_t} value Value written
 * @return 0
 */
int vmm_pci_entry_ignore_write(void *cookie, int offset, int size, uint32_t value);

/***
 * @function vmm_pci_mem_device_read(cookie, offset, size, result)
 * Read from a vmm_pci_device_def_t. Offsets 0x00-0x3f read the header; from 0x40 on, caps_len bytes of caps
 * if set; anything further reads 0.
 * Ours: the header's last bytes are readable (upstream returns 0 for any access reaching offset 0x3f).
 * @param {void *} cookie The vmm_pci_device_def_t
 * @param {int} offset Offset into the configuration space
 * @param {int} size 1, 2 or 4; the access may not cross a 4-byte boundary
 * @param {uint32_t *} result Receives the value, zero-extended
 * @return 0 on success; -1 for a NULL argument, a negative offset, a bad size or a crossing access
 */
int vmm_pci_mem_device_read(void *cookie, int offset, int size, uint32_t *result);

/***
 * @function vmm_pci_mem_device_write(cookie, offset, size, value)
 * Write to a vmm_pci_device_def_t. Any header byte (0x00-0x3f) can be written, as upstream allows; writes
 * beyond the header are dropped.
 * @param {void *} cookie The vmm_pci_device_def_t
 * @param {int} offset Offset into the configuration space
 * @param {int} size 1, 2 or 4; the access may not cross a 4-byte boundary
 * @param {uint32_t} value Value, in its low size bytes
 * @return 0 on success (dropped writes included); -1 for a NULL cookie, a negative offset, a bad size or a
 *         crossing access
 */
int vmm_pci_mem_device_write(void *cookie, int offset, int size, uint32_t value);

/***
 * @function define_pci_host_bridge(bridge)
 * Fill in the header of the host bridge vmm_pci_init places at 00:00.0: vendor 0x5E14, device 0x42,
 * revision 1, class 0x06 (bridge), subclass 0 (host), everything else 0.
 * @param {vmm_pci_device_def_t *} bridge Header to fill in; NULL is logged and ignored
 */
void define_pci_host_bridge(vmm_pci_device_def_t *bridge);

/***
 * @function vmm_pci_create_passthrough(addr, config)
 * An entry that forwards every access to a configuration space reached through accessors, such as a real
 * device's.
 * @param {vmm_pci_address_t} addr Address passed to the accessors
 * @param {vmm_pci_config_t} config Accessors; all six must be set
 * @return The entry, or one with ioread NULL if an accessor is missing or memory runs out
 */
vmm_pci_entry_t vmm_pci_create_passthrough(vmm_pci_address_t addr, vmm_pci_config_t config);

/***
 * @function vmm_pci_create_bar_emulation(existing, num_bars, bars)
 * Wrap an entry so that the BAR registers (0x10-0x27) report fixed BARs. A BAR reads as its address, its
 * type bits (bit 0 for I/O, bit 3 for prefetchable memory) and the bits above its size of the last value
 * written, so writing all ones then reading gives the size mask; the address cannot be changed. BARs past
 * num_bars read 0. Other offsets go to the wrapped entry.
 * @param {vmm_pci_entry_t} existing Entry to wrap
 * @param {int} num_bars 0 to 6
 * @param {vmm_pci_bar_t *} bars num_bars BARs, copied; each address aligned to its size
 * @return The wrapped entry, or one with ioread NULL on bad arguments or when memory runs out
 */
vmm_pci_entry_t vmm_pci_create_bar_emulation(vmm_pci_entry_t existing, int num_bars, vmm_pci_bar_t *bars);

/***
 * @function vmm_pci_create_passthrough_bar_emulation(existing, num_bars, bars)
 * Wrap an entry, recording BARs but passing every access, BAR registers included, to the wrapped entry:
 * the inverse of vmm_pci_create_bar_emulation, for devices whose own BAR registers are right.
 * @param {vmm_pci_entry_t} existing Entry to wrap
 * @param {int} num_bars 0 to 6
 * @param {vmm_pci_bar_t *} bars num_bars BARs, copied
 * @return The wrapped entry, or one with ioread NULL on bad arguments or when memory runs out
 */
vmm_pci_entry_t vmm_pci_create_passthrough_bar_emulation(vmm_pci_entry_t existing, int num_bars, vmm_pci_bar_t *bars);

/***
 * @function vmm_pci_create_irq_emulation(existing, irq)
 * Wrap an entry so that the interrupt line register (0x3c) reads as irq and single-byte writes to it are
 * dropped. Everything else goes to the wrapped entry.
 * @param {vmm_pci_entry_t} existing Entry to wrap
 * @param {int} irq Line to report, 0 to 255
 * @return The wrapped entry, or one with ioread NULL on bad arguments or when memory runs out
 */
vmm_pci_entry_t vmm_pci_create_irq_emulation(vmm_pci_entry_t existing, int irq);

/***
 * @function vmm_pci_create_cap_emulation(existing, num_caps, caps, num_ranges, range_starts, range_ends)
 * Wrap a type-0 entry to present a different capability list: the status register's capability bit and
 * the capability pointer follow caps, each listed capability's next pointer names the one after it, and
 * accesses touching a hidden range read 0 and drop writes.
 * @param {vmm_pci_entry_t} existing Entry to wrap
 * @param {int} num_caps Number of capabilities to list, 0 to 48
 * @param {uint8_t *} caps Their offsets (0x40 or above), in order; copied; may be NULL when num_caps is 0
 * @param {int} num_ranges Number of hidden ranges, 0 to 48
 * @param {uint8_t *} range_starts First offset of each range; copied
 * @param {uint8_t *} range_ends Offset just past each range; copied
 * @return The wrapped entry, or one with ioread NULL on bad arguments or when memory runs out
 */
vmm_pci_entry_t vmm_pci_create_cap_emulation(vmm_pci_entry_t existing, int num_caps, uint8_t *caps, int num_ranges,
                                             uint8_t *range_starts, uint8_t *range_ends);

/***
 * @function vmm_pci_no_msi_cap_emulation(existing)
 * Hide the MSI and MSI-X capabilities of a type-0 entry, so the guest uses INTx. Walks the entry's
 * capability list and, if it holds MSI or MSI-X, wraps the entry with vmm_pci_create_cap_emulation listing
 * the other capabilities and hiding those two (MSI: 24 bytes, MSI-X: 12 bytes); otherwise returns existing.
 * Ours: a malformed list (loop, pointer into the header) is cut where it goes wrong instead of hanging.
 * @param {vmm_pci_entry_t} existing Entry to wrap
 * @return The wrapped entry, existing itself, or one with ioread NULL if existing cannot be read, is not a
 *         type-0 device or memory runs out
 */
vmm_pci_entry_t vmm_pci_no_msi_cap_emulation(vmm_pci_entry_t existing);
