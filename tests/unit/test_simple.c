/* The simple layer: upstream-shaped wrappers and the simulated kernel's simple_t over its boot information. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "quiet_log.h"
#include <sel4/sel4.h>
#include <sel4kvm/allocator.h>
#include <sel4kvm/log.h>
#include <sel4kvm/sim.h>
#include <simple/simple.h>
#include <utils/util.h>

static simple_t simple;

static int setup(void **state)
{
    (void)state;
    if (sel4kvm_sim_init(NULL) != 0) {
        return -1;
    }
    return sel4kvm_simple_init(&simple);
}

static int teardown(void **state)
{
    (void)state;
    sel4kvm_simple_destroy(&simple);
    sel4kvm_sim_shutdown();
    return 0;
}

#define SIMPLE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* The simulated implementation */

static void test_init_rejects_null_simple(void **state)
{
    (void)state;
    assert_logs_error(assert_int_equal(sel4kvm_simple_init(NULL), -1));
}

static void test_init_without_a_kernel_fails(void **state)
{
    (void)state;
    simple_t s;
    assert_logs_error(assert_int_equal(sel4kvm_simple_init(&s), -1));
}

static void test_untyped_count_matches_bootinfo(void **state)
{
    (void)state;
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    assert_int_equal(simple_get_untyped_count(&simple), bi->untyped.end - bi->untyped.start);
    assert_true(simple_get_untyped_count(&simple) > 1);
}

static void test_nth_untyped_describes_each_boot_untyped(void **state)
{
    (void)state;
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    int n = simple_get_untyped_count(&simple);
    for (int i = 0; i < n; i++) {
        size_t size_bits = 0;
        uintptr_t paddr = 0;
        bool device = true;
        seL4_CPtr cap = simple_get_nth_untyped(&simple, i, &size_bits, &paddr, &device);
        assert_int_equal(cap, bi->untyped.start + (seL4_Word)i);
        assert_int_equal(size_bits, bi->untypedList[i].sizeBits);
        assert_int_equal(paddr, bi->untypedList[i].paddr);
        assert_int_equal(device, bi->untypedList[i].isDevice != 0);
    }
}

static void test_nth_untyped_caps_are_retypable_untypeds(void **state)
{
    (void)state;
    size_t size_bits;
    uintptr_t paddr;
    bool device;
    seL4_CPtr cap = simple_get_nth_untyped(&simple, 0, &size_bits, &paddr, &device);
    assert_false(device);
    seL4_CPtr slot = sel4kvm_sim_bootinfo()->empty.start;
    assert_int_equal(seL4_Untyped_Retype(cap, seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, slot, 1), seL4_NoError);
    assert_int_equal(seL4_X86_Page_GetAddress(slot).paddr, paddr);
}

static void test_untypeds_cover_ram_and_device_memory(void **state)
{
    (void)state;
    uint64_t ram = 0, dev = 0;
    for (int i = 0; i < simple_get_untyped_count(&simple); i++) {
        size_t size_bits;
        uintptr_t paddr;
        bool device;
        simple_get_nth_untyped(&simple, i, &size_bits, &paddr, &device);
        if (device) {
            assert_true(paddr >= SEL4KVM_SIM_DEFAULT_DEVICE_BASE);
            dev += BIT(size_bits);
        } else {
            ram += BIT(size_bits);
        }
    }
    assert_int_equal(ram, SEL4KVM_SIM_DEFAULT_RAM_SIZE);
    assert_int_equal(dev, SEL4KVM_SIM_DEFAULT_DEVICE_SIZE);
}

static void test_nth_untyped_accepts_null_outputs(void **state)
{
    (void)state;
    assert_int_equal(simple_get_nth_untyped(&simple, 0, NULL, NULL, NULL), sel4kvm_sim_bootinfo()->untyped.start);
}

static void test_nth_untyped_out_of_range_is_null(void **state)
{
    (void)state;
    size_t size_bits = 99;
    int n = simple_get_untyped_count(&simple);
    assert_logs_error(assert_int_equal(simple_get_nth_untyped(&simple, n, &size_bits, NULL, NULL), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_nth_untyped(&simple, -1, &size_bits, NULL, NULL), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_nth_untyped(&simple, INT32_MAX, NULL, NULL, NULL), seL4_CapNull));
    assert_int_equal(size_bits, 99);
}

