/* Real-mode guest: 2- and 1-byte MMIO reads and writes in the real-mode device window, then debug exit. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "layout.h"

    .code16
    .section .text.start, "ax"
    .globl _start
_start:
    cli
    movw $(GUEST_MMIO_REAL >> 4), %ax
    movw %ax, %ds
    /* The value read must reach AX: the write that follows sends it back plus one. */
    movw 0x0, %ax
    incw %ax
    movw %ax, 0x2
    /* An unaligned byte read, echoed to another unaligned byte. */
    movb 0x5, %bl
    movb %bl, 0x7
    movb $0, %al
    outb %al, $GUEST_DEBUG_EXIT_PORT
1:
    hlt
    jmp 1b
