/* The vspace layer: wrapper checks, sel4utils reservation and mapping rules, sharing, guest EPT, tear-down. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sel4/sel4.h>
#include <sel4kvm/allocator.h>
#include <sel4kvm/log.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/vspace.h>
#include <utils/util.h>
#include <vka/capops.h>
#include <vka/object.h>
#include <vspace/vspace.h>

#define PAGE PAGE_SIZE_4K
#define LARGE PAGE_SIZE_2M
#define GUEST_PLACE_LO (1ul << 30)
#define GUEST_PLACE_HI (2ul << 30)

/* The last warning or error logged, to check which check refused a call. */
static struct {
    int level;
    unsigned count;
    char msg[1024];
} last_log;

static void capture_log(void *cookie, int level, const char *tag, const char *file, int line, const char *func,
                        const char *msg)
{
    (void)cookie, (void)tag, (void)file, (void)line, (void)func;
    last_log.level = level;
    last_log.count++;
    snprintf(last_log.msg, sizeof(last_log.msg), "%s", msg);
}

static void clear_log(void)
{
    memset(&last_log, 0, sizeof(last_log));
}

#define assert_logged(lvl, text)                                                                                       \
    do {                                                                                                               \
        assert_int_equal(last_log.level, (lvl));                                                                       \
        if (strstr(last_log.msg, (text)) == NULL) {                                                                    \
            fail_msg("expected a message containing \"%s\", got \"%s\"", (text), last_log.msg);                        \
        }                                                                                                              \
    } while (0)

struct hook_log {
    int maps, unmaps;
    int refuse_at_map; /* refuse the n-th map (1-based), 0 for never */
    sel4kvm_map_event_t last;
};

static int ept_hook(void *cookie, const sel4kvm_map_event_t *ev)
{
    struct hook_log *log = cookie;
    if (ev->map) {
        log->maps++;
        if (log->refuse_at_map != 0 && log->maps == log->refuse_at_map) {
            return -1;
        }
    } else {
        log->unmaps++;
    }
    log->last = *ev;
    return 0;
}

typedef struct {
    vka_t vka;
    vspace_t vmm;  /* places in [base, base + 16 GiB) */
    vspace_t vmm2; /* places in [base + 16 GiB, base + 32 GiB) */
    vspace_t guest;
    vka_object_t ept;
    struct hook_log hook;
    uintptr_t base;
    size_t window;
} fx_t;

/*
 * The start of sixty-fourth n of the VMM window: the test vspaces and fixed addresses are laid out in these, so the
 * layout fits whatever window the host granted (64 GiB by default, less under valgrind or a low RLIMIT_AS).
 */
static uintptr_t part(const fx_t *fx, unsigned n)
{
    return fx->base + n * (fx->window / 64);
}

static int setup(void **state)
{
    if (sel4kvm_sim_init(NULL) != 0) {
        return -1;
    }
    fx_t *fx = calloc(1, sizeof(*fx));
    if (fx == NULL || sel4kvm_vka_init(&fx->vka) != 0 || sel4kvm_sim_vmm_window(&fx->base, &fx->window) != 0) {
        return -1;
    }
    if (sel4kvm_vspace_init(&fx->vmm, &fx->vka, seL4_CapInitThreadVSpace, SEL4KVM_VSPACE_VMM, fx->base, part(fx, 16)) !=
            0 ||
        sel4kvm_vspace_init(&fx->vmm2, &fx->vka, seL4_CapInitThreadVSpace, SEL4KVM_VSPACE_VMM, part(fx, 16),
                            part(fx, 32)) != 0) {
        return -1;
    }
    if (vka_alloc_object(&fx->vka, seL4_X86_EPTPML4Object, seL4_X86_EPTPML4Bits, &fx->ept) != 0 ||
        sel4kvm_sim_set_vspace_hook(fx->ept.cptr, ept_hook, &fx->hook) != 0 ||
        sel4kvm_vspace_init(&fx->guest, &fx->vka, fx->ept.cptr, SEL4KVM_VSPACE_GUEST, GUEST_PLACE_LO, GUEST_PLACE_HI) !=
            0) {
        return -1;
    }
    clear_log();
    sel4kvm_log_set_sink(capture_log, NULL);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    sel4kvm_log_set_sink(NULL, NULL);
    vspace_tear_down(&fx->guest, VSPACE_FREE);
    vspace_tear_down(&fx->vmm2, VSPACE_FREE);
    vspace_tear_down(&fx->vmm, VSPACE_FREE);
    sel4kvm_vka_destroy(&fx->vka);
    free(fx);
    sel4kvm_sim_shutdown();
    return 0;
}

static seL4_CPtr new_frame(fx_t *fx, size_t size_bits, vka_object_t *obj)
{
    vka_object_t local;
    vka_object_t *o = obj != NULL ? obj : &local;
    assert_int_equal(vka_alloc_frame(&fx->vka, size_bits, o), 0);
    return o->cptr;
}

static reservation_t reserve(vspace_t *vs, uintptr_t vaddr, size_t bytes)
{
    reservation_t r = vspace_reserve_range_at(vs, (void *)vaddr, bytes, seL4_ReadWrite, 1);
    assert_non_null(r.res);
    return r;
}

/* An address in the VMM window but outside both test vspaces' placement areas, for fixed reservations. */
static uintptr_t fixed(fx_t *fx, uintptr_t offset)
{
    return part(fx, 40) + offset;
}

/* ---- wrappers ---- */

static void test_wrappers_reject_null_vspace(void **state)
{
    (void)state;
    seL4_CPtr cap = 1;
    assert_null(vspace_new_pages(NULL, seL4_AllRights, 1, seL4_PageBits));
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_null(vspace_map_pages(NULL, &cap, NULL, seL4_AllRights, 1, seL4_PageBits, 1));
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_int_equal(vspace_new_pages_at_vaddr(NULL, (void *)PAGE, 1, seL4_PageBits, (reservation_t){ 0 }), -1);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_int_equal(vspace_map_pages_at_vaddr(NULL, &cap, NULL, (void *)PAGE, 1, 12, (reservation_t){ 0 }), -1);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_null(vspace_reserve_range_aligned(NULL, PAGE, 12, seL4_AllRights, 1, &(void *){ NULL }).res);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_null(vspace_reserve_range_at(NULL, (void *)PAGE, PAGE, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    clear_log();
    vspace_unmap_pages(NULL, (void *)PAGE, 1, 12, VSPACE_PRESERVE);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    clear_log();
    vspace_tear_down(NULL, VSPACE_FREE);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    clear_log();
    vspace_free_reservation(NULL, (reservation_t){ 0 });
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    clear_log();
    vspace_free_reservation_by_vaddr(NULL, (void *)PAGE);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_int_equal(vspace_get_cap(NULL, (void *)PAGE), seL4_CapNull);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_int_equal(vspace_get_cookie(NULL, (void *)PAGE), 0);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_int_equal(vspace_get_root(NULL), seL4_CapNull);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    clear_log();
    vspace_maybe_call_allocated_object(NULL, (vka_object_t){ 0 });
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
}

static void test_wrappers_report_missing_implementation(void **state)
{
    (void)state;
    vspace_t empty = { 0 };
    seL4_CPtr cap = 1;
    reservation_t r = { .res = &empty };
    assert_null(vspace_new_pages(&empty, seL4_AllRights, 1, seL4_PageBits));
    assert_logged(ZF_LOG_ERROR, "doesn't implement new_pages()");
    assert_null(vspace_map_pages(&empty, &cap, NULL, seL4_AllRights, 1, seL4_PageBits, 1));
    assert_logged(ZF_LOG_ERROR, "doesn't implement map_pages()");
    assert_int_equal(vspace_new_pages_at_vaddr(&empty, (void *)PAGE, 1, seL4_PageBits, r), -1);
    assert_logged(ZF_LOG_ERROR, "Unimplemented");
    assert_int_equal(vspace_map_pages_at_vaddr(&empty, &cap, NULL, (void *)PAGE, 1, 12, r), -1);
    assert_logged(ZF_LOG_WARN, "Unimplemented");
    assert_null(vspace_reserve_range_aligned(&empty, PAGE, 12, seL4_AllRights, 1, &(void *){ NULL }).res);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    assert_null(vspace_reserve_range_at(&empty, (void *)PAGE, PAGE, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    clear_log();
    vspace_unmap_pages(&empty, (void *)PAGE, 1, 12, VSPACE_PRESERVE);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    clear_log();
    vspace_tear_down(&empty, VSPACE_FREE);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    clear_log();
    vspace_free_reservation(&empty, r);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    clear_log();
    vspace_free_reservation_by_vaddr(&empty, (void *)PAGE);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    assert_int_equal(vspace_get_cap(&empty, (void *)PAGE), seL4_CapNull);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    assert_int_equal(vspace_get_cookie(&empty, (void *)PAGE), 0);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    assert_int_equal(vspace_get_root(&empty), seL4_CapNull);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    assert_int_equal(vspace_share_mem_at_vaddr(&empty, &empty, (void *)PAGE, 1, 12, (void *)PAGE, r), -1);
    assert_logged(ZF_LOG_ERROR, "Not implemented for this vspace");
}

static void test_wrappers_reject_zero_sizes_and_bad_size_bits(void **state)
{
    fx_t *fx = *state;
    seL4_CPtr cap = 1;
    reservation_t r = { .res = fx };
    assert_null(vspace_new_pages(&fx->vmm, seL4_AllRights, 0, seL4_PageBits));
    assert_logged(ZF_LOG_ERROR, "num_pages == 0");
    assert_null(vspace_new_pages(&fx->vmm, seL4_AllRights, 1, 13));
    assert_logged(ZF_LOG_ERROR, "Invalid size_bits 13");
    assert_null(vspace_map_pages(&fx->vmm, &cap, NULL, seL4_AllRights, 0, seL4_PageBits, 1));
    assert_logged(ZF_LOG_ERROR, "num_pages == 0");
    assert_null(vspace_map_pages(&fx->vmm, &cap, NULL, seL4_AllRights, 1, 64, 1));
    assert_logged(ZF_LOG_ERROR, "Invalid size_bits 64");
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->vmm, (void *)fixed(fx, 0), 0, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "Failed to create config");
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->vmm, &cap, NULL, (void *)fixed(fx, 0), 0, 12, r), -1);
    assert_logged(ZF_LOG_WARN, "Attempt to map 0 pages");
    assert_null(vspace_reserve_range_aligned(&fx->vmm, 0, 12, seL4_AllRights, 1, &(void *){ NULL }).res);
    assert_logged(ZF_LOG_ERROR, "Attempt to reserve 0 length range");
    assert_null(vspace_reserve_range_aligned(&fx->vmm, PAGE, 12, seL4_AllRights, 1, NULL).res);
    assert_logged(ZF_LOG_ERROR, "Cannot store result at NULL");
    assert_null(vspace_reserve_range_at(&fx->vmm, (void *)fixed(fx, 0), 0, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "Attempt to reserve 0 length range");
    clear_log();
    vspace_unmap_pages(&fx->vmm, (void *)fixed(fx, 0), 0, 12, VSPACE_PRESERVE);
    assert_logged(ZF_LOG_WARN, "Attempt to unmap 0 pages");
}

static void test_new_pages_at_vaddr_wrapper_rejects_null_reservation(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->vmm, (void *)fixed(fx, 0), 1, 12, (reservation_t){ 0 }), -1);
    assert_logged(ZF_LOG_ERROR, "reservation is required");
    assert_int_equal(vspace_new_pages_at_vaddr_with_config(&fx->vmm, NULL, (reservation_t){ .res = fx }), -1);
    assert_logged(ZF_LOG_ERROR, "config is NULL");
}

