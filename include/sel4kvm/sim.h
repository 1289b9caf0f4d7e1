/* The simulated seL4 kernel's own interface: start-up, physical memory, vspace hooks, notification fds. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sel4/sel4.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module sim.h
 * The simulated kernel behind `<sel4/sel4.h>`. It is process-global: `sel4kvm_sim_init` creates it and hands
 * out the boot information a root task would get; every seL4 invocation then acts on it. Physical memory is a
 * set of sparse memfd banks, each mapped once into the host (the physmap), so physical addresses are stable
 * and a frame's bytes can be reached, mapped or shared with another process through its file descriptor.
 */

/***
 * @struct sel4kvm_sim_config_t
 * Shape of the simulated machine. Zero fields take the defaults.
 * @param {uint64_t} ram_base Physical address of the first byte of RAM (default 1 MiB, as seL4 on a PC)
 * @param {uint64_t} ram_size Bytes of RAM (default 4 GiB); backed lazily, so large sizes are cheap
 * @param {uint64_t} device_base Physical address of the device window (default 8 GiB)
 * @param {uint64_t} device_size Bytes of device memory (default 256 MiB)
 * @param {unsigned} cnode_bits Radix of the root CNode (default 22: four million slots, touched lazily)
 * @param {uint64_t} vmm_window_size Bytes of host address space the VMM's own vspace may map into (default 64 GiB)
 */
typedef struct sel4kvm_sim_config {
    uint64_t ram_base;
    uint64_t ram_size;
    uint64_t device_base;
    uint64_t device_size;
    unsigned cnode_bits;
    uint64_t vmm_window_size;
} sel4kvm_sim_config_t;

#define SEL4KVM_SIM_DEFAULT_RAM_BASE 0x100000ull
#define SEL4KVM_SIM_DEFAULT_RAM_SIZE (4ull << 30)
#define SEL4KVM_SIM_DEFAULT_DEVICE_BASE (8ull << 30)
#define SEL4KVM_SIM_DEFAULT_DEVICE_SIZE (256ull << 20)
#define SEL4KVM_SIM_DEFAULT_CNODE_BITS 22
#define SEL4KVM_SIM_DEFAULT_VMM_WINDOW_SIZE (64ull << 30)

/***
 * @function sel4kvm_sim_init(config)
 * Create the simulated kernel. The root CNode holds seL4's initial caps (the CNode itself at
 * seL4_CapInitThreadCNode, the VMM's vspace root at seL4_CapInitThreadVSpace, an ASID pool, a TCB) and one
 * untyped cap per maximal aligned block of RAM and of the device window.
 * @param {const sel4kvm_sim_config_t *} config Machine shape, or NULL for the defaults
 * @return 0 on success, -1 if a kernel already exists, the configuration is invalid, or the host refuses memory
 */
int sel4kvm_sim_init(const sel4kvm_sim_config_t *config);

/***
 * @function sel4kvm_sim_shutdown()
 * Destroy the kernel: every object, cap, mapping, memfd and eventfd it holds. Safe to call when none exists.
 * Vspace hooks are not called for the mappings that go with it: release what a hook built before this.
 */
void sel4kvm_sim_shutdown(void);

/***
 * @function sel4kvm_sim_running()
 * @return true while a kernel exists
 */
bool sel4kvm_sim_running(void);

/***
 * @function sel4kvm_sim_bootinfo()
 * The boot information of the running kernel: empty slot region, untyped slot region and untyped list.
 * @return the boot information, or NULL when no kernel exists
 */
const seL4_BootInfo *sel4kvm_sim_bootinfo(void);

/***
 * @function sel4kvm_sim_paddr_to_host(paddr, size)
 * The physmap address of physical memory, for host code that reads or writes frames on the guest's behalf.
 * @param {uintptr_t} paddr Physical address
 * @param {size_t} size Bytes that must lie in one bank from paddr (at least 1)
 * @return the host address, or NULL if the range is not inside one bank
 */
void *sel4kvm_sim_paddr_to_host(uintptr_t paddr, size_t size);

