/* CNode invocations on the simulated kernel: rights masking, badges, the CDT, delete and revoke. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "sim_fixture.h"

static seL4_CPtr ut20(void)
{
    return find_untyped(20, false, NULL);
}

static seL4_Error mint_cap(seL4_CPtr dest, seL4_CPtr src, seL4_CapRights_t rights, seL4_Word badge)
{
    return seL4_CNode_Mint(seL4_CapInitThreadCNode, dest, seL4_WordBits, seL4_CapInitThreadCNode, src, seL4_WordBits,
                           rights, badge);
}

static seL4_Error move_cap(seL4_CPtr dest, seL4_CPtr src)
{
    return seL4_CNode_Move(seL4_CapInitThreadCNode, dest, seL4_WordBits, seL4_CapInitThreadCNode, src, seL4_WordBits);
}

/* What an EPT hook reports about the last mapping: the effective rights. */
static seL4_Word last_rights;
static int record_rights(void *cookie, const sel4kvm_map_event_t *ev)
{
    (void)cookie;
    if (ev->map) {
        last_rights = ev->rights.words[0];
    }
    return 0;
}

static seL4_CPtr ept_with_hook(void)
{
    seL4_CPtr ept = make_object(ut20(), seL4_X86_EPTPML4Object, 0);
    assert_int_equal(sel4kvm_sim_set_vspace_hook(ept, record_rights, NULL), 0);
    return ept;
}

static void test_copy_masks_rights(void **state)
{
    (void)state;
    seL4_CPtr ept = ept_with_hook();
    seL4_CPtr frame = make_object(ut20(), seL4_X86_4K, 0);
    seL4_CPtr ro = slot_alloc();
    assert_int_equal(copy_cap(ro, frame, seL4_CanRead), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(ro, ept, 0x1000, seL4_AllRights, seL4_X86_EPT_Default_VMAttributes),
                     seL4_NoError);
    assert_int_equal(last_rights, seL4_CanRead.words[0]);
    /* rights only ever shrink: a copy of the read-only copy asked for write stays read-only */
    seL4_CPtr ro2 = slot_alloc();
    assert_int_equal(copy_cap(ro2, ro, seL4_AllRights), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(ro2, ept, 0x2000, seL4_ReadWrite, seL4_X86_EPT_Default_VMAttributes),
                     seL4_NoError);
    assert_int_equal(last_rights, seL4_CanRead.words[0]);
}

static void test_mint_masks_rights_and_sets_the_badge(void **state)
{
    (void)state;
    seL4_CPtr ntfn = make_object(ut20(), seL4_NotificationObject, 0);
    seL4_CPtr badged = slot_alloc();
    assert_int_equal(mint_cap(badged, ntfn, seL4_CanWrite, 0x40), seL4_NoError);
    seL4_Signal(badged);
    seL4_Word badge = 0;
    seL4_Poll(ntfn, &badge);
    assert_int_equal(badge, 0x40);
    /* the minted cap has no read right: polling through it is refused and returns nothing */
    seL4_Signal(badged);
    seL4_Poll(badged, &badge);
    assert_int_equal(badge, 0);
}

static void test_mint_refuses_to_rebadge_a_badged_cap(void **state)
{
    (void)state;
    seL4_CPtr ntfn = make_object(ut20(), seL4_NotificationObject, 0);
    seL4_CPtr badged = slot_alloc();
    assert_int_equal(mint_cap(badged, ntfn, seL4_AllRights, 1), seL4_NoError);
    assert_int_equal(mint_cap(slot_alloc(), badged, seL4_AllRights, 2), seL4_IllegalOperation);
}

static void test_copy_refuses_occupied_destination(void **state)
{
    (void)state;
    seL4_CPtr a = make_object(ut20(), seL4_X86_4K, 0);
    seL4_CPtr b = make_object(ut20(), seL4_X86_4K, 0);
    assert_int_equal(copy_cap(b, a, seL4_AllRights), seL4_DeleteFirst);
    assert_int_equal(mint_cap(b, a, seL4_AllRights, 0), seL4_DeleteFirst);
    assert_int_equal(move_cap(b, a), seL4_DeleteFirst);
}

static void test_copy_from_empty_slot_fails_lookup(void **state)
{
    (void)state;
    assert_int_equal(copy_cap(slot_alloc(), slot_alloc(), seL4_AllRights), seL4_FailedLookup);
    assert_int_equal(move_cap(slot_alloc(), slot_alloc()), seL4_FailedLookup);
}

