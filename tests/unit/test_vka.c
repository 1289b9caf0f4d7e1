/* The vka layer: upstream-shaped wrappers and helpers, and the simulated kernel's buddy allocator under them. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "quiet_log.h"
#include <sel4/sel4.h>
#include <sel4kvm/allocator.h>
#include <sel4kvm/log.h>
#include <sel4kvm/sim.h>
#include <utils/util.h>
#include <vka/capops.h>
#include <vka/kobject_t.h>
#include <vka/object.h>
#include <vka/object_capops.h>
#include <vka/vka.h>

static vka_t vka;

static int boot_with(const sel4kvm_sim_config_t *config)
{
    if (sel4kvm_sim_init(config) != 0) {
        return -1;
    }
    return sel4kvm_vka_init(&vka);
}

static int setup(void **state)
{
    (void)state;
    return boot_with(NULL);
}

/* 1 MiB of RAM (one untyped) and 2 MiB of device memory: small enough to exhaust. */
static const sel4kvm_sim_config_t small_machine = {
    .ram_base = 1ull << 20,
    .ram_size = 1ull << 20,
    .device_base = 1ull << 30,
    .device_size = 2ull << 20,
};

static int setup_small(void **state)
{
    (void)state;
    return boot_with(&small_machine);
}

/* A root CNode of 2^8 slots, to run out of slots. */
static int setup_few_slots(void **state)
{
    (void)state;
    sel4kvm_sim_config_t config = { .cnode_bits = 8 };
    return boot_with(&config);
}

static int teardown(void **state)
{
    (void)state;
    sel4kvm_vka_destroy(&vka);
    sel4kvm_sim_shutdown();
    return 0;
}

#define VKA_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define SMALL_TEST(f) cmocka_unit_test_setup_teardown(f, setup_small, teardown)

/* Evaluates stmt and asserts it logged at least one error. */
static bool slot_holds_cap(seL4_CPtr slot)
{
    return seL4_CNode_Move(seL4_CapInitThreadCNode, slot, seL4_WordBits, seL4_CapInitThreadCNode, slot,
                           seL4_WordBits) == seL4_DeleteFirst;
}

static uintptr_t frame_paddr(seL4_CPtr frame)
{
    seL4_X86_Page_GetAddress_t r = seL4_X86_Page_GetAddress(frame);
    assert_int_equal(r.error, seL4_NoError);
    return r.paddr;
}

static bool is_device_paddr(uintptr_t paddr)
{
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        if (paddr >= d->paddr && paddr - d->paddr < BIT(d->sizeBits)) {
            return d->isDevice;
        }
    }
    fail_msg("paddr %lx is in no untyped", (unsigned long)paddr);
    return false;
}

static vka_object_t frame(uint32_t size_bits)
{
    vka_object_t o;
    assert_int_equal(vka_alloc_frame(&vka, size_bits, &o), 0);
    return o;
}

/* vka_t wrappers */

static void test_init_rejects_null_vka_and_missing_kernel(void **state)
{
    (void)state;
    assert_logs_error(assert_int_equal(sel4kvm_vka_init(NULL), -1));
    teardown(state);
    vka_t other;
    assert_logs_error(assert_int_equal(sel4kvm_vka_init(&other), -1));
}

static void test_destroy_clears_vka_and_tolerates_null_and_repeat(void **state)
{
    (void)state;
    sel4kvm_vka_destroy(&vka);
    assert_null(vka.data);
    assert_null(vka.cspace_alloc);
    sel4kvm_vka_destroy(&vka);
    sel4kvm_vka_destroy(NULL);
    seL4_CPtr slot;
    assert_logs_error(assert_int_equal(vka_cspace_alloc(&vka, &slot), -1));
}

static void test_cspace_alloc_returns_distinct_slots_in_the_empty_region(void **state)
{
    (void)state;
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    seL4_CPtr a, b;
    assert_int_equal(vka_cspace_alloc(&vka, &a), 0);
    assert_int_equal(vka_cspace_alloc(&vka, &b), 0);
    assert_int_not_equal(a, b);
    assert_in_range(a, bi->empty.start, bi->empty.end - 1);
    assert_in_range(b, bi->empty.start, bi->empty.end - 1);
    assert_false(slot_holds_cap(a));
}

static void test_cspace_free_then_alloc_reuses_the_slot(void **state)
{
    (void)state;
    seL4_CPtr a, b, c;
    assert_int_equal(vka_cspace_alloc(&vka, &a), 0);
    assert_int_equal(vka_cspace_alloc(&vka, &b), 0);
    vka_cspace_free(&vka, a);
    assert_int_equal(vka_cspace_alloc(&vka, &c), 0);
    assert_int_equal(c, a);
}

static void test_cspace_alloc_rejects_null_vka_result_and_missing_operation(void **state)
{
    (void)state;
    seL4_CPtr slot;
    assert_logs_error(assert_int_equal(vka_cspace_alloc(NULL, &slot), -1));
    assert_logs_error(assert_int_equal(vka_cspace_alloc(&vka, NULL), -1));
    vka_t empty = { 0 };
    assert_logs_error(assert_int_equal(vka_cspace_alloc(&empty, &slot), -1));
}

static void test_cspace_make_path_names_a_root_cnode_slot(void **state)
{
    (void)state;
    seL4_CPtr slot;
    assert_int_equal(vka_cspace_alloc(&vka, &slot), 0);
    cspacepath_t path;
    vka_cspace_make_path(&vka, slot, &path);
    assert_int_equal(path.capPtr, slot);
    assert_int_equal(path.capDepth, seL4_WordBits);
    assert_int_equal(path.root, seL4_CapInitThreadCNode);
    assert_int_equal(path.dest, 0);
    assert_int_equal(path.destDepth, 0);
    assert_int_equal(path.offset, slot);
    assert_int_equal(path.window, 1);
}

static void test_cspace_make_path_with_bad_arguments_zeroes_the_path(void **state)
{
    (void)state;
    cspacepath_t path = { .capPtr = 77 };
    assert_logs_error(vka_cspace_make_path(NULL, 5, &path));
    assert_int_equal(path.capPtr, 0);
    path.capPtr = 77;
    vka_t empty = { 0 };
    assert_logs_error(vka_cspace_make_path(&empty, 5, &path));
    assert_int_equal(path.capPtr, 0);
    assert_logs_error(vka_cspace_make_path(&vka, 5, NULL));
    assert_logs_error(vka.cspace_make_path(vka.data, 5, NULL));
}

static void test_cspace_alloc_path_allocates_and_describes_a_slot(void **state)
{
    (void)state;
    cspacepath_t path;
    assert_int_equal(vka_cspace_alloc_path(&vka, &path), 0);
    assert_int_not_equal(path.capPtr, 0);
    assert_int_equal(path.offset, path.capPtr);
    assert_false(slot_holds_cap(path.capPtr));
    vka_cspace_free_path(&vka, path);
    seL4_CPtr again;
    assert_int_equal(vka_cspace_alloc(&vka, &again), 0);
    assert_int_equal(again, path.capPtr);
}

static void test_cspace_alloc_path_with_bad_arguments_allocates_nothing(void **state)
{
    (void)state;
    seL4_CPtr before, after;
    assert_int_equal(vka_cspace_alloc(&vka, &before), 0);
    vka_cspace_free(&vka, before);
    assert_logs_error(assert_int_not_equal(vka_cspace_alloc_path(&vka, NULL), 0));
    cspacepath_t path;
    assert_logs_error(assert_int_not_equal(vka_cspace_alloc_path(NULL, &path), 0));
    vka_t no_path = vka;
    no_path.cspace_make_path = NULL;
    assert_logs_error(assert_int_not_equal(vka_cspace_alloc_path(&no_path, &path), 0));
    assert_int_equal(vka_cspace_alloc(&vka, &after), 0);
    assert_int_equal(after, before);
}

static void test_cspace_free_refuses_a_slot_that_still_holds_a_cap(void **state)
{
    (void)state;
    vka_object_t ntfn;
    assert_int_equal(vka_alloc_notification(&vka, &ntfn), 0);
    assert_logs_error(vka_cspace_free(&vka, ntfn.cptr));
    seL4_CPtr next;
    assert_int_equal(vka_cspace_alloc(&vka, &next), 0);
    assert_int_not_equal(next, ntfn.cptr);
}

