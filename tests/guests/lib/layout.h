/* Where the test guests expect RAM, devices and ports: shared by guest sources (C and assembly) and tests/kvm. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

/* Guest RAM the tests register: low RAM for real-mode code, stacks, page tables and results; high RAM (from
 * 1 MiB) for ELF images. The gap between them holds the real-mode device window. */
#define GUEST_RAM_LOW 0x0
#define GUEST_RAM_LOW_SIZE 0x80000
#define GUEST_RAM_HIGH 0x100000
#define GUEST_RAM_HIGH_SIZE 0x300000

/* Real-mode guests are flat binaries loaded and entered here (CS base 0). */
#define GUEST_REAL_ENTRY 0x8000
/* ELF guests are linked here. */
#define GUEST_IMAGE_BASE 0x100000
/* Initial stack pointer of C guests. */
#define GUEST_STACK_TOP 0x70000
/* sel4kvm_vcpu_set_long_mode's tables (SEL4KVM_LONG_MODE_TABLES_SIZE bytes). */
#define GUEST_LONG_TABLES 0x10000
/* Results page: guests store what they read here as 64-bit slots, for a test to read with vm_ram_touch. */
#define GUEST_RESULTS 0x20000

/* The script the mmio_script guests run, written by the test: entries of GUEST_SCRIPT_ENTRY bytes
 * { uint32_t op; uint32_t pad; uint64_t addr; uint64_t value }, ended by op GUEST_OP_END. A read of op
 * GUEST_OP_READ | size stores the value its register received in result slot i (64-bit, zero-extended) for
 * entry i; GUEST_OP_WRITE | size writes the low size bytes of value. 8-byte ops exist in the 64-bit build only;
 * an unknown op ends the run through the debug exit with GUEST_SCRIPT_BAD_OP. */
#define GUEST_SCRIPT 0x21000
#define GUEST_SCRIPT_ENTRY 24
#define GUEST_SCRIPT_MAX 128
#define GUEST_OP_END 0
#define GUEST_OP_READ 0x00
#define GUEST_OP_WRITE 0x10
#define GUEST_SCRIPT_BAD_OP 0x7e

/* Device windows: one real mode reaches (segment GUEST_MMIO_REAL >> 4), one for 32- and 64-bit guests. */
#define GUEST_MMIO_REAL 0xc0000
#define GUEST_MMIO 0xd0000000

/* I/O ports of the test harness. REPORT: guests write 32-bit values to it. SYNC: a guest writes it when it is
 * ready for the test to act (and may read a value from it). STRING: target of string output (rep outsb). */
#define GUEST_REPORT_PORT 0x500
#define GUEST_SYNC_PORT 0x504
#define GUEST_STRING_PORT 0x508

/* The tiny-guest devices (include/sel4kvm/devices.h). */
#define GUEST_SERIAL_PORT 0x3f8
#define GUEST_DEBUG_EXIT_PORT 0xf4

/* The interrupt the IRQ guests take: PIC line, and the vector they remap it to (master PIC base 0x20). */
#define GUEST_PIC_BASE 0x20
#define GUEST_IRQ 5
#define GUEST_IRQ_VECTOR (GUEST_PIC_BASE + GUEST_IRQ)
/* Debug-exit value of a guest that took a wake-gated interrupt outside irq_wait (lib/guest.h). */
#define GUEST_EXIT_STRAY_IRQ 0x7d

/* pci_scan_32 reports GUEST_PCI_SCAN_WORDS values per device present on bus 0: its device number, its IDs (vendor |
 * device << 16), the class dword (offset 0x08: revision, prog-if, subclass, class), address and size of BAR0 to
 * BAR5 (low 32 bits each), and interrupt line | pin << 8. It exits with the number of devices, or with
 * GUEST_EXIT_BAR_CHANGED if a BAR read differently after its size probe. */
#define GUEST_PCI_SCAN_WORDS 16
#define GUEST_EXIT_BAR_CHANGED 0x7c

/* crossvm_lib: with EAX = GUEST_CROSSVM_STRAY it enables interrupts outside crossvm_wait and waits for the event
 * (ending with GUEST_EXIT_STRAY_IRQ); otherwise it reports, in order: crossvm_count, crossvm_find of
 * GUEST_CROSSVM_LONG_NAME (0) and that device's slot, BAR0 and BAR1 addresses, size and IRQ line, crossvm_find of
 * a missing name (-1), crossvm_open past the last device (-1), crossvm_irq_init of the line (0); then it writes
 * "hello" to the dataport of GUEST_CROSSVM_PING, emits, spins with interrupts off until the peer's event is counted,
 * and reports the line's level (its IRR bit at the PIC), crossvm_wait's result and the dataport's first four bytes;
 * writes GUEST_SYNC_PORT, and reports crossvm_wait's result, crossvm_events and the line's level; exits with 0. */
#define GUEST_CROSSVM_STRAY 1
#define GUEST_CROSSVM_PING "ping"
/* 48 characters: the name fills the event page's field with no NUL. */
#define GUEST_CROSSVM_LONG_NAME "a-connection-name-of-exactly-forty-eight-chars.."

/* The hostile guests (tests/kvm/test_kvm_hostile.c): a read-only frame, a cross-VM connection (event page, then a
 * one-page dataport), and RAM the guests may scribble on. hostile_mmio and hostile_io run GUEST_HOSTILE_ROUNDS
 * random accesses from the seed in EAX. hostile_pci reports, for each of the first GUEST_PCI_HOSTILE_SLOTS slots of
 * bus 0 after its writes, GUEST_PCI_HOSTILE_WORDS values: slot, BAR0 to BAR5 after writing 0 to each, interrupt
 * line; then the first dword of the name at GUEST_HOSTILE_CROSSVM + CROSSVM_NAME; it exits with the number of those
 * slots that have a device. hostile_crossvm writes every offset of the event page at GUEST_HOSTILE_CROSSVM at each
 * width (value: GUEST_CROSSVM_HOSTILE_VALUE(offset, width)), then reports the counter and the 12 name dwords. */
#define GUEST_HOSTILE_RO 0xd0100000
#define GUEST_HOSTILE_CROSSVM 0xd0200000
#define GUEST_HOSTILE_SCRATCH 0x40000
#define GUEST_HOSTILE_SCRATCH_SIZE 0x10000
#define GUEST_HOSTILE_ROUNDS 1500
#define GUEST_PCI_HOSTILE_WORDS 8
#define GUEST_PCI_HOSTILE_SLOTS 4
#define GUEST_CROSSVM_HOSTILE_VALUE(offset, width) (0x5a000000u | (uint32_t)(offset) << 4 | (uint32_t)(width))
