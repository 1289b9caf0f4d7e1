/* VM and vCPU life cycle: vm_init, vCPU creation and targets, callbacks, vm_run, and our destroy/options. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/vm.h>
#include <sel4kvm/vspace.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_vm.h>
#include <vka/object.h>
#include <sel4vm/guest_vm_exits.h>
#include "vm_internal.h"

/* Guest-physical addresses the EPT covers. */
#define GUEST_PHYS_LIMIT (1ul << 48)
/* RESTART that maps nothing this many times at one address is a loop, not progress (DESIGN.md §6). */
#define DEFAULT_RESTART_LIMIT 1000

static _Atomic sel4kvm_backend_t selected_backend = SEL4KVM_BACKEND_TEST;
__attribute__((used)) static const char *const gdb_scripts_link = sel4vm_gdb_scripts;

int sel4kvm_vm_select_backend(sel4kvm_backend_t backend)
{
    if (backend != SEL4KVM_BACKEND_TEST && backend != SEL4KVM_BACKEND_KVM) {
        ZF_LOGE("Failed to select backend: %d is not SEL4KVM_BACKEND_TEST or SEL4KVM_BACKEND_KVM", (int)backend);
        return -1;
    }
    selected_backend = backend;
    return 0;
}

static bool vm_ready(vm_t *vm, const char *what)
{
    if (vm == NULL || !vm->vm_initialised || vm_private(vm) == NULL) {
        ZF_LOGE("Failed to %s: VM is NULL or not initialised", what);
        return false;
    }
    return true;
}

int vm_init(vm_t *vm, vka_t *vka, simple_t *host_simple, vspace_t host_vspace, ps_io_ops_t *io_ops,
            seL4_CPtr host_endpoint, const char *name)
{
    if (vm == NULL || vka == NULL || host_simple == NULL || io_ops == NULL || name == NULL) {
        ZF_LOGE("Failed to initialise VM: vm, vka, host_simple, io_ops and name must not be NULL");
        return -1;
    }
    memset(vm, 0, sizeof(*vm));
    struct vm_private *priv = calloc(1, sizeof(*priv));
    vm->vm_name = strdup(name);
    if (priv == NULL || vm->vm_name == NULL) {
        ZF_LOGE("Failed to initialise VM %s: out of memory", name);
        free(priv);
        free(vm->vm_name);
        vm->vm_name = NULL;
        return -1;
    }
    priv->ops = selected_backend == SEL4KVM_BACKEND_KVM ? &sel4vm_kvm_backend_ops : &sel4vm_test_backend_ops;
    priv->restart_limit = DEFAULT_RESTART_LIMIT;
    vm->arch.backend = priv;
    vm->vka = vka;
    vm->simple = host_simple;
    vm->io_ops = io_ops;
    vm->host_endpoint = host_endpoint;
    vm->mem.vmm_vspace = host_vspace;
    vm->run.exit_reason = -1;

    if (vka_alloc_object(vka, seL4_X86_EPTPML4Object, 0, &vm->mem.vm_vspace_root) != 0) {
        ZF_LOGE("Failed to initialise VM %s: cannot allocate the EPT root", name);
        goto fail;
    }
    if (sel4kvm_vspace_init(&vm->mem.vm_vspace, vka, vm->mem.vm_vspace_root.cptr, SEL4KVM_VSPACE_GUEST, 0,
                            GUEST_PHYS_LIMIT) != 0) {
        ZF_LOGE("Failed to initialise VM %s: cannot create the guest vspace", name);
        goto fail;
    }
    if (vm_memory_init(vm) != 0) {
        goto fail;
    }
    if (priv->ops->vm_create != NULL && priv->ops->vm_create(vm) != 0) {
        ZF_LOGE("Failed to initialise VM %s: the %s backend refused it", name, priv->ops->name);
        goto fail;
    }
    vm->vm_initialised = true;
    return 0;

fail:
    vm->vm_initialised = true;
    sel4kvm_vm_destroy(vm);
    return -1;
}

