/* Guest image loaders: format detection, file reading, flat, ELF32/ELF64 and Multiboot v1 loading into guest RAM. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sel4kvm/guest_boot.h>
#include <sel4kvm/loader.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/guest_ram.h>
#include <utils/util.h>

#define FOUR_GIB 0x100000000ull
#define LOW_MEM_END (640ull << 10)
#define HIGH_MEM_START (1ull << 20)

#define MB_MAGIC 0x1BADB002u
#define MB_BOOT_MAGIC 0x2BADB002u
#define MB_SEARCH_BYTES 8192u
#define MB_HEADER_MIN 12u /* magic, flags, checksum */
#define MB_FLAG_PAGE_ALIGN BIT(0)
#define MB_FLAG_MEMORY BIT(1)
#define MB_FLAG_AOUT BIT(16)
#define MB_INFO_MEM BIT(0)
#define MB_INFO_CMDLINE BIT(2)
#define MB_INFO_MODS BIT(3)
#define MB_INFO_MMAP BIT(6)
#define MB_INFO_LOADER_NAME BIT(9)
#define MB_MMAP_RAM 1u
#define MB_LOADER_NAME "sel4vm-kvm"

/* The Multiboot v1 header with the a.out kludge fields (present when flag 16 is set). */
struct mb_header {
    uint32_t magic, flags, checksum;
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* The Multiboot v1 information structure, 116 bytes; the fields after apm_table are left zero. */
struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table, boot_loader_name, apm_table;
    uint32_t vbe_and_framebuffer[11];
};
_Static_assert(sizeof(struct mb_info) == 116 && offsetof(struct mb_info, mmap_addr) == 48 &&
                   offsetof(struct mb_info, boot_loader_name) == 64,
               "Multiboot information layout");

struct mb_module {
    uint32_t mod_start, mod_end, string, reserved;
};

struct __attribute__((packed)) mb_mmap_entry {
    uint32_t size; /* of the rest of the entry */
    uint64_t base_addr, length;
    uint32_t type;
};
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "Multiboot memory map entry layout");

/* A range of the image to copy into guest RAM, followed by zeroes up to memsz. */
struct segment {
    uint64_t paddr, offset, filesz, memsz;
};

/* Where an ELF class keeps the fields the loader reads; word is the size of addresses and offsets. */
struct elf_layout {
    size_t ehdr_size, phdr_size;
    unsigned word;
    size_t e_entry, e_phoff, e_phentsize, e_phnum;
    size_t p_offset, p_paddr, p_filesz, p_memsz;
};

#define ELF_LAYOUT(ehdr, phdr, bytes)                                                                                  \
    {                                                                                                                  \
        sizeof(ehdr), sizeof(phdr), bytes, offsetof(ehdr, e_entry), offsetof(ehdr, e_phoff),                           \
            offsetof(ehdr, e_phentsize), offsetof(ehdr, e_phnum), offsetof(phdr, p_offset), offsetof(phdr, p_paddr),   \
            offsetof(phdr, p_filesz), offsetof(phdr, p_memsz)                                                          \
    }
static const struct elf_layout elf32_layout = ELF_LAYOUT(Elf32_Ehdr, Elf32_Phdr, 4);
static const struct elf_layout elf64_layout = ELF_LAYOUT(Elf64_Ehdr, Elf64_Phdr, 8);

/* What the ELF header says, once checked. */
struct elf_info {
    const struct elf_layout *layout;
    uint64_t entry, phoff;
    size_t phnum, phentsize;
};

/* ---- guest RAM ------------------------------------------------------------------------------------------------ */

static bool vm_ready(vm_t *vm, const char *what)
{
    if (vm == NULL || !vm->vm_initialised) {
        ZF_LOGE("Failed to %s: VM is NULL or not initialised", what);
        return false;
    }
    return true;
}

static uint64_t region_end(const struct vm_ram_region *r)
{
    return (uint64_t)r->start + r->size;
}