static void test_null_vaddr_only_warns_in_wrappers(void **state)
{
    fx_t *fx = *state;
    /* Guest-physical 0 is a real address: the wrappers warn and pass it on. */
    reservation_t r = vspace_reserve_range_at(&fx->guest, NULL, PAGE, seL4_AllRights, 1);
    assert_non_null(r.res);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    clear_log();
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, NULL, 1, 12, r), 0);
    assert_logged(ZF_LOG_WARN, "Mapping NULL");
    assert_int_equal(vspace_get_cap(&fx->guest, NULL), cap);
    assert_logged(ZF_LOG_WARN, "Warning: null address");
    clear_log();
    assert_int_equal(vspace_get_cookie(&fx->guest, NULL), 0);
    assert_logged(ZF_LOG_WARN, "Warning: null address");
    clear_log();
    vspace_unmap_pages(&fx->guest, NULL, 1, 12, VSPACE_PRESERVE);
    assert_logged(ZF_LOG_WARN, "Attempt to unmap NULL");
    assert_int_equal(vspace_get_cap(&fx->guest, NULL), seL4_CapNull);
}

static void test_share_wrapper_checks(void **state)
{
    fx_t *fx = *state;
    reservation_t r = { .res = fx };
    void *p = (void *)fixed(fx, 0);
    clear_log();
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->vmm2, p, 0, 12, p, r), -1);
    assert_int_equal(last_log.count, 0);
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->vmm2, p, -1, 12, p, r), -1);
    assert_logged(ZF_LOG_ERROR, "Attempted to share -1 pages");
    assert_int_equal(vspace_share_mem_at_vaddr(NULL, &fx->vmm2, p, 1, 12, p, r), -1);
    assert_logged(ZF_LOG_ERROR, "From vspace does not exist");
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, NULL, p, 1, 12, p, r), -1);
    assert_logged(ZF_LOG_ERROR, "To vspace does not exist");
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->vmm2, p, 1, 12, NULL, r), -1);
    assert_logged(ZF_LOG_ERROR, "Cannot share memory at NULL");
}

/* ---- seed 004: the deferred-rights wrappers ---- */

static void test_deferred_map_wrapper_rejects_null_vspace(void **state)
{
    (void)state;
    seL4_CPtr cap = 1;
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(NULL, &cap, NULL, (void *)PAGE, 1, 12, seL4_AllRights,
                                                               (reservation_t){ 0 }),
                     -1);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
}

static void test_deferred_map_wrapper_rejects_zero_pages(void **state)
{
    fx_t *fx = *state;
    seL4_CPtr cap = 1;
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(&fx->vmm, &cap, NULL, (void *)fixed(fx, 0), 0, 12,
                                                               seL4_AllRights, (reservation_t){ 0 }),
                     -1);
    assert_logged(ZF_LOG_WARN, "Attempt to map 0 pages");
}

static void test_deferred_map_wrapper_warns_on_null_vaddr_and_maps(void **state)
{
    fx_t *fx = *state;
    reservation_t r = vspace_reserve_deferred_rights_range_at(&fx->guest, NULL, PAGE, 1);
    assert_non_null(r.res);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    clear_log();
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(&fx->guest, &cap, NULL, NULL, 1, 12, seL4_CanRead, r),
                     0);
    assert_logged(ZF_LOG_WARN, "Mapping NULL");
    assert_int_equal(last_log.count, 1);
    assert_int_equal(vspace_get_cap(&fx->guest, NULL), cap);
}

static void test_deferred_map_wrapper_reports_unimplemented(void **state)
{
    (void)state;
    vspace_t empty = { 0 };
    seL4_CPtr cap = 1;
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(&empty, &cap, NULL, (void *)PAGE, 1, 12, seL4_AllRights,
                                                               (reservation_t){ .res = &empty }),
                     -1);
    assert_logged(ZF_LOG_WARN, "Unimplemented");
}

static void test_deferred_reserve_wrapper_checks(void **state)
{
    fx_t *fx = *state;
    vspace_t empty = { 0 };
    assert_null(vspace_reserve_deferred_rights_range_at(NULL, (void *)PAGE, PAGE, 1).res);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_null(vspace_reserve_deferred_rights_range_at(&empty, (void *)PAGE, PAGE, 1).res);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
    assert_null(vspace_reserve_deferred_rights_range_at(&fx->vmm, (void *)fixed(fx, 0), 0, 1).res);
    assert_logged(ZF_LOG_ERROR, "Attempt to reserve 0 length range");
}

/* ---- reservations ---- */

static void test_reserve_rejects_overlap_within_one_page(void **state)
{
    fx_t *fx = *state;
    assert_non_null(vspace_reserve_range_at(&fx->guest, (void *)0x10000, 0x10, seL4_AllRights, 1).res);
    assert_null(vspace_reserve_range_at(&fx->guest, (void *)0x10800, 0x10, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "already reserved");
    assert_null(vspace_reserve_deferred_rights_range_at(&fx->guest, (void *)0x10ff0, 0x10, 1).res);
    assert_logged(ZF_LOG_ERROR, "already reserved");
}

static void test_reserve_rejects_overlap_across_kinds(void **state)
{
    fx_t *fx = *state;
    assert_non_null(vspace_reserve_deferred_rights_range_at(&fx->guest, (void *)0x20000, 0x3000, 1).res);
    assert_null(vspace_reserve_range_at(&fx->guest, (void *)0x22fff, 2, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "page 0x22000 is already reserved");
    assert_non_null(vspace_reserve_range_at(&fx->guest, (void *)0x23000, 1, seL4_AllRights, 1).res);
}

static void test_reserve_rounds_out_to_whole_pages(void **state)
{
    fx_t *fx = *state;
    reservation_t r = vspace_reserve_range_at(&fx->guest, (void *)0x30800, PAGE, seL4_AllRights, 1);
    assert_non_null(r.res);
    seL4_CPtr caps[2] = { new_frame(fx, 12, NULL), new_frame(fx, 12, NULL) };
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, caps, NULL, (void *)0x30000, 2, 12, r), 0);
    assert_non_null(vspace_reserve_range_at(&fx->guest, (void *)0x32000, 1, seL4_AllRights, 1).res);
}

