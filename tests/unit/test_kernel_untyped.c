/* seL4_Untyped_Retype on the simulated kernel: each check in seL4's order, watermark, reset and zeroing. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include "sim_fixture.h"

static seL4_CPtr ram_ut(unsigned bits)
{
    seL4_CPtr ut = find_untyped(bits, false, NULL);
    assert_int_not_equal(ut, 0);
    return ut;
}

static void test_retype_rejects_bad_type(void **state)
{
    (void)state;
    assert_int_equal(retype_at(ram_ut(20), seL4_ObjectTypeCount, 0, slot_alloc()), seL4_InvalidArgument);
    assert_int_equal(retype_at(ram_ut(20), 0x1000, 0, slot_alloc()), seL4_InvalidArgument);
}

static void test_retype_rejects_size_bits_at_word_size(void **state)
{
    (void)state;
    assert_int_equal(retype_at(ram_ut(20), seL4_UntypedObject, seL4_WordBits, slot_alloc()), seL4_RangeError);
}

static void test_retype_rejects_object_above_max_untyped_bits(void **state)
{
    (void)state;
    assert_int_equal(retype_at(ram_ut(20), seL4_UntypedObject, seL4_MaxUntypedBits + 1, slot_alloc()), seL4_RangeError);
    assert_int_equal(retype_at(ram_ut(20), seL4_CapTableObject, seL4_MaxUntypedBits - seL4_SlotBits + 1, slot_alloc()),
                     seL4_RangeError);
}

static void test_retype_rejects_cnode_of_zero_radix(void **state)
{
    (void)state;
    assert_int_equal(retype_at(ram_ut(20), seL4_CapTableObject, 0, slot_alloc()), seL4_InvalidArgument);
}

static void test_retype_rejects_untyped_below_min_bits(void **state)
{
    (void)state;
    assert_int_equal(retype_at(ram_ut(20), seL4_UntypedObject, seL4_MinUntypedBits - 1, slot_alloc()),
                     seL4_InvalidArgument);
}

static void test_retype_rejects_destination_that_is_not_a_cnode(void **state)
{
    (void)state;
    seL4_CPtr frame = make_object(ram_ut(20), seL4_X86_4K, 0);
    /* node_depth 64 names the frame's slot: a cap, but not a CNode. */
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, seL4_CapInitThreadCNode, frame, seL4_WordBits, 0,
                                         1),
                     seL4_FailedLookup);
    /* the root argument itself not a CNode */
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, frame, 0, 0, slot_alloc(), 1), seL4_FailedLookup);
}

static void test_retype_rejects_object_counts_outside_1_to_256(void **state)
{
    (void)state;
    seL4_CPtr s = slot_alloc();
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, s, 0),
                     seL4_RangeError);
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, s, 257),
                     seL4_RangeError);
}

static void test_retype_rejects_offset_outside_the_cnode(void **state)
{
    (void)state;
    seL4_Word slots = BIT(sel4kvm_sim_bootinfo()->initThreadCNodeSizeBits);
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, slots, 1),
                     seL4_RangeError);
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, slots - 1, 2),
                     seL4_RangeError);
}

static void test_retype_rejects_occupied_destination(void **state)
{
    (void)state;
    seL4_CPtr taken = make_object(ram_ut(20), seL4_X86_4K, 0);
    seL4_CPtr first = taken - 1;
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, first, 2),
                     seL4_DeleteFirst);
}

static void test_retype_reports_not_enough_memory(void **state)
{
    (void)state;
    seL4_CPtr ut = ram_ut(20);
    assert_int_equal(retype_at(ut, seL4_X86_LargePageObject, 0, slot_alloc()), seL4_NotEnoughMemory);
    seL4_CPtr s = slot_alloc();
    fixture_next_slot += 256;
    assert_int_equal(seL4_Untyped_Retype(ut, seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, s, 256), seL4_NoError);
    assert_int_equal(retype_at(ut, seL4_X86_4K, 0, slot_alloc()), seL4_NotEnoughMemory);
}

static void test_retype_device_untyped_makes_only_frames_and_untyped(void **state)
{
    (void)state;
    seL4_CPtr dev = find_untyped(28, true, NULL);
    assert_int_not_equal(dev, 0);
    assert_int_equal(retype_at(dev, seL4_NotificationObject, 0, slot_alloc()), seL4_InvalidArgument);
    assert_int_equal(retype_at(dev, seL4_CapTableObject, 4, slot_alloc()), seL4_InvalidArgument);
    assert_int_equal(retype_at(dev, seL4_X86_4K, 0, slot_alloc()), seL4_NoError);
    assert_int_equal(retype_at(dev, seL4_UntypedObject, 16, slot_alloc()), seL4_NoError);
}

