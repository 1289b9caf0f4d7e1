/* 32-bit C guest: IN and OUT of every width at random ports, and rep ins/outs to and from RAM, devices and the void. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"

static uint16_t pick_port(void)
{
    for (;;) {
        uint32_t r = guest_rand();
        /* Half near the ports something answers (PCI, serial, the harness), half anywhere. */
        static const uint16_t near[] = { 0xcf8, 0x3f8, GUEST_REPORT_PORT, 0x20 };
        uint16_t port = (r & 1) ? (uint16_t)(near[(r >> 1) % 4] + (guest_rand() % 16)) : (uint16_t)guest_rand();
        /* The debug exit would end the run early. */
        if (port != GUEST_DEBUG_EXIT_PORT) {
            return port;
        }
    }
}

/* rep ins/outs of count items of size bytes between port and buf. */
static void string_io(uint16_t port, uintptr_t buf, uint32_t count, unsigned size, int in)
{
    uintptr_t p = buf;
    uint32_t n = count;
    if (in) {
        if (size == 1) {
            __asm__ volatile("rep insb" : "+D"(p), "+c"(n) : "d"(port) : "memory");
        } else if (size == 2) {
            __asm__ volatile("rep insw" : "+D"(p), "+c"(n) : "d"(port) : "memory");
        } else {
            __asm__ volatile("rep insl" : "+D"(p), "+c"(n) : "d"(port) : "memory");
        }
    } else {
        if (size == 1) {
            __asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(port) : "memory");
        } else if (size == 2) {
            __asm__ volatile("rep outsw" : "+S"(p), "+c"(n) : "d"(port) : "memory");
        } else {
            __asm__ volatile("rep outsl" : "+S"(p), "+c"(n) : "d"(port) : "memory");
        }
    }
}

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)ebx;
    guest_srand((uint32_t)eax);
    for (unsigned i = 0; i < GUEST_HOSTILE_ROUNDS; i++) {
        uint16_t port = pick_port();
        uint32_t r = guest_rand();
        switch (r % 7) {
        case 0:
            (void)inb(port);
            break;
        case 1:
            (void)inw(port);
            break;
        case 2:
            (void)inl(port);
            break;
        case 3:
            outb(port, (uint8_t)guest_rand());
            break;
        case 4:
            outw(port, (uint16_t)guest_rand());
            break;
        case 5:
            outl(port, guest_rand());
            break;
        default: {
            static const uintptr_t buffers[] = { GUEST_HOSTILE_SCRATCH, GUEST_MMIO + 0x800, GUEST_HOSTILE_RO,
                                                 GUEST_MMIO + 0x1000 - 6 };
            unsigned size = 1u << (guest_rand() % 3);
            string_io(port, buffers[(r >> 3) % 4], 1 + guest_rand() % 64, size, (r >> 5) & 1);
            break;
        }
        }
    }
    return 0;
}