static void test_reserve_rejects_ranges_that_wrap(void **state)
{
    fx_t *fx = *state;
    assert_null(vspace_reserve_range_at(&fx->guest, (void *)(UINTPTR_MAX - 0xfff), 0x2000, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "run past the end");
    assert_null(vspace_reserve_range_at(&fx->guest, (void *)(UINTPTR_MAX - 0x10), 0x8, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "run past the end");
    assert_null(vspace_reserve_deferred_rights_range_at(&fx->guest, (void *)0x1000, SIZE_MAX, 1).res);
    assert_logged(ZF_LOG_ERROR, "run past the end");
    void *v = NULL;
    assert_null(vspace_reserve_range_aligned(&fx->guest, SIZE_MAX - 5, 12, seL4_AllRights, 1, &v).res);
    assert_logged(ZF_LOG_ERROR, "larger than any address space");
}

static void test_reserve_rejects_ranges_outside_the_address_space(void **state)
{
    fx_t *fx = *state;
    assert_null(vspace_reserve_range_at(&fx->vmm, (void *)(fx->base - PAGE), PAGE, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "outside the address space");
    assert_null(
        vspace_reserve_range_at(&fx->vmm, (void *)(fx->base + fx->window - PAGE), 2 * PAGE, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "outside the address space");
    assert_null(vspace_reserve_range_at(&fx->guest, (void *)(1ul << 48), PAGE, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "outside the address space");
}

static void test_reserve_rejects_mapped_pages(void **state)
{
    fx_t *fx = *state;
    void *p = vspace_new_pages(&fx->guest, seL4_AllRights, 2, 12);
    assert_non_null(p);
    assert_null(vspace_reserve_range_at(&fx->guest, (char *)p + PAGE + 0x10, 1, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "already mapped");
}

static void test_reserve_aligned_places_aligned_ranges_inside_bounds(void **state)
{
    fx_t *fx = *state;
    void *a = NULL, *b = NULL;
    reservation_t ra = vspace_reserve_range_aligned(&fx->guest, 3 * PAGE, seL4_LargePageBits, seL4_AllRights, 1, &a);
    reservation_t rb = vspace_reserve_range_aligned(&fx->guest, 3 * PAGE, seL4_LargePageBits, seL4_AllRights, 1, &b);
    assert_non_null(ra.res);
    assert_non_null(rb.res);
    assert_true(IS_ALIGNED((uintptr_t)a, seL4_LargePageBits));
    assert_true(IS_ALIGNED((uintptr_t)b, seL4_LargePageBits));
    assert_true((uintptr_t)a >= GUEST_PLACE_LO && (uintptr_t)a + 3 * PAGE <= GUEST_PLACE_HI);
    assert_true((uintptr_t)b >= GUEST_PLACE_LO && (uintptr_t)b + 3 * PAGE <= GUEST_PLACE_HI);
    assert_true((uintptr_t)a + 3 * PAGE <= (uintptr_t)b || (uintptr_t)b + 3 * PAGE <= (uintptr_t)a);
}

static void test_reserve_aligned_skips_fixed_reservations(void **state)
{
    fx_t *fx = *state;
    vspace_t small;
    assert_int_equal(sel4kvm_vspace_init(&small, &fx->vka, fx->ept.cptr, SEL4KVM_VSPACE_GUEST, 0x100000, 0x104000), 0);
    assert_non_null(vspace_reserve_range_at(&small, (void *)0x101000, PAGE, seL4_AllRights, 1).res);
    void *a = NULL, *b = NULL;
    assert_non_null(vspace_reserve_range_aligned(&small, PAGE, 12, seL4_AllRights, 1, &a).res);
    assert_non_null(vspace_reserve_range_aligned(&small, 2 * PAGE, 12, seL4_AllRights, 1, &b).res);
    assert_ptr_equal(a, (void *)0x100000);
    assert_ptr_equal(b, (void *)0x102000);
    assert_null(vspace_reserve_range_aligned(&small, PAGE, 12, seL4_AllRights, 1, &a).res);
    assert_logged(ZF_LOG_ERROR, "no free");
    vspace_tear_down(&small, VSPACE_FREE);
}

static void test_reserve_aligned_rejects_invalid_size_bits(void **state)
{
    fx_t *fx = *state;
    void *v = NULL;
    assert_null(vspace_reserve_range_aligned(&fx->vmm, PAGE, 13, seL4_AllRights, 1, &v).res);
    assert_logged(ZF_LOG_ERROR, "invalid size_bits 13");
}

static void test_free_reservation_makes_pages_free_again(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x40000, 2 * PAGE);
    vspace_free_reservation(&fx->guest, r);
    assert_non_null(vspace_reserve_range_at(&fx->guest, (void *)0x41000, PAGE, seL4_AllRights, 1).res);
}

static void test_free_reservation_rejects_null_and_double_free(void **state)
{
    fx_t *fx = *state;
    clear_log();
    vspace_free_reservation(&fx->guest, (reservation_t){ 0 });
    assert_logged(ZF_LOG_ERROR, "the reservation is NULL");
    reservation_t r = reserve(&fx->guest, 0x50000, PAGE);
    vspace_free_reservation(&fx->guest, r);
    clear_log();
    vspace_free_reservation(&fx->guest, r);
    assert_logged(ZF_LOG_ERROR, "not a live reservation");
}

static void test_free_reservation_by_vaddr_frees_the_containing_reservation(void **state)
{
    fx_t *fx = *state;
    reserve(&fx->guest, 0x60000, 4 * PAGE);
    vspace_free_reservation_by_vaddr(&fx->guest, (void *)0x62abc);
    assert_non_null(vspace_reserve_range_at(&fx->guest, (void *)0x60000, 4 * PAGE, seL4_AllRights, 1).res);
}

static void test_free_reservation_by_vaddr_rejects_unreserved_address(void **state)
{
    fx_t *fx = *state;
    clear_log();
    vspace_free_reservation_by_vaddr(&fx->guest, (void *)0x70000);
    assert_logged(ZF_LOG_ERROR, "no reservation contains");
    clear_log();
    vspace_free_reservation_by_vaddr(&fx->guest, (void *)UINTPTR_MAX);
    assert_logged(ZF_LOG_ERROR, "no reservation contains");
}

/* ---- mapping into reservations ---- */

static void test_map_into_unreserved_memory_is_refused(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x80000, PAGE);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x90000, 1, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "Invalid reservation");
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0x90000), seL4_CapNull);
}

static void test_map_past_the_end_of_a_reservation_is_refused(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x80000, PAGE);
    seL4_CPtr caps[2] = { new_frame(fx, 12, NULL), new_frame(fx, 12, NULL) };
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, caps, NULL, (void *)0x80000, 2, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "Invalid reservation");
    assert_int_equal(fx->hook.maps, 0);
}

static void test_map_over_a_mapped_page_is_refused(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x80000, 2 * PAGE);
    seL4_CPtr caps[2] = { new_frame(fx, 12, NULL), new_frame(fx, 12, NULL) };
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &caps[0], NULL, (void *)0x81000, 1, 12, r), 0);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, caps, NULL, (void *)0x80000, 2, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "Invalid reservation");
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0x80000), seL4_CapNull);
}

static void test_normal_map_into_deferred_reservation_is_refused(void **state)
{
    fx_t *fx = *state;
    reservation_t r = vspace_reserve_deferred_rights_range_at(&fx->guest, (void *)0x80000, PAGE, 1);
    assert_non_null(r.res);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x80000, 1, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "Reservation has no rights associated with it");
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->guest, (void *)0x80000, 1, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "Reservation has no rights associated with it");
    assert_int_equal(fx->hook.maps, 0);
}

static void test_deferred_map_into_normal_reservation_is_refused(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x80000, PAGE);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x80000, 1, 12,
                                                               seL4_AllRights, r),
                     -1);
    assert_logged(ZF_LOG_ERROR, "rights already given");
    assert_int_equal(fx->hook.maps, 0);
}

static void test_deferred_map_uses_the_rights_given_at_map_time(void **state)
{
    fx_t *fx = *state;
    reservation_t r = vspace_reserve_deferred_rights_range_at(&fx->guest, (void *)0x80000, 2 * PAGE, 1);
    seL4_CPtr ro = new_frame(fx, 12, NULL), rw = new_frame(fx, 12, NULL);
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(&fx->guest, &ro, NULL, (void *)0x80000, 1, 12,
                                                               seL4_CanRead, r),
                     0);
    assert_int_equal(fx->hook.last.rights.words[0], seL4_CanRead.words[0]);
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(&fx->guest, &rw, NULL, (void *)0x81000, 1, 12,
                                                               seL4_AllRights, r),
                     0);
    assert_int_equal(fx->hook.last.rights.words[0], seL4_ReadWrite.words[0]);
}

static void test_normal_map_uses_the_reservation_rights(void **state)
{
    fx_t *fx = *state;
    reservation_t r = vspace_reserve_range_at(&fx->guest, (void *)0x80000, PAGE, seL4_CanRead, 1);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x80000, 1, 12, r), 0);
    assert_int_equal(fx->hook.last.rights.words[0], seL4_CanRead.words[0]);
}

static void test_map_with_null_or_freed_reservation_is_an_error(void **state)
{
    fx_t *fx = *state;
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x80000, 1, 12, (reservation_t){ 0 }),
                     -1);
    assert_logged(ZF_LOG_ERROR, "the reservation is NULL");
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x80000, 1, 12,
                                                               seL4_AllRights, (reservation_t){ 0 }),
                     -1);
    assert_logged(ZF_LOG_ERROR, "the reservation is NULL");
    reservation_t r = reserve(&fx->guest, 0x80000, PAGE);
    vspace_free_reservation(&fx->guest, r);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x80000, 1, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "not a live reservation");
}

static void test_reservation_of_another_vspace_is_refused(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->vmm, fixed(fx, 0), PAGE);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->vmm2, &cap, NULL, (void *)fixed(fx, 0), 1, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "not a live reservation");
}

static void test_map_rejects_bad_arguments(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x200000, LARGE);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, NULL, NULL, (void *)0x200000, 1, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "caps is NULL");
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x200800, 1, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "not aligned");
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x200000, 1, 14, r), -1);
    assert_logged(ZF_LOG_ERROR, "invalid size_bits 14");
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x200000, SIZE_MAX >> 4, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "run past the end");
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)(UINTPTR_MAX & ~MASK(12)), 2, 12, r),
                     -1);
    assert_logged(ZF_LOG_ERROR, "run past the end");
    seL4_CPtr null_cap = seL4_CapNull;
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &null_cap, NULL, (void *)0x200000, 1, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "failed with seL4 error");
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0x200000), seL4_CapNull);
}

