/* The VM and vCPU structures, the run loop, and the callbacks for faults and notifications nobody else handles. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sel4/sel4.h>

#include <vka/vka.h>
#include <simple/simple.h>
#include <vspace/vspace.h>
#include <platsupport/io.h>

#include <sel4vm/arch/guest_vm_arch.h>
#include <sel4vm/guest_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_vm.h
 * The VM (`vm_t`) and vCPU (`vm_vcpu_t`) structures and the loop that runs a VM. A VMM allocates a `vm_t`,
 * initialises it with `vm_init` (`boot.h`), creates vCPUs, registers RAM and devices, then calls `vm_run`,
 * which returns only when the VM stops or fails. Several VMs can live in one process, each with its own
 * state. The structures are public because upstream's are; the library owns their contents.
 */

typedef struct vm vm_t;
typedef struct vm_vcpu vm_vcpu_t;
typedef struct vm_mem vm_mem_t;
typedef struct vm_ram_region vm_ram_region_t;
typedef struct vm_run vm_run_t;
typedef struct vm_arch vm_arch_t;

/**
 * Callback for a guest memory access that no mapped frame serves and no reservation handles.
 * Ours: whatever it returns other than FAULT_ERROR or FAULT_UNHANDLED, the VM keeps running (upstream x86
 * returns from vm_run after any unhandled fault).
 * @param {vm_t *} vm The VM
 * @param {vm_vcpu_t *} vcpu The vCPU that made the access
 * @param {uintptr_t} paddr Guest-physical address of the access
 * @param {size_t} len Access width in bytes: 1, 2, 4 or 8
 * @param {void *} cookie The cookie given at registration
 * @return What was done with the access (memory_fault_result_t); FAULT_UNHANDLED and FAULT_ERROR end vm_run
 *         with -1
 */
typedef memory_fault_result_t (*unhandled_mem_fault_callback_fn)(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t paddr, size_t len,
                                                                 void *cookie);

/**
 * Callback for a notification on the VMM's host endpoint that the library does not consume itself.
 * @param {vm_t *} vm The VM
 * @param {seL4_Word} badge The badge bits signalled since the last wait
 * @param {seL4_MessageInfo_t} tag Message info of the event (empty for a notification)
 * @param {void *} cookie The cookie given at registration
 * @return 0 to continue; anything else ends vm_run with -1
 */
typedef int (*notification_callback_fn)(vm_t *vm, seL4_Word badge, seL4_MessageInfo_t tag, void *cookie);

/***
 * @struct vm_ram_region
 * One region of guest RAM. A VM's regions are kept sorted by start; neighbours that touch and are equally
 * allocated are merged.
 * @param {uintptr_t} start First guest-physical address
 * @param {size_t} size Bytes in the region
 * @param {int} allocated Non-zero once the region has been handed out (vm_ram_allocate, vm_ram_mark_allocated)
 */
struct vm_ram_region {
    uintptr_t start;
    size_t size;
    int allocated;
};

/***
 * @struct vm_mem
 * Memory state of a VM.
 * @param {vspace_t} vm_vspace The guest's physical address space, as a vspace whose addresses are guest-physical
 * @param {vka_object_t} vm_vspace_root Root object of that address space (an EPT PML4)
 * @param {vspace_t} vmm_vspace The VMM's own address space
 * @param {int} num_ram_regions Number of entries in ram_regions
 * @param {struct vm_ram_region *} ram_regions Guest RAM regions, sorted by start
 * @param {vm_memory_reservation_cookie_t *} reservation_cookie The VM's reservations (opaque)
 * @param {unhandled_mem_fault_callback_fn} unhandled_mem_fault_handler Callback for faults no reservation handles
 * @param {void *} unhandled_mem_fault_cookie Cookie for unhandled_mem_fault_handler
 * @param {int} clean_cache Clean data caches after loading images (used on Arm; x86 caches are coherent)
 * @param {int} map_one_to_one Back guest RAM with host frames at the same physical addresses
 */
struct vm_mem {
    vspace_t vm_vspace;
    vka_object_t vm_vspace_root;
    vspace_t vmm_vspace;
    int num_ram_regions;
    struct vm_ram_region *ram_regions;
    vm_memory_reservation_cookie_t *reservation_cookie;
    unhandled_mem_fault_callback_fn unhandled_mem_fault_handler;
    void *unhandled_mem_fault_cookie;
    int clean_cache;
    int map_one_to_one;
};

/***
 * @struct vm_tcb
 * Thread objects of a vCPU.
 * @param {vka_object_t} tcb TCB of the thread that runs the vCPU
 * @param {vka_object_t} sc Scheduling context (MCS kernels only)
 * @param {vka_object_t} sched_ctrl Scheduling control cap used to configure sc (MCS kernels only)
 * @param {int} priority Priority given to vm_create_vcpu; recorded, the host scheduler does not use it
 */
struct vm_tcb {
    vka_object_t tcb;
    vka_object_t sc;
    vka_object_t sched_ctrl;
    int priority;
};

/***
 * @struct vm_vcpu
 * A virtual CPU, allocated and owned by the library.
 * @param {struct vm *} vm The VM it belongs to
 * @param {vka_object_t} vcpu The vCPU kernel object
 * @param {struct vm_tcb} tcb Its thread objects
 * @param {unsigned int} vcpu_id Index in vm->vcpus; ours count from 0 in each VM (upstream's are process-wide)
 * @param {int} target_cpu Logical CPU assigned with vm_assign_vcpu_target, -1 until then
 * @param {bool} vcpu_online true once vcpu_start has started it
 * @param {struct vm_vcpu_arch} vcpu_arch x86 state
 */