static void test_cspace_free_refuses_double_free(void **state)
{
    (void)state;
    seL4_CPtr a, b, c;
    assert_int_equal(vka_cspace_alloc(&vka, &a), 0);
    vka_cspace_free(&vka, a);
    assert_logs_error(vka_cspace_free(&vka, a));
    assert_int_equal(vka_cspace_alloc(&vka, &b), 0);
    assert_int_equal(vka_cspace_alloc(&vka, &c), 0);
    assert_int_not_equal(b, c);
}

static void test_cspace_free_refuses_slots_it_never_gave_out(void **state)
{
    (void)state;
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    assert_logs_error(vka_cspace_free(&vka, 0));
    assert_logs_error(vka_cspace_free(&vka, seL4_CapInitThreadCNode));
    assert_logs_error(vka_cspace_free(&vka, bi->empty.start + 1000));
    assert_logs_error(vka_cspace_free(&vka, ~0ul));
    assert_true(slot_holds_cap(seL4_CapInitThreadCNode));
}

static void test_cspace_free_tolerates_null_vka_and_missing_operation(void **state)
{
    (void)state;
    assert_logs_error(vka_cspace_free(NULL, 20));
    vka_t empty = { 0 };
    assert_logs_error(vka_cspace_free(&empty, 20));
    assert_logs_error(vka_cspace_free_path(NULL, (cspacepath_t){ 0 }));
}

static void test_cspace_exhaustion_is_an_error_and_freeing_recovers(void **state)
{
    (void)state;
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    seL4_Word n = bi->empty.end - bi->empty.start;
    seL4_CPtr slot = 0;
    for (seL4_Word i = 0; i < n; i++) {
        assert_int_equal(vka_cspace_alloc(&vka, &slot), 0);
    }
    seL4_CPtr extra;
    assert_logs_error(assert_int_equal(vka_cspace_alloc(&vka, &extra), -1));
    vka_cspace_free(&vka, slot);
    assert_int_equal(vka_cspace_alloc(&vka, &extra), 0);
    assert_int_equal(extra, slot);
}

static void test_utspace_wrappers_reject_null_vka_result_and_missing_operations(void **state)
{
    (void)state;
    cspacepath_t path;
    assert_int_equal(vka_cspace_alloc_path(&vka, &path), 0);
    seL4_Word cookie;
    vka_t empty = { 0 };
    assert_logs_error(assert_int_equal(vka_utspace_alloc(NULL, &path, seL4_X86_4K, 12, &cookie), -1));
    assert_logs_error(assert_int_equal(vka_utspace_alloc(&vka, &path, seL4_X86_4K, 12, NULL), -1));
    assert_logs_error(assert_int_equal(vka_utspace_alloc(&empty, &path, seL4_X86_4K, 12, &cookie), -1));
    assert_logs_error(
        assert_int_equal(vka_utspace_alloc_maybe_device(NULL, &path, seL4_X86_4K, 12, true, &cookie), -1));
    assert_logs_error(assert_int_equal(vka_utspace_alloc_maybe_device(&vka, &path, seL4_X86_4K, 12, true, NULL), -1));
    assert_logs_error(
        assert_int_equal(vka_utspace_alloc_maybe_device(&empty, &path, seL4_X86_4K, 12, true, &cookie), -1));
    assert_logs_error(assert_int_equal(vka_utspace_alloc_at(NULL, &path, seL4_X86_4K, 12, 0x100000, &cookie), -1));
    assert_logs_error(assert_int_equal(vka_utspace_alloc_at(&vka, &path, seL4_X86_4K, 12, 0x100000, NULL), -1));
    assert_logs_error(assert_int_equal(vka_utspace_alloc_at(&empty, &path, seL4_X86_4K, 12, 0x100000, &cookie), -1));
    assert_logs_error(vka_utspace_free(NULL, seL4_X86_4K, 12, 1));
    assert_logs_error(vka_utspace_free(&empty, seL4_X86_4K, 12, 1));
    assert_logs_error(assert_int_equal(vka_utspace_paddr(NULL, 1, seL4_X86_4K, 12), VKA_NO_PADDR));
    assert_logs_error(assert_int_equal(vka_utspace_paddr(&empty, 1, seL4_X86_4K, 12), VKA_NO_PADDR));
    assert_false(slot_holds_cap(path.capPtr));
}

static void test_utspace_alloc_rejects_null_destination(void **state)
{
    (void)state;
    seL4_Word cookie;
    assert_logs_error(assert_int_equal(vka_utspace_alloc(&vka, NULL, seL4_X86_4K, 12, &cookie), -1));
    assert_logs_error(assert_int_equal(vka_utspace_alloc_at(&vka, NULL, seL4_X86_4K, 12, 0x100000, &cookie), -1));
}

static void test_utspace_alloc_places_the_object_in_the_destination_slot(void **state)
{
    (void)state;
    cspacepath_t path;
    assert_int_equal(vka_cspace_alloc_path(&vka, &path), 0);
    seL4_Word cookie;
    assert_int_equal(vka_utspace_alloc(&vka, &path, seL4_X86_4K, seL4_PageBits, &cookie), 0);
    assert_int_equal(frame_paddr(path.capPtr), vka_utspace_paddr(&vka, cookie, seL4_X86_4K, seL4_PageBits));
}

static void test_utspace_alloc_into_an_occupied_slot_fails_and_keeps_the_memory(void **state)
{
    (void)state;
    vka_object_t first = frame(seL4_PageBits);
    uintptr_t paddr = vka_object_paddr(&vka, &first);
    vka_free_object(&vka, &first);
    cspacepath_t tcb, occupied;
    vka_cspace_make_path(&vka, seL4_CapInitThreadTCB, &tcb);
    assert_int_equal(vka_cspace_alloc_path(&vka, &occupied), 0);
    assert_int_equal(vka_cnode_copy(&occupied, &tcb, seL4_AllRights), seL4_NoError);
    seL4_Word cookie;
    assert_logs_error(assert_int_not_equal(vka_utspace_alloc(&vka, &occupied, seL4_X86_4K, seL4_PageBits, &cookie), 0));
    vka_object_t again = frame(seL4_PageBits);
    assert_int_equal(vka_object_paddr(&vka, &again), paddr);
}

/* Object helpers */

static void test_alloc_frame_4k_is_an_aligned_ram_frame(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_PageBits);
    assert_int_equal(o.type, seL4_X86_4K);
    assert_int_equal(o.size_bits, seL4_PageBits);
    uintptr_t paddr = vka_object_paddr(&vka, &o);
    assert_int_equal(paddr, frame_paddr(o.cptr));
    assert_true(IS_ALIGNED(paddr, seL4_PageBits));
    assert_false(is_device_paddr(paddr));
}

static void test_alloc_frame_2m_is_an_aligned_ram_frame(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_LargePageBits);
    assert_int_equal(o.type, seL4_X86_LargePageObject);
    uintptr_t paddr = vka_object_paddr(&vka, &o);
    assert_int_equal(paddr, frame_paddr(o.cptr));
    assert_true(IS_ALIGNED(paddr, seL4_LargePageBits));
    assert_false(is_device_paddr(paddr));
}

static void test_alloc_frame_1g_is_an_aligned_ram_frame(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_HugePageBits);
    assert_int_equal(o.type, seL4_X64_HugePageObject);
    assert_true(IS_ALIGNED(vka_object_paddr(&vka, &o), seL4_HugePageBits));
}

static void test_alloc_frame_of_unsupported_size_fails_with_zeroed_result(void **state)
{
    (void)state;
    seL4_CPtr before;
    assert_int_equal(vka_cspace_alloc(&vka, &before), 0);
    vka_cspace_free(&vka, before);
    vka_object_t o = { .cptr = 99, .ut = 99 };
    assert_logs_error(assert_int_not_equal(vka_alloc_frame(&vka, 13, &o), 0));
    assert_int_equal(o.cptr, 0);
    assert_int_equal(o.ut, 0);
    assert_logs_error(assert_int_not_equal(vka_alloc_frame(&vka, 0, &o), 0));
    seL4_CPtr after;
    assert_int_equal(vka_cspace_alloc(&vka, &after), 0);
    assert_int_equal(after, before);
}

static void test_frames_do_not_overlap(void **state)
{
    (void)state;
    uintptr_t start[64], end[64];
    for (int i = 0; i < 64; i++) {
        vka_object_t o = frame(i % 3 == 0 ? seL4_LargePageBits : seL4_PageBits);
        start[i] = vka_object_paddr(&vka, &o);
        end[i] = start[i] + BIT(o.size_bits);
        for (int j = 0; j < i; j++) {
            assert_true(end[j] <= start[i] || end[i] <= start[j]);
        }
    }
}

