/* 32- and 64-bit C guest: random MMIO reads and writes of every width in and around devices, RAM edges and the void. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"

/* The in-kernel local and I/O APICs: KVM emulates them without the VMM, and random writes there send the vCPU
 * INIT or NMI, which says nothing about the VMM. */
#define APIC_WINDOW 0xfec00000u

static int in_own_memory(uintptr_t a)
{
    /* The guest's image, stack, tables and results, with slack for the widest access: not in the scratch area. */
    return (a < GUEST_RAM_LOW + GUEST_RAM_LOW_SIZE - 0x10000 &&
            !(a >= GUEST_HOSTILE_SCRATCH && a < GUEST_HOSTILE_SCRATCH + GUEST_HOSTILE_SCRATCH_SIZE)) ||
           (a >= GUEST_RAM_HIGH - 8 && a < GUEST_RAM_HIGH + 0x100000) || a >= APIC_WINDOW - 8;
}

static uintptr_t pick_address(void)
{
    static const uintptr_t edges[] = {
        GUEST_MMIO,
        GUEST_MMIO + 0x1000,
        GUEST_HOSTILE_RO,
        GUEST_HOSTILE_RO + 0x1000,
        GUEST_RAM_LOW + GUEST_RAM_LOW_SIZE,
        GUEST_RAM_HIGH + GUEST_RAM_HIGH_SIZE,
        GUEST_HOSTILE_CROSSVM + 0x2000,
    };
    uint32_t r = guest_rand();
    switch (r % 8) {
    case 0:
    case 1:
        return GUEST_MMIO + guest_rand() % 0x1000;
    case 2:
        return GUEST_MMIO - 0x1000 + guest_rand() % 0x3000;
    case 3:
        return GUEST_HOSTILE_RO - 0x10 + guest_rand() % 0x1020;
    case 4:
        return GUEST_HOSTILE_SCRATCH + guest_rand() % (GUEST_HOSTILE_SCRATCH_SIZE - 8);
    case 5:
        return edges[guest_rand() % (sizeof(edges) / sizeof(edges[0]))] - 8 + guest_rand() % 16;
    default: {
        uintptr_t a;
        do {
            a = guest_rand();
        } while (in_own_memory(a));
        return a;
    }
    }
}

static void one_access(uintptr_t a, uint32_t r)
{
    uint32_t v = guest_rand();
    unsigned kind = r % 8;
#ifndef __x86_64__
    /* No single 8-byte access in 32-bit (lib/guest.h): two 4-byte ones instead. */
    kind = kind == 3 ? 2 : kind == 7 ? 6 : kind;
#endif
    switch (kind) {
    case 0:
        (void)mmio_read8(a);
        break;
    case 1:
        (void)mmio_read16(a);
        break;
    case 2:
        (void)mmio_read32(a);
        break;
    case 3:
        (void)mmio_read64(a);
        break;
    case 4:
        mmio_write8(a, (uint8_t)v);
        break;
    case 5:
        mmio_write16(a, (uint16_t)v);
        break;
    case 6:
        mmio_write32(a, v);
        break;
    default:
        mmio_write64(a, (uint64_t)v << 32 | guest_rand());
        break;
    }
}

/* String instructions whose source or destination is a device, the read-only frame or unmapped space. */
static void string_ops(void)
{
    uintptr_t dst = GUEST_MMIO + 0x100, src = GUEST_HOSTILE_SCRATCH;
    uintptr_t n = 16;
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(0xa5) : "memory");
    dst = GUEST_HOSTILE_RO + 0x40;
    n = 8;
    __asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(0xdeadbeef) : "memory");
    dst = GUEST_MMIO + 0xff0;
    n = 8;
    __asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(0x12345678) : "memory");
    dst = GUEST_MMIO + 0x200;
    n = 16;
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    dst = GUEST_HOSTILE_SCRATCH;
    src = GUEST_MMIO + 0x300;
    n = 8;
    __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    dst = GUEST_MMIO + 0x400;
    src = GUEST_MMIO + 0x500;
    n = 8;
    __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    dst = GUEST_HOSTILE_RO + 0x80;
    src = GUEST_HOSTILE_RO;
    n = 8;
    __asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)ebx;
    guest_srand((uint32_t)eax);
    for (unsigned i = 0; i < GUEST_HOSTILE_ROUNDS; i++) {
        uint32_t r = guest_rand();
        one_access(pick_address(), r);
    }
    string_ops();
    return 0;
}
