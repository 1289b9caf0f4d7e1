/* Bad-input matrix for the vspace interface (vspace/): documented error value, message, vspace still works. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "bad_input.h"
#include <vspace/page.h>

static vspace_new_pages_config_t config;
static const vspace_t unimplemented;
static void *out;

/* An address in the VMM window, off from its start, that the fixture's own allocations do not reach. */
static uintptr_t win(uintptr_t offset)
{
    uintptr_t base;
    size_t size;
    assert_int_equal(sel4kvm_sim_vmm_window(&base, &size), 0);
    return base + size / 2 + offset;
}

static reservation_t reserve_at(struct bi_fixture *f, uintptr_t offset, size_t bytes)
{
    reservation_t r = vspace_reserve_range_at(&f->env.vspace, (void *)win(offset), bytes, seL4_AllRights, 1);
    assert_non_null(r.res);
    return r;
}

static reservation_t reserve_deferred(struct bi_fixture *f, uintptr_t offset, size_t bytes)
{
    reservation_t r = vspace_reserve_deferred_rights_range_at(&f->env.vspace, (void *)win(offset), bytes, 1);
    assert_non_null(r.res);
    return r;
}

static seL4_CPtr *frame(struct bi_fixture *f)
{
    static vka_object_t obj;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &obj), 0);
    return &obj.cptr;
}

/* A deferred-rights map of a fresh frame at win(offset). */
static int deferred_map(vspace_t *vspace, struct bi_fixture *f, uintptr_t offset, size_t num_pages, reservation_t res)
{
    return vspace_deferred_rights_map_pages_at_vaddr(vspace, frame(f), NULL, (void *)win(offset), num_pages,
                                                     seL4_PageBits, seL4_AllRights, res);
}

static int access_cb(UNUSED void *access_addr, UNUSED void *vaddr, UNUSED void *cookie)
{
    return 0;
}

static vspace_new_pages_config_t *cfg(size_t num_pages, size_t size_bits, uintptr_t vaddr)
{
    assert_int_equal(default_vspace_new_pages_config(num_pages, size_bits, &config), 0);
    config.vaddr = (void *)vaddr;
    return &config;
}

/* Still works: a reservation at a fresh address takes new pages, which hold data and unmap again. */
static void vspace_works(struct bi_fixture *f)
{
    reservation_t r = reserve_at(f, 0x100000, 0x2000);
    assert_int_equal(vspace_new_pages_at_vaddr(&f->env.vspace, (void *)win(0x100000), 2, seL4_PageBits, r), 0);
    volatile uint32_t *p = (void *)win(0x100000);
    p[0] = 1;
    p[0x7ff] = 2;
    assert_int_equal(p[0] + p[0x7ff], 3);
    assert_int_not_equal(vspace_get_cap(&f->env.vspace, (void *)p), seL4_CapNull);
    vspace_unmap_pages(&f->env.vspace, (void *)p, 2, seL4_PageBits, VSPACE_FREE);
    vspace_free_reservation(&f->env.vspace, r);
}

#define L BI_LOGS
#define Q BI_QUIET
#define WARN BI_WARNS
#define W vspace_works
#define VS (&f->env.vspace)
#define NO_RES ((reservation_t){ .res = NULL })
#define RES(expr) ((intptr_t)(expr).res)
#define P(offset) ((void *)win(offset))

