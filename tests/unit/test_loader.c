/* Tests of the guest image loaders: format detection, file reading, flat, ELF and Multiboot loading, bad input. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sel4kvm/loader.h>
#include <sel4kvm/log.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/vmcs_fields.h>
#include <sel4vm/guest_ram.h>
#include "quiet_log.h"
#include "vm_fixture.h"

#define RAM_SIZE 0x1000000ul
#define IMAGE_CAP 0x6000ul
#define MB_MAGIC 0x1BADB002u
#define KERNEL_AT 0x100000u

/* Multiboot information structure, as 32-bit words. */
enum {
    MBI_FLAGS = 0,
    MBI_MEM_LOWER = 1,
    MBI_MEM_UPPER = 2,
    MBI_CMDLINE = 4,
    MBI_MODS_COUNT = 5,
    MBI_MODS_ADDR = 6,
    MBI_MMAP_LENGTH = 11,
    MBI_MMAP_ADDR = 12,
    MBI_LOADER_NAME = 16,
    MBI_WORDS = 29,
};

struct tseg {
    uint32_t type;
    uint64_t paddr, offset, filesz, memsz;
};

static _Alignas(8) uint8_t image[IMAGE_CAP];

static vm_t *fvm(void **state)
{
    return &((struct vm_fixture *)*state)->vm;
}

static vm_vcpu_t *fvcpu(void **state)
{
    return ((struct vm_fixture *)*state)->vcpu;
}

static void add_ram(vm_t *vm, uintptr_t start, size_t size)
{
    assert_int_equal(vm_ram_register_at(vm, start, size, false), 0);
}

static uint8_t pattern(size_t seg, size_t i)
{
    return (uint8_t)(1 + (seg * 31 + i * 7) % 251);
}

/* Writes an ELF header of one class and its program headers at the start of image; the same text serves both
 * classes because only the types differ. */
#define WRITE_ELF_HEADERS(Ehdr, Phdr, class, machine, entry, segs, n)                                                  \
    do {                                                                                                               \
        Ehdr eh_ = { .e_type = ET_EXEC,                                                                                \
                     .e_machine = (machine),                                                                           \
                     .e_version = EV_CURRENT,                                                                          \
                     .e_entry = (entry),                                                                               \
                     .e_phoff = sizeof(Ehdr),                                                                          \
                     .e_ehsize = sizeof(Ehdr),                                                                         \
                     .e_phentsize = sizeof(Phdr),                                                                      \
                     .e_phnum = (uint16_t)(n) };                                                                       \
        memcpy(eh_.e_ident, ELFMAG, SELFMAG);                                                                          \
        eh_.e_ident[EI_CLASS] = (class);                                                                               \
        eh_.e_ident[EI_DATA] = ELFDATA2LSB;                                                                            \
        eh_.e_ident[EI_VERSION] = EV_CURRENT;                                                                          \
        memcpy(image, &eh_, sizeof(eh_));                                                                              \
        for (size_t i_ = 0; i_ < (n); i_++) {                                                                          \
            Phdr ph_ = { .p_type = (segs)[i_].type,                                                                    \
                         .p_flags = PF_R | PF_W | PF_X,                                                                \
                         .p_offset = (segs)[i_].offset,                                                                \
                         .p_vaddr = (segs)[i_].paddr,                                                                  \
                         .p_paddr = (segs)[i_].paddr,                                                                  \
                         .p_filesz = (segs)[i_].filesz,                                                                \
                         .p_memsz = (segs)[i_].memsz,                                                                  \
                         .p_align = 0x1000 };                                                                          \
            memcpy(image + sizeof(Ehdr) + i_ * sizeof(Phdr), &ph_, sizeof(ph_));                                       \
        }                                                                                                              \
    } while (0)

/* An ELF executable with the given program headers; each segment's file bytes follow pattern(index, byte). Values
 * are truncated to 32 bits for ELF32. */
static size_t make_elf(bool is64, uint64_t entry, const struct tseg *segs, size_t n)
{
    memset(image, 0, sizeof(image));
    size_t end;
    if (is64) {
        WRITE_ELF_HEADERS(Elf64_Ehdr, Elf64_Phdr, ELFCLASS64, EM_X86_64, entry, segs, n);
        end = sizeof(Elf64_Ehdr) + n * sizeof(Elf64_Phdr);
    } else {
        WRITE_ELF_HEADERS(Elf32_Ehdr, Elf32_Phdr, ELFCLASS32, EM_386, (uint32_t)entry, segs, n);
        end = sizeof(Elf32_Ehdr) + n * sizeof(Elf32_Phdr);
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < segs[i].filesz && segs[i].offset + j < sizeof(image); j++) {
            image[segs[i].offset + j] = pattern(i, j);
        }
        end = MAX(end, (size_t)(segs[i].offset + segs[i].filesz));
    }
    return MIN(end, sizeof(image));
}

static Elf32_Ehdr *eh32(void)
{
    return (Elf32_Ehdr *)image;
}

static Elf64_Ehdr *eh64(void)
{
    return (Elf64_Ehdr *)image;
}

static Elf32_Phdr *ph32(size_t i)
{
    return (Elf32_Phdr *)(image + sizeof(Elf32_Ehdr)) + i;
}

static Elf64_Phdr *ph64(size_t i)
{
    return (Elf64_Phdr *)(image + sizeof(Elf64_Ehdr)) + i;
}

static void put_u32(size_t off, uint32_t v)
{
    memcpy(image + off, &v, sizeof(v));
}

