/* vCPU registers through KVM: general-purpose context, VMCS-named guest state, and the diagnostic dump. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sel4vm/arch/vmcs_fields.h>
#include "kvm_internal.h"

static int get_regs(vm_vcpu_t *vcpu, struct kvm_regs *regs)
{
    if (kvm_ioctl(kvm_vcpu(vcpu)->fd, KVM_GET_REGS, regs) < 0) {
        ZF_LOGE("Failed to read the registers of vCPU %u: %s", vcpu->vcpu_id, strerror(errno));
        return -1;
    }
    return 0;
}

static int set_regs(vm_vcpu_t *vcpu, struct kvm_regs *regs)
{
    if (kvm_ioctl(kvm_vcpu(vcpu)->fd, KVM_SET_REGS, regs) < 0) {
        ZF_LOGE("Failed to write the registers of vCPU %u: %s", vcpu->vcpu_id, strerror(errno));
        return -1;
    }
    return 0;
}

/* The cached system registers, read from KVM if the guest ran since. */
static struct kvm_sregs *cached_sregs(vm_vcpu_t *vcpu)
{
    struct kvm_vcpu *kc = kvm_vcpu(vcpu);
    if (!kc->sregs_cached) {
        if (kvm_ioctl(kc->fd, KVM_GET_SREGS, &kc->sregs) < 0) {
            ZF_LOGE("Failed to read the system registers of vCPU %u: %s", vcpu->vcpu_id, strerror(errno));
            return NULL;
        }
        kc->sregs_cached = true;
    }
    return &kc->sregs;
}

int kvm_flush_sregs(vm_vcpu_t *vcpu)
{
    struct kvm_vcpu *kc = kvm_vcpu(vcpu);
    if (!kc->sregs_dirty) {
        return 0;
    }
    kc->sregs_dirty = false;
    if (kvm_ioctl(kc->fd, KVM_SET_SREGS, &kc->sregs) < 0) {
        char reason[160];
        snprintf(reason, sizeof(reason), "KVM refused the system registers set with vm_set_vmcs_field (%s)",
                 strerror(errno));
        kvm_forget_sregs(kc);
        kvm_dump_vcpu(vcpu, reason);
        return -1;
    }
    return 0;
}

/* Where each seL4_VCPUContext member lives in kvm_regs. */
static const struct {
    size_t context, regs;
} context_map[] = {
#define REG(c, k)                                                                                                      \
    {                                                                                                                  \
        offsetof(seL4_VCPUContext, c), offsetof(struct kvm_regs, k)                                                    \
    }
    REG(eax, rax), REG(ebx, rbx), REG(ecx, rcx), REG(edx, rdx), REG(esi, rsi),
    REG(edi, rdi), REG(ebp, rbp), REG(r8, r8),   REG(r9, r9),   REG(r10, r10),
    REG(r11, r11), REG(r12, r12), REG(r13, r13), REG(r14, r14), REG(r15, r15),
#undef REG
};

int kvm_get_context(vm_vcpu_t *vcpu, seL4_VCPUContext *context)
{
    if (kvm_vcpu_realize(vcpu) != 0) {
        return -1;
    }
    struct kvm_regs regs;
    if (get_regs(vcpu, &regs) != 0) {
        return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(context_map); i++) {
        memcpy((char *)context + context_map[i].context, (char *)&regs + context_map[i].regs, sizeof(seL4_Word));
    }
    return 0;
}

int kvm_set_context(vm_vcpu_t *vcpu, const seL4_VCPUContext *context)
{
    if (kvm_vcpu_realize(vcpu) != 0) {
        return -1;
    }
    struct kvm_regs regs;
    if (get_regs(vcpu, &regs) != 0) {
        return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(context_map); i++) {
        memcpy((char *)&regs + context_map[i].regs, (const char *)context + context_map[i].context, sizeof(seL4_Word));
    }
    return set_regs(vcpu, &regs);
}

/* VMX access rights <-> kvm_segment: type 0-3, S 4, DPL 5-6, P 7, AVL 12, L 13, DB 14, G 15, unusable 16. */
static seL4_Word segment_rights(const struct kvm_segment *s)
{
    return (seL4_Word)(s->type & 0xf) | (seL4_Word)s->s << 4 | (seL4_Word)(s->dpl & 3) << 5 |
           (seL4_Word)s->present << 7 | (seL4_Word)s->avl << 12 | (seL4_Word)s->l << 13 | (seL4_Word)s->db << 14 |
           (seL4_Word)s->g << 15 | (seL4_Word)s->unusable << 16;
}

static void set_segment_rights(struct kvm_segment *s, seL4_Word ar)
{
    s->type = ar & 0xf;
    s->s = (ar >> 4) & 1;
    s->dpl = (ar >> 5) & 3;
    s->present = (ar >> 7) & 1;
    s->avl = (ar >> 12) & 1;
    s->l = (ar >> 13) & 1;
    s->db = (ar >> 14) & 1;
    s->g = (ar >> 15) & 1;
    s->unusable = (ar >> 16) & 1;
}

/* The member of kvm_sregs a segment field belongs to, and which part of it (0 selector, 1 base, 2 limit, 3
 * rights); NULL for a field that is not a segment's. */
