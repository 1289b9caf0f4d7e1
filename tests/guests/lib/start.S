/* Entry of the C test guests, 32- and 64-bit: own GDT, flat segments, a stack, guest_main, debug exit; IRQ entries. */
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

    /* irq_wait: the callee-saved registers go on the stack and the stack pointer into irq_wait_sp; the wake entry
     * switches back to that stack and returns from here, discarding the interrupt frame instead of IRET-ing. */
    .globl irq_wait
irq_wait:
#ifdef __x86_64__
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, irq_wait_sp(%rip)
#else
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, irq_wait_sp
#endif
    /* Another vector whose handler returns (IRETQ works in long mode) lands after the HLT: sleep again. */
3:
    sti
    hlt
    jmp 3b

    /* The gate cleared IF, so the waiter resumes with interrupts off. The caller-saved registers are free: the
     * interrupted code is irq_wait's HLT loop, whose caller assumes them clobbered. */
    .globl guest_wake_entry
guest_wake_entry:
#ifdef __x86_64__
    movq irq_wait_sp(%rip), %rax
    testq %rax, %rax
    jz 4f
    movq $0, irq_wait_sp(%rip)
    movq %rax, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
#else
    movl irq_wait_sp, %eax
    testl %eax, %eax
    jz 4f
    movl $0, irq_wait_sp
    movl %eax, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret
#endif
4:
    movl $GUEST_EXIT_STRAY_IRQ, %eax
    movw $GUEST_DEBUG_EXIT_PORT, %dx
    outl %eax, %dx
5:
    cli
    hlt
    jmp 5b

    .bss
    .balign 8
irq_wait_sp:
#ifdef __x86_64__
    .skip 8
#else
    .skip 4
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
