/* libsel4vmmplatsupport's I/O port list: registration with a bump allocator, and dispatch by binary search. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>

#include <sel4vmmplatsupport/ioports.h>
#include <utils/util.h>

/* IOPORT_FREE never hands out the last port, so alloc_addr (16 bits) cannot wrap back to 0. */
#define IOPORT_ALLOC_LIMIT 0xFFFFu

static const char *desc_of(const ioport_interface_t *iface)
{
    return iface->desc != NULL ? iface->desc : "unnamed";
}

/* Index of the first range whose end is at or past port (num_ioports if none). */
static int lower_bound(const vmm_io_port_list_t *list, unsigned int port)
{
    int lo = 0;
    int hi = list->num_ioports;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (list->ioports[mid]->range.end < port) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

int vmm_io_port_init(vmm_io_port_list_t **io_list, uint16_t ioport_alloc_addr)
{
    if (io_list == NULL) {
        ZF_LOGE("Failed to create I/O port list: NULL result pointer");
        return -1;
    }
    vmm_io_port_list_t *list = calloc(1, sizeof(*list));
    if (list == NULL) {
        ZF_LOGE("Failed to create I/O port list: out of memory");
        return -1;
    }
    list->alloc_addr = ioport_alloc_addr;
    *io_list = list;
    return 0;
}

ioport_entry_t *vmm_io_port_add_handler(vmm_io_port_list_t *io_list, ioport_range_t ioport_range,
                                        ioport_interface_t ioport_interface, ioport_type_t port_type)
{
    const char *desc = desc_of(&ioport_interface);
    if (io_list == NULL) {
        ZF_LOGE("Failed to add I/O ports for %s: NULL list", desc);
        return NULL;
    }
    ioport_range_t range = ioport_range;
    if (port_type == IOPORT_FREE) {
        unsigned int start = io_list->alloc_addr;
        if (range.size == 0 || start + range.size > IOPORT_ALLOC_LIMIT) {
            ZF_LOGE("Failed to add I/O ports for %s: cannot allocate %u ports from 0x%x", desc, range.size, start);
            return NULL;
        }
        range.start = (uint16_t)start;
        range.end = (uint16_t)(start + range.size - 1);
    } else if (port_type != IOPORT_ADDR) {
        ZF_LOGE("Failed to add I/O ports for %s: unknown port type %d", desc, (int)port_type);
        return NULL;
    } else if (range.start > range.end) {
        ZF_LOGE("Failed to add I/O ports for %s: start 0x%x is past end 0x%x", desc, range.start, range.end);
        return NULL;
    }
    int pos = lower_bound(io_list, range.start);
    if (pos < io_list->num_ioports && io_list->ioports[pos]->range.start <= range.end) {
        const ioport_entry_t *other = io_list->ioports[pos];
        ZF_LOGE("Failed to add I/O ports 0x%x-0x%x for %s: they overlap 0x%x-0x%x of %s", range.start, range.end, desc,
                other->range.start, other->range.end, desc_of(&other->interface));
        return NULL;
    }
    ioport_entry_t *entry = calloc(1, sizeof(*entry));
    ioport_entry_t **grown = entry == NULL
                                 ? NULL
                                 : realloc(io_list->ioports, sizeof(*grown) * ((size_t)io_list->num_ioports + 1));
    if (grown == NULL) {
        ZF_LOGE("Failed to add I/O ports for %s: out of memory", desc);
        free(entry);
        return NULL;
    }
    io_list->ioports = grown;
    for (int i = io_list->num_ioports; i > pos; i--) {
        grown[i] = grown[i - 1];
    }
    *entry = (ioport_entry_t){ .range = range, .interface = ioport_interface };
    grown[pos] = entry;
    io_list->num_ioports++;
    if (port_type == IOPORT_FREE) {
        io_list->alloc_addr = (uint16_t)(range.end + 1);
    }
    return entry;
}

int emulate_io_handler(vmm_io_port_list_t *io_port, unsigned int port_no, bool is_in, size_t size, unsigned int *data)
{
    if (io_port == NULL || data == NULL) {
        ZF_LOGE("Failed to emulate I/O port 0x%x: NULL %s", port_no, io_port == NULL ? "list" : "data");
        return -1;
    }
    if (size != 1 && size != 2 && size != 4) {
        ZF_LOGE("Failed to emulate I/O port 0x%x: size %zu is not 1, 2 or 4", port_no, size);
        return -1;
    }
    int pos = lower_bound(io_port, port_no);
    if (pos == io_port->num_ioports || io_port->ioports[pos]->range.start > port_no) {
        ZF_LOGD("No emulation for I/O port 0x%x", port_no);
        return 1;
    }
    const ioport_entry_t *entry = io_port->ioports[pos];
    const ioport_interface_t *iface = &entry->interface;
    int err;
    if (is_in) {
        if (iface->port_in == NULL) {
            return 1;
        }
        unsigned int value = 0;
        err = iface->port_in(iface->cookie, port_no, (unsigned int)size, &value);
        if (err == 0) {
            *data = size == 4 ? value : value & (unsigned int)MASK(size * 8);
        }
    } else {
        if (iface->port_out == NULL) {
            return 1;
        }
        err = iface->port_out(iface->cookie, port_no, (unsigned int)size, *data);
    }
    if (err != 0) {
        ZF_LOGE("Failed to emulate %s of size %zu on I/O port 0x%x: the handler of %s returned %d",
                is_in ? "IN" : "OUT", size, port_no, desc_of(iface), err);
        return -1;
    }
    return 0;
}
