/* The C test guests' library: serial output, debug exit, the PIC and the IDT. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"

#define LSR 5
#define LSR_THRE 0x20

void serial_putc(char c)
{
    while (!(inb(GUEST_SERIAL_PORT + LSR) & LSR_THRE)) {
    }
    outb(GUEST_SERIAL_PORT, (uint8_t)c);
}

void serial_puts(const char *s)
{
    while (*s != '\0') {
        serial_putc(*s++);
    }
}

int guest_fail(const char *who, const char *why)
{
    serial_puts(who);
    serial_puts(": ");
    serial_puts(why);
    serial_putc('\n');
    return 1;
}

void serial_puthex(uint64_t v)
{
    serial_puts("0x");
    int shift = 60;
    while (shift > 0 && ((v >> shift) & 0xf) == 0) {
        shift -= 4;
    }
    for (; shift >= 0; shift -= 4) {
        serial_putc("0123456789abcdef"[(v >> shift) & 0xf]);
    }
}

void serial_putdec(uint32_t v)
{
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        serial_putc(digits[--n]);
    }
}

static uint32_t rand_state = 1;

void guest_srand(uint32_t seed)
{
    rand_state = seed != 0 ? seed : 1;
}

uint32_t guest_rand(void)
{
    rand_state ^= rand_state << 13;
    rand_state ^= rand_state >> 17;
    rand_state ^= rand_state << 5;
    return rand_state;
}

void debug_exit(uint32_t v)
{
    outl(GUEST_DEBUG_EXIT_PORT, v);
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xa0
#define PIC2_DATA 0xa1
#define PIC_EOI 0x20

void pic_remap(uint8_t master_base, uint8_t slave_base)
{
    /* ICW1: edge triggered, cascade, ICW4 follows; ICW2: vector base; ICW3: slave on line 2; ICW4: 8086. */
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, master_base);
    outb(PIC2_DATA, slave_base);
    outb(PIC1_DATA, 0x04);
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01);
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xff);
    outb(PIC2_DATA, 0xff);
}

void pic_unmask(unsigned irq)
{
    if (irq >= 8) {
        outb(PIC2_DATA, inb(PIC2_DATA) & (uint8_t) ~(1u << (irq - 8)));
        irq = 2;
    }
    outb(PIC1_DATA, inb(PIC1_DATA) & (uint8_t) ~(1u << irq));
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8) {
        outb(PIC2_CMD, PIC_EOI);
    }
    outb(PIC1_CMD, PIC_EOI);
}

#ifdef __x86_64__
struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
#else
struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type;
    uint16_t offset_high;
};
#endif

struct __attribute__((packed)) idt_pointer {
    uint16_t limit;
    uintptr_t base;
};

#define CODE_SELECTOR 0x08
/* Present, DPL 0, interrupt gate (32- or 64-bit by mode): interrupts stay off in the handler. */
#define GATE_INTERRUPT 0x8e

static struct idt_gate idt[256] __attribute__((aligned(16)));
/* start.S's interrupt entry calls the handler through this. */
irq_handler_fn guest_irq_handler;
extern void guest_irq_entry(void);
extern void guest_wake_entry(void);

static void idt_set_gate(unsigned vector, void (*entry_fn)(void))
{
    uintptr_t entry = (uintptr_t)entry_fn;
    struct idt_gate *g = &idt[vector & 0xff];
    g->offset_low = (uint16_t)entry;
    g->selector = CODE_SELECTOR;
    g->type = GATE_INTERRUPT;
#ifdef __x86_64__
    g->offset_mid = (uint16_t)(entry >> 16);
    g->offset_high = (uint32_t)(entry >> 32);
#else
    g->offset_high = (uint16_t)(entry >> 16);
#endif
    struct idt_pointer p = { sizeof(idt) - 1, (uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(p));
}

void idt_install(unsigned vector, irq_handler_fn handler)
{
    guest_irq_handler = handler;
    idt_set_gate(vector, guest_irq_entry);
}

void idt_install_wake(unsigned vector)
{
    idt_set_gate(vector, guest_wake_entry);
}
