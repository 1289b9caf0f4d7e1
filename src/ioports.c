/* x86 I/O ports: registered port ranges kept sorted for binary search, and dispatch of IN/OUT exits. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/guest_vm_exits.h>
#include "vm_internal.h"

/* Index of the first entry whose start is above port. */
static int upper_index(const vm_io_port_list_t *list, unsigned port)
{
    int lo = 0, hi = list->num_ioports;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (list->ioports[mid].range.start <= port) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static vm_ioport_entry_t *find_entry(vm_io_port_list_t *list, unsigned port)
{
    int i = upper_index(list, port) - 1;
    if (i < 0 || port > list->ioports[i].range.end) {
        return NULL;
    }
    return &list->ioports[i];
}

int vm_io_port_add_handler(vm_t *vm, vm_ioport_range_t ioport_range, vm_ioport_interface_t ioport_interface)
{
    if (vm == NULL || vm_private(vm) == NULL) {
        ZF_LOGE("Failed to add I/O port handler: VM is NULL or not initialised");
        return -1;
    }
    if (ioport_range.start > ioport_range.end) {
        ZF_LOGE("Failed to add I/O port handler: start 0x%x is above end 0x%x", ioport_range.start, ioport_range.end);
        return -1;
    }
    vm_io_port_list_t *list = &vm->arch.ioport_list;
    int i = upper_index(list, ioport_range.start);
    if ((i > 0 && list->ioports[i - 1].range.end >= ioport_range.start) ||
        (i < list->num_ioports && list->ioports[i].range.start <= ioport_range.end)) {
        ZF_LOGE("Failed to add I/O port handler for 0x%x-0x%x (%s): overlaps a registered range", ioport_range.start,
                ioport_range.end, ioport_interface.desc != NULL ? ioport_interface.desc : "no description");
        return -1;
    }
    vm_ioport_entry_t *grown = realloc(list->ioports, (size_t)(list->num_ioports + 1) * sizeof(*grown));
    if (grown == NULL) {
        ZF_LOGE("Failed to add I/O port handler: out of memory");
        return -1;
    }
    memmove(&grown[i + 1], &grown[i], (size_t)(list->num_ioports - i) * sizeof(*grown));
    grown[i] = (vm_ioport_entry_t){ .range = ioport_range, .interface = ioport_interface };
    list->ioports = grown;
    list->num_ioports++;
    return 0;
}

int vm_register_unhandled_ioport_callback(vm_t *vm, unhandled_ioport_callback_fn ioport_callback, void *cookie)
{
    if (vm == NULL || ioport_callback == NULL) {
        ZF_LOGE("Failed to register unhandled I/O port callback: vm or callback is NULL");
        return -1;
    }
    vm->arch.unhandled_ioport_callback = ioport_callback;
    vm->arch.unhandled_ioport_callback_cookie = cookie;
    return 0;
}

int vm_enable_passthrough_ioport(vm_vcpu_t *vcpu, uint16_t port_start, uint16_t port_end)
{
    (void)vcpu;
    ZF_LOGE("Failed to pass through I/O ports 0x%x-0x%x: a Linux process has no host ports to give; emulate them "
            "with vm_io_port_add_handler",
            port_start, port_end);
    return -1;
}

void vm_io_ports_destroy(vm_t *vm)
{
    free(vm->arch.ioport_list.ioports);
    vm->arch.ioport_list = (vm_io_port_list_t){ 0 };
}

/* One IN or OUT of size bytes. */
static ioport_fault_result_t one_access(vm_vcpu_t *vcpu, unsigned port, bool is_in, unsigned size, unsigned *value)
{
    vm_t *vm = vcpu->vm;
    vm_ioport_entry_t *e = find_entry(&vm->arch.ioport_list, port);
    ioport_fault_result_t r = IO_FAULT_UNHANDLED;
    if (e != NULL) {
        if (is_in && e->interface.port_in != NULL) {
            r = e->interface.port_in(vcpu, e->interface.cookie, port, size, value);
        } else if (!is_in && e->interface.port_out != NULL) {
            r = e->interface.port_out(vcpu, e->interface.cookie, port, size, *value);
        }
    }
    if (r == IO_FAULT_UNHANDLED && vm->arch.unhandled_ioport_callback != NULL) {
        r = vm->arch.unhandled_ioport_callback(vcpu, port, is_in, value, size,
                                               vm->arch.unhandled_ioport_callback_cookie);
    }
    if (r == IO_FAULT_UNHANDLED) {
        struct vm_private *priv = vm_private(vm);
        if (!(priv->warned_ports[port / 64] & BIT(port % 64))) {
            ZF_LOGW("VM %s: %s of %u bytes at unhandled port 0x%x%s", vm->vm_name, is_in ? "IN" : "OUT", size, port,
                    is_in ? " reads all ones" : " dropped");
            priv->warned_ports[port / 64] |= BIT(port % 64);
        }
        if (is_in) {
            *value = (unsigned)MASK(size * 8);
        }
        return IO_FAULT_UNHANDLED; /* served by the default; vm_io_handle goes on */
    }
    if (r == IO_FAULT_HANDLED && is_in) {
        *value &= (unsigned)MASK(size * 8);
    }
    return r;
}

static ioport_fault_result_t traced_access(vm_vcpu_t *vcpu, unsigned port, bool is_in, unsigned size, unsigned *value)
{
    uint64_t start = vm_trace_clock();
    ioport_fault_result_t r = one_access(vcpu, port, is_in, size, value);
    vm_trace_io(vcpu, port, is_in, size, *value, r, start);
    return r;
}

int vm_io_handle(vm_vcpu_t *vcpu, unsigned port, bool is_in, unsigned size, unsigned count, void *data)
{
    vm_t *vm = vcpu->vm;
    bool tracing = __builtin_expect(vm_private(vm)->trace & SEL4KVM_TRACE_IO, 0);
    uint8_t *item = data;
    for (unsigned i = 0; i < count; i++, item += size) {
        unsigned value = 0;
        if (!is_in) {
            memcpy(&value, item, size);
        }
        ioport_fault_result_t r = tracing ? traced_access(vcpu, port, is_in, size, &value)
                                          : one_access(vcpu, port, is_in, size, &value);
        if (r == IO_FAULT_ERROR) {
            ZF_LOGE("VM %s vCPU %u: I/O port handler failed: %s of %u bytes at port 0x%x", vm->vm_name, vcpu->vcpu_id,
                    is_in ? "IN" : "OUT", size, port);
            vm->run.exit_reason = VM_GUEST_ERROR_EXIT;
            return -1;
        }
        if (is_in) {
            memcpy(item, &value, size);
        }
    }
    return 0;
}