/* Whether [addr, addr + size) is registered RAM throughout; size > 0 and the range does not wrap. Regions are
 * sorted and do not overlap, so one pass follows a contiguous run. */
static bool ram_covers(vm_t *vm, uint64_t addr, uint64_t size)
{
    uint64_t cur = addr;
    uint64_t end = addr + size;
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        const struct vm_ram_region *r = &vm->mem.ram_regions[i];
        if (region_end(r) <= cur) {
            continue;
        }
        if (r->start > cur) {
            return false;
        }
        cur = region_end(r);
        if (cur >= end) {
            return true;
        }
    }
    return false;
}

/* Marks the free parts of [addr, addr + size) allocated; parts already allocated stay as they are. */
static void ram_claim(vm_t *vm, uint64_t addr, uint64_t size)
{
    uint64_t end = addr + size;
    uint64_t prev_lo = 0, prev_hi = 0;
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        const struct vm_ram_region *r = &vm->mem.ram_regions[i];
        uint64_t lo = MAX((uint64_t)r->start, addr);
        uint64_t hi = MIN(region_end(r), end);
        if (r->allocated || lo >= hi) {
            continue;
        }
        if (lo == prev_lo && hi == prev_hi) {
            /* vm_ram_mark_allocated refused (and said why); do not ask again forever. */
            return;
        }
        vm_ram_mark_allocated(vm, lo, hi - lo);
        prev_lo = lo;
        prev_hi = hi;
        /* Marking splits regions, so the list is walked again from the start. */
        i = -1;
    }
}

static int zero_callback(UNUSED vm_t *vm, UNUSED uintptr_t guest_addr, void *vaddr, size_t size, UNUSED size_t offset,
                         UNUSED void *cookie)
{
    memset(vaddr, 0, size);
    return 0;
}

/* Writes a segment whose range was checked: its bytes from the image, then zeroes. */
static int write_segment(vm_t *vm, const uint8_t *image, const struct segment *seg)
{
    if (seg->filesz > 0 &&
        vm_ram_touch(vm, seg->paddr, seg->filesz, vm_guest_ram_write_callback, (void *)(image + seg->offset)) != 0) {
        return -1;
    }
    if (seg->memsz > seg->filesz &&
        vm_ram_touch(vm, seg->paddr + seg->filesz, seg->memsz - seg->filesz, zero_callback, NULL) != 0) {
        return -1;
    }
    ram_claim(vm, seg->paddr, seg->memsz);
    return 0;
}

/* Checks a segment against the image and guest RAM; name says which segment for the message. */
static int check_segment(vm_t *vm, size_t size, const struct segment *seg, const char *what, const char *name)
{
    if (seg->filesz > seg->memsz) {
        ZF_LOGE("Failed to %s: %s has 0x%" PRIx64 " bytes in the file but 0x%" PRIx64 " in memory", what, name,
                seg->filesz, seg->memsz);
        return -1;
    }
    if (seg->filesz > 0 && (seg->offset > size || seg->filesz > size - seg->offset)) {
        ZF_LOGE("Failed to %s: %s (offset 0x%" PRIx64 ", 0x%" PRIx64 " bytes) runs past the end of the 0x%zx-byte "
                "image",
                what, name, seg->offset, seg->filesz, size);
        return -1;
    }
    if (seg->memsz - 1 > UINTPTR_MAX - seg->paddr) {
        ZF_LOGE("Failed to %s: %s at 0x%" PRIx64 " (0x%" PRIx64 " bytes) wraps the address space", what, name,
                seg->paddr, seg->memsz);
        return -1;
    }
    if (vm->mem.num_ram_regions == 0) {
        ZF_LOGE("Failed to %s: no guest RAM is registered for %s", what, name);
        return -1;
    }
    if (!ram_covers(vm, seg->paddr, seg->memsz)) {
        ZF_LOGE("Failed to %s: %s [0x%" PRIx64 ", +0x%" PRIx64 ") is not inside registered RAM", what, name, seg->paddr,
                seg->memsz);
        return -1;
    }
    return 0;
}

