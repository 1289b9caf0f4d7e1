/* Entry of the C test guests, 32- and 64-bit: own GDT, flat segments, a stack, guest_main, debug exit; the IRQ entry. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "layout.h"

    .section .text.start, "ax"
    .globl _start
_start:
    cli
    cld
#ifdef __x86_64__
    movq %rax, %r12
    movq %rbx, %r13
#endif
    /* This GDT replaces whatever the VMM set up, so interrupt gates and segment loads find 0x08 and 0x10. */
    lgdt gdt_pointer
    movl $0x10, %ecx
    movl %ecx, %ds
    movl %ecx, %es
    movl %ecx, %ss
    movl %ecx, %fs
    movl %ecx, %gs
#ifdef __x86_64__
    /* The far return that reloads CS needs the stack first. */
    movq $GUEST_STACK_TOP, %rsp
    pushq $0x08
    leaq 1f(%rip), %rcx
    pushq %rcx
    lretq
1:
    movq %r12, %rdi
    movq %r13, %rsi
#else
    ljmp $0x08, $1f
1:
    movl $GUEST_STACK_TOP, %esp
    pushl %ebx
    pushl %eax
#endif
    call guest_main
    movw $GUEST_DEBUG_EXIT_PORT, %dx
    outl %eax, %dx
2:
    cli
    hlt
    jmp 2b

    .text
    .globl guest_irq_entry
guest_irq_entry:
#ifdef __x86_64__
    pushq %rax
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    /* Nine pushes after the 40-byte interrupt frame leave RSP 16-byte aligned for the call. */
    movq guest_irq_handler(%rip), %rax
    call *%rax
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rax
    iretq
#else
    pushl %eax
    pushl %ecx
    pushl %edx
    call *guest_irq_handler
    popl %edx
    popl %ecx
    popl %eax
    iret
#endif

    .section .rodata
    .balign 8
gdt:
    .quad 0
#ifdef __x86_64__
    .quad 0x00af9a000000ffff /* 0x08: 64-bit code */
#else
    .quad 0x00cf9a000000ffff /* 0x08: 32-bit code, 4 GiB */
#endif
    .quad 0x00cf92000000ffff /* 0x10: data, 4 GiB */
gdt_end:
gdt_pointer:
    .word gdt_end - gdt - 1
#ifdef __x86_64__
    .quad gdt
#else
    .long gdt
#endif
