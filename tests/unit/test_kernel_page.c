/* x86 page invocations on the simulated kernel: map rules, EPT rights, hooks and real host mappings. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include "sim_fixture.h"

static seL4_CPtr ut(unsigned bits)
{
    return find_untyped(bits, false, NULL);
}

struct hook_log {
    int maps, unmaps;
    sel4kvm_map_event_t last;
};

static int log_hook(void *cookie, const sel4kvm_map_event_t *ev)
{
    struct hook_log *log = cookie;
    if (ev->map) {
        log->maps++;
    } else {
        log->unmaps++;
    }
    log->last = *ev;
    return 0;
}

static int refuse_hook(void *cookie, const sel4kvm_map_event_t *ev)
{
    (void)cookie;
    return ev->map ? -1 : 0;
}

static seL4_CPtr new_ept(struct hook_log *log)
{
    seL4_CPtr ept = make_object(ut(20), seL4_X86_EPTPML4Object, 0);
    if (log != NULL) {
        assert_int_equal(sel4kvm_sim_set_vspace_hook(ept, log_hook, log), 0);
    }
    return ept;
}

static uintptr_t window(void)
{
    uintptr_t base;
    size_t size;
    assert_int_equal(sel4kvm_sim_vmm_window(&base, &size), 0);
    return base;
}

static void test_map_ept_reports_the_frame_to_the_hook(void **state)
{
    (void)state;
    struct hook_log log = { 0 };
    seL4_CPtr ept = new_ept(&log);
    seL4_CPtr frame = make_object(ut(22), seL4_X86_LargePageObject, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x200000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(log.maps, 1);
    assert_int_equal(log.last.vaddr, 0x200000);
    assert_int_equal(log.last.size_bits, 21);
    assert_int_equal(log.last.paddr, seL4_X86_Page_GetAddress(frame).paddr);
    int fd;
    off_t off;
    assert_int_equal(sel4kvm_sim_paddr_to_fd(log.last.paddr, &fd, &off), 0);
    assert_int_equal(log.last.fd, fd);
    assert_int_equal(log.last.offset, off);
}

static void test_ept_rights_write_means_read_write(void **state)
{
    (void)state;
    struct hook_log log = { 0 };
    seL4_CPtr ept = new_ept(&log);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x1000, seL4_CanWrite, 0), seL4_NoError);
    assert_int_equal(log.last.rights.words[0], seL4_ReadWrite.words[0]);
}

static void test_ept_rights_read_only_and_none_are_read_only(void **state)
{
    (void)state;
    struct hook_log log = { 0 };
    seL4_CPtr ept = new_ept(&log);
    seL4_CPtr a = make_object(ut(20), seL4_X86_4K, 0);
    seL4_CPtr b = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(a, ept, 0x1000, seL4_CanRead, 0), seL4_NoError);
    assert_int_equal(log.last.rights.words[0], seL4_CanRead.words[0]);
    assert_int_equal(seL4_X86_Page_MapEPT(b, ept, 0x2000, seL4_NoRights, 0), seL4_NoError);
    assert_int_equal(log.last.rights.words[0], seL4_CanRead.words[0]);
}

static void test_frame_cap_maps_only_once(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x1000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x2000, seL4_AllRights, 0), seL4_InvalidCapability);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, new_ept(NULL), 0x1000, seL4_AllRights, 0), seL4_InvalidCapability);
    /* a copy of the cap maps the same frame a second time */
    seL4_CPtr copy = slot_alloc();
    assert_int_equal(copy_cap(copy, frame, seL4_AllRights), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(copy, ept, 0x2000, seL4_AllRights, 0), seL4_NoError);
}

static void test_map_onto_a_mapped_address_needs_delete_first(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    seL4_CPtr a = make_object(ut(20), seL4_X86_4K, 0);
    seL4_CPtr b = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(a, ept, 0x3000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(b, ept, 0x3000, seL4_AllRights, 0), seL4_DeleteFirst);
}

