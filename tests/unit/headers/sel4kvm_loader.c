/* Compiles <sel4kvm/loader.h> alone and checks each declaration's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4kvm/loader.h>

_Static_assert(SEL4KVM_IMAGE_UNKNOWN == 0, "SEL4KVM_IMAGE_UNKNOWN is the zero value");

void check_sel4kvm_loader_h(void);
void check_sel4kvm_loader_h(void)
{
    sel4kvm_image_format_t (*detect)(const void *, size_t) = sel4kvm_image_detect;
    int (*read)(const char *, void **, size_t *) = sel4kvm_image_read;
    int (*flat)(vm_t *, const void *, size_t, uintptr_t) = sel4kvm_load_flat;
    int (*elf)(vm_t *, const void *, size_t, uintptr_t *) = sel4kvm_load_elf;
    int (*mb)(vm_t *, const void *, size_t, const char *, const sel4kvm_multiboot_module_t *, size_t,
              sel4kvm_multiboot_boot_t *) = sel4kvm_load_multiboot;
    int (*boot)(vm_vcpu_t *, const sel4kvm_multiboot_boot_t *) = sel4kvm_vcpu_boot_multiboot;
    sel4kvm_multiboot_module_t module = { .data = NULL, .size = 0, .cmdline = NULL };
    sel4kvm_multiboot_boot_t where = { .entry = 0, .info_addr = 0 };
    (void)detect;
    (void)read;
    (void)flat;
    (void)elf;
    (void)mb;
    (void)boot;
    (void)module;
    (void)where;
}