/* A Multiboot header at off: magic, flags, checksum (made valid unless bad_sum), then the a.out fields. */
static void put_mb_header(size_t off, uint32_t flags, const uint32_t aout[5], bool bad_sum)
{
    put_u32(off, MB_MAGIC);
    put_u32(off + 4, flags);
    put_u32(off + 8, -(MB_MAGIC + flags) + (bad_sum ? 1 : 0));
    for (size_t i = 0; aout != NULL && i < 5; i++) {
        put_u32(off + 12 + 4 * i, aout[i]);
    }
}

/* An a.out-kludge kernel whose file is loaded at load_addr; the header is at hdr_off. */
static size_t make_aout(size_t file_size, size_t hdr_off, uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
    memset(image, 0, sizeof(image));
    for (size_t j = 0; j < file_size; j++) {
        image[j] = pattern(0, j);
    }
    const uint32_t aout[5] = { KERNEL_AT + (uint32_t)hdr_off, KERNEL_AT, load_end, bss_end, entry };
    put_mb_header(hdr_off, 0x10003, aout, false);
    return file_size;
}

/* An ELF32 Multiboot kernel: one segment of 0x800 file bytes and 0x1000 in memory at KERNEL_AT, header in it. */
static size_t make_mb_elf(void)
{
    const struct tseg seg = { PT_LOAD, KERNEL_AT, 0x1000, 0x800, 0x1000 };
    size_t size = make_elf(false, KERNEL_AT + 0x20, &seg, 1);
    put_mb_header(0x1000, 0x3, NULL, false);
    return size;
}

static void read_ram(vm_t *vm, uintptr_t addr, void *buf, size_t size)
{
    assert_int_equal(vm_ram_touch(vm, addr, size, vm_guest_ram_read_callback, buf), 0);
}

static void fill_ram(vm_t *vm, uintptr_t addr, size_t size, uint8_t byte)
{
    uint8_t *buf = malloc(size);
    assert_non_null(buf);
    memset(buf, byte, size);
    assert_int_equal(vm_ram_touch(vm, addr, size, vm_guest_ram_write_callback, buf), 0);
    free(buf);
}

static void assert_ram_bytes(vm_t *vm, uintptr_t addr, const void *want, size_t size)
{
    uint8_t *buf = malloc(size);
    assert_non_null(buf);
    read_ram(vm, addr, buf, size);
    assert_memory_equal(buf, want, size);
    free(buf);
}

static void assert_ram_filled(vm_t *vm, uintptr_t addr, size_t size, uint8_t byte)
{
    uint8_t *buf = malloc(size);
    assert_non_null(buf);
    read_ram(vm, addr, buf, size);
    for (size_t i = 0; i < size; i++) {
        if (buf[i] != byte) {
            fail_msg("guest byte 0x%lx is 0x%x, expected 0x%x", (unsigned long)(addr + i), buf[i], byte);
        }
    }
    free(buf);
}

static void assert_ram_pattern(vm_t *vm, uintptr_t addr, size_t seg, size_t size)
{
    uint8_t *want = malloc(size);
    assert_non_null(want);
    for (size_t j = 0; j < size; j++) {
        want[j] = pattern(seg, j);
    }
    assert_ram_bytes(vm, addr, want, size);
    free(want);
}

static void assert_ram_string(vm_t *vm, uintptr_t addr, const char *want)
{
    assert_ram_bytes(vm, addr, want, strlen(want) + 1);
}

/* True if [start, start + size) is all allocated in the VM's region list. */
static bool ram_allocated(vm_t *vm, uintptr_t start, size_t size)
{
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        const struct vm_ram_region *r = &vm->mem.ram_regions[i];
        if (r->allocated && r->start <= start && start + size <= r->start + r->size) {
            return true;
        }
    }
    return false;
}

static bool ram_all_free(vm_t *vm)
{
    for (int i = 0; i < vm->mem.num_ram_regions; i++) {
        if (vm->mem.ram_regions[i].allocated) {
            return false;
        }
    }
    return true;
}

/* Runs a call that must fail: -1, at least one error logged, guest RAM still zero and unallocated. */
#define ASSERT_REFUSED(vm, call)                                                                                       \
    do {                                                                                                               \
        unsigned long errors_ = sel4kvm_log_count(ZF_LOG_ERROR);                                                       \
        assert_int_equal((call), -1);                                                                                  \
        assert_true(sel4kvm_log_count(ZF_LOG_ERROR) > errors_);                                                        \
        if ((vm)->mem.num_ram_regions > 0) {                                                                           \
            assert_true(ram_all_free(vm));                                                                             \
            assert_ram_filled((vm), (vm)->mem.ram_regions[0].start, MIN((vm)->mem.ram_regions[0].size, 0x300000ul),    \
                              0);                                                                                      \
        }                                                                                                              \
    } while (0)

/* A refused sel4kvm_load_elf of the first size bytes of image, which must not set the entry. */
static void assert_elf_refused(vm_t *vm, size_t size)
{
    uintptr_t entry = 0;
    ASSERT_REFUSED(vm, sel4kvm_load_elf(vm, image, size, &entry));
    assert_int_equal(entry, 0);
}

static vm_t *vm_with_ram(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm, 0, RAM_SIZE);
    return vm;
}

/* ---- detection ------------------------------------------------------------------------------------------------ */

static void test_detect_recognises_elf_classes(UNUSED void **state)
{
    const struct tseg seg = { PT_LOAD, KERNEL_AT, 0x200, 0x10, 0x10 };
    size_t size = make_elf(false, 0, &seg, 1);
    assert_int_equal(sel4kvm_image_detect(image, size), SEL4KVM_IMAGE_ELF32);
    size = make_elf(true, 0, &seg, 1);
    assert_int_equal(sel4kvm_image_detect(image, size), SEL4KVM_IMAGE_ELF64);
}

static void test_detect_prefers_multiboot_over_elf(UNUSED void **state)
{
    size_t size = make_mb_elf();
    assert_int_equal(sel4kvm_image_detect(image, size), SEL4KVM_IMAGE_MULTIBOOT);
}