static void test_alloc_notification_is_signallable(void **state)
{
    (void)state;
    vka_object_t ntfn;
    assert_int_equal(vka_alloc_notification(&vka, &ntfn), 0);
    assert_int_equal(ntfn.type, seL4_NotificationObject);
    assert_int_equal(ntfn.size_bits, seL4_NotificationBits);
    cspacepath_t badged;
    assert_int_equal(vka_mint_object(&vka, &ntfn, &badged, seL4_AllRights, 0x24), 0);
    seL4_Signal(badged.capPtr);
    seL4_Word badge = 0;
    seL4_Poll(ntfn.cptr, &badge);
    assert_int_equal(badge, 0x24);
}

static void test_alloc_cnode_object_holds_caps(void **state)
{
    (void)state;
    vka_object_t cnode;
    assert_int_equal(vka_alloc_cnode_object(&vka, 4, &cnode), 0);
    assert_int_equal(cnode.type, seL4_CapTableObject);
    assert_int_equal(cnode.size_bits, 4);
    vka_object_t f = frame(seL4_PageBits);
    assert_int_equal(seL4_CNode_Copy(cnode.cptr, 3, 4, seL4_CapInitThreadCNode, f.cptr, seL4_WordBits, seL4_AllRights),
                     seL4_NoError);
    assert_int_equal(seL4_CNode_Copy(cnode.cptr, 3, 4, seL4_CapInitThreadCNode, f.cptr, seL4_WordBits, seL4_AllRights),
                     seL4_DeleteFirst);
}

static void test_alloc_cnode_object_takes_slot_bits_plus_slot_size(void **state)
{
    (void)state;
    vka_object_t cnode;
    assert_int_equal(vka_alloc_cnode_object(&vka, 7, &cnode), 0);
    assert_true(IS_ALIGNED(vka_object_paddr(&vka, &cnode), 7 + seL4_SlotBits));
}

static void test_alloc_untyped_can_be_retyped(void **state)
{
    (void)state;
    vka_object_t ut;
    assert_int_equal(vka_alloc_untyped(&vka, 16, &ut), 0);
    assert_int_equal(ut.type, seL4_UntypedObject);
    uintptr_t base = vka_object_paddr(&vka, &ut);
    assert_true(IS_ALIGNED(base, 16));
    cspacepath_t dest;
    assert_int_equal(vka_cspace_alloc_path(&vka, &dest), 0);
    assert_int_equal(vka_untyped_retype(&ut, seL4_X86_4K, 0, 1, &dest), seL4_NoError);
    assert_int_equal(frame_paddr(dest.capPtr), base);
}

static void test_alloc_untyped_outside_size_limits_fails(void **state)
{
    (void)state;
    vka_object_t ut;
    assert_logs_error(assert_int_not_equal(vka_alloc_untyped(&vka, seL4_MinUntypedBits - 1, &ut), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_untyped(&vka, seL4_MaxUntypedBits + 1, &ut), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_untyped(&vka, 64, &ut), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_untyped(&vka, UINT32_MAX, &ut), 0));
    assert_int_equal(ut.cptr, 0);
}

static void test_alloc_untyped_larger_than_any_block_fails(void **state)
{
    (void)state;
    vka_object_t ut;
    assert_logs_error(assert_int_not_equal(vka_alloc_untyped(&vka, 40, &ut), 0));
}

static void test_alloc_minimum_untyped_succeeds(void **state)
{
    (void)state;
    vka_object_t ut;
    assert_int_equal(vka_alloc_untyped(&vka, seL4_MinUntypedBits, &ut), 0);
    assert_true(IS_ALIGNED(vka_object_paddr(&vka, &ut), seL4_MinUntypedBits));
}

static void test_type_helpers_create_objects_of_their_type(void **state)
{
    (void)state;
    struct {
        int (*fn)(vka_t *, vka_object_t *);
        seL4_Word type;
        seL4_Word size_bits;
    } cases[] = {
        { vka_alloc_tcb, seL4_TCBObject, seL4_TCBBits },
        { vka_alloc_endpoint, seL4_EndpointObject, seL4_EndpointBits },
        { vka_alloc_notification, seL4_NotificationObject, seL4_NotificationBits },
        { vka_alloc_page_directory, seL4_X86_PageDirectoryObject, seL4_PageDirBits },
        { vka_alloc_page_table, seL4_X86_PageTableObject, seL4_PageTableBits },
        { vka_alloc_pml4, seL4_X64_PML4Object, seL4_PML4Bits },
        { vka_alloc_pdpt, seL4_X86_PDPTObject, seL4_PDPTBits },
        { vka_alloc_vspace_root, seL4_X64_PML4Object, seL4_PML4Bits },
        { vka_alloc_vcpu, seL4_X86_VCPUObject, seL4_X86_VCPUBits },
        { vka_alloc_ept_pml4, seL4_X86_EPTPML4Object, seL4_X86_EPTPML4Bits },
        { vka_alloc_ept_pdpt, seL4_X86_EPTPDPTObject, seL4_X86_EPTPDPTBits },
        { vka_alloc_ept_page_directory_pointer_table, seL4_X86_EPTPDPTObject, seL4_X86_EPTPDPTBits },
        { vka_alloc_ept_page_directory, seL4_X86_EPTPDObject, seL4_X86_EPTPDBits },
        { vka_alloc_ept_page_table, seL4_X86_EPTPTObject, seL4_X86_EPTPTBits },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        vka_object_t o;
        assert_int_equal(cases[i].fn(&vka, &o), 0);
        assert_int_equal(o.type, cases[i].type);
        assert_int_equal(o.size_bits, cases[i].size_bits);
        assert_true(slot_holds_cap(o.cptr));
        assert_true(IS_ALIGNED(vka_object_paddr(&vka, &o), vka_get_object_size(o.type, o.size_bits)));
    }
}

static void test_ept_pml4_from_vka_accepts_ept_mappings(void **state)
{
    (void)state;
    vka_object_t ept;
    assert_int_equal(vka_alloc_ept_pml4(&vka, &ept), 0);
    vka_object_t f = frame(seL4_PageBits);
    assert_int_equal(seL4_X86_Page_MapEPT(f.cptr, ept.cptr, 0x1000, seL4_AllRights, seL4_X86_EPT_Default_VMAttributes),
                     seL4_NoError);
}

static void test_sched_context_and_reply_are_unavailable_without_mcs(void **state)
{
    (void)state;
    vka_object_t o = { .cptr = 5 };
    assert_int_equal(vka_alloc_sched_context(&vka, &o), ENOSYS);
    assert_int_equal(o.cptr, 0);
    assert_int_equal(vka_alloc_sched_context_size(&vka, &o, 10), ENOSYS);
    assert_int_equal(vka_alloc_reply(&vka, &o), ENOSYS);
    assert_int_equal(vka_alloc_reply(&vka, NULL), ENOSYS);
    assert_int_equal(vka_alloc_sched_context_leaky(&vka), 0);
}

static void test_alloc_object_rejects_unknown_type_without_leaking_a_slot(void **state)
{
    (void)state;
    seL4_CPtr before, after;
    assert_int_equal(vka_cspace_alloc(&vka, &before), 0);
    vka_cspace_free(&vka, before);
    vka_object_t o = { .cptr = 3 };
    assert_logs_error(assert_int_not_equal(vka_alloc_object(&vka, seL4_ObjectTypeCount, 12, &o), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_object(&vka, (seL4_Word)-1, 12, &o), 0));
    assert_int_equal(o.cptr, 0);
    assert_int_equal(vka_cspace_alloc(&vka, &after), 0);
    assert_int_equal(after, before);
}

static void test_alloc_object_rejects_null_vka_and_result(void **state)
{
    (void)state;
    vka_object_t o;
    assert_logs_error(assert_int_not_equal(vka_alloc_object(NULL, seL4_X86_4K, 12, &o), 0));
    assert_int_equal(o.cptr, 0);
    assert_logs_error(assert_int_not_equal(vka_alloc_object(&vka, seL4_X86_4K, 12, NULL), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_frame(&vka, 12, NULL), 0));
}