static void test_retype_checks_in_seL4_order(void **state)
{
    (void)state;
    seL4_CPtr ut = ram_ut(20);
    seL4_CPtr taken = make_object(ut, seL4_X86_4K, 0);
    /* bad type wins over an occupied slot */
    assert_int_equal(retype_at(ut, seL4_ObjectTypeCount + 3, 0, taken), seL4_InvalidArgument);
    /* range of the size wins over the destination lookup */
    assert_int_equal(seL4_Untyped_Retype(ut, seL4_UntypedObject, 60, taken, 0, 0, 0, 1), seL4_RangeError);
    /* occupied wins over not enough memory */
    assert_int_equal(retype_at(ut, seL4_X86_LargePageObject, 0, taken), seL4_DeleteFirst);
    /* not enough memory wins over the device-type rule */
    seL4_CPtr dev = find_untyped(28, true, NULL);
    assert_int_equal(retype_at(dev, seL4_X86_4K, 0, slot_alloc()), seL4_NoError);
    seL4_CPtr big = slot_alloc();
    assert_int_equal(retype_at(dev, seL4_UntypedObject, 27, big), seL4_NoError);
    assert_int_equal(retype_at(big, seL4_X86_4K, 0, slot_alloc()), seL4_NoError);
    assert_int_equal(retype_at(dev, seL4_CapTableObject, 24, slot_alloc()), seL4_NotEnoughMemory);
}

static void test_retype_invoked_on_wrong_caps(void **state)
{
    (void)state;
    seL4_CPtr frame = make_object(ram_ut(20), seL4_X86_4K, 0);
    assert_int_equal(retype_at(frame, seL4_X86_4K, 0, slot_alloc()), seL4_IllegalOperation);
    assert_int_equal(retype_at(slot_alloc(), seL4_X86_4K, 0, slot_alloc()), seL4_InvalidCapability);
    assert_int_equal(retype_at(~0ul, seL4_X86_4K, 0, slot_alloc()), seL4_InvalidCapability);
}

static void test_retype_aligns_each_object_to_its_size(void **state)
{
    (void)state;
    uintptr_t base = 0;
    seL4_CPtr ut = find_untyped(22, false, &base);
    assert_int_not_equal(ut, 0);
    seL4_CPtr small = make_object(ut, seL4_X86_4K, 0);
    seL4_CPtr large = make_object(ut, seL4_X86_LargePageObject, 0);
    assert_int_equal(seL4_X86_Page_GetAddress(small).paddr, base);
    assert_int_equal(seL4_X86_Page_GetAddress(large).paddr, base + BIT(21));
}

static void test_retype_places_objects_in_a_child_cnode(void **state)
{
    (void)state;
    seL4_CPtr cnode = make_object(ram_ut(20), seL4_CapTableObject, 4);
    /* name the child CNode with depth 64 and fill two of its 16 slots */
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, seL4_CapInitThreadCNode, cnode, seL4_WordBits, 14,
                                         2),
                     seL4_NoError);
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, seL4_CapInitThreadCNode, cnode, seL4_WordBits, 15,
                                         1),
                     seL4_DeleteFirst);
    assert_int_equal(seL4_Untyped_Retype(ram_ut(20), seL4_X86_4K, 0, seL4_CapInitThreadCNode, cnode, seL4_WordBits, 16,
                                         1),
                     seL4_RangeError);
}

static void test_watermark_is_reused_after_revoke(void **state)
{
    (void)state;
    uintptr_t base = 0;
    seL4_CPtr ut = find_untyped(20, false, &base);
    seL4_CPtr first = slot_alloc();
    fixture_next_slot += 255;
    assert_int_equal(seL4_Untyped_Retype(ut, seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, first, 256), seL4_NoError);
    assert_int_equal(retype_at(ut, seL4_X86_4K, 0, slot_alloc()), seL4_NotEnoughMemory);
    assert_int_equal(revoke_cap(ut), seL4_NoError);
    seL4_CPtr again = slot_alloc();
    assert_int_equal(retype_at(ut, seL4_X86_4K, 0, again), seL4_NoError);
    assert_int_equal(seL4_X86_Page_GetAddress(again).paddr, base);
}

static void test_watermark_holds_while_any_child_remains(void **state)
{
    (void)state;
    uintptr_t base = 0;
    seL4_CPtr ut = find_untyped(20, false, &base);
    seL4_CPtr a = make_object(ut, seL4_X86_4K, 0);
    make_object(ut, seL4_X86_4K, 0);
    assert_int_equal(delete_cap(a), seL4_NoError);
    seL4_CPtr c = make_object(ut, seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_GetAddress(c).paddr, base + 2 * BIT(12));
}

