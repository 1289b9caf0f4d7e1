/* vCPU memory faults: the fault record, the guest_vcpu_fault.h API, and dispatch to reservation callbacks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <inttypes.h>
#include <string.h>
#include <sel4kvm/sim.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm_exits.h>
#include "vm_internal.h"

static struct vcpu_fault *pending_fault(vm_vcpu_t *vcpu)
{
    if (vcpu == NULL || vcpu->vcpu_arch.guest_state == NULL || !vcpu_fault(vcpu)->pending) {
        return NULL;
    }
    return vcpu_fault(vcpu);
}

/* The pending fault for the getters below, which only make sense inside a fault handler. */
static struct vcpu_fault *fault_to_read(vm_vcpu_t *vcpu, const char *what)
{
    struct vcpu_fault *f = pending_fault(vcpu);
    if (f == NULL) {
        ZF_LOGE("Failed to get fault %s: %s", what, vcpu == NULL ? "vcpu is NULL" : "no memory fault is pending");
    }
    return f;
}

/* KVM splits an access at a page boundary and coalesces string I/O, so any size from 1 to 8 arrives; those wider
 * than a 4-byte lane are not shifted, or the mask would run off the word. */
static unsigned lane_shift(const struct vcpu_fault *f)
{
    return f->size > 4 ? 0 : (unsigned)(f->addr & 3) * 8;
}

static seL4_Word lane_mask(const struct vcpu_fault *f)
{
    return f->size >= 8 ? ~0ul : MASK(f->size * 8) << lane_shift(f);
}

seL4_Word get_vcpu_fault_address(vm_vcpu_t *vcpu)
{
    struct vcpu_fault *f = fault_to_read(vcpu, "address");
    return f != NULL ? f->addr : 0;
}

seL4_Word get_vcpu_fault_ip(vm_vcpu_t *vcpu)
{
    struct vcpu_fault *f = fault_to_read(vcpu, "ip");
    return f != NULL ? f->ip : 0;
}

seL4_Word get_vcpu_fault_data(vm_vcpu_t *vcpu)
{
    struct vcpu_fault *f = fault_to_read(vcpu, "data");
    return f != NULL ? f->data : 0;
}

seL4_Word get_vcpu_fault_data_mask(vm_vcpu_t *vcpu)
{
    struct vcpu_fault *f = fault_to_read(vcpu, "data mask");
    return f != NULL ? lane_mask(f) : 0;
}

size_t get_vcpu_fault_size(vm_vcpu_t *vcpu)
{
    struct vcpu_fault *f = fault_to_read(vcpu, "size");
    return f != NULL ? f->size : 0;
}

bool is_vcpu_read_fault(vm_vcpu_t *vcpu)
{
    struct vcpu_fault *f = fault_to_read(vcpu, "direction");
    return f != NULL && f->is_read;
}

int set_vcpu_fault_data(vm_vcpu_t *vcpu, seL4_Word data)
{
    struct vcpu_fault *f = pending_fault(vcpu);
    if (f == NULL) {
        ZF_LOGE("Failed to set fault data: no memory fault is pending on this vCPU");
        return -1;
    }
    if (!f->is_read) {
        ZF_LOGW("Fault handler set data on a write to 0x%" PRIxPTR "; ignored", f->addr);
        f->violation = true;
        return 0;
    }
    f->data = data;
    f->data_set = true;
    return 0;
}

seL4_Word emulate_vcpu_fault(vm_vcpu_t *vcpu, seL4_Word data)
{
    struct vcpu_fault *f = pending_fault(vcpu);
    if (f == NULL) {
        ZF_LOGE("Failed to emulate fault: no memory fault is pending on this vCPU");
        return data;
    }
    unsigned shift = lane_shift(f);
    seL4_Word mask = lane_mask(f);
    if (f->is_read) {
        return (data & ~(mask >> shift)) | ((f->data & mask) >> shift);
    }
    /* The written data is already in its lane (get_vcpu_fault_data), so it is not shifted again. */
    return (data & ~mask) | (f->data & mask);
}

void advance_vcpu_fault(vm_vcpu_t *vcpu)
{
    struct vcpu_fault *f = pending_fault(vcpu);
    if (f == NULL) {
        ZF_LOGE("Failed to advance fault: no memory fault is pending on this vCPU");
        return;
    }
    f->advanced = true;
}

void restart_vcpu_fault(vm_vcpu_t *vcpu)
{
    struct vcpu_fault *f = pending_fault(vcpu);
    if (f == NULL) {
        ZF_LOGE("Failed to restart fault: no memory fault is pending on this vCPU");
        return;
    }
    f->restarted = true;
}