static void test_alloc_object_at_no_paddr_allocates_anywhere(void **state)
{
    (void)state;
    vka_object_t o;
    assert_int_equal(vka_alloc_object_at(&vka, seL4_X86_4K, seL4_PageBits, VKA_NO_PADDR, &o), 0);
    assert_true(slot_holds_cap(o.cptr));
}

static void test_alloc_kobject_uses_the_generic_kind(void **state)
{
    (void)state;
    vka_object_t o;
    assert_int_equal(vka_alloc_kobject(&vka, KOBJECT_FRAME, seL4_LargePageBits, &o), 0);
    assert_int_equal(o.type, seL4_X86_LargePageObject);
    assert_int_equal(vka_alloc_kobject(&vka, KOBJECT_NOTIFICATION, 0, &o), 0);
    assert_int_equal(o.type, seL4_NotificationObject);
    assert_logs_error(assert_int_not_equal(vka_alloc_kobject(&vka, KOBJECT_CSLOT, 0, &o), 0));
}

static void test_leaky_helpers_return_a_cap_or_zero(void **state)
{
    (void)state;
    seL4_CPtr f = vka_alloc_frame_leaky(&vka, seL4_PageBits);
    assert_int_not_equal(f, 0);
    assert_int_equal(frame_paddr(f) & MASK(seL4_PageBits), 0);
    seL4_CPtr n = vka_alloc_notification_leaky(&vka);
    assert_int_not_equal(n, 0);
    seL4_CPtr o = vka_alloc_object_leaky(&vka, seL4_EndpointObject, 0);
    assert_int_not_equal(o, 0);
    seL4_CPtr bad = 1;
    assert_logs_error(bad = vka_alloc_frame_leaky(&vka, 13));
    assert_int_equal(bad, 0);
    assert_logs_error(bad = vka_alloc_object_leaky(NULL, seL4_EndpointObject, 0));
    assert_int_equal(bad, 0);
}

/* Freeing */

static void test_free_then_alloc_reuses_the_same_memory(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_PageBits);
    uintptr_t paddr = vka_object_paddr(&vka, &o);
    vka_free_object(&vka, &o);
    vka_object_t again = frame(seL4_PageBits);
    assert_int_equal(vka_object_paddr(&vka, &again), paddr);
}

static void test_freed_memory_is_zeroed_when_reused(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_PageBits);
    uintptr_t paddr = vka_object_paddr(&vka, &o);
    uint8_t *bytes = sel4kvm_sim_paddr_to_host(paddr, PAGE_SIZE_4K);
    assert_non_null(bytes);
    memset(bytes, 0xa5, PAGE_SIZE_4K);
    vka_free_object(&vka, &o);
    vka_object_t again = frame(seL4_PageBits);
    assert_int_equal(vka_object_paddr(&vka, &again), paddr);
    bytes = sel4kvm_sim_paddr_to_host(paddr, PAGE_SIZE_4K);
    for (size_t i = 0; i < PAGE_SIZE_4K; i++) {
        assert_int_equal(bytes[i], 0);
    }
}

static void test_freed_small_object_memory_is_zeroed_when_reused_as_a_frame(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_PageBits);
    uintptr_t paddr = vka_object_paddr(&vka, &o);
    vka_free_object(&vka, &o);
    vka_object_t ut;
    assert_int_equal(vka_alloc_untyped(&vka, seL4_PageBits, &ut), 0);
    assert_int_equal(vka_object_paddr(&vka, &ut), paddr);
    memset(sel4kvm_sim_paddr_to_host(paddr, PAGE_SIZE_4K), 0x5a, PAGE_SIZE_4K);
    vka_free_object(&vka, &ut);
    vka_object_t again = frame(seL4_PageBits);
    assert_int_equal(vka_object_paddr(&vka, &again), paddr);
    uint8_t *bytes = sel4kvm_sim_paddr_to_host(paddr, PAGE_SIZE_4K);
    assert_int_equal(bytes[0], 0);
    assert_int_equal(bytes[PAGE_SIZE_4K - 1], 0);
}

static void test_free_object_deletes_every_copy_of_its_cap(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_PageBits);
    cspacepath_t src, copy;
    vka_cspace_make_path(&vka, o.cptr, &src);
    assert_int_equal(vka_cspace_alloc_path(&vka, &copy), 0);
    assert_int_equal(vka_cnode_copy(&copy, &src, seL4_AllRights), seL4_NoError);
    vka_free_object(&vka, &o);
    assert_false(slot_holds_cap(o.cptr));
    assert_false(slot_holds_cap(copy.capPtr));
}

static void test_alloc_and_free_return_the_kernel_to_its_starting_caps(void **state)
{
    (void)state;
    size_t caps = sel4kvm_sim_cap_count();
    size_t objects = sel4kvm_sim_object_count();
    vka_object_t objs[40];
    for (int i = 0; i < 40; i++) {
        assert_int_equal(vka_alloc_frame(&vka, i % 2 ? seL4_PageBits : seL4_LargePageBits, &objs[i]), 0);
    }
    for (int i = 0; i < 40; i += 2) {
        vka_free_object(&vka, &objs[i]);
    }
    for (int i = 1; i < 40; i += 2) {
        vka_free_object(&vka, &objs[i]);
    }
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
}

static void test_free_object_rejects_null_and_empty_objects(void **state)
{
    (void)state;
    assert_logs_error(vka_free_object(&vka, NULL));
    vka_object_t zero = { 0 };
    assert_logs_error(vka_free_object(&vka, &zero));
    vka_object_t o = frame(seL4_PageBits);
    assert_logs_error(vka_free_object(NULL, &o));
    assert_true(slot_holds_cap(o.cptr));
}

static void test_double_free_of_an_object_is_refused(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_PageBits);
    uintptr_t paddr = vka_object_paddr(&vka, &o);
    vka_object_t stale = o;
    vka_free_object(&vka, &o);
    vka_object_t other = frame(seL4_PageBits);
    assert_int_equal(vka_object_paddr(&vka, &other), paddr);
    assert_logs_error(vka_utspace_free(&vka, stale.type, stale.size_bits, stale.ut));
    assert_true(slot_holds_cap(other.cptr));
    assert_int_equal(vka_object_paddr(&vka, &other), frame_paddr(other.cptr));
}

static void test_utspace_free_refuses_forged_cookies(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_PageBits);
    assert_logs_error(vka_utspace_free(&vka, seL4_X86_4K, seL4_PageBits, 0));
    assert_logs_error(vka_utspace_free(&vka, seL4_X86_4K, seL4_PageBits, 12345));
    assert_logs_error(vka_utspace_free(&vka, seL4_X86_4K, seL4_PageBits, ~0ul));
    assert_logs_error(vka_utspace_free(&vka, seL4_X86_4K, seL4_PageBits, o.ut + 1));
    assert_true(slot_holds_cap(o.cptr));
}

static void test_utspace_free_with_mismatched_type_warns_and_frees(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_PageBits);
    unsigned long warnings = sel4kvm_log_count(ZF_LOG_WARN);
    vka_utspace_free(&vka, seL4_X86_LargePageObject, seL4_LargePageBits, o.ut);
    assert_true(sel4kvm_log_count(ZF_LOG_WARN) > warnings);
    assert_false(slot_holds_cap(o.cptr));
}

static void test_object_paddr_of_stale_or_bad_objects_is_no_paddr(void **state)
{
    (void)state;
    vka_object_t o = frame(seL4_PageBits);
    vka_object_t stale = o;
    vka_free_object(&vka, &o);
    assert_logs_error(assert_int_equal(vka_object_paddr(&vka, &stale), VKA_NO_PADDR));
    assert_logs_error(assert_int_equal(vka_object_paddr(&vka, NULL), VKA_NO_PADDR));
    assert_logs_error(assert_int_equal(vka_utspace_paddr(&vka, 0, seL4_X86_4K, 12), VKA_NO_PADDR));
    assert_logs_error(assert_int_equal(vka_utspace_paddr(&vka, ~0ul, seL4_X86_4K, 12), VKA_NO_PADDR));
}

/* Allocation at a physical address */

static void test_alloc_frame_at_ram_paddr_gives_that_frame(void **state)
{
    (void)state;
    uintptr_t paddr = 0x40123000;
    vka_object_t o;
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr, &o), 0);
    assert_int_equal(frame_paddr(o.cptr), paddr);
    assert_int_equal(vka_object_paddr(&vka, &o), paddr);
}

