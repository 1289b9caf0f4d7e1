/* The bare hello baseline: the hello example's VMM written against KVM alone, for start-up time comparisons. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <elf.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "bare.h"

/* What examples/hello/main.c gives its guest. */
#define RAM_LOW 0x0
#define RAM_LOW_SIZE 0x80000
#define RAM_HIGH 0x100000
#define RAM_HIGH_SIZE 0x100000
#define COUNTER_BASE 0xd0000000ull
#define SERIAL_BASE 0x3f8
#define SERIAL_LSR 5
#define SERIAL_LSR_IDLE 0x60 /* transmitter holding register and shift register empty */
#define DEBUG_EXIT_PORT 0xf4

struct hello_vm {
    int kvm, vm, vcpu;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *ram[2];
    uint32_t count, step;
    bool exited;
    uint32_t exit_value;
};

static const struct {
    uint64_t gpa;
    size_t size;
} ram_regions[2] = { { RAM_LOW, RAM_LOW_SIZE }, { RAM_HIGH, RAM_HIGH_SIZE } };

static uint8_t *guest_ptr(struct hello_vm *h, uint64_t gpa, uint64_t len)
{
    for (int i = 0; i < 2; i++) {
        if (gpa >= ram_regions[i].gpa && len <= ram_regions[i].size &&
            gpa - ram_regions[i].gpa <= ram_regions[i].size - len) {
            return h->ram[i] + (gpa - ram_regions[i].gpa);
        }
    }
    return NULL;
}