static void test_detect_finds_multiboot_header_ending_at_8kib(UNUSED void **state)
{
    memset(image, 0, sizeof(image));
    put_mb_header(8192 - 12, 0, NULL, false);
    assert_int_equal(sel4kvm_image_detect(image, sizeof(image)), SEL4KVM_IMAGE_MULTIBOOT);
}

static void test_detect_ignores_multiboot_header_past_8kib(UNUSED void **state)
{
    memset(image, 0, sizeof(image));
    put_mb_header(8192 - 8, 0, NULL, false);
    assert_int_equal(sel4kvm_image_detect(image, sizeof(image)), SEL4KVM_IMAGE_FLAT);
}

static void test_detect_ignores_bad_checksum_and_unaligned_header(UNUSED void **state)
{
    memset(image, 0, sizeof(image));
    put_mb_header(0x40, 0, NULL, true);
    assert_int_equal(sel4kvm_image_detect(image, 0x100), SEL4KVM_IMAGE_FLAT);
    memset(image, 0, sizeof(image));
    put_mb_header(0x42, 0, NULL, false);
    assert_int_equal(sel4kvm_image_detect(image, 0x100), SEL4KVM_IMAGE_FLAT);
}

static void test_detect_calls_other_bytes_flat(UNUSED void **state)
{
    memcpy(image,
           "\x7f"
           "ELF\x07",
           5); /* ELF magic with an invalid class */
    assert_int_equal(sel4kvm_image_detect(image, 16), SEL4KVM_IMAGE_FLAT);
    assert_int_equal(sel4kvm_image_detect(image, 3), SEL4KVM_IMAGE_FLAT);
    assert_int_equal(sel4kvm_image_detect("\xeb\xfe", 2), SEL4KVM_IMAGE_FLAT);
}

static void test_detect_returns_unknown_for_null_or_empty(UNUSED void **state)
{
    assert_int_equal(sel4kvm_image_detect(NULL, 10), SEL4KVM_IMAGE_UNKNOWN);
    assert_int_equal(sel4kvm_image_detect(image, 0), SEL4KVM_IMAGE_UNKNOWN);
}

/* ---- reading files -------------------------------------------------------------------------------------------- */

static char *temp_file(const void *data, size_t size)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/sel4kvm_loader_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, size), (ssize_t)size);
    close(fd);
    return path;
}

static void test_image_read_returns_file_contents(UNUSED void **state)
{
    for (size_t i = 0; i < sizeof(image); i++) {
        image[i] = pattern(3, i);
    }
    char *path = temp_file(image, sizeof(image));
    void *data = NULL;
    size_t size = 0;
    assert_int_equal(sel4kvm_image_read(path, &data, &size), 0);
    unlink(path);
    assert_int_equal(size, sizeof(image));
    assert_memory_equal(data, image, size);
    free(data);
}

static void test_image_read_of_empty_file_gives_a_buffer(UNUSED void **state)
{
    char *path = temp_file("", 0);
    void *data = NULL;
    size_t size = 1;
    assert_int_equal(sel4kvm_image_read(path, &data, &size), 0);
    unlink(path);
    assert_non_null(data);
    assert_int_equal(size, 0);
    free(data);
}

static void test_image_read_refuses_missing_files_directories_and_null(UNUSED void **state)
{
    void *data = NULL;
    size_t size = 0;
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_image_read("/nonexistent/sel4kvm-image", &data, &size), -1);
    assert_int_equal(sel4kvm_image_read("/tmp", &data, &size), -1);
    assert_int_equal(sel4kvm_image_read(NULL, &data, &size), -1);
    assert_int_equal(sel4kvm_image_read("/tmp", NULL, &size), -1);
    assert_int_equal(sel4kvm_image_read("/tmp", &data, NULL), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 5);
    assert_null(data);
}

/* ---- flat ----------------------------------------------------------------------------------------------------- */

static void test_load_flat_copies_bytes_and_marks_them_allocated(void **state)
{
    vm_t *vm = vm_with_ram(state);
    for (size_t i = 0; i < 0x1800; i++) {
        image[i] = pattern(1, i);
    }
    assert_int_equal(sel4kvm_load_flat(vm, image, 0x1800, 0x7c00), 0);
    assert_ram_pattern(vm, 0x7c00, 1, 0x1800);
    assert_true(ram_allocated(vm, 0x7c00, 0x1800));
}

static void test_load_flat_refuses_ranges_outside_ram(void **state)
{
    vm_t *vm = vm_with_ram(state);
    ASSERT_REFUSED(vm, sel4kvm_load_flat(vm, image, 0x2000, RAM_SIZE - 0x1000));
    ASSERT_REFUSED(vm, sel4kvm_load_flat(vm, image, 0x2000, UINTPTR_MAX - 0xfff));
    ASSERT_REFUSED(vm, sel4kvm_load_flat(vm, image, 0x10, RAM_SIZE + 0x1000));
}

static void test_load_flat_refuses_bad_arguments(void **state)
{
    vm_t *vm = fvm(state);
    ASSERT_REFUSED(vm, sel4kvm_load_flat(vm, image, 0x10, 0x1000)); /* no RAM registered */
    add_ram(vm, 0, RAM_SIZE);
    ASSERT_REFUSED(vm, sel4kvm_load_flat(NULL, image, 0x10, 0x1000));
    ASSERT_REFUSED(vm, sel4kvm_load_flat(vm, NULL, 0x10, 0x1000));
    ASSERT_REFUSED(vm, sel4kvm_load_flat(vm, image, 0, 0x1000));
}

/* ---- ELF ------------------------------------------------------------------------------------------------------ */

