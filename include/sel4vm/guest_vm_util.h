/* Queries on a VM and its vCPUs, as static inline helpers. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <utils/util.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_vm_util.h
 * Small queries on a VM instance: its vCPUs, their TCBs and targets, and its address spaces. They are static
 * inline, as upstream's are, and check their arguments: a NULL handle logs an error and gives the "none" value.
 */

/***
 * @function vm_get_vcpu_tcb(vcpu)
 * Get the TCB cap of a vCPU's thread.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @return The TCB cap, or seL4_CapNull if vcpu is NULL
 */
static inline seL4_CPtr vm_get_vcpu_tcb(vm_vcpu_t *vcpu)
{
    if (!vcpu) {
        ZF_LOGE("Failed to get vcpu tcb: NULL vcpu");
        return seL4_CapNull;
    }
    return vcpu->tcb.tcb.cptr;
}

/***
 * @function vm_get_vcpu(vm, vcpu_id)
 * Get the vCPU object cap of the vCPU with a given id.
 * @param {vm_t *} vm The VM
 * @param {int} vcpu_id Id of the vCPU
 * @return The vCPU object cap, or seL4_CapNull if vm is NULL or no vCPU has that id
 */
static inline seL4_CPtr vm_get_vcpu(vm_t *vm, int vcpu_id)
{
    if (!vm) {
        ZF_LOGE("Failed to get vcpu: NULL vm");
        return seL4_CapNull;
    }
    /* Bounded by the array too, so a corrupt num_vcpus cannot index past it. */
    if (vcpu_id < 0 || (unsigned int)vcpu_id >= vm->num_vcpus || (size_t)vcpu_id >= ARRAY_SIZE(vm->vcpus) ||
        !vm->vcpus[vcpu_id]) {
        ZF_LOGE("Failed to get vcpu: no vCPU has id %d", vcpu_id);
        return seL4_CapNull;
    }
    return vm->vcpus[vcpu_id]->vcpu.cptr;
}

/***
 * @function vm_vcpu_for_target_cpu(vm, target_cpu)
 * Find the vCPU assigned to a logical CPU.
 * @param {vm_t *} vm The VM
 * @param {int} target_cpu Logical CPU
 * @return The vCPU, or NULL if vm is NULL or no vCPU is assigned to target_cpu
 */
static inline vm_vcpu_t *vm_vcpu_for_target_cpu(vm_t *vm, int target_cpu)
{
    if (!vm) {
        ZF_LOGE("Failed to find vcpu for target cpu: NULL vm");
        return NULL;
    }
    for (size_t i = 0; i < vm->num_vcpus && i < ARRAY_SIZE(vm->vcpus); i++) {
        if (vm->vcpus[i] && vm->vcpus[i]->target_cpu == target_cpu) {
            return vm->vcpus[i];
        }
    }
    return NULL;
}

/***
 * @function vm_find_free_unassigned_vcpu(vm)
 * Find a vCPU not yet assigned to a logical CPU, lowest id first.
 * @param {vm_t *} vm The VM
 * @return The vCPU, or NULL if vm is NULL or every vCPU is assigned
 */
static inline vm_vcpu_t *vm_find_free_unassigned_vcpu(vm_t *vm)
{
    return vm_vcpu_for_target_cpu(vm, -1);
}

/***
 * @function vm_find_free_unassigned_cpu(vm)
 * Find the lowest logical CPU that no vCPU of the VM is assigned to.
 * @param {vm_t *} vm The VM
 * @return The logical CPU, or -1 if vm is NULL or all CONFIG_MAX_NUM_NODES CPUs are taken
 */
static inline int vm_find_free_unassigned_cpu(vm_t *vm)
{
    if (!vm) {
        ZF_LOGE("Failed to find free cpu: NULL vm");
        return -1;
    }
    for (int cpu = 0; cpu < CONFIG_MAX_NUM_NODES; cpu++) {
        if (!vm_vcpu_for_target_cpu(vm, cpu)) {
            return cpu;
        }
    }
    return -1;
}

/***
 * @function is_vcpu_online(vcpu)
 * Tell whether a vCPU has been started.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @return true if vcpu_start has started it, false otherwise or if vcpu is NULL
 */
static inline bool is_vcpu_online(vm_vcpu_t *vcpu)
{
    if (!vcpu) {
        ZF_LOGE("Failed to query vcpu state: NULL vcpu");
        return false;
    }
    return vcpu->vcpu_online;
}

/***
 * @function vm_get_vspace(vm)
 * Get the guest's physical address space.
 * @param {vm_t *} vm The VM
 * @return The vspace (addresses are guest-physical), or NULL if vm is NULL
 */
static inline vspace_t *vm_get_vspace(vm_t *vm)
{
    if (!vm) {
        ZF_LOGE("Failed to get guest vspace: NULL vm");
        return NULL;
    }
    return &vm->mem.vm_vspace;
}

/***
 * @function vm_get_vmm_vspace(vm)
 * Get the address space of the VMM running the VM.
 * @param {vm_t *} vm The VM
 * @return The vspace, or NULL if vm is NULL
 */
static inline vspace_t *vm_get_vmm_vspace(vm_t *vm)
{
    if (!vm) {
        ZF_LOGE("Failed to get vmm vspace: NULL vm");
        return NULL;
    }
    return &vm->mem.vmm_vspace;
}

#ifdef __cplusplus
}
#endif