vm_vcpu_t *vm_create_vcpu(vm_t *vm, int priority)
{
    if (!vm_ready(vm, "create vCPU")) {
        return NULL;
    }
    if (vm->num_vcpus >= CONFIG_MAX_NUM_NODES) {
        ZF_LOGE("Failed to create vCPU: VM %s already has %d", vm->vm_name, CONFIG_MAX_NUM_NODES);
        return NULL;
    }
    vm_vcpu_t *vcpu = calloc(1, sizeof(*vcpu));
    guest_state_t *gs = calloc(1, sizeof(*gs));
    if (vcpu == NULL || gs == NULL) {
        ZF_LOGE("Failed to create vCPU: out of memory");
        free(vcpu);
        free(gs);
        return NULL;
    }
    if (vka_alloc_object(vm->vka, seL4_X86_VCPUObject, 0, &vcpu->vcpu) != 0) {
        ZF_LOGE("Failed to create vCPU: cannot allocate its VCPU object");
        free(vcpu);
        free(gs);
        return NULL;
    }
    vcpu->vm = vm;
    vcpu->vcpu_id = vm->num_vcpus;
    vcpu->target_cpu = -1;
    vcpu->tcb.priority = priority;
    vcpu->vcpu_arch.guest_state = gs;
    const struct vm_backend_ops *ops = vm_private(vm)->ops;
    if (ops->vcpu_create != NULL && ops->vcpu_create(vcpu) != 0) {
        ZF_LOGE("Failed to create vCPU %u: the %s backend refused it", vcpu->vcpu_id, ops->name);
        vka_free_object(vm->vka, &vcpu->vcpu);
        free(gs);
        free(vcpu);
        return NULL;
    }
    vm->vcpus[vm->num_vcpus++] = vcpu;
    return vcpu;
}

int vm_assign_vcpu_target(vm_vcpu_t *vcpu, int target_cpu)
{
    if (vcpu == NULL || vcpu->vm == NULL) {
        ZF_LOGE("Failed to assign vCPU target: vcpu is NULL");
        return -1;
    }
    if (target_cpu < 0 || target_cpu >= CONFIG_MAX_NUM_NODES) {
        ZF_LOGE("Failed to assign vCPU target: %d outside 0..%d", target_cpu, CONFIG_MAX_NUM_NODES - 1);
        return -1;
    }
    if (vcpu->vcpu_online) {
        ZF_LOGE("Failed to assign vCPU target: vCPU %u is online", vcpu->vcpu_id);
        return -1;
    }
    vm_t *vm = vcpu->vm;
    for (unsigned i = 0; i < vm->num_vcpus; i++) {
        if (vm->vcpus[i] != vcpu && vm->vcpus[i]->target_cpu == target_cpu) {
            ZF_LOGE("Failed to assign vCPU target: CPU %d already runs vCPU %u", target_cpu, i);
            return -1;
        }
    }
    vcpu->target_cpu = target_cpu;
    return 0;
}

int vm_register_unhandled_mem_fault_callback(vm_t *vm, unhandled_mem_fault_callback_fn fault_handler, void *cookie)
{
    if (!vm_ready(vm, "register unhandled fault callback")) {
        return -1;
    }
    if (fault_handler == NULL) {
        ZF_LOGE("Failed to register unhandled fault callback: callback is NULL");
        return -1;
    }
    vm->mem.unhandled_mem_fault_handler = fault_handler;
    vm->mem.unhandled_mem_fault_cookie = cookie;
    return 0;
}

int vm_register_notification_callback(vm_t *vm, notification_callback_fn notification_callback, void *cookie)
{
    if (!vm_ready(vm, "register notification callback")) {
        return -1;
    }
    if (notification_callback == NULL) {
        ZF_LOGE("Failed to register notification callback: callback is NULL");
        return -1;
    }
    vm->run.notification_callback = notification_callback;
    vm->run.notification_callback_cookie = cookie;
    return 0;
}

int vcpu_start(vm_vcpu_t *vcpu)
{
    if (vcpu == NULL) {
        ZF_LOGE("Failed to start vCPU: vcpu is NULL");
        return -1;
    }
    if (vcpu->vcpu_online) {
        ZF_LOGE("Failed to start vCPU %u: already started", vcpu->vcpu_id);
        return -1;
    }
    vcpu->vcpu_online = true;
    return 0;
}

int vm_run(vm_t *vm)
{
    if (!vm_ready(vm, "run VM")) {
        return -1;
    }
    vm_vcpu_t *boot = vm->num_vcpus > BOOT_VCPU ? vm->vcpus[BOOT_VCPU] : NULL;
    if (boot == NULL || !boot->vcpu_online) {
        ZF_LOGE("Failed to run VM %s: the boot vCPU is missing or not started", vm->vm_name);
        vm->run.exit_reason = VM_GUEST_ERROR_EXIT;
        return -1;
    }
    int ret = vm_private(vm)->ops->vcpu_run(boot);
    if (ret != 0) {
        vm->run.exit_reason = VM_GUEST_ERROR_EXIT;
    }
    return ret;
}