static void test_failed_multi_page_map_unmaps_what_it_mapped(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x80000, 3 * PAGE);
    reservation_t other = reserve(&fx->guest, 0x90000, PAGE);
    seL4_CPtr caps[3] = { new_frame(fx, 12, NULL), new_frame(fx, 12, NULL), new_frame(fx, 12, NULL) };
    /* The second cap is already mapped elsewhere, so the kernel refuses it. */
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &caps[1], NULL, (void *)0x90000, 1, 12, other), 0);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, caps, NULL, (void *)0x80000, 3, 12, r), -1);
    assert_logged(ZF_LOG_ERROR, "mapping page 1");
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0x80000), seL4_CapNull);
    assert_int_equal(fx->hook.unmaps, 1);
    /* Still reserved: the first cap maps there again, and nothing else can reserve the page. */
    assert_null(vspace_reserve_range_at(&fx->guest, (void *)0x80000, PAGE, seL4_AllRights, 1).res);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, caps, NULL, (void *)0x80000, 1, 12, r), 0);
}

static void test_failed_vmm_map_unmaps_what_it_mapped(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->vmm, fixed(fx, 0), 2 * PAGE);
    reservation_t other = reserve(&fx->vmm, fixed(fx, 0x10000), PAGE);
    seL4_CPtr caps[2] = { new_frame(fx, 12, NULL), new_frame(fx, 12, NULL) };
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->vmm, &caps[1], NULL, (void *)fixed(fx, 0x10000), 1, 12, other), 0);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->vmm, caps, NULL, (void *)fixed(fx, 0), 2, 12, r), -1);
    assert_int_equal(vspace_get_cap(&fx->vmm, (void *)fixed(fx, 0)), seL4_CapNull);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->vmm, caps, NULL, (void *)fixed(fx, 0), 1, 12, r), 0);
}

static void test_unmap_inside_a_reservation_makes_pages_reserved_again(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x80000, 2 * PAGE);
    seL4_CPtr caps[2] = { new_frame(fx, 12, NULL), new_frame(fx, 12, NULL) };
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, caps, NULL, (void *)0x80000, 2, 12, r), 0);
    vspace_unmap_pages(&fx->guest, (void *)0x80000, 2, 12, VSPACE_PRESERVE);
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0x80000), seL4_CapNull);
    assert_null(vspace_reserve_range_at(&fx->guest, (void *)0x81000, PAGE, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "already reserved");
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, caps, NULL, (void *)0x80000, 2, 12, r), 0);
}

static void test_unmap_outside_reservations_makes_pages_free(void **state)
{
    fx_t *fx = *state;
    void *p = vspace_new_pages(&fx->guest, seL4_AllRights, 1, 12);
    assert_non_null(p);
    vspace_unmap_pages(&fx->guest, p, 1, 12, VSPACE_FREE);
    assert_non_null(vspace_reserve_range_at(&fx->guest, p, PAGE, seL4_AllRights, 1).res);
}

static void test_free_reservation_leaves_mapped_pages_mapped(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->vmm, fixed(fx, 0), 2 * PAGE);
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->vmm, (void *)fixed(fx, 0), 1, 12, r), 0);
    vspace_free_reservation(&fx->vmm, r);
    assert_int_not_equal(vspace_get_cap(&fx->vmm, (void *)fixed(fx, 0)), seL4_CapNull);
    *(volatile uint32_t *)fixed(fx, 0) = 0xfeedface;
    assert_int_equal(*(volatile uint32_t *)fixed(fx, 0), 0xfeedface);
    assert_null(vspace_reserve_range_at(&fx->vmm, (void *)fixed(fx, 0), PAGE, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "already mapped");
    /* The unmapped half of the freed reservation is free again. */
    assert_non_null(vspace_reserve_range_at(&fx->vmm, (void *)fixed(fx, PAGE), PAGE, seL4_AllRights, 1).res);
}

static void test_unmap_rejects_a_different_page_size(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x400000, LARGE);
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->guest, (void *)0x400000, 1, seL4_LargePageBits, r), 0);
    clear_log();
    vspace_unmap_pages(&fx->guest, (void *)0x400000, 1, 12, VSPACE_FREE);
    assert_logged(ZF_LOG_ERROR, "holds a page of 0x200000 bytes");
    assert_int_not_equal(vspace_get_cap(&fx->guest, (void *)0x400000), seL4_CapNull);
    vspace_unmap_pages(&fx->guest, (void *)0x400000, 1, seL4_LargePageBits, VSPACE_FREE);
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0x400000), seL4_CapNull);
}

static void test_unmap_rejects_bad_arguments(void **state)
{
    fx_t *fx = *state;
    void *p = vspace_new_pages(&fx->guest, seL4_AllRights, 1, 12);
    clear_log();
    vspace_unmap_pages(&fx->guest, (char *)p + 8, 1, 12, VSPACE_FREE);
    assert_logged(ZF_LOG_ERROR, "not aligned");
    clear_log();
    vspace_unmap_pages(&fx->guest, p, 1, 11, VSPACE_FREE);
    assert_logged(ZF_LOG_ERROR, "invalid size_bits 11");
    clear_log();
    vspace_unmap_pages(&fx->guest, p, SIZE_MAX, 12, VSPACE_FREE);
    assert_logged(ZF_LOG_ERROR, "run past the end");
    assert_int_not_equal(vspace_get_cap(&fx->guest, p), seL4_CapNull);
}

static void test_unmap_of_nothing_only_warns(void **state)
{
    fx_t *fx = *state;
    clear_log();
    vspace_unmap_pages(&fx->guest, (void *)0x80000, 4, 12, VSPACE_FREE);
    assert_logged(ZF_LOG_WARN, "nothing is mapped there");
}

static void test_unmap_preserve_keeps_the_cap(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x80000, PAGE);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x80000, 1, 12, r), 0);
    size_t caps_before = sel4kvm_sim_cap_count();
    vspace_unmap_pages(&fx->guest, (void *)0x80000, 1, 12, VSPACE_PRESERVE);
    assert_int_equal(sel4kvm_sim_cap_count(), caps_before);
    assert_int_equal(seL4_X86_Page_GetAddress(cap).error, seL4_NoError);
}

static void test_unmap_free_returns_frames_to_the_vka(void **state)
{
    fx_t *fx = *state;
    size_t objects_before = sel4kvm_sim_object_count();
    size_t caps_before = sel4kvm_sim_cap_count();
    void *p = vspace_new_pages(&fx->vmm, seL4_AllRights, 4, 12);
    assert_non_null(p);
    /* At least the four frames (the allocator may also split untypeds for them). */
    assert_true(sel4kvm_sim_object_count() >= objects_before + 4);
    vspace_unmap_pages(&fx->vmm, p, 4, 12, VSPACE_FREE);
    assert_int_equal(sel4kvm_sim_object_count(), objects_before);
    assert_int_equal(sel4kvm_sim_cap_count(), caps_before);
}

static void test_unmap_with_cookies_frees_the_callers_frames(void **state)
{
    fx_t *fx = *state;
    size_t objects_before = sel4kvm_sim_object_count();
    vka_object_t objs[2];
    seL4_CPtr caps[2] = { new_frame(fx, 12, &objs[0]), new_frame(fx, 12, &objs[1]) };
    uintptr_t cookies[2] = { objs[0].ut, objs[1].ut };
    void *p = vspace_map_pages(&fx->vmm, caps, cookies, seL4_AllRights, 2, 12, 1);
    assert_non_null(p);
    assert_int_equal(vspace_get_cookie(&fx->vmm, (char *)p + PAGE + 100), cookies[1]);
    vspace_unmap_pages(&fx->vmm, p, 2, 12, &fx->vka);
    assert_int_equal(sel4kvm_sim_object_count(), objects_before);
}

/* ---- anonymous placement: new_pages and map_pages ---- */

static void test_new_pages_maps_zeroed_writable_memory(void **state)
{
    fx_t *fx = *state;
    uint8_t *p = vspace_new_pages(&fx->vmm, seL4_AllRights, 3, 12);
    assert_non_null(p);
    assert_true((uintptr_t)p >= fx->base && (uintptr_t)p + 3 * PAGE <= part(fx, 16));
    for (size_t i = 0; i < 3 * PAGE; i += 512) {
        assert_int_equal(p[i], 0);
        p[i] = (uint8_t)i;
    }
    assert_int_equal(p[2 * PAGE + 512], (uint8_t)(2 * PAGE + 512));
    assert_int_not_equal(vspace_get_cookie(&fx->vmm, p), 0);
}

static void test_new_pages_of_large_pages_are_aligned(void **state)
{
    fx_t *fx = *state;
    uint8_t *p = vspace_new_pages(&fx->vmm, seL4_AllRights, 2, seL4_LargePageBits);
    assert_non_null(p);
    assert_true(IS_ALIGNED((uintptr_t)p, seL4_LargePageBits));
    p[LARGE + LARGE - 1] = 7;
    seL4_CPtr cap = vspace_get_cap(&fx->vmm, p + LARGE);
    assert_int_equal(vspace_get_cap(&fx->vmm, p + 2 * LARGE - 1), cap);
    assert_int_not_equal(vspace_get_cap(&fx->vmm, p), cap);
}

