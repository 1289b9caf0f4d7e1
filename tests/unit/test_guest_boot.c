/* Tests of the CPU-mode boot helpers: the state each mode sets, the long-mode tables, and refused arguments. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <sel4kvm/guest_boot.h>
#include <sel4kvm/log.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/vmcs_fields.h>
#include <sel4vm/guest_ram.h>
#include "quiet_log.h"
#include "vm_fixture.h"

#define RAM_SIZE 0x1000000ul
#define TABLES 0x10000ul

struct field_value {
    seL4_Word field;
    seL4_Word value;
};

/* The four fields of each segment register, in the order ES CS SS DS FS GS LDTR TR. */
enum { ES, CS, SS, DS, FS, GS, LDTR, TR, NUM_SEGS };
static const seL4_Word seg_fields[NUM_SEGS][4] = {
    { VMX_GUEST_ES_SELECTOR, VMX_GUEST_ES_BASE, VMX_GUEST_ES_LIMIT, VMX_GUEST_ES_ACCESS_RIGHTS },
    { VMX_GUEST_CS_SELECTOR, VMX_GUEST_CS_BASE, VMX_GUEST_CS_LIMIT, VMX_GUEST_CS_ACCESS_RIGHTS },
    { VMX_GUEST_SS_SELECTOR, VMX_GUEST_SS_BASE, VMX_GUEST_SS_LIMIT, VMX_GUEST_SS_ACCESS_RIGHTS },
    { VMX_GUEST_DS_SELECTOR, VMX_GUEST_DS_BASE, VMX_GUEST_DS_LIMIT, VMX_GUEST_DS_ACCESS_RIGHTS },
    { VMX_GUEST_FS_SELECTOR, VMX_GUEST_FS_BASE, VMX_GUEST_FS_LIMIT, VMX_GUEST_FS_ACCESS_RIGHTS },
    { VMX_GUEST_GS_SELECTOR, VMX_GUEST_GS_BASE, VMX_GUEST_GS_LIMIT, VMX_GUEST_GS_ACCESS_RIGHTS },
    { VMX_GUEST_LDTR_SELECTOR, VMX_GUEST_LDTR_BASE, VMX_GUEST_LDTR_LIMIT, VMX_GUEST_LDTR_ACCESS_RIGHTS },
    { VMX_GUEST_TR_SELECTOR, VMX_GUEST_TR_BASE, VMX_GUEST_TR_LIMIT, VMX_GUEST_TR_ACCESS_RIGHTS },
};

/* The fields the helpers set besides the segments. */
static const seL4_Word other_fields[] = {
    VMX_GUEST_GDTR_BASE, VMX_GUEST_GDTR_LIMIT, VMX_GUEST_IDTR_BASE, VMX_GUEST_IDTR_LIMIT, VMX_GUEST_CR0,
    VMX_GUEST_CR3,       VMX_GUEST_CR4,        VMX_GUEST_EFER,      VMX_GUEST_RFLAGS,     VMX_GUEST_RIP,
};

#define NUM_FIELDS (NUM_SEGS * 4 + ARRAY_SIZE(other_fields))

static seL4_Word field_at(size_t i)
{
    return i < NUM_SEGS * 4 ? seg_fields[i / 4][i % 4] : other_fields[i - NUM_SEGS * 4];
}

struct snapshot {
    seL4_Word v[NUM_FIELDS];
};

static vm_vcpu_t *fvcpu(void **state)
{
    return ((struct vm_fixture *)*state)->vcpu;
}

static vm_t *fvm(void **state)
{
    return &((struct vm_fixture *)*state)->vm;
}

static void add_ram(vm_t *vm)
{
    assert_int_equal(vm_ram_register_at(vm, 0, RAM_SIZE, false), 0);
}