void vcpu_fault_begin(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, bool is_read, seL4_Word value, seL4_Word ip)
{
    /* Field by field rather than a compound literal, which compiles to a memset call on every exit. */
    struct vcpu_fault *f = vcpu_fault(vcpu);
    f->pending = true;
    f->is_read = is_read;
    f->advanced = false;
    f->restarted = false;
    f->data_set = false;
    f->violation = false;
    f->callbacks = 0;
    f->outcome = -1;
    f->addr = addr;
    f->ip = ip;
    f->size = size;
    f->data = is_read ? 0 : (value << lane_shift(f)) & lane_mask(f);
}

/* What re-executing the access does once something is mapped there: the access reaches the frame, or
 * returns 1 if a page of it is still unmapped (or read-only for a write). */
int vcpu_fault_access_memory(vm_vcpu_t *vcpu, seL4_Word *read_value)
{
    vm_t *vm = vcpu->vm;
    struct vcpu_fault *f = vcpu_fault(vcpu);
    uint8_t bytes[8];
    seL4_Word value = f->data >> lane_shift(f);
    memcpy(bytes, &value, sizeof(bytes));
    uint8_t *host[8];
    for (size_t i = 0; i < f->size; i++) {
        uintptr_t a = f->addr + i;
        seL4_CPtr cap = vspace_get_cap(&vm->mem.vm_vspace, (void *)ROUND_DOWN(a, PAGE_SIZE_4K));
        seL4_Word mapped_at;
        seL4_CapRights_t rights;
        if (cap == seL4_CapNull || sel4kvm_sim_frame_mapping(cap, &mapped_at, &rights) != 0 ||
            (!f->is_read && !seL4_CapRights_get_capAllowWrite(rights))) {
            return 1;
        }
        host[i] = sel4kvm_sim_paddr_to_host(seL4_X86_Page_GetAddress(cap).paddr + (a - mapped_at), 1);
        if (host[i] == NULL) {
            return 1;
        }
    }
    for (size_t i = 0; i < f->size; i++) {
        if (f->is_read) {
            bytes[i] = *host[i];
        } else {
            *host[i] = bytes[i];
        }
    }
    if (f->is_read) {
        memset(bytes + f->size, 0, sizeof(bytes) - f->size);
        memcpy(read_value, bytes, sizeof(*read_value));
    }
    return 0;
}

static int fault_error(vm_vcpu_t *vcpu, const char *why)
{
    vm_t *vm = vcpu->vm;
    struct vcpu_fault *f = vcpu_fault(vcpu);
    ZF_LOGE("VM %s vCPU %u: %s: %s of %zu bytes at 0x%" PRIxPTR " (data 0x%lx) at guest rip 0x%lx", vm->vm_name,
            vcpu->vcpu_id, why, f->is_read ? "read" : "write", f->size, f->addr, (unsigned long)f->data,
            (unsigned long)f->ip);
    vm->run.exit_reason = VM_GUEST_ERROR_EXIT;
    f->pending = false;
    return -1;
}

static memory_fault_result_t call_unhandled(vm_t *vm, vm_vcpu_t *vcpu, struct vcpu_fault *f)
{
    if (vm->mem.unhandled_mem_fault_handler == NULL) {
        return FAULT_UNHANDLED;
    }
    f->callbacks++;
    return vm->mem.unhandled_mem_fault_handler(vm, vcpu, f->addr, f->size, vm->mem.unhandled_mem_fault_cookie);
}

/* One pass through the reservation containing the address (res, NULL if none) and the callbacks. */
static memory_fault_result_t dispatch_once(vm_t *vm, vm_vcpu_t *vcpu, struct vcpu_fault *f,
                                           vm_memory_reservation_t *res, const char **error)
{
    if (res == NULL) {
        return call_unhandled(vm, vcpu, f);
    }
    if (res->deferred_iterator != NULL) {
        if (vm_memory_map_deferred(vm, res) != 0) {
            *error = "deferred mapping of its reservation failed";
            return FAULT_ERROR;
        }
        return FAULT_RESTART;
    }
    if (f->addr + f->size > res->addr + res->size) {
        *error = "access straddles the end of its reservation";
        return FAULT_ERROR;
    }
    f->callbacks++;
    memory_fault_result_t r = res->fault_callback(vm, vcpu, f->addr, f->size, res->cookie);
    return r == FAULT_UNHANDLED ? call_unhandled(vm, vcpu, f) : r;
}

