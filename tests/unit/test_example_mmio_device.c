/* The mmio-device example's timer (examples/common/timer_device.c) tested without a guest: accesses injected
 * through the test backend, time from a clock the test sets. */
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
#include <sel4vm/guest_vm_exits.h>
#include "../../examples/common/timer_device.h"
#include "quiet_log.h"

#define BASE 0xd0000000ul

struct fixture {
    sel4kvm_env_t env;
    vm_t vm;
    vm_vcpu_t *vcpu;
    struct timer_device timer;
    uint64_t now_us;
};

static uint64_t fake_clock(void *cookie)
{
    return ((struct fixture *)cookie)->now_us;
}

static int setup(void **state)
{
    static struct fixture f;
    *state = &f;
    f.now_us = 1000000; /* not 0, so that a counter that forgot its start time shows it */
    if (sel4kvm_env_init(&f.env, NULL) != 0 ||
        vm_init(&f.vm, &f.env.vka, &f.env.simple, f.env.vspace, &f.env.io_ops, f.env.host_endpoint, "timer") != 0) {
        return -1;
    }
    f.vcpu = vm_create_vcpu(&f.vm, 100);
    sel4kvm_vm_set_strict(&f.vm, true);
    return f.vcpu != NULL && timer_device_add(&f.timer, &f.vm, BASE, fake_clock, &f) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    vm_free_reserved_memory(&f->vm, f->timer.reservation);
    sel4kvm_vm_destroy(&f->vm);
    sel4kvm_env_destroy(&f->env);
    return 0;
}

static uint32_t reg_read(struct fixture *f, uintptr_t reg)
{
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, BASE + reg, 4, &out), 0);
    return (uint32_t)out.read_value;
}

static void reg_write(struct fixture *f, uintptr_t reg, uint32_t value)
{
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, BASE + reg, 4, value, NULL), 0);
}

static void test_timer_is_stopped_at_zero_after_reset(void **state)
{
    struct fixture *f = *state;
    f->now_us += 500;
    assert_int_equal(reg_read(f, TIMER_COUNT), 0);
    assert_int_equal(reg_read(f, TIMER_CTRL), 0);
    assert_int_equal(reg_read(f, TIMER_STATUS), 0);
}

static void test_count_follows_the_clock_while_enabled(void **state)
{
    struct fixture *f = *state;
    reg_write(f, TIMER_CTRL, TIMER_CTRL_ENABLE);
    f->now_us += 250;
    assert_int_equal(reg_read(f, TIMER_COUNT), 250);
    f->now_us += 50;
    assert_int_equal(reg_read(f, TIMER_COUNT), 300);
}

static void test_disabling_freezes_the_count_and_enabling_resumes_it(void **state)
{
    struct fixture *f = *state;
    reg_write(f, TIMER_CTRL, TIMER_CTRL_ENABLE);
    f->now_us += 100;
    reg_write(f, TIMER_CTRL, 0);
    f->now_us += 1000;
    assert_int_equal(reg_read(f, TIMER_COUNT), 100);
    reg_write(f, TIMER_CTRL, TIMER_CTRL_ENABLE);
    f->now_us += 10;
    assert_int_equal(reg_read(f, TIMER_COUNT), 110);
}

static void test_reset_zeroes_the_count_and_is_not_kept_in_ctrl(void **state)
{
    struct fixture *f = *state;
    reg_write(f, TIMER_CTRL, TIMER_CTRL_ENABLE);
    f->now_us += 700;
    reg_write(f, TIMER_CTRL, TIMER_CTRL_ENABLE | TIMER_CTRL_RESET);
    assert_int_equal(reg_read(f, TIMER_CTRL), TIMER_CTRL_ENABLE);
    f->now_us += 5;
    assert_int_equal(reg_read(f, TIMER_COUNT), 5);
}

static void test_writes_to_count_are_ignored(void **state)
{
    struct fixture *f = *state;
    reg_write(f, TIMER_COUNT, 12345);
    assert_int_equal(reg_read(f, TIMER_COUNT), 0);
}

static void test_match_is_set_once_the_compare_is_reached(void **state)
{
    struct fixture *f = *state;
    reg_write(f, TIMER_CTRL, TIMER_CTRL_ENABLE);
    reg_write(f, TIMER_COMPARE, 100);
    assert_int_equal(reg_read(f, TIMER_COMPARE), 100);
    f->now_us += 99;
    assert_int_equal(reg_read(f, TIMER_STATUS), 0);
    f->now_us += 1;
    assert_int_equal(reg_read(f, TIMER_STATUS), TIMER_STATUS_MATCH);
}