/* ---- format detection and files ------------------------------------------------------------------------------ */

/* Little-endian fields of an image at any alignment (the host is x86, so a copy is the conversion). */
static uint16_t read_u16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static uint32_t read_u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t read_word(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    memcpy(&v, p, bytes);
    return v;
}

/* Offset of a valid Multiboot header in the first 8 KiB, or -1; *bad_checksum says whether the magic was seen
 * with a checksum that does not match. */
static long find_multiboot_header(const uint8_t *image, size_t size, bool *bad_checksum)
{
    size_t limit = MIN(size, (size_t)MB_SEARCH_BYTES);
    if (bad_checksum != NULL) {
        *bad_checksum = false;
    }
    for (size_t off = 0; off + MB_HEADER_MIN <= limit; off += 4) {
        if (read_u32(image + off) != MB_MAGIC) {
            continue;
        }
        uint32_t sum = MB_MAGIC + read_u32(image + off + 4) + read_u32(image + off + 8);
        if (sum == 0) {
            return (long)off;
        }
        if (bad_checksum != NULL) {
            *bad_checksum = true;
        }
    }
    return -1;
}

sel4kvm_image_format_t sel4kvm_image_detect(const void *image, size_t size)
{
    if (image == NULL || size == 0) {
        return SEL4KVM_IMAGE_UNKNOWN;
    }
    const uint8_t *p = image;
    if (find_multiboot_header(p, size, NULL) >= 0) {
        return SEL4KVM_IMAGE_MULTIBOOT;
    }
    if (size >= EI_NIDENT && memcmp(p, ELFMAG, SELFMAG) == 0) {
        if (p[EI_CLASS] == ELFCLASS32) {
            return SEL4KVM_IMAGE_ELF32;
        }
        if (p[EI_CLASS] == ELFCLASS64) {
            return SEL4KVM_IMAGE_ELF64;
        }
    }
    return SEL4KVM_IMAGE_FLAT;
}

