/* Limited host address space (valgrind gives a program about 64 GiB in one piece; RLIMIT_AS can give less): the
 * default VMM window and the KVM guest-physical window shrink to fit, and a guest still runs. Each test runs in a
 * child process with RLIMIT_AS lowered, so the limit does not outlive it. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <fcntl.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sel4/sel4.h>
#include <sel4kvm/devices.h>
#include <sel4kvm/env.h>
#include <sel4kvm/guest_boot.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vm.h>
#include "kvm_fixture.h"

#define GIB (1ull << 30)

/* Bytes of address space the process has mapped already (first field of /proc/self/statm, in pages). */
static uint64_t mapped_bytes(void)
{
    unsigned long long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL || fscanf(f, "%llu", &pages) != 1) {
        pages = 0;
    }
    if (f != NULL) {
        fclose(f);
    }
    return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/*
 * Runs fn in a child that may map only limit more bytes than it already has; returns its exit status (0 = passed).
 * The limit is relative because AddressSanitizer reserves terabytes of shadow before main, and those count
 * against RLIMIT_AS too.
 */
static int in_limited_child(uint64_t limit, int (*fn)(void))
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint64_t total = mapped_bytes() + limit;
        struct rlimit rl = { .rlim_cur = total, .rlim_max = total };
        if (setrlimit(RLIMIT_AS, &rl) != 0) {
            _exit(100);
        }
        /* Failures on purpose log errors; keep them out of the test output. */
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDERR_FILENO);
        _exit(fn());
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int default_window_fits(void)
{
    uintptr_t base;
    size_t size;
    if (sel4kvm_sim_init(NULL) != 0) {
        return 1;
    }
    int ret = sel4kvm_sim_vmm_window(&base, &size) != 0                                    ? 2
              : size >= SEL4KVM_SIM_DEFAULT_VMM_WINDOW_SIZE || size < 4 * GIB || base == 0 ? 3
                                                                                           : 0;
    sel4kvm_sim_shutdown();
    return ret;
}

static void test_default_vmm_window_shrinks_to_fit_the_address_space(void **state)
{
    (void)state;
    assert_int_equal(in_limited_child(32 * GIB, default_window_fits), 0);
}

static int chosen_window_refused(void)
{
    sel4kvm_sim_config_t config = { .vmm_window_size = SEL4KVM_SIM_DEFAULT_VMM_WINDOW_SIZE };
    if (sel4kvm_sim_init(&config) == 0) {
        sel4kvm_sim_shutdown();
        return 1;
    }
    return 0;
}

static void test_chosen_vmm_window_that_does_not_fit_is_refused(void **state)
{
    (void)state;
    assert_int_equal(in_limited_child(32 * GIB, chosen_window_refused), 0);
}

/* Real mode at 0x1000: OUT to the debug-exit port, then HLT. */
static const uint8_t exit_guest[] = { 0xb0, 0x00, 0xe6, 0xf4, 0xf4 };

static int guest_runs(void)
{
    sel4kvm_env_t env;
    vm_t vm;
    vm_vcpu_t *vcpu;
    int status = -1;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return 1;
    }
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM);
    if (vm_init(&vm, &env.vka, &env.simple, env.vspace, &env.io_ops, env.host_endpoint, "limited") != 0) {
        return 2;
    }
    int ret = 0;
    if (vm_ram_register_at(&vm, 0, 0x10000, false) != 0 ||
        vm_ram_touch(&vm, 0x1000, sizeof(exit_guest), vm_guest_ram_write_callback, (void *)exit_guest) != 0 ||
        sel4kvm_debug_exit_add(&vm) != 0 || (vcpu = vm_create_vcpu(&vm, 100)) == NULL ||
        sel4kvm_vcpu_set_real_mode(vcpu, 0x1000) != 0 || vcpu_start(vcpu) != 0) {
        ret = 3;
    } else if (vm_run(&vm) != 0 || sel4kvm_debug_exit_status(&vm, &status) != 0 || status != 1) {
        ret = 4;
    } else if (vm_ram_register_at(&vm, 1ull << 39, 0x1000, false) == 0) {
        /* a smaller window refuses what lies above it */
        ret = 5;
    }
    sel4kvm_vm_destroy(&vm);
    sel4kvm_env_destroy(&env);
    return ret;
}

static void test_kvm_guest_runs_when_the_address_space_is_limited(void **state)
{
    (void)state;
    skip_without_kvm();
    assert_int_equal(in_limited_child(64 * GIB, guest_runs), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_vmm_window_shrinks_to_fit_the_address_space),
        cmocka_unit_test(test_chosen_vmm_window_that_does_not_fit_is_refused),
        cmocka_unit_test(test_kvm_guest_runs_when_the_address_space_is_limited),
    };
    return cmocka_run_group_tests_name("limited address space", tests, NULL, NULL);
}