/* Copies the PT_LOAD segments of an ELF32 image into RAM (the rest of each segment is already zero). */
static int load_elf32(struct hello_vm *h, const uint8_t *img, size_t size, uint32_t *entry)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;
    if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS32 ||
        eh->e_phentsize != sizeof(Elf32_Phdr) || eh->e_phoff > size ||
        (size - eh->e_phoff) / sizeof(Elf32_Phdr) < eh->e_phnum) {
        fprintf(stderr, "bare hello: not an ELF32 image\n");
        return -1;
    }
    const Elf32_Phdr *ph = (const Elf32_Phdr *)(img + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD) {
            continue;
        }
        uint8_t *dst = guest_ptr(h, ph[i].p_paddr, ph[i].p_memsz);
        if (dst == NULL || ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > size ||
            size - ph[i].p_offset < ph[i].p_filesz) {
            fprintf(stderr, "bare hello: segment %u does not fit RAM or the file\n", i);
            return -1;
        }
        memcpy(dst, img + ph[i].p_offset, ph[i].p_filesz);
    }
    *entry = eh->e_entry;
    return 0;
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size);
    size_t got = 0;
    while (*data != NULL && got < *size) {
        ssize_t n = read(fd, *data + got, *size - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    if (*data == NULL || got != *size) {
        fprintf(stderr, "bare hello: cannot read %s\n", path);
        free(*data);
        return -1;
    }
    return 0;
}

/* Flat 4 GiB code and data segments, protection on, paging off: the state Multiboot loaders leave. */
static int set_protected_mode(struct hello_vm *h, uint32_t entry)
{
    struct kvm_sregs sregs;
    if (ioctl(h->vcpu, KVM_GET_SREGS, &sregs) < 0) {
        return -1;
    }
    struct kvm_segment code = {
        .base = 0, .limit = 0xffffffff, .selector = 0x08, .type = 11, .present = 1, .db = 1, .s = 1, .g = 1
    };
    struct kvm_segment data = code;
    data.selector = 0x10;
    data.type = 3;
    sregs.cs = code;
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
    sregs.cr0 |= 1; /* PE */
    struct kvm_regs regs = { .rip = entry, .rflags = 2 };
    return ioctl(h->vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(h->vcpu, KVM_SET_REGS, &regs) < 0 ? -1 : 0;
}

static int create_vm(struct hello_vm *h)
{
    h->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    h->vm = h->kvm >= 0 ? ioctl(h->kvm, KVM_CREATE_VM, 0) : -1;
    if (h->vm < 0 || ioctl(h->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0) {
        perror("bare hello: create VM");
        return -1;
    }
    for (uint32_t i = 0; i < 2; i++) {
        h->ram[i] = mmap(NULL, ram_regions[i].size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        struct kvm_userspace_memory_region region = {
            .slot = i,
            .guest_phys_addr = ram_regions[i].gpa,
            .memory_size = ram_regions[i].size,
            .userspace_addr = (uintptr_t)h->ram[i],
        };
        if (h->ram[i] == MAP_FAILED || ioctl(h->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
            perror("bare hello: guest RAM");
            h->ram[i] = NULL;
            return -1;
        }
    }
    h->vcpu = ioctl(h->vm, KVM_CREATE_VCPU, 0);
    h->run_size = (size_t)ioctl(h->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    h->run = h->vcpu >= 0 ? mmap(NULL, h->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, h->vcpu, 0) : MAP_FAILED;
    if (h->run == MAP_FAILED) {
        perror("bare hello: vCPU");
        h->run = NULL;
        return -1;
    }
    /* A VMM gives its vCPU a CPUID, as QEMU, Firecracker and the library do: here what KVM supports. Without it
     * the guest sees a CPU with no features at all (and KVM refuses long mode). */
    union {
        struct kvm_cpuid2 head;
        uint8_t bytes[sizeof(struct kvm_cpuid2) + 128 * sizeof(struct kvm_cpuid_entry2)];
    } cpuid = { .head.nent = 128 };
    if (ioctl(h->kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0 || ioctl(h->vcpu, KVM_SET_CPUID2, &cpuid) < 0) {
        perror("bare hello: CPUID");
        return -1;
    }
    return 0;
}

static void destroy_vm(struct hello_vm *h)
{
    if (h->run != NULL) {
        munmap(h->run, h->run_size);
    }
    for (int i = 0; i < 2; i++) {
        if (h->ram[i] != NULL) {
            munmap(h->ram[i], ram_regions[i].size);
        }
    }
    int fds[] = { h->vcpu, h->vm, h->kvm };
    for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
}

/* One port access of `size` bytes; unknown ports read all ones and drop writes, as on a PC. */
static void port_io(struct hello_vm *h, unsigned port, bool in, unsigned size, uint8_t *data)
{
    if (in) {
        uint8_t v = port == SERIAL_BASE + SERIAL_LSR               ? SERIAL_LSR_IDLE
                    : port > SERIAL_BASE && port < SERIAL_BASE + 8 ? 0
                                                                   : 0xff;
        memset(data, v, size);
    } else if (port == SERIAL_BASE) {
        ssize_t n = write(STDOUT_FILENO, data, 1);
        (void)n;
    } else if (port == DEBUG_EXIT_PORT) {
        h->exit_value = 0;
        memcpy(&h->exit_value, data, size);
        h->exited = true;
    }
}

static void counter_mmio(struct hello_vm *h, struct kvm_run *run)
{
    uint64_t reg = run->mmio.phys_addr - COUNTER_BASE;
    uint32_t value = 0;
    if (run->mmio.is_write) {
        memcpy(&value, run->mmio.data, run->mmio.len < 4 ? run->mmio.len : 4);
        if (reg == 4) {
            h->step = value;
        }
        return;
    }
    if (reg == 0) {
        h->count += h->step;
        value = h->count;
    } else if (reg == 4) {
        value = h->step;
    }
    memset(run->mmio.data, 0, sizeof(run->mmio.data));
    memcpy(run->mmio.data, &value, run->mmio.len < 4 ? run->mmio.len : 4);
}

static int run_guest(struct hello_vm *h)
{
    struct kvm_run *run = h->run;
    while (!h->exited) {
        if (ioctl(h->vcpu, KVM_RUN, 0) < 0) {
            perror("bare hello: KVM_RUN");
            return -1;
        }
        switch (run->exit_reason) {
        case KVM_EXIT_IO:
            for (uint32_t i = 0; i < run->io.count; i++) {
                port_io(h, run->io.port, run->io.direction == KVM_EXIT_IO_IN, run->io.size,
                        (uint8_t *)run + run->io.data_offset + i * run->io.size);
            }
            break;
        case KVM_EXIT_MMIO:
            counter_mmio(h, run);
            break;
        default:
            fprintf(stderr, "bare hello: unexpected exit %u\n", run->exit_reason);
            return -1;
        }
    }
    return 0;
}

int bare_hello_main(const char *elf_path)
{
    struct hello_vm h = { .kvm = -1, .vm = -1, .vcpu = -1, .step = 1 };
    uint8_t *image = NULL;
    size_t image_size;
    uint32_t entry;
    int status = -1;
    if (read_file(elf_path, &image, &image_size) == 0 && create_vm(&h) == 0 &&
        load_elf32(&h, image, image_size, &entry) == 0 && set_protected_mode(&h, entry) == 0 && run_guest(&h) == 0) {
        status = (int)h.exit_value;
    } else {
        fprintf(stderr, "bare hello: the guest did not run to its debug exit\n");
    }
    destroy_vm(&h);
    free(image);
    printf("hello: guest exited with %d\n", status);
    return status == 0 ? 0 : 1;
}