static void check_elf_load(vm_t *vm, bool is64)
{
    add_ram(vm, 0, RAM_SIZE);
    const struct tseg segs[] = {
        { PT_LOAD, 0x100000, 0x1000, 0x1234, 0x1234 },
        { PT_LOAD, 0x200000, 0x3000, 0x100, 0x2100 },
    };
    size_t size = make_elf(is64, 0x100010, segs, 2);
    fill_ram(vm, 0x200000, 0x3000, 0xee); /* the bss must be zeroed, not assumed zero */
    uintptr_t entry = 0;
    assert_int_equal(sel4kvm_load_elf(vm, image, size, &entry), 0);
    assert_int_equal(entry, 0x100010);
    assert_ram_pattern(vm, 0x100000, 0, 0x1234);
    assert_ram_pattern(vm, 0x200000, 1, 0x100);
    assert_ram_filled(vm, 0x200100, 0x2000, 0);
    assert_ram_filled(vm, 0x202100, 0xf00, 0xee); /* past memsz: untouched */
    assert_true(ram_allocated(vm, 0x100000, 0x1234));
    assert_true(ram_allocated(vm, 0x200000, 0x2100));
}

static void test_load_elf32_copies_segments_and_zeroes_bss(void **state)
{
    check_elf_load(fvm(state), false);
}

static void test_load_elf64_copies_segments_and_zeroes_bss(void **state)
{
    check_elf_load(fvm(state), true);
}

static void test_load_elf_skips_other_and_empty_segments(void **state)
{
    vm_t *vm = vm_with_ram(state);
    const struct tseg segs[] = {
        { PT_NOTE, 0x300000, 0x1000, 0x10, 0x10 },
        { PT_LOAD, 0x400000, 0x1000, 0, 0 },
        { PT_LOAD, 0x100000, 0x1000, 0x10, 0x10 },
        { PT_LOAD, 0x20000000, 0x1000, 0, 0 }, /* empty: its address does not matter */
    };
    size_t size = make_elf(true, 0x100000, segs, 4);
    uintptr_t entry;
    assert_int_equal(sel4kvm_load_elf(vm, image, size, &entry), 0);
    assert_ram_pattern(vm, 0x100000, 2, 0x10);
    assert_ram_filled(vm, 0x300000, 0x10, 0);
    assert_false(ram_allocated(vm, 0x300000, 0x10));
}

static void test_load_elf_accepts_an_already_allocated_destination(void **state)
{
    vm_t *vm = vm_with_ram(state);
    vm_ram_mark_allocated(vm, 0x100000, 0x800);
    const struct tseg seg = { PT_LOAD, 0x100000, 0x1000, 0x1000, 0x1000 };
    size_t size = make_elf(false, 0x100000, &seg, 1);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    uintptr_t entry;
    assert_int_equal(sel4kvm_load_elf(vm, image, size, &entry), 0);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR), errors);
    assert_true(ram_allocated(vm, 0x100000, 0x1000));
}

static size_t one_segment_elf(bool is64)
{
    const struct tseg seg = { PT_LOAD, 0x100000, 0x1000, 0x100, 0x200 };
    return make_elf(is64, 0x100000, &seg, 1);
}

static void test_load_elf_refuses_truncated_headers(void **state)
{
    vm_t *vm = vm_with_ram(state);
    one_segment_elf(false);
    assert_elf_refused(vm, 8);
    assert_elf_refused(vm, sizeof(Elf32_Ehdr) - 1);
    assert_elf_refused(vm, sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr) - 1);
    one_segment_elf(true);
    assert_elf_refused(vm, sizeof(Elf64_Ehdr) - 1);
    assert_elf_refused(vm, sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) - 1);
}

static void test_load_elf_refuses_program_headers_past_the_end(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = one_segment_elf(true);
    eh64()->e_phoff = size;
    assert_elf_refused(vm, size);
    eh64()->e_phoff = UINT64_MAX - 0x10; /* offset + table size overflows */
    assert_elf_refused(vm, size);
    size = one_segment_elf(false);
    eh32()->e_phoff = 0xffffffff;
    assert_elf_refused(vm, size);
}

static void test_load_elf_refuses_oversized_program_header_table(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = one_segment_elf(true);
    eh64()->e_phnum = 0xfffe;
    eh64()->e_phentsize = 0xffff;
    assert_elf_refused(vm, size);
    size = one_segment_elf(false);
    eh32()->e_phnum = PN_XNUM;
    assert_elf_refused(vm, size);
}

static void test_load_elf_refuses_bad_program_header_shape(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = one_segment_elf(true);
    eh64()->e_phentsize = sizeof(Elf64_Phdr) - 8;
    assert_elf_refused(vm, size);
    size = one_segment_elf(false);
    eh32()->e_phnum = 0;
    assert_elf_refused(vm, size);
}

static void test_load_elf_refuses_segment_data_past_the_end(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = one_segment_elf(true);
    ph64(0)->p_offset = size - 0x10; /* 0x100 bytes from 0x10 before the end */
    assert_elf_refused(vm, size);
    ph64(0)->p_offset = UINT64_MAX - 0x10; /* offset + filesz wraps */
    assert_elf_refused(vm, size);
    size = one_segment_elf(false);
    assert_elf_refused(vm, size - 1);
}

static void test_load_elf_refuses_filesz_above_memsz(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = one_segment_elf(false);
    ph32(0)->p_memsz = 0x80;
    assert_elf_refused(vm, size);
}

static void test_load_elf_refuses_wrapping_addresses(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = one_segment_elf(true);
    ph64(0)->p_paddr = UINT64_MAX - 0xfff;
    ph64(0)->p_memsz = 0x2000;
    assert_elf_refused(vm, size);
    size = one_segment_elf(false);
    ph32(0)->p_paddr = 0xfffff000;
    ph32(0)->p_memsz = 0x2000;
    assert_elf_refused(vm, size);
}

