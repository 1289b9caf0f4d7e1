/* The counter device (counter_device.h): an MMIO device emulated entirely in a reservation fault callback. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_vcpu_fault.h>
#include "counter_device.h"

memory_fault_result_t counter_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t fault_addr, size_t size, void *cookie)
{
    (void)vm;
    struct counter *c = cookie;
    uintptr_t reg = fault_addr - COUNTER_BASE;
    if (size != 4 || (reg != 0 && reg != 4)) {
        return FAULT_UNHANDLED; /* the unhandled-fault path reports it */
    }
    if (is_vcpu_read_fault(vcpu)) {
        if (reg == 0) {
            c->count += c->step;
        }
        set_vcpu_fault_data(vcpu, reg == 0 ? c->count : c->step);
    } else {
        c->step = (uint32_t)get_vcpu_fault_data(vcpu);
    }
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}
