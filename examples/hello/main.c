/* `make run`: a VMM that boots a tiny x86 guest under KVM with RAM, a serial port, a debug-exit port and one
 * MMIO device emulated entirely in a reservation fault callback — the libsel4vm API, unchanged from seL4. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sel4kvm/devices.h>
#include <sel4kvm/env.h>
#include <sel4kvm/guest_boot.h>
#include <sel4kvm/loader.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vm.h>
#include "../common/counter_device.h" /* the MMIO device: counter_fault, a reservation fault callback */

/* The Makefile says where it built the guest (examples/hello/guest). */
#define HELLO_GUEST EXAMPLE_GUEST_DIR "/hello-guest.elf"

#define RAM_LOW_SIZE 0x80000 /* holds the guest's stack (GUEST_STACK_TOP, 0x70000, in tests/guests/lib/layout.h) */
#define RAM_HIGH 0x100000    /* the guest image is linked here */
#define RAM_HIGH_SIZE 0x100000
static int run_guest(sel4kvm_env_t *env, const char *image_path)
{
    void *image;
    size_t image_size;
    uintptr_t entry;
    vm_t vm;
    struct counter counter = { 0, 1 };
    if (sel4kvm_image_read(image_path, &image, &image_size) != 0) {
        return -1;
    }
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM);
    if (vm_init(&vm, &env->vka, &env->simple, env->vspace, &env->io_ops, env->host_endpoint, "hello") != 0) {
        free(image);
        return -1;
    }
    int status = -1;
    vm_memory_reservation_t *device = NULL;
    vm_vcpu_t *vcpu = NULL;
    if (vm_ram_register_at(&vm, 0, RAM_LOW_SIZE, false) == 0 &&
        vm_ram_register_at(&vm, RAM_HIGH, RAM_HIGH_SIZE, false) == 0 &&
        sel4kvm_load_elf(&vm, image, image_size, &entry) == 0 && sel4kvm_serial_add(&vm, STDOUT_FILENO) == 0 &&
        sel4kvm_debug_exit_add(&vm) == 0 &&
        (device = vm_reserve_memory_at(&vm, COUNTER_BASE, 0x1000, counter_fault, &counter)) != NULL &&
        (vcpu = vm_create_vcpu(&vm, 100)) != NULL && sel4kvm_vcpu_set_protected_mode(vcpu, entry) == 0 &&
        vcpu_start(vcpu) == 0 && vm_run(&vm) == 0 && sel4kvm_debug_exit_status(&vm, &status) == 0) {
        status >>= 1; /* the value the guest wrote; QEMU would exit with (v << 1) | 1 */
    } else {
        fprintf(stderr, "hello: the guest did not run to its debug exit\n");
        status = -1;
    }
    if (device != NULL) {
        vm_free_reserved_memory(&vm, device);
    }
    sel4kvm_vm_destroy(&vm);
    free(image);
    return status;
}

int main(int argc, char **argv)
{
    char reason[160];
    if (!sel4kvm_kvm_available(reason, sizeof(reason))) {
        fprintf(stderr, "hello: KVM is not usable: %s\n", reason);
        return 2;
    }
    sel4kvm_env_t env;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return 1;
    }
    int status = run_guest(&env, argc > 1 ? argv[1] : HELLO_GUEST);
    sel4kvm_env_destroy(&env);
    printf("hello: guest exited with %d\n", status);
    return status == 0 ? 0 : 1;
}