static void test_load_elf_refuses_segment_outside_ram_and_loads_nothing(void **state)
{
    vm_t *vm = vm_with_ram(state);
    const struct tseg segs[] = {
        { PT_LOAD, 0x100000, 0x1000, 0x100, 0x100 },
        { PT_LOAD, RAM_SIZE - 0x100, 0x2000, 0x100, 0x200 },
    };
    size_t size = make_elf(false, 0x100000, segs, 2);
    uintptr_t entry = 0;
    ASSERT_REFUSED(vm, sel4kvm_load_elf(vm, image, size, &entry));
    assert_int_equal(entry, 0);
}

static void test_load_elf_refuses_segment_across_a_ram_gap(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm, 0, 0x180000);
    add_ram(vm, 0x200000, 0x200000);
    const struct tseg seg = { PT_LOAD, 0x17f000, 0x1000, 0x100, 0x2000 };
    size_t size = make_elf(true, 0x17f000, &seg, 1);
    assert_elf_refused(vm, size);
}

static void test_load_elf_refuses_wrong_identity_machine_or_type(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = one_segment_elf(false);
    image[EI_DATA] = ELFDATA2MSB;
    assert_elf_refused(vm, size);
    size = one_segment_elf(false);
    image[EI_CLASS] = 3;
    assert_elf_refused(vm, size);
    size = one_segment_elf(false);
    image[0] = 0;
    assert_elf_refused(vm, size);
    size = one_segment_elf(true);
    eh64()->e_machine = EM_AARCH64;
    assert_elf_refused(vm, size);
    size = one_segment_elf(true);
    eh64()->e_type = ET_REL;
    assert_elf_refused(vm, size);
}

static void test_load_elf_refuses_image_without_loadable_segment(void **state)
{
    vm_t *vm = vm_with_ram(state);
    const struct tseg seg = { PT_NOTE, 0x100000, 0x1000, 0x10, 0x10 };
    size_t size = make_elf(false, 0x100000, &seg, 1);
    assert_elf_refused(vm, size);
}

static void test_load_elf_refuses_null_arguments_and_missing_ram(void **state)
{
    vm_t *vm = fvm(state);
    uintptr_t entry;
    size_t size = one_segment_elf(false);
    assert_elf_refused(vm, size); /* no RAM registered */
    add_ram(vm, 0, RAM_SIZE);
    ASSERT_REFUSED(vm, sel4kvm_load_elf(NULL, image, size, &entry));
    ASSERT_REFUSED(vm, sel4kvm_load_elf(vm, NULL, size, &entry));
    ASSERT_REFUSED(vm, sel4kvm_load_elf(vm, image, size, NULL));
    assert_elf_refused(vm, 0);
}

/* ---- Multiboot ------------------------------------------------------------------------------------------------ */

static void read_info(vm_t *vm, uintptr_t addr, uint32_t info[MBI_WORDS])
{
    read_ram(vm, addr, info, MBI_WORDS * sizeof(uint32_t));
}

static void test_multiboot_aout_loads_file_and_zeroes_bss(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = make_aout(0x1800, 0x40, KERNEL_AT + 0x1000, KERNEL_AT + 0x3000, KERNEL_AT + 0x80);
    fill_ram(vm, KERNEL_AT + 0x1000, 0x2000, 0xee);
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot), 0);
    assert_int_equal(boot.entry, KERNEL_AT + 0x80);
    assert_ram_bytes(vm, KERNEL_AT, image, 0x1000);
    assert_ram_filled(vm, KERNEL_AT + 0x1000, 0x2000, 0);
    assert_true(ram_allocated(vm, KERNEL_AT, 0x3000));
    assert_true(boot.info_addr >= KERNEL_AT + 0x3000);
    assert_int_equal(boot.info_addr & 0xfff, 0);
}

static void test_multiboot_aout_with_zero_load_end_loads_to_end_of_file(void **state)
{
    vm_t *vm = vm_with_ram(state);
    /* The header at file offset 0x200 says the file starts 0x100 bytes before it: text begins at 0x100. */
    size_t size = make_aout(0x1800, 0x200, 0, 0, KERNEL_AT);
    const uint32_t aout[5] = { KERNEL_AT + 0x100, KERNEL_AT, 0, 0, KERNEL_AT };
    put_mb_header(0x200, 0x10000, aout, false);
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot), 0);
    assert_ram_bytes(vm, KERNEL_AT, image + 0x100, 0x1700);
    assert_true(ram_allocated(vm, KERNEL_AT, 0x1700));
}

static void test_multiboot_elf_loads_segments(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = make_mb_elf();
    fill_ram(vm, KERNEL_AT + 0x800, 0x800, 0xee);
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(vm, image, size, "console=ttyS0", NULL, 0, &boot), 0);
    assert_int_equal(boot.entry, KERNEL_AT + 0x20);
    assert_ram_bytes(vm, KERNEL_AT, image + 0x1000, 0x800);
    assert_ram_filled(vm, KERNEL_AT + 0x800, 0x800, 0);
    assert_true(ram_allocated(vm, KERNEL_AT, 0x1000));
}

