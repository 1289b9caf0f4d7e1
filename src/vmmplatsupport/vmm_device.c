/* A list of emulated memory-mapped devices, looked up by guest-physical address. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <inttypes.h>
#include <stdlib.h>

#include <sel4vmmplatsupport/device.h>
#include <utils/util.h>

int device_list_init(device_list_t *list)
{
    if (list == NULL) {
        ZF_LOGE("Failed to initialise device list: NULL list");
        return -1;
    }
    list->devices = NULL;
    list->num_devices = 0;
    return 0;
}

/* Whether [start, start + size) meets a device's range; sizes are non-zero and ranges do not wrap. */
static bool overlaps(const struct device *dev, seL4_Word start, seL4_Word size)
{
    return start < dev->pstart + dev->size && dev->pstart < start + size;
}

int add_device(device_list_t *dev_list, const struct device *d)
{
    if (dev_list == NULL || d == NULL) {
        ZF_LOGE("Failed to add device: NULL %s", dev_list == NULL ? "list" : "device");
        return -1;
    }
    const char *name = d->name != NULL ? d->name : "unnamed";
    if (d->size == 0 || d->pstart + d->size < d->pstart) {
        ZF_LOGE("Failed to add device %s: range 0x%" PRIx64 "+0x%" PRIx64 " is empty or wraps", name,
                (uint64_t)d->pstart, (uint64_t)d->size);
        return -1;
    }
    if (dev_list->num_devices < 0 || (dev_list->num_devices > 0 && dev_list->devices == NULL)) {
        ZF_LOGE("Failed to add device %s: the list is not initialised", name);
        return -1;
    }
    for (int i = 0; i < dev_list->num_devices; i++) {
        if (overlaps(&dev_list->devices[i], d->pstart, d->size)) {
            ZF_LOGE("Failed to add device %s: it overlaps device %s", name,
                    dev_list->devices[i].name != NULL ? dev_list->devices[i].name : "unnamed");
            return -1;
        }
    }
    struct device *grown = realloc(dev_list->devices, sizeof(*grown) * ((size_t)dev_list->num_devices + 1));
    if (grown == NULL) {
        ZF_LOGE("Failed to add device %s: out of memory", name);
        return -1;
    }
    grown[dev_list->num_devices] = *d;
    dev_list->devices = grown;
    dev_list->num_devices++;
    return 0;
}

struct device *find_device_by_pa(device_list_t *dev_list, uintptr_t addr)
{
    if (dev_list == NULL) {
        ZF_LOGE("Failed to find device: NULL list");
        return NULL;
    }
    for (int i = 0; i < dev_list->num_devices && dev_list->devices != NULL; i++) {
        struct device *dev = &dev_list->devices[i];
        if (addr >= dev->pstart && addr - dev->pstart < dev->size) {
            return dev;
        }
    }
    return NULL;
}
