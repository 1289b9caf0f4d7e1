/* A list of emulated memory-mapped devices, looked up by guest-physical address. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>

#include <sel4vm/guest_vm.h>

/***
 * @module device.h
 * Bookkeeping for memory-mapped devices a VMM emulates: each struct device names a guest-physical range, a
 * fault handler and private data; a device_list_t holds them and finds the one containing an address.
 */

/***
 * @struct device
 * A memory-mapped device.
 * @param {const char *} name Name, for diagnostics
 * @param {seL4_Word} pstart First guest-physical address
 * @param {seL4_Word} size Size of the range in bytes
 * @param {int *(vm_t *vm, vm_vcpu_t *vcpu, struct device *dev, uintptr_t addr, size_t len)} handle_device_fault
 *        Handler for an access of len bytes at addr
 * @param {void *} priv The emulation's private data
 */
struct device {
    const char *name;
    seL4_Word pstart;
    seL4_Word size;
    int (*handle_device_fault)(vm_t *vm, vm_vcpu_t *vcpu, struct device *dev, uintptr_t addr, size_t len);
    void *priv;
};

/***
 * @struct device_list
 * A list of devices, in the order they were added.
 * @param {struct device *} devices The devices (copies); the array moves when a device is added
 * @param {int} num_devices Number of devices
 */
typedef struct device_list {
    struct device *devices;
    int num_devices;
} device_list_t;

/***
 * @function device_list_init(list)
 * Make a list empty. Does not free a previous array.
 * @param {device_list_t *} list The list
 * @return 0 on success, -1 if list is NULL
 */
int device_list_init(device_list_t *list);

/***
 * @function add_device(dev_list, d)
 * Append a copy of a device.
 * Ours: a device with size 0, a range that wraps, or one overlapping a listed device is refused.
 * @param {device_list_t *} dev_list The list
 * @param {const struct device *} d The device
 * @return 0 on success, -1 on a NULL argument, a bad or overlapping range, or out of memory
 */
int add_device(device_list_t *dev_list, const struct device *d);

/***
 * @function find_device_by_pa(dev_list, addr)
 * Find the device whose range contains an address.
 * @param {device_list_t *} dev_list The list
 * @param {uintptr_t} addr Guest-physical address
 * @return The device (valid until the next add_device), or NULL if none contains addr or dev_list is NULL
 */
struct device *find_device_by_pa(device_list_t *dev_list, uintptr_t addr);