static void expect_fields(vm_vcpu_t *vcpu, const struct field_value *fv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        seL4_Word value = ~(seL4_Word)0;
        assert_int_equal(vm_get_vmcs_field(vcpu, fv[i].field, &value), 0);
        if (value != fv[i].value) {
            fail_msg("field 0x%lx is 0x%lx, expected 0x%lx", (unsigned long)fv[i].field, (unsigned long)value,
                     (unsigned long)fv[i].value);
        }
    }
}

static void expect_segment(vm_vcpu_t *vcpu, int seg, seL4_Word selector, seL4_Word base, seL4_Word limit,
                           seL4_Word access_rights)
{
    const struct field_value want[] = {
        { seg_fields[seg][0], selector },
        { seg_fields[seg][1], base },
        { seg_fields[seg][2], limit },
        { seg_fields[seg][3], access_rights },
    };
    expect_fields(vcpu, want, ARRAY_SIZE(want));
}

static void expect_data_segments(vm_vcpu_t *vcpu, seL4_Word selector, seL4_Word limit, seL4_Word access_rights)
{
    const int data[] = { ES, SS, DS, FS, GS };
    for (size_t i = 0; i < ARRAY_SIZE(data); i++) {
        expect_segment(vcpu, data[i], selector, 0, limit, access_rights);
    }
}

/* Sets every field to a marker, so that any write by a refused call shows. */
static struct snapshot mark_fields(vm_vcpu_t *vcpu)
{
    struct snapshot s;
    for (size_t i = 0; i < NUM_FIELDS; i++) {
        s.v[i] = 0x5a5a0000 + i;
        assert_int_equal(vm_set_vmcs_field(vcpu, field_at(i), s.v[i]), 0);
    }
    return s;
}

static void assert_fields_unchanged(vm_vcpu_t *vcpu, const struct snapshot *s)
{
    for (size_t i = 0; i < NUM_FIELDS; i++) {
        seL4_Word value;
        assert_int_equal(vm_get_vmcs_field(vcpu, field_at(i), &value), 0);
        assert_int_equal(value, s->v[i]);
    }
}

static uint64_t read_u64(vm_t *vm, uintptr_t addr)
{
    uint64_t v = 0;
    assert_int_equal(vm_ram_touch(vm, addr, sizeof(v), vm_guest_ram_read_callback, &v), 0);
    return v;
}

static bool ram_is_zero(vm_t *vm, uintptr_t addr, size_t size)
{
    static uint8_t buf[SEL4KVM_LONG_MODE_TABLES_SIZE];
    assert_true(size <= sizeof(buf));
    assert_int_equal(vm_ram_touch(vm, addr, size, vm_guest_ram_read_callback, buf), 0);
    for (size_t i = 0; i < size; i++) {
        if (buf[i] != 0) {
            return false;
        }
    }
    return true;
}

/* Walks the 4-level tables at cr3 as the MMU would for a 2 MiB page: present and writable at every level. */
static uint64_t walk(vm_t *vm, uint64_t cr3, uint64_t va)
{
    uint64_t pml4e = read_u64(vm, cr3 + ((va >> 39) & 511) * 8);
    assert_int_equal(pml4e & 3, 3);
    uint64_t pdpte = read_u64(vm, (pml4e & ~0xfffull) + ((va >> 30) & 511) * 8);
    assert_int_equal(pdpte & 0x83, 3);
    uint64_t pde = read_u64(vm, (pdpte & ~0xfffull) + ((va >> 21) & 511) * 8);
    assert_int_equal(pde & 0x83, 0x83);
    return (pde & ~0x1fffffull & 0x000fffffffffffffull) + (va & 0x1fffff);
}

/* ---- real mode ------------------------------------------------------------------------------------------------ */

