/* Event tracing (sel4kvm/trace.h): the switch, and the lines the fault, port and interrupt paths write when on. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <inttypes.h>
#include <time.h>
#include <sel4kvm/trace.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/arch/vmcs_fields.h>
#include "vm_internal.h"

int sel4kvm_vm_set_trace(vm_t *vm, unsigned flags, FILE *out)
{
    if (vm == NULL || !vm->vm_initialised || vm_private(vm) == NULL) {
        ZF_LOGE("Failed to set tracing: VM is NULL or not initialised");
        return -1;
    }
    if ((flags & ~SEL4KVM_TRACE_ALL) != 0) {
        ZF_LOGE("Failed to set tracing: unknown flags 0x%x", flags & ~SEL4KVM_TRACE_ALL);
        return -1;
    }
    if (flags != 0 && out == NULL) {
        ZF_LOGE("Failed to set tracing: no output stream");
        return -1;
    }
    struct vm_private *priv = vm_private(vm);
    __atomic_store_n(&priv->trace_out, flags != 0 ? out : NULL, __ATOMIC_RELEASE);
    priv->trace = flags;
    return 0;
}

uint64_t vm_trace_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const char *fault_result_name(int result, int outcome)
{
    static const char *const names[] = {
        [FAULT_HANDLED] = "HANDLED", [FAULT_UNHANDLED] = "UNHANDLED", [FAULT_RESTART] = "RESTART",
        [FAULT_IGNORE] = "IGNORE",   [FAULT_ERROR] = "ERROR",
    };
    if (outcome < 0) {
        return result == 0 ? "MEMORY" : "ERROR";
    }
    /* A pass that returned HANDLED or RESTART can still end in an error (a strict-mode violation, no progress). */
    if (result != 0 && outcome != FAULT_UNHANDLED) {
        return "ERROR";
    }
    return outcome < (int)ARRAY_SIZE(names) ? names[outcome] : "ERROR";
}

/* The stream, read once: a handler may turn tracing off between the switch being tested and its line. */
static FILE *trace_stream(vm_vcpu_t *vcpu)
{
    return __atomic_load_n(&vm_private(vcpu->vm)->trace_out, __ATOMIC_ACQUIRE);
}

void vm_trace_fault(vm_vcpu_t *vcpu, const vm_memory_reservation_t *res, seL4_Word data, int result, uint64_t start)
{
    FILE *out = trace_stream(vcpu);
    if (out == NULL) {
        return;
    }
    uint64_t ns = vm_trace_clock() - start;
    const struct vcpu_fault *f = vcpu_fault(vcpu);
    char where[48] = "none";
    if (res != NULL) {
        snprintf(where, sizeof(where), "[0x%" PRIxPTR ",0x%" PRIxPTR ")", res->addr, res->addr + res->size);
    }
    fprintf(out, "fault vcpu=%u rip=0x%lx gpa=0x%" PRIxPTR " size=%zu %s data=0x%lx res=%s result=%s ns=%" PRIu64 "\n",
            vcpu->vcpu_id, (unsigned long)f->ip, f->addr, f->size, f->is_read ? "read" : "write", (unsigned long)data,
            where, fault_result_name(result, f->outcome), ns);
}

void vm_trace_io(vm_vcpu_t *vcpu, unsigned port, bool is_in, unsigned size, unsigned value, int result, uint64_t start)
{
    FILE *out = trace_stream(vcpu);
    if (out == NULL) {
        return;
    }
    uint64_t ns = vm_trace_clock() - start;
    seL4_Word rip = 0;
    vm_get_vmcs_field(vcpu, VMX_GUEST_RIP, &rip);
    const char *name = result == IO_FAULT_HANDLED ? "HANDLED" : result == IO_FAULT_UNHANDLED ? "UNHANDLED" : "ERROR";
    fprintf(out, "io vcpu=%u rip=0x%lx port=0x%x size=%u %s data=0x%x result=%s ns=%" PRIu64 "\n", vcpu->vcpu_id,
            (unsigned long)rip, port, size, is_in ? "in" : "out", value, name, ns);
}

void vm_trace_irq(vm_vcpu_t *vcpu, int irq, const char *op, int value, int result, uint64_t start)
{
    FILE *out = trace_stream(vcpu);
    if (out == NULL) {
        return;
    }
    uint64_t ns = vm_trace_clock() - start;
    fprintf(out, "irq vcpu=%u line=%d op=%s value=%d result=%s ns=%" PRIu64 "\n", vcpu->vcpu_id, irq, op, value,
            result == 0 ? "OK" : "ERROR", ns);
}
