/* 32-bit guest: loads an empty IDT and executes an undefined instruction, so #UD escalates to a triple fault. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "layout.h"

    .code32
    .section .text.start, "ax"
    .globl _start
_start:
    cli
    lidt null_idtr
    ud2
    /* Not reached: if it were, the debug exit would make the test fail on vm_run's result. */
    movb $0x7f, %al
    outb %al, $GUEST_DEBUG_EXIT_PORT
1:
    hlt
    jmp 1b

    .section .rodata
    .balign 8
null_idtr:
    .word 0
    .long 0