static void test_real_mode_sets_documented_state(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    assert_int_equal(sel4kvm_vcpu_set_real_mode(vcpu, 0x7c00), 0);
    expect_data_segments(vcpu, 0, 0xffff, 0x93);
    expect_segment(vcpu, CS, 0, 0, 0xffff, 0x9b);
    expect_segment(vcpu, LDTR, 0, 0, 0xffff, 0x82);
    expect_segment(vcpu, TR, 0, 0, 0xffff, 0x8b);
    const struct field_value want[] = {
        { VMX_GUEST_GDTR_BASE, 0 }, { VMX_GUEST_GDTR_LIMIT, 0xffff },
        { VMX_GUEST_IDTR_BASE, 0 }, { VMX_GUEST_IDTR_LIMIT, 0xffff },
        { VMX_GUEST_CR0, 0x10 },    { VMX_GUEST_CR3, 0 },
        { VMX_GUEST_CR4, 0 },       { VMX_GUEST_EFER, 0 },
        { VMX_GUEST_RFLAGS, 2 },    { VMX_GUEST_RIP, 0x7c00 },
    };
    expect_fields(vcpu, want, ARRAY_SIZE(want));
}

static void test_real_mode_splits_entry_into_cs_base_and_ip(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    assert_int_equal(sel4kvm_vcpu_set_real_mode(vcpu, 0xfabcd), 0);
    const struct field_value want[] = {
        { VMX_GUEST_CS_SELECTOR, 0xf000 },
        { VMX_GUEST_CS_BASE, 0xf0000 },
        { VMX_GUEST_RIP, 0xabcd },
    };
    expect_fields(vcpu, want, ARRAY_SIZE(want));
}

static void test_real_mode_refuses_entry_at_or_above_1mib(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    struct snapshot s = mark_fields(vcpu);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_real_mode(vcpu, 0x100000), -1);
    assert_int_equal(sel4kvm_vcpu_set_real_mode(vcpu, UINTPTR_MAX), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 2);
    assert_fields_unchanged(vcpu, &s);
}

static void test_real_mode_refuses_null_vcpu(UNUSED void **state)
{
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_real_mode(NULL, 0x7c00), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 1);
}

/* ---- protected mode ------------------------------------------------------------------------------------------- */

static void test_protected_mode_sets_documented_state(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    assert_int_equal(sel4kvm_vcpu_set_protected_mode(vcpu, 0x100000), 0);
    expect_data_segments(vcpu, 0x10, 0xffffffff, 0xc093);
    expect_segment(vcpu, CS, 0x08, 0, 0xffffffff, 0xc09b);
    expect_segment(vcpu, LDTR, 0, 0, 0xffff, 0x82);
    expect_segment(vcpu, TR, 0, 0, 0xffff, 0x8b);
    const struct field_value want[] = {
        { VMX_GUEST_GDTR_BASE, 0 },  { VMX_GUEST_GDTR_LIMIT, 0 }, { VMX_GUEST_IDTR_BASE, 0 },
        { VMX_GUEST_IDTR_LIMIT, 0 }, { VMX_GUEST_CR0, 0x11 },     { VMX_GUEST_CR3, 0 },
        { VMX_GUEST_CR4, 0 },        { VMX_GUEST_EFER, 0 },       { VMX_GUEST_RFLAGS, 2 },
        { VMX_GUEST_RIP, 0x100000 },
    };
    expect_fields(vcpu, want, ARRAY_SIZE(want));
}

static void test_protected_mode_accepts_the_last_32bit_address(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    assert_int_equal(sel4kvm_vcpu_set_protected_mode(vcpu, 0xffffffff), 0);
    const struct field_value want[] = { { VMX_GUEST_RIP, 0xffffffff } };
    expect_fields(vcpu, want, ARRAY_SIZE(want));
}

static void test_protected_mode_refuses_entry_above_4gib(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    struct snapshot s = mark_fields(vcpu);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_protected_mode(vcpu, 0x100000000ul), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 1);
    assert_fields_unchanged(vcpu, &s);
}

static void test_protected_mode_refuses_null_vcpu(UNUSED void **state)
{
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_protected_mode(NULL, 0x100000), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 1);
}

/* ---- long mode ------------------------------------------------------------------------------------------------ */