/* vcpu_fault_handle with the first pass's reservation looked up already. Later passes look again: a handler
 * that asked for a restart may have changed the reservations. */
static int handle_from(vm_vcpu_t *vcpu, vm_memory_reservation_t *res, seL4_Word *read_value)
{
    vm_t *vm = vcpu->vm;
    struct vm_private *priv = vm_private(vm);
    struct vcpu_fault *f = vcpu_fault(vcpu);
    *read_value = 0;
    for (unsigned restarts = 0;; restarts++) {
        const char *error = "fault handler returned FAULT_ERROR";
        f->advanced = false;
        f->restarted = false;
        if (restarts > 0) {
            res = vm_memory_find_reservation(vm, f->addr);
        }
        f->outcome = dispatch_once(vm, vcpu, f, res, &error);
        switch ((memory_fault_result_t)f->outcome) {
        case FAULT_HANDLED:
            if (!f->advanced) {
                if (priv->strict) {
                    return fault_error(vcpu, "handler returned FAULT_HANDLED without advance_vcpu_fault");
                }
                if (!priv->warned_no_advance) {
                    ZF_LOGW("VM %s: a fault handler returned FAULT_HANDLED without advance_vcpu_fault (0x%" PRIxPTR
                            "); completing the access (on seL4 the vCPU would hang)",
                            vm->vm_name, f->addr);
                    priv->warned_no_advance = true;
                }
            }
            if (priv->strict && f->is_read && !f->data_set) {
                return fault_error(vcpu, "handler completed a read without set_vcpu_fault_data");
            }
            if (priv->strict && f->violation) {
                return fault_error(vcpu, "handler set data on a write");
            }
            if (f->is_read) {
                *read_value = (f->data & lane_mask(f)) >> lane_shift(f);
            }
            f->pending = false;
            return 0;
        case FAULT_IGNORE:
            f->pending = false;
            return 0;
        case FAULT_RESTART:
            if (vcpu_fault_access_memory(vcpu, read_value) == 0) {
                f->pending = false;
                return 0;
            }
            if (restarts + 1 >= priv->restart_limit) {
                return fault_error(vcpu, "FAULT_RESTART made no progress");
            }
            continue;
        case FAULT_UNHANDLED:
            return fault_error(vcpu, "unhandled guest memory access");
        case FAULT_ERROR:
        default:
            return fault_error(vcpu, error);
        }
    }
}

int vcpu_fault_handle(vm_vcpu_t *vcpu, seL4_Word *read_value)
{
    return handle_from(vcpu, vm_memory_find_reservation(vcpu->vm, vcpu_fault(vcpu)->addr), read_value);
}

static int dispatch_access(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, bool is_read, seL4_Word value, seL4_Word ip,
                           seL4_Word *read_value)
{
    vcpu_fault_begin(vcpu, addr, size, is_read, value, ip);
    *read_value = 0;
    /* Mapped memory does not fault on a real guest: the access reaches it directly. Only a reservation's own
     * mapping puts frames in its pages, so an access to one that is not mapped (a device) goes straight to its
     * callback, without the guest vspace's lock and lookups; addresses outside every reservation are checked. */
    vm_memory_reservation_t *res = vm_memory_find_reservation(vcpu->vm, addr);
    bool may_be_mapped = res == NULL || __atomic_load_n(&res->mapped, __ATOMIC_ACQUIRE);
    int result = may_be_mapped && vcpu_fault_access_memory(vcpu, read_value) == 0 ? 0
                                                                                  : handle_from(vcpu, res, read_value);
    vcpu_fault(vcpu)->pending = false;
    return result;
}

static int traced_dispatch(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, bool is_read, seL4_Word value, seL4_Word ip,
                           seL4_Word *read_value)
{
    vm_memory_reservation_t *res = vm_memory_find_reservation(vcpu->vm, addr);
    uint64_t start = vm_trace_clock();
    int result = dispatch_access(vcpu, addr, size, is_read, value, ip, read_value);
    vm_trace_fault(vcpu, res, is_read ? *read_value : value, result, start);
    return result;
}

int vcpu_fault_dispatch(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, bool is_read, seL4_Word value, seL4_Word ip,
                        seL4_Word *read_value)
{
    if (__builtin_expect(vm_private(vcpu->vm)->trace & SEL4KVM_TRACE_FAULTS, 0)) {
        return traced_dispatch(vcpu, addr, size, is_read, value, ip, read_value);
    }
    return dispatch_access(vcpu, addr, size, is_read, value, ip, read_value);
}