static void test_new_pages_never_returns_address_zero(void **state)
{
    fx_t *fx = *state;
    vspace_t low;
    assert_int_equal(sel4kvm_vspace_init(&low, &fx->vka, fx->ept.cptr, SEL4KVM_VSPACE_GUEST, 0, 0x10000), 0);
    void *p = vspace_new_pages(&low, seL4_AllRights, 1, 12);
    assert_ptr_equal(p, (void *)PAGE);
    vspace_tear_down(&low, VSPACE_FREE);
}

static void test_guest_vspace_refuses_huge_pages(void **state)
{
    fx_t *fx = *state;
    assert_null(vspace_new_pages(&fx->guest, seL4_AllRights, 1, seL4_HugePageBits));
    assert_logged(ZF_LOG_ERROR, "4 KiB and 2 MiB pages only");
}

static void test_vmm_vspace_maps_huge_pages(void **state)
{
    fx_t *fx = *state;
    vka_object_t huge;
    assert_int_equal(vka_alloc_frame(&fx->vka, seL4_HugePageBits, &huge), 0);
    void *p = vspace_map_pages(&fx->vmm, &huge.cptr, &huge.ut, seL4_AllRights, 1, seL4_HugePageBits, 1);
    assert_non_null(p);
    assert_true(IS_ALIGNED((uintptr_t)p, seL4_HugePageBits));
    ((volatile uint8_t *)p)[PAGE_SIZE_1G - 1] = 1;
    assert_int_equal(vspace_get_cap(&fx->vmm, (char *)p + PAGE_SIZE_1G / 2), huge.cptr);
    vspace_unmap_pages(&fx->vmm, p, 1, seL4_HugePageBits, VSPACE_FREE);
}

static void test_map_pages_records_caps_and_cookies(void **state)
{
    fx_t *fx = *state;
    seL4_CPtr caps[3] = { new_frame(fx, 12, NULL), new_frame(fx, 12, NULL), new_frame(fx, 12, NULL) };
    uintptr_t cookies[3] = { 11, 22, 33 };
    char *p = vspace_map_pages(&fx->guest, caps, cookies, seL4_AllRights, 3, 12, 1);
    assert_non_null(p);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(vspace_get_cap(&fx->guest, p + i * PAGE), caps[i]);
        assert_int_equal(vspace_get_cap(&fx->guest, p + i * PAGE + PAGE - 1), caps[i]);
        assert_int_equal(vspace_get_cookie(&fx->guest, p + i * PAGE + 5), cookies[i]);
    }
    assert_int_equal(vspace_get_cap(&fx->guest, p + 3 * PAGE), seL4_CapNull);
    assert_int_equal(vspace_get_cookie(&fx->guest, p + 3 * PAGE), 0);
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)UINTPTR_MAX), seL4_CapNull);
    /* Cookies belong to the caller's pretend allocator: unmap without freeing. */
    vspace_unmap_pages(&fx->guest, p, 3, 12, VSPACE_PRESERVE);
}

static void test_map_pages_failure_leaves_nothing_mapped(void **state)
{
    fx_t *fx = *state;
    seL4_CPtr caps[2] = { new_frame(fx, 12, NULL), seL4_CapNull };
    assert_null(vspace_map_pages(&fx->guest, caps, NULL, seL4_AllRights, 2, 12, 1));
    assert_int_equal(fx->hook.maps, 1);
    assert_int_equal(fx->hook.unmaps, 1);
    /* The first cap is unmapped again, so it can be mapped anywhere. */
    assert_non_null(vspace_map_pages(&fx->guest, caps, NULL, seL4_AllRights, 1, 12, 1));
}

static void test_map_pages_rejects_null_caps(void **state)
{
    fx_t *fx = *state;
    assert_null(vspace_map_pages(&fx->guest, NULL, NULL, seL4_AllRights, 1, 12, 1));
    assert_logged(ZF_LOG_ERROR, "caps is NULL");
}

static void test_new_pages_fails_when_the_window_is_full(void **state)
{
    fx_t *fx = *state;
    vspace_t tiny;
    assert_int_equal(sel4kvm_vspace_init(&tiny, &fx->vka, fx->ept.cptr, SEL4KVM_VSPACE_GUEST, 0x10000, 0x12000), 0);
    assert_non_null(vspace_new_pages(&tiny, seL4_AllRights, 2, 12));
    size_t objects = sel4kvm_sim_object_count();
    assert_null(vspace_new_pages(&tiny, seL4_AllRights, 1, 12));
    assert_logged(ZF_LOG_ERROR, "no free");
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    vspace_tear_down(&tiny, VSPACE_FREE);
}

static void test_new_pages_at_vaddr_failure_frees_its_frames(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x80000, 3 * PAGE);
    size_t objects = sel4kvm_sim_object_count();
    size_t caps = sel4kvm_sim_cap_count();
    fx->hook.refuse_at_map = 3;
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->guest, (void *)0x80000, 3, 12, r), -1);
    fx->hook.refuse_at_map = 0;
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0x80000), seL4_CapNull);
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->guest, (void *)0x80000, 3, 12, r), 0);
}

/* ---- get_cap, get_cookie, get_root ---- */

static void test_get_cap_and_cookie_of_new_pages(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x600000, LARGE);
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->guest, (void *)0x600000, 1, seL4_LargePageBits, r), 0);
    seL4_CPtr cap = vspace_get_cap(&fx->guest, (void *)0x6fffff);
    assert_int_not_equal(cap, seL4_CapNull);
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0x600000), cap);
    assert_int_equal(seL4_X86_Page_GetAddress(cap).paddr, fx->hook.last.paddr);
    assert_int_not_equal(vspace_get_cookie(&fx->guest, (void *)0x700000 - 1), 0);
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0x800000), seL4_CapNull);
}

static void test_get_root_returns_the_root_cap(void **state)
{
    fx_t *fx = *state;
    assert_int_equal(vspace_get_root(&fx->vmm), seL4_CapInitThreadVSpace);
    assert_int_equal(vspace_get_root(&fx->guest), fx->ept.cptr);
}

/* ---- guest vspaces ---- */

static void test_guest_vspace_maps_through_ept_at_the_guest_physical_address(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0xa0000, PAGE);
    vka_object_t obj;
    seL4_CPtr cap = new_frame(fx, 12, &obj);
    assert_int_equal(vspace_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0xa0000, 1, 12, r), 0);
    assert_int_equal(fx->hook.maps, 1);
    assert_true(fx->hook.last.map);
    assert_int_equal(fx->hook.last.vaddr, 0xa0000);
    assert_int_equal(fx->hook.last.size_bits, 12);
    assert_int_equal(fx->hook.last.paddr, seL4_X86_Page_GetAddress(cap).paddr);
    vspace_unmap_pages(&fx->guest, (void *)0xa0000, 1, 12, VSPACE_PRESERVE);
    assert_int_equal(fx->hook.unmaps, 1);
    assert_false(fx->hook.last.map);
}

/* ---- sharing ---- */

static void test_share_mem_makes_bytes_visible_through_both_mappings(void **state)
{
    fx_t *fx = *state;
    char *a = vspace_new_pages(&fx->vmm, seL4_AllRights, 2, 12);
    assert_non_null(a);
    char *b = vspace_share_mem(&fx->vmm, &fx->vmm2, a, 2, 12, seL4_AllRights, 1);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_true((uintptr_t)b >= part(fx, 16));
    strcpy(a + PAGE + 10, "written through a");
    assert_string_equal(b + PAGE + 10, "written through a");
    strcpy(b, "and back through b");
    assert_string_equal(a, "and back through b");
    assert_int_not_equal(vspace_get_cap(&fx->vmm2, b), vspace_get_cap(&fx->vmm, a));
    assert_int_equal(vspace_get_cookie(&fx->vmm2, b), 0);
}

static void test_share_mem_from_guest_into_vmm(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x100000, PAGE);
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->guest, (void *)0x100000, 1, 12, r), 0);
    char *v = vspace_share_mem(&fx->guest, &fx->vmm, (void *)0x100000, 1, 12, seL4_AllRights, 1);
    assert_non_null(v);
    strcpy(v, "guest ram");
    seL4_CPtr cap = vspace_get_cap(&fx->guest, (void *)0x100000);
    char *phys = sel4kvm_sim_paddr_to_host(seL4_X86_Page_GetAddress(cap).paddr, PAGE);
    assert_string_equal(phys, "guest ram");
    vspace_unmap_pages(&fx->vmm, v, 1, 12, VSPACE_FREE);
}

static void test_unmapping_shared_memory_with_free_deletes_the_copies(void **state)
{
    fx_t *fx = *state;
    char *a = vspace_new_pages(&fx->vmm, seL4_AllRights, 2, 12);
    size_t caps = sel4kvm_sim_cap_count();
    size_t objects = sel4kvm_sim_object_count();
    char *b = vspace_share_mem(&fx->vmm, &fx->vmm2, a, 2, 12, seL4_AllRights, 1);
    assert_int_equal(sel4kvm_sim_cap_count(), caps + 2);
    vspace_unmap_pages(&fx->vmm2, b, 2, 12, VSPACE_FREE);
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    a[0] = 1;
}

