/* Guest MMIO round trip: a reservation callback under vm_run against a bare KVM_RUN loop, same guest, same run. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sel4kvm/env.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/arch/vmcs_fields.h>
#include "../../kvm_backend/bare/bare.h"

#define CODE 0x1000
#define DEVICE 0x9000
#define EXIT_PORT 0xf4
#define RAM_SIZE 0x8000

/* Real mode: `loops` reads of the device register, then OUT to the exit port. */
static size_t guest_code(uint8_t *code, uint32_t loops)
{
    const uint8_t text[] = {
        0x66, 0xb9,      0,    0, 0, 0, /* mov ecx, loops */
        0xa1, 0x00,      0x90,          /* 1: mov ax, [0x9000] */
        0x66, 0x49,                     /* dec ecx */
        0x75, 0xf9,                     /* jnz 1b */
        0xe6, EXIT_PORT,                /* out 0xf4, al */
        0xf4,                           /* hlt */
    };
    memcpy(code, text, sizeof(text));
    memcpy(code + 2, &loops, 4);
    return sizeof(text);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t callbacks;

static memory_fault_result_t device_read(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    (void)addr;
    (void)size;
    (void)cookie;
    callbacks++;
    set_vcpu_fault_data(vcpu, 0x1234);
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static ioport_fault_result_t exit_out(vm_vcpu_t *vcpu, void *cookie, unsigned port, unsigned size, unsigned value)
{
    (void)cookie;
    (void)port;
    (void)size;
    (void)value;
    sel4kvm_vm_stop(vcpu->vm);
    return IO_FAULT_HANDLED;
}

static double library_loop(sel4kvm_env_t *env, const uint8_t *code, size_t code_size)
{
    vm_t vm;
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM);
    if (vm_init(&vm, &env->vka, &env->simple, env->vspace, &env->io_ops, env->host_endpoint, "bench") != 0) {
        return -1;
    }
    double elapsed = -1;
    vm_vcpu_t *vcpu;
    vm_memory_reservation_t *device = NULL;
    if (vm_ram_register_at(&vm, 0, RAM_SIZE, false) != 0 ||
        vm_ram_touch(&vm, CODE, code_size, vm_guest_ram_write_callback, (void *)code) != 0 ||
        (device = vm_reserve_memory_at(&vm, DEVICE, 0x1000, device_read, NULL)) == NULL ||
        vm_io_port_add_handler(&vm, (vm_ioport_range_t){ EXIT_PORT, EXIT_PORT },
                               (vm_ioport_interface_t){ .port_out = exit_out }) != 0 ||
        (vcpu = vm_create_vcpu(&vm, 100)) == NULL || vm_set_vmcs_field(vcpu, VMX_GUEST_CS_SELECTOR, 0) != 0 ||
        vm_set_vmcs_field(vcpu, VMX_GUEST_CS_BASE, 0) != 0 || vm_set_vmcs_field(vcpu, VMX_GUEST_RIP, CODE) != 0 ||
        vcpu_start(vcpu) != 0) {
        fprintf(stderr, "bench_mmio: setting up the library's VM failed\n");
    } else {
        double start = now();
        if (vm_run(&vm) == 0) {
            elapsed = now() - start;
        }
    }
    if (device != NULL) {
        vm_free_reserved_memory(&vm, device);
    }
    sel4kvm_vm_destroy(&vm);
    return elapsed;
}

int main(int argc, char **argv)
{
    uint32_t loops = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 20000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (!sel4kvm_kvm_available(NULL, 0)) {
        printf("bench_mmio: skipped, KVM is not usable here\n");
        return 0;
    }
    uint8_t code[32];
    size_t code_size = guest_code(code, loops);
    sel4kvm_env_t env;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return 1;
    }
    /* Alternate the two so that drift on a shared machine hits both; keep each one's best round. */
    double bare = 1e9, lib = 1e9;
    uint64_t bare_exits = 0;
    for (int i = 0; i < rounds; i++) {
        callbacks = 0;
        double b = bare_mmio_run(code, code_size, RAM_SIZE, 0x1234, &bare_exits);
        double l = library_loop(&env, code, code_size);
        if (b < 0 || l < 0 || bare_exits != loops || callbacks != loops) {
            fprintf(stderr, "bench_mmio: a run failed or miscounted (%llu bare exits, %llu callbacks)\n",
                    (unsigned long long)bare_exits, (unsigned long long)callbacks);
            return 1;
        }
        bare = b < bare ? b : bare;
        lib = l < lib ? l : lib;
    }
    sel4kvm_env_destroy(&env);
    printf("guest MMIO read loop, %u exits, best of %d rounds\n", loops, rounds);
    printf("  bare KVM_RUN loop:           %8.0f exits/s  %6.2f us/exit\n", loops / bare, bare / loops * 1e6);
    printf("  vm_run + reservation cb:     %8.0f exits/s  %6.2f us/exit\n", loops / lib, lib / loops * 1e6);
    printf("  ratio (library / bare time): %.3f\n", lib / bare);
    return 0;
}
