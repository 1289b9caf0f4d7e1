/* The hello example's guest: 32-bit freestanding C that greets on the serial port, drives a counter device
 * through MMIO and reports through QEMU's debug-exit port. Built with -m32 -ffreestanding -nostdlib and linked at
 * 1 MiB; the VMM loads it as an ELF and starts it in flat protected mode. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdint.h>

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4
/* The counter device the VMM emulates in a reservation fault callback. */
#define COUNTER_BASE 0xd0000000u
#define COUNTER_VALUE 0x0 /* read: advance by STEP and return the count */
#define COUNTER_STEP 0x4  /* write: how much each read advances */

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void put_char(char c)
{
    while ((inb(COM1 + 5) & 0x20) == 0) {
        /* wait for the transmitter, as on a real 16550 */
    }
    outb(COM1, (uint8_t)c);
}

static void put_str(const char *s)
{
    while (*s != '\0') {
        put_char(*s++);
    }
}

static void put_dec(uint32_t v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        put_char(digits[--n]);
    }
}

static uint32_t mmio_read32(uint32_t addr)
{
    return *(volatile uint32_t *)addr;
}

static void mmio_write32(uint32_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

void guest_main(void)
{
    put_str("hello from a KVM guest\n");
    mmio_write32(COUNTER_BASE + COUNTER_STEP, 10);
    int bad = 0;
    for (uint32_t i = 1; i <= 3; i++) {
        uint32_t v = mmio_read32(COUNTER_BASE + COUNTER_VALUE);
        put_str("counter: ");
        put_dec(v);
        put_char('\n');
        bad |= v != i * 10;
    }
    outb(DEBUG_EXIT, (uint8_t)bad); /* the VM stops here */
}

/* The VMM enters here with no stack. */
__asm__(".globl _start\n"
        "_start:\n"
        "    mov $0x80000, %esp\n"
        "    call guest_main\n"
        "1:  hlt\n"
        "    jmp 1b\n");
