/* sel4vm-run's example devices: the devices the example VMMs emulate (examples/common), so that their guests run
 * under sel4vm-run unchanged. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <sel4vm/guest_memory.h>
#include "../common/counter_device.h"
#include "../common/lazy_ram.h"
#include "../common/timer_device.h"
#include "runner.h"

struct example_devices {
    struct counter counter;
    vm_memory_reservation_t *counter_res;
    struct timer_device timer;
    struct lazy_ram lazy;
};

struct example_devices *example_devices_add(vm_t *vm, vka_t *vka, size_t ram_size)
{
    struct example_devices *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return NULL;
    }
    d->counter.step = 1;
    d->counter_res = vm_reserve_memory_at(vm, COUNTER_BASE, 0x1000, counter_fault, &d->counter);
    /* The lazy RAM sits at 1 GiB, where a larger --mem puts ordinary RAM instead. */
    if (d->counter_res == NULL ||
        timer_device_add(&d->timer, vm, TIMER_EXAMPLE_BASE, timer_clock_monotonic_us, NULL) != 0 ||
        (ram_size <= LAZY_BASE && lazy_ram_add(&d->lazy, vm, vka, LAZY_BASE) != 0)) {
        example_devices_remove(d, vm);
        return NULL;
    }
    return d;
}

void example_devices_remove(struct example_devices *d, vm_t *vm)
{
    if (d == NULL) {
        return;
    }
    if (d->counter_res != NULL) {
        vm_free_reserved_memory(vm, d->counter_res);
    }
    if (d->timer.reservation != NULL) {
        vm_free_reserved_memory(vm, d->timer.reservation);
    }
    lazy_ram_remove(&d->lazy, vm);
    free(d);
}