int sel4kvm_image_read(const char *path, void **data, size_t *size)
{
    if (path == NULL || data == NULL || size == NULL) {
        ZF_LOGE("Failed to read image: NULL %s", path == NULL ? "path" : data == NULL ? "data" : "size");
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ZF_LOGE("Failed to read image %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ZF_LOGE("Failed to read image %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        ZF_LOGE("Failed to read image %s: %s", path, S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
        close(fd);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    uint8_t *buf = malloc(len > 0 ? len : 1);
    if (buf == NULL) {
        ZF_LOGE("Failed to read image %s: out of memory for 0x%zx bytes", path, len);
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ZF_LOGE("Failed to read image %s: %s", path, n < 0 ? strerror(errno) : "it shrank while being read");
            free(buf);
            close(fd);
            return -1;
        }
        got += (size_t)n;
    }
    close(fd);
    *data = buf;
    *size = len;
    return 0;
}

/* ---- flat and ELF --------------------------------------------------------------------------------------------- */

int sel4kvm_load_flat(vm_t *vm, const void *image, size_t size, uintptr_t load_addr)
{
    const char *what = "load flat image";
    if (!vm_ready(vm, what)) {
        return -1;
    }
    if (image == NULL || size == 0) {
        ZF_LOGE("Failed to %s: image is NULL or empty", what);
        return -1;
    }
    struct segment seg = { .paddr = load_addr, .offset = 0, .filesz = size, .memsz = size };
    if (check_segment(vm, size, &seg, what, "the image") != 0) {
        return -1;
    }
    return write_segment(vm, image, &seg);
}

/* Checks the ELF header: identity, class, machine, type and that the program header table is in the image. */
static int elf_header(const uint8_t *image, size_t size, struct elf_info *info, const char *what)
{
    if (size < EI_NIDENT || memcmp(image, ELFMAG, SELFMAG) != 0) {
        ZF_LOGE("Failed to %s: not an ELF file", what);
        return -1;
    }
    if (image[EI_DATA] != ELFDATA2LSB || image[EI_VERSION] != EV_CURRENT ||
        (image[EI_CLASS] != ELFCLASS32 && image[EI_CLASS] != ELFCLASS64)) {
        ZF_LOGE("Failed to %s: ELF class %u, data %u, version %u is not little-endian ELF32/ELF64 version 1", what,
                image[EI_CLASS], image[EI_DATA], image[EI_VERSION]);
        return -1;
    }
    const struct elf_layout *l = image[EI_CLASS] == ELFCLASS64 ? &elf64_layout : &elf32_layout;
    if (size < l->ehdr_size) {
        ZF_LOGE("Failed to %s: 0x%zx bytes is too short for an ELF%u header", what, size, l->word * 8);
        return -1;
    }
    /* e_type and e_machine sit at the same offsets in both classes. */
    uint16_t type = read_u16(image + offsetof(Elf32_Ehdr, e_type));
    uint16_t machine = read_u16(image + offsetof(Elf32_Ehdr, e_machine));
    uint16_t phentsize = read_u16(image + l->e_phentsize);
    uint16_t phnum = read_u16(image + l->e_phnum);
    size_t min_phentsize = l->phdr_size;
    info->layout = l;
    info->entry = read_word(image + l->e_entry, l->word);
    info->phoff = read_word(image + l->e_phoff, l->word);
    if (machine != EM_386 && machine != EM_X86_64) {
        ZF_LOGE("Failed to %s: ELF machine %u is not x86 (EM_386 or EM_X86_64)", what, machine);
        return -1;
    }
    if (type != ET_EXEC) {
        ZF_LOGE("Failed to %s: ELF type %u is not an executable (ET_EXEC)", what, type);
        return -1;
    }
    if (phnum == 0 || phnum == PN_XNUM || phentsize < min_phentsize) {
        ZF_LOGE("Failed to %s: ELF program header table has %u entries of %u bytes (need 1..%u of at least %zu)", what,
                phnum, phentsize, PN_XNUM - 1, min_phentsize);
        return -1;
    }
    /* Both counts are 16-bit, so the product cannot overflow; the offset is checked against what is left. */
    uint64_t table = (uint64_t)phnum * phentsize;
    if (info->phoff > size || table > size - info->phoff) {
        ZF_LOGE("Failed to %s: ELF program header table (offset 0x%" PRIx64 ", %u x %u bytes) runs past the end of "
                "the 0x%zx-byte image",
                what, info->phoff, phnum, phentsize, size);
        return -1;
    }
    info->phnum = phnum;
    info->phentsize = phentsize;
    return 0;
}

/* Program header i as a segment; false if it is not PT_LOAD or loads nothing. */
static bool elf_segment(const uint8_t *image, const struct elf_info *info, size_t i, struct segment *seg)
{
    const struct elf_layout *l = info->layout;
    const uint8_t *p = image + info->phoff + i * info->phentsize;
    *seg = (struct segment){
        .paddr = read_word(p + l->p_paddr, l->word),
        .offset = read_word(p + l->p_offset, l->word),
        .filesz = read_word(p + l->p_filesz, l->word),
        .memsz = read_word(p + l->p_memsz, l->word),
    };
    /* p_type is the first field in both classes. */
    return read_u32(p) == PT_LOAD && seg->memsz > 0;
}

/* Checks every loadable segment; *end receives the end of the highest one. */
static int elf_check(vm_t *vm, const uint8_t *image, size_t size, const struct elf_info *info, uint64_t *end,
                     const char *what)
{
    size_t loadable = 0;
    *end = 0;
    for (size_t i = 0; i < info->phnum; i++) {
        struct segment seg;
        if (!elf_segment(image, info, i, &seg)) {
            continue;
        }
        char name[48];
        snprintf(name, sizeof(name), "ELF segment %zu", i);
        if (info->layout->word == 4 && seg.memsz > FOUR_GIB - seg.paddr) {
            ZF_LOGE("Failed to %s: %s at 0x%" PRIx64 " (0x%" PRIx64 " bytes) wraps the 32-bit address space", what,
                    name, seg.paddr, seg.memsz);
            return -1;
        }
        if (check_segment(vm, size, &seg, what, name) != 0) {
            return -1;
        }
        loadable++;
        *end = MAX(*end, seg.paddr + seg.memsz);
    }
    if (loadable == 0) {
        ZF_LOGE("Failed to %s: the ELF file has no PT_LOAD segment with bytes to load", what);
        return -1;
    }
    return 0;
}

static int elf_write(vm_t *vm, const uint8_t *image, const struct elf_info *info)
{
    for (size_t i = 0; i < info->phnum; i++) {
        struct segment seg;
        if (elf_segment(image, info, i, &seg) && write_segment(vm, image, &seg) != 0) {
            return -1;
        }
    }
    return 0;
}

int sel4kvm_load_elf(vm_t *vm, const void *image, size_t size, uintptr_t *entry)
{
    const char *what = "load ELF image";
    if (!vm_ready(vm, what)) {
        return -1;
    }
    if (image == NULL || entry == NULL) {
        ZF_LOGE("Failed to %s: NULL %s", what, image == NULL ? "image" : "entry");
        return -1;
    }
    struct elf_info info;
    uint64_t end;
    if (elf_header(image, size, &info, what) != 0 || elf_check(vm, image, size, &info, &end, what) != 0) {
        return -1;
    }
    if (info.entry > UINTPTR_MAX) {
        ZF_LOGE("Failed to %s: entry 0x%" PRIx64 " does not fit an address", what, info.entry);
        return -1;
    }
    if (elf_write(vm, image, &info) != 0) {
        return -1;
    }
    *entry = (uintptr_t)info.entry;
    return 0;
}

/* ---- Multiboot ------------------------------------------------------------------------------------------------ */

/* The kernel part of a Multiboot load: either one a.out-kludge segment or the ELF's. */
struct mb_kernel {
    bool aout;
    struct segment seg;
    struct elf_info elf;
    uint64_t entry, end;
};

/* Reads the a.out kludge addresses as QEMU checks them. */
static int mb_aout(vm_t *vm, size_t size, size_t hdr_off, const struct mb_header *h, struct mb_kernel *k,
                   const char *what)
{
    if (h->load_addr > h->header_addr || h->header_addr - h->load_addr > hdr_off) {
        ZF_LOGE("Failed to %s: header_addr 0x%x with load_addr 0x%x puts the header (file offset 0x%zx) outside "
                "the file",
                what, h->header_addr, h->load_addr, hdr_off);
        return -1;
    }
    uint64_t text_off = hdr_off - (h->header_addr - h->load_addr);
    uint64_t load_size;
    if (h->load_end_addr != 0) {
        if (h->load_end_addr < h->load_addr) {
            ZF_LOGE("Failed to %s: load_end_addr 0x%x is below load_addr 0x%x", what, h->load_end_addr, h->load_addr);
            return -1;
        }
        load_size = h->load_end_addr - h->load_addr;
    } else {
        load_size = size - text_off;
    }
    uint64_t mem_size = load_size;
    if (h->bss_end_addr != 0) {
        if (h->bss_end_addr < h->load_addr + load_size) {
            ZF_LOGE("Failed to %s: bss_end_addr 0x%x is below the end of the loaded bytes 0x%" PRIx64, what,
                    h->bss_end_addr, h->load_addr + load_size);
            return -1;
        }
        mem_size = h->bss_end_addr - h->load_addr;
    }
    if (mem_size == 0) {
        ZF_LOGE("Failed to %s: the a.out addresses load nothing", what);
        return -1;
    }
    k->aout = true;
    k->seg = (struct segment){ h->load_addr, text_off, load_size, mem_size };
    k->entry = h->entry_addr;
    k->end = h->load_addr + mem_size;
    return check_segment(vm, size, &k->seg, what, "the a.out kernel image");
}

static int mb_kernel(vm_t *vm, const uint8_t *image, size_t size, struct mb_kernel *k, const char *what)
{
    bool bad_checksum;
    long off = find_multiboot_header(image, size, &bad_checksum);
    if (off < 0) {
        ZF_LOGE("Failed to %s: %s", what,
                bad_checksum ? "the Multiboot header's checksum is wrong"
                             : "no Multiboot header (magic 0x1BADB002) at a 4-aligned offset in the first 8 KiB");
        return -1;
    }
    struct mb_header h = { 0 };
    memcpy(&h, image + off, MIN(sizeof(h), size - (size_t)off));
    uint32_t unsupported = h.flags & 0xfffcu;
    if (unsupported != 0) {
        ZF_LOGW("Multiboot header asks for flags 0x%x (video mode or unknown); ignored", unsupported);
    }
    if (h.flags & MB_FLAG_AOUT) {
        if (size - (size_t)off < sizeof(h)) {
            ZF_LOGE("Failed to %s: the Multiboot header's a.out fields run past the end of the image", what);
            return -1;
        }
        return mb_aout(vm, size, (size_t)off, &h, k, what);
    }
    k->aout = false;
    if (size < SELFMAG || memcmp(image, ELFMAG, SELFMAG) != 0) {
        ZF_LOGE("Failed to %s: the header has no a.out addresses (flag 16) and the image is not ELF", what);
        return -1;
    }
    if (elf_header(image, size, &k->elf, what) != 0 || elf_check(vm, image, size, &k->elf, &k->end, what) != 0) {
        return -1;
    }
    k->entry = k->elf.entry;
    if (k->entry >= FOUR_GIB) {
        ZF_LOGE("Failed to %s: ELF entry 0x%" PRIx64 " is not below 4 GiB", what, k->entry);
        return -1;
    }
    return 0;
}

/* Finds room for size bytes (page aligned, in free RAM, below 4 GiB, at or above *cursor) and moves the cursor
 * past it. Empty items get an address too, so they take one byte. */
static bool mb_place(vm_t *vm, uint64_t *cursor, uint64_t size, uint64_t *addr)
{
    uint64_t need = MAX(size, (uint64_t)1);
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        const struct vm_ram_region *r = &vm->mem.ram_regions[i];
        uint64_t from = MAX((uint64_t)r->start, *cursor);
        if (r->allocated || from >= FOUR_GIB) {
            continue;
        }
        uint64_t cand = ROUND_UP(from, PAGE_SIZE_4K);
        if (cand >= region_end(r) || need > region_end(r) - cand || need > FOUR_GIB - cand) {
            continue;
        }
        *addr = cand;
        *cursor = cand + need;
        return true;
    }
    return false;
}

/* The boot information block: the info structure, module list, memory map and strings, built in the VMM. */
struct mb_block {
    uint8_t *buf;
    size_t size, used;
    uint64_t base;
};

static uint32_t mb_add_string(struct mb_block *b, const char *s)
{
    size_t len = strlen(s) + 1;
    memcpy(b->buf + b->used, s, len);
    uint32_t addr = (uint32_t)(b->base + b->used);
    b->used += len;
    return addr;
}

static size_t mb_count_runs(vm_t *vm)
{
    size_t runs = 0;
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        if (i == 0 || vm->mem.ram_regions[i].start != region_end(&vm->mem.ram_regions[i - 1])) {
            runs++;
        }
    }
    return runs;
}

