/* Well-known x86 I/O port ranges (libsel4vmmplatsupport). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

/***
 * @module ioport_defs.h
 * First and last port (both included) of the legacy PC devices a VMM commonly emulates or passes through, for
 * building vm_ioport_range_t and ioport_range_t values.
 */

/* Programmable interval timer */
#define X86_IO_PIT_START 0x40
#define X86_IO_PIT_END 0x5f

/* PS/2 controller */
#define X86_IO_PS2C_START 0x60
#define X86_IO_PS2C_END 0x64

/* Real-time clock / CMOS and NMI mask */
#define X86_IO_RTC_START 0x70
#define X86_IO_RTC_END 0x7f

/* ISA DMA page registers */
#define X86_IO_ISA_DMA_START 0x80
#define X86_IO_ISA_DMA_END 0x8f

/* Programmable Option Select (PS/2) */
#define X86_IO_POS_START 0x100
#define X86_IO_POS_END 0x10F

/* Serial ports (COM1 to COM4) */
#define X86_IO_SERIAL_1_START 0x3f8
#define X86_IO_SERIAL_1_END 0x3ff
#define X86_IO_SERIAL_2_START 0x2f8
#define X86_IO_SERIAL_2_END 0x2ff
#define X86_IO_SERIAL_3_START 0x3e8
#define X86_IO_SERIAL_3_END 0x3ef
#define X86_IO_SERIAL_4_START 0x2e8
#define X86_IO_SERIAL_4_END 0x2ef

/* PCI configuration mechanism #1 (address register 0xcf8, data window 0xcfc) */
#define X86_IO_PCI_CONFIG_START 0xcf8
#define X86_IO_PCI_CONFIG_END 0xcff
