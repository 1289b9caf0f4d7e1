/* Bad-input matrix for the seL4 invocations (sel4/sel4.h): each bad call returns its documented seL4_Error. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "bad_input.h"

#define CNODE seL4_CapInitThreadCNode
#define DEPTH seL4_WordBits

static seL4_CPtr new_slot(struct bi_fixture *f)
{
    seL4_CPtr slot;
    assert_int_equal(vka_cspace_alloc(&f->env.vka, &slot), 0);
    return slot;
}

static seL4_CPtr new_object(struct bi_fixture *f, seL4_Word type, seL4_Word size_bits)
{
    vka_object_t obj;
    assert_int_equal(vka_alloc_object(&f->env.vka, type, size_bits, &obj), 0);
    return obj.cptr;
}

static seL4_CPtr new_frame(struct bi_fixture *f)
{
    return new_object(f, seL4_X86_4K, seL4_PageBits);
}

static seL4_CPtr new_untyped(struct bi_fixture *f)
{
    return new_object(f, seL4_UntypedObject, 16);
}

/* A frame mapped once into a fresh EPT root at guest address 0. */
static seL4_CPtr ept_mapped_frame(struct bi_fixture *f, seL4_CPtr *ept)
{
    *ept = new_object(f, seL4_X86_EPTPML4Object, seL4_PageBits);
    seL4_CPtr frame = new_frame(f);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, *ept, 0, seL4_AllRights, seL4_X86_EPT_Default_VMAttributes),
                     seL4_NoError);
    return frame;
}

/* Still works: a fresh untyped retypes into a frame that maps into an EPT root and reports its address. */
static void kernel_still_works(struct bi_fixture *f)
{
    seL4_CPtr ut = new_untyped(f);
    seL4_CPtr slot = new_slot(f);
    assert_int_equal(seL4_Untyped_Retype(ut, seL4_X86_4K, seL4_PageBits, CNODE, 0, 0, slot, 1), seL4_NoError);
    seL4_CPtr ept = new_object(f, seL4_X86_EPTPML4Object, seL4_PageBits);
    assert_int_equal(seL4_X86_Page_MapEPT(slot, ept, 0x1000, seL4_AllRights, seL4_X86_EPT_Default_VMAttributes),
                     seL4_NoError);
    assert_int_equal(seL4_X86_Page_Unmap(slot), seL4_NoError);
    assert_int_equal(seL4_CNode_Delete(CNODE, slot, DEPTH), seL4_NoError);
}

#define K kernel_still_works
#define Q BI_QUIET

