/* The VMM skeleton the single-guest examples share: a KVM guest with RAM, a serial port and a debug exit. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4kvm/env.h>
#include <sel4vm/guest_vm.h>

/* The guest's RAM: low RAM holds its stack (tests/guests/lib/layout.h), the ELF image is linked at 1 MiB. Guest
 * devices and lazily mapped memory go above both. */
#define TINY_RAM_LOW_SIZE 0x80000
#define TINY_RAM_HIGH 0x100000
#define TINY_RAM_HIGH_SIZE 0x100000

struct tiny_vmm {
    vm_t vm;
    vm_vcpu_t *vcpu;
    void *image;
    uintptr_t entry;
    uint32_t param; /* what the guest finds in EAX at its entry (guest_main's first argument) */
};

/* Creates a KVM VM with the RAM above, the 32-bit ELF guest at image_path loaded and its vCPU; the serial port
 * writes to stdout. Add devices (and an interrupt controller) between this and tiny_vmm_run. On failure,
 * tiny_vmm_destroy still has to be called. */
int tiny_vmm_create(struct tiny_vmm *t, sel4kvm_env_t *env, const char *name, const char *image_path);

/* Enters the guest in flat protected mode and runs it to its debug exit; returns the value it exited with, or
 * -1 if it did not get there. */
int tiny_vmm_run(struct tiny_vmm *t);

void tiny_vmm_destroy(struct tiny_vmm *t);
