/* Loading guest images into guest RAM: flat binaries, ELF executables and Multiboot v1 kernels with modules. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module loader.h
 * Guest image loaders for a VM without firmware. Images are byte buffers in the VMM (sel4kvm_image_read fills
 * one from a file) and are treated as untrusted: every offset, size and address in them is checked against
 * the buffer and against registered guest RAM before anything is written, and a refused image leaves guest
 * RAM and the RAM region list unchanged. What a loader writes is marked allocated (vm_ram_mark_allocated,
 * for the parts still free) so that vm_ram_allocate does not hand it out again. Pair the loaders with the
 * calls of guest_boot.h to start the guest.
 */

/**
 * What an image is, as sel4kvm_image_detect sees it.
 * SEL4KVM_IMAGE_UNKNOWN: nothing (NULL or empty).
 * SEL4KVM_IMAGE_FLAT: bytes to be loaded as they are.
 * SEL4KVM_IMAGE_ELF32, SEL4KVM_IMAGE_ELF64: an ELF file of that class.
 * SEL4KVM_IMAGE_MULTIBOOT: a Multiboot v1 kernel (whatever its container).
 */
typedef enum sel4kvm_image_format {
    SEL4KVM_IMAGE_UNKNOWN,
    SEL4KVM_IMAGE_FLAT,
    SEL4KVM_IMAGE_ELF32,
    SEL4KVM_IMAGE_ELF64,
    SEL4KVM_IMAGE_MULTIBOOT,
} sel4kvm_image_format_t;

/***
 * @function sel4kvm_image_detect(image, size)
 * Tell what an image is. A Multiboot v1 header (magic 0x1BADB002, flags, and a checksum making their sum 0) at
 * a 4-byte aligned offset with all 12 bytes in the first 8 KiB wins over ELF; then ELF by its magic and class
 * (1 or 2); anything else that is not empty is flat.
 * @param {const void *} image The image's bytes
 * @param {size_t} size Bytes in image
 * @return The format; SEL4KVM_IMAGE_UNKNOWN if image is NULL or size is 0
 */
sel4kvm_image_format_t sel4kvm_image_detect(const void *image, size_t size);

/***
 * @function sel4kvm_image_read(path, data, size)
 * Read a whole regular file into memory.
 * @param {const char *} path The file
 * @param {void **} data Receives a malloc'd buffer with the contents (never NULL on success, even for an empty
 *        file); the caller frees it
 * @param {size_t *} size Receives the number of bytes
 * @return 0 on success; -1 if an argument is NULL, the file cannot be opened or read, or is not a regular file
 */
int sel4kvm_image_read(const char *path, void **data, size_t *size);

/***
 * @function sel4kvm_load_flat(vm, image, size, load_addr)
 * Copy an image into guest RAM as it is.
 * @param {vm_t *} vm An initialised VM
 * @param {const void *} image The image's bytes
 * @param {size_t} size Bytes in image, at least 1
 * @param {uintptr_t} load_addr Guest-physical address of the first byte
 * @return 0 on success; -1 if an argument is NULL or zero, or [load_addr, load_addr + size) wraps or is not all
 *         registered RAM
 */
int sel4kvm_load_flat(vm_t *vm, const void *image, size_t size, uintptr_t load_addr);

/***
 * @function sel4kvm_load_elf(vm, image, size, entry)
 * Load a little-endian x86 ELF32 or ELF64 executable (ET_EXEC; e_machine EM_386 or EM_X86_64): each PT_LOAD
 * segment with a non-zero p_memsz goes to guest-physical p_paddr, p_filesz bytes from the file and the rest of
 * p_memsz zeroed. The headers, the program header table and every segment are checked against the image size
 * (with overflow checks) and every segment against registered RAM before the first byte is written.
 * @param {vm_t *} vm An initialised VM
 * @param {const void *} image The ELF file's bytes
 * @param {size_t} size Bytes in image
 * @param {uintptr_t *} entry Receives e_entry
 * @return 0 on success; -1 if an argument is NULL, the image is not such an ELF file, is truncated or
 *         inconsistent, has no loadable segment, or a segment is not inside registered RAM (the message names it)
 */
