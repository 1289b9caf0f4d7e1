/* CPU-mode boot helpers: real, flat protected and identity-mapped long mode set through the VMCS field calls. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/guest_boot.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/vmcs_fields.h>
#include <sel4vm/guest_ram.h>
#include <utils/util.h>

#define REAL_MODE_LIMIT 0x100000ul
#define FOUR_GIB 0x100000000ull

#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_AM BIT(18)
#define CR0_PG BIT(31)
#define CR4_PAE BIT(5)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define RFLAGS_FIXED 0x2ul

#define TYPE_DATA_RW_ACCESSED 0x3
#define TYPE_CODE_RX_ACCESSED 0xb
#define AR_CODE16 (AR(S) | AR(P) | TYPE_CODE_RX_ACCESSED)
#define AR_DATA16 (AR(S) | AR(P) | TYPE_DATA_RW_ACCESSED)
#define AR_CODE32 (AR_CODE16 | AR(DB) | AR(G))
#define AR_DATA32 (AR_DATA16 | AR(DB) | AR(G))
#define AR_CODE64 (AR_CODE16 | AR(L) | AR(G))
#define AR_LDT (AR(P) | AR_T(LDT))

#define SEL_CODE 0x08
#define SEL_DATA 0x10

/* Layout of the long-mode tables, as offsets from `tables`. */
#define LM_PML4 0x0000ul
#define LM_PDPT 0x1000ul
#define LM_PD 0x2000ul
#define LM_GDT 0x6000ul
#define LM_NUM_PDS 4
#define LM_GDT_ENTRIES 3
#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_PS BIT(7)
#define SZ_2M 0x200000ull
#define SZ_1G 0x40000000ull
#define ENTRIES_PER_TABLE 512

/* GDT descriptors matching AR_CODE64 and AR_DATA32 with limit 0xfffff pages. */
#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA 0x00cf93000000ffffull

_Static_assert(LM_GDT + PAGE_SIZE_4K == SEL4KVM_LONG_MODE_TABLES_SIZE, "long-mode table layout");

enum seg {
    SEG_ES,
    SEG_CS,
    SEG_SS,
    SEG_DS,
    SEG_FS,
    SEG_GS,
    SEG_LDTR,
    SEG_TR,
    SEG_COUNT,
};

static const struct {
    seL4_Word selector, base, limit, access_rights;
} seg_fields[SEG_COUNT] = {
    [SEG_ES] = { VMX_GUEST_ES_SELECTOR, VMX_GUEST_ES_BASE, VMX_GUEST_ES_LIMIT, VMX_GUEST_ES_ACCESS_RIGHTS },
    [SEG_CS] = { VMX_GUEST_CS_SELECTOR, VMX_GUEST_CS_BASE, VMX_GUEST_CS_LIMIT, VMX_GUEST_CS_ACCESS_RIGHTS },
    [SEG_SS] = { VMX_GUEST_SS_SELECTOR, VMX_GUEST_SS_BASE, VMX_GUEST_SS_LIMIT, VMX_GUEST_SS_ACCESS_RIGHTS },
    [SEG_DS] = { VMX_GUEST_DS_SELECTOR, VMX_GUEST_DS_BASE, VMX_GUEST_DS_LIMIT, VMX_GUEST_DS_ACCESS_RIGHTS },
    [SEG_FS] = { VMX_GUEST_FS_SELECTOR, VMX_GUEST_FS_BASE, VMX_GUEST_FS_LIMIT, VMX_GUEST_FS_ACCESS_RIGHTS },
    [SEG_GS] = { VMX_GUEST_GS_SELECTOR, VMX_GUEST_GS_BASE, VMX_GUEST_GS_LIMIT, VMX_GUEST_GS_ACCESS_RIGHTS },
    [SEG_LDTR] = { VMX_GUEST_LDTR_SELECTOR, VMX_GUEST_LDTR_BASE, VMX_GUEST_LDTR_LIMIT, VMX_GUEST_LDTR_ACCESS_RIGHTS },
    [SEG_TR] = { VMX_GUEST_TR_SELECTOR, VMX_GUEST_TR_BASE, VMX_GUEST_TR_LIMIT, VMX_GUEST_TR_ACCESS_RIGHTS },
};