/* clang-format off */
#define ROWS(X)                                                                                                        \
    X(default_vspace_new_pages_config, zero_pages, -1, WARN, W, default_vspace_new_pages_config(0, 12, &config))       \
    X(default_vspace_new_pages_config, null_config, -1, L, W, default_vspace_new_pages_config(1, 12, NULL))            \
    X(vspace_new_pages_config_set_vaddr, null_config, -1, L, W, vspace_new_pages_config_set_vaddr(P(0), NULL))         \
    X(vspace_new_pages_config_use_device_ut, null_config, -1, L, W, vspace_new_pages_config_use_device_ut(true, NULL)) \
    X(vspace_reserve_range, null_vspace, NULL, L, W, RES(vspace_reserve_range(NULL, 0x1000, seL4_AllRights, 1, &out))) \
    X(vspace_reserve_range, zero_bytes, NULL, L, W, RES(vspace_reserve_range(VS, 0, seL4_AllRights, 1, &out)))         \
    X(vspace_reserve_range, null_vaddr, NULL, L, W, RES(vspace_reserve_range(VS, 0x1000, seL4_AllRights, 1, NULL)))    \
    X(vspace_reserve_range, max_bytes, NULL, L, W, RES(vspace_reserve_range(VS, SIZE_MAX, seL4_AllRights, 1, &out)))   \
    X(vspace_share_mem, null_from, NULL, L, W, vspace_share_mem(NULL, VS, P(0), 1, 12, seL4_AllRights, 1))             \
    X(vspace_share_mem, null_to, NULL, L, W, vspace_share_mem(VS, NULL, P(0), 1, 12, seL4_AllRights, 1))               \
    X(vspace_share_mem, zero_pages, NULL, WARN, W, vspace_share_mem(VS, VS, P(0), 0, 12, seL4_AllRights, 1))           \
    X(vspace_share_mem, negative_pages, NULL, L, W, vspace_share_mem(VS, VS, P(0), -1, 12, seL4_AllRights, 1))         \
    X(vspace_share_mem, start_not_mapped, NULL, L, W, vspace_share_mem(VS, VS, P(0x40000), 1, 12, seL4_AllRights, 1))  \
    X(vspace_new_pages_with_config, null_vspace, NULL, L, W, vspace_new_pages_with_config(NULL, cfg(1, 12, 0),         \
                                                                                          seL4_AllRights))             \
    X(vspace_new_pages_with_config, null_config, NULL, L, W, vspace_new_pages_with_config(VS, NULL, seL4_AllRights))   \
    X(vspace_new_pages_with_config, bad_size_bits, NULL, L, W, vspace_new_pages_with_config(VS, cfg(1, 13, 0),         \
                                                                                            seL4_AllRights))           \
    X(vspace_new_pages_with_config, max_pages, NULL, L, W, vspace_new_pages_with_config(VS, cfg(SIZE_MAX, 12, 0),      \
                                                                                        seL4_AllRights))               \
    X(vspace_new_pages_with_config, vaddr_outside_window, NULL, L, W,                                                  \
      vspace_new_pages_with_config(VS, cfg(1, 12, 0x1000), seL4_AllRights))                                            \
    X(vspace_new_pages_with_config, unaligned_vaddr, NULL, L, W,                                                       \
      vspace_new_pages_with_config(VS, cfg(1, 12, win(0x10)), seL4_AllRights))                                         \
    X(vspace_new_sized_stack, null_vspace, NULL, L, W, vspace_new_sized_stack(NULL, 4))                                \
    X(vspace_new_sized_stack, zero_pages, NULL, L, W, vspace_new_sized_stack(VS, 0))                                   \
    X(vspace_new_sized_stack, max_pages, NULL, L, W, vspace_new_sized_stack(VS, SIZE_MAX))                             \
    X(vspace_new_stack, null_vspace, NULL, L, W, vspace_new_stack(NULL))                                               \
    X(vspace_free_sized_stack, null_vspace, 0, L, W, (vspace_free_sized_stack(NULL, P(0x10000), 4), 0))                \
    X(vspace_free_sized_stack, null_top, 0, L, W, (vspace_free_sized_stack(VS, NULL, 4), 0))                           \
    X(vspace_free_sized_stack, not_a_stack, 0, L, W, (vspace_free_sized_stack(VS, P(0x50000), 4), 0))                  \
    X(vspace_free_sized_stack, too_many_pages, 0, L, W, ({                                                             \
          void *top_ = vspace_new_sized_stack(VS, 2);                                                                  \
          assert_non_null(top_);                                                                                       \
          vspace_free_sized_stack(VS, top_, 8);                                                                        \
          vspace_free_sized_stack(VS, top_, 2);                                                                        \
          0;                                                                                                           \
      }))                                                                                                              \
    X(vspace_free_sized_stack, top_wraps, 0, L, W, (vspace_free_sized_stack(VS, (void *)0x1000, 4), 0))                \
    X(vspace_free_stack, null_vspace, 0, L, W, (vspace_free_stack(NULL, P(0x10000)), 0))                               \
    X(vspace_new_ipc_buffer, null_vspace, NULL, L, W, ({                                                               \
          seL4_CPtr c_;                                                                                                \
          vspace_new_ipc_buffer(NULL, &c_);                                                                            \
      }))                                                                                                              \
    X(vspace_new_ipc_buffer, null_page, NULL, L, W, vspace_new_ipc_buffer(VS, NULL))                                   \
    X(vspace_free_ipc_buffer, null_vspace, 0, L, W, (vspace_free_ipc_buffer(NULL, P(0)), 0))                           \
    X(vspace_free_ipc_buffer, not_mapped, 0, WARN, W,                                                                  \
      (vspace_free_ipc_buffer(VS, P(0x60000)), 0))                                                                     \
    X(vspace_access_page_with_callback, null_from, -1, L, W,                                                           \
      vspace_access_page_with_callback(NULL, VS, P(0), 12, seL4_AllRights, 1, access_cb, NULL))                        \
    X(vspace_access_page_with_callback, null_callback, -1, L, W,                                                       \
      vspace_access_page_with_callback(VS, VS, P(0), 12, seL4_AllRights, 1, NULL, NULL))                               \
    X(vspace_access_page_with_callback, not_mapped, -1, L, W,                                                          \
      vspace_access_page_with_callback(VS, VS, P(0x70000), 12, seL4_AllRights, 1, access_cb, NULL))                    \
    X(vspace_new_pages, null_vspace, NULL, L, W, vspace_new_pages(NULL, seL4_AllRights, 1, 12))                        \
    X(vspace_new_pages, zero_pages, NULL, L, W, vspace_new_pages(VS, seL4_AllRights, 0, 12))                           \
    X(vspace_new_pages, bad_size_bits, NULL, L, W, vspace_new_pages(VS, seL4_AllRights, 1, 13))                        \
    X(vspace_new_pages, unimplemented, NULL, L, W, vspace_new_pages((vspace_t *)&unimplemented, seL4_AllRights, 1, 12))\
    X(vspace_new_pages, max_pages, NULL, L, W, vspace_new_pages(VS, seL4_AllRights, SIZE_MAX, 12))                     \
    X(vspace_map_pages, null_vspace, NULL, L, W, vspace_map_pages(NULL, frame(f), NULL, seL4_AllRights, 1, 12, 1))     \
    X(vspace_map_pages, null_caps, NULL, L, W, vspace_map_pages(VS, NULL, NULL, seL4_AllRights, 1, 12, 1))             \
    X(vspace_map_pages, zero_pages, NULL, L, W, vspace_map_pages(VS, frame(f), NULL, seL4_AllRights, 0, 12, 1))        \
    X(vspace_map_pages, bad_size_bits, NULL, L, W, vspace_map_pages(VS, frame(f), NULL, seL4_AllRights, 1, 0, 1))      \
    X(vspace_map_pages, not_a_frame, NULL, L, W, ({                                                                    \
          seL4_CPtr c_ = seL4_CapInitThreadTCB;                                                                        \
          vspace_map_pages(VS, &c_, NULL, seL4_AllRights, 1, 12, 1);                                                   \
      }))                                                                                                              \
    X(vspace_map_pages, size_mismatch, NULL, L, W, vspace_map_pages(VS, frame(f), NULL, seL4_AllRights, 1, 21, 1))     \
    X(vspace_new_pages_at_vaddr_with_config, null_config, -1, L, W,                                                    \
      vspace_new_pages_at_vaddr_with_config(VS, NULL, reserve_at(f, 0, 0x1000)))                                       \
    X(vspace_new_pages_at_vaddr_with_config, null_reservation, -1, L, W,                                               \
      vspace_new_pages_at_vaddr_with_config(VS, cfg(1, 12, win(0)), NO_RES))                                           \
    X(vspace_new_pages_at_vaddr_with_config, outside_reservation, -1, L, W,                                            \
      vspace_new_pages_at_vaddr_with_config(VS, cfg(1, 12, win(0x1000)), reserve_at(f, 0, 0x1000)))                    \
    X(vspace_new_pages_at_vaddr, null_vspace, -1, L, W, vspace_new_pages_at_vaddr(NULL, P(0), 1, 12, NO_RES))          \
    X(vspace_new_pages_at_vaddr, zero_pages, -1, L, W,                                                                 \
      vspace_new_pages_at_vaddr(VS, P(0), 0, 12, reserve_at(f, 0, 0x1000)))                                            \
    X(vspace_new_pages_at_vaddr, null_reservation, -1, L, W, vspace_new_pages_at_vaddr(VS, P(0), 1, 12, NO_RES))       \
    X(vspace_new_pages_at_vaddr, runs_past_reservation, -1, L, W,                                                      \
      vspace_new_pages_at_vaddr(VS, P(0), 2, 12, reserve_at(f, 0, 0x1000)))                                            \
    X(vspace_new_pages_at_vaddr, unaligned_vaddr, -1, L, W,                                                            \
      vspace_new_pages_at_vaddr(VS, P(0x10), 1, 12, reserve_at(f, 0, 0x2000)))                                         \
    X(vspace_new_pages_at_vaddr, already_mapped, -1, L, W, ({                                                          \
          reservation_t r_ = reserve_at(f, 0, 0x1000);                                                                 \
          assert_int_equal(vspace_new_pages_at_vaddr(VS, P(0), 1, 12, r_), 0);                                         \
          vspace_new_pages_at_vaddr(VS, P(0), 1, 12, r_);                                                              \
      }))                                                                                                              \
    X(vspace_new_pages_at_vaddr, deferred_reservation, -1, L, W,                                                       \
      vspace_new_pages_at_vaddr(VS, P(0), 1, 12, reserve_deferred(f, 0, 0x1000)))                                      \
    X(vspace_map_pages_at_vaddr, null_vspace, -1, L, W,                                                                \
      vspace_map_pages_at_vaddr(NULL, frame(f), NULL, P(0), 1, 12, reserve_at(f, 0, 0x1000)))                          \
    X(vspace_map_pages_at_vaddr, zero_pages, -1, WARN, W,                                                              \
      vspace_map_pages_at_vaddr(VS, frame(f), NULL, P(0), 0, 12, reserve_at(f, 0, 0x1000)))                            \
    X(vspace_map_pages_at_vaddr, unimplemented, -1, WARN, W,                                                           \
      vspace_map_pages_at_vaddr((vspace_t *)&unimplemented, frame(f), NULL, P(0), 1, 12, NO_RES))                      \
    X(vspace_map_pages_at_vaddr, null_reservation, -1, L, W, vspace_map_pages_at_vaddr(VS, frame(f), NULL, P(0), 1, 12,\
                                                                                       NO_RES))                        \
    X(vspace_map_pages_at_vaddr, null_caps, -1, L, W,                                                                  \
      vspace_map_pages_at_vaddr(VS, NULL, NULL, P(0), 1, 12, reserve_at(f, 0, 0x1000)))                                \
    X(vspace_map_pages_at_vaddr, into_deferred_reservation, -1, L, W,                                                  \
      vspace_map_pages_at_vaddr(VS, frame(f), NULL, P(0), 1, 12, reserve_deferred(f, 0, 0x1000)))                      \
    X(vspace_map_pages_at_vaddr, outside_reservation, -1, L, W,                                                        \
      vspace_map_pages_at_vaddr(VS, frame(f), NULL, P(0x3000), 1, 12, reserve_at(f, 0, 0x1000)))                       \
    X(vspace_map_pages_at_vaddr, frame_already_mapped, -1, L, W, ({                                                    \
          seL4_CPtr *c_ = frame(f);                                                                                    \
          reservation_t r_ = reserve_at(f, 0, 0x2000);                                                                 \
          assert_int_equal(vspace_map_pages_at_vaddr(VS, c_, NULL, P(0), 1, 12, r_), 0);                               \
          vspace_map_pages_at_vaddr(VS, c_, NULL, P(0x1000), 1, 12, r_);                                               \
      }))                                                                                                              \
    X(vspace_map_pages_at_vaddr, second_page_fails, -1, L, W, ({                                                       \
          seL4_CPtr c_[2] = {*frame(f), seL4_CapInitThreadTCB};                                                        \
          reservation_t r_ = reserve_at(f, 0, 0x2000);                                                                 \
          int e_ = vspace_map_pages_at_vaddr(VS, c_, NULL, P(0), 2, 12, r_);                                           \
          /* The rollback left the first page reserved and unmapped, so it maps again. */                             \
          assert_int_equal(vspace_get_cap(VS, P(0)), seL4_CapNull);                                                    \
          assert_int_equal(vspace_map_pages_at_vaddr(VS, c_, NULL, P(0), 1, 12, r_), 0);                               \
          e_;                                                                                                          \
      }))                                                                                                              \
    X(vspace_deferred_rights_map_pages_at_vaddr, null_vspace, -1, L, W, deferred_map(NULL, f, 0, 1, NO_RES))          \
    X(vspace_deferred_rights_map_pages_at_vaddr, zero_pages, -1, WARN, W,                                              \
      deferred_map(VS, f, 0, 0, reserve_deferred(f, 0, 0x1000)))                                                       \
    X(vspace_deferred_rights_map_pages_at_vaddr, unimplemented, -1, WARN, W,                                           \
      deferred_map((vspace_t *)&unimplemented, f, 0, 1, NO_RES))                                                       \
    X(vspace_deferred_rights_map_pages_at_vaddr, null_reservation, -1, L, W, deferred_map(VS, f, 0, 1, NO_RES))        \
    X(vspace_deferred_rights_map_pages_at_vaddr, into_normal_reservation, -1, L, W,                                    \
      deferred_map(VS, f, 0, 1, reserve_at(f, 0, 0x1000)))                                                             \
    X(vspace_deferred_rights_map_pages_at_vaddr, outside_reservation, -1, L, W,                                        \
      deferred_map(VS, f, 0x1000, 1, reserve_deferred(f, 0, 0x1000)))                                                  \
    X(vspace_unmap_pages, null_vspace, 0, L, W, (vspace_unmap_pages(NULL, P(0), 1, 12, NULL), 0))                      \
    X(vspace_unmap_pages, zero_pages, 0, WARN, W, (vspace_unmap_pages(VS, P(0), 0, 12, NULL), 0))                      \
    X(vspace_unmap_pages, not_mapped, 0, WARN, W,                                                                      \
      (vspace_unmap_pages(VS, P(0x80000), 1, 12, VSPACE_FREE), 0))                                                     \
    X(vspace_unmap_pages, bad_size_bits, 0, L, W, ({                                                                   \
          void *p_ = vspace_new_pages(VS, seL4_AllRights, 1, 12);                                                      \
          assert_non_null(p_);                                                                                         \
          vspace_unmap_pages(VS, p_, 1, 13, VSPACE_FREE);                                                              \
          vspace_unmap_pages(VS, p_, 1, 12, VSPACE_FREE);                                                              \
          0;                                                                                                           \
      }))                                                                                                              \
    X(vspace_unmap_pages, range_wraps, 0, L, W, (vspace_unmap_pages(VS, (void *)(UINTPTR_MAX - 0xfff), 2, 12, NULL),   \
                                                 0))                                                                   \
    X(vspace_tear_down, null_vspace, 0, L, W, (vspace_tear_down(NULL, NULL), 0))                                       \
    X(vspace_tear_down, unimplemented, 0, L, W, (vspace_tear_down((vspace_t *)&unimplemented, NULL), 0))               \
    X(vspace_reserve_range_aligned, null_vspace, NULL, L, W,                                                           \
      RES(vspace_reserve_range_aligned(NULL, 0x1000, 12, seL4_AllRights, 1, &out)))                                    \
    X(vspace_reserve_range_aligned, zero_bytes, NULL, L, W,                                                            \
      RES(vspace_reserve_range_aligned(VS, 0, 12, seL4_AllRights, 1, &out)))                                           \
    X(vspace_reserve_range_aligned, null_vaddr, NULL, L, W,                                                            \
      RES(vspace_reserve_range_aligned(VS, 0x1000, 12, seL4_AllRights, 1, NULL)))                                      \
    X(vspace_reserve_range_aligned, max_bytes, NULL, L, W,                                                             \
      RES(vspace_reserve_range_aligned(VS, SIZE_MAX - 0xfff, 12, seL4_AllRights, 1, &out)))                            \
    X(vspace_reserve_range_aligned, max_alignment, NULL, L, W,                                                         \
      RES(vspace_reserve_range_aligned(VS, 0x1000, 64, seL4_AllRights, 1, &out)))                                      \
    X(vspace_reserve_range_at, null_vspace, NULL, L, W, RES(vspace_reserve_range_at(NULL, P(0), 1, seL4_AllRights, 1)))\
    X(vspace_reserve_range_at, zero_bytes, NULL, L, W, RES(vspace_reserve_range_at(VS, P(0), 0, seL4_AllRights, 1)))   \
    X(vspace_reserve_range_at, range_wraps, NULL, L, W,                                                                \
      RES(vspace_reserve_range_at(VS, (void *)(UINTPTR_MAX - 0xfff), 0x2000, seL4_AllRights, 1)))                      \
    X(vspace_reserve_range_at, outside_window, NULL, L, W,                                                             \
      RES(vspace_reserve_range_at(VS, (void *)0x1000, 0x1000, seL4_AllRights, 1)))                                     \
    X(vspace_reserve_range_at, overlaps_within_one_page, NULL, L, W, ({                                                \
          reserve_at(f, 0, 8);                                                                                         \
          RES(vspace_reserve_range_at(VS, P(0xff0), 8, seL4_AllRights, 1));                                            \
      }))                                                                                                              \
    X(vspace_reserve_range_at, overlaps_mapped_page, NULL, L, W, ({                                                    \
          void *p_ = vspace_new_pages(VS, seL4_AllRights, 1, 12);                                                      \
          assert_non_null(p_);                                                                                         \
          RES(vspace_reserve_range_at(VS, p_, 0x1000, seL4_AllRights, 1));                                             \
      }))                                                                                                              \
    X(vspace_reserve_deferred_rights_range_at, null_vspace, NULL, L, W,                                                \
      RES(vspace_reserve_deferred_rights_range_at(NULL, P(0), 1, 1)))                                                  \
    X(vspace_reserve_deferred_rights_range_at, zero_bytes, NULL, L, W,                                                 \
      RES(vspace_reserve_deferred_rights_range_at(VS, P(0), 0, 1)))                                                    \
    X(vspace_reserve_deferred_rights_range_at, range_wraps, NULL, L, W,                                                \
      RES(vspace_reserve_deferred_rights_range_at(VS, (void *)(UINTPTR_MAX - 7), 16, 1)))                              \
    X(vspace_reserve_deferred_rights_range_at, overlaps_reservation, NULL, L, W, ({                                    \
          reserve_at(f, 0, 0x2000);                                                                                    \
          RES(vspace_reserve_deferred_rights_range_at(VS, P(0x1ff0), 0x20, 1));                                        \
      }))                                                                                                              \
    X(vspace_free_reservation, null_vspace, 0, L, W, (vspace_free_reservation(NULL, reserve_at(f, 0, 0x1000)), 0))     \
    X(vspace_free_reservation, null_reservation, 0, L, W, (vspace_free_reservation(VS, NO_RES), 0))                    \
    X(vspace_free_reservation, unimplemented, 0, L, W,                                                                 \
      (vspace_free_reservation((vspace_t *)&unimplemented, NO_RES), 0))                                                \
    X(vspace_free_reservation_by_vaddr, null_vspace, 0, L, W, (vspace_free_reservation_by_vaddr(NULL, P(0)), 0))       \
    X(vspace_free_reservation_by_vaddr, not_reserved, 0, L, W, (vspace_free_reservation_by_vaddr(VS, P(0x90000)), 0))  \
    X(vspace_get_cap, null_vspace, seL4_CapNull, L, W, vspace_get_cap(NULL, P(0)))                                     \
    X(vspace_get_cap, null_vaddr, seL4_CapNull, WARN, W, vspace_get_cap(VS, NULL))                                     \
    X(vspace_get_cap, not_mapped, seL4_CapNull, Q, W, vspace_get_cap(VS, P(0xa0000)))                                  \
    X(vspace_get_cookie, null_vspace, 0, L, W, vspace_get_cookie(NULL, P(0)))                                          \
    X(vspace_get_cookie, null_vaddr, 0, WARN, W, vspace_get_cookie(VS, NULL))                                          \
    X(vspace_get_cookie, unimplemented, 0, L, W, vspace_get_cookie((vspace_t *)&unimplemented, P(0)))                  \
    X(vspace_maybe_call_allocated_object, null_vspace, 0, L, W,                                                        \
      (vspace_maybe_call_allocated_object(NULL, (vka_object_t) {0}), 0))                                               \
    X(vspace_get_root, null_vspace, seL4_CapNull, L, W, vspace_get_root(NULL))                                         \
    X(vspace_get_root, unimplemented, seL4_CapNull, L, W, vspace_get_root((vspace_t *)&unimplemented))                 \
    X(vspace_share_mem_at_vaddr, zero_pages_quietly, -1, Q, W,                                                         \
      vspace_share_mem_at_vaddr(VS, VS, P(0), 0, 12, P(0), NO_RES))                                                    \
    X(vspace_share_mem_at_vaddr, negative_pages, -1, L, W,                                                             \
      vspace_share_mem_at_vaddr(VS, VS, P(0), -1, 12, P(0), NO_RES))                                                   \
    X(vspace_share_mem_at_vaddr, null_to, -1, L, W, vspace_share_mem_at_vaddr(VS, NULL, P(0), 1, 12, P(0), NO_RES))    \
    X(vspace_share_mem_at_vaddr, null_vaddr, -1, L, W, vspace_share_mem_at_vaddr(VS, VS, P(0), 1, 12, NULL, NO_RES))   \
    X(vspace_share_mem_at_vaddr, null_reservation, -1, L, W, ({                                                        \
          void *p_ = vspace_new_pages(VS, seL4_AllRights, 1, 12);                                                      \
          assert_non_null(p_);                                                                                         \
          vspace_share_mem_at_vaddr(VS, VS, p_, 1, 12, P(0), NO_RES);                                                  \
      }))                                                                                                              \
    X(vspace_share_mem_at_vaddr, start_not_mapped, -1, L, W,                                                           \
      vspace_share_mem_at_vaddr(VS, VS, P(0xb0000), 1, 12, P(0), reserve_at(f, 0, 0x1000)))                            \
    X(sel4_valid_size_bits, between_page_sizes, false, Q, W, sel4_valid_size_bits(13))                                 \
    X(sel4_valid_size_bits, max, false, Q, W, sel4_valid_size_bits(SIZE_MAX))                                          \
    X(sel4_page_size_bits_for_memory_region, zero_bytes, seL4_PageBits, Q, W,                                          \
      sel4_page_size_bits_for_memory_region(0))                                                                        \
    X(sel4_page_size_bits_for_memory_region, max_bytes, seL4_HugePageBits, Q, W,                                       \
      sel4_page_size_bits_for_memory_region(SIZE_MAX))
/* clang-format on */

ROWS(BI_DEFINE_CALL)

static const struct bad_input_case rows[] = { ROWS(BI_DEFINE_ROW) };

static const char *const headers[] = { "vspace", NULL };

int main(void)
{
    return bi_run("bad_input_vspace", rows, ARRAY_SIZE(rows), headers);
}