static void test_alloc_frame_at_device_paddr_gives_that_frame(void **state)
{
    (void)state;
    uintptr_t paddr = SEL4KVM_SIM_DEFAULT_DEVICE_BASE + 0x205000;
    vka_object_t o;
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr, &o), 0);
    assert_int_equal(frame_paddr(o.cptr), paddr);
    assert_true(is_device_paddr(paddr));
}

static void test_alloc_2m_frame_at_paddr_gives_that_frame(void **state)
{
    (void)state;
    uintptr_t paddr = 0x80000000 + 0x600000;
    vka_object_t o;
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_LargePageBits, paddr, &o), 0);
    assert_int_equal(frame_paddr(o.cptr), paddr);
}

static void test_alloc_untyped_at_paddr_gives_that_block(void **state)
{
    (void)state;
    vka_object_t o;
    assert_int_equal(vka_alloc_untyped_at(&vka, 16, 0x10000000, &o), 0);
    assert_int_equal(vka_object_paddr(&vka, &o), 0x10000000);
}

static void test_alloc_at_refuses_memory_already_taken(void **state)
{
    (void)state;
    uintptr_t paddr = 0x40000000;
    vka_object_t o, again;
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr, &o), 0);
    seL4_CPtr before;
    assert_int_equal(vka_cspace_alloc(&vka, &before), 0);
    vka_cspace_free(&vka, before);
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr, &again), 0));
    assert_int_equal(again.cptr, 0);
    seL4_CPtr after;
    assert_int_equal(vka_cspace_alloc(&vka, &after), 0);
    assert_int_equal(after, before);
}

static void test_alloc_at_refuses_memory_inside_a_larger_allocation(void **state)
{
    (void)state;
    uintptr_t paddr = 0x40200000;
    vka_object_t big, small;
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_LargePageBits, paddr, &big), 0);
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr + 0x3000, &small), 0));
}

static void test_alloc_at_refuses_a_block_that_contains_an_allocation(void **state)
{
    (void)state;
    uintptr_t paddr = 0x40400000;
    vka_object_t big, small;
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr + 0x5000, &small), 0);
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_LargePageBits, paddr, &big), 0));
    vka_free_object(&vka, &small);
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_LargePageBits, paddr, &big), 0);
}

static void test_alloc_at_refuses_unaligned_paddr(void **state)
{
    (void)state;
    vka_object_t o;
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_PageBits, 0x40000800, &o), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_LargePageBits, 0x40001000, &o), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_PageBits, 0x40000001, &o), 0));
}

static void test_alloc_at_refuses_paddr_outside_memory(void **state)
{
    (void)state;
    vka_object_t o;
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_PageBits, 0, &o), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_PageBits, 0x1ff000000, &o), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_PageBits, ~0ul & ~MASK(12), &o), 0));
}

static void test_alloc_at_refuses_object_larger_than_the_untyped_there(void **state)
{
    (void)state;
    vka_object_t o;
    /* RAM ends with a 1 MiB block at 4 GiB: a 2 MiB frame there would run past the end of RAM. */
    uintptr_t tail = SEL4KVM_SIM_DEFAULT_RAM_BASE + SEL4KVM_SIM_DEFAULT_RAM_SIZE - (1ul << 20);
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_LargePageBits, tail, &o), 0));
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, tail, &o), 0);
}

static void test_alloc_at_free_and_alloc_at_again_succeeds(void **state)
{
    (void)state;
    uintptr_t paddr = 0x40777000;
    vka_object_t o;
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr, &o), 0);
    vka_free_object(&vka, &o);
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr, &o), 0);
    assert_int_equal(frame_paddr(o.cptr), paddr);
}

static void test_alloc_at_device_refuses_non_frame_objects_and_keeps_memory(void **state)
{
    (void)state;
    uintptr_t paddr = SEL4KVM_SIM_DEFAULT_DEVICE_BASE + 0x1000;
    vka_object_t o;
    assert_logs_error(
        assert_int_not_equal(vka_alloc_object_at(&vka, seL4_NotificationObject, seL4_NotificationBits, paddr, &o), 0));
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr, &o), 0);
    assert_int_equal(frame_paddr(o.cptr), paddr);
}

static void test_alloc_at_rejects_null_result(void **state)
{
    (void)state;
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_at(&vka, seL4_PageBits, 0x40000000, NULL), 0));
    vka_object_t o;
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, 0x40000000, &o), 0);
}

static void test_alloc_at_takes_memory_out_of_general_allocation(void **state)
{
    (void)state;
    vka_object_t first = frame(seL4_PageBits);
    uintptr_t paddr = vka_object_paddr(&vka, &first);
    vka_free_object(&vka, &first);
    vka_object_t pinned, other;
    assert_int_equal(vka_alloc_frame_at(&vka, seL4_PageBits, paddr, &pinned), 0);
    assert_int_equal(vka_alloc_frame(&vka, seL4_PageBits, &other), 0);
    assert_int_not_equal(vka_object_paddr(&vka, &other), paddr);
}

/* Device memory and exhaustion */

static void exhaust_ram(void)
{
    vka_object_t o;
    for (int bits = 20; bits >= seL4_MinUntypedBits; bits--) {
        while (vka_alloc_untyped(&vka, bits, &o) == 0) {
        }
    }
}

static void test_exhausted_ram_is_an_error_not_a_crash(void **state)
{
    (void)state;
    exhaust_ram();
    vka_object_t o;
    assert_logs_error(assert_int_not_equal(vka_alloc_frame(&vka, seL4_PageBits, &o), 0));
    assert_logs_error(assert_int_not_equal(vka_alloc_notification(&vka, &o), 0));
    assert_int_equal(o.cptr, 0);
}

static void test_ram_freed_after_exhaustion_is_allocatable_again(void **state)
{
    (void)state;
    vka_object_t whole;
    assert_int_equal(vka_alloc_untyped(&vka, 20, &whole), 0);
    vka_object_t o;
    assert_logs_error(assert_int_not_equal(vka_alloc_frame(&vka, seL4_PageBits, &o), 0));
    vka_free_object(&vka, &whole);
    assert_int_equal(vka_alloc_frame(&vka, seL4_PageBits, &o), 0);
    assert_int_equal(vka_alloc_untyped(&vka, 19, &o), 0);
}

static void test_device_memory_is_not_used_by_default(void **state)
{
    (void)state;
    exhaust_ram();
    vka_object_t o;
    assert_logs_error(assert_int_not_equal(vka_alloc_frame_maybe_device(&vka, seL4_PageBits, false, &o), 0));
}

static void test_device_memory_is_used_when_allowed_and_ram_is_exhausted(void **state)
{
    (void)state;
    exhaust_ram();
    vka_object_t o;
    assert_int_equal(vka_alloc_frame_maybe_device(&vka, seL4_PageBits, true, &o), 0);
    assert_true(is_device_paddr(frame_paddr(o.cptr)));
}

static void test_ram_is_preferred_over_device_memory(void **state)
{
    (void)state;
    vka_object_t o;
    assert_int_equal(vka_alloc_frame_maybe_device(&vka, seL4_PageBits, true, &o), 0);
    assert_false(is_device_paddr(frame_paddr(o.cptr)));
}

static void test_device_fallback_is_only_for_frames_and_untypeds(void **state)
{
    (void)state;
    exhaust_ram();
    vka_object_t o;
    cspacepath_t path;
    assert_int_equal(vka_cspace_alloc_path(&vka, &path), 0);
    seL4_Word cookie;
    assert_logs_error(assert_int_not_equal(vka_utspace_alloc_maybe_device(&vka, &path, seL4_NotificationObject,
                                                                          seL4_NotificationBits, true, &cookie),
                                           0));
    assert_int_equal(vka_utspace_alloc_maybe_device(&vka, &path, seL4_UntypedObject, 12, true, &cookie), 0);
    assert_int_equal(vka_alloc_frame_maybe_device(&vka, seL4_PageBits, true, &o), 0);
}

static void test_small_machine_ram_is_exactly_its_one_untyped(void **state)
{
    (void)state;
    vka_object_t o;
    assert_int_equal(vka_alloc_untyped(&vka, 20, &o), 0);
    assert_int_equal(vka_object_paddr(&vka, &o), small_machine.ram_base);
}

/* kobject_t and sizes */

