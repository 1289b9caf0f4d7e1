/* The bare RAM baseline: guest RAM as any KVM program gives it, one anonymous mapping and one memslot. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include "bare.h"

int bare_ram_setup(size_t bytes, uint64_t gpa, double *seconds, long *rss_kib)
{
    int ret = -1;
    void *ram = MAP_FAILED;
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    int vm = kvm >= 0 ? ioctl(kvm, KVM_CREATE_VM, 0) : -1;
    if (vm < 0) {
        perror("bare: create VM");
        goto out;
    }
    long rss = bare_rss_kib();
    double start = bare_now();
    ram = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        perror("bare: mmap guest RAM");
        goto out;
    }
    struct kvm_userspace_memory_region region = {
        .guest_phys_addr = gpa,
        .memory_size = bytes,
        .userspace_addr = (uintptr_t)ram,
    };
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        perror("bare: memslot");
        goto out;
    }
    *seconds = bare_now() - start;
    *rss_kib = bare_rss_kib() - rss;
    ret = 0;
out:
    if (vm >= 0) {
        close(vm);
    }
    if (ram != MAP_FAILED) {
        munmap(ram, bytes);
    }
    if (kvm >= 0) {
        close(kvm);
    }
    return ret;
}