/***
 * @function sel4kvm_sim_paddr_to_fd(paddr, fd, offset)
 * The memfd and offset that back a physical address, to mmap a frame elsewhere or pass it to another process.
 * @param {uintptr_t} paddr Physical address
 * @param {int *} fd Receives the bank's file descriptor (owned by the kernel; dup it to keep it)
 * @param {off_t *} offset Receives the offset of paddr in the bank
 * @return 0 on success, -1 if paddr is not in a bank
 */
int sel4kvm_sim_paddr_to_fd(uintptr_t paddr, int *fd, off_t *offset);

/***
 * @function sel4kvm_sim_import_memory(fd, offset, size, root, index, depth, paddr)
 * Give this kernel memory that another process shares: size bytes of fd from offset become a new range of
 * device memory at a fresh physical address, and a device untyped cap covering it is placed in an empty slot,
 * as seL4 hands a component the untyped of a shared region. Retype it into frames and map them as usual; the
 * bytes are the other process's. The range stays until the kernel shuts down.
 * @param {int} fd A memfd sealed against shrinking (F_SEAL_SHRINK), as every bank of this kernel is and as
 *        sel4kvm_sim_paddr_to_fd gives; the kernel keeps its own duplicate
 * @param {off_t} offset Offset in fd, a multiple of 4 KiB
 * @param {size_t} size Bytes: a power of two from 4 KiB to 2^seL4_MaxUntypedBits, within the file
 * @param {seL4_CNode} root CNode cap of the destination slot
 * @param {seL4_Word} index Index of the destination slot
 * @param {seL4_Uint8} depth Depth of index
 * @param {uintptr_t *} paddr Receives the physical address of the range (aligned to size)
 * @return 0 on success, -1 if an argument is invalid, fd is not sealed or too small, or the slot is not empty
 */
int sel4kvm_sim_import_memory(int fd, off_t offset, size_t size, seL4_CNode root, seL4_Word index, seL4_Uint8 depth,
                              uintptr_t *paddr);

/***
 * @struct sel4kvm_map_event_t
 * One change to an address space, as a vspace hook sees it.
 * @param {bool} map true for a new mapping, false for its removal
 * @param {seL4_Word} vaddr Virtual (or guest-physical) address of the mapping
 * @param {uintptr_t} paddr Physical address of the frame
 * @param {size_t} size_bits log2 of the frame size
 * @param {seL4_CapRights_t} rights Effective rights: the cap's rights masked by the requested ones
 * @param {int} fd memfd backing the frame
 * @param {off_t} offset Offset of the frame in fd
 */
typedef struct sel4kvm_map_event {
    bool map;
    seL4_Word vaddr;
    uintptr_t paddr;
    size_t size_bits;
    seL4_CapRights_t rights;
    int fd;
    off_t offset;
} sel4kvm_map_event_t;

/* A hook returns 0, or non-zero to refuse a map (the invocation then fails with seL4_NotEnoughMemory). */
typedef int (*sel4kvm_vspace_hook_fn)(void *cookie, const sel4kvm_map_event_t *event);

/***
 * @function sel4kvm_sim_set_vspace_hook(vspace_root, hook, cookie)
 * Make an address space real: the hook runs, under the kernel lock, for every frame mapped into or unmapped
 * from the vspace root (a PML4 or EPT PML4 cap). The VMM's own vspace has a built-in hook that mmaps frames
 * at their host address; a KVM backend installs one on each guest's EPT root.
 * @param {seL4_CPtr} vspace_root Cap to a PML4 or EPT PML4 object
 * @param {sel4kvm_vspace_hook_fn} hook Function to call, or NULL to remove the hook
 * @param {void *} cookie Passed to the hook
 * @return 0 on success, -1 if the cap is not a vspace root
 */
int sel4kvm_sim_set_vspace_hook(seL4_CPtr vspace_root, sel4kvm_vspace_hook_fn hook, void *cookie);

/***
 * @function sel4kvm_sim_frame_mapping(frame, vaddr, rights)
 * Where and with which effective rights a frame cap is mapped: what the hardware would check on an access.
 * @param {seL4_CPtr} frame Frame cap
 * @param {seL4_Word *} vaddr Receives the mapped address (may be NULL)
 * @param {seL4_CapRights_t *} rights Receives the effective rights (may be NULL)
 * @return 0 if the cap is mapped, -1 if it is not a frame cap or not mapped
 */