static void test_long_mode_sets_documented_state(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    add_ram(fvm(state));
    assert_int_equal(sel4kvm_vcpu_set_long_mode(vcpu, 0x200000, TABLES), 0);
    expect_data_segments(vcpu, 0x10, 0xffffffff, 0xc093);
    expect_segment(vcpu, CS, 0x08, 0, 0xffffffff, 0xa09b);
    expect_segment(vcpu, LDTR, 0, 0, 0, 0x10000);
    expect_segment(vcpu, TR, 0, 0, 0xffff, 0x8b);
    const struct field_value want[] = {
        { VMX_GUEST_GDTR_BASE, TABLES + 0x6000 },
        { VMX_GUEST_GDTR_LIMIT, 23 },
        { VMX_GUEST_IDTR_BASE, 0 },
        { VMX_GUEST_IDTR_LIMIT, 0 },
        { VMX_GUEST_CR0, 0x80050033 },
        { VMX_GUEST_CR3, TABLES },
        { VMX_GUEST_CR4, 0x620 },
        { VMX_GUEST_EFER, 0x500 },
        { VMX_GUEST_RFLAGS, 2 },
        { VMX_GUEST_RIP, 0x200000 },
    };
    expect_fields(vcpu, want, ARRAY_SIZE(want));
}

static void test_long_mode_tables_identity_map_the_first_4gib(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(fvcpu(state), 0x200000, TABLES), 0);
    const uint64_t addrs[] = { 0, 0x1234567, 0x7fffffff, 0x80000000, 0xfee00000, 0xffffffff };
    for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
        assert_int_equal(walk(vm, TABLES, addrs[i]), addrs[i]);
    }
}

static void test_long_mode_tables_map_nothing_above_4gib(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(fvcpu(state), 0x200000, TABLES), 0);
    /* PDPT entry 4 (4..5 GiB) and PML4 entry 1 are not present. */
    assert_int_equal(read_u64(vm, TABLES + 0x1000 + 4 * 8), 0);
    assert_int_equal(read_u64(vm, TABLES + 8), 0);
}

static void test_long_mode_gdt_holds_null_code64_and_data_descriptors(void **state)
{
    vm_t *vm = fvm(state);
    add_ram(vm);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(fvcpu(state), 0x200000, TABLES), 0);
    uint64_t gdt = TABLES + 0x6000;
    assert_int_equal(read_u64(vm, gdt), 0);
    uint64_t code = read_u64(vm, gdt + 8);
    uint64_t data = read_u64(vm, gdt + 16);
    /* Descriptor access byte is bits 40-47 and flags bits 52-55 (G DB L AVL from the top). */
    assert_int_equal((code >> 40) & 0xff, 0x9b);
    assert_int_equal((code >> 52) & 0xf, 0xa); /* G, L */
    assert_int_equal((data >> 40) & 0xff, 0x93);
    assert_int_equal((data >> 52) & 0xf, 0xc); /* G, DB */
    assert_int_equal(code & 0xffff, 0xffff);
    assert_int_equal((code >> 48) & 0xf, 0xf);
}

static void test_long_mode_refuses_unaligned_tables(void **state)
{
    vm_t *vm = fvm(state);
    vm_vcpu_t *vcpu = fvcpu(state);
    add_ram(vm);
    struct snapshot s = mark_fields(vcpu);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(vcpu, 0x200000, TABLES + 8), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 1);
    assert_fields_unchanged(vcpu, &s);
    assert_true(ram_is_zero(vm, TABLES, SEL4KVM_LONG_MODE_TABLES_SIZE));
}

static void test_long_mode_refuses_tables_not_in_ram(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    struct snapshot s = mark_fields(vcpu);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(vcpu, 0x200000, TABLES), -1);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) - errors >= 1);
    assert_fields_unchanged(vcpu, &s);
}

static void test_long_mode_refuses_tables_partly_past_ram(void **state)
{
    vm_t *vm = fvm(state);
    vm_vcpu_t *vcpu = fvcpu(state);
    add_ram(vm);
    struct snapshot s = mark_fields(vcpu);
    uintptr_t tables = RAM_SIZE - 0x1000;
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(vcpu, 0x200000, tables), -1);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) - errors >= 1);
    assert_fields_unchanged(vcpu, &s);
    assert_true(ram_is_zero(vm, tables, 0x1000));
}