static void test_cnode_ops_reject_bad_depth(void **state)
{
    (void)state;
    seL4_CPtr a = make_object(ut20(), seL4_X86_4K, 0);
    assert_int_equal(seL4_CNode_Copy(seL4_CapInitThreadCNode, slot_alloc(), 0, seL4_CapInitThreadCNode, a,
                                     seL4_WordBits, seL4_AllRights),
                     seL4_RangeError);
    assert_int_equal(seL4_CNode_Delete(seL4_CapInitThreadCNode, a, 65), seL4_RangeError);
    /* depth 10 consumes only part of the root's 42 guard bits */
    assert_int_equal(seL4_CNode_Delete(seL4_CapInitThreadCNode, a, 10), seL4_FailedLookup);
}

static void test_cnode_ops_reject_guard_mismatch(void **state)
{
    (void)state;
    seL4_CPtr a = make_object(ut20(), seL4_X86_4K, 0);
    assert_int_equal(seL4_CNode_Delete(seL4_CapInitThreadCNode, a | (1ul << 40), seL4_WordBits), seL4_FailedLookup);
    assert_int_equal(seL4_X86_Page_GetAddress(a).error, seL4_NoError);
}

static void test_cnode_ops_on_non_cnode_cap(void **state)
{
    (void)state;
    seL4_CPtr a = make_object(ut20(), seL4_X86_4K, 0);
    assert_int_equal(seL4_CNode_Delete(a, 0, seL4_WordBits), seL4_IllegalOperation);
    assert_int_equal(seL4_CNode_Delete(slot_alloc(), 0, seL4_WordBits), seL4_InvalidCapability);
    assert_int_equal(seL4_CNode_Copy(seL4_CapInitThreadCNode, slot_alloc(), seL4_WordBits, a, 0, seL4_WordBits,
                                     seL4_AllRights),
                     seL4_FailedLookup);
}

static void test_move_carries_cap_and_its_derivation(void **state)
{
    (void)state;
    seL4_CPtr ut = ut20();
    seL4_CPtr frame = make_object(ut, seL4_X86_4K, 0);
    uintptr_t paddr = seL4_X86_Page_GetAddress(frame).paddr;
    seL4_CPtr moved = slot_alloc();
    assert_int_equal(move_cap(moved, frame), seL4_NoError);
    assert_int_equal(seL4_X86_Page_GetAddress(frame).error, seL4_InvalidCapability);
    assert_int_equal(seL4_X86_Page_GetAddress(moved).paddr, paddr);
    /* still a child of the untyped: revoking it deletes the moved cap */
    assert_int_equal(revoke_cap(ut), seL4_NoError);
    assert_int_equal(seL4_X86_Page_GetAddress(moved).error, seL4_InvalidCapability);
}

static void test_move_keeps_a_mapping(void **state)
{
    (void)state;
    seL4_CPtr ept = ept_with_hook();
    seL4_CPtr frame = make_object(ut20(), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x4000, seL4_AllRights, 0), seL4_NoError);
    seL4_CPtr moved = slot_alloc();
    assert_int_equal(move_cap(moved, frame), seL4_NoError);
    /* still mapped: mapping again is refused; unmapping through the new slot frees the address */
    assert_int_equal(seL4_X86_Page_MapEPT(moved, ept, 0x5000, seL4_AllRights, 0), seL4_InvalidCapability);
    assert_int_equal(seL4_X86_Page_Unmap(moved), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(moved, ept, 0x4000, seL4_AllRights, 0), seL4_NoError);
}

static void test_mutate_sets_badge_while_moving(void **state)
{
    (void)state;
    seL4_CPtr ntfn = make_object(ut20(), seL4_NotificationObject, 0);
    seL4_CPtr copy = slot_alloc();
    assert_int_equal(copy_cap(copy, ntfn, seL4_AllRights), seL4_NoError);
    seL4_CPtr mutated = slot_alloc();
    assert_int_equal(seL4_CNode_Mutate(seL4_CapInitThreadCNode, mutated, seL4_WordBits, seL4_CapInitThreadCNode, copy,
                                       seL4_WordBits, 0x8),
                     seL4_NoError);
    seL4_Signal(mutated);
    seL4_Word badge = 0;
    seL4_Poll(ntfn, &badge);
    assert_int_equal(badge, 0x8);
}

