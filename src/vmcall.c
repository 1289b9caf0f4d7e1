/* Guest hypercalls: handlers registered per token, run when a backend delivers a VMCALL exit. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <sel4vm/arch/vmcall.h>
#include "vm_internal.h"

static vmcall_handler_t *find_handler(vm_t *vm, int token)
{
    for (unsigned i = 0; i < vm->arch.vmcall_num_handlers; i++) {
        if (vm->arch.vmcall_handlers[i].token == token) {
            return &vm->arch.vmcall_handlers[i];
        }
    }
    return NULL;
}

int vm_reg_new_vmcall_handler(vm_t *vm, vmcall_handler func, int token)
{
    if (vm == NULL || !vm->vm_initialised || vm_private(vm) == NULL) {
        ZF_LOGE("Failed to register vmcall handler: VM is NULL or not initialised");
        return -1;
    }
    if (func == NULL) {
        ZF_LOGE("Failed to register vmcall handler for token %d: func is NULL", token);
        return -1;
    }
    if (find_handler(vm, token) != NULL) {
        ZF_LOGE("Failed to register vmcall handler: token %d already has one", token);
        return -1;
    }
    vmcall_handler_t *handlers = realloc(vm->arch.vmcall_handlers,
                                         (vm->arch.vmcall_num_handlers + 1) * sizeof(*handlers));
    if (handlers == NULL) {
        ZF_LOGE("Failed to register vmcall handler for token %d: out of memory", token);
        return -1;
    }
    handlers[vm->arch.vmcall_num_handlers++] = (vmcall_handler_t){ .token = token, .func = func };
    vm->arch.vmcall_handlers = handlers;
    return 0;
}

int vm_vmcall_handle(vm_vcpu_t *vcpu, int token)
{
    vmcall_handler_t *handler = find_handler(vcpu->vm, token);
    if (handler == NULL) {
        ZF_LOGE("VM %s: guest hypercall with token %d and no handler registered for it", vcpu->vm->vm_name, token);
        return -1;
    }
    if (handler->func(vcpu) != 0) {
        ZF_LOGE("VM %s: the handler for hypercall token %d failed", vcpu->vm->vm_name, token);
        return -1;
    }
    return 0;
}

void vm_vmcall_destroy(vm_t *vm)
{
    free(vm->arch.vmcall_handlers);
    vm->arch.vmcall_handlers = NULL;
    vm->arch.vmcall_num_handlers = 0;
}