static void test_large_page_over_small_mapping_needs_delete_first(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    seL4_CPtr small = make_object(ut(20), seL4_X86_4K, 0);
    seL4_CPtr large = make_object(ut(22), seL4_X86_LargePageObject, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(small, ept, 0x201000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(large, ept, 0x200000, seL4_AllRights, 0), seL4_DeleteFirst);
}

static void test_small_page_inside_large_mapping_fails_lookup(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    seL4_CPtr small = make_object(ut(20), seL4_X86_4K, 0);
    seL4_CPtr large = make_object(ut(22), seL4_X86_LargePageObject, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(large, ept, 0x200000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(small, ept, 0x3ff000, seL4_AllRights, 0), seL4_FailedLookup);
    assert_int_equal(seL4_X86_Page_MapEPT(small, ept, 0x400000, seL4_AllRights, 0), seL4_NoError);
}

static void test_unaligned_address_is_an_alignment_error(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    seL4_CPtr small = make_object(ut(20), seL4_X86_4K, 0);
    seL4_CPtr large = make_object(ut(22), seL4_X86_LargePageObject, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(small, ept, 0x1001, seL4_AllRights, 0), seL4_AlignmentError);
    assert_int_equal(seL4_X86_Page_MapEPT(large, ept, 0x1000, seL4_AllRights, 0), seL4_AlignmentError);
    assert_int_equal(seL4_X86_Page_Map(small, seL4_CapInitThreadVSpace, window() + 8, seL4_AllRights, 0),
                     seL4_AlignmentError);
}

static void test_ept_refuses_huge_pages_and_addresses_past_48_bits(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    seL4_CPtr big = find_untyped(31, false, NULL);
    assert_int_not_equal(big, 0);
    seL4_CPtr huge = make_object(big, seL4_X64_HugePageObject, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(huge, ept, 0x40000000, seL4_AllRights, 0), seL4_InvalidArgument);
    seL4_CPtr small = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(small, ept, 1ul << 48, seL4_AllRights, 0), seL4_InvalidArgument);
}

static void test_map_requires_the_right_kind_of_root(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, seL4_CapInitThreadVSpace, 0x1000, seL4_AllRights, 0),
                     seL4_InvalidCapability);
    assert_int_equal(seL4_X86_Page_Map(frame, ept, window(), seL4_AllRights, 0), seL4_InvalidCapability);
    assert_int_equal(seL4_X86_Page_Map(ept, seL4_CapInitThreadVSpace, window(), seL4_AllRights, 0),
                     seL4_IllegalOperation);
    assert_int_equal(seL4_X86_Page_Map(slot_alloc(), seL4_CapInitThreadVSpace, window(), seL4_AllRights, 0),
                     seL4_InvalidCapability);
}

static void test_unmap_of_unmapped_cap_is_a_no_op(void **state)
{
    (void)state;
    struct hook_log log = { 0 };
    new_ept(&log);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_Unmap(frame), seL4_NoError);
    assert_int_equal(log.unmaps, 0);
}

static void test_unmap_reports_to_the_hook_and_frees_the_address(void **state)
{
    (void)state;
    struct hook_log log = { 0 };
    seL4_CPtr ept = new_ept(&log);
    seL4_CPtr a = make_object(ut(20), seL4_X86_4K, 0);
    seL4_CPtr b = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(a, ept, 0x7000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(seL4_X86_Page_Unmap(a), seL4_NoError);
    assert_int_equal(log.unmaps, 1);
    assert_false(log.last.map);
    assert_int_equal(log.last.vaddr, 0x7000);
    assert_int_equal(seL4_X86_Page_MapEPT(b, ept, 0x7000, seL4_AllRights, 0), seL4_NoError);
}

static void test_hook_refusal_fails_the_map_and_leaves_no_mapping(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    assert_int_equal(sel4kvm_sim_set_vspace_hook(ept, refuse_hook, NULL), 0);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x1000, seL4_AllRights, 0), seL4_NotEnoughMemory);
    assert_int_equal(sel4kvm_sim_set_vspace_hook(ept, NULL, NULL), 0);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x1000, seL4_AllRights, 0), seL4_NoError);
}