static void test_kobject_get_type_maps_frame_sizes(void **state)
{
    (void)state;
    assert_int_equal(kobject_get_type(KOBJECT_FRAME, 12), seL4_X86_4K);
    assert_int_equal(kobject_get_type(KOBJECT_FRAME, 21), seL4_X86_LargePageObject);
    assert_int_equal(kobject_get_type(KOBJECT_FRAME, 30), seL4_X64_HugePageObject);
    assert_int_equal(kobject_get_type(KOBJECT_FRAME, 0), (seL4_Word)-1);
    assert_int_equal(kobject_get_type(KOBJECT_FRAME, 13), (seL4_Word)-1);
    assert_int_equal(kobject_get_type(KOBJECT_FRAME, 22), (seL4_Word)-1);
    assert_int_equal(kobject_get_type(KOBJECT_FRAME, ~0ul), (seL4_Word)-1);
}

static void test_kobject_get_type_maps_generic_kinds(void **state)
{
    (void)state;
    assert_int_equal(kobject_get_type(KOBJECT_TCB, 0), seL4_TCBObject);
    assert_int_equal(kobject_get_type(KOBJECT_CNODE, 4), seL4_CapTableObject);
    assert_int_equal(kobject_get_type(KOBJECT_UNTYPED, 12), seL4_UntypedObject);
    assert_int_equal(kobject_get_type(KOBJECT_ENDPOINT, 0), seL4_EndpointObject);
    assert_int_equal(kobject_get_type(KOBJECT_NOTIFICATION, 0), seL4_NotificationObject);
    assert_int_equal(kobject_get_type(KOBJECT_ASYNC_ENDPOINT, 0), seL4_NotificationObject);
    assert_int_equal(kobject_get_type(KOBJECT_PAGE_TABLE, 0), seL4_X86_PageTableObject);
    assert_int_equal(kobject_get_type(KOBJECT_PAGE_DIRECTORY, 0), seL4_X86_PageDirectoryObject);
    assert_int_equal(kobject_get_type(KOBJECT_PDPT, 0), seL4_X86_PDPTObject);
    assert_int_equal(kobject_get_type(KOBJECT_PML4, 0), seL4_X64_PML4Object);
    assert_int_equal(kobject_get_type(KOBJECT_CSLOT, 0), (seL4_Word)-1);
    assert_int_equal(kobject_get_type(KOBJECT_IO_PAGETABLE, 0), (seL4_Word)-1);
    assert_int_equal(kobject_get_type(KOBJECT_REPLY, 0), (seL4_Word)-1);
}

static void test_kobject_get_type_of_unknown_kind_is_an_error(void **state)
{
    (void)state;
    assert_logs_error(assert_int_equal(kobject_get_type(NUM_KOBJECT_TYPES, 0), (seL4_Word)-1));
    assert_logs_error(assert_int_equal(kobject_get_type(-1, 0), (seL4_Word)-1));
}

static void test_kobject_get_size_gives_untyped_bits(void **state)
{
    (void)state;
    assert_int_equal(kobject_get_size(KOBJECT_FRAME, 12), 12);
    assert_int_equal(kobject_get_size(KOBJECT_FRAME, 21), 21);
    assert_int_equal(kobject_get_size(KOBJECT_FRAME, 30), 30);
    assert_int_equal(kobject_get_size(KOBJECT_FRAME, 13), 0);
    assert_int_equal(kobject_get_size(KOBJECT_CNODE, 4), 4 + seL4_SlotBits);
    assert_int_equal(kobject_get_size(KOBJECT_UNTYPED, 17), 17);
    assert_int_equal(kobject_get_size(KOBJECT_TCB, 0), seL4_TCBBits);
    assert_int_equal(kobject_get_size(KOBJECT_NOTIFICATION, 0), seL4_NotificationBits);
    assert_int_equal(kobject_get_size(KOBJECT_ENDPOINT, 0), seL4_EndpointBits);
    assert_int_equal(kobject_get_size(KOBJECT_PML4, 0), seL4_PML4Bits);
    assert_int_equal(kobject_get_size(KOBJECT_CSLOT, 0), 0);
    assert_logs_error(assert_int_equal(kobject_get_size(NUM_KOBJECT_TYPES + 3, 0), 0));
}

static void test_vka_get_object_size_matches_what_retype_carves(void **state)
{
    (void)state;
    assert_int_equal(vka_get_object_size(seL4_UntypedObject, 20), 20);
    assert_int_equal(vka_get_object_size(seL4_CapTableObject, 10), 10 + seL4_SlotBits);
    assert_int_equal(vka_get_object_size(seL4_X86_4K, 0), seL4_PageBits);
    assert_int_equal(vka_get_object_size(seL4_X86_LargePageObject, 0), seL4_LargePageBits);
    assert_int_equal(vka_get_object_size(seL4_X64_HugePageObject, 0), seL4_HugePageBits);
    assert_int_equal(vka_get_object_size(seL4_X86_VCPUObject, 0), seL4_X86_VCPUBits);
    assert_int_equal(vka_get_object_size(seL4_X86_EPTPML4Object, 0), seL4_X86_EPTPML4Bits);
    assert_int_equal(vka_get_object_size(seL4_X64_PML4Object, 0), seL4_PML4Bits);
    assert_logs_error(assert_int_equal(vka_get_object_size(seL4_ObjectTypeCount, 0), (unsigned long)-1));
}

/* capops */

static void test_cnode_copy_duplicates_a_cap_and_refuses_an_occupied_destination(void **state)
{
    (void)state;
    vka_object_t f = frame(seL4_PageBits);
    cspacepath_t src, dest;
    vka_cspace_make_path(&vka, f.cptr, &src);
    assert_int_equal(vka_cspace_alloc_path(&vka, &dest), 0);
    assert_int_equal(vka_cnode_copy(&dest, &src, seL4_CanRead), seL4_NoError);
    assert_int_equal(frame_paddr(dest.capPtr), frame_paddr(f.cptr));
    assert_int_equal(vka_cnode_copy(&dest, &src, seL4_AllRights), seL4_DeleteFirst);
}

static void test_cnode_copy_of_an_empty_slot_fails(void **state)
{
    (void)state;
    cspacepath_t src, dest;
    assert_int_equal(vka_cspace_alloc_path(&vka, &src), 0);
    assert_int_equal(vka_cspace_alloc_path(&vka, &dest), 0);
    assert_int_equal(vka_cnode_copy(&dest, &src, seL4_AllRights), seL4_FailedLookup);
}

static void test_cnode_mint_sets_the_badge(void **state)
{
    (void)state;
    vka_object_t ntfn;
    assert_int_equal(vka_alloc_notification(&vka, &ntfn), 0);
    cspacepath_t src, dest;
    vka_cspace_make_path(&vka, ntfn.cptr, &src);
    assert_int_equal(vka_cspace_alloc_path(&vka, &dest), 0);
    assert_int_equal(vka_cnode_mint(&dest, &src, seL4_AllRights, 0x81), seL4_NoError);
    seL4_Signal(dest.capPtr);
    seL4_Word badge = 0;
    seL4_Poll(ntfn.cptr, &badge);
    assert_int_equal(badge, 0x81);
}

static void test_cnode_move_empties_the_source(void **state)
{
    (void)state;
    vka_object_t f = frame(seL4_PageBits);
    uintptr_t paddr = frame_paddr(f.cptr);
    cspacepath_t src, dest;
    vka_cspace_make_path(&vka, f.cptr, &src);
    assert_int_equal(vka_cspace_alloc_path(&vka, &dest), 0);
    assert_int_equal(vka_cnode_move(&dest, &src), seL4_NoError);
    assert_false(slot_holds_cap(src.capPtr));
    assert_int_equal(frame_paddr(dest.capPtr), paddr);
}

static void test_cnode_mutate_moves_and_sets_the_badge(void **state)
{
    (void)state;
    vka_object_t ntfn;
    assert_int_equal(vka_alloc_notification(&vka, &ntfn), 0);
    cspacepath_t orig, copy, moved;
    vka_cspace_make_path(&vka, ntfn.cptr, &orig);
    assert_int_equal(vka_cspace_alloc_path(&vka, &copy), 0);
    assert_int_equal(vka_cspace_alloc_path(&vka, &moved), 0);
    assert_int_equal(vka_cnode_copy(&copy, &orig, seL4_AllRights), seL4_NoError);
    assert_int_equal(vka_cnode_mutate(&moved, &copy, 0x7), seL4_NoError);
    assert_false(slot_holds_cap(copy.capPtr));
    seL4_Signal(moved.capPtr);
    seL4_Word badge = 0;
    seL4_Poll(ntfn.cptr, &badge);
    assert_int_equal(badge, 0x7);
}

