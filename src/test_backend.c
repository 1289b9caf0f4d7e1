/* The test backend: runs no guest; tests inject accesses that take the same path as a KVM MMIO exit. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <sel4kvm/test_backend.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm_exits.h>
#include <sel4vm/arch/vmcs_fields.h>
#include "vm_internal.h"

static int test_vcpu_run(vm_vcpu_t *vcpu)
{
    /* With no guest, running means delivering what is pending on the host endpoint, then stopping. */
    vm_t *vm = vcpu->vm;
    vm_take_stop_request(vm);
    return vm_deliver_notifications(vm);
}

static int test_get_context(vm_vcpu_t *vcpu, seL4_VCPUContext *context)
{
    *context = vcpu->vcpu_arch.guest_state->context;
    return 0;
}

static int test_set_context(vm_vcpu_t *vcpu, const seL4_VCPUContext *context)
{
    vcpu->vcpu_arch.guest_state->context = *context;
    return 0;
}

static int test_get_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word *value)
{
    *value = vcpu->vcpu_arch.guest_state->fields[vmcs_field_index(field)];
    return 0;
}

static int test_set_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word value)
{
    vcpu->vcpu_arch.guest_state->fields[vmcs_field_index(field)] = value;
    return 0;
}

/* What the guest's interrupt controller would see: the level of each line and how often it was raised, kept so
 * that tests can check a device model's interrupt behaviour. Any thread may change a line. */
struct test_vm {
    atomic_int level[VM_NUM_IRQS];
    atomic_uint raised[VM_NUM_IRQS];
};

static int test_vm_create(vm_t *vm)
{
    struct test_vm *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        ZF_LOGE("Failed to create VM %s: out of memory", vm->vm_name);
        return -1;
    }
    vm_private(vm)->backend = t;
    return 0;
}

static void test_vm_destroy(vm_t *vm)
{
    free(vm_private(vm)->backend);
    vm_private(vm)->backend = NULL;
}

static int test_set_irq_level(vm_t *vm, int irq, int level)
{
    struct test_vm *t = vm_private(vm)->backend;
    if (atomic_exchange(&t->level[irq], level) == 0 && level != 0) {
        atomic_fetch_add(&t->raised[irq], 1);
    }
    return 0;
}

const struct vm_backend_ops sel4vm_test_backend_ops = {
    .name = "test",
    .vm_create = test_vm_create,
    .vm_destroy = test_vm_destroy,
    .set_irq_level = test_set_irq_level,
    .vcpu_run = test_vcpu_run,
    .get_context = test_get_context,
    .set_context = test_set_context,
    .get_field = test_get_field,
    .set_field = test_set_field,
};

static int inject(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, bool is_read, seL4_Word value,
                  sel4kvm_test_access_t *out)
{
    if (vcpu == NULL || vcpu->vm == NULL || vm_private(vcpu->vm) == NULL) {
        ZF_LOGE("Failed to inject access: vcpu is NULL or its VM is not initialised");
        return -1;
    }
    if (size != 1 && size != 2 && size != 4 && size != 8) {
        ZF_LOGE("Failed to inject access: size %zu is not 1, 2, 4 or 8", size);
        return -1;
    }
    if (addr + size - 1 < addr) {
        ZF_LOGE("Failed to inject access: 0x%" PRIxPTR " + %zu wraps", addr, size);
        return -1;
    }
    struct vcpu_fault *f = vcpu_fault(vcpu);
    seL4_Word ip = vcpu->vcpu_arch.guest_state->fields[vmcs_field_index(VMX_GUEST_RIP)];
    seL4_Word read_value = 0;
    int result = vcpu_fault_dispatch(vcpu, addr, size, is_read, value, ip, &read_value);
    if (out != NULL) {
        *out = (sel4kvm_test_access_t){
            .result = result,
            .read_value = read_value,
            .advanced = f->advanced,
            .restarted = f->restarted,
            .callbacks = f->callbacks,
            .exit_reason = vcpu->vm->run.exit_reason,
        };
    }
    return result;
}

int sel4kvm_test_mmio_read(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, sel4kvm_test_access_t *out)
{
    return inject(vcpu, addr, size, true, 0, out);
}

int sel4kvm_test_mmio_write(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, seL4_Word value, sel4kvm_test_access_t *out)
{
    return inject(vcpu, addr, size, false, value, out);
}

int sel4kvm_test_set_ip(vm_vcpu_t *vcpu, seL4_Word ip)
{
    if (vcpu == NULL || vcpu->vcpu_arch.guest_state == NULL) {
        ZF_LOGE("Failed to set guest ip: vcpu is NULL");
        return -1;
    }
    vcpu->vcpu_arch.guest_state->fields[vmcs_field_index(VMX_GUEST_RIP)] = ip;
    return 0;
}

int sel4kvm_test_io_string(vm_vcpu_t *vcpu, unsigned int port, size_t size, bool is_in, size_t count, void *data)
{
    if (vcpu == NULL || vcpu->vm == NULL || vm_private(vcpu->vm) == NULL || data == NULL) {
        ZF_LOGE("Failed to inject port I/O: vcpu or data is NULL, or the VM is not initialised");
        return -1;
    }
    if ((size != 1 && size != 2 && size != 4) || port > 0xffff || count == 0 || count > UINT32_MAX) {
        ZF_LOGE("Failed to inject port I/O: size %zu, port 0x%x or count %zu out of range", size, port, count);
        return -1;
    }
    return vm_io_handle(vcpu, port, is_in, (unsigned)size, (unsigned)count, data);
}

int sel4kvm_test_io_in(vm_vcpu_t *vcpu, unsigned int port, size_t size, unsigned int *value)
{
    if (value == NULL) {
        ZF_LOGE("Failed to inject IN: value is NULL");
        return -1;
    }
    *value = 0;
    return sel4kvm_test_io_string(vcpu, port, size, true, 1, value);
}

int sel4kvm_test_io_out(vm_vcpu_t *vcpu, unsigned int port, size_t size, unsigned int value)
{
    return sel4kvm_test_io_string(vcpu, port, size, false, 1, &value);
}

int sel4kvm_test_vmcall(vm_vcpu_t *vcpu)
{
    if (vcpu == NULL || vcpu->vm == NULL || vm_private(vcpu->vm) == NULL) {
        ZF_LOGE("Failed to inject VMCALL: vcpu is NULL or its VM is not initialised");
        return -1;
    }
    return vm_vmcall_handle(vcpu, (int)vcpu->vcpu_arch.guest_state->context.eax);
}

static struct test_vm *test_vm_of(vm_t *vm, int irq, const char *what)
{
    struct vm_private *priv = vm != NULL ? vm_private(vm) : NULL;
    if (priv == NULL || priv->ops != &sel4vm_test_backend_ops) {
        ZF_LOGE("Failed to read %s: VM is NULL, not initialised or not on the test backend", what);
        return NULL;
    }
    if (irq < 0 || irq >= VM_NUM_IRQS) {
        ZF_LOGE("Failed to read %s: line %d outside 0..%d", what, irq, VM_NUM_IRQS - 1);
        return NULL;
    }
    return priv->backend;
}

int sel4kvm_test_irq_level(vm_t *vm, int irq)
{
    struct test_vm *t = test_vm_of(vm, irq, "IRQ level");
    return t != NULL ? atomic_load(&t->level[irq]) : -1;
}

int sel4kvm_test_irq_raised(vm_t *vm, int irq)
{
    struct test_vm *t = test_vm_of(vm, irq, "IRQ raise count");
    return t != NULL ? (int)atomic_load(&t->raised[irq]) : -1;
}