static void test_share_mem_failure_leaves_the_destination_unchanged(void **state)
{
    fx_t *fx = *state;
    char *a = vspace_new_pages(&fx->vmm, seL4_AllRights, 1, 12);
    /* The page after a is not mapped in vmm, so sharing two pages fails. */
    size_t caps = sel4kvm_sim_cap_count();
    void *vaddr = NULL;
    reservation_t r = vspace_reserve_range_aligned(&fx->vmm2, 2 * PAGE, 12, seL4_AllRights, 1, &vaddr);
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->vmm2, a, 2, 12, vaddr, r), -1);
    assert_logged(ZF_LOG_ERROR, "not mapped");
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(vspace_get_cap(&fx->vmm2, vaddr), seL4_CapNull);
    assert_null(vspace_share_mem(&fx->vmm, &fx->vmm2, a, 2, 12, seL4_AllRights, 1));
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
}

static void test_share_mem_rolls_back_when_a_later_map_fails(void **state)
{
    fx_t *fx = *state;
    char *a = vspace_new_pages(&fx->vmm, seL4_AllRights, 3, 12);
    size_t caps = sel4kvm_sim_cap_count();
    reservation_t r = reserve(&fx->guest, 0xc0000, 3 * PAGE);
    fx->hook.refuse_at_map = 2;
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->guest, a, 3, 12, (void *)0xc0000, r), -1);
    fx->hook.refuse_at_map = 0;
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(vspace_get_cap(&fx->guest, (void *)0xc0000), seL4_CapNull);
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->guest, a, 3, 12, (void *)0xc0000, r), 0);
}

static void test_share_mem_rejects_bad_targets(void **state)
{
    fx_t *fx = *state;
    char *a = vspace_new_pages(&fx->vmm, seL4_AllRights, 1, 12);
    reservation_t deferred = vspace_reserve_deferred_rights_range_at(&fx->guest, (void *)0xd0000, PAGE, 1);
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->guest, a, 1, 12, (void *)0xd0000, deferred), -1);
    assert_logged(ZF_LOG_ERROR, "Reservation has no rights associated with it");
    reservation_t r = reserve(&fx->guest, 0xe0000, PAGE);
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->guest, a, 1, 12, (void *)0xf0000, r), -1);
    assert_logged(ZF_LOG_ERROR, "Invalid reservation");
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->guest, a, 1, 21, (void *)0xe0000, r), -1);
    assert_logged(ZF_LOG_ERROR, "another size");
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &fx->guest, a, 1, 3, (void *)0xe0000, r), -1);
    assert_logged(ZF_LOG_ERROR, "invalid size_bits 3");
    vspace_t foreign = fx->vmm;
    foreign.share_mem_at_vaddr = NULL;
    assert_int_equal(vspace_share_mem_at_vaddr(&fx->vmm, &foreign, a, 1, 12, (void *)0xe0000, r), -1);
    assert_logged(ZF_LOG_ERROR, "destination is not a vspace made by sel4kvm_vspace_init");
    assert_null(vspace_share_mem(&fx->vmm, &fx->guest, a, -2, 12, seL4_AllRights, 1));
    assert_logged(ZF_LOG_ERROR, "-2 pages");
}

struct access_seen {
    void *access_addr;
    void *vaddr;
};

static int write_through_access(void *access_addr, void *vaddr, void *cookie)
{
    struct access_seen *seen = cookie;
    seen->access_addr = access_addr;
    seen->vaddr = vaddr;
    strcpy((char *)vaddr + 0x10, "touched");
    return 42;
}

static void test_access_page_with_callback_maps_calls_and_unmaps(void **state)
{
    fx_t *fx = *state;
    reservation_t r = reserve(&fx->guest, 0x110000, PAGE);
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->guest, (void *)0x110000, 1, 12, r), 0);
    size_t caps = sel4kvm_sim_cap_count();
    struct access_seen seen = { 0 };
    assert_int_equal(vspace_access_page_with_callback(&fx->guest, &fx->vmm, (void *)0x110010, 12, seL4_AllRights, 1,
                                                      write_through_access, &seen),
                     42);
    assert_ptr_equal(seen.access_addr, (void *)0x110010);
    assert_true(IS_ALIGNED((uintptr_t)seen.vaddr, 12));
    assert_int_equal(vspace_get_cap(&fx->vmm, seen.vaddr), seL4_CapNull);
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    seL4_CPtr cap = vspace_get_cap(&fx->guest, (void *)0x110000);
    assert_string_equal((char *)sel4kvm_sim_paddr_to_host(seL4_X86_Page_GetAddress(cap).paddr, PAGE) + 0x10, "touched");
}

static void test_access_page_with_callback_rejects_bad_input(void **state)
{
    fx_t *fx = *state;
    struct access_seen seen = { 0 };
    assert_int_equal(vspace_access_page_with_callback(&fx->guest, &fx->vmm, (void *)0x120000, 12, seL4_AllRights, 1,
                                                      NULL, &seen),
                     -1);
    assert_logged(ZF_LOG_ERROR, "callback is NULL");
    assert_int_equal(vspace_access_page_with_callback(&fx->guest, &fx->vmm, (void *)0x120000, 12, seL4_AllRights, 1,
                                                      write_through_access, &seen),
                     -1);
    assert_logged(ZF_LOG_ERROR, "Failed to access page");
    assert_null(seen.vaddr);
    assert_int_equal(vspace_access_page_with_callback(&fx->guest, &fx->vmm, (void *)0x120000, 99, seL4_AllRights, 1,
                                                      write_through_access, &seen),
                     -1);
    assert_logged(ZF_LOG_ERROR, "invalid size_bits 99");
}

static void test_anonymous_and_fixed_calls_reject_ranges_that_wrap(void **state)
{
    fx_t *fx = *state;
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    reservation_t r = reserve(&fx->guest, 0x80000, PAGE);
    assert_null(vspace_new_pages(&fx->vmm, seL4_AllRights, SIZE_MAX, 12));
    assert_logged(ZF_LOG_ERROR, "run past the end");
    assert_null(vspace_map_pages(&fx->vmm, &cap, NULL, seL4_AllRights, SIZE_MAX >> 8, 12, 1));
    assert_logged(ZF_LOG_ERROR, "run past the end");
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->guest, (void *)(UINTPTR_MAX & ~MASK(21)), 2, 21, r), -1);
    assert_logged(ZF_LOG_ERROR, "run past the end");
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(&fx->guest, &cap, NULL,
                                                               (void *)(UINTPTR_MAX & ~MASK(12)), 3, 12, seL4_AllRights,
                                                               r),
                     -1);
    assert_logged(ZF_LOG_ERROR, "run past the end");
}

static void test_fixed_calls_reject_unaligned_addresses(void **state)
{
    fx_t *fx = *state;
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    reservation_t r = reserve(&fx->guest, 0x400000, LARGE);
    reservation_t d = vspace_reserve_deferred_rights_range_at(&fx->guest, (void *)0x800000, LARGE, 1);
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->guest, (void *)0x401000, 1, seL4_LargePageBits, r), -1);
    assert_logged(ZF_LOG_ERROR, "not aligned");
    assert_int_equal(vspace_deferred_rights_map_pages_at_vaddr(&fx->guest, &cap, NULL, (void *)0x800004, 1, 12,
                                                               seL4_AllRights, d),
                     -1);
    assert_logged(ZF_LOG_ERROR, "not aligned");
    assert_int_equal(fx->hook.maps, 0);
}

static void test_vmm_vspace_refuses_addresses_outside_the_host_window(void **state)
{
    fx_t *fx = *state;
    assert_null(vspace_reserve_range_at(&fx->vmm, NULL, PAGE, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "outside the address space");
    assert_null(vspace_reserve_deferred_rights_range_at(&fx->vmm, (void *)PAGE, PAGE, 1).res);
    assert_logged(ZF_LOG_ERROR, "outside the address space");
}

static void test_reserve_range_reserves_whole_pages_anywhere(void **state)
{
    fx_t *fx = *state;
    void *v = NULL;
    reservation_t r = vspace_reserve_range(&fx->vmm, PAGE + 1, seL4_AllRights, 1, &v);
    assert_non_null(r.res);
    assert_true(IS_ALIGNED((uintptr_t)v, 12));
    assert_int_equal(vspace_new_pages_at_vaddr(&fx->vmm, v, 2, 12, r), 0);
    assert_null(vspace_reserve_range(&fx->vmm, PAGE, seL4_AllRights, 1, NULL).res);
    assert_logged(ZF_LOG_ERROR, "Cannot store result at NULL");
}

#define THREADS 4
#define ROUNDS 50

static void *churn(void *arg)
{
    vspace_t *vs = arg;
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t *p = vspace_new_pages(vs, seL4_AllRights, 2, 12);
        if (p == NULL) {
            return (void *)1;
        }
        p[0] = (uintptr_t)p;
        p[PAGE / 8] = (uintptr_t)p;
        sched_yield();
        if (p[0] != (uintptr_t)p || p[PAGE / 8] != (uintptr_t)p) {
            return (void *)1;
        }
        vspace_unmap_pages(vs, p, 2, 12, VSPACE_FREE);
    }
    return NULL;
}

static void test_concurrent_users_get_disjoint_pages(void **state)
{
    fx_t *fx = *state;
    size_t objects = sel4kvm_sim_object_count();
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, churn, &fx->vmm), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *failed = NULL;
        assert_int_equal(pthread_join(threads[i], &failed), 0);
        assert_null(failed);
    }
    assert_int_equal(sel4kvm_sim_object_count(), objects);
}

/* ---- tear down ---- */