static void test_cnode_delete_empties_a_slot_and_accepts_an_empty_one(void **state)
{
    (void)state;
    vka_object_t f = frame(seL4_PageBits);
    cspacepath_t path;
    vka_cspace_make_path(&vka, f.cptr, &path);
    assert_int_equal(vka_cnode_delete(&path), seL4_NoError);
    assert_false(slot_holds_cap(f.cptr));
    assert_int_equal(vka_cnode_delete(&path), seL4_NoError);
}

static void test_cnode_revoke_deletes_derived_caps_and_keeps_the_original(void **state)
{
    (void)state;
    vka_object_t f = frame(seL4_PageBits);
    cspacepath_t orig, copy;
    vka_cspace_make_path(&vka, f.cptr, &orig);
    assert_int_equal(vka_cspace_alloc_path(&vka, &copy), 0);
    assert_int_equal(vka_cnode_copy(&copy, &orig, seL4_AllRights), seL4_NoError);
    assert_int_equal(vka_cnode_revoke(&orig), seL4_NoError);
    assert_false(slot_holds_cap(copy.capPtr));
    assert_true(slot_holds_cap(orig.capPtr));
}

static void test_capops_reject_null_paths(void **state)
{
    (void)state;
    cspacepath_t path = { 0 };
    assert_logs_error(assert_int_equal(vka_cnode_copy(NULL, &path, seL4_AllRights), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_cnode_copy(&path, NULL, seL4_AllRights), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_cnode_mint(NULL, &path, seL4_AllRights, 1), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_cnode_mint(&path, NULL, seL4_AllRights, 1), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_cnode_move(NULL, &path), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_cnode_move(&path, NULL), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_cnode_mutate(NULL, &path, 1), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_cnode_mutate(&path, NULL, 1), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_cnode_delete(NULL), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_cnode_revoke(NULL), seL4_InvalidArgument));
}

static void test_capops_on_a_zeroed_path_return_seL4_errors(void **state)
{
    (void)state;
    cspacepath_t zero = { 0 };
    assert_int_not_equal(vka_cnode_copy(&zero, &zero, seL4_AllRights), seL4_NoError);
    assert_int_not_equal(vka_cnode_revoke(&zero), seL4_NoError);
    assert_int_not_equal(vka_cnode_delete(&zero), seL4_NoError);
}

static void test_untyped_retype_helper_creates_several_objects(void **state)
{
    (void)state;
    vka_object_t ut;
    assert_int_equal(vka_alloc_untyped(&vka, 14, &ut), 0);
    seL4_CPtr first;
    assert_int_equal(vka_cspace_alloc(&vka, &first), 0);
    seL4_CPtr second;
    assert_int_equal(vka_cspace_alloc(&vka, &second), 0);
    assert_int_equal(second, first + 1);
    cspacepath_t dest;
    vka_cspace_make_path(&vka, first, &dest);
    assert_int_equal(vka_untyped_retype(&ut, seL4_X86_4K, 0, 2, &dest), seL4_NoError);
    assert_int_equal(frame_paddr(second), frame_paddr(first) + PAGE_SIZE_4K);
}

static void test_untyped_retype_helper_passes_cnode_radix_through(void **state)
{
    (void)state;
    vka_object_t ut;
    assert_int_equal(vka_alloc_untyped(&vka, 4 + seL4_SlotBits, &ut), 0);
    cspacepath_t dest;
    assert_int_equal(vka_cspace_alloc_path(&vka, &dest), 0);
    /* A 16-slot CNode fills the 2^9-byte untyped exactly. */
    assert_int_equal(vka_untyped_retype(&ut, seL4_CapTableObject, 4, 1, &dest), seL4_NoError);
}

static void test_untyped_retype_helper_rejects_bad_arguments(void **state)
{
    (void)state;
    vka_object_t ut;
    assert_int_equal(vka_alloc_untyped(&vka, 14, &ut), 0);
    cspacepath_t dest;
    assert_int_equal(vka_cspace_alloc_path(&vka, &dest), 0);
    assert_logs_error(assert_int_equal(vka_untyped_retype(NULL, seL4_X86_4K, 0, 1, &dest), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_untyped_retype(&ut, seL4_X86_4K, 0, 1, NULL), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_untyped_retype(&ut, -1, 0, 1, &dest), seL4_InvalidArgument));
    assert_logs_error(assert_int_equal(vka_untyped_retype(&ut, seL4_X86_4K, 0, 0, &dest), seL4_InvalidArgument));
    assert_false(slot_holds_cap(dest.capPtr));
}

/* object_capops */

static void test_mint_object_puts_a_badged_cap_in_a_new_slot(void **state)
{
    (void)state;
    vka_object_t ntfn;
    assert_int_equal(vka_alloc_notification(&vka, &ntfn), 0);
    cspacepath_t minted;
    assert_int_equal(vka_mint_object(&vka, &ntfn, &minted, seL4_AllRights, 0x300), 0);
    assert_int_not_equal(minted.capPtr, ntfn.cptr);
    seL4_Signal(minted.capPtr);
    seL4_Word badge = 0;
    seL4_Poll(ntfn.cptr, &badge);
    assert_int_equal(badge, 0x300);
}

static void test_mint_object_failure_frees_the_new_slot(void **state)
{
    (void)state;
    seL4_CPtr before;
    assert_int_equal(vka_cspace_alloc(&vka, &before), 0);
    vka_object_t empty = { .cptr = before };
    cspacepath_t minted;
    assert_logs_error(assert_int_not_equal(vka_mint_object(&vka, &empty, &minted, seL4_AllRights, 1), 0));
    vka_cspace_free(&vka, before);
    seL4_CPtr a, b;
    assert_int_equal(vka_cspace_alloc(&vka, &a), 0);
    assert_int_equal(vka_cspace_alloc(&vka, &b), 0);
    assert_true(a == before || b == before);
    assert_true(a == minted.capPtr || b == minted.capPtr);
}

static void test_mint_object_rejects_null_arguments(void **state)
{
    (void)state;
    vka_object_t ntfn;
    assert_int_equal(vka_alloc_notification(&vka, &ntfn), 0);
    cspacepath_t minted;
    assert_logs_error(assert_int_not_equal(vka_mint_object(&vka, NULL, &minted, seL4_AllRights, 1), 0));
    assert_logs_error(assert_int_not_equal(vka_mint_object(NULL, &ntfn, &minted, seL4_AllRights, 1), 0));
    assert_logs_error(assert_int_not_equal(vka_mint_object(&vka, &ntfn, NULL, seL4_AllRights, 1), 0));
}

/* cspacepath_t */

static void test_cspacepath_swap_exchanges_paths_and_tolerates_null(void **state)
{
    (void)state;
    cspacepath_t a = { .capPtr = 1, .window = 2 }, b = { .capPtr = 3, .window = 4 };
    cspacepath_swap(&a, &b);
    assert_int_equal(a.capPtr, 3);
    assert_int_equal(b.window, 2);
    assert_logs_error(cspacepath_swap(NULL, &b));
    assert_int_equal(b.capPtr, 1);
    cspacepath_t_print(&a);
    cspacepath_t_print(NULL);
}

/* Concurrency */

struct worker {
    uintptr_t paddr[64];
    int failures;
};

static void *alloc_worker(void *arg)
{
    struct worker *w = arg;
    for (int round = 0; round < 4; round++) {
        vka_object_t objs[64];
        for (int i = 0; i < 64; i++) {
            if (vka_alloc_frame(&vka, seL4_PageBits, &objs[i]) != 0) {
                w->failures++;
                return NULL;
            }
            w->paddr[i] = vka_object_paddr(&vka, &objs[i]);
        }
        if (round < 3) {
            for (int i = 0; i < 64; i++) {
                vka_free_object(&vka, &objs[i]);
            }
        }
    }
    return NULL;
}

static int compare_paddr(const void *x, const void *y)
{
    uintptr_t a = *(const uintptr_t *)x, b = *(const uintptr_t *)y;
    return a < b ? -1 : a > b;
}

