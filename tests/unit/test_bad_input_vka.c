/* Bad-input matrix for the vka interface (vka/): documented error value, message, allocator still works. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "bad_input.h"
#include <errno.h>
#include <vka/capops.h>
#include <vka/cspacepath_t.h>
#include <vka/kobject_t.h>
#include <vka/object_capops.h>

/* The deprecated aliases are public functions too, so they get rows. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static vka_object_t obj;
static cspacepath_t path;
static const vka_t unimplemented;

static cspacepath_t path_of(struct bi_fixture *f, seL4_CPtr slot)
{
    cspacepath_t p;
    vka_cspace_make_path(&f->env.vka, slot, &p);
    return p;
}

static cspacepath_t *empty_path(struct bi_fixture *f)
{
    static cspacepath_t p;
    assert_int_equal(vka_cspace_alloc_path(&f->env.vka, &p), 0);
    return &p;
}

static cspacepath_t *frame_path(struct bi_fixture *f)
{
    static cspacepath_t p;
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frame), 0);
    p = path_of(f, frame.cptr);
    return &p;
}

static vka_object_t *freed_frame(struct bi_fixture *f)
{
    static vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frame), 0);
    vka_free_object(&f->env.vka, &frame);
    return &frame;
}

/* A frame physical address the allocator handed out and took back, so nothing holds it now. */
static uintptr_t free_paddr(struct bi_fixture *f)
{
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frame), 0);
    uintptr_t pa = vka_object_paddr(&f->env.vka, &frame);
    vka_free_object(&f->env.vka, &frame);
    return pa;
}

/* Still works: a slot, an untyped and every kind of object come and go, and caps copy between slots. */
static void vka_works(struct bi_fixture *f)
{
    vka_object_t ut, ntfn;
    assert_int_equal(vka_alloc_untyped(&f->env.vka, 16, &ut), 0);
    assert_int_equal(vka_alloc_notification(&f->env.vka, &ntfn), 0);
    cspacepath_t dest, src = path_of(f, ntfn.cptr);
    assert_int_equal(vka_cspace_alloc_path(&f->env.vka, &dest), 0);
    assert_int_equal(vka_cnode_copy(&dest, &src, seL4_AllRights), seL4_NoError);
    assert_int_equal(vka_cnode_delete(&dest), seL4_NoError);
    vka_cspace_free_path(&f->env.vka, dest);
    vka_free_object(&f->env.vka, &ntfn);
    vka_free_object(&f->env.vka, &ut);
}

#define L BI_LOGS
#define Q BI_QUIET
#define VKA (&f->env.vka)
#define W vka_works
#define NO_PADDR ((intptr_t)VKA_NO_PADDR)
#define BAD_SIZE ((intptr_t)(unsigned long)-1)

/* An allocator taking (vka, result): NULL vka and NULL result. */
#define ALLOC_ROWS(X, fn)                                                                                              \
    X(fn, null_vka, -1, L, W, fn(NULL, &obj))                                                                          \
    X(fn, null_result, -1, L, W, fn(VKA, NULL))
/* A leaky allocator taking (vka) or (vka, size_bits): 0 for a NULL vka. */
#define LEAKY_ROWS(X, fn) X(fn, null_vka, 0, L, W, fn(NULL))
#define LEAKY_SIZED_ROWS(X, fn, bits) X(fn, null_vka, 0, L, W, fn(NULL, bits))