static void test_init_caps_are_at_their_seL4_slots(void **state)
{
    (void)state;
    assert_int_equal(simple_get_cnode(&simple), seL4_CapInitThreadCNode);
    assert_int_equal(simple_get_tcb(&simple), seL4_CapInitThreadTCB);
    assert_int_equal(simple_get_pd(&simple), seL4_CapInitThreadVSpace);
    assert_int_equal(simple_get_irq_ctrl(&simple), seL4_CapIRQControl);
    assert_int_equal(simple_get_init_cap(&simple, seL4_CapInitThreadASIDPool), seL4_CapInitThreadASIDPool);
    assert_int_equal(simple_init_cap(&simple, seL4_CapIOPortControl), seL4_CapIOPortControl);
}

static void test_init_cap_outside_the_initial_caps_is_null(void **state)
{
    (void)state;
    assert_logs_error(assert_int_equal(simple_get_init_cap(&simple, seL4_NumInitialCaps), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_init_cap(&simple, ~0ul), seL4_CapNull));
}

static void test_cnode_from_simple_is_the_root_cnode(void **state)
{
    (void)state;
    seL4_CPtr slot = sel4kvm_sim_bootinfo()->empty.start;
    assert_int_equal(seL4_CNode_Copy(simple_get_cnode(&simple), slot, seL4_WordBits, simple_get_cnode(&simple),
                                     simple_get_tcb(&simple), seL4_WordBits, seL4_AllRights),
                     seL4_NoError);
}

static void test_cnode_size_bits_is_the_root_cnode_radix(void **state)
{
    (void)state;
    assert_int_equal(simple_get_cnode_size_bits(&simple), SEL4KVM_SIM_DEFAULT_CNODE_BITS);
}

static void test_core_count_is_one(void **state)
{
    (void)state;
    assert_int_equal(simple_get_core_count(&simple), 1);
}

static void test_sc_is_null_without_mcs(void **state)
{
    (void)state;
    assert_int_equal(simple_get_sc(&simple), seL4_CapNull);
}

static void test_print_writes_the_untyped_list(void **state)
{
    (void)state;
    char path[] = "/tmp/test_simple_print_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    simple_print(&simple);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    char text[8192] = { 0 };
    ssize_t len = pread(fd, text, sizeof(text) - 1, 0);
    close(fd);
    unlink(path);
    assert_true(len > 0);
    assert_non_null(strstr(text, "untyped"));
    assert_non_null(strstr(text, "device"));
}

static void test_operations_fail_after_kernel_shutdown(void **state)
{
    (void)state;
    sel4kvm_sim_shutdown();
    assert_logs_error(assert_int_equal(simple_get_untyped_count(&simple), -1));
    assert_logs_error(assert_int_equal(simple_get_nth_untyped(&simple, 0, NULL, NULL, NULL), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_cnode(&simple), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_cnode_size_bits(&simple), 0));
    assert_logs_error(assert_int_equal(simple_get_core_count(&simple), -1));
    assert_logs_error(simple_print(&simple));
}

static void test_destroy_clears_the_simple_and_tolerates_null(void **state)
{
    (void)state;
    sel4kvm_simple_destroy(&simple);
    sel4kvm_simple_destroy(NULL);
    assert_null(simple.untyped_count);
    assert_logs_error(assert_int_equal(simple_get_untyped_count(&simple), -1));
}