static void test_multiboot_info_has_flags_memory_cmdline_and_loader_name(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = make_mb_elf();
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(vm, image, size, "console=ttyS0 quiet", NULL, 0, &boot), 0);
    assert_true(boot.info_addr >= KERNEL_AT + 0x1000);
    uint32_t info[MBI_WORDS];
    read_info(vm, boot.info_addr, info);
    assert_int_equal(info[MBI_FLAGS], (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
    assert_int_equal(info[MBI_MEM_LOWER], 640);
    assert_int_equal(info[MBI_MEM_UPPER], (RAM_SIZE - 0x100000) / 1024);
    assert_int_equal(info[MBI_MODS_COUNT], 0);
    assert_ram_string(vm, info[MBI_CMDLINE], "console=ttyS0 quiet");
    assert_ram_string(vm, info[MBI_LOADER_NAME], "sel4vm-kvm");
    assert_true(ram_allocated(vm, boot.info_addr, MBI_WORDS * 4));
}

static void test_multiboot_null_cmdline_is_empty_string(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = make_mb_elf();
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot), 0);
    uint32_t info[MBI_WORDS];
    read_info(vm, boot.info_addr, info);
    assert_ram_string(vm, info[MBI_CMDLINE], "");
}

static void test_multiboot_places_modules_page_aligned_above_kernel(void **state)
{
    vm_t *vm = vm_with_ram(state);
    static uint8_t mod0[0x1801], mod1[0x10];
    for (size_t i = 0; i < sizeof(mod0); i++) {
        mod0[i] = pattern(5, i);
    }
    memset(mod1, 0x77, sizeof(mod1));
    const sel4kvm_multiboot_module_t mods[] = {
        { mod0, sizeof(mod0), "NR_CPUS=1" },
        { mod1, sizeof(mod1), NULL },
        { NULL, 0, "empty" },
    };
    size_t size = make_mb_elf();
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(vm, image, size, "k", mods, 3, &boot), 0);
    uint32_t info[MBI_WORDS];
    read_info(vm, boot.info_addr, info);
    assert_int_equal(info[MBI_MODS_COUNT], 3);
    uint32_t list[3][4];
    read_ram(vm, info[MBI_MODS_ADDR], list, sizeof(list));
    uint32_t prev_end = KERNEL_AT + 0x1000;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(list[i][0] & 0xfff, 0);
        assert_true(list[i][0] >= prev_end);
        assert_int_equal(list[i][1] - list[i][0], mods[i].size);
        assert_int_equal(list[i][3], 0);
        prev_end = list[i][1];
    }
    assert_ram_bytes(vm, list[0][0], mod0, sizeof(mod0));
    assert_ram_bytes(vm, list[1][0], mod1, sizeof(mod1));
    assert_ram_string(vm, list[0][2], "NR_CPUS=1");
    assert_ram_string(vm, list[1][2], "");
    assert_ram_string(vm, list[2][2], "empty");
    assert_true(ram_allocated(vm, list[0][0], sizeof(mod0)));
    assert_true(ram_allocated(vm, list[1][0], sizeof(mod1)));
    assert_true(boot.info_addr >= list[1][1]);
}

static void test_multiboot_memory_map_lists_contiguous_ram_runs(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm, 0, 0xa0000);
    add_ram(vm, 0x100000, 0x400000);
    add_ram(vm, 0x500000, 0x300000); /* touches the previous one: the same run */
    add_ram(vm, 0x10000000, 0x100000);
    size_t size = make_mb_elf();
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot), 0);
    uint32_t info[MBI_WORDS];
    read_info(vm, boot.info_addr, info);
    assert_int_equal(info[MBI_MEM_LOWER], 640);
    assert_int_equal(info[MBI_MEM_UPPER], 0x700000 / 1024);
    assert_int_equal(info[MBI_MMAP_LENGTH], 3 * 24);
    struct __attribute__((packed)) {
        uint32_t size;
        uint64_t base, length;
        uint32_t type;
    } mmap[3];
    read_ram(vm, info[MBI_MMAP_ADDR], mmap, sizeof(mmap));
    const uint64_t want[3][2] = { { 0, 0xa0000 }, { 0x100000, 0x700000 }, { 0x10000000, 0x100000 } };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(mmap[i].size, 20);
        assert_int_equal(mmap[i].base, want[i][0]);
        assert_int_equal(mmap[i].length, want[i][1]);
        assert_int_equal(mmap[i].type, 1);
    }
}

static void test_multiboot_memory_info_is_zero_without_low_ram(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm, 0x100000, 0x400000);
    size_t size = make_mb_elf();
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot), 0);
    uint32_t info[MBI_WORDS];
    read_info(vm, boot.info_addr, info);
    assert_int_equal(info[MBI_MEM_LOWER], 0);
    assert_int_equal(info[MBI_MEM_UPPER], 0x400000 / 1024);
}

static void test_multiboot_placement_skips_allocated_ram_and_gaps(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm, 0, 0x200000);
    add_ram(vm, 0x400000, 0x200000);
    vm_ram_mark_allocated(vm, 0x101000, 0xff000); /* the rest of the first run after the kernel */
    static uint8_t mod[0x100];
    const sel4kvm_multiboot_module_t m = { mod, sizeof(mod), NULL };
    size_t size = make_mb_elf();
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(vm, image, size, NULL, &m, 1, &boot), 0);
    uint32_t info[MBI_WORDS];
    read_info(vm, boot.info_addr, info);
    uint32_t entry[4];
    read_ram(vm, info[MBI_MODS_ADDR], entry, sizeof(entry));
    assert_int_equal(entry[0], 0x400000);
    assert_int_equal(boot.info_addr, 0x401000);
}

static void test_multiboot_refuses_bad_checksum_and_missing_header(void **state)
{
    vm_t *vm = vm_with_ram(state);
    sel4kvm_multiboot_boot_t boot;
    size_t size = make_mb_elf();
    put_mb_header(0x1000, 0x3, NULL, true);
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot));
    size = make_aout(0x3000, 0x40, 0, 0, KERNEL_AT);
    memset(image + 0x40, 0, 32);
    put_mb_header(0x2000, 0x10000, NULL, false); /* beyond the first 8 KiB */
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot));
}