static void test_deleting_every_child_resets_the_watermark(void **state)
{
    (void)state;
    uintptr_t base = 0;
    seL4_CPtr ut = find_untyped(20, false, &base);
    seL4_CPtr a = make_object(ut, seL4_X86_4K, 0);
    assert_int_equal(delete_cap(a), seL4_NoError);
    seL4_CPtr b = make_object(ut, seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_GetAddress(b).paddr, base);
}

static void test_reset_zeroes_ram(void **state)
{
    (void)state;
    uintptr_t base = 0;
    seL4_CPtr ut = find_untyped(20, false, &base);
    seL4_CPtr a = make_object(ut, seL4_X86_4K, 0);
    uint8_t *p = sel4kvm_sim_paddr_to_host(base, 4096);
    assert_non_null(p);
    memset(p, 0xa5, 4096);
    assert_int_equal(revoke_cap(ut), seL4_NoError);
    (void)a;
    make_object(ut, seL4_X86_4K, 0);
    for (int i = 0; i < 4096; i++) {
        assert_int_equal(p[i], 0);
    }
}

static void test_reset_leaves_device_memory_alone(void **state)
{
    (void)state;
    uintptr_t base = 0;
    seL4_CPtr dev = find_untyped(28, true, &base);
    make_object(dev, seL4_X86_4K, 0);
    uint8_t *p = sel4kvm_sim_paddr_to_host(base, 4096);
    p[0] = 0x5a;
    assert_int_equal(revoke_cap(dev), seL4_NoError);
    make_object(dev, seL4_X86_4K, 0);
    assert_int_equal(p[0], 0x5a);
}

static void test_new_objects_are_children_of_their_untyped(void **state)
{
    (void)state;
    seL4_CPtr ut = ram_ut(20);
    size_t objects = sel4kvm_sim_object_count();
    make_object(ut, seL4_X86_4K, 0);
    make_object(ut, seL4_NotificationObject, 0);
    assert_int_equal(sel4kvm_sim_object_count(), objects + 2);
    assert_int_equal(revoke_cap(ut), seL4_NoError);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
}

static void test_child_untyped_carves_from_its_parent(void **state)
{
    (void)state;
    uintptr_t base = 0;
    seL4_CPtr ut = find_untyped(22, false, &base);
    seL4_CPtr child = slot_alloc();
    fixture_next_slot++;
    assert_int_equal(seL4_Untyped_Retype(ut, seL4_UntypedObject, 21, seL4_CapInitThreadCNode, 0, 0, child, 2),
                     seL4_NoError);
    seL4_CPtr f = make_object(child + 1, seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_GetAddress(f).paddr, base + BIT(21));
    /* an untyped with children cannot be copied */
    assert_int_equal(copy_cap(slot_alloc(), ut, seL4_AllRights), seL4_RevokeFirst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_retype_rejects_bad_type),
        FIXTURE_TEST(test_retype_rejects_size_bits_at_word_size),
        FIXTURE_TEST(test_retype_rejects_object_above_max_untyped_bits),
        FIXTURE_TEST(test_retype_rejects_cnode_of_zero_radix),
        FIXTURE_TEST(test_retype_rejects_untyped_below_min_bits),
        FIXTURE_TEST(test_retype_rejects_destination_that_is_not_a_cnode),
        FIXTURE_TEST(test_retype_rejects_object_counts_outside_1_to_256),
        FIXTURE_TEST(test_retype_rejects_offset_outside_the_cnode),
        FIXTURE_TEST(test_retype_rejects_occupied_destination),
        FIXTURE_TEST(test_retype_reports_not_enough_memory),
        FIXTURE_TEST(test_retype_device_untyped_makes_only_frames_and_untyped),
        FIXTURE_TEST(test_retype_checks_in_seL4_order),
        FIXTURE_TEST(test_retype_invoked_on_wrong_caps),
        FIXTURE_TEST(test_retype_aligns_each_object_to_its_size),
        FIXTURE_TEST(test_retype_places_objects_in_a_child_cnode),
        FIXTURE_TEST(test_watermark_is_reused_after_revoke),
        FIXTURE_TEST(test_watermark_holds_while_any_child_remains),
        FIXTURE_TEST(test_deleting_every_child_resets_the_watermark),
        FIXTURE_TEST(test_reset_zeroes_ram),
        FIXTURE_TEST(test_reset_leaves_device_memory_alone),
        FIXTURE_TEST(test_new_objects_are_children_of_their_untyped),
        FIXTURE_TEST(test_child_untyped_carves_from_its_parent),
    };
    return cmocka_run_group_tests_name("kernel: untyped", tests, NULL, NULL);
}
