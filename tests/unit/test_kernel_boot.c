/* Kernel start-up and teardown: boot information, configuration checks, physmap access, no leaks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "leak_check.h"
#include "sim_fixture.h"

static void test_bootinfo_untypeds_cover_ram_and_device_memory(void **state)
{
    (void)state;
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    uint64_t ram = 0, dev = 0;
    unsigned sizes = 0;
    uintptr_t prev_end = 0;
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        assert_true(IS_ALIGNED(d->paddr, d->sizeBits));
        if (i > 0 && !d->isDevice) {
            assert_int_equal(d->paddr, prev_end);
        }
        prev_end = d->paddr + BIT(d->sizeBits);
        *(d->isDevice ? &dev : &ram) += BIT(d->sizeBits);
        sizes |= 1u << (d->sizeBits - 20);
    }
    assert_int_equal(ram, SEL4KVM_SIM_DEFAULT_RAM_SIZE);
    assert_int_equal(dev, SEL4KVM_SIM_DEFAULT_DEVICE_SIZE);
    assert_true(__builtin_popcount(sizes) >= 4);
    assert_int_equal(bi->untypedList[0].paddr, SEL4KVM_SIM_DEFAULT_RAM_BASE);
}

static void test_bootinfo_slots_are_consistent(void **state)
{
    (void)state;
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    assert_int_equal(bi->untyped.start, seL4_NumInitialCaps);
    assert_int_equal(bi->empty.start, bi->untyped.end);
    assert_int_equal(bi->empty.end, BIT(bi->initThreadCNodeSizeBits));
    assert_int_equal(bi->initThreadCNodeSizeBits, SEL4KVM_SIM_DEFAULT_CNODE_BITS);
    /* the boot caps are there: the untypeds are untyped, the first empty slot is empty */
    assert_int_equal(seL4_Untyped_Retype(bi->untyped.start, seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0,
                                         bi->empty.start, 1),
                     seL4_NoError);
    assert_int_equal(seL4_CNode_Delete(seL4_CapInitThreadCNode, bi->empty.start, seL4_WordBits), seL4_NoError);
}

static void test_second_init_is_refused(void **state)
{
    (void)state;
    assert_int_equal(sel4kvm_sim_init(NULL), -1);
    assert_true(sel4kvm_sim_running());
}

static void test_shutdown_and_restart_leak_nothing(void **state)
{
    (void)state;
    sel4kvm_sim_shutdown();
    assert_false(sel4kvm_sim_running());
    assert_null(sel4kvm_sim_bootinfo());
    size_t fds = count_fds(), maps = count_maps();
    for (int round = 0; round < 20; round++) {
        assert_int_equal(sel4kvm_sim_init(NULL), 0);
        seL4_CPtr ut = find_untyped(20, false, NULL);
        seL4_CPtr slot = sel4kvm_sim_bootinfo()->empty.start;
        assert_int_equal(seL4_Untyped_Retype(ut, seL4_NotificationObject, 0, seL4_CapInitThreadCNode, 0, 0, slot, 1),
                         seL4_NoError);
        int fd = sel4kvm_notification_export(slot);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(seL4_Untyped_Retype(ut, seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, slot + 1, 1),
                         seL4_NoError);
        uintptr_t win;
        size_t size;
        assert_int_equal(sel4kvm_sim_vmm_window(&win, &size), 0);
        assert_int_equal(seL4_X86_Page_Map(slot + 1, seL4_CapInitThreadVSpace, win, seL4_AllRights, 0), seL4_NoError);
        sel4kvm_sim_shutdown();
    }
    assert_int_equal(count_fds(), fds);
    assert_int_equal(count_maps(), maps);
    assert_int_equal(sel4kvm_sim_init(NULL), 0);
}

static void test_invocations_without_a_kernel_fail_cleanly(void **state)
{
    (void)state;
    sel4kvm_sim_shutdown();
    assert_int_equal(seL4_Untyped_Retype(20, seL4_X86_4K, 0, 2, 0, 0, 100, 1), seL4_IllegalOperation);
    assert_int_equal(seL4_CNode_Delete(2, 100, 64), seL4_IllegalOperation);
    assert_int_equal(seL4_X86_Page_Unmap(100), seL4_IllegalOperation);
    assert_int_equal(seL4_X86_Page_GetAddress(100).error, seL4_IllegalOperation);
    seL4_Signal(100);
    seL4_Word badge = 3;
    seL4_Poll(100, &badge);
    assert_int_equal(badge, 0);
    assert_null(sel4kvm_sim_paddr_to_host(SEL4KVM_SIM_DEFAULT_RAM_BASE, 1));
    assert_int_equal(sel4kvm_sim_cap_count(), 0);
    assert_int_equal(sel4kvm_sim_init(NULL), 0);
}

