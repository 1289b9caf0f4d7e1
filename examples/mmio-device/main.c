/* `make run-mmio-device`: a VMM whose guest programs a timer device that exists only as a reservation fault
 * callback (examples/common/timer_device.c): no frames back the device's range, so each guest load or store there exits to the VMM,
 * and the callback emulates it. tests/unit/test_example_mmio_device.c tests the same device without a guest. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <sel4kvm/vm.h>
#include "../common/tiny_vmm.h"
#include "../common/timer_device.h"

/* The Makefile says where it built the guest (examples/mmio-device/guest). */
#define MMIO_DEVICE_GUEST EXAMPLE_GUEST_DIR "/mmio-device-guest.elf"

static int run_guest(sel4kvm_env_t *env, const char *image_path)
{
    struct tiny_vmm t;
    struct timer_device timer;
    int status = -1;
    if (tiny_vmm_create(&t, env, "mmio-device", image_path) == 0 &&
        timer_device_add(&timer, &t.vm, TIMER_EXAMPLE_BASE, timer_clock_monotonic_us, NULL) == 0) {
        status = tiny_vmm_run(&t);
        printf("mmio-device: the timer counted to %u, compare %u, status %#x\n", timer.count, timer.compare,
               timer.status);
        /* Reservations belong to the VMM: free them before the VM goes (strict mode reports leaked ones). */
        vm_free_reserved_memory(&t.vm, timer.reservation);
    }
    tiny_vmm_destroy(&t);
    return status;
}

int main(int argc, char **argv)
{
    char reason[160];
    if (!sel4kvm_kvm_available(reason, sizeof(reason))) {
        fprintf(stderr, "mmio-device: KVM is not usable: %s\n", reason);
        return 2;
    }
    sel4kvm_env_t env;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return 1;
    }
    int status = run_guest(&env, argc > 1 ? argv[1] : MMIO_DEVICE_GUEST);
    sel4kvm_env_destroy(&env);
    printf("mmio-device: guest exited with %d\n", status);
    return status == 0 ? 0 : 1;
}
