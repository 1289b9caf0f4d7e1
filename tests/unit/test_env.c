/* The VMM environment: what sel4kvm_env_init hands a VMM, io_ops mapping, and teardown without leaks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "leak_check.h"
#include <sel4kvm/env.h>
#include <vka/capops.h>
#include <vka/object.h>

static int env_up(void **state)
{
    static sel4kvm_env_t env;
    *state = &env;
    return sel4kvm_env_init(&env, NULL);
}

static int env_down(void **state)
{
    sel4kvm_env_destroy(*state);
    return 0;
}

static void test_env_gives_a_working_allocator_and_vmm_vspace(void **state)
{
    sel4kvm_env_t *env = *state;
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&env->vka, seL4_PageBits, &frame), 0);
    seL4_CPtr cap = frame.cptr;
    char *p = vspace_map_pages(&env->vspace, &cap, NULL, seL4_AllRights, 1, seL4_PageBits, 1);
    assert_non_null(p);
    strcpy(p, "hello from the VMM vspace");
    char *phys = sel4kvm_sim_paddr_to_host(vka_object_paddr(&env->vka, &frame), 4096);
    assert_string_equal(phys, "hello from the VMM vspace");
    vspace_unmap_pages(&env->vspace, p, 1, seL4_PageBits, VSPACE_PRESERVE);
    vka_free_object(&env->vka, &frame);
}

static void test_env_host_endpoint_is_a_notification(void **state)
{
    sel4kvm_env_t *env = *state;
    assert_int_not_equal(env->host_endpoint, seL4_CapNull);
    seL4_Signal(env->host_endpoint);
    seL4_Word badge = 1;
    seL4_Poll(env->host_endpoint, &badge);
    assert_int_equal(badge, 0);
    assert_true(sel4kvm_notification_wait_fd(env->host_endpoint) >= 0);
}

static void test_env_simple_describes_the_boot_untypeds(void **state)
{
    sel4kvm_env_t *env = *state;
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    assert_int_equal(simple_get_untyped_count(&env->simple), (int)(bi->untyped.end - bi->untyped.start));
    assert_int_equal(simple_get_cnode(&env->simple), seL4_CapInitThreadCNode);
}

static void test_io_map_maps_device_memory(void **state)
{
    sel4kvm_env_t *env = *state;
    uintptr_t dev = SEL4KVM_SIM_DEFAULT_DEVICE_BASE + 0x3000 + 0x10;
    volatile uint32_t *regs = ps_io_map(&env->io_ops.io_mapper, dev, 0x20, 0, PS_MEM_NORMAL);
    assert_non_null(regs);
    regs[1] = 0xdeadbeef;
    assert_int_equal(*(uint32_t *)sel4kvm_sim_paddr_to_host(dev + 4, 4), 0xdeadbeef);
    /* the same frame cannot be handed out twice while mapped */
    assert_null(ps_io_map(&env->io_ops.io_mapper, dev, 4, 0, PS_MEM_NORMAL));
    ps_io_unmap(&env->io_ops.io_mapper, (void *)regs, 0x20);
    regs = ps_io_map(&env->io_ops.io_mapper, dev, 4, 0, PS_MEM_NORMAL);
    assert_non_null(regs);
    assert_int_equal(regs[1], 0xdeadbeef);
}

static void test_io_map_spanning_pages(void **state)
{
    sel4kvm_env_t *env = *state;
    uintptr_t dev = SEL4KVM_SIM_DEFAULT_DEVICE_BASE + 0x10ffc;
    volatile uint8_t *p = ps_io_map(&env->io_ops.io_mapper, dev, 8, 0, PS_MEM_NORMAL);
    assert_non_null(p);
    p[7] = 0x42;
    assert_int_equal(*(uint8_t *)sel4kvm_sim_paddr_to_host(dev + 7, 1), 0x42);
    ps_io_unmap(&env->io_ops.io_mapper, (void *)p, 8);
}