static void test_long_mode_refuses_tables_above_4gib(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    struct snapshot s = mark_fields(vcpu);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(vcpu, 0x200000, 0x100000000ul), -1);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(vcpu, 0x200000, 0x100000000ul - 0x1000), -1);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(vcpu, 0x200000, UINTPTR_MAX & ~0xffful), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 3);
    assert_fields_unchanged(vcpu, &s);
}

static void test_long_mode_refuses_entry_above_4gib(void **state)
{
    vm_t *vm = fvm(state);
    vm_vcpu_t *vcpu = fvcpu(state);
    add_ram(vm);
    struct snapshot s = mark_fields(vcpu);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(vcpu, 0x100000000ul, TABLES), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 1);
    assert_fields_unchanged(vcpu, &s);
    assert_true(ram_is_zero(vm, TABLES, SEL4KVM_LONG_MODE_TABLES_SIZE));
}

static void test_long_mode_refuses_null_vcpu(UNUSED void **state)
{
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(sel4kvm_vcpu_set_long_mode(NULL, 0x200000, TABLES), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR) - errors, 1);
}

/* A later mode replaces everything an earlier one set, so helpers can be called in any order. */
static void test_real_mode_after_long_mode_clears_long_mode_state(void **state)
{
    vm_vcpu_t *vcpu = fvcpu(state);
    add_ram(fvm(state));
    assert_int_equal(sel4kvm_vcpu_set_long_mode(vcpu, 0x200000, TABLES), 0);
    assert_int_equal(sel4kvm_vcpu_set_real_mode(vcpu, 0x7c00), 0);
    const struct field_value want[] = {
        { VMX_GUEST_CR0, 0x10 },
        { VMX_GUEST_CR3, 0 },
        { VMX_GUEST_CR4, 0 },
        { VMX_GUEST_EFER, 0 },
        { VMX_GUEST_LDTR_ACCESS_RIGHTS, 0x82 },
        { VMX_GUEST_CS_ACCESS_RIGHTS, 0x9b },
        { VMX_GUEST_GDTR_BASE, 0 },
        { VMX_GUEST_GDTR_LIMIT, 0xffff },
    };
    expect_fields(vcpu, want, ARRAY_SIZE(want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        VM_TEST(test_real_mode_sets_documented_state),
        VM_TEST(test_real_mode_splits_entry_into_cs_base_and_ip),
        VM_TEST(test_real_mode_refuses_entry_at_or_above_1mib),
        VM_TEST(test_real_mode_refuses_null_vcpu),
        VM_TEST(test_protected_mode_sets_documented_state),
        VM_TEST(test_protected_mode_accepts_the_last_32bit_address),
        VM_TEST(test_protected_mode_refuses_entry_above_4gib),
        VM_TEST(test_protected_mode_refuses_null_vcpu),
        VM_TEST(test_long_mode_sets_documented_state),
        VM_TEST(test_long_mode_tables_identity_map_the_first_4gib),
        VM_TEST(test_long_mode_tables_map_nothing_above_4gib),
        VM_TEST(test_long_mode_gdt_holds_null_code64_and_data_descriptors),
        VM_TEST(test_long_mode_refuses_unaligned_tables),
        VM_TEST(test_long_mode_refuses_tables_not_in_ram),
        VM_TEST(test_long_mode_refuses_tables_partly_past_ram),
        VM_TEST(test_long_mode_refuses_tables_above_4gib),
        VM_TEST(test_long_mode_refuses_entry_above_4gib),
        VM_TEST(test_long_mode_refuses_null_vcpu),
        VM_TEST(test_real_mode_after_long_mode_clears_long_mode_state),
    };
    return cmocka_run_group_tests(tests, quiet_group, loud_group);
}