static struct kvm_segment *segment_of(struct kvm_sregs *sregs, seL4_Word field, int *part)
{
    static const struct {
        seL4_Word selector, base, limit, rights;
        size_t offset;
    } segments[] = {
#define SEGMENT(seg, member)                                                                                           \
    { VMX_GUEST_##seg##_SELECTOR, VMX_GUEST_##seg##_BASE, VMX_GUEST_##seg##_LIMIT, VMX_GUEST_##seg##_ACCESS_RIGHTS,    \
      offsetof(struct kvm_sregs, member) }
        SEGMENT(ES, es), SEGMENT(CS, cs), SEGMENT(SS, ss),    SEGMENT(DS, ds),
        SEGMENT(FS, fs), SEGMENT(GS, gs), SEGMENT(LDTR, ldt), SEGMENT(TR, tr),
#undef SEGMENT
    };
    for (size_t i = 0; i < ARRAY_SIZE(segments); i++) {
        const seL4_Word parts[] = { segments[i].selector, segments[i].base, segments[i].limit, segments[i].rights };
        for (int p = 0; p < 4; p++) {
            if (parts[p] == field) {
                *part = p;
                return (struct kvm_segment *)((char *)sregs + segments[i].offset);
            }
        }
    }
    return NULL;
}

static bool is_gpr_field(seL4_Word field)
{
    return field == VMX_GUEST_RIP || field == VMX_GUEST_RSP || field == VMX_GUEST_RFLAGS;
}

static __u64 *gpr_field(struct kvm_regs *regs, seL4_Word field)
{
    return field == VMX_GUEST_RIP ? &regs->rip : field == VMX_GUEST_RSP ? &regs->rsp : &regs->rflags;
}

/* The sregs word a non-segment field names; NULL if it is a descriptor table's (handled apart). */
static __u64 *sregs_word(struct kvm_sregs *sregs, seL4_Word field)
{
    switch (field) {
    case VMX_GUEST_CR0:
        return &sregs->cr0;
    case VMX_GUEST_CR3:
        return &sregs->cr3;
    case VMX_GUEST_CR4:
        return &sregs->cr4;
    case VMX_GUEST_EFER:
        return &sregs->efer;
    case VMX_GUEST_GDTR_BASE:
        return &sregs->gdt.base;
    case VMX_GUEST_IDTR_BASE:
        return &sregs->idt.base;
    default:
        return NULL;
    }
}

int kvm_get_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word *value)
{
    if (kvm_vcpu_realize(vcpu) != 0) {
        return -1;
    }
    if (is_gpr_field(field)) {
        struct kvm_regs regs;
        if (get_regs(vcpu, &regs) != 0) {
            return -1;
        }
        *value = *gpr_field(&regs, field);
        return 0;
    }
    struct kvm_sregs *sregs = cached_sregs(vcpu);
    if (sregs == NULL) {
        return -1;
    }
    int part;
    struct kvm_segment *seg = segment_of(sregs, field, &part);
    __u64 *word = sregs_word(sregs, field);
    if (seg != NULL) {
        const seL4_Word parts[] = { seg->selector, seg->base, seg->limit, segment_rights(seg) };
        *value = parts[part];
    } else if (word != NULL) {
        *value = *word;
    } else {
        *value = field == VMX_GUEST_GDTR_LIMIT ? sregs->gdt.limit : sregs->idt.limit;
    }
    return 0;
}

int kvm_set_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word value)
{
    if (kvm_vcpu_realize(vcpu) != 0) {
        return -1;
    }
    if (is_gpr_field(field)) {
        struct kvm_regs regs;
        if (get_regs(vcpu, &regs) != 0) {
            return -1;
        }
        *gpr_field(&regs, field) = value;
        return set_regs(vcpu, &regs);
    }
    struct kvm_sregs *sregs = cached_sregs(vcpu);
    if (sregs == NULL) {
        return -1;
    }
    int part;
    struct kvm_segment *seg = segment_of(sregs, field, &part);
    __u64 *word = sregs_word(sregs, field);
    if (seg != NULL) {
        switch (part) {
        case 0:
            seg->selector = (uint16_t)value;
            break;
        case 1:
            seg->base = value;
            break;
        case 2:
            seg->limit = (uint32_t)value;
            break;
        default:
            set_segment_rights(seg, value);
            break;
        }
    } else if (word != NULL) {
        *word = value;
    } else if (field == VMX_GUEST_GDTR_LIMIT) {
        sregs->gdt.limit = (uint16_t)value;
    } else {
        sregs->idt.limit = (uint16_t)value;
    }
    kvm_vcpu(vcpu)->sregs_dirty = true;
    return 0;
}

void kvm_dump_vcpu(vm_vcpu_t *vcpu, const char *reason)
{
    /* A vCPU KVM never made has no registers to show, and making one here would refuse a later irqchip. */
    if (kvm_vcpu(vcpu)->fd < 0) {
        ZF_LOGE("VM %s, vCPU %u: %s (the vCPU never ran: no registers)", vcpu->vm->vm_name, vcpu->vcpu_id, reason);
        return;
    }
    struct kvm_regs r;
    struct kvm_sregs s;
    ZF_LOGE("VM %s vCPU %u stopped: %s", vcpu->vm->vm_name, vcpu->vcpu_id, reason);
    if (get_regs(vcpu, &r) != 0 || kvm_ioctl(kvm_vcpu(vcpu)->fd, KVM_GET_SREGS, &s) != 0) {
        return;
    }
    ZF_LOGE("  rip %016llx rsp %016llx rflags %016llx", r.rip, r.rsp, r.rflags);
    ZF_LOGE("  rax %016llx rbx %016llx rcx %016llx rdx %016llx", r.rax, r.rbx, r.rcx, r.rdx);
    ZF_LOGE("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx", r.rsi, r.rdi, r.rbp, r.r8);
    ZF_LOGE("  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx efer %llx", s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
    ZF_LOGE("  cs %04x base %llx limit %x type %u l %u db %u; ss %04x ds %04x; gdt %llx/%x idt %llx/%x", s.cs.selector,
            s.cs.base, s.cs.limit, s.cs.type, s.cs.l, s.cs.db, s.ss.selector, s.ds.selector, s.gdt.base, s.gdt.limit,
            s.idt.base, s.idt.limit);
}