static void test_io_map_bad_input(void **state)
{
    sel4kvm_env_t *env = *state;
    assert_null(ps_io_map(&env->io_ops.io_mapper, SEL4KVM_SIM_DEFAULT_DEVICE_BASE, 0, 0, PS_MEM_NORMAL));
    assert_null(ps_io_map(&env->io_ops.io_mapper, ~0ul - 10, 100, 0, PS_MEM_NORMAL));
    assert_null(ps_io_map(&env->io_ops.io_mapper, 0x10, 4, 0, PS_MEM_NORMAL)); /* no memory there */
    assert_null(ps_io_map(NULL, SEL4KVM_SIM_DEFAULT_DEVICE_BASE, 4, 0, PS_MEM_NORMAL));
    ps_io_unmap(&env->io_ops.io_mapper, (void *)0x1000, 4); /* logged, ignored */
}

static void test_malloc_ops(void **state)
{
    sel4kvm_env_t *env = *state;
    void *p = NULL;
    assert_int_equal(ps_calloc(&env->io_ops.malloc_ops, 4, 8, &p), 0);
    assert_non_null(p);
    assert_int_equal(((uint64_t *)p)[3], 0);
    assert_int_equal(ps_free(&env->io_ops.malloc_ops, 32, p), 0);
    assert_int_equal(ps_malloc(&env->io_ops.malloc_ops, 16, &p), 0);
    assert_int_equal(ps_free(&env->io_ops.malloc_ops, 16, p), 0);
    assert_int_equal(ps_malloc(&env->io_ops.malloc_ops, 0, &p), -EINVAL);
    assert_int_equal(ps_malloc(NULL, 16, &p), -EINVAL);
    assert_int_equal(ps_calloc(&env->io_ops.malloc_ops, 0, 8, &p), -EINVAL);
    assert_int_equal(ps_free(&env->io_ops.malloc_ops, 0, NULL), -EINVAL);
    assert_int_equal(ps_calloc(&env->io_ops.malloc_ops, ~0ul, 16, &p), -ENOMEM);
}

static void test_env_init_bad_input(void **state)
{
    (void)state;
    assert_int_equal(sel4kvm_env_init(NULL, NULL), -1);
    sel4kvm_env_t other;
    /* one environment at a time */
    assert_int_equal(sel4kvm_env_init(&other, NULL), -1);
    sel4kvm_env_destroy(NULL);
}

static void test_env_create_destroy_leaves_nothing_behind(void **state)
{
    sel4kvm_env_t *env = *state;
    sel4kvm_env_destroy(env);
    size_t fds = 0, maps = 0;
    /* The baseline is taken after two cycles: the first ones grow what stays for good (malloc's heap). */
    for (int i = -2; i < 50; i++) {
        if (i == 0) {
            fds = count_fds();
            maps = count_maps();
        }
        assert_int_equal(sel4kvm_env_init(env, NULL), 0);
        vka_object_t frame;
        assert_int_equal(vka_alloc_frame(&env->vka, seL4_LargePageBits, &frame), 0);
        seL4_CPtr cap = frame.cptr;
        char *p = vspace_map_pages(&env->vspace, &cap, NULL, seL4_AllRights, 1, seL4_LargePageBits, 1);
        assert_non_null(p);
        p[0] = 1;
        void *dev = ps_io_map(&env->io_ops.io_mapper, SEL4KVM_SIM_DEFAULT_DEVICE_BASE, 4096, 0, PS_MEM_NORMAL);
        assert_non_null(dev);
        sel4kvm_env_destroy(env);
    }
    assert_int_equal(count_fds(), fds);
    assert_int_equal(count_maps(), maps);
    assert_int_equal(sel4kvm_env_init(env, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_env_gives_a_working_allocator_and_vmm_vspace, env_up, env_down),
        cmocka_unit_test_setup_teardown(test_env_host_endpoint_is_a_notification, env_up, env_down),
        cmocka_unit_test_setup_teardown(test_env_simple_describes_the_boot_untypeds, env_up, env_down),
        cmocka_unit_test_setup_teardown(test_io_map_maps_device_memory, env_up, env_down),
        cmocka_unit_test_setup_teardown(test_io_map_spanning_pages, env_up, env_down),
        cmocka_unit_test_setup_teardown(test_io_map_bad_input, env_up, env_down),
        cmocka_unit_test_setup_teardown(test_malloc_ops, env_up, env_down),
        cmocka_unit_test_setup_teardown(test_env_init_bad_input, env_up, env_down),
        cmocka_unit_test_setup_teardown(test_env_create_destroy_leaves_nothing_behind, env_up, env_down),
    };
    return cmocka_run_group_tests_name("env", tests, NULL, NULL);
}