static void test_set_hook_rejects_non_roots_and_the_vmm_vspace(void **state)
{
    (void)state;
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(sel4kvm_sim_set_vspace_hook(frame, log_hook, NULL), -1);
    assert_int_equal(sel4kvm_sim_set_vspace_hook(slot_alloc(), log_hook, NULL), -1);
    assert_int_equal(sel4kvm_sim_set_vspace_hook(seL4_CapInitThreadVSpace, log_hook, NULL), -1);
}

static void test_destroying_the_root_unmaps_its_frames(void **state)
{
    (void)state;
    struct hook_log log = { 0 };
    seL4_CPtr ept = new_ept(&log);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x1000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(delete_cap(ept), seL4_NoError);
    assert_int_equal(log.unmaps, 1);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, new_ept(NULL), 0x1000, seL4_AllRights, 0), seL4_NoError);
}

static void test_get_address_of_non_frame_is_illegal(void **state)
{
    (void)state;
    seL4_CPtr ntfn = make_object(ut(20), seL4_NotificationObject, 0);
    assert_int_equal(seL4_X86_Page_GetAddress(ntfn).error, seL4_IllegalOperation);
    assert_int_equal(seL4_X86_Page_GetAddress(slot_alloc()).error, seL4_InvalidCapability);
    assert_int_equal(seL4_X86_Page_Unmap(ntfn), seL4_IllegalOperation);
}

static void test_vmm_map_makes_frame_bytes_visible_at_the_address(void **state)
{
    (void)state;
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    uintptr_t paddr = seL4_X86_Page_GetAddress(frame).paddr;
    char *phys = sel4kvm_sim_paddr_to_host(paddr, 4096);
    strcpy(phys, "through the physmap");
    char *va = (char *)window() + 0x10000;
    assert_int_equal(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, (seL4_Word)va, seL4_AllRights, 0),
                     seL4_NoError);
    assert_string_equal(va, "through the physmap");
    strcpy(va + 100, "through the mapping");
    assert_string_equal(phys + 100, "through the mapping");
}

static void test_two_mappings_of_one_frame_share_bytes(void **state)
{
    (void)state;
    seL4_CPtr frame = make_object(ut(22), seL4_X86_LargePageObject, 0);
    seL4_CPtr copy = slot_alloc();
    assert_int_equal(copy_cap(copy, frame, seL4_AllRights), seL4_NoError);
    char *a = (char *)window() + (4ul << 20);
    char *b = (char *)window() + (8ul << 20);
    assert_int_equal(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, (seL4_Word)a, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(seL4_X86_Page_Map(copy, seL4_CapInitThreadVSpace, (seL4_Word)b, seL4_AllRights, 0), seL4_NoError);
    strcpy(a + (1 << 20), "shared");
    assert_string_equal(b + (1 << 20), "shared");
}

static void test_vmm_map_outside_the_window_is_refused(void **state)
{
    (void)state;
    uintptr_t base;
    size_t size;
    assert_int_equal(sel4kvm_sim_vmm_window(&base, &size), 0);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, base - 4096, seL4_AllRights, 0),
                     seL4_InvalidArgument);
    assert_int_equal(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, base + size, seL4_AllRights, 0),
                     seL4_InvalidArgument);
    assert_int_equal(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, seL4_UserTop + 1, seL4_AllRights, 0),
                     seL4_InvalidArgument);
}

static void test_vmm_remap_in_place_changes_rights_elsewhere_is_refused(void **state)
{
    (void)state;
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    seL4_Word va = window() + 0x20000;
    assert_int_equal(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, va, seL4_CanRead, 0), seL4_NoError);
    assert_int_equal(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, va, seL4_ReadWrite, 0), seL4_NoError);
    *(volatile char *)va = 1;
    assert_int_equal(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, va + 4096, seL4_AllRights, 0),
                     seL4_InvalidArgument);
}

