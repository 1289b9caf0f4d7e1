/* 32-bit guest: IN and OUT of each width on the harness ports, rep outsb of a string and rep insb, then exit. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "layout.h"

    .code32
    .section .text.start, "ax"
    .globl _start
_start:
    cli
    cld
    /* Each value read from SYNC comes back on REPORT plus one, at the same width. */
    movw $GUEST_SYNC_PORT, %dx
    inl %dx, %eax
    incl %eax
    movw $GUEST_REPORT_PORT, %dx
    outl %eax, %dx
    movw $GUEST_SYNC_PORT, %dx
    inw %dx, %ax
    incw %ax
    movw $GUEST_REPORT_PORT, %dx
    outw %ax, %dx
    movw $GUEST_SYNC_PORT, %dx
    inb %dx, %al
    incb %al
    movw $GUEST_REPORT_PORT, %dx
    outb %al, %dx

    movl $message, %esi
    movl $(message_end - message), %ecx
    movw $GUEST_STRING_PORT, %dx
    rep outsb

    /* Four bytes from STRING land in the first result slot. */
    movl $GUEST_RESULTS, %edi
    movl $0, 4(%edi)
    movl $4, %ecx
    rep insb

    movb $0, %al
    outb %al, $GUEST_DEBUG_EXIT_PORT
1:
    hlt
    jmp 1b

    .section .rodata
message:
    .ascii "rep outsb!"
message_end:
