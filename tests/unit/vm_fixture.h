/* A VM with no guest over a fresh environment, for tests of the libsel4vm API (test backend). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sel4kvm/env.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_vm.h>

struct vm_fixture {
    sel4kvm_env_t env;
    vm_t vm;
    vm_vcpu_t *vcpu;
};

static inline int vm_fixture_up(void **state)
{
    static struct vm_fixture f;
    *state = &f;
    if (sel4kvm_env_init(&f.env, NULL) != 0) {
        return -1;
    }
    if (vm_init(&f.vm, &f.env.vka, &f.env.simple, f.env.vspace, &f.env.io_ops, f.env.host_endpoint, "test") != 0) {
        return -1;
    }
    f.vcpu = vm_create_vcpu(&f.vm, 100);
    return f.vcpu != NULL ? 0 : -1;
}

static inline int vm_fixture_down(void **state)
{
    struct vm_fixture *f = *state;
    sel4kvm_vm_destroy(&f->vm);
    sel4kvm_env_destroy(&f->env);
    return 0;
}

#define VM_TEST(fn) cmocka_unit_test_setup_teardown(fn, vm_fixture_up, vm_fixture_down)