static void test_concurrent_allocations_never_share_memory(void **state)
{
    (void)state;
    pthread_t threads[4];
    static struct worker workers[4];
    memset(workers, 0, sizeof(workers));
    for (int t = 0; t < 4; t++) {
        assert_int_equal(pthread_create(&threads[t], NULL, alloc_worker, &workers[t]), 0);
    }
    uintptr_t all[4 * 64];
    for (int t = 0; t < 4; t++) {
        pthread_join(threads[t], NULL);
        assert_int_equal(workers[t].failures, 0);
        memcpy(&all[t * 64], workers[t].paddr, sizeof(workers[t].paddr));
    }
    qsort(all, ARRAY_SIZE(all), sizeof(all[0]), compare_paddr);
    for (size_t i = 1; i < ARRAY_SIZE(all); i++) {
        assert_true(all[i] >= all[i - 1] + PAGE_SIZE_4K);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VKA_TEST(test_init_rejects_null_vka_and_missing_kernel),
        VKA_TEST(test_destroy_clears_vka_and_tolerates_null_and_repeat),
        VKA_TEST(test_cspace_alloc_returns_distinct_slots_in_the_empty_region),
        VKA_TEST(test_cspace_free_then_alloc_reuses_the_slot),
        VKA_TEST(test_cspace_alloc_rejects_null_vka_result_and_missing_operation),
        VKA_TEST(test_cspace_make_path_names_a_root_cnode_slot),
        VKA_TEST(test_cspace_make_path_with_bad_arguments_zeroes_the_path),
        VKA_TEST(test_cspace_alloc_path_allocates_and_describes_a_slot),
        VKA_TEST(test_cspace_alloc_path_with_bad_arguments_allocates_nothing),
        VKA_TEST(test_cspace_free_refuses_a_slot_that_still_holds_a_cap),
        VKA_TEST(test_cspace_free_refuses_double_free),
        VKA_TEST(test_cspace_free_refuses_slots_it_never_gave_out),
        VKA_TEST(test_cspace_free_tolerates_null_vka_and_missing_operation),
        cmocka_unit_test_setup_teardown(test_cspace_exhaustion_is_an_error_and_freeing_recovers, setup_few_slots,
                                        teardown),
        VKA_TEST(test_utspace_wrappers_reject_null_vka_result_and_missing_operations),
        VKA_TEST(test_utspace_alloc_rejects_null_destination),
        VKA_TEST(test_utspace_alloc_places_the_object_in_the_destination_slot),
        VKA_TEST(test_utspace_alloc_into_an_occupied_slot_fails_and_keeps_the_memory),
        VKA_TEST(test_alloc_frame_4k_is_an_aligned_ram_frame),
        VKA_TEST(test_alloc_frame_2m_is_an_aligned_ram_frame),
        VKA_TEST(test_alloc_frame_1g_is_an_aligned_ram_frame),
        VKA_TEST(test_alloc_frame_of_unsupported_size_fails_with_zeroed_result),
        VKA_TEST(test_frames_do_not_overlap),
        VKA_TEST(test_alloc_notification_is_signallable),
        VKA_TEST(test_alloc_cnode_object_holds_caps),
        VKA_TEST(test_alloc_cnode_object_takes_slot_bits_plus_slot_size),
        VKA_TEST(test_alloc_untyped_can_be_retyped),
        VKA_TEST(test_alloc_untyped_outside_size_limits_fails),
        VKA_TEST(test_alloc_untyped_larger_than_any_block_fails),
        VKA_TEST(test_alloc_minimum_untyped_succeeds),
        VKA_TEST(test_type_helpers_create_objects_of_their_type),
        VKA_TEST(test_ept_pml4_from_vka_accepts_ept_mappings),
        VKA_TEST(test_sched_context_and_reply_are_unavailable_without_mcs),
        VKA_TEST(test_alloc_object_rejects_unknown_type_without_leaking_a_slot),
        VKA_TEST(test_alloc_object_rejects_null_vka_and_result),
        VKA_TEST(test_alloc_object_at_no_paddr_allocates_anywhere),
        VKA_TEST(test_alloc_kobject_uses_the_generic_kind),
        VKA_TEST(test_leaky_helpers_return_a_cap_or_zero),
        VKA_TEST(test_free_then_alloc_reuses_the_same_memory),
        VKA_TEST(test_freed_memory_is_zeroed_when_reused),
        VKA_TEST(test_freed_small_object_memory_is_zeroed_when_reused_as_a_frame),
        VKA_TEST(test_free_object_deletes_every_copy_of_its_cap),
        VKA_TEST(test_alloc_and_free_return_the_kernel_to_its_starting_caps),
        VKA_TEST(test_free_object_rejects_null_and_empty_objects),
        VKA_TEST(test_double_free_of_an_object_is_refused),
        VKA_TEST(test_utspace_free_refuses_forged_cookies),
        VKA_TEST(test_utspace_free_with_mismatched_type_warns_and_frees),
        VKA_TEST(test_object_paddr_of_stale_or_bad_objects_is_no_paddr),
        VKA_TEST(test_alloc_frame_at_ram_paddr_gives_that_frame),
        VKA_TEST(test_alloc_frame_at_device_paddr_gives_that_frame),
        VKA_TEST(test_alloc_2m_frame_at_paddr_gives_that_frame),
        VKA_TEST(test_alloc_untyped_at_paddr_gives_that_block),
        VKA_TEST(test_alloc_at_refuses_memory_already_taken),
        VKA_TEST(test_alloc_at_refuses_memory_inside_a_larger_allocation),
        VKA_TEST(test_alloc_at_refuses_a_block_that_contains_an_allocation),
        VKA_TEST(test_alloc_at_refuses_unaligned_paddr),
        VKA_TEST(test_alloc_at_refuses_paddr_outside_memory),
        VKA_TEST(test_alloc_at_refuses_object_larger_than_the_untyped_there),
        VKA_TEST(test_alloc_at_free_and_alloc_at_again_succeeds),
        VKA_TEST(test_alloc_at_device_refuses_non_frame_objects_and_keeps_memory),
        VKA_TEST(test_alloc_at_rejects_null_result),
        VKA_TEST(test_alloc_at_takes_memory_out_of_general_allocation),
        SMALL_TEST(test_exhausted_ram_is_an_error_not_a_crash),
        SMALL_TEST(test_ram_freed_after_exhaustion_is_allocatable_again),
        SMALL_TEST(test_device_memory_is_not_used_by_default),
        SMALL_TEST(test_device_memory_is_used_when_allowed_and_ram_is_exhausted),
        SMALL_TEST(test_ram_is_preferred_over_device_memory),
        SMALL_TEST(test_device_fallback_is_only_for_frames_and_untypeds),
        SMALL_TEST(test_small_machine_ram_is_exactly_its_one_untyped),
        cmocka_unit_test(test_kobject_get_type_maps_frame_sizes),
        cmocka_unit_test(test_kobject_get_type_maps_generic_kinds),
        cmocka_unit_test(test_kobject_get_type_of_unknown_kind_is_an_error),
        cmocka_unit_test(test_kobject_get_size_gives_untyped_bits),
        cmocka_unit_test(test_vka_get_object_size_matches_what_retype_carves),
        VKA_TEST(test_cnode_copy_duplicates_a_cap_and_refuses_an_occupied_destination),
        VKA_TEST(test_cnode_copy_of_an_empty_slot_fails),
        VKA_TEST(test_cnode_mint_sets_the_badge),
        VKA_TEST(test_cnode_move_empties_the_source),
        VKA_TEST(test_cnode_mutate_moves_and_sets_the_badge),
        VKA_TEST(test_cnode_delete_empties_a_slot_and_accepts_an_empty_one),
        VKA_TEST(test_cnode_revoke_deletes_derived_caps_and_keeps_the_original),
        VKA_TEST(test_capops_reject_null_paths),
        VKA_TEST(test_capops_on_a_zeroed_path_return_seL4_errors),
        VKA_TEST(test_untyped_retype_helper_creates_several_objects),
        VKA_TEST(test_untyped_retype_helper_passes_cnode_radix_through),
        VKA_TEST(test_untyped_retype_helper_rejects_bad_arguments),
        VKA_TEST(test_mint_object_puts_a_badged_cap_in_a_new_slot),
        VKA_TEST(test_mint_object_failure_frees_the_new_slot),
        VKA_TEST(test_mint_object_rejects_null_arguments),
        VKA_TEST(test_cspacepath_swap_exchanges_paths_and_tolerates_null),
        VKA_TEST(test_concurrent_allocations_never_share_memory),
    };
    return cmocka_run_group_tests_name("vka", tests, quiet_group, loud_group);
}