static void test_unprovided_operations_fail_through_their_wrappers(void **state)
{
    (void)state;
    cspacepath_t path = { 0 };
    seL4_CPtr cap;
    seL4_Word offset;
    assert_logs_error(
        assert_int_equal(simple_get_frame_cap(&simple, (void *)0x100000, 12, &path), seL4_InvalidArgument));
    assert_logs_error(assert_null(simple_get_frame_vaddr(&simple, (void *)0x100000, 12)));
    assert_logs_error(assert_null(simple_get_frame_info(&simple, (void *)0x100000, 12, &cap, &offset)));
    assert_logs_error(assert_int_equal(simple_get_IRQ_handler(&simple, 3, path), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(simple_ASIDPool_assign(&simple, 3), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(simple_get_IOPort_cap(&simple, 0x3f8, 0x3ff), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_cap_count(&simple), -1));
    assert_logs_error(assert_int_equal(simple_get_nth_cap(&simple, 0), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_userimage_count(&simple), -1));
    assert_logs_error(assert_int_equal(simple_get_nth_userimage(&simple, 0), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_sched_ctrl(&simple, 0), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_extended_bootinfo_length(&simple, 1), -1));
    assert_logs_error(assert_int_equal(simple_get_extended_bootinfo(&simple, 1, &offset, sizeof(offset)), -1));
    assert_logs_error(
        assert_int_equal(arch_simple_get_msi(&simple.arch_simple, path, 0, 0, 0, 0, 0), seL4_InvalidArgument));
    assert_logs_error(
        assert_int_equal(arch_simple_get_ioapic(&simple.arch_simple, path, 0, 0, 0, 0, 0), seL4_InvalidArgument));
}

/* The wrappers over any implementation */

static void test_wrappers_reject_a_null_simple(void **state)
{
    (void)state;
    cspacepath_t path = { 0 };
    seL4_CPtr cap;
    seL4_Word offset;
    assert_logs_error(assert_int_equal(simple_get_untyped_count(NULL), -1));
    assert_logs_error(assert_int_equal(simple_get_nth_untyped(NULL, 0, NULL, NULL, NULL), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_init_cap(NULL, 2), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_cnode(NULL), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_pd(NULL), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_cnode_size_bits(NULL), -1));
    assert_logs_error(assert_int_equal(simple_get_core_count(NULL), -1));
    assert_logs_error(simple_print(NULL));
    assert_logs_error(assert_int_equal(simple_get_frame_cap(NULL, NULL, 12, &path), seL4_InvalidArgument));
    assert_logs_error(assert_null(simple_get_frame_vaddr(NULL, NULL, 12)));
    assert_logs_error(assert_null(simple_get_frame_info(NULL, NULL, 12, &cap, &offset)));
    assert_logs_error(assert_int_equal(simple_get_IRQ_handler(NULL, 1, path), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(simple_ASIDPool_assign(NULL, 3), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(simple_get_IOPort_cap(NULL, 0, 1), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_cap_count(NULL), -1));
    assert_logs_error(assert_int_equal(simple_get_nth_cap(NULL, 0), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_userimage_count(NULL), -1));
    assert_logs_error(assert_int_equal(simple_get_nth_userimage(NULL, 0), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_sched_ctrl(NULL, 0), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_extended_bootinfo_length(NULL, 1), -1));
    assert_logs_error(assert_int_equal(simple_get_extended_bootinfo(NULL, 1, NULL, 0), -1));
    assert_logs_error(assert_int_equal(arch_simple_get_IOPort_cap(NULL, 0, 1), seL4_CapNull));
    assert_logs_error(assert_int_equal(arch_simple_get_msi(NULL, path, 0, 0, 0, 0, 0), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(arch_simple_get_ioapic(NULL, path, 0, 0, 0, 0, 0), seL4_InvalidArgument));
}

/* A hand-built implementation, to check that wrappers pass arguments and cookies through. */

struct fake {
    int last_n;
    seL4_CPtr last_vspace;
    uint16_t ports[2];
    seL4_Word irq_index;
};

static seL4_CPtr fake_nth_cap(void *data, int n)
{
    ((struct fake *)data)->last_n = n;
    return 100 + (seL4_CPtr)n;
}

static int fake_core_count(UNUSED void *data)
{
    return 2;
}

static seL4_CPtr fake_sched_ctrl(UNUSED void *data, int core)
{
    return 200 + (seL4_CPtr)core;
}

static seL4_Error fake_asid_assign(void *data, seL4_CPtr vspace)
{
    ((struct fake *)data)->last_vspace = vspace;
    return seL4_NoError;
}

static seL4_CPtr fake_ioport(void *data, uint16_t start, uint16_t end)
{
    struct fake *f = data;
    f->ports[0] = start;
    f->ports[1] = end;
    return 7;
}

static seL4_Error fake_irq(void *data, UNUSED int irq, UNUSED seL4_CNode cnode, seL4_Word index, UNUSED uint8_t depth)
{
    ((struct fake *)data)->irq_index = index;
    return seL4_NoError;
}

static void test_wrappers_pass_arguments_to_the_implementation(void **state)
{
    (void)state;
    struct fake f = { 0 };
    simple_t s = {
        .data = &f,
        .nth_cap = fake_nth_cap,
        .core_count = fake_core_count,
        .sched_ctrl = fake_sched_ctrl,
        .ASID_assign = fake_asid_assign,
        .arch_simple = { .data = &f, .IOPort_cap = fake_ioport, .irq = fake_irq },
    };
    assert_int_equal(simple_get_nth_cap(&s, 5), 105);
    assert_int_equal(f.last_n, 5);
    assert_int_equal(simple_ASIDPool_assign(&s, 42), seL4_NoError);
    assert_int_equal(f.last_vspace, 42);
    assert_int_equal(simple_get_IOPort_cap(&s, 0x60, 0x64), 7);
    assert_int_equal(f.ports[0], 0x60);
    assert_int_equal(f.ports[1], 0x64);
    assert_int_equal(simple_get_IRQ_handler(&s, 4, (cspacepath_t){ .capPtr = 33 }), seL4_NoError);
    assert_int_equal(f.irq_index, 33);
    assert_int_equal(simple_get_sched_ctrl(&s, 1), 201);
}

static void test_sched_ctrl_rejects_cores_outside_the_core_count(void **state)
{
    (void)state;
    struct fake f = { 0 };
    simple_t s = { .data = &f, .core_count = fake_core_count, .sched_ctrl = fake_sched_ctrl };
    assert_logs_error(assert_int_equal(simple_get_sched_ctrl(&s, 2), seL4_CapNull));
    assert_logs_error(assert_int_equal(simple_get_sched_ctrl(&s, -1), seL4_CapNull));
    simple_t no_cores = { .data = &f, .sched_ctrl = fake_sched_ctrl };
    assert_logs_error(assert_int_equal(simple_get_sched_ctrl(&no_cores, 0), seL4_CapNull));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_null_simple),
        cmocka_unit_test(test_init_without_a_kernel_fails),
        SIMPLE_TEST(test_untyped_count_matches_bootinfo),
        SIMPLE_TEST(test_nth_untyped_describes_each_boot_untyped),
        SIMPLE_TEST(test_nth_untyped_caps_are_retypable_untypeds),
        SIMPLE_TEST(test_untypeds_cover_ram_and_device_memory),
        SIMPLE_TEST(test_nth_untyped_accepts_null_outputs),
        SIMPLE_TEST(test_nth_untyped_out_of_range_is_null),
        SIMPLE_TEST(test_init_caps_are_at_their_seL4_slots),
        SIMPLE_TEST(test_init_cap_outside_the_initial_caps_is_null),
        SIMPLE_TEST(test_cnode_from_simple_is_the_root_cnode),
        SIMPLE_TEST(test_cnode_size_bits_is_the_root_cnode_radix),
        SIMPLE_TEST(test_core_count_is_one),
        SIMPLE_TEST(test_sc_is_null_without_mcs),
        SIMPLE_TEST(test_print_writes_the_untyped_list),
        SIMPLE_TEST(test_operations_fail_after_kernel_shutdown),
        SIMPLE_TEST(test_destroy_clears_the_simple_and_tolerates_null),
        SIMPLE_TEST(test_unprovided_operations_fail_through_their_wrappers),
        cmocka_unit_test(test_wrappers_reject_a_null_simple),
        cmocka_unit_test(test_wrappers_pass_arguments_to_the_implementation),
        cmocka_unit_test(test_sched_ctrl_rejects_cores_outside_the_core_count),
    };
    return cmocka_run_group_tests_name("simple", tests, quiet_group, loud_group);
}