/* Fills the memory map and mem_lower / mem_upper from the contiguous runs of registered RAM. */
static void mb_fill_memory(vm_t *vm, struct mb_info *info, struct mb_mmap_entry *mmap)
{
    size_t n = 0;
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        const struct vm_ram_region *r = &vm->mem.ram_regions[i];
        if (n > 0 && mmap[n - 1].base_addr + mmap[n - 1].length == r->start) {
            mmap[n - 1].length += r->size;
            continue;
        }
        mmap[n++] = (struct mb_mmap_entry){ sizeof(mmap[0]) - sizeof(mmap[0].size), r->start, r->size, MB_MMAP_RAM };
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t end = mmap[i].base_addr + mmap[i].length;
        if (mmap[i].base_addr == 0) {
            info->mem_lower = (uint32_t)(MIN(end, LOW_MEM_END) >> 10);
        }
        if (mmap[i].base_addr <= HIGH_MEM_START && end > HIGH_MEM_START) {
            info->mem_upper = (uint32_t)MIN((end - HIGH_MEM_START) >> 10, (uint64_t)UINT32_MAX);
        }
    }
    info->mmap_length = (uint32_t)(n * sizeof(mmap[0]));
}

static int mb_check_modules(const sel4kvm_multiboot_module_t *modules, size_t num_modules, const char *what)
{
    if (num_modules > 0 && modules == NULL) {
        ZF_LOGE("Failed to %s: modules is NULL but num_modules is %zu", what, num_modules);
        return -1;
    }
    for (size_t i = 0; i < num_modules; i++) {
        if (modules[i].data == NULL && modules[i].size > 0) {
            ZF_LOGE("Failed to %s: module %zu has NULL data and 0x%zx bytes", what, i, modules[i].size);
            return -1;
        }
        if (modules[i].size >= FOUR_GIB) {
            ZF_LOGE("Failed to %s: module %zu (0x%zx bytes) cannot be placed below 4 GiB", what, i, modules[i].size);
            return -1;
        }
    }
    return 0;
}