static void test_delete_of_empty_slot_succeeds(void **state)
{
    (void)state;
    assert_int_equal(delete_cap(slot_alloc()), seL4_NoError);
}

static void test_deleting_last_cap_destroys_the_object(void **state)
{
    (void)state;
    size_t objects = sel4kvm_sim_object_count();
    seL4_CPtr ntfn = make_object(ut20(), seL4_NotificationObject, 0);
    seL4_CPtr copy = slot_alloc();
    assert_int_equal(copy_cap(copy, ntfn, seL4_AllRights), seL4_NoError);
    assert_int_equal(delete_cap(ntfn), seL4_NoError);
    assert_int_equal(sel4kvm_sim_object_count(), objects + 1);
    assert_int_equal(delete_cap(copy), seL4_NoError);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
}

static void test_delete_unmaps_the_frame(void **state)
{
    (void)state;
    seL4_CPtr ept = ept_with_hook();
    seL4_CPtr frame = make_object(ut20(), seL4_X86_4K, 0);
    seL4_CPtr copy = slot_alloc();
    assert_int_equal(copy_cap(copy, frame, seL4_AllRights), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(copy, ept, 0x6000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(delete_cap(copy), seL4_NoError);
    /* the address is free again for another mapping of the same frame */
    seL4_CPtr again = slot_alloc();
    assert_int_equal(copy_cap(again, frame, seL4_AllRights), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(again, ept, 0x6000, seL4_AllRights, 0), seL4_NoError);
}

static void test_revoke_deletes_descendants_but_not_the_cap(void **state)
{
    (void)state;
    seL4_CPtr frame = make_object(ut20(), seL4_X86_4K, 0);
    seL4_CPtr child = slot_alloc(), grandchild = slot_alloc();
    assert_int_equal(copy_cap(child, frame, seL4_AllRights), seL4_NoError);
    assert_int_equal(copy_cap(grandchild, child, seL4_AllRights), seL4_NoError);
    assert_int_equal(revoke_cap(frame), seL4_NoError);
    assert_int_equal(seL4_X86_Page_GetAddress(frame).error, seL4_NoError);
    assert_int_equal(seL4_X86_Page_GetAddress(child).error, seL4_InvalidCapability);
    assert_int_equal(seL4_X86_Page_GetAddress(grandchild).error, seL4_InvalidCapability);
}

static void test_revoke_reaches_copies_of_badged_caps(void **state)
{
    (void)state;
    seL4_CPtr ntfn = make_object(ut20(), seL4_NotificationObject, 0);
    seL4_CPtr badged = slot_alloc(), copy = slot_alloc();
    assert_int_equal(mint_cap(badged, ntfn, seL4_AllRights, 3), seL4_NoError);
    assert_int_equal(copy_cap(copy, badged, seL4_AllRights), seL4_NoError);
    /* a copy of a badged cap is its sibling: revoking the badged cap leaves the copy */
    assert_int_equal(revoke_cap(badged), seL4_NoError);
    assert_int_equal(sel4kvm_notification_wait_fd(copy) >= 0, 1);
    assert_int_equal(revoke_cap(ntfn), seL4_NoError);
    assert_int_equal(sel4kvm_notification_wait_fd(copy), -1);
    assert_int_equal(sel4kvm_notification_wait_fd(badged), -1);
}

static void test_deleting_a_parent_keeps_children_derived_from_the_grandparent(void **state)
{
    (void)state;
    seL4_CPtr ut = ut20();
    seL4_CPtr frame = make_object(ut, seL4_X86_4K, 0);
    seL4_CPtr copy = slot_alloc();
    assert_int_equal(copy_cap(copy, frame, seL4_AllRights), seL4_NoError);
    assert_int_equal(delete_cap(frame), seL4_NoError);
    assert_int_equal(seL4_X86_Page_GetAddress(copy).error, seL4_NoError);
    assert_int_equal(revoke_cap(ut), seL4_NoError);
    assert_int_equal(seL4_X86_Page_GetAddress(copy).error, seL4_InvalidCapability);
}

static void test_root_cnode_survives_deleting_its_cap_copy(void **state)
{
    (void)state;
    seL4_CPtr copy = slot_alloc();
    assert_int_equal(copy_cap(copy, seL4_CapInitThreadCNode, seL4_AllRights), seL4_NoError);
    assert_int_equal(delete_cap(copy), seL4_NoError);
    seL4_CPtr frame = make_object(ut20(), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_GetAddress(frame).error, seL4_NoError);
}

static void test_cnode_destroyed_with_its_contents(void **state)
{
    (void)state;
    size_t objects = sel4kvm_sim_object_count();
    size_t caps = sel4kvm_sim_cap_count();
    seL4_CPtr cnode = make_object(ut20(), seL4_CapTableObject, 3);
    assert_int_equal(seL4_Untyped_Retype(ut20(), seL4_NotificationObject, 0, seL4_CapInitThreadCNode, cnode,
                                         seL4_WordBits, 0, 8),
                     seL4_NoError);
    assert_int_equal(sel4kvm_sim_object_count(), objects + 9);
    assert_int_equal(sel4kvm_sim_cap_count(), caps + 9);
    assert_int_equal(delete_cap(cnode), seL4_NoError);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
}

static void test_minted_guard_is_checked_on_lookup(void **state)
{
    (void)state;
    seL4_CPtr cnode = make_object(ut20(), seL4_CapTableObject, 4);
    assert_int_equal(seL4_Untyped_Retype(ut20(), seL4_X86_4K, 0, seL4_CapInitThreadCNode, cnode, seL4_WordBits, 5, 1),
                     seL4_NoError);
    /* unguarded: radix 4 resolves index 5 at depth 4 */
    assert_int_equal(seL4_CNode_Revoke(cnode, 5, 4), seL4_NoError);
    /* guarded with 3 bits of value 0b101: index (0b101 << 4) | 5 at depth 7 */
    seL4_CPtr guarded = slot_alloc();
    assert_int_equal(mint_cap(guarded, cnode, seL4_AllRights, seL4_CNode_CapData_new(5, 3)), seL4_NoError);
    assert_int_equal(seL4_CNode_Revoke(guarded, (4ul << 4) | 5, 7), seL4_FailedLookup);
    assert_int_equal(seL4_CNode_Revoke(guarded, 5, 4), seL4_FailedLookup);
    assert_int_equal(seL4_CNode_Delete(guarded, (5ul << 4) | 5, 7), seL4_NoError);
    assert_int_equal(seL4_CNode_Revoke(cnode, 5, 4), seL4_NoError);
    assert_int_equal(seL4_Untyped_Retype(ut20(), seL4_X86_4K, 0, seL4_CapInitThreadCNode, cnode, seL4_WordBits, 5, 1),
                     seL4_NoError);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_copy_masks_rights),
        FIXTURE_TEST(test_mint_masks_rights_and_sets_the_badge),
        FIXTURE_TEST(test_mint_refuses_to_rebadge_a_badged_cap),
        FIXTURE_TEST(test_copy_refuses_occupied_destination),
        FIXTURE_TEST(test_copy_from_empty_slot_fails_lookup),
        FIXTURE_TEST(test_cnode_ops_reject_bad_depth),
        FIXTURE_TEST(test_cnode_ops_reject_guard_mismatch),
        FIXTURE_TEST(test_cnode_ops_on_non_cnode_cap),
        FIXTURE_TEST(test_move_carries_cap_and_its_derivation),
        FIXTURE_TEST(test_move_keeps_a_mapping),
        FIXTURE_TEST(test_mutate_sets_badge_while_moving),
        FIXTURE_TEST(test_delete_of_empty_slot_succeeds),
        FIXTURE_TEST(test_deleting_last_cap_destroys_the_object),
        FIXTURE_TEST(test_delete_unmaps_the_frame),
        FIXTURE_TEST(test_revoke_deletes_descendants_but_not_the_cap),
        FIXTURE_TEST(test_revoke_reaches_copies_of_badged_caps),
        FIXTURE_TEST(test_deleting_a_parent_keeps_children_derived_from_the_grandparent),
        FIXTURE_TEST(test_root_cnode_survives_deleting_its_cap_copy),
        FIXTURE_TEST(test_cnode_destroyed_with_its_contents),
        FIXTURE_TEST(test_minted_guard_is_checked_on_lookup),
    };
    return cmocka_run_group_tests_name("kernel: cnode", tests, NULL, NULL);
}
