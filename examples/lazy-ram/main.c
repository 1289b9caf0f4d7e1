/* `make run-lazy-ram`: guest RAM that costs nothing until the guest touches it. The range is reserved with no
 * frames behind it, so the guest's first access to each page faults to the VMM; the fault callback allocates a
 * frame, maps it at that page and returns FAULT_RESTART, and the guest's access then completes against the new
 * frame as if it had been there all along. Later accesses to the page run at full speed, with no exit. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <sel4kvm/vm.h>
#include "../common/lazy_ram.h" /* the mechanism: a fault callback that maps the page and restarts */
#include "../common/tiny_vmm.h"

/* The Makefile says where it built the guest (examples/lazy-ram/guest). */
#define LAZY_RAM_GUEST EXAMPLE_GUEST_DIR "/lazy-ram-guest.elf"

static int run_guest(sel4kvm_env_t *env, const char *image_path)
{
    struct tiny_vmm t;
    struct lazy_ram lazy = { 0 };
    int status = -1;
    if (tiny_vmm_create(&t, env, "lazy-ram", image_path) == 0 &&
        lazy_ram_add(&lazy, &t.vm, &env->vka, LAZY_BASE) == 0) {
        status = tiny_vmm_run(&t);
        printf("lazy-ram: %u of %d pages were mapped on first touch\n", lazy.mapped, LAZY_PAGES);
    }
    lazy_ram_remove(&lazy, &t.vm);
    tiny_vmm_destroy(&t);
    return status;
}

int main(int argc, char **argv)
{
    char reason[160];
    if (!sel4kvm_kvm_available(reason, sizeof(reason))) {
        fprintf(stderr, "lazy-ram: KVM is not usable: %s\n", reason);
        return 2;
    }
    sel4kvm_env_t env;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return 1;
    }
    int status = run_guest(&env, argc > 1 ? argv[1] : LAZY_RAM_GUEST);
    sel4kvm_env_destroy(&env);
    printf("lazy-ram: guest exited with %d\n", status);
    return status == 0 ? 0 : 1;
}
