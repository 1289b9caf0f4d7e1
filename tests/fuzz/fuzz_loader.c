/* libFuzzer harness: the image loaders (detection, flat, ELF, Multiboot) on untrusted images. */
/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Input: one byte choosing the loader, its parameters, then the image. The VM has two pieces of RAM; around the
 * call the harness compares guest RAM and the region list: a refused image must change neither, and an accepted
 * one may only have written bytes that are now allocated RAM, with the RAM itself (its extent) unchanged.
 */
#include <sel4kvm/loader.h>
#include <sel4vm/guest_ram.h>
#include "fuzz_common.h"

#define LOW_BASE 0x0ul
#define LOW_SIZE 0x10000ul
#define HIGH_BASE 0x100000ul
#define HIGH_SIZE 0x20000ul
#define MAX_REGIONS 64

struct snapshot {
    uint8_t low[LOW_SIZE];
    uint8_t high[HIGH_SIZE];
    int nregions;
    struct vm_ram_region regions[MAX_REGIONS];
};

static vm_t vm;
static struct snapshot before, after;

static void take(struct snapshot *s)
{
    FUZZ_CHECK(vm_ram_touch(&vm, LOW_BASE, LOW_SIZE, vm_guest_ram_read_callback, s->low) == 0);
    FUZZ_CHECK(vm_ram_touch(&vm, HIGH_BASE, HIGH_SIZE, vm_guest_ram_read_callback, s->high) == 0);
    FUZZ_CHECK(vm.mem.num_ram_regions <= MAX_REGIONS);
    s->nregions = vm.mem.num_ram_regions;
    for (int i = 0; i < s->nregions; i++) {
        s->regions[i] = (struct vm_ram_region){ .start = vm.mem.ram_regions[i].start,
                                                .size = vm.mem.ram_regions[i].size,
                                                .allocated = vm.mem.ram_regions[i].allocated };
    }
}

static bool regions_equal(const struct snapshot *a, const struct snapshot *b)
{
    if (a->nregions != b->nregions) {
        return false;
    }
    for (int i = 0; i < a->nregions; i++) {
        if (a->regions[i].start != b->regions[i].start || a->regions[i].size != b->regions[i].size ||
            !a->regions[i].allocated != !b->regions[i].allocated) {
            return false;
        }
    }
    return true;
}

static bool allocated_after(uintptr_t addr)
{
    for (int i = 0; i < after.nregions; i++) {
        if (addr >= after.regions[i].start && addr - after.regions[i].start < after.regions[i].size) {
            return after.regions[i].allocated;
        }
    }
    return false;
}

/* The same RAM, and every byte that changed now allocated. */
static void check_accepted(void)
{
    size_t ram_before = 0, ram_after = 0;
    for (int i = 0; i < before.nregions; i++) {
        ram_before += before.regions[i].size;
    }
    for (int i = 0; i < after.nregions; i++) {
        ram_after += after.regions[i].size;
        FUZZ_CHECK(i == 0 || after.regions[i - 1].start + after.regions[i - 1].size <= after.regions[i].start);
    }
    FUZZ_CHECK(ram_before == ram_after);
    for (size_t i = 0; i < LOW_SIZE; i++) {
        FUZZ_CHECK(before.low[i] == after.low[i] || allocated_after(LOW_BASE + i));
    }
    for (size_t i = 0; i < HIGH_SIZE; i++) {
        FUZZ_CHECK(before.high[i] == after.high[i] || allocated_after(HIGH_BASE + i));
    }
}

static bool in_ram(uintptr_t addr, size_t size)
{
    /* Below a base the subtraction wraps to a large distance, so one comparison checks both ends. */
    return (addr - LOW_BASE < LOW_SIZE && size <= LOW_SIZE - (addr - LOW_BASE)) ||
           (addr - HIGH_BASE < HIGH_SIZE && size <= HIGH_SIZE - (addr - HIGH_BASE));
}

FUZZ_INITIALIZE_ENV()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { .data = data, .size = size };
    uint8_t mode = fuzz_u8(&in);
    fuzz_vm_up(&vm);
    FUZZ_CHECK(vm_ram_register_at(&vm, LOW_BASE, LOW_SIZE, false) == 0);
    FUZZ_CHECK(vm_ram_register_at(&vm, HIGH_BASE, HIGH_SIZE, false) == 0);
    /* Some RAM already taken, as a VMM's tables would be. */
    if ((mode & 0x10) != 0) {
        vm_ram_mark_allocated(&vm, HIGH_BASE + HIGH_SIZE / 2, 0x1000);
    }
    take(&before);
    int ret;
    switch (mode % 4) {
    case 0: {
        uintptr_t load_addr = fuzz_u32(&in) % (HIGH_BASE + HIGH_SIZE + 0x1000);
        const uint8_t *image = data + in.pos;
        size_t n = size - MIN(size, in.pos);
        ret = sel4kvm_load_flat(&vm, n > 0 ? image : NULL, n, load_addr);
        FUZZ_CHECK(ret == 0 || n == 0 || !in_ram(load_addr, n));
        if (ret == 0) {
            uint8_t *back = malloc(n);
            FUZZ_CHECK(back != NULL);
            FUZZ_CHECK(vm_ram_touch(&vm, load_addr, n, vm_guest_ram_read_callback, back) == 0);
            FUZZ_CHECK(memcmp(back, image, n) == 0);
            free(back);
        }
        break;
    }
    case 1: {
        uintptr_t entry = 0;
        size_t n = size - MIN(size, in.pos);
        FUZZ_CHECK(sel4kvm_image_detect(data + in.pos, n) != SEL4KVM_IMAGE_UNKNOWN || n == 0);
        ret = sel4kvm_load_elf(&vm, data + in.pos, n, &entry);
        break;
    }
    default: {
        /* Modules are cut from the end of the input: lengths first, then the image, then the modules. */
        sel4kvm_multiboot_module_t mods[3];
        size_t nmods = fuzz_u8(&in) % 4;
        size_t lens[3] = { 0 };
        for (size_t i = 0; i < nmods; i++) {
            lens[i] = fuzz_u16(&in) % 0x2000;
        }
        size_t rest = size - MIN(size, in.pos);
        const uint8_t *p = data + in.pos;
        for (size_t i = nmods; i-- > 0;) {
            size_t len = MIN(lens[i], rest);
            rest -= len;
            mods[i] = (sel4kvm_multiboot_module_t){ .data = len > 0 ? p + rest : NULL,
                                                    .size = len,
                                                    .cmdline = (i & 1) != 0 ? "mod" : NULL };
        }
        sel4kvm_multiboot_boot_t boot = { 0 };
        ret = sel4kvm_load_multiboot(&vm, rest > 0 ? p : NULL, rest, (mode & 0x20) != 0 ? "console=ttyS0" : NULL,
                                     nmods > 0 ? mods : NULL, nmods, &boot);
        if (ret == 0) {
            FUZZ_CHECK(sel4kvm_image_detect(p, rest) == SEL4KVM_IMAGE_MULTIBOOT);
            FUZZ_CHECK(in_ram(boot.info_addr, 52));
        }
        break;
    }
    }
    take(&after);
    if (ret != 0) {
        FUZZ_CHECK(regions_equal(&before, &after));
        FUZZ_CHECK(memcmp(before.low, after.low, LOW_SIZE) == 0);
        FUZZ_CHECK(memcmp(before.high, after.high, HIGH_SIZE) == 0);
    } else {
        check_accepted();
    }
    sel4kvm_vm_destroy(&vm);
    return 0;
}