/* Places the modules and the information block and builds the block; nothing is written to the guest yet. */
static int mb_plan(vm_t *vm, uint64_t kernel_end, const char *cmdline, const sel4kvm_multiboot_module_t *modules,
                   size_t num_modules, uint64_t *mod_addrs, struct mb_block *b, const char *what)
{
    uint64_t cursor = kernel_end;
    for (size_t i = 0; i < num_modules; i++) {
        if (!mb_place(vm, &cursor, modules[i].size, &mod_addrs[i])) {
            ZF_LOGE("Failed to %s: module %zu (0x%zx bytes) does not fit in free RAM below 4 GiB above 0x%" PRIx64,
                    what, i, modules[i].size, cursor);
            return -1;
        }
    }
    size_t runs = mb_count_runs(vm);
    size_t strings = sizeof(MB_LOADER_NAME) + strlen(cmdline) + 1;
    for (size_t i = 0; i < num_modules; i++) {
        strings += (modules[i].cmdline != NULL ? strlen(modules[i].cmdline) : 0) + 1;
    }
    size_t mods_off = ROUND_UP(sizeof(struct mb_info), 8);
    size_t mmap_off = mods_off + num_modules * sizeof(struct mb_module);
    size_t strings_off = mmap_off + runs * sizeof(struct mb_mmap_entry);
    b->size = strings_off + strings;
    if (!mb_place(vm, &cursor, b->size, &b->base)) {
        ZF_LOGE("Failed to %s: the boot information (0x%zx bytes) does not fit in free RAM below 4 GiB above "
                "0x%" PRIx64,
                what, b->size, cursor);
        return -1;
    }
    b->buf = calloc(1, b->size);
    if (b->buf == NULL) {
        ZF_LOGE("Failed to %s: out of memory", what);
        return -1;
    }
    struct mb_info info = { .flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP |
                                     MB_INFO_LOADER_NAME };
    struct mb_mmap_entry *mmap = (struct mb_mmap_entry *)(b->buf + mmap_off);
    mb_fill_memory(vm, &info, mmap);
    info.mmap_addr = (uint32_t)(b->base + mmap_off);
    info.mods_count = (uint32_t)num_modules;
    info.mods_addr = (uint32_t)(b->base + mods_off);
    b->used = strings_off;
    info.boot_loader_name = mb_add_string(b, MB_LOADER_NAME);
    info.cmdline = mb_add_string(b, cmdline);
    for (size_t i = 0; i < num_modules; i++) {
        struct mb_module m = {
            .mod_start = (uint32_t)mod_addrs[i],
            .mod_end = (uint32_t)(mod_addrs[i] + modules[i].size),
            .string = mb_add_string(b, modules[i].cmdline != NULL ? modules[i].cmdline : ""),
        };
        memcpy(b->buf + mods_off + i * sizeof(m), &m, sizeof(m));
    }
    memcpy(b->buf, &info, sizeof(info));
    return 0;
}

