/* The single-guest examples' VMM skeleton (tiny_vmm.h): plain libsel4vm calls plus the sel4kvm boot helpers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sel4kvm/devices.h>
#include <sel4kvm/guest_boot.h>
#include <sel4kvm/loader.h>
#include <sel4kvm/vm.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_ram.h>
#include "tiny_vmm.h"

int tiny_vmm_create(struct tiny_vmm *t, sel4kvm_env_t *env, const char *name, const char *image_path)
{
    memset(t, 0, sizeof(*t));
    size_t image_size;
    uintptr_t entry;
    if (sel4kvm_image_read(image_path, &t->image, &image_size) != 0) {
        return -1;
    }
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM);
    if (vm_init(&t->vm, &env->vka, &env->simple, env->vspace, &env->io_ops, env->host_endpoint, name) != 0) {
        return -1;
    }
    if (vm_ram_register_at(&t->vm, 0, TINY_RAM_LOW_SIZE, false) != 0 ||
        vm_ram_register_at(&t->vm, TINY_RAM_HIGH, TINY_RAM_HIGH_SIZE, false) != 0 ||
        sel4kvm_load_elf(&t->vm, t->image, image_size, &entry) != 0 || sel4kvm_serial_add(&t->vm, STDOUT_FILENO) != 0 ||
        sel4kvm_debug_exit_add(&t->vm) != 0) {
        return -1;
    }
    t->entry = entry;
    t->vcpu = vm_create_vcpu(&t->vm, 100);
    return t->vcpu != NULL ? 0 : -1;
}

int tiny_vmm_run(struct tiny_vmm *t)
{
    int status;
    /* Registers are set last: on KVM, vm_create_default_irq_controller must come before a vCPU's registers are
     * first used. */
    if (sel4kvm_vcpu_set_protected_mode(t->vcpu, t->entry) != 0 ||
        vm_set_thread_context_reg(t->vcpu, VCPU_CONTEXT_EAX, t->param) != 0 || vcpu_start(t->vcpu) != 0 ||
        vm_run(&t->vm) != 0 || sel4kvm_debug_exit_status(&t->vm, &status) != 0) {
        fprintf(stderr, "%s: the guest did not run to its debug exit\n", t->vm.vm_name);
        return -1;
    }
    return status >> 1; /* the value the guest wrote; QEMU's isa-debug-exit would exit with (v << 1) | 1 */
}

void tiny_vmm_destroy(struct tiny_vmm *t)
{
    if (t->vm.vm_initialised) {
        sel4kvm_vm_destroy(&t->vm);
    }
    free(t->image);
    memset(t, 0, sizeof(*t));
}
