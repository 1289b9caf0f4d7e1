/* The C test guests' library: port and MMIO access, the serial port, debug exit, the PIC and an IDT. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "layout.h"

/* lib/start.S calls guest_main with EAX and EBX as the VMM left them (a Multiboot loader's magic and info
 * address; tests pass parameters there) and writes its result to the debug-exit port. */
int guest_main(uintptr_t eax, uintptr_t ebx);

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* MMIO: one access of exactly the given width (volatile keeps the compiler from splitting or merging). */
static inline uint8_t mmio_read8(uintptr_t addr)
{
    return *(volatile uint8_t *)addr;
}

static inline uint16_t mmio_read16(uintptr_t addr)
{
    return *(volatile uint16_t *)addr;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
    *(volatile uint8_t *)addr = v;
}

static inline void mmio_write16(uintptr_t addr, uint16_t v)
{
    *(volatile uint16_t *)addr = v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

/* 8-byte accesses as one instruction in both modes: MOVQ through an MMX register would need the FPU set up,
 * so 32-bit guests use two 4-byte accesses, which is what such a guest does on real hardware. */
static inline uint64_t mmio_read64(uintptr_t addr)
{
#ifdef __x86_64__
    return *(volatile uint64_t *)addr;
#else
    return mmio_read32(addr) | (uint64_t)mmio_read32(addr + 4) << 32;
#endif
}

static inline void mmio_write64(uintptr_t addr, uint64_t v)
{
#ifdef __x86_64__
    *(volatile uint64_t *)addr = v;
#else
    mmio_write32(addr, (uint32_t)v);
    mmio_write32(addr + 4, (uint32_t)(v >> 32));
#endif
}

static inline void cpu_sti(void)
{
    __asm__ volatile("sti" ::: "memory");
}

static inline void cpu_cli(void)
{
    __asm__ volatile("cli" ::: "memory");
}

/* STI's one-instruction shadow covers the HLT, so an interrupt pending at the STI wakes the HLT. */
static inline void cpu_sti_hlt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}

/* Serial output on the 16550 at GUEST_SERIAL_PORT, waiting for THR empty as a real driver does. */
void serial_putc(char c);
void serial_puts(const char *s);
/* Writes v in hexadecimal with a 0x prefix. */
void serial_puthex(uint64_t v);
/* Writes v in decimal (32 bits: 64-bit division would need libgcc in a 32-bit guest). */
void serial_putdec(uint32_t v);
/* Prints "who: why" on a line of its own and returns 1, the usual failing result of guest_main. */
int guest_fail(const char *who, const char *why);

/* A deterministic pseudo-random sequence (xorshift32) for guests that make up their accesses, so that a failing
 * run replays from its seed (0 is taken as 1). */
void guest_srand(uint32_t seed);
uint32_t guest_rand(void);

/* Ends the run through isa-debug-exit: the VMM reports status (v << 1) | 1. Does not return. */
void debug_exit(uint32_t v) __attribute__((noreturn));

/* The 8259 pair: vectors master_base.. and slave_base.., every line masked. */
void pic_remap(uint8_t master_base, uint8_t slave_base);
void pic_unmask(unsigned irq);
void pic_eoi(unsigned irq);

/* The IDT: only vectors given a handler or a wake gate (below) are present; one handler serves them all. The handler
 * runs with interrupts off, from lib/start.S's entry code that saves the caller-saved registers and returns with
 * IRET (which this host's KVM emulates in real and long mode only). */
typedef void (*irq_handler_fn)(void);
void idt_install(unsigned vector, irq_handler_fn handler);

/* Waking on an interrupt without IRET, which this host's KVM cannot emulate in 32-bit protected mode. The vector's
 * gate leads to lib/start.S's wake entry: it drops the interrupt frame and resumes the caller of irq_wait from the
 * context irq_wait saved before `sti; hlt`, so irq_wait returns with interrupts off and the line still in service
 * at the PIC (the caller sends EOI). The vector must arrive only inside irq_wait: the wake entry ends the run with
 * GUEST_EXIT_STRAY_IRQ when nobody waits. Every vector given to idt_install_wake wakes the same waiter. */
void idt_install_wake(unsigned vector);
void irq_wait(void);
