/* The worked example of docs/unit-testing-fault-handlers.md: a counter device tested through the test backend. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sel4kvm/env.h>
#include <sel4kvm/test_backend.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm_exits.h>

/* The device under test: register 0 counts up on every read, writing register 4 resets it. */
#define COUNTER_BASE 0xfe000000ul
#define REG_COUNT 0x0
#define REG_RESET 0x4

struct counter {
    uint32_t count;
};

static memory_fault_result_t counter_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)vm;
    (void)len;
    struct counter *c = cookie;
    uintptr_t reg = addr - COUNTER_BASE;
    if (is_vcpu_read_fault(vcpu) && reg == REG_COUNT) {
        set_vcpu_fault_data(vcpu, c->count++);
    } else if (!is_vcpu_read_fault(vcpu) && reg == REG_RESET) {
        c->count = 0;
    } else {
        return FAULT_ERROR;
    }
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

/* The test: a VM with no guest, the device reserved in it, accesses injected as a guest would make them. */
struct fixture {
    sel4kvm_env_t env;
    vm_t vm;
    vm_vcpu_t *vcpu;
    struct counter counter;
};

static int setup(void **state)
{
    static struct fixture f;
    *state = &f;
    f.counter.count = 0;
    if (sel4kvm_env_init(&f.env, NULL) != 0 ||
        vm_init(&f.vm, &f.env.vka, &f.env.simple, f.env.vspace, &f.env.io_ops, f.env.host_endpoint, "demo") != 0) {
        return -1;
    }
    f.vcpu = vm_create_vcpu(&f.vm, 100);
    sel4kvm_vm_set_strict(&f.vm, true); /* handler contract violations fail the test */
    return vm_reserve_memory_at(&f.vm, COUNTER_BASE, 8, counter_fault, &f.counter) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sel4kvm_vm_destroy(&f->vm);
    sel4kvm_env_destroy(&f->env);
    return 0;
}

static void test_counter_counts_reads_and_resets_on_write(void **state)
{
    struct fixture *f = *state;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, COUNTER_BASE + REG_COUNT, 4, &out), 0);
    assert_int_equal(out.read_value, 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, COUNTER_BASE + REG_COUNT, 4, &out), 0);
    assert_int_equal(out.read_value, 1);
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, COUNTER_BASE + REG_RESET, 4, 1, &out), 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, COUNTER_BASE + REG_COUNT, 4, &out), 0);
    assert_int_equal(out.read_value, 0);
}

static void test_counter_rejects_unknown_registers(void **state)
{
    struct fixture *f = *state;
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, COUNTER_BASE + REG_COUNT, 4, 1, &out), -1);
    assert_int_equal(out.exit_reason, VM_GUEST_ERROR_EXIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counter_counts_reads_and_resets_on_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_rejects_unknown_registers, setup, teardown),
    };
    return cmocka_run_group_tests_name("example: counter device", tests, NULL, NULL);
}
