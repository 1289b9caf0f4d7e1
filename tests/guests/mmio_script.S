/* 32- and 64-bit guest: runs the memory-access script the test wrote at GUEST_SCRIPT, then debug exit 0. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "layout.h"

/* One source for both modes: R(x) names the register of the mode's width (esi / rsi). */
#ifdef __x86_64__
#define R(x) %r##x
#define WORD_ADD addq
#else
#define R(x) %e##x
#define WORD_ADD addl
#endif

    .section .text.start, "ax"
    .globl _start
_start:
    cli
    mov $GUEST_SCRIPT, R(si)
    mov $GUEST_RESULTS, R(di)
next:
    movl (R(si)), %eax
#ifdef __x86_64__
    movq 8(%rsi), %rbx
    movq 16(%rsi), %rcx
#else
    movl 8(%esi), %ebx
    movl 16(%esi), %ecx
#endif
    xor R(dx), R(dx)
    cmpl $GUEST_OP_END, %eax
    je done
    cmpl $(GUEST_OP_READ | 1), %eax
    je read1
    cmpl $(GUEST_OP_READ | 2), %eax
    je read2
    cmpl $(GUEST_OP_READ | 4), %eax
    je read4
    cmpl $(GUEST_OP_WRITE | 1), %eax
    je write1
    cmpl $(GUEST_OP_WRITE | 2), %eax
    je write2
    cmpl $(GUEST_OP_WRITE | 4), %eax
    je write4
#ifdef __x86_64__
    cmpl $(GUEST_OP_READ | 8), %eax
    je read8
    cmpl $(GUEST_OP_WRITE | 8), %eax
    je write8
#endif
    movb $GUEST_SCRIPT_BAD_OP, %al
    outb %al, $GUEST_DEBUG_EXIT_PORT
    jmp halt

read1:
    movzbl (R(bx)), %edx
    jmp store
read2:
    movzwl (R(bx)), %edx
    jmp store
read4:
    movl (R(bx)), %edx
    jmp store
#ifdef __x86_64__
read8:
    movq (%rbx), %rdx
    jmp store
write8:
    movq %rcx, (%rbx)
    jmp advance
#endif
write1:
    movb %cl, (R(bx))
    jmp advance
write2:
    movw %cx, (R(bx))
    jmp advance
write4:
    movl %ecx, (R(bx))
    jmp advance

store:
#ifdef __x86_64__
    movq %rdx, (%rdi)
#else
    movl %edx, (%edi)
    movl $0, 4(%edi)
#endif
advance:
    WORD_ADD $GUEST_SCRIPT_ENTRY, R(si)
    WORD_ADD $8, R(di)
    jmp next

done:
    movb $0, %al
    outb %al, $GUEST_DEBUG_EXIT_PORT
halt:
    hlt
    jmp halt