static void test_multiboot_refuses_inconsistent_aout_addresses(void **state)
{
    vm_t *vm = vm_with_ram(state);
    sel4kvm_multiboot_boot_t boot;
    size_t size = make_aout(0x1000, 0x40, KERNEL_AT + 0x1000, 0, KERNEL_AT);
    const uint32_t end_below_start[5] = { KERNEL_AT + 0x40, KERNEL_AT, KERNEL_AT - 1, 0, KERNEL_AT };
    put_mb_header(0x40, 0x10000, end_below_start, false);
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot));
    const uint32_t header_before_file[5] = { KERNEL_AT + 0x80, KERNEL_AT, 0, 0, KERNEL_AT };
    put_mb_header(0x40, 0x10000, header_before_file, false);
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot));
    const uint32_t load_after_header[5] = { KERNEL_AT, KERNEL_AT + 0x10, 0, 0, KERNEL_AT };
    put_mb_header(0x40, 0x10000, load_after_header, false);
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot));
    const uint32_t bss_below_end[5] = { KERNEL_AT + 0x40, KERNEL_AT, KERNEL_AT + 0x800, KERNEL_AT + 0x400, 0 };
    put_mb_header(0x40, 0x10000, bss_below_end, false);
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot));
    const uint32_t past_file[5] = { KERNEL_AT + 0x40, KERNEL_AT, KERNEL_AT + 0x1001, 0, KERNEL_AT };
    put_mb_header(0x40, 0x10000, past_file, false);
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot));
    const uint32_t outside_ram[5] = { RAM_SIZE + 0x40, RAM_SIZE, 0, 0, RAM_SIZE };
    put_mb_header(0x40, 0x10000, outside_ram, false);
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot));
}

/* Header fields are the guest image's: a bss that runs to the top of 4 GiB is refused before any byte of guest RAM
 * is written (ASSERT_REFUSED checks the first 3 MiB; the end of RAM is checked here). */
static void test_multiboot_aout_bss_to_the_top_of_4gib_is_refused_before_writing(void **state)
{
    vm_t *vm = vm_with_ram(state);
    size_t size = make_aout(0x1800, 0x40, KERNEL_AT + 0x1000, 0xffffffffu, KERNEL_AT);
    fill_ram(vm, RAM_SIZE - 0x1000, 0x1000, 0xee);
    sel4kvm_multiboot_boot_t boot;
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot));
    assert_ram_filled(vm, RAM_SIZE - 0x1000, 0x1000, 0xee);
}

static void test_multiboot_refuses_truncated_aout_header(void **state)
{
    vm_t *vm = vm_with_ram(state);
    sel4kvm_multiboot_boot_t boot;
    make_aout(0x1000, 0x40, 0, 0, KERNEL_AT);
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, 0x40 + 20, NULL, NULL, 0, &boot));
}

static void test_multiboot_refuses_non_elf_without_aout_flag(void **state)
{
    vm_t *vm = vm_with_ram(state);
    memset(image, 0x90, 0x1000);
    put_mb_header(0x0, 0x3, NULL, false);
    sel4kvm_multiboot_boot_t boot;
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, 0x1000, NULL, NULL, 0, &boot));
}

static void test_multiboot_refuses_when_modules_do_not_fit(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm, 0, 0x200000);
    size_t big = 0x100000;
    uint8_t *data = calloc(1, big);
    assert_non_null(data);
    const sel4kvm_multiboot_module_t m = { data, big, NULL };
    size_t size = make_mb_elf();
    sel4kvm_multiboot_boot_t boot;
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, &m, 1, &boot));
    free(data);
}

static void test_multiboot_refuses_when_the_info_block_does_not_fit(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm, 0, 0x102000);
    static uint8_t mod[0x1000];
    const sel4kvm_multiboot_module_t m = { mod, sizeof(mod), NULL };
    size_t size = make_mb_elf();
    sel4kvm_multiboot_boot_t boot;
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, &m, 1, &boot));
}

static void test_multiboot_refuses_bad_arguments_and_missing_ram(void **state)
{
    vm_t *vm = fvm(state);
    size_t size = make_mb_elf();
    sel4kvm_multiboot_boot_t boot;
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, &boot)); /* no RAM */
    add_ram(vm, 0, RAM_SIZE);
    const sel4kvm_multiboot_module_t bad = { NULL, 0x10, NULL };
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(NULL, image, size, NULL, NULL, 0, &boot));
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, NULL, size, NULL, NULL, 0, &boot));
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, 0, NULL, NULL, 0, &boot));
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 0, NULL));
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, NULL, 2, &boot));
    ASSERT_REFUSED(vm, sel4kvm_load_multiboot(vm, image, size, NULL, &bad, 1, &boot));
}

static void test_boot_multiboot_sets_protected_mode_and_registers(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    const sel4kvm_multiboot_boot_t boot = { .entry = 0x100020, .info_addr = 0x105000 };
    assert_int_equal(sel4kvm_vcpu_boot_multiboot(vcpu, &boot), 0);
    seL4_Word v;
    assert_int_equal(vm_get_thread_context_reg(vcpu, VCPU_CONTEXT_EAX, &v), 0);
    assert_int_equal(v, 0x2BADB002);
    assert_int_equal(vm_get_thread_context_reg(vcpu, VCPU_CONTEXT_EBX, &v), 0);
    assert_int_equal(v, 0x105000);
    assert_int_equal(vm_get_vmcs_field(vcpu, VMX_GUEST_RIP, &v), 0);
    assert_int_equal(v, 0x100020);
    assert_int_equal(vm_get_vmcs_field(vcpu, VMX_GUEST_CR0, &v), 0);
    assert_int_equal(v, 0x11);
    assert_int_equal(vm_get_vmcs_field(vcpu, VMX_GUEST_CS_ACCESS_RIGHTS, &v), 0);
    assert_int_equal(v, 0xc09b);
    assert_int_equal(vm_get_vmcs_field(vcpu, VMX_GUEST_DS_SELECTOR, &v), 0);
    assert_int_equal(v, 0x10);
}