int sel4kvm_vm_destroy(vm_t *vm)
{
    if (vm == NULL || !vm->vm_initialised) {
        ZF_LOGE("Failed to destroy VM: NULL or not initialised");
        return -1;
    }
    struct vm_private *priv = vm_private(vm);
    for (unsigned i = 0; i < vm->num_vcpus; i++) {
        vm_vcpu_t *vcpu = vm->vcpus[i];
        if (priv != NULL && priv->ops->vcpu_destroy != NULL) {
            priv->ops->vcpu_destroy(vcpu);
        }
        vka_free_object(vm->vka, &vcpu->vcpu);
        free(vcpu->vcpu_arch.guest_state);
        free(vcpu);
        vm->vcpus[i] = NULL;
    }
    vm_io_ports_destroy(vm);
    vm_devices_destroy(vm);
    vm_crossvm_destroy(vm);
    vm_vmcall_destroy(vm);
    /* RAM first: its reservations are the library's own, not leaks. */
    vm_ram_destroy(vm);
    size_t leaked = 0;
    if (vm->mem.reservation_cookie != NULL) {
        leaked = vm_memory_destroy(vm);
        if (leaked > 0) {
            if (priv != NULL && priv->strict) {
                ZF_LOGE("VM %s destroyed with %zu reservations still live", vm->vm_name, leaked);
            } else {
                ZF_LOGW("VM %s destroyed with %zu reservations still live", vm->vm_name, leaked);
            }
        }
    }
    if (priv != NULL && priv->ops->vm_destroy != NULL) {
        priv->ops->vm_destroy(vm);
    }
    if (vm->mem.vm_vspace.tear_down != NULL) {
        vspace_tear_down(&vm->mem.vm_vspace, VSPACE_PRESERVE);
    }
    if (vm->mem.vm_vspace_root.cptr != seL4_CapNull) {
        vka_free_object(vm->vka, &vm->mem.vm_vspace_root);
    }
    free(vm->vm_name);
    free(priv);
    memset(vm, 0, sizeof(*vm));
    return (int)leaked;
}

int sel4kvm_vm_set_strict(vm_t *vm, bool strict)
{
    if (!vm_ready(vm, "set strict mode")) {
        return -1;
    }
    vm_private(vm)->strict = strict;
    return 0;
}

int sel4kvm_vm_set_defer_memory_map(vm_t *vm, bool defer)
{
    if (!vm_ready(vm, "set deferred memory mapping")) {
        return -1;
    }
    vm_private(vm)->defer_memory_map = defer;
    return 0;
}

int sel4kvm_vm_stop(vm_t *vm)
{
    if (!vm_ready(vm, "stop VM")) {
        return -1;
    }
    vm_request_stop(vm);
    return 0;
}

void vm_request_stop(vm_t *vm)
{
    struct vm_private *priv = vm_private(vm);
    atomic_store(&priv->stop_requested, true);
    if (priv->ops->kick != NULL) {
        priv->ops->kick(vm);
    }
}

bool vm_take_stop_request(vm_t *vm)
{
    struct vm_private *priv = vm_private(vm);
    return atomic_load_explicit(&priv->stop_requested, memory_order_relaxed) &&
           atomic_exchange(&priv->stop_requested, false);
}

int sel4kvm_vm_memslots(vm_t *vm, size_t *count)
{
    if (!vm_ready(vm, "count memory slots")) {
        return -1;
    }
    if (count == NULL) {
        ZF_LOGE("Failed to count memory slots: count is NULL");
        return -1;
    }
    const struct vm_backend_ops *ops = vm_private(vm)->ops;
    *count = ops->memslots != NULL ? ops->memslots(vm) : 0;
    return 0;
}

int vm_deliver_notifications(vm_t *vm)
{
    for (;;) {
        seL4_Word badge = 0;
        seL4_MessageInfo_t tag = seL4_Poll(vm->host_endpoint, &badge);
        if (badge == 0) {
            return 0;
        }
        vm->run.exit_reason = VM_GUEST_NOTIFICATION_EXIT;
        if (vm->run.notification_callback == NULL) {
            ZF_LOGE("VM %s: notification 0x%lx arrived and no notification callback is registered", vm->vm_name,
                    (unsigned long)badge);
            return -1;
        }
        if (vm->run.notification_callback(vm, badge, tag, vm->run.notification_callback_cookie) != 0) {
            ZF_LOGE("VM %s: notification callback failed for badge 0x%lx", vm->vm_name, (unsigned long)badge);
            return -1;
        }
    }
}
