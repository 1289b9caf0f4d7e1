/* The bare MMIO baseline: KVM_RUN, fill the read data, re-enter — what any KVM program must do per exit. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "bare.h"

struct bare_mmio {
    int kvm;
    int vm;
    int vcpu;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *ram;
    size_t ram_size;
};

size_t bare_mmio_guest(uint8_t *code, uint32_t loops)
{
    const uint8_t text[] = {
        0x66,
        0xb9,
        0,
        0,
        0,
        0, /* mov ecx, loops */
        0xa1,
        BARE_MMIO_DEVICE & 0xff,
        BARE_MMIO_DEVICE >> 8, /* 1: mov ax, [BARE_MMIO_DEVICE] */
        0x66,
        0x49, /* dec ecx */
        0x75,
        0xf9, /* jnz 1b */
        0xe6,
        BARE_MMIO_EXIT_PORT, /* out BARE_MMIO_EXIT_PORT, al */
        0xf4,                /* hlt */
    };
    memcpy(code, text, sizeof(text));
    memcpy(code + 2, &loops, sizeof(loops));
    return sizeof(text);
}

void bare_mmio_destroy(bare_mmio_t *b)
{
    if (b == NULL) {
        return;
    }
    if (b->run != MAP_FAILED) {
        munmap(b->run, b->run_size);
    }
    if (b->vcpu >= 0) {
        close(b->vcpu);
    }
    if (b->vm >= 0) {
        close(b->vm);
    }
    if (b->kvm >= 0) {
        close(b->kvm);
    }
    if (b->ram != MAP_FAILED) {
        munmap(b->ram, b->ram_size);
    }
    free(b);
}

bare_mmio_t *bare_mmio_create(const uint8_t *code, size_t code_size, size_t ram_size)
{
    bare_mmio_t *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        return NULL;
    }
    *b = (bare_mmio_t){ .kvm = -1, .vm = -1, .vcpu = -1, .run = MAP_FAILED, .ram = MAP_FAILED, .ram_size = ram_size };
    b->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    b->vm = b->kvm >= 0 ? ioctl(b->kvm, KVM_CREATE_VM, 0) : -1;
    b->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b->vm < 0 || b->ram == MAP_FAILED || BARE_MMIO_CODE + code_size > ram_size ||
        ioctl(b->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0) {
        perror("bare: create VM");
        goto fail;
    }
    memcpy(b->ram + BARE_MMIO_CODE, code, code_size);
    struct kvm_userspace_memory_region region = { .memory_size = ram_size, .userspace_addr = (uintptr_t)b->ram };
    b->vcpu = ioctl(b->vm, KVM_CREATE_VCPU, 0);
    if (ioctl(b->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 || b->vcpu < 0) {
        perror("bare: memory or vCPU");
        goto fail;
    }
    b->run_size = (size_t)ioctl(b->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    b->run = mmap(NULL, b->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, b->vcpu, 0);
    struct kvm_sregs sregs;
    if (b->run == MAP_FAILED || ioctl(b->vcpu, KVM_GET_SREGS, &sregs) < 0) {
        perror("bare: vCPU state");
        goto fail;
    }
    sregs.cs.selector = 0;
    sregs.cs.base = 0;
    if (ioctl(b->vcpu, KVM_SET_SREGS, &sregs) < 0) {
        perror("bare: segment registers");
        goto fail;
    }
    return b;
fail:
    bare_mmio_destroy(b);
    return NULL;
}

double bare_mmio_run(bare_mmio_t *b, uint64_t value, uint64_t *exits)
{
    struct kvm_regs regs = { .rip = BARE_MMIO_CODE, .rflags = 2 };
    if (ioctl(b->vcpu, KVM_SET_REGS, &regs) < 0) {
        perror("bare: registers");
        return -1;
    }
    struct kvm_run *run = b->run;
    uint64_t n = 0;
    double start = bare_now();
    for (;;) {
        if (ioctl(b->vcpu, KVM_RUN, 0) < 0) {
            perror("bare: KVM_RUN");
            return -1;
        }
        if (run->exit_reason == KVM_EXIT_MMIO) {
            memcpy(run->mmio.data, &value, run->mmio.len);
            n++;
            continue;
        }
        if (run->exit_reason == KVM_EXIT_IO) {
            break;
        }
        fprintf(stderr, "bare: unexpected exit %u\n", run->exit_reason);
        return -1;
    }
    double elapsed = bare_now() - start;
    *exits = n;
    return elapsed;
}
