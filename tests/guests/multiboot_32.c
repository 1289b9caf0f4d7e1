/* Multiboot v1 kernel (32-bit ELF): prints its command line from the information structure and exits. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"

#define MULTIBOOT_MAGIC 0x1badb002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u
#define MULTIBOOT_WANT_MEMORY (1u << 1)
#define MULTIBOOT_INFO_MEMORY (1u << 0)
#define MULTIBOOT_INFO_CMDLINE (1u << 2)

/* ELF kernel, so no a.out addresses: the loader uses the program headers. */
struct multiboot_header {
    uint32_t magic, flags, checksum;
};

__attribute__((section(".multiboot"), used, aligned(4))) static const struct multiboot_header header = {
    MULTIBOOT_MAGIC,
    MULTIBOOT_WANT_MEMORY,
    -(MULTIBOOT_MAGIC + MULTIBOOT_WANT_MEMORY),
};

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
};

/* Exit values: 0 booted as Multiboot with a command line, 1 wrong magic, 2 no command line. */
int guest_main(uintptr_t eax, uintptr_t ebx)
{
    if (eax != MULTIBOOT_BOOTLOADER_MAGIC) {
        serial_puts("bad magic\n");
        return 1;
    }
    const struct multiboot_info *info = (const struct multiboot_info *)ebx;
    if (!(info->flags & MULTIBOOT_INFO_CMDLINE)) {
        serial_puts("no cmdline\n");
        return 2;
    }
    serial_puts("cmdline: ");
    serial_puts((const char *)(uintptr_t)info->cmdline);
    serial_puts("\n");
    if (info->flags & MULTIBOOT_INFO_MEMORY) {
        serial_puts("mem_upper: ");
        serial_puthex(info->mem_upper);
        serial_puts("\n");
    }
    return 0;
}
