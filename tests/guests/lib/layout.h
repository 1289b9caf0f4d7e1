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