/* Pages, a large page, a reservation with pages, a deferred reservation and a page shared from `source`. */
static void populate(fx_t *fx, vspace_t *vs, void *source)
{
    assert_non_null(vspace_new_pages(vs, seL4_AllRights, 3, 12));
    assert_non_null(vspace_new_pages(vs, seL4_AllRights, 1, seL4_LargePageBits));
    void *v = NULL;
    reservation_t r = vspace_reserve_range_aligned(vs, 4 * PAGE, 12, seL4_AllRights, 1, &v);
    assert_int_equal(vspace_new_pages_at_vaddr(vs, v, 2, 12, r), 0);
    char *shared = vspace_share_mem(&fx->vmm, vs, source, 1, 12, seL4_AllRights, 1);
    assert_non_null(shared);
    assert_non_null(vspace_reserve_deferred_rights_range_at(vs, (void *)(GUEST_PLACE_HI + PAGE), PAGE, 1).res);
}

static void test_tear_down_with_vspace_free_returns_everything(void **state)
{
    fx_t *fx = *state;
    vspace_t vs;
    void *source = vspace_new_pages(&fx->vmm, seL4_AllRights, 1, 12);
    size_t objects = sel4kvm_sim_object_count();
    size_t caps = sel4kvm_sim_cap_count();
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, fx->ept.cptr, SEL4KVM_VSPACE_GUEST, 0x10000000, 0x20000000), 0);
    populate(fx, &vs, source);
    assert_true(sel4kvm_sim_object_count() > objects);
    vspace_tear_down(&vs, VSPACE_FREE);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(fx->hook.maps, fx->hook.unmaps);
}

static void test_tear_down_with_a_custom_vka_frees_with_it(void **state)
{
    fx_t *fx = *state;
    vspace_t vs;
    size_t objects = sel4kvm_sim_object_count();
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, fx->ept.cptr, SEL4KVM_VSPACE_GUEST, 0x10000000, 0x20000000), 0);
    assert_non_null(vspace_new_pages(&vs, seL4_AllRights, 5, 12));
    vspace_tear_down(&vs, &fx->vka);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
}

static void test_tear_down_with_preserve_keeps_the_frames(void **state)
{
    fx_t *fx = *state;
    vspace_t vs;
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, fx->ept.cptr, SEL4KVM_VSPACE_GUEST, 0x10000000, 0x20000000), 0);
    void *p = vspace_new_pages(&vs, seL4_AllRights, 1, 12);
    vka_object_t obj = {
        .cptr = vspace_get_cap(&vs, p),
        .ut = vspace_get_cookie(&vs, p),
        .type = seL4_X86_4K,
        .size_bits = 12,
    };
    size_t objects = sel4kvm_sim_object_count();
    vspace_tear_down(&vs, VSPACE_PRESERVE);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    assert_int_equal(fx->hook.maps, fx->hook.unmaps);
    /* The frame is intact and unmapped: it maps again, then its owner frees it. */
    void *again = vspace_map_pages(&fx->vmm, &obj.cptr, NULL, seL4_AllRights, 1, 12, 1);
    assert_non_null(again);
    vspace_unmap_pages(&fx->vmm, again, 1, 12, VSPACE_PRESERVE);
    vka_free_object(&fx->vka, &obj);
    assert_int_equal(sel4kvm_sim_object_count(), objects - 1);
}

static void test_tear_down_keeps_caller_caps_without_cookies(void **state)
{
    fx_t *fx = *state;
    vspace_t vs;
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, seL4_CapInitThreadVSpace, SEL4KVM_VSPACE_VMM, part(fx, 33),
                                         part(fx, 34)),
                     0);
    seL4_CPtr cap = new_frame(fx, 12, NULL);
    char *p = vspace_map_pages(&vs, &cap, NULL, seL4_AllRights, 1, 12, 1);
    assert_non_null(p);
    size_t caps = sel4kvm_sim_cap_count();
    vspace_tear_down(&vs, VSPACE_FREE);
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    /* Unmapped by the tear-down, so the cap maps again elsewhere. */
    assert_non_null(vspace_map_pages(&fx->vmm, &cap, NULL, seL4_AllRights, 1, 12, 1));
}

static void test_torn_down_vspace_refuses_calls(void **state)
{
    fx_t *fx = *state;
    vspace_t vs;
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, fx->ept.cptr, SEL4KVM_VSPACE_GUEST, 0x10000000, 0x20000000), 0);
    vspace_tear_down(&vs, VSPACE_FREE);
    assert_null(vspace_new_pages(&vs, seL4_AllRights, 1, 12));
    assert_logged(ZF_LOG_ERROR, "doesn't implement new_pages()");
    clear_log();
    vspace_tear_down(&vs, VSPACE_FREE);
    assert_logged(ZF_LOG_ERROR, "Not implemented");
}

/* ---- init ---- */

static void test_init_rejects_bad_arguments(void **state)
{
    fx_t *fx = *state;
    vspace_t vs;
    seL4_CPtr root = seL4_CapInitThreadVSpace;
    uintptr_t lo = fx->base, hi = fx->base + (1ul << 30);
    assert_int_equal(sel4kvm_vspace_init(NULL, &fx->vka, root, SEL4KVM_VSPACE_VMM, lo, hi), -1);
    assert_logged(ZF_LOG_ERROR, "vspace is NULL");
    assert_int_equal(sel4kvm_vspace_init(&vs, NULL, root, SEL4KVM_VSPACE_VMM, lo, hi), -1);
    assert_logged(ZF_LOG_ERROR, "vka is NULL");
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, seL4_CapNull, SEL4KVM_VSPACE_VMM, lo, hi), -1);
    assert_logged(ZF_LOG_ERROR, "seL4_CapNull");
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, root, (sel4kvm_vspace_kind_t)7, lo, hi), -1);
    assert_logged(ZF_LOG_ERROR, "unknown kind");
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, root, SEL4KVM_VSPACE_VMM, lo + 1, hi), -1);
    assert_logged(ZF_LOG_ERROR, "4 KiB aligned");
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, root, SEL4KVM_VSPACE_VMM, hi, lo), -1);
    assert_logged(ZF_LOG_ERROR, "4 KiB aligned");
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, root, SEL4KVM_VSPACE_VMM, lo, lo), -1);
    assert_logged(ZF_LOG_ERROR, "4 KiB aligned");
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, root, SEL4KVM_VSPACE_VMM, lo - PAGE, hi), -1);
    assert_logged(ZF_LOG_ERROR, "outside the address space");
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, root, SEL4KVM_VSPACE_VMM, lo, fx->base + fx->window + PAGE),
                     -1);
    assert_logged(ZF_LOG_ERROR, "outside the address space");
    assert_int_equal(sel4kvm_vspace_init(&vs, &fx->vka, fx->ept.cptr, SEL4KVM_VSPACE_GUEST, 0, (1ul << 48) + PAGE), -1);
    assert_logged(ZF_LOG_ERROR, "outside the address space");
}

static void test_init_without_a_kernel_fails(void **state)
{
    fx_t *fx = *state;
    vspace_t vs;
    uintptr_t base = fx->base;
    teardown(state);
    sel4kvm_log_set_sink(capture_log, NULL);
    assert_int_equal(sel4kvm_vspace_init(&vs, (vka_t *)&vs, seL4_CapInitThreadVSpace, SEL4KVM_VSPACE_VMM, base,
                                         base + PAGE),
                     -1);
    assert_logged(ZF_LOG_ERROR, "no simulated kernel is running");
    assert_int_equal(setup(state), 0);
}

/* ---- stacks, IPC buffers, configs, page sizes ---- */

static void test_new_stack_has_a_guard_page_below_it(void **state)
{
    fx_t *fx = *state;
    char *top = vspace_new_sized_stack(&fx->vmm, 4);
    assert_non_null(top);
    top[-1] = 1;
    top[-(long)(4 * PAGE)] = 2;
    char *guard = top - 5 * PAGE;
    assert_int_equal(vspace_get_cap(&fx->vmm, guard), seL4_CapNull);
    assert_null(vspace_reserve_range_at(&fx->vmm, guard, PAGE, seL4_AllRights, 1).res);
    assert_logged(ZF_LOG_ERROR, "already reserved");
}

static void test_free_stack_returns_everything(void **state)
{
    fx_t *fx = *state;
    size_t objects = sel4kvm_sim_object_count();
    size_t caps = sel4kvm_sim_cap_count();
    char *top = vspace_new_stack(&fx->vmm);
    assert_non_null(top);
    assert_true(sel4kvm_sim_object_count() >= objects + BYTES_TO_4K_PAGES(CONFIG_SEL4UTILS_STACK_SIZE));
    vspace_free_stack(&fx->vmm, top);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    char *guard = top - CONFIG_SEL4UTILS_STACK_SIZE - PAGE;
    assert_non_null(vspace_reserve_range_at(&fx->vmm, guard, PAGE, seL4_AllRights, 1).res);
}

static void test_stack_functions_reject_bad_input(void **state)
{
    fx_t *fx = *state;
    assert_null(vspace_new_sized_stack(&fx->vmm, 0));
    assert_logged(ZF_LOG_ERROR, "0 pages");
    assert_null(vspace_new_sized_stack(&fx->vmm, SIZE_MAX));
    assert_logged(ZF_LOG_ERROR, "Failed to create stack");
    clear_log();
    vspace_free_sized_stack(&fx->vmm, (void *)PAGE, 0);
    assert_logged(ZF_LOG_WARN, "Freeing 0 sized stack");
    clear_log();
    vspace_free_sized_stack(&fx->vmm, (void *)PAGE, 4);
    assert_logged(ZF_LOG_ERROR, "do not fit");
}

