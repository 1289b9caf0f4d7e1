/* Putting a vCPU into real, protected or long mode at an entry point, as a firmware or boot loader would. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_boot.h
 * Boot-time CPU state for a guest that has no firmware: each call sets a vCPU's control registers, segments,
 * descriptor-table registers, RFLAGS and RIP so that its next vm_run starts at an entry point in the mode
 * asked for. They use only vm_set_vmcs_field and guest RAM, so they work with every backend, and with the
 * test backend the state they set can be read back with vm_get_vmcs_field. Arguments are checked before
 * anything is changed: a refused call leaves the vCPU and guest RAM as they were. General-purpose registers
 * other than those named are left alone.
 */

/* Bytes of guest RAM sel4kvm_vcpu_set_long_mode writes at `tables`: a PML4, a PDPT, four page directories of
 * 2 MiB pages and a page holding the GDT. */
#define SEL4KVM_LONG_MODE_TABLES_SIZE 0x7000ul

/***
 * @function sel4kvm_vcpu_set_real_mode(vcpu, entry)
 * Put a vCPU in 16-bit real mode at a physical entry point below 1 MiB. CS is chosen so that its base is entry
 * rounded down to 64 KiB (selector (entry >> 4) & 0xf000, IP entry & 0xffff); the other segments have selector
 * and base 0; every segment has limit 0xffff and real-mode access rights (data type 3, code type 11, S, P).
 * CR0 = 0x10 (ET; PE and PG clear), CR3 = CR4 = EFER = 0, RFLAGS = 2, GDTR and IDTR base 0 limit 0xffff, LDTR
 * a present LDT and TR a present busy TSS, both at base 0 with limit 0xffff.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {uintptr_t} entry Physical address of the first instruction, below 1 MiB
 * @return 0 on success, -1 if vcpu is NULL, entry is 1 MiB or above, or the backend refuses a register
 */
int sel4kvm_vcpu_set_real_mode(vm_vcpu_t *vcpu, uintptr_t entry);

/***
 * @function sel4kvm_vcpu_set_protected_mode(vcpu, entry)
 * Put a vCPU in 32-bit flat protected mode with paging off at entry: CS selector 0x08 (type 11, S, P, DB, G),
 * DS ES FS GS SS selector 0x10 (type 3, S, P, DB, G), all base 0 limit 0xffffffff; CR0 = PE|ET (0x11),
 * CR3 = CR4 = EFER = 0, RFLAGS = 2, RIP = entry. No GDT is written: GDTR and IDTR are base 0 limit 0, so the
 * guest must load its own tables before it reloads a segment or enables interrupts. LDTR is a present LDT and
 * TR a present busy TSS, both at base 0 with limit 0xffff.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {uintptr_t} entry Physical address of the first instruction, at most 0xffffffff
 * @return 0 on success, -1 if vcpu is NULL, entry is above 4 GiB - 1, or the backend refuses a register
 */
int sel4kvm_vcpu_set_protected_mode(vm_vcpu_t *vcpu, uintptr_t entry);

/***
 * @function sel4kvm_vcpu_set_long_mode(vcpu, entry, tables)
 * Put a vCPU in 64-bit long mode at entry, writing SEL4KVM_LONG_MODE_TABLES_SIZE bytes of guest RAM at tables:
 * a PML4 (tables), one PDPT (+0x1000) and four page directories (+0x2000..+0x5fff) whose present, writable
 * 2 MiB pages identity-map 0..4 GiB, then a GDT (+0x6000) holding a null descriptor, a 64-bit code segment
 * (selector 0x08) and a data segment (0x10), so the guest can reload its segments. CR3 = tables,
 * CR4 = PAE|OSFXSR|OSXMMEXCPT (0x620), CR0 = PE|MP|ET|NE|WP|AM|PG (0x80050033), EFER = LME|LMA (0x500);
 * CS selector 0x08 (type 11, S, P, L, G; DB clear), DS ES FS GS SS selector 0x10 (type 3, S, P, DB, G), base 0
 * limit 0xffffffff; TR a present busy TSS; LDTR unusable; GDTR base tables + 0x6000 limit 23; IDTR base 0
 * limit 0; RFLAGS = 2; RIP = entry.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {uintptr_t} entry Address of the first instruction, below 4 GiB (only that much is mapped)
 * @param {uintptr_t} tables Guest-physical address for the tables: 4 KiB aligned, the whole
 *        SEL4KVM_LONG_MODE_TABLES_SIZE bytes registered RAM below 4 GiB (the guest reaches its GDT through the map)
 * @return 0 on success, -1 if vcpu is NULL, entry is not below 4 GiB, tables is unaligned, not RAM or not below
 *         4 GiB, or the backend refuses a register
 */
int sel4kvm_vcpu_set_long_mode(vm_vcpu_t *vcpu, uintptr_t entry, uintptr_t tables);

#ifdef __cplusplus
}
#endif
