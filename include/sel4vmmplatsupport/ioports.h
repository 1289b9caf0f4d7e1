/* An architecture-independent list of emulated I/O port ranges, for VMMs that dispatch port accesses themselves. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/***
 * @module ioports.h
 * A list of I/O port ranges with handlers, independent of libsel4vm's x86 port interface
 * (sel4vm/arch/ioports.h): the VMM passes each port access to emulate_io_handler, typically from its
 * unhandled-ioport callback. Ranges are either placed at fixed ports (IOPORT_ADDR) or allocated from a bump
 * pointer given at vmm_io_port_init (IOPORT_FREE, e.g. for the I/O BARs of virtual PCI devices). Ranges never
 * overlap; lookup is a binary search. The list and its entries live as long as the process, as upstream's do.
 */

/* Handlers return 0 on success; anything else makes emulate_io_handler fail. */
typedef int (*ioport_in_fn)(void *cookie, unsigned int port_no, unsigned int size, unsigned int *result);
typedef int (*ioport_out_fn)(void *cookie, unsigned int port_no, unsigned int size, unsigned int value);

/* IOPORT_FREE: take ioport_range_t.size ports from the list's allocator; IOPORT_ADDR: use start..end as given. */
typedef enum ioport_type { IOPORT_FREE, IOPORT_ADDR } ioport_type_t;

/***
 * @struct ioport_range
 * A range of ports.
 * @param {uint16_t} start First port
 * @param {uint16_t} end Last port (inclusive)
 * @param {uint16_t} size Number of ports; what IOPORT_FREE allocates
 */
typedef struct ioport_range {
    uint16_t start;
    uint16_t end;
    uint16_t size;
} ioport_range_t;

/***
 * @struct ioport_interface
 * The emulation of a range.
 * @param {void *} cookie Passed to both handlers
 * @param {ioport_in_fn} port_in Handler for IN; NULL leaves INs unhandled
 * @param {ioport_out_fn} port_out Handler for OUT; NULL leaves OUTs unhandled
 * @param {const char *} desc Name for diagnostics; may be NULL
 */
typedef struct ioport_interface {
    void *cookie;
    ioport_in_fn port_in;
    ioport_out_fn port_out;
    const char *desc;
} ioport_interface_t;

/***
 * @struct ioport_entry
 * A registered range.
 * @param {ioport_range_t} range The ports (for IOPORT_FREE, the ones allocated)
 * @param {ioport_interface_t} interface The handlers
 */
typedef struct ioport_entry {
    ioport_range_t range;
    ioport_interface_t interface;
} ioport_entry_t;

/***
 * @struct vmm_io_list
 * The registered ranges.
 * @param {int} num_ioports Number of ranges
 * @param {ioport_entry_t **} ioports The ranges, sorted by start port
 * @param {uint16_t} alloc_addr Next port IOPORT_FREE hands out
 */
typedef struct vmm_io_list {
    int num_ioports;
    ioport_entry_t **ioports;
    uint16_t alloc_addr;
} vmm_io_port_list_t;

/***
 * @function vmm_io_port_init(io_list, ioport_alloc_addr)
 * Create an empty list.
 * @param {vmm_io_port_list_t **} io_list Receives the list
 * @param {uint16_t} ioport_alloc_addr First port IOPORT_FREE ranges are allocated from; the ports from there on
 *        must be free of fixed ranges the VMM will register
 * @return 0 on success, -1 if io_list is NULL or memory runs out
 */
int vmm_io_port_init(vmm_io_port_list_t **io_list, uint16_t ioport_alloc_addr);

/***
 * @function vmm_io_port_add_handler(io_list, ioport_range, ioport_interface, port_type)
 * Register a range. With IOPORT_FREE, ioport_range.size ports are allocated and the entry's range says
 * which. Ours: the allocator only moves on success and never wraps past port 0xFFFE; overlap is checked with
 * both ends inclusive.
 * @param {vmm_io_port_list_t *} io_list The list
 * @param {ioport_range_t} ioport_range For IOPORT_ADDR, start and end (start <= end); for IOPORT_FREE, size (> 0)
 * @param {ioport_interface_t} ioport_interface The handlers
 * @param {ioport_type_t} port_type IOPORT_FREE or IOPORT_ADDR
 * @return The new entry, or NULL on error (NULL list, bad type or range, allocator exhausted, overlap with a
 *         registered range, out of memory)
 */
ioport_entry_t *vmm_io_port_add_handler(vmm_io_port_list_t *io_list, ioport_range_t ioport_range,
                                        ioport_interface_t ioport_interface, ioport_type_t port_type);

/***
 * @function emulate_io_handler(io_port, port_no, is_in, size, data)
 * Emulate one port access with the range that contains the port.
 * @param {vmm_io_port_list_t *} io_port The list
 * @param {unsigned int} port_no Port accessed
 * @param {bool} is_in true for IN, false for OUT
 * @param {size_t} size 1, 2 or 4
 * @param {unsigned int *} data For OUT, the value written; for IN, receives the value (its low size bytes)
 * @return 0 if handled; 1 if no range contains the port or the range has no handler for the direction;
 *         -1 for a NULL argument, a bad size or a failing handler
 */
int emulate_io_handler(vmm_io_port_list_t *io_port, unsigned int port_no, bool is_in, size_t size, unsigned int *data);