int sel4kvm_sim_frame_mapping(seL4_CPtr frame, seL4_Word *vaddr, seL4_CapRights_t *rights);

/***
 * @function sel4kvm_sim_vspace_resolve(vspace_root, vaddr, max_bytes, paddr, bytes)
 * Where an address of an address space is in physical memory, and how far from there the mappings go on
 * contiguously in both: one lookup for a run of frames, for host code that copies to or from a guest.
 * @param {seL4_CPtr} vspace_root Cap to a PML4 or EPT PML4 object
 * @param {seL4_Word} vaddr Address (guest-physical for an EPT root)
 * @param {size_t} max_bytes Stop extending the run once it covers this many bytes from vaddr
 * @param {uintptr_t *} paddr Receives the physical address of vaddr
 * @param {size_t *} bytes Receives the length of the contiguous run from vaddr (at least to the end of its frame;
 *        it may exceed max_bytes by less than a frame)
 * @return 0 on success, -1 if nothing is mapped at vaddr, the cap is not a vspace root or an argument is NULL
 */
int sel4kvm_sim_vspace_resolve(seL4_CPtr vspace_root, seL4_Word vaddr, size_t max_bytes, uintptr_t *paddr,
                               size_t *bytes);

/***
 * @function sel4kvm_sim_vmm_window(base, size)
 * The host address range the VMM's own vspace (seL4_CapInitThreadVSpace) maps frames into.
 * @param {uintptr_t *} base Receives the first address
 * @param {size_t *} size Receives the size in bytes
 * @return 0 on success, -1 when no kernel exists
 */
int sel4kvm_sim_vmm_window(uintptr_t *base, size_t *size);

/***
 * @function sel4kvm_notification_export(ntfn)
 * An eventfd through which another thread or process signals the notification with this cap's badge:
 * writing an 8-byte count to it is `seL4_Signal(ntfn)`. Pass it to a peer over a UNIX socket.
 * @param {seL4_CPtr} ntfn Notification cap (its badge is the one delivered)
 * @return a new file descriptor the caller owns, or -1 if the cap is not a notification
 */
int sel4kvm_notification_export(seL4_CPtr ntfn);

/***
 * @function sel4kvm_notification_import(ntfn, fd)
 * The other half of sel4kvm_notification_export: every write to an eventfd made elsewhere (typically a peer
 * process's exported notification, received over a UNIX socket) signals this notification with this cap's
 * badge, waking seL4_Wait, seL4_Poll and the VM's notification delivery. The kernel keeps its own duplicate
 * of fd until the notification is destroyed; the descriptor is made non-blocking.
 * @param {seL4_CPtr} ntfn Notification cap (its badge is the one delivered)
 * @param {int} fd An eventfd, or any descriptor that polls readable and reads 8-byte counts
 * @return 0 on success, -1 if the cap is not a notification or fd is not a readable descriptor
 */
int sel4kvm_notification_import(seL4_CPtr ntfn, int fd);

/***
 * @function sel4kvm_notification_wait_fd(ntfn)
 * A file descriptor that polls readable whenever the notification may have been signalled, for event loops
 * that wait on several sources; follow it with seL4_Poll.
 * @param {seL4_CPtr} ntfn Notification cap
 * @return the descriptor (owned by the kernel), or -1 if the cap is not a notification
 */
int sel4kvm_notification_wait_fd(seL4_CPtr ntfn);

/***
 * @function sel4kvm_eventfd_signal(fd)
 * Signal through an exported notification descriptor; usable in a process with no kernel of its own.
 * @param {int} fd Descriptor from sel4kvm_notification_export
 * @return 0 on success, -1 on a write error
 */
int sel4kvm_eventfd_signal(int fd);

/***
 * @function sel4kvm_sim_cap_count()
 * Occupied slots in every CNode, for leak checks in tests.
 * @return the number of non-null caps
 */
size_t sel4kvm_sim_cap_count(void);

/***
 * @function sel4kvm_sim_object_count()
 * Live kernel objects, for leak checks in tests.
 * @return the number of objects with at least one cap
 */
size_t sel4kvm_sim_object_count(void);

#ifdef __cplusplus
}
#endif