static void test_unmap_in_vmm_leaves_the_window_reserved(void **state)
{
    (void)state;
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    seL4_Word va = window() + 0x30000;
    assert_int_equal(seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, va, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(seL4_X86_Page_Unmap(frame), seL4_NoError);
    /* the address is still in our window and free for the next map */
    seL4_CPtr other = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_Map(other, seL4_CapInitThreadVSpace, va, seL4_AllRights, 0), seL4_NoError);
    *(volatile char *)va = 2;
    assert_int_equal(*(char *)sel4kvm_sim_paddr_to_host(seL4_X86_Page_GetAddress(other).paddr, 1), 2);
}

static void test_asid_pool_assign_accepts_roots_only(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    assert_int_equal(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, ept), seL4_NoError);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_ASIDPool_Assign(seL4_CapInitThreadASIDPool, frame), seL4_InvalidCapability);
    assert_int_equal(seL4_X86_ASIDPool_Assign(frame, ept), seL4_InvalidCapability);
}

static void test_frame_mapping_reports_address_and_effective_rights(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    seL4_Word va = 0;
    seL4_CapRights_t rights = seL4_NoRights;
    assert_int_equal(sel4kvm_sim_frame_mapping(frame, &va, &rights), -1);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x9000, seL4_CanRead, 0), seL4_NoError);
    assert_int_equal(sel4kvm_sim_frame_mapping(frame, &va, &rights), 0);
    assert_int_equal(va, 0x9000);
    assert_int_equal(rights.words[0], seL4_CanRead.words[0]);
    assert_int_equal(sel4kvm_sim_frame_mapping(ept, NULL, NULL), -1);
}

