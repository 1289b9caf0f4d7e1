/* The bare MMIO baseline: KVM_RUN, fill the read data, re-enter — what any KVM program must do per exit. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "bare.h"

#define CODE_ADDR 0x1000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bare_mmio_run(const uint8_t *code, size_t code_size, size_t ram_size, uint64_t value, uint64_t *exits)
{
    double elapsed = -1;
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int vm = kvm >= 0 ? ioctl(kvm, KVM_CREATE_VM, 0) : -1;
    int vcpu = -1;
    struct kvm_run *run = MAP_FAILED;
    size_t run_size = 0;
    uint8_t *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (vm < 0 || ram == MAP_FAILED || CODE_ADDR + code_size > ram_size ||
        ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0) {
        perror("bare: create VM");
        goto out;
    }
    memcpy(ram + CODE_ADDR, code, code_size);
    struct kvm_userspace_memory_region region = { .memory_size = ram_size, .userspace_addr = (uintptr_t)ram };
    vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 || vcpu < 0) {
        perror("bare: memory or vCPU");
        goto out;
    }
    run_size = (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    struct kvm_sregs sregs;
    struct kvm_regs regs = { .rip = CODE_ADDR, .rflags = 2 };
    if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
        perror("bare: vCPU state");
        goto out;
    }
    sregs.cs.selector = 0;
    sregs.cs.base = 0;
    if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
        perror("bare: registers");
        goto out;
    }
    uint64_t n = 0;
    double start = now();
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            perror("bare: KVM_RUN");
            goto out;
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
        goto out;
    }
    elapsed = now() - start;
    *exits = n;
out:
    if (run != MAP_FAILED) {
        munmap(run, run_size);
    }
    if (vcpu >= 0) {
        close(vcpu);
    }
    if (vm >= 0) {
        close(vm);
    }
    if (kvm >= 0) {
        close(kvm);
    }
    if (ram != MAP_FAILED) {
        munmap(ram, ram_size);
    }
    return elapsed;
}