static void test_config_validation(void **state)
{
    (void)state;
    sel4kvm_sim_shutdown();
    sel4kvm_sim_config_t unaligned = { .ram_size = 4096 + 1 };
    assert_int_equal(sel4kvm_sim_init(&unaligned), -1);
    sel4kvm_sim_config_t overlap = {
        .ram_base = 1ul << 30, .ram_size = 1ul << 30, .device_base = (3ul << 29), .device_size = 1ul << 20
    };
    assert_int_equal(sel4kvm_sim_init(&overlap), -1);
    sel4kvm_sim_config_t wrap = { .ram_base = ~0ul - 4095, .ram_size = 8192 };
    assert_int_equal(sel4kvm_sim_init(&wrap), -1);
    sel4kvm_sim_config_t cnode = { .cnode_bits = 40 };
    assert_int_equal(sel4kvm_sim_init(&cnode), -1);
    sel4kvm_sim_config_t window = { .vmm_window_size = 4096 };
    assert_int_equal(sel4kvm_sim_init(&window), -1);
    assert_false(sel4kvm_sim_running());
    sel4kvm_sim_config_t small = { .ram_base = 0x100000,
                                   .ram_size = 64ul << 20,
                                   .device_base = 1ul << 32,
                                   .device_size = 1ul << 20,
                                   .cnode_bits = 12 };
    assert_int_equal(sel4kvm_sim_init(&small), 0);
    assert_int_equal(sel4kvm_sim_bootinfo()->initThreadCNodeSizeBits, 12);
    assert_non_null(sel4kvm_sim_paddr_to_host((1ul << 32) + 4095, 1));
    assert_null(sel4kvm_sim_paddr_to_host((1ul << 32) + (1ul << 20), 1));
}

static void test_physmap_and_fd_lookup(void **state)
{
    (void)state;
    uintptr_t base = SEL4KVM_SIM_DEFAULT_RAM_BASE;
    uint8_t *p = sel4kvm_sim_paddr_to_host(base + 8192, 16);
    assert_non_null(p);
    p[0] = 0x77;
    int fd;
    off_t off;
    assert_int_equal(sel4kvm_sim_paddr_to_fd(base + 8192, &fd, &off), 0);
    uint8_t byte = 0;
    assert_int_equal(pread(fd, &byte, 1, off), 1);
    assert_int_equal(byte, 0x77);
    /* bad input: outside every bank, straddling the end, zero size, NULL outputs */
    assert_null(sel4kvm_sim_paddr_to_host(0, 1));
    assert_null(sel4kvm_sim_paddr_to_host(base + SEL4KVM_SIM_DEFAULT_RAM_SIZE - 1, 2));
    assert_null(sel4kvm_sim_paddr_to_host(base, 0));
    assert_null(sel4kvm_sim_paddr_to_host(~0ul, ~0ul));
    assert_int_equal(sel4kvm_sim_paddr_to_fd(0, &fd, &off), -1);
    assert_int_equal(sel4kvm_sim_paddr_to_fd(base, NULL, &off), -1);
    assert_int_equal(sel4kvm_sim_vmm_window(NULL, NULL), -1);
}

static unsigned long resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    unsigned long size, resident;
    assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
    fclose(f);
    return resident * (unsigned long)sysconf(_SC_PAGESIZE);
}

static void test_ram_is_lazy(void **state)
{
    (void)state;
    /* four GiB of RAM and a four-million-slot root CNode cost almost nothing until touched; measured against the
     * same process without a kernel, since the process alone may be large (valgrind, sanitizers) */
    sel4kvm_sim_shutdown();
    unsigned long before = resident_bytes();
    assert_int_equal(sel4kvm_sim_init(NULL), 0);
    assert_true(resident_bytes() - before < (64ul << 20));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_bootinfo_untypeds_cover_ram_and_device_memory),
        FIXTURE_TEST(test_bootinfo_slots_are_consistent),
        FIXTURE_TEST(test_second_init_is_refused),
        FIXTURE_TEST(test_shutdown_and_restart_leak_nothing),
        FIXTURE_TEST(test_invocations_without_a_kernel_fail_cleanly),
        FIXTURE_TEST(test_config_validation),
        FIXTURE_TEST(test_physmap_and_fd_lookup),
        FIXTURE_TEST(test_ram_is_lazy),
    };
    return cmocka_run_group_tests_name("kernel: boot", tests, NULL, NULL);
}