int sel4kvm_load_elf(vm_t *vm, const void *image, size_t size, uintptr_t *entry);

/***
 * @struct sel4kvm_multiboot_module_t
 * A Multiboot module: bytes the boot loader places in guest RAM for the kernel.
 * @param {const void *} data The module's bytes (may be NULL when size is 0)
 * @param {size_t} size Bytes in data
 * @param {const char *} cmdline The module's string, or NULL for ""
 */
typedef struct sel4kvm_multiboot_module {
    const void *data;
    size_t size;
    const char *cmdline;
} sel4kvm_multiboot_module_t;

/***
 * @struct sel4kvm_multiboot_boot_t
 * Where a loaded Multiboot kernel starts: what sel4kvm_vcpu_boot_multiboot needs.
 * @param {uintptr_t} entry Guest-physical entry point
 * @param {uintptr_t} info_addr Guest-physical address of the Multiboot information structure
 */
typedef struct sel4kvm_multiboot_boot {
    uintptr_t entry;
    uintptr_t info_addr;
} sel4kvm_multiboot_boot_t;

/***
 * @function sel4kvm_load_multiboot(vm, image, size, cmdline, modules, num_modules, boot)
 * Load a Multiboot v1 kernel as QEMU's -kernel does. With header flag 16 the header's a.out addresses say
 * what to load (header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr; load_end_addr 0 means to the
 * end of the file, bss_end_addr 0 means no bss); otherwise the image must be ELF and its PT_LOAD segments are
 * loaded as sel4kvm_load_elf does. Then, in free RAM below 4 GiB, page aligned and above the highest loaded
 * byte: each module (page aligned), and one block with the information structure (flags 0 mem_lower/mem_upper,
 * 2 cmdline, 3 mods, 6 mmap, 9 boot_loader_name "sel4vm-kvm"), the module list, the memory map (one type 1
 * entry per contiguous run of registered RAM) and the strings. mem_lower is the KiB of RAM contiguous from 0
 * (at most 640), mem_upper the KiB of RAM contiguous from 1 MiB. Header flags other than 0, 1 and 16 are
 * reported as warnings and ignored, as QEMU does.
 * @param {vm_t *} vm An initialised VM with its RAM registered
 * @param {const void *} image The kernel's bytes
 * @param {size_t} size Bytes in image
 * @param {const char *} cmdline Kernel command line, or NULL for ""
 * @param {const sel4kvm_multiboot_module_t *} modules Modules in the order the kernel sees them (NULL if none)
 * @param {size_t} num_modules Entries in modules
 * @param {sel4kvm_multiboot_boot_t *} boot Receives the entry point and the information structure's address
 * @return 0 on success; -1 if an argument is NULL, the image has no valid Multiboot header in its first 8 KiB,
 *         its a.out addresses or ELF contents are inconsistent, or what is to be loaded or placed does not fit
 *         in registered RAM (the message says which part)
 */
int sel4kvm_load_multiboot(vm_t *vm, const void *image, size_t size, const char *cmdline,
                           const sel4kvm_multiboot_module_t *modules, size_t num_modules,
                           sel4kvm_multiboot_boot_t *boot);

/***
 * @function sel4kvm_vcpu_boot_multiboot(vcpu, boot)
 * Set a vCPU up as a Multiboot v1 boot loader leaves it: sel4kvm_vcpu_set_protected_mode at boot->entry,
 * EAX = 0x2BADB002 and EBX = boot->info_addr.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {const sel4kvm_multiboot_boot_t *} boot What sel4kvm_load_multiboot returned
 * @return 0 on success, -1 if an argument is NULL, an address is above 4 GiB - 1, or the backend refuses a
 *         register
 */
int sel4kvm_vcpu_boot_multiboot(vm_vcpu_t *vcpu, const sel4kvm_multiboot_boot_t *boot);

#ifdef __cplusplus
}
#endif
