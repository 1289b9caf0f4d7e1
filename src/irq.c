/* Guest interrupts: the default controller, injection and level, and acknowledgement callbacks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_irq_controller.h>
#include "vm_internal.h"

int vm_create_default_irq_controller(vm_t *vm)
{
    if (vm == NULL || !vm->vm_initialised || vm_private(vm) == NULL) {
        ZF_LOGE("Failed to create interrupt controller: VM is NULL or not initialised");
        return -1;
    }
    if (vm_private(vm)->irq_controller) {
        ZF_LOGE("Failed to create interrupt controller: VM %s already has one", vm->vm_name);
        return -1;
    }
    const struct vm_backend_ops *ops = vm_private(vm)->ops;
    if (ops->create_irq_controller != NULL && ops->create_irq_controller(vm) != 0) {
        return -1;
    }
    vm_private(vm)->irq_controller = true;
    return 0;
}

static struct vm_private *irq_vm(vm_vcpu_t *vcpu, int irq, const char *what)
{
    if (vcpu == NULL || vcpu->vm == NULL || vm_private(vcpu->vm) == NULL) {
        ZF_LOGE("Failed to %s: vcpu is NULL or its VM is not initialised", what);
        return NULL;
    }
    if (irq < 0 || irq >= VM_NUM_IRQS) {
        ZF_LOGE("Failed to %s: line %d outside 0..%d", what, irq, VM_NUM_IRQS - 1);
        return NULL;
    }
    return vm_private(vcpu->vm);
}

/* Raises or lowers a line, or for an edge raises and drops it: the controller latches the rising edge. */
static int change_line(struct vm_private *priv, vm_vcpu_t *vcpu, int irq, int level, bool edge, const char *what)
{
    if (!priv->irq_controller) {
        ZF_LOGE("Failed to %s: VM %s has no interrupt controller (vm_create_default_irq_controller)", what,
                vcpu->vm->vm_name);
        return -1;
    }
    if (priv->ops->set_irq_level == NULL) {
        return 0;
    }
    if (edge && priv->ops->set_irq_level(vcpu->vm, irq, 1) != 0) {
        return -1;
    }
    return priv->ops->set_irq_level(vcpu->vm, irq, level);
}

static int set_level(vm_vcpu_t *vcpu, int irq, int level, bool edge, const char *what)
{
    struct vm_private *priv = irq_vm(vcpu, irq, what);
    if (priv == NULL) {
        return -1;
    }
    if (__builtin_expect(!(priv->trace & SEL4KVM_TRACE_IRQ), 1)) {
        return change_line(priv, vcpu, irq, level, edge, what);
    }
    uint64_t start = vm_trace_clock();
    int result = change_line(priv, vcpu, irq, level, edge, what);
    vm_trace_irq(vcpu, irq, edge ? "inject" : "level", edge ? 1 : level, result, start);
    return result;
}

int vm_set_irq_level(vm_vcpu_t *vcpu, int irq, int irq_level)
{
    return set_level(vcpu, irq, irq_level != 0, false, "set IRQ level");
}

int vm_inject_irq(vm_vcpu_t *vcpu, int irq)
{
    return set_level(vcpu, irq, 0, true, "inject IRQ");
}

int vm_register_irq(vm_vcpu_t *vcpu, int irq, irq_ack_fn_t ack_fn, void *cookie)
{
    struct vm_private *priv = irq_vm(vcpu, irq, "register IRQ");
    if (priv == NULL) {
        return -1;
    }
    if (ack_fn == NULL) {
        ZF_LOGE("Failed to register IRQ %d: ack_fn is NULL", irq);
        return -1;
    }
    if (priv->irq_acks[irq].fn != NULL) {
        ZF_LOGE("Failed to register IRQ %d: it already has an acknowledgement callback", irq);
        return -1;
    }
    if (priv->ops->watch_irq_ack != NULL && priv->ops->watch_irq_ack(vcpu->vm, irq) != 0) {
        ZF_LOGE("Failed to register IRQ %d: the %s backend cannot report its acknowledgements", irq, priv->ops->name);
        return -1;
    }
    priv->irq_acks[irq] = (struct vm_irq_ack){ .fn = ack_fn, .cookie = cookie };
    return 0;
}

static void call_ack(vm_vcpu_t *vcpu, int irq, const struct vm_irq_ack *ack)
{
    if (ack->fn != NULL) {
        ack->fn(vcpu, irq, ack->cookie);
    }
}

void vm_irq_acknowledged(vm_vcpu_t *vcpu, int irq)
{
    struct vm_private *priv = vm_private(vcpu->vm);
    if (__builtin_expect(!(priv->trace & SEL4KVM_TRACE_IRQ), 1)) {
        call_ack(vcpu, irq, &priv->irq_acks[irq]);
        return;
    }
    uint64_t start = vm_trace_clock();
    call_ack(vcpu, irq, &priv->irq_acks[irq]);
    vm_trace_irq(vcpu, irq, "ack", 0, 0, start);
}