/* clang-format off */
#define ROWS(X)                                                                                                        \
    X(vka_cspace_alloc, null_vka, -1, L, W, vka_cspace_alloc(NULL, &obj.cptr))                                         \
    X(vka_cspace_alloc, null_res, -1, L, W, vka_cspace_alloc(VKA, NULL))                                               \
    X(vka_cspace_alloc, unimplemented, -1, L, W, vka_cspace_alloc((vka_t *)&unimplemented, &obj.cptr))                 \
    X(vka_cspace_make_path, null_res, 0, L, W, (vka_cspace_make_path(VKA, 5, NULL), 0))                                \
    X(vka_cspace_make_path, null_vka_zeroes_res, 0, L, W, ({                                                           \
          path.capPtr = 7;                                                                                             \
          vka_cspace_make_path(NULL, 5, &path);                                                                        \
          path.capPtr;                                                                                                 \
      }))                                                                                                              \
    X(vka_cspace_alloc_path, null_vka, -1, L, W, vka_cspace_alloc_path(NULL, &path))                                   \
    X(vka_cspace_alloc_path, null_res, -1, L, W, vka_cspace_alloc_path(VKA, NULL))                                     \
    X(vka_cspace_alloc_path, unimplemented, -1, L, W, vka_cspace_alloc_path((vka_t *)&unimplemented, &path))           \
    X(vka_cspace_free, null_vka, 0, L, W, (vka_cspace_free(NULL, 5), 0))                                               \
    X(vka_cspace_free, unimplemented, 0, L, W, (vka_cspace_free((vka_t *)&unimplemented, 5), 0))                       \
    X(vka_cspace_free, twice, 0, L, W, ({                                                                              \
          seL4_CPtr s_;                                                                                                \
          assert_int_equal(vka_cspace_alloc(VKA, &s_), 0);                                                             \
          vka_cspace_free(VKA, s_);                                                                                    \
          vka_cspace_free(VKA, s_);                                                                                    \
          0;                                                                                                           \
      }))                                                                                                              \
    X(vka_cspace_free, never_allocated, 0, L, W, (vka_cspace_free(VKA, (seL4_CPtr)1 << 21), 0))                        \
    X(vka_cspace_free, occupied_slot, 0, L, W, (vka_cspace_free(VKA, frame_path(f)->capPtr), 0))                       \
    X(vka_cspace_free_path, null_vka, 0, L, W, (vka_cspace_free_path(NULL, path), 0))                                  \
    X(vka_cspace_free_path, zero_path, 0, L, W, (vka_cspace_free_path(VKA, (cspacepath_t) {0}), 0))                    \
    X(vka_utspace_alloc, null_vka, -1, L, W, vka_utspace_alloc(NULL, empty_path(f), seL4_X86_4K, 12, &obj.ut))         \
    X(vka_utspace_alloc, null_res, -1, L, W, vka_utspace_alloc(VKA, empty_path(f), seL4_X86_4K, 12, NULL))             \
    X(vka_utspace_alloc, null_dest, -1, L, W, vka_utspace_alloc(VKA, NULL, seL4_X86_4K, 12, &obj.ut))                  \
    X(vka_utspace_alloc, bad_type, -1, L, W, vka_utspace_alloc(VKA, empty_path(f), 9999, 12, &obj.ut))                 \
    X(vka_utspace_alloc, max_size_bits, -1, L, W, vka_utspace_alloc(VKA, empty_path(f), seL4_UntypedObject, 64,        \
                                                                     &obj.ut))                                         \
    X(vka_utspace_alloc, occupied_dest, -1, L, W, vka_utspace_alloc(VKA, frame_path(f), seL4_X86_4K, 12, &obj.ut))     \
    X(vka_utspace_alloc_maybe_device, null_vka, -1, L, W,                                                              \
      vka_utspace_alloc_maybe_device(NULL, empty_path(f), seL4_X86_4K, 12, true, &obj.ut))                             \
    X(vka_utspace_alloc_maybe_device, null_res, -1, L, W,                                                              \
      vka_utspace_alloc_maybe_device(VKA, empty_path(f), seL4_X86_4K, 12, true, NULL))                                 \
    X(vka_utspace_alloc_maybe_device, untyped_past_max_bits, -1, L, W,                                                 \
      vka_utspace_alloc_maybe_device(VKA, empty_path(f), seL4_UntypedObject, seL4_MaxUntypedBits + 1, true, &obj.ut))  \
    X(vka_utspace_alloc_at, null_vka, -1, L, W, vka_utspace_alloc_at(NULL, empty_path(f), seL4_X86_4K, 12, 0, &obj.ut))\
    X(vka_utspace_alloc_at, null_cookie, -1, L, W, vka_utspace_alloc_at(VKA, empty_path(f), seL4_X86_4K, 12, 0, NULL)) \
    X(vka_utspace_alloc_at, unaligned_paddr, -1, L, W,                                                                 \
      vka_utspace_alloc_at(VKA, empty_path(f), seL4_X86_4K, 12, free_paddr(f) + 8, &obj.ut))                           \
    X(vka_utspace_alloc_at, no_memory_there, -1, L, W,                                                                 \
      vka_utspace_alloc_at(VKA, empty_path(f), seL4_X86_4K, 12, 0x7ff000000000ul, &obj.ut))                            \
    X(vka_utspace_alloc_at, paddr_wraps, -1, L, W,                                                                     \
      vka_utspace_alloc_at(VKA, empty_path(f), seL4_X86_LargePageObject, 21, UINTPTR_MAX - 0xfff, &obj.ut))            \
    X(vka_utspace_free, null_vka, 0, L, W, (vka_utspace_free(NULL, seL4_X86_4K, 12, 1), 0))                            \
    X(vka_utspace_free, unimplemented, 0, L, W, (vka_utspace_free((vka_t *)&unimplemented, seL4_X86_4K, 12, 1), 0))    \
    X(vka_utspace_free, bogus_target, 0, L, W, (vka_utspace_free(VKA, seL4_X86_4K, 12, 0x12345), 0))                   \
    X(vka_utspace_free, twice, 0, L, W, ({                                                                             \
          vka_object_t *o_ = freed_frame(f);                                                                           \
          vka_utspace_free(VKA, o_->type, o_->size_bits, o_->ut);                                                      \
          0;                                                                                                           \
      }))                                                                                                              \
    X(vka_utspace_paddr, null_vka, NO_PADDR, L, W, vka_utspace_paddr(NULL, 1, seL4_X86_4K, 12))                        \
    X(vka_utspace_paddr, unimplemented, NO_PADDR, L, W,                                                                \
      vka_utspace_paddr((vka_t *)&unimplemented, 1, seL4_X86_4K, 12))                                                  \
    X(vka_utspace_paddr, bogus_target, NO_PADDR, L, W, vka_utspace_paddr(VKA, 0x12345, seL4_X86_4K, 12))               \
    X(vka_alloc_object_at_maybe_dev, null_result, -1, L, W,                                                            \
      vka_alloc_object_at_maybe_dev(VKA, seL4_X86_4K, 12, VKA_NO_PADDR, true, NULL))                                   \
    X(vka_alloc_object_at_maybe_dev, bad_type, -1, L, W,                                                               \
      vka_alloc_object_at_maybe_dev(VKA, seL4_ObjectTypeCount, 12, VKA_NO_PADDR, true, &obj))                          \
    X(vka_alloc_object_at_maybe_dev, null_vka, -1, L, W,                                                               \
      vka_alloc_object_at_maybe_dev(NULL, seL4_X86_4K, 12, VKA_NO_PADDR, true, &obj))                                  \
    X(vka_alloc_object_at, unaligned_paddr, -1, L, W, vka_alloc_object_at(VKA, seL4_X86_4K, 12, free_paddr(f) + 1,     \
                                                                          &obj))                                       \
    X(vka_alloc_object_at, no_memory_there, -1, L, W, vka_alloc_object_at(VKA, seL4_X86_4K, 12, 0x7ff000000000ul,      \
                                                                          &obj))                                       \
    X(vka_alloc_object, null_vka, -1, L, W, vka_alloc_object(NULL, seL4_X86_4K, 12, &obj))                             \
    X(vka_alloc_object, max_size_bits, -1, L, W, vka_alloc_object(VKA, seL4_UntypedObject, 64, &obj))                  \
    X(vka_alloc_object, bad_type, -1, L, W, vka_alloc_object(VKA, 9999, 12, &obj))                                     \
    X(vka_alloc_object_leaky, null_vka, 0, L, W, vka_alloc_object_leaky(NULL, seL4_X86_4K, 12))                        \
    X(vka_alloc_object_leaky, bad_type, 0, L, W, vka_alloc_object_leaky(VKA, 9999, 12))                                \
    X(vka_free_object, null_object, 0, L, W, (vka_free_object(VKA, NULL), 0))                                          \
    X(vka_free_object, zeroed_object, 0, L, W, ({                                                                      \
          vka_object_t o_ = {0};                                                                                       \
          vka_free_object(VKA, &o_);                                                                                   \
          0;                                                                                                           \
      }))                                                                                                              \
    X(vka_free_object, twice, 0, L, W, (vka_free_object(VKA, freed_frame(f)), 0))                                      \
    X(vka_free_object, null_vka, 0, L, W, ({                                                                           \
          vka_object_t o_;                                                                                             \
          assert_int_equal(vka_alloc_frame(VKA, 12, &o_), 0);                                                          \
          vka_free_object(NULL, &o_);                                                                                  \
          vka_free_object(VKA, &o_);                                                                                   \
          0;                                                                                                           \
      }))                                                                                                              \
    X(vka_object_paddr, null_object, NO_PADDR, L, W, vka_object_paddr(VKA, NULL))                                      \
    X(vka_object_paddr, null_vka, NO_PADDR, L, W, vka_object_paddr(NULL, &obj))                                        \
    X(vka_object_paddr, freed_object, NO_PADDR, L, W, vka_object_paddr(VKA, freed_frame(f)))                           \
    ALLOC_ROWS(X, vka_alloc_tcb)                                                                                       \
    ALLOC_ROWS(X, vka_alloc_endpoint)                                                                                  \
    ALLOC_ROWS(X, vka_alloc_notification)                                                                              \
    ALLOC_ROWS(X, vka_alloc_async_endpoint)                                                                            \
    ALLOC_ROWS(X, vka_alloc_page_directory)                                                                            \
    ALLOC_ROWS(X, vka_alloc_page_table)                                                                                \
    ALLOC_ROWS(X, vka_alloc_pml4)                                                                                      \
    ALLOC_ROWS(X, vka_alloc_pdpt)                                                                                      \
    ALLOC_ROWS(X, vka_alloc_vspace_root)                                                                               \
    ALLOC_ROWS(X, vka_alloc_vcpu)                                                                                      \
    ALLOC_ROWS(X, vka_alloc_ept_page_directory_pointer_table)                                                          \
    ALLOC_ROWS(X, vka_alloc_ept_page_directory)                                                                        \
    ALLOC_ROWS(X, vka_alloc_ept_page_table)                                                                            \
    ALLOC_ROWS(X, vka_alloc_ept_pdpt)                                                                                  \
    ALLOC_ROWS(X, vka_alloc_ept_pml4)                                                                                  \
    X(vka_alloc_sched_context, not_mcs, ENOSYS, Q, W, vka_alloc_sched_context(VKA, &obj))                              \
    X(vka_alloc_sched_context, null_result, ENOSYS, Q, W, vka_alloc_sched_context(NULL, NULL))                         \
    X(vka_alloc_sched_context_size, not_mcs, ENOSYS, Q, W, vka_alloc_sched_context_size(VKA, &obj, 64))                \
    X(vka_alloc_reply, not_mcs, ENOSYS, Q, W, vka_alloc_reply(VKA, NULL))                                              \
    X(vka_alloc_untyped, below_min_size, -1, L, W, vka_alloc_untyped(VKA, seL4_MinUntypedBits - 1, &obj))              \
    X(vka_alloc_untyped, max_size, -1, L, W, vka_alloc_untyped(VKA, UINT32_MAX, &obj))                                 \
    X(vka_alloc_untyped, null_result, -1, L, W, vka_alloc_untyped(VKA, 12, NULL))                                      \
    X(vka_alloc_untyped_at, unaligned_paddr, -1, L, W, vka_alloc_untyped_at(VKA, 12, free_paddr(f) + 16, &obj))        \
    X(vka_alloc_untyped_at, null_vka, -1, L, W, vka_alloc_untyped_at(NULL, 12, 0, &obj))                               \
    X(vka_alloc_cnode_object, max_slot_bits, -1, L, W, vka_alloc_cnode_object(VKA, 64, &obj))                          \
    X(vka_alloc_cnode_object, null_vka, -1, L, W, vka_alloc_cnode_object(NULL, 4, &obj))                               \
    X(vka_alloc_frame, unsupported_size, -1, L, W, vka_alloc_frame(VKA, 13, &obj))                                     \
    X(vka_alloc_frame, null_result, -1, L, W, vka_alloc_frame(VKA, 12, NULL))                                          \
    X(vka_alloc_frame_maybe_device, unsupported_size, -1, L, W, vka_alloc_frame_maybe_device(VKA, 0, true, &obj))      \
    X(vka_alloc_frame_maybe_device, null_vka, -1, L, W, vka_alloc_frame_maybe_device(NULL, 12, true, &obj))            \
    X(vka_alloc_frame_at, unaligned_paddr, -1, L, W, vka_alloc_frame_at(VKA, 12, free_paddr(f) + 0x800, &obj))         \
    X(vka_alloc_frame_at, no_memory_there, -1, L, W, vka_alloc_frame_at(VKA, 12, 0x7ff000000000ul, &obj))              \
    X(vka_alloc_frame_at, taken_paddr, -1, L, W, ({                                                                    \
          vka_object_t o_;                                                                                             \
          assert_int_equal(vka_alloc_frame(VKA, 12, &o_), 0);                                                          \
          vka_alloc_frame_at(VKA, 12, vka_object_paddr(VKA, &o_), &obj);                                               \
      }))                                                                                                              \
    X(vka_alloc_kobject, unknown_kind, -1, L, W, vka_alloc_kobject(VKA, NUM_KOBJECT_TYPES, 0, &obj))                   \
    X(vka_alloc_kobject, frame_size_x86_lacks, -1, L, W, vka_alloc_kobject(VKA, KOBJECT_FRAME, 13, &obj))              \
    X(vka_alloc_kobject, null_vka, -1, L, W, vka_alloc_kobject(NULL, KOBJECT_TCB, 0, &obj))                            \
    LEAKY_ROWS(X, vka_alloc_tcb_leaky)                                                                                 \
    LEAKY_ROWS(X, vka_alloc_endpoint_leaky)                                                                            \
    LEAKY_ROWS(X, vka_alloc_notification_leaky)                                                                        \
    LEAKY_ROWS(X, vka_alloc_async_endpoint_leaky)                                                                      \
    LEAKY_ROWS(X, vka_alloc_page_directory_leaky)                                                                      \
    LEAKY_ROWS(X, vka_alloc_page_table_leaky)                                                                          \
    LEAKY_ROWS(X, vka_alloc_vcpu_leaky)                                                                                \
    LEAKY_ROWS(X, vka_alloc_ept_page_directory_pointer_table_leaky)                                                    \
    LEAKY_ROWS(X, vka_alloc_ept_page_directory_leaky)                                                                  \
    LEAKY_ROWS(X, vka_alloc_ept_page_table_leaky)                                                                      \
    LEAKY_ROWS(X, vka_alloc_ept_pdpt_leaky)                                                                            \
    LEAKY_ROWS(X, vka_alloc_ept_pml4_leaky)                                                                            \
    X(vka_alloc_sched_context_leaky, not_mcs, 0, Q, W, vka_alloc_sched_context_leaky(VKA))                             \
    X(vka_alloc_reply_leaky, not_mcs, 0, Q, W, vka_alloc_reply_leaky(VKA))                                             \
    LEAKY_SIZED_ROWS(X, vka_alloc_untyped_leaky, 12)                                                                   \
    X(vka_alloc_untyped_leaky, below_min_size, 0, L, W, vka_alloc_untyped_leaky(VKA, 1))                               \
    LEAKY_SIZED_ROWS(X, vka_alloc_frame_leaky, 12)                                                                     \
    X(vka_alloc_frame_leaky, unsupported_size, 0, L, W, vka_alloc_frame_leaky(VKA, 20))                                \
    LEAKY_SIZED_ROWS(X, vka_alloc_cnode_object_leaky, 4)                                                               \
    X(vka_x86_mode_get_object_size, unknown_type, BAD_SIZE, L, W, vka_x86_mode_get_object_size(seL4_X86_4K))           \
    X(vka_arch_get_object_size, unknown_type, BAD_SIZE, L, W, vka_arch_get_object_size(9999))                          \
    X(vka_get_object_size, unknown_type, BAD_SIZE, L, W, vka_get_object_size(~(seL4_Word)0, 0))                        \
    X(kobject_get_size, unknown_kind, 0, Q, W, kobject_get_size(NUM_KOBJECT_TYPES, 0))                                 \
    X(kobject_get_size, frame_size_x86_lacks, 0, Q, W, kobject_get_size(KOBJECT_FRAME, 13))                            \
    X(kobject_get_type, unknown_kind, -1, Q, W, kobject_get_type(-1, 0))                                               \
    X(kobject_get_type, io_page_table, -1, Q, W, kobject_get_type(KOBJECT_IO_PAGETABLE, 0))                            \
    X(kobject_get_type, frame_size_x86_lacks, -1, Q, W, kobject_get_type(KOBJECT_FRAME, 30 + 1))                       \
    X(cspacepath_swap, null_path, 0, L, W, (cspacepath_swap(NULL, &path), 0))                                          \
    X(cspacepath_swap, both_null, 0, L, W, (cspacepath_swap(NULL, NULL), 0))                                           \
    X(cspacepath_t_print, null_path, 0, Q, W, (cspacepath_t_print(NULL), 0))                                           \
    X(vka_cnode_copy, null_dest, seL4_InvalidArgument, L, W, vka_cnode_copy(NULL, frame_path(f), seL4_AllRights))      \
    X(vka_cnode_copy, null_src, seL4_InvalidArgument, L, W, vka_cnode_copy(empty_path(f), NULL, seL4_AllRights))       \
    X(vka_cnode_copy, empty_source, seL4_FailedLookup, Q, W, ({                                                        \
          cspacepath_t d_ = *empty_path(f);                                                                            \
          vka_cnode_copy(&d_, empty_path(f), seL4_AllRights);                                                          \
      }))                                                                                                              \
    X(vka_cnode_copy, occupied_dest, seL4_DeleteFirst, Q, W, ({                                                        \
          cspacepath_t d_ = *frame_path(f);                                                                            \
          vka_cnode_copy(&d_, frame_path(f), seL4_AllRights);                                                          \
      }))                                                                                                              \
    X(vka_cnode_delete, null_path, seL4_InvalidArgument, L, W, vka_cnode_delete(NULL))                                 \
    X(vka_cnode_delete, zero_depth, seL4_RangeError, Q, W, ({                                                          \
          cspacepath_t p_ = *frame_path(f);                                                                            \
          p_.capDepth = 0;                                                                                             \
          vka_cnode_delete(&p_);                                                                                       \
      }))                                                                                                              \
    X(vka_cnode_mint, null_dest, seL4_InvalidArgument, L, W, vka_cnode_mint(NULL, frame_path(f), seL4_AllRights, 1))   \
    X(vka_cnode_mint, null_src, seL4_InvalidArgument, L, W, vka_cnode_mint(empty_path(f), NULL, seL4_AllRights, 1))    \
    X(vka_cnode_mint, empty_source, seL4_FailedLookup, Q, W, ({                                                        \
          cspacepath_t d_ = *empty_path(f);                                                                            \
          vka_cnode_mint(&d_, empty_path(f), seL4_AllRights, 1);                                                       \
      }))                                                                                                              \
    X(vka_cnode_move, null_dest, seL4_InvalidArgument, L, W, vka_cnode_move(NULL, frame_path(f)))                      \
    X(vka_cnode_move, null_src, seL4_InvalidArgument, L, W, vka_cnode_move(empty_path(f), NULL))                       \
    X(vka_cnode_move, occupied_dest, seL4_DeleteFirst, Q, W, ({                                                        \
          cspacepath_t d_ = *frame_path(f);                                                                            \
          vka_cnode_move(&d_, frame_path(f));                                                                          \
      }))                                                                                                              \
    X(vka_cnode_mutate, null_dest, seL4_InvalidArgument, L, W, vka_cnode_mutate(NULL, frame_path(f), 1))               \
    X(vka_cnode_mutate, null_src, seL4_InvalidArgument, L, W, vka_cnode_mutate(empty_path(f), NULL, 1))                \
    X(vka_cnode_revoke, null_path, seL4_InvalidArgument, L, W, vka_cnode_revoke(NULL))                                 \
    X(vka_cnode_revoke, empty_slot_succeeds, seL4_NoError, Q, W, vka_cnode_revoke(empty_path(f)))                      \
    X(vka_untyped_retype, null_untyped, seL4_InvalidArgument, L, W,                                                    \
      vka_untyped_retype(NULL, seL4_X86_4K, 12, 1, empty_path(f)))                                                     \
    X(vka_untyped_retype, null_dest, seL4_InvalidArgument, L, W, ({                                                    \
          assert_int_equal(vka_alloc_untyped(VKA, 16, &obj), 0);                                                       \
          vka_untyped_retype(&obj, seL4_X86_4K, 12, 1, NULL);                                                          \
      }))                                                                                                              \
    X(vka_untyped_retype, zero_objects, seL4_InvalidArgument, L, W, ({                                                 \
          assert_int_equal(vka_alloc_untyped(VKA, 16, &obj), 0);                                                       \
          vka_untyped_retype(&obj, seL4_X86_4K, 12, 0, empty_path(f));                                                 \
      }))                                                                                                              \
    X(vka_untyped_retype, negative_size, seL4_InvalidArgument, L, W, ({                                                \
          assert_int_equal(vka_alloc_untyped(VKA, 16, &obj), 0);                                                       \
          vka_untyped_retype(&obj, seL4_X86_4K, -1, 1, empty_path(f));                                                 \
      }))                                                                                                              \
    X(vka_untyped_retype, not_an_untyped, seL4_IllegalOperation, Q, W, ({                                              \
          assert_int_equal(vka_alloc_frame(VKA, 12, &obj), 0);                                                         \
          vka_untyped_retype(&obj, seL4_X86_4K, 12, 1, empty_path(f));                                                 \
      }))                                                                                                              \
    X(vka_mint_object_inter_cspace, null_object, -1, L, W,                                                             \
      vka_mint_object_inter_cspace(VKA, NULL, VKA, &path, seL4_AllRights, 1))                                          \
    X(vka_mint_object_inter_cspace, null_src_vka, -1, L, W,                                                            \
      vka_mint_object_inter_cspace(NULL, &obj, VKA, &path, seL4_AllRights, 1))                                         \
    X(vka_mint_object_inter_cspace, null_dest_vka, -1, L, W, ({                                                        \
          assert_int_equal(vka_alloc_frame(VKA, 12, &obj), 0);                                                         \
          vka_mint_object_inter_cspace(VKA, &obj, NULL, &path, seL4_AllRights, 1);                                     \
      }))                                                                                                              \
    X(vka_mint_object_inter_cspace, null_result, -1, L, W, ({                                                          \
          assert_int_equal(vka_alloc_frame(VKA, 12, &obj), 0);                                                         \
          vka_mint_object_inter_cspace(VKA, &obj, VKA, NULL, seL4_AllRights, 1);                                       \
      }))                                                                                                              \
    X(vka_mint_object, null_object, -1, L, W, vka_mint_object(VKA, NULL, &path, seL4_AllRights, 1))                    \
    X(vka_mint_object, freed_object, seL4_FailedLookup, L, W,                                                          \
      vka_mint_object(VKA, freed_frame(f), &path, seL4_AllRights, 1))
/* clang-format on */

ROWS(BI_DEFINE_CALL)

static const struct bad_input_case rows[] = { ROWS(BI_DEFINE_ROW) };

static const char *const headers[] = { "vka", NULL };

int main(void)
{
    return bi_run("bad_input_vka", rows, ARRAY_SIZE(rows), headers);
}