static int mb_write(vm_t *vm, const uint8_t *image, const struct mb_kernel *k,
                    const sel4kvm_multiboot_module_t *modules, size_t num_modules, const uint64_t *mod_addrs,
                    const struct mb_block *b)
{
    int err = k->aout ? write_segment(vm, image, &k->seg) : elf_write(vm, image, &k->elf);
    for (size_t i = 0; err == 0 && i < num_modules; i++) {
        struct segment seg = { mod_addrs[i], 0, modules[i].size, modules[i].size };
        if (seg.memsz > 0) {
            err = write_segment(vm, modules[i].data, &seg);
        }
    }
    if (err == 0) {
        struct segment seg = { b->base, 0, b->size, b->size };
        err = write_segment(vm, b->buf, &seg);
    }
    return err;
}

int sel4kvm_load_multiboot(vm_t *vm, const void *image, size_t size, const char *cmdline,
                           const sel4kvm_multiboot_module_t *modules, size_t num_modules,
                           sel4kvm_multiboot_boot_t *boot)
{
    const char *what = "load Multiboot kernel";
    if (!vm_ready(vm, what)) {
        return -1;
    }
    if (image == NULL || size == 0 || boot == NULL) {
        ZF_LOGE("Failed to %s: %s", what, boot == NULL ? "boot is NULL" : "image is NULL or empty");
        return -1;
    }
    if (mb_check_modules(modules, num_modules, what) != 0) {
        return -1;
    }
    struct mb_kernel k;
    if (mb_kernel(vm, image, size, &k, what) != 0) {
        return -1;
    }
    if (k.end > FOUR_GIB) {
        ZF_LOGE("Failed to %s: the kernel ends at 0x%" PRIx64 ", above 4 GiB", what, k.end);
        return -1;
    }
    uint64_t *mod_addrs = calloc(MAX(num_modules, (size_t)1), sizeof(*mod_addrs));
    struct mb_block b = { 0 };
    int err = -1;
    if (mod_addrs == NULL) {
        ZF_LOGE("Failed to %s: out of memory", what);
    } else if (mb_plan(vm, k.end, cmdline != NULL ? cmdline : "", modules, num_modules, mod_addrs, &b, what) == 0) {
        err = mb_write(vm, image, &k, modules, num_modules, mod_addrs, &b);
    }
    if (err == 0) {
        boot->entry = (uintptr_t)k.entry;
        boot->info_addr = (uintptr_t)b.base;
    }
    free(b.buf);
    free(mod_addrs);
    return err;
}

int sel4kvm_vcpu_boot_multiboot(vm_vcpu_t *vcpu, const sel4kvm_multiboot_boot_t *boot)
{
    if (vcpu == NULL || boot == NULL) {
        ZF_LOGE("Failed to boot Multiboot kernel: NULL %s", vcpu == NULL ? "vcpu" : "boot");
        return -1;
    }
    if ((uint64_t)boot->entry >= FOUR_GIB || (uint64_t)boot->info_addr >= FOUR_GIB) {
        ZF_LOGE("Failed to boot Multiboot kernel: entry 0x%" PRIxPTR " or info 0x%" PRIxPTR " is not below 4 GiB",
                boot->entry, boot->info_addr);
        return -1;
    }
    if (sel4kvm_vcpu_set_protected_mode(vcpu, boot->entry) != 0 ||
        vm_set_thread_context_reg(vcpu, VCPU_CONTEXT_EAX, MB_BOOT_MAGIC) != 0 ||
        vm_set_thread_context_reg(vcpu, VCPU_CONTEXT_EBX, boot->info_addr) != 0) {
        ZF_LOGE("Failed to boot Multiboot kernel: the vCPU refused its registers");
        return -1;
    }
    return 0;
}