struct vm_vcpu {
    struct vm *vm;
    vka_object_t vcpu;
    struct vm_tcb tcb;
    unsigned int vcpu_id;
    int target_cpu;
    bool vcpu_online;
    struct vm_vcpu_arch vcpu_arch;
};

/***
 * @struct vm_run
 * Run-loop state of a VM.
 * @param {int} exit_reason Why vm_run last returned: a vm_exit_codes_t value, or VM_GUEST_ERROR_EXIT (-1)
 * @param {notification_callback_fn} notification_callback Callback for notifications the library does not consume
 * @param {void *} notification_callback_cookie Cookie for notification_callback
 */
struct vm_run {
    int exit_reason;
    notification_callback_fn notification_callback;
    void *notification_callback_cookie;
};

/***
 * @struct vm_cspace
 * The guest's CSpace.
 * @param {vka_object_t} cspace_obj CNode object
 * @param {seL4_Word} cspace_root_data Guard data for the CNode when used as a CSpace root
 */
struct vm_cspace {
    vka_object_t cspace_obj;
    seL4_Word cspace_root_data;
};

/***
 * @struct vm
 * A virtual machine. The caller allocates it; vm_init zeroes and fills it.
 * @param {struct vm_arch} arch x86 state
 * @param {unsigned int} num_vcpus Number of vCPUs created
 * @param {struct vm_vcpu *[]} vcpus vCPUs by id; CONFIG_MAX_NUM_NODES entries, the first num_vcpus set
 * @param {struct vm_mem} mem Memory state
 * @param {struct vm_run} run Run-loop state
 * @param {struct vm_cspace} cspace The guest's CSpace
 * @param {seL4_CPtr} host_endpoint Notification (or endpoint) the VMM waits on while the VM runs
 * @param {vka_t *} vka Allocator for kernel objects and cslots
 * @param {ps_io_ops_t *} io_ops Platform operations (malloc, device mapping)
 * @param {simple_t *} simple The VMM's boot environment
 * @param {seL4_Word} entry Guest entry address of the loaded kernel
 * @param {char *} vm_name Copy of the name given to vm_init, owned by the library
 * @param {unsigned int} vm_id Identifier of the VM, for diagnostics
 * @param {bool} vm_initialised true once vm_init has succeeded
 */
struct vm {
    struct vm_arch arch;
    unsigned int num_vcpus;
    struct vm_vcpu *vcpus[CONFIG_MAX_NUM_NODES];
    struct vm_mem mem;
    struct vm_run run;
    struct vm_cspace cspace;
    seL4_CPtr host_endpoint;
    vka_t *vka;
    ps_io_ops_t *io_ops;
    simple_t *simple;
    seL4_Word entry;
    char *vm_name;
    unsigned int vm_id;
    bool vm_initialised;
};

/***
 * @function vm_run(vm)
 * Run the VM until it stops or fails. The boot vCPU runs on the calling thread. Guest accesses to reserved
 * memory go to reservation callbacks, port I/O to I/O port handlers, and notifications on host_endpoint that
 * the library does not consume to the notification callback.
 * @param {vm_t *} vm The VM, initialised and with a started boot vCPU
 * @return 0 when the VM was stopped on request; -1 on error (NULL or unready vm, a fault or port access that
 *         nothing handles, FAULT_ERROR, a failing notification callback, a guest the hypervisor cannot run),
 *         with vm->run.exit_reason set to VM_GUEST_ERROR_EXIT and a message naming the cause
 */
int vm_run(vm_t *vm);

/***
 * @function vcpu_start(vcpu)
 * Mark a vCPU ready to run from its current register state; vm_run then runs it.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @return 0 on success, -1 if vcpu is NULL or already started
 */
int vcpu_start(vm_vcpu_t *vcpu);

/***
 * @function vm_register_unhandled_mem_fault_callback(vm, fault_handler, cookie)
 * Set the callback for guest memory accesses that no reservation handles, replacing any previous one.
 * Without one, such an access ends vm_run with -1 and a message giving its address, size, direction, data
 * and the guest's RIP.
 * @param {vm_t *} vm The VM
 * @param {unhandled_mem_fault_callback_fn} fault_handler The callback
 * @param {void *} cookie Passed to the callback
 * @return 0 on success, -1 if vm or fault_handler is NULL
 */
int vm_register_unhandled_mem_fault_callback(vm_t *vm, unhandled_mem_fault_callback_fn fault_handler, void *cookie);

/***
 * @function vm_register_notification_callback(vm, notification_callback, cookie)
 * Set the callback for notifications on the host endpoint that the library does not consume, replacing any
 * previous one. Without one, such a notification ends vm_run with -1.
 * @param {vm_t *} vm The VM
 * @param {notification_callback_fn} notification_callback The callback
 * @param {void *} cookie Passed to the callback
 * @return 0 on success, -1 if vm or notification_callback is NULL
 */
int vm_register_notification_callback(vm_t *vm, notification_callback_fn notification_callback, void *cookie);

#ifdef __cplusplus
}
#endif