/* clang-format off */
#define ROWS(X)                                                                                                        \
    X(seL4_CNode_CapData_new, guard_size_masked_to_six_bits, 0x40 | 0x3f, Q, NULL, seL4_CNode_CapData_new(1, ~0ul))   \
    X(seL4_Untyped_Retype, null_service, seL4_InvalidCapability, Q, K,                                                 \
      seL4_Untyped_Retype(seL4_CapNull, seL4_X86_4K, seL4_PageBits, CNODE, 0, 0, new_slot(f), 1))                      \
    X(seL4_Untyped_Retype, service_not_untyped, seL4_IllegalOperation, Q, K,                                          \
      seL4_Untyped_Retype(new_frame(f), seL4_X86_4K, seL4_PageBits, CNODE, 0, 0, new_slot(f), 1))                      \
    X(seL4_Untyped_Retype, bad_type, seL4_InvalidArgument, Q, K,                                                       \
      seL4_Untyped_Retype(new_untyped(f), 9999, seL4_PageBits, CNODE, 0, 0, new_slot(f), 1))                           \
    X(seL4_Untyped_Retype, max_size_bits, seL4_RangeError, Q, K,                                                       \
      seL4_Untyped_Retype(new_untyped(f), seL4_UntypedObject, seL4_WordBits, CNODE, 0, 0, new_slot(f), 1))             \
    X(seL4_Untyped_Retype, untyped_below_min, seL4_InvalidArgument, Q, K,                                              \
      seL4_Untyped_Retype(new_untyped(f), seL4_UntypedObject, seL4_MinUntypedBits - 1, CNODE, 0, 0, new_slot(f), 1))   \
    X(seL4_Untyped_Retype, root_not_cnode, seL4_FailedLookup, Q, K,                                                    \
      seL4_Untyped_Retype(new_untyped(f), seL4_X86_4K, seL4_PageBits, new_frame(f), 0, 0, new_slot(f), 1))             \
    X(seL4_Untyped_Retype, zero_objects, seL4_RangeError, Q, K,                                                        \
      seL4_Untyped_Retype(new_untyped(f), seL4_X86_4K, seL4_PageBits, CNODE, 0, 0, new_slot(f), 0))                    \
    X(seL4_Untyped_Retype, too_many_objects, seL4_RangeError, Q, K,                                                    \
      seL4_Untyped_Retype(new_untyped(f), seL4_X86_4K, seL4_PageBits, CNODE, 0, 0, new_slot(f), 257))                  \
    X(seL4_Untyped_Retype, offset_wraps, seL4_RangeError, Q, K,                                                        \
      seL4_Untyped_Retype(new_untyped(f), seL4_X86_4K, seL4_PageBits, CNODE, 0, 0, ~0ul, 2))                           \
    X(seL4_Untyped_Retype, occupied_destination, seL4_DeleteFirst, Q, K,                                               \
      seL4_Untyped_Retype(new_untyped(f), seL4_X86_4K, seL4_PageBits, CNODE, 0, 0, new_frame(f), 1))                   \
    X(seL4_Untyped_Retype, not_enough_memory, seL4_NotEnoughMemory, Q, K,                                              \
      seL4_Untyped_Retype(new_untyped(f), seL4_X86_LargePageObject, seL4_LargePageBits, CNODE, 0, 0, new_slot(f),      \
                          1))                                                                                          \
    X(seL4_CNode_Copy, empty_source, seL4_FailedLookup, Q, K,                                                          \
      seL4_CNode_Copy(CNODE, new_slot(f), DEPTH, CNODE, new_slot(f), DEPTH, seL4_AllRights))                           \
    X(seL4_CNode_Copy, occupied_destination, seL4_DeleteFirst, Q, K,                                                   \
      seL4_CNode_Copy(CNODE, new_frame(f), DEPTH, CNODE, new_frame(f), DEPTH, seL4_AllRights))                         \
    X(seL4_CNode_Copy, service_not_cnode, seL4_IllegalOperation, Q, K,                                                 \
                                                                                                                       \
      seL4_CNode_Copy(new_frame(f), new_slot(f), DEPTH, CNODE, new_frame(f), DEPTH, seL4_AllRights))                   \
    X(seL4_CNode_Copy, zero_depth, seL4_RangeError, Q, K,                                                              \
      seL4_CNode_Copy(CNODE, new_slot(f), 0, CNODE, new_frame(f), DEPTH, seL4_AllRights))                              \
    X(seL4_CNode_Copy, untyped_with_children, seL4_RevokeFirst, Q, K, ({                                               \
          seL4_CPtr ut_ = new_untyped(f);                                                                              \
          assert_int_equal(seL4_Untyped_Retype(ut_, seL4_X86_4K, seL4_PageBits, CNODE, 0, 0, new_slot(f), 1), 0);     \
          seL4_CNode_Copy(CNODE, new_slot(f), DEPTH, CNODE, ut_, DEPTH, seL4_AllRights);                               \
      }))                                                                                                              \
    X(seL4_CNode_Mint, empty_source, seL4_FailedLookup, Q, K,                                                          \
      seL4_CNode_Mint(CNODE, new_slot(f), DEPTH, CNODE, new_slot(f), DEPTH, seL4_AllRights, 7))                        \
    X(seL4_CNode_Mint, occupied_destination, seL4_DeleteFirst, Q, K,                                                   \
      seL4_CNode_Mint(CNODE, new_frame(f), DEPTH, CNODE, new_frame(f), DEPTH, seL4_AllRights, 7))                      \
    X(seL4_CNode_Mint, depth_past_word_bits, seL4_RangeError, Q, K,                                                    \
      seL4_CNode_Mint(CNODE, new_slot(f), DEPTH + 1, CNODE, new_frame(f), DEPTH, seL4_AllRights, 7))                   \
    X(seL4_CNode_Move, empty_source, seL4_FailedLookup, Q, K,                                                          \
      seL4_CNode_Move(CNODE, new_slot(f), DEPTH, CNODE, new_slot(f), DEPTH))                                           \
    X(seL4_CNode_Move, occupied_destination, seL4_DeleteFirst, Q, K,                                                   \
      seL4_CNode_Move(CNODE, new_frame(f), DEPTH, CNODE, new_frame(f), DEPTH))                                         \
    X(seL4_CNode_Move, onto_itself, seL4_DeleteFirst, Q, K, ({                                                         \
          seL4_CPtr fr_ = new_frame(f);                                                                                \
          seL4_CNode_Move(CNODE, fr_, DEPTH, CNODE, fr_, DEPTH);                                                       \
      }))                                                                                                              \
    X(seL4_CNode_Mutate, empty_source, seL4_FailedLookup, Q, K,                                                        \
      seL4_CNode_Mutate(CNODE, new_slot(f), DEPTH, CNODE, new_slot(f), DEPTH, 7))                                      \
    X(seL4_CNode_Mutate, occupied_destination, seL4_DeleteFirst, Q, K,                                                 \
      seL4_CNode_Mutate(CNODE, new_frame(f), DEPTH, CNODE, new_frame(f), DEPTH, 7))                                    \
    X(seL4_CNode_Delete, empty_slot_succeeds, seL4_NoError, Q, K, seL4_CNode_Delete(CNODE, new_slot(f), DEPTH))        \
    X(seL4_CNode_Delete, service_not_cnode, seL4_IllegalOperation, Q, K,                                               \
                                                                                                                       \
      seL4_CNode_Delete(new_frame(f), new_frame(f), DEPTH))                                                            \
    X(seL4_CNode_Delete, zero_depth, seL4_RangeError, Q, K, seL4_CNode_Delete(CNODE, new_frame(f), 0))                 \
    X(seL4_CNode_Revoke, empty_slot_succeeds, seL4_NoError, Q, K, seL4_CNode_Revoke(CNODE, new_slot(f), DEPTH))        \
    X(seL4_CNode_Revoke, service_not_cnode, seL4_IllegalOperation, Q, K,                                               \
                                                                                                                       \
      seL4_CNode_Revoke(new_frame(f), new_untyped(f), DEPTH))                                                          \
    X(seL4_X86_Page_Map, not_a_frame, seL4_IllegalOperation, Q, K,                                                    \
      seL4_X86_Page_Map(new_untyped(f), seL4_CapInitThreadVSpace, 0, seL4_AllRights, seL4_X86_Default_VMAttributes))   \
    X(seL4_X86_Page_Map, unaligned_vaddr, seL4_AlignmentError, Q, K, ({                                                \
          uintptr_t base_;                                                                                             \
          size_t size_;                                                                                                \
          assert_int_equal(sel4kvm_sim_vmm_window(&base_, &size_), 0);                                                 \
          seL4_X86_Page_Map(new_frame(f), seL4_CapInitThreadVSpace, base_ + size_ - 0x1000 + 8, seL4_AllRights,        \
                            seL4_X86_Default_VMAttributes);                                                            \
      }))                                                                                                              \
    X(seL4_X86_Page_Map, vspace_not_a_root, seL4_InvalidCapability, Q, K,                                              \
      seL4_X86_Page_Map(new_frame(f), new_frame(f), 0x10000000, seL4_AllRights, seL4_X86_Default_VMAttributes))        \
    X(seL4_X86_Page_MapEPT, already_mapped, seL4_InvalidCapability, Q, K, ({                                           \
          seL4_CPtr ept_;                                                                                              \
          seL4_CPtr fr_ = ept_mapped_frame(f, &ept_);                                                                  \
          seL4_X86_Page_MapEPT(fr_, ept_, 0x2000, seL4_AllRights, seL4_X86_EPT_Default_VMAttributes);                  \
      }))                                                                                                              \
    X(seL4_X86_Page_MapEPT, occupied_target, seL4_DeleteFirst, Q, K, ({                                                \
          seL4_CPtr ept_;                                                                                              \
          ept_mapped_frame(f, &ept_);                                                                                  \
          seL4_X86_Page_MapEPT(new_frame(f), ept_, 0, seL4_AllRights, seL4_X86_EPT_Default_VMAttributes);              \
      }))                                                                                                              \
    X(seL4_X86_Page_MapEPT, unaligned_gpa, seL4_AlignmentError, Q, K,                                                  \
      seL4_X86_Page_MapEPT(new_frame(f), new_object(f, seL4_X86_EPTPML4Object, seL4_PageBits), 0x1008,                 \
                           seL4_AllRights, seL4_X86_EPT_Default_VMAttributes))                                         \
    X(seL4_X86_Page_MapEPT, null_service, seL4_InvalidCapability, Q, K,                                                \
      seL4_X86_Page_MapEPT(seL4_CapNull, new_object(f, seL4_X86_EPTPML4Object, seL4_PageBits), 0, seL4_AllRights,      \
                           seL4_X86_EPT_Default_VMAttributes))                                                         \
    X(seL4_X86_Page_Unmap, unmapped_is_noop, seL4_NoError, Q, K, seL4_X86_Page_Unmap(new_frame(f)))                    \
    X(seL4_X86_Page_Unmap, not_a_frame, seL4_IllegalOperation, Q, K, seL4_X86_Page_Unmap(new_untyped(f)))             \
    X(seL4_X86_Page_GetAddress, null_service, seL4_InvalidCapability, Q, K,                                            \
      seL4_X86_Page_GetAddress(seL4_CapNull).error)                                                                    \
    X(seL4_X86_Page_GetAddress, empty_slot, seL4_InvalidCapability, Q, K,                                              \
      seL4_X86_Page_GetAddress(new_slot(f)).error)                                                                     \
    X(seL4_X86_ASIDPool_Assign, service_not_a_pool, seL4_InvalidCapability, Q, K,                                      \
      seL4_X86_ASIDPool_Assign(new_frame(f), new_object(f, seL4_X86_EPTPML4Object, seL4_PageBits)))                    \
    X(seL4_X86_ASIDPool_Assign, vspace_not_a_root, seL4_InvalidCapability, Q, K,                                       \
      seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, new_frame(f)))                                              \
    X(seL4_Signal, not_a_notification_is_ignored, 0, Q, K, (seL4_Signal(new_frame(f)), 0))                             \
    X(seL4_Wait, not_a_notification_returns_badge_zero, 0, Q, K, ({                                                    \
          seL4_Word badge_ = 99;                                                                                       \
          seL4_Wait(new_frame(f), &badge_);                                                                            \
          badge_;                                                                                                      \
      }))                                                                                                              \
    X(seL4_Poll, not_a_notification_returns_badge_zero, 0, Q, K, ({                                                    \
          seL4_Word badge_ = 99;                                                                                       \
          seL4_Poll(new_frame(f), &badge_);                                                                            \
          badge_;                                                                                                      \
      }))                                                                                                              \
    X(seL4_Poll, null_sender, 0, Q, K, (seL4_Poll(seL4_CapNull, NULL), 0))
/* clang-format on */

ROWS(BI_DEFINE_CALL)

static const struct bad_input_case rows[] = { ROWS(BI_DEFINE_ROW) };

static const char *const headers[] = { "sel4/sel4.h", NULL };

int main(void)
{
    return bi_run("bad_input_sel4", rows, ARRAY_SIZE(rows), headers);
}
