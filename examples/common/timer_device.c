/* The timer of the mmio-device example (timer_device.h): all of the device's behaviour is in one fault callback. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include <time.h>
#include <sel4vm/guest_vcpu_fault.h>
#include "timer_device.h"

uint64_t timer_clock_monotonic_us(void *cookie)
{
    (void)cookie;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint32_t current_count(struct timer_device *t)
{
    if (!(t->ctrl & TIMER_CTRL_ENABLE)) {
        return t->count;
    }
    return t->count + (uint32_t)(t->clock(t->clock_cookie) - t->started_at);
}

/* The device has no thread of its own: a match is noticed at the next access to any register, which is all a
 * guest that polls STATUS can observe. "Reached" is modulo 2^32, so a compare a little past a wrap still works. */
static void update_match(struct timer_device *t)
{
    if (t->armed && (int32_t)(current_count(t) - t->compare) >= 0) {
        t->status |= TIMER_STATUS_MATCH;
        t->armed = false;
    }
}

static void write_ctrl(struct timer_device *t, uint32_t value)
{
    uint32_t now = current_count(t);
    t->ctrl = value & TIMER_CTRL_ENABLE;
    t->count = value & TIMER_CTRL_RESET ? 0 : now;
    if (t->ctrl & TIMER_CTRL_ENABLE) {
        /* Restart the running part from now; a stopped counter keeps its count in t->count alone. */
        t->started_at = t->clock(t->clock_cookie);
    }
}

memory_fault_result_t timer_device_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    struct timer_device *t = cookie;
    uintptr_t reg = addr - t->base;
    if (size != 4 || (reg & 3) != 0) {
        /* Not an access this device decodes: the VM's unhandled-fault path reports it (vm_run fails). */
        return FAULT_UNHANDLED;
    }
    update_match(t);
    if (is_vcpu_read_fault(vcpu)) {
        uint32_t value = 0;
        switch (reg) {
        case TIMER_COUNT:
            value = current_count(t);
            break;
        case TIMER_COMPARE:
            value = t->compare;
            break;
        case TIMER_STATUS:
            value = t->status;
            break;
        case TIMER_CTRL:
            value = t->ctrl;
            break;
        default:
            return FAULT_UNHANDLED;
        }
        set_vcpu_fault_data(vcpu, value);
    } else {
        uint32_t value = (uint32_t)get_vcpu_fault_data(vcpu);
        switch (reg) {
        case TIMER_COUNT:
            break;
        case TIMER_COMPARE:
            t->compare = value;
            t->armed = true;
            update_match(t); /* a compare already reached matches at once */
            break;
        case TIMER_STATUS:
            t->status &= ~value;
            break;
        case TIMER_CTRL:
            write_ctrl(t, value);
            break;
        default:
            return FAULT_UNHANDLED;
        }
    }
    /* Emulated: the guest continues after its load or store. */
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

int timer_device_add(struct timer_device *t, vm_t *vm, uintptr_t base, timer_clock_fn clock, void *clock_cookie)
{
    memset(t, 0, sizeof(*t));
    t->base = base;
    t->clock = clock;
    t->clock_cookie = clock_cookie;
    /* No frames will back this range, so every guest access to it becomes a call to timer_device_fault. */
    t->reservation = vm_reserve_memory_at(vm, base, TIMER_SIZE, timer_device_fault, t);
    return t->reservation != NULL ? 0 : -1;
}
