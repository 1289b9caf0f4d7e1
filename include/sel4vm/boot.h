/* Creating a VM and its vCPUs. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <simple/simple.h>
#include <vka/vka.h>
#include <vspace/vspace.h>

#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module boot.h
 * Creation of a VM (`vm_init`) and of its vCPUs (`vm_create_vcpu`, `vm_assign_vcpu_target`). The VMM passes
 * in the environment it runs in: an allocator, its boot information, its own address space, platform
 * operations and the endpoint it waits on; `sel4kvm_env_init` (`sel4kvm/env.h`) provides all of them.
 */

/* The id of the first vCPU, the one vm_run runs on the calling thread. */
#define BOOT_VCPU 0

/***
 * @function vm_init(vm, vka, host_simple, host_vspace, io_ops, host_endpoint, name)
 * Initialise a VM: zero the structure, create the guest's physical address space and the hypervisor VM that
 * backs it, and set up memory bookkeeping. Ours: a process can hold several VMs at once.
 * @param {vm_t *} vm Caller-allocated structure to initialise
 * @param {vka_t *} vka Allocator for kernel objects and cslots; used for the VM's lifetime
 * @param {simple_t *} host_simple The VMM's boot information
 * @param {vspace_t} host_vspace The VMM's own address space (copied into vm->mem.vmm_vspace)
 * @param {ps_io_ops_t *} io_ops Platform operations
 * @param {seL4_CPtr} host_endpoint Notification (or endpoint) vm_run waits on for events
 * @param {const char *} name Name of the VM for diagnostics; copied
 * @return 0 on success; -1 if vm, vka, host_simple, io_ops or name is NULL, or a resource cannot be created
 */
int vm_init(vm_t *vm, vka_t *vka, simple_t *host_simple, vspace_t host_vspace, ps_io_ops_t *io_ops,
            seL4_CPtr host_endpoint, const char *name);

/***
 * @function vm_create_vcpu(vm, priority)
 * Create the VM's next vCPU; ids count up from BOOT_VCPU. The vCPU starts unassigned (target_cpu -1) and
 * offline, in the x86 reset state.
 * @param {vm_t *} vm The VM
 * @param {int} priority Scheduling priority of the vCPU's thread; recorded, the host scheduler ignores it
 * @return The vCPU, owned by the library; NULL if vm is NULL or uninitialised, CONFIG_MAX_NUM_NODES vCPUs
 *         exist already, or the vCPU cannot be created
 */
vm_vcpu_t *vm_create_vcpu(vm_t *vm, int priority);

/***
 * @function vm_assign_vcpu_target(vcpu, target_cpu)
 * Assign a vCPU to a logical CPU of the host.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {int} target_cpu Logical CPU, 0 to CONFIG_MAX_NUM_NODES - 1
 * @return 0 on success; -1 if vcpu is NULL, target_cpu is out of range, the vCPU is online, or another vCPU of
 *         the VM has that target
 */
int vm_assign_vcpu_target(vm_vcpu_t *vcpu, int target_cpu);

#ifdef __cplusplus
}
#endif