static void test_boot_multiboot_refuses_null_and_high_addresses(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    assert_int_equal(vm_set_vmcs_field(vcpu, VMX_GUEST_RIP, 0x1234), 0);
    assert_int_equal(vm_set_thread_context_reg(vcpu, VCPU_CONTEXT_EAX, 7), 0);
    const sel4kvm_multiboot_boot_t high_entry = { .entry = 0x100000000ul, .info_addr = 0x1000 };
    const sel4kvm_multiboot_boot_t high_info = { .entry = 0x1000, .info_addr = 0x100000000ul };
    const sel4kvm_multiboot_boot_t ok = { .entry = 0x1000, .info_addr = 0x2000 };
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_boot_multiboot(vcpu, &high_entry), -1);
    assert_int_equal(sel4kvm_vcpu_boot_multiboot(vcpu, &high_info), -1);
    assert_int_equal(sel4kvm_vcpu_boot_multiboot(vcpu, NULL), -1);
    assert_int_equal(sel4kvm_vcpu_boot_multiboot(NULL, &ok), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 4);
    seL4_Word v;
    assert_int_equal(vm_get_vmcs_field(vcpu, VMX_GUEST_RIP, &v), 0);
    assert_int_equal(v, 0x1234);
    assert_int_equal(vm_get_thread_context_reg(vcpu, VCPU_CONTEXT_EAX, &v), 0);
    assert_int_equal(v, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_recognises_elf_classes),
        cmocka_unit_test(test_detect_prefers_multiboot_over_elf),
        cmocka_unit_test(test_detect_finds_multiboot_header_ending_at_8kib),
        cmocka_unit_test(test_detect_ignores_multiboot_header_past_8kib),
        cmocka_unit_test(test_detect_ignores_bad_checksum_and_unaligned_header),
        cmocka_unit_test(test_detect_calls_other_bytes_flat),
        cmocka_unit_test(test_detect_returns_unknown_for_null_or_empty),
        cmocka_unit_test(test_image_read_returns_file_contents),
        cmocka_unit_test(test_image_read_of_empty_file_gives_a_buffer),
        cmocka_unit_test(test_image_read_refuses_missing_files_directories_and_null),
        VM_TEST(test_load_flat_copies_bytes_and_marks_them_allocated),
        VM_TEST(test_load_flat_refuses_ranges_outside_ram),
        VM_TEST(test_load_flat_refuses_bad_arguments),
        VM_TEST(test_load_elf32_copies_segments_and_zeroes_bss),
        VM_TEST(test_load_elf64_copies_segments_and_zeroes_bss),
        VM_TEST(test_load_elf_skips_other_and_empty_segments),
        VM_TEST(test_load_elf_accepts_an_already_allocated_destination),
        VM_TEST(test_load_elf_refuses_truncated_headers),
        VM_TEST(test_load_elf_refuses_program_headers_past_the_end),
        VM_TEST(test_load_elf_refuses_oversized_program_header_table),
        VM_TEST(test_load_elf_refuses_bad_program_header_shape),
        VM_TEST(test_load_elf_refuses_segment_data_past_the_end),
        VM_TEST(test_load_elf_refuses_filesz_above_memsz),
        VM_TEST(test_load_elf_refuses_wrapping_addresses),
        VM_TEST(test_load_elf_refuses_segment_outside_ram_and_loads_nothing),
        VM_TEST(test_load_elf_refuses_segment_across_a_ram_gap),
        VM_TEST(test_load_elf_refuses_wrong_identity_machine_or_type),
        VM_TEST(test_load_elf_refuses_image_without_loadable_segment),
        VM_TEST(test_load_elf_refuses_null_arguments_and_missing_ram),
        VM_TEST(test_multiboot_aout_loads_file_and_zeroes_bss),
        VM_TEST(test_multiboot_aout_with_zero_load_end_loads_to_end_of_file),
        VM_TEST(test_multiboot_elf_loads_segments),
        VM_TEST(test_multiboot_info_has_flags_memory_cmdline_and_loader_name),
        VM_TEST(test_multiboot_null_cmdline_is_empty_string),
        VM_TEST(test_multiboot_places_modules_page_aligned_above_kernel),
        VM_TEST(test_multiboot_memory_map_lists_contiguous_ram_runs),
        VM_TEST(test_multiboot_memory_info_is_zero_without_low_ram),
        VM_TEST(test_multiboot_placement_skips_allocated_ram_and_gaps),
        VM_TEST(test_multiboot_refuses_bad_checksum_and_missing_header),
        VM_TEST(test_multiboot_refuses_inconsistent_aout_addresses),
        VM_TEST(test_multiboot_aout_bss_to_the_top_of_4gib_is_refused_before_writing),
        VM_TEST(test_multiboot_refuses_truncated_aout_header),
        VM_TEST(test_multiboot_refuses_non_elf_without_aout_flag),
        VM_TEST(test_multiboot_refuses_when_modules_do_not_fit),
        VM_TEST(test_multiboot_refuses_when_the_info_block_does_not_fit),
        VM_TEST(test_multiboot_refuses_bad_arguments_and_missing_ram),
        VM_TEST(test_boot_multiboot_sets_protected_mode_and_registers),
        VM_TEST(test_boot_multiboot_refuses_null_and_high_addresses),
    };
    return cmocka_run_group_tests(tests, quiet_group, loud_group);
}