static void test_match_is_one_shot_until_compare_is_written_again(void **state)
{
    struct fixture *f = *state;
    reg_write(f, TIMER_CTRL, TIMER_CTRL_ENABLE);
    reg_write(f, TIMER_COMPARE, 10);
    f->now_us += 20;
    assert_int_equal(reg_read(f, TIMER_STATUS), TIMER_STATUS_MATCH);
    reg_write(f, TIMER_STATUS, TIMER_STATUS_MATCH);
    f->now_us += 20;
    assert_int_equal(reg_read(f, TIMER_STATUS), 0);
    reg_write(f, TIMER_COMPARE, 60);
    f->now_us += 20;
    assert_int_equal(reg_read(f, TIMER_STATUS), TIMER_STATUS_MATCH);
}

static void test_compare_already_reached_matches_at_once(void **state)
{
    struct fixture *f = *state;
    reg_write(f, TIMER_CTRL, TIMER_CTRL_ENABLE);
    f->now_us += 500;
    reg_write(f, TIMER_COMPARE, 400);
    assert_int_equal(reg_read(f, TIMER_STATUS), TIMER_STATUS_MATCH);
}

static void test_compare_just_past_a_wrap_is_not_reached_early(void **state)
{
    struct fixture *f = *state;
    reg_write(f, TIMER_CTRL, TIMER_CTRL_ENABLE);
    f->now_us += 0xfffffff0u;
    reg_write(f, TIMER_COMPARE, 0x10);
    assert_int_equal(reg_read(f, TIMER_STATUS), 0);
    f->now_us += 0x20;
    assert_int_equal(reg_read(f, TIMER_COUNT), 0x10);
    assert_int_equal(reg_read(f, TIMER_STATUS), TIMER_STATUS_MATCH);
}

static void test_stopped_timer_never_matches(void **state)
{
    struct fixture *f = *state;
    reg_write(f, TIMER_COMPARE, 50);
    f->now_us += 1000;
    assert_int_equal(reg_read(f, TIMER_STATUS), 0);
}

static void test_narrow_access_is_unhandled(void **state)
{
    struct fixture *f = *state;
    sel4kvm_test_access_t out;
    assert_logs_error(assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, BASE + TIMER_COUNT, 2, &out), -1));
    assert_int_equal(out.exit_reason, VM_GUEST_ERROR_EXIT);
}

static void test_unaligned_access_is_unhandled(void **state)
{
    struct fixture *f = *state;
    assert_logs_error(assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, BASE + 2, 4, 1, NULL), -1));
}

static void test_access_past_the_registers_is_an_error(void **state)
{
    struct fixture *f = *state;
    /* The reservation covers TIMER_SIZE bytes; the library refuses an access beyond it before the callback. */
    sel4kvm_test_access_t out;
    assert_logs_error(assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, BASE + TIMER_SIZE, 4, &out), -1));
    assert_int_equal(out.callbacks, 0);
}

static void test_adding_a_second_timer_at_the_same_base_fails(void **state)
{
    struct fixture *f = *state;
    struct timer_device other;
    assert_logs_error(assert_int_equal(timer_device_add(&other, &f->vm, BASE, fake_clock, f), -1));
}

#define TIMER_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TIMER_TEST(test_timer_is_stopped_at_zero_after_reset),
        TIMER_TEST(test_count_follows_the_clock_while_enabled),
        TIMER_TEST(test_disabling_freezes_the_count_and_enabling_resumes_it),
        TIMER_TEST(test_reset_zeroes_the_count_and_is_not_kept_in_ctrl),
        TIMER_TEST(test_writes_to_count_are_ignored),
        TIMER_TEST(test_match_is_set_once_the_compare_is_reached),
        TIMER_TEST(test_match_is_one_shot_until_compare_is_written_again),
        TIMER_TEST(test_compare_already_reached_matches_at_once),
        TIMER_TEST(test_compare_just_past_a_wrap_is_not_reached_early),
        TIMER_TEST(test_stopped_timer_never_matches),
        TIMER_TEST(test_narrow_access_is_unhandled),
        TIMER_TEST(test_unaligned_access_is_unhandled),
        TIMER_TEST(test_access_past_the_registers_is_an_error),
        TIMER_TEST(test_adding_a_second_timer_at_the_same_base_fails),
    };
    return cmocka_run_group_tests_name("example: mmio-device timer", tests, quiet_group, loud_group);
}
