/* The bare baselines as a program of their own, linked with libc only, as a plain KVM program would be. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../kvm_backend/bare/bare.h"

static int usage(void)
{
    fprintf(stderr, "usage: bare mmio <exits> | bare ram <bytes> <guest address> | bare hello <guest.elf>\n");
    return 2;
}

/* One run of the MMIO loop guest: what callgrind counts for the per-exit instruction figure. */
static int mmio(uint32_t loops)
{
    uint8_t code[32];
    size_t code_size = bare_mmio_guest(code, loops);
    bare_mmio_t *b = bare_mmio_create(code, code_size, BARE_MMIO_RAM_SIZE);
    uint64_t exits = 0;
    double t = b != NULL ? bare_mmio_run(b, 0x1234, &exits) : -1;
    bare_mmio_destroy(b);
    if (t < 0 || exits != loops) {
        return 1;
    }
    printf("%llu exits %.6f s\n", (unsigned long long)exits, t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "mmio") == 0) {
        return mmio((uint32_t)strtoul(argv[2], NULL, 0));
    }
    if (argc == 4 && strcmp(argv[1], "ram") == 0) {
        double seconds;
        long rss_kib;
        if (bare_ram_setup(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0), &seconds, &rss_kib) != 0) {
            return 1;
        }
        printf("%.9f %ld\n", seconds, rss_kib);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "hello") == 0) {
        return bare_hello_main(argv[2]);
    }
    return usage();
}