struct segment {
    seL4_Word selector, base, limit, access_rights;
};

/* Everything the helpers set; one struct so that every mode goes through the same, complete, write-out. */
struct cpu_state {
    struct segment seg[SEG_COUNT];
    seL4_Word gdtr_base, gdtr_limit, idtr_base, idtr_limit;
    seL4_Word cr0, cr3, cr4, efer, rflags, rip;
};

static int set_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word value)
{
    if (vm_set_vmcs_field(vcpu, field, value) != 0) {
        ZF_LOGE("Failed to set boot state: VMCS field 0x%" PRIxPTR " refused", (uintptr_t)field);
        return -1;
    }
    return 0;
}

static int apply_state(vm_vcpu_t *vcpu, const struct cpu_state *st)
{
    for (int i = 0; i < SEG_COUNT; i++) {
        if (set_field(vcpu, seg_fields[i].selector, st->seg[i].selector) != 0 ||
            set_field(vcpu, seg_fields[i].base, st->seg[i].base) != 0 ||
            set_field(vcpu, seg_fields[i].limit, st->seg[i].limit) != 0 ||
            set_field(vcpu, seg_fields[i].access_rights, st->seg[i].access_rights) != 0) {
            return -1;
        }
    }
    const seL4_Word fields[][2] = {
        { VMX_GUEST_GDTR_BASE, st->gdtr_base },
        { VMX_GUEST_GDTR_LIMIT, st->gdtr_limit },
        { VMX_GUEST_IDTR_BASE, st->idtr_base },
        { VMX_GUEST_IDTR_LIMIT, st->idtr_limit },
        { VMX_GUEST_EFER, st->efer },
        { VMX_GUEST_CR4, st->cr4 },
        { VMX_GUEST_CR3, st->cr3 },
        { VMX_GUEST_CR0, st->cr0 },
        { VMX_GUEST_RFLAGS, st->rflags },
        { VMX_GUEST_RIP, st->rip },
    };
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        if (set_field(vcpu, fields[i][0], fields[i][1]) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Flat 4 GiB segments for protected and long mode: code in CS, data elsewhere, LDT and busy TSS at base 0. */
static void flat_segments(struct cpu_state *st, seL4_Word code_ar)
{
    for (int i = 0; i < SEG_COUNT; i++) {
        st->seg[i] = (struct segment){ SEL_DATA, 0, 0xffffffff, AR_DATA32 };
    }
    st->seg[SEG_CS] = (struct segment){ SEL_CODE, 0, 0xffffffff, code_ar };
    st->seg[SEG_LDTR] = (struct segment){ 0, 0, 0xffff, AR_LDT };
    st->seg[SEG_TR] = (struct segment){ 0, 0, 0xffff, DEFAULT_TR_ACCESS_RIGHTS };
    st->rflags = RFLAGS_FIXED;
}

int sel4kvm_vcpu_set_real_mode(vm_vcpu_t *vcpu, uintptr_t entry)
{
    if (vcpu == NULL) {
        ZF_LOGE("Failed to set real mode: vcpu is NULL");
        return -1;
    }
    if (entry >= REAL_MODE_LIMIT) {
        ZF_LOGE("Failed to set real mode: entry 0x%" PRIxPTR " is not below 1 MiB", entry);
        return -1;
    }
    struct cpu_state st = { 0 };
    for (int i = 0; i < SEG_COUNT; i++) {
        st.seg[i] = (struct segment){ 0, 0, 0xffff, AR_DATA16 };
    }
    seL4_Word cs = (entry >> 4) & 0xf000;
    st.seg[SEG_CS] = (struct segment){ cs, cs << 4, 0xffff, AR_CODE16 };
    st.seg[SEG_LDTR].access_rights = AR_LDT;
    st.seg[SEG_TR].access_rights = DEFAULT_TR_ACCESS_RIGHTS;
    st.gdtr_limit = 0xffff;
    st.idtr_limit = 0xffff;
    st.cr0 = CR0_ET;
    st.rflags = RFLAGS_FIXED;
    st.rip = entry - (cs << 4);
    return apply_state(vcpu, &st);
}

int sel4kvm_vcpu_set_protected_mode(vm_vcpu_t *vcpu, uintptr_t entry)
{
    if (vcpu == NULL) {
        ZF_LOGE("Failed to set protected mode: vcpu is NULL");
        return -1;
    }
    if ((uint64_t)entry >= FOUR_GIB) {
        ZF_LOGE("Failed to set protected mode: entry 0x%" PRIxPTR " is not below 4 GiB", entry);
        return -1;
    }
    struct cpu_state st = { 0 };
    flat_segments(&st, AR_CODE32);
    st.cr0 = CR0_PE | CR0_ET;
    st.rip = entry;
    return apply_state(vcpu, &st);
}

/* The tables of sel4kvm_vcpu_set_long_mode, built in a host buffer of SEL4KVM_LONG_MODE_TABLES_SIZE bytes. */
static void build_long_mode_tables(uint8_t *buf, uint64_t tables)
{
    uint64_t *pml4 = (uint64_t *)(buf + LM_PML4);
    uint64_t *pdpt = (uint64_t *)(buf + LM_PDPT);
    pml4[0] = (tables + LM_PDPT) | PTE_P | PTE_RW;
    for (unsigned i = 0; i < LM_NUM_PDS; i++) {
        uint64_t *pd = (uint64_t *)(buf + LM_PD + i * PAGE_SIZE_4K);
        pdpt[i] = (tables + LM_PD + i * PAGE_SIZE_4K) | PTE_P | PTE_RW;
        for (unsigned j = 0; j < ENTRIES_PER_TABLE; j++) {
            pd[j] = (i * SZ_1G + j * SZ_2M) | PTE_P | PTE_RW | PTE_PS;
        }
    }
    uint64_t *gdt = (uint64_t *)(buf + LM_GDT);
    gdt[SEL_CODE / 8] = GDT_CODE64;
    gdt[SEL_DATA / 8] = GDT_DATA;
}

int sel4kvm_vcpu_set_long_mode(vm_vcpu_t *vcpu, uintptr_t entry, uintptr_t tables)
{
    if (vcpu == NULL || vcpu->vm == NULL) {
        ZF_LOGE("Failed to set long mode: vcpu is NULL or has no VM");
        return -1;
    }
    if ((uint64_t)entry >= FOUR_GIB) {
        ZF_LOGE("Failed to set long mode: entry 0x%" PRIxPTR " is not below 4 GiB, which is all the tables map", entry);
        return -1;
    }
    if ((tables & (PAGE_SIZE_4K - 1)) != 0 || (uint64_t)tables > FOUR_GIB - SEL4KVM_LONG_MODE_TABLES_SIZE) {
        ZF_LOGE("Failed to set long mode: tables at 0x%" PRIxPTR " are not 4 KiB aligned and below 4 GiB", tables);
        return -1;
    }
    uint8_t *buf = calloc(1, SEL4KVM_LONG_MODE_TABLES_SIZE);
    if (buf == NULL) {
        ZF_LOGE("Failed to set long mode: out of memory");
        return -1;
    }
    build_long_mode_tables(buf, tables);
    /* vm_ram_touch checks the whole range before writing any of it, so a refusal leaves RAM untouched. */
    int err = vm_ram_touch(vcpu->vm, tables, SEL4KVM_LONG_MODE_TABLES_SIZE, vm_guest_ram_write_callback, buf);
    free(buf);
    if (err != 0) {
        ZF_LOGE("Failed to set long mode: tables [0x%" PRIxPTR ", +0x%lx) are not all registered RAM", tables,
                SEL4KVM_LONG_MODE_TABLES_SIZE);
        return -1;
    }
    struct cpu_state st = { 0 };
    flat_segments(&st, AR_CODE64);
    st.seg[SEG_LDTR] = (struct segment){ 0, 0, 0, AR(UNUSABLE) };
    st.gdtr_base = tables + LM_GDT;
    st.gdtr_limit = LM_GDT_ENTRIES * 8 - 1;
    st.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
    st.cr3 = tables;
    st.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
    st.efer = EFER_LME | EFER_LMA;
    st.rip = entry;
    return apply_state(vcpu, &st);
}