static void test_ipc_buffer_is_one_mapped_page(void **state)
{
    fx_t *fx = *state;
    size_t objects = sel4kvm_sim_object_count();
    seL4_CPtr page = seL4_CapNull;
    char *buf = vspace_new_ipc_buffer(&fx->vmm, &page);
    assert_non_null(buf);
    assert_int_equal(vspace_get_cap(&fx->vmm, buf), page);
    buf[PAGE - 1] = 3;
    vspace_free_ipc_buffer(&fx->vmm, buf);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    assert_null(vspace_new_ipc_buffer(&fx->vmm, NULL));
    assert_logged(ZF_LOG_ERROR, "page is NULL");
}

static void test_new_pages_with_config_places_or_uses_the_address(void **state)
{
    fx_t *fx = *state;
    vspace_new_pages_config_t config;
    assert_int_equal(default_vspace_new_pages_config(2, 12, &config), 0);
    char *p = vspace_new_pages_with_config(&fx->vmm, &config, seL4_AllRights);
    assert_non_null(p);
    assert_ptr_equal(config.vaddr, p);
    p[2 * PAGE - 1] = 1;
    assert_int_equal(vspace_new_pages_config_set_vaddr((void *)fixed(fx, 0x100000), &config), 0);
    assert_int_equal(vspace_new_pages_config_use_device_ut(false, &config), 0);
    assert_ptr_equal(vspace_new_pages_with_config(&fx->vmm, &config, seL4_AllRights), (void *)fixed(fx, 0x100000));
    /* The temporary reservation is released, so the unmapped neighbour page is free. */
    assert_non_null(vspace_reserve_range_at(&fx->vmm, (void *)fixed(fx, 0x102000), PAGE, seL4_AllRights, 1).res);
    /* A fixed address that is taken fails and leaves the config as it was. */
    assert_null(vspace_new_pages_with_config(&fx->vmm, &config, seL4_AllRights));
    assert_ptr_equal(config.vaddr, (void *)fixed(fx, 0x100000));
}

static void test_new_pages_config_helpers_reject_bad_input(void **state)
{
    fx_t *fx = *state;
    vspace_new_pages_config_t config;
    assert_int_equal(default_vspace_new_pages_config(0, 12, &config), -1);
    assert_logged(ZF_LOG_WARN, "attempt to create 0 pages");
    assert_int_equal(default_vspace_new_pages_config(1, 12, NULL), -1);
    assert_logged(ZF_LOG_ERROR, "config is NULL");
    assert_int_equal(vspace_new_pages_config_set_vaddr(NULL, NULL), -1);
    assert_int_equal(vspace_new_pages_config_use_device_ut(true, NULL), -1);
    assert_null(vspace_new_pages_with_config(&fx->vmm, NULL, seL4_AllRights));
    assert_logged(ZF_LOG_ERROR, "config is NULL");
    config = (vspace_new_pages_config_t){ .vaddr = NULL, .num_pages = SIZE_MAX, .size_bits = 12 };
    assert_null(vspace_new_pages_with_config(&fx->vmm, &config, seL4_AllRights));
    assert_logged(ZF_LOG_ERROR, "overflow");
    config = (vspace_new_pages_config_t){ .vaddr = NULL, .num_pages = 1, .size_bits = 5 };
    assert_null(vspace_new_pages_with_config(&fx->vmm, &config, seL4_AllRights));
    assert_logged(ZF_LOG_ERROR, "invalid size_bits 5");
}

static void test_page_size_helpers(void **state)
{
    (void)state;
    assert_true(sel4_valid_size_bits(12));
    assert_true(sel4_valid_size_bits(21));
    assert_true(sel4_valid_size_bits(30));
    assert_false(sel4_valid_size_bits(0));
    assert_false(sel4_valid_size_bits(13));
    assert_false(sel4_valid_size_bits(31));
    assert_false(sel4_valid_size_bits(SIZE_MAX));
    assert_int_equal(sel4_page_size_bits_for_memory_region(100), 12);
    assert_int_equal(sel4_page_size_bits_for_memory_region(LARGE - 1), 12);
    assert_int_equal(sel4_page_size_bits_for_memory_region(LARGE), 21);
    assert_int_equal(sel4_page_size_bits_for_memory_region(5ul << 30), 30);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_wrappers_reject_null_vspace),
        T(test_wrappers_report_missing_implementation),
        T(test_wrappers_reject_zero_sizes_and_bad_size_bits),
        T(test_new_pages_at_vaddr_wrapper_rejects_null_reservation),
        T(test_null_vaddr_only_warns_in_wrappers),
        T(test_share_wrapper_checks),
        T(test_deferred_map_wrapper_rejects_null_vspace),
        T(test_deferred_map_wrapper_rejects_zero_pages),
        T(test_deferred_map_wrapper_warns_on_null_vaddr_and_maps),
        T(test_deferred_map_wrapper_reports_unimplemented),
        T(test_deferred_reserve_wrapper_checks),
        T(test_reserve_rejects_overlap_within_one_page),
        T(test_reserve_rejects_overlap_across_kinds),
        T(test_reserve_rounds_out_to_whole_pages),
        T(test_reserve_rejects_ranges_that_wrap),
        T(test_reserve_rejects_ranges_outside_the_address_space),
        T(test_reserve_rejects_mapped_pages),
        T(test_reserve_aligned_places_aligned_ranges_inside_bounds),
        T(test_reserve_aligned_skips_fixed_reservations),
        T(test_reserve_aligned_rejects_invalid_size_bits),
        T(test_free_reservation_makes_pages_free_again),
        T(test_free_reservation_rejects_null_and_double_free),
        T(test_free_reservation_by_vaddr_frees_the_containing_reservation),
        T(test_free_reservation_by_vaddr_rejects_unreserved_address),
        T(test_map_into_unreserved_memory_is_refused),
        T(test_map_past_the_end_of_a_reservation_is_refused),
        T(test_map_over_a_mapped_page_is_refused),
        T(test_normal_map_into_deferred_reservation_is_refused),
        T(test_deferred_map_into_normal_reservation_is_refused),
        T(test_deferred_map_uses_the_rights_given_at_map_time),
        T(test_normal_map_uses_the_reservation_rights),
        T(test_map_with_null_or_freed_reservation_is_an_error),
        T(test_reservation_of_another_vspace_is_refused),
        T(test_map_rejects_bad_arguments),
        T(test_failed_multi_page_map_unmaps_what_it_mapped),
        T(test_failed_vmm_map_unmaps_what_it_mapped),
        T(test_unmap_inside_a_reservation_makes_pages_reserved_again),
        T(test_unmap_outside_reservations_makes_pages_free),
        T(test_free_reservation_leaves_mapped_pages_mapped),
        T(test_unmap_rejects_a_different_page_size),
        T(test_unmap_rejects_bad_arguments),
        T(test_unmap_of_nothing_only_warns),
        T(test_unmap_preserve_keeps_the_cap),
        T(test_unmap_free_returns_frames_to_the_vka),
        T(test_unmap_with_cookies_frees_the_callers_frames),
        T(test_new_pages_maps_zeroed_writable_memory),
        T(test_new_pages_of_large_pages_are_aligned),
        T(test_new_pages_never_returns_address_zero),
        T(test_guest_vspace_refuses_huge_pages),
        T(test_vmm_vspace_maps_huge_pages),
        T(test_map_pages_records_caps_and_cookies),
        T(test_map_pages_failure_leaves_nothing_mapped),
        T(test_map_pages_rejects_null_caps),
        T(test_new_pages_fails_when_the_window_is_full),
        T(test_new_pages_at_vaddr_failure_frees_its_frames),
        T(test_get_cap_and_cookie_of_new_pages),
        T(test_get_root_returns_the_root_cap),
        T(test_guest_vspace_maps_through_ept_at_the_guest_physical_address),
        T(test_share_mem_makes_bytes_visible_through_both_mappings),
        T(test_share_mem_from_guest_into_vmm),
        T(test_unmapping_shared_memory_with_free_deletes_the_copies),
        T(test_share_mem_failure_leaves_the_destination_unchanged),
        T(test_share_mem_rolls_back_when_a_later_map_fails),
        T(test_share_mem_rejects_bad_targets),
        T(test_access_page_with_callback_maps_calls_and_unmaps),
        T(test_access_page_with_callback_rejects_bad_input),
        T(test_anonymous_and_fixed_calls_reject_ranges_that_wrap),
        T(test_fixed_calls_reject_unaligned_addresses),
        T(test_vmm_vspace_refuses_addresses_outside_the_host_window),
        T(test_reserve_range_reserves_whole_pages_anywhere),
        T(test_concurrent_users_get_disjoint_pages),
        T(test_tear_down_with_vspace_free_returns_everything),
        T(test_tear_down_with_a_custom_vka_frees_with_it),
        T(test_tear_down_with_preserve_keeps_the_frames),
        T(test_tear_down_keeps_caller_caps_without_cookies),
        T(test_torn_down_vspace_refuses_calls),
        T(test_init_rejects_bad_arguments),
        T(test_init_without_a_kernel_fails),
        T(test_new_stack_has_a_guard_page_below_it),
        T(test_free_stack_returns_everything),
        T(test_stack_functions_reject_bad_input),
        T(test_ipc_buffer_is_one_mapped_page),
        T(test_new_pages_with_config_places_or_uses_the_address),
        T(test_new_pages_config_helpers_reject_bad_input),
        T(test_page_size_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