static void test_resolve_gives_physical_runs_of_contiguous_frames(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    /* Four frames from one untyped are physically consecutive; map three of them consecutively and the fourth
     * after a gap. */
    seL4_CPtr u = ut(20);
    seL4_CPtr f[4];
    for (int i = 0; i < 4; i++) {
        f[i] = make_object(u, seL4_X86_4K, 0);
    }
    seL4_X86_Page_GetAddress_t p0 = seL4_X86_Page_GetAddress(f[0]);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(seL4_X86_Page_MapEPT(f[i], ept, 0x10000 + (seL4_Word)i * 0x1000, seL4_AllRights, 0),
                         seL4_NoError);
    }
    assert_int_equal(seL4_X86_Page_MapEPT(f[3], ept, 0x20000, seL4_AllRights, 0), seL4_NoError);
    uintptr_t paddr = 0;
    size_t bytes = 0;
    assert_int_equal(sel4kvm_sim_vspace_resolve(ept, 0x10804, 1ul << 20, &paddr, &bytes), 0);
    assert_int_equal(paddr, p0.paddr + 0x804);
    assert_int_equal(bytes, 3 * 0x1000 - 0x804);
    /* max_bytes stops the walk early (at a frame boundary past it). */
    assert_int_equal(sel4kvm_sim_vspace_resolve(ept, 0x10000, 1, &paddr, &bytes), 0);
    assert_int_equal(bytes, 0x1000);
    /* Not contiguous in the address space: a run of its own. */
    assert_int_equal(sel4kvm_sim_vspace_resolve(ept, 0x20000, 1ul << 20, &paddr, &bytes), 0);
    assert_int_equal(paddr, seL4_X86_Page_GetAddress(f[3]).paddr);
    assert_int_equal(bytes, 0x1000);
    /* Contiguous addresses but not physically: frames 0 and 2 mapped side by side elsewhere. */
    seL4_CPtr c0 = slot_alloc(), c2 = slot_alloc();
    assert_int_equal(copy_cap(c0, f[0], seL4_AllRights), seL4_NoError);
    assert_int_equal(copy_cap(c2, f[2], seL4_AllRights), seL4_NoError);
    seL4_CPtr ept2 = new_ept(NULL);
    assert_int_equal(seL4_X86_Page_MapEPT(c0, ept2, 0x1000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(seL4_X86_Page_MapEPT(c2, ept2, 0x2000, seL4_AllRights, 0), seL4_NoError);
    assert_int_equal(sel4kvm_sim_vspace_resolve(ept2, 0x1000, 1ul << 20, &paddr, &bytes), 0);
    assert_int_equal(bytes, 0x1000);
}

static void test_resolve_rejects_unmapped_addresses_and_bad_arguments(void **state)
{
    (void)state;
    seL4_CPtr ept = new_ept(NULL);
    seL4_CPtr frame = make_object(ut(20), seL4_X86_4K, 0);
    assert_int_equal(seL4_X86_Page_MapEPT(frame, ept, 0x5000, seL4_AllRights, 0), seL4_NoError);
    uintptr_t paddr;
    size_t bytes;
    assert_int_equal(sel4kvm_sim_vspace_resolve(ept, 0x4fff, 4096, &paddr, &bytes), -1);
    assert_int_equal(sel4kvm_sim_vspace_resolve(ept, 0x6000, 4096, &paddr, &bytes), -1);
    assert_int_equal(sel4kvm_sim_vspace_resolve(frame, 0x5000, 4096, &paddr, &bytes), -1);
    assert_int_equal(sel4kvm_sim_vspace_resolve(ept, 0x5000, 4096, NULL, &bytes), -1);
    assert_int_equal(sel4kvm_sim_vspace_resolve(ept, 0x5000, 4096, &paddr, NULL), -1);
    assert_int_equal(sel4kvm_sim_vspace_resolve(ept, 0x5fff, 4096, &paddr, &bytes), 0);
    assert_int_equal(bytes, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_map_ept_reports_the_frame_to_the_hook),
        FIXTURE_TEST(test_ept_rights_write_means_read_write),
        FIXTURE_TEST(test_ept_rights_read_only_and_none_are_read_only),
        FIXTURE_TEST(test_frame_cap_maps_only_once),
        FIXTURE_TEST(test_map_onto_a_mapped_address_needs_delete_first),
        FIXTURE_TEST(test_large_page_over_small_mapping_needs_delete_first),
        FIXTURE_TEST(test_small_page_inside_large_mapping_fails_lookup),
        FIXTURE_TEST(test_unaligned_address_is_an_alignment_error),
        FIXTURE_TEST(test_ept_refuses_huge_pages_and_addresses_past_48_bits),
        FIXTURE_TEST(test_map_requires_the_right_kind_of_root),
        FIXTURE_TEST(test_unmap_of_unmapped_cap_is_a_no_op),
        FIXTURE_TEST(test_unmap_reports_to_the_hook_and_frees_the_address),
        FIXTURE_TEST(test_hook_refusal_fails_the_map_and_leaves_no_mapping),
        FIXTURE_TEST(test_set_hook_rejects_non_roots_and_the_vmm_vspace),
        FIXTURE_TEST(test_destroying_the_root_unmaps_its_frames),
        FIXTURE_TEST(test_get_address_of_non_frame_is_illegal),
        FIXTURE_TEST(test_vmm_map_makes_frame_bytes_visible_at_the_address),
        FIXTURE_TEST(test_two_mappings_of_one_frame_share_bytes),
        FIXTURE_TEST(test_vmm_map_outside_the_window_is_refused),
        FIXTURE_TEST(test_vmm_remap_in_place_changes_rights_elsewhere_is_refused),
        FIXTURE_TEST(test_unmap_in_vmm_leaves_the_window_reserved),
        FIXTURE_TEST(test_asid_pool_assign_accepts_roots_only),
        FIXTURE_TEST(test_frame_mapping_reports_address_and_effective_rights),
        FIXTURE_TEST(test_resolve_gives_physical_runs_of_contiguous_frames),
        FIXTURE_TEST(test_resolve_rejects_unmapped_addresses_and_bad_arguments),
    };
    return cmocka_run_group_tests_name("kernel: pages", tests, NULL, NULL);
}
