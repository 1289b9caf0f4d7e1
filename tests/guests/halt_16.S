/* Real-mode guest: tells the test it is ready, then halts with interrupts off for good. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "layout.h"

    .code16
    .section .text.start, "ax"
    .globl _start
_start:
    cli
    movw $GUEST_SYNC_PORT, %dx
    movb $1, %al
    outb %al, %dx
    /* Only a kick from the VMM (a notification, a stop) ends the run from here. */
1:
    hlt
    jmp 1b
