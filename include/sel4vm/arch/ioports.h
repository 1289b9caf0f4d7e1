/* x86 I/O port emulation: handler registration per port range, and the unhandled-port callback. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sel4/sel4.h>
#include <simple/simple.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module ioports.h
 * Emulation of the guest's x86 I/O port space. A VMM registers a handler pair (in, out) for each range of
 * ports it emulates; every IN or OUT the guest executes on a port is passed to the handler of the range
 * containing it, or, when no range does, to the VM's unhandled-ioport callback. String and `rep` forms
 * (`insb`, `rep outsw`, ...) arrive as one handler call per element, in order. Without a handler or callback,
 * IN reads all ones and OUT is dropped, with one warning per port.
 */

typedef struct vm vm_t;
typedef struct vm_vcpu vm_vcpu_t;

/**
 * Result of an I/O port handler.
 * IO_FAULT_HANDLED: the access was emulated; the guest continues after the instruction.
 * IO_FAULT_UNHANDLED: the handler declined; an IN then reads all ones, an OUT is dropped.
 * IO_FAULT_ERROR: emulation failed; vm_run returns -1.
 */
typedef enum ioport_fault_result { IO_FAULT_HANDLED, IO_FAULT_UNHANDLED, IO_FAULT_ERROR } ioport_fault_result_t;

/**
 * Handler for a guest IN on a registered range.
 * @param {vm_vcpu_t *} vcpu The vCPU that executed the instruction
 * @param {void *} cookie The cookie of the range's vm_ioport_interface_t
 * @param {unsigned int} port_no Port accessed
 * @param {unsigned int} size Access width in bytes: 1, 2 or 4
 * @param {unsigned int *} result Receives the value read; only its low `size` bytes reach the guest
 * @return IO_FAULT_HANDLED, IO_FAULT_UNHANDLED or IO_FAULT_ERROR
 */
typedef ioport_fault_result_t (*vm_ioport_in_fn)(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                                 unsigned int *result);

/**
 * Handler for a guest OUT on a registered range.
 * @param {vm_vcpu_t *} vcpu The vCPU that executed the instruction
 * @param {void *} cookie The cookie of the range's vm_ioport_interface_t
 * @param {unsigned int} port_no Port accessed
 * @param {unsigned int} size Access width in bytes: 1, 2 or 4
 * @param {unsigned int} value Value written, in its low `size` bytes
 * @return IO_FAULT_HANDLED, IO_FAULT_UNHANDLED or IO_FAULT_ERROR
 */
typedef ioport_fault_result_t (*vm_ioport_out_fn)(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no,
                                                  unsigned int size, unsigned int value);

/**
 * Callback for an access to a port that no registered range contains.
 * @param {vm_vcpu_t *} vcpu The vCPU that executed the instruction
 * @param {unsigned int} port_no Port accessed
 * @param {bool} is_in true for IN, false for OUT
 * @param {unsigned int *} value For IN, receives the value read; for OUT, points at the value written
 * @param {size_t} size Access width in bytes: 1, 2 or 4
 * @param {void *} cookie The cookie given to vm_register_unhandled_ioport_callback
 * @return IO_FAULT_HANDLED, IO_FAULT_UNHANDLED (IN reads all ones) or IO_FAULT_ERROR (vm_run returns -1)
 */
typedef ioport_fault_result_t (*unhandled_ioport_callback_fn)(vm_vcpu_t *vcpu, unsigned int port_no, bool is_in,
                                                              unsigned int *value, size_t size, void *cookie);

/***
 * @struct vm_ioport_range
 * A range of I/O ports, both ends included.
 * @param {uint16_t} start First port of the range
 * @param {uint16_t} end Last port of the range (inclusive)
 */
typedef struct vm_ioport_range {
    uint16_t start;
    uint16_t end;
} vm_ioport_range_t;

/***
 * @struct vm_ioport_interface
 * The emulation of one port range.
 * @param {void *} cookie Passed to both handlers
 * @param {vm_ioport_in_fn} port_in Handler for IN; NULL makes every IN on the range unhandled
 * @param {vm_ioport_out_fn} port_out Handler for OUT; NULL makes every OUT on the range unhandled
 * @param {const char *} desc Name of the device, for diagnostics; may be NULL
 */
typedef struct vm_ioport_interface {
    void *cookie;
    vm_ioport_in_fn port_in;
    vm_ioport_out_fn port_out;
    const char *desc;
} vm_ioport_interface_t;

/***
 * @struct vm_ioport_entry
 * One registered range with its emulation.
 * @param {vm_ioport_range_t} range The ports
 * @param {vm_ioport_interface_t} interface Their handlers
 */
typedef struct vm_ioport_entry {
    vm_ioport_range_t range;
    vm_ioport_interface_t interface;
} vm_ioport_entry_t;

/***
 * @struct vm_io_list
 * The registered ranges of a VM, sorted by start port and never overlapping, so lookup is a binary search.
 * @param {int} num_ioports Number of entries
 * @param {vm_ioport_entry_t *} ioports The entries, owned by the library
 */
typedef struct vm_io_list {
    int num_ioports;
    vm_ioport_entry_t *ioports;
} vm_io_port_list_t;

/***
 * @function vm_io_port_add_handler(vm, ioport_range, ioport_interface)
 * Emulate a range of I/O ports with the given handlers.
 * Ours: overlap is checked with both ends inclusive (upstream's check is off by one and lets ranges that
 * share their boundary port both register).
 * @param {vm_t *} vm The VM
 * @param {vm_ioport_range_t} ioport_range Ports to emulate; start must not exceed end
 * @param {vm_ioport_interface_t} ioport_interface Handlers and cookie for the range
 * @return 0 on success; -1 if vm is NULL, start > end, the range overlaps a registered one, or memory runs out
 */
int vm_io_port_add_handler(vm_t *vm, vm_ioport_range_t ioport_range, vm_ioport_interface_t ioport_interface);

/***
 * @function vm_register_unhandled_ioport_callback(vm, ioport_callback, cookie)
 * Set the callback for accesses to ports no registered range contains, replacing any previous one.
 * @param {vm_t *} vm The VM
 * @param {unhandled_ioport_callback_fn} ioport_callback The callback
 * @param {void *} cookie Passed to the callback
 * @return 0 on success, -1 if vm or ioport_callback is NULL
 */
int vm_register_unhandled_ioport_callback(vm_t *vm, unhandled_ioport_callback_fn ioport_callback, void *cookie);

/***
 * @function vm_enable_passthrough_ioport(vcpu, port_start, port_end)
 * Give the guest direct access to host I/O ports.
 * Ours: a VMM running as a Linux process has no host ports to give, so this always fails with a message;
 * emulate the ports with vm_io_port_add_handler instead.
 * @param {vm_vcpu_t *} vcpu The vCPU that would get access
 * @param {uint16_t} port_start First port
 * @param {uint16_t} port_end Last port (inclusive)
 * @return -1
 */
int vm_enable_passthrough_ioport(vm_vcpu_t *vcpu, uint16_t port_start, uint16_t port_end);

#ifdef __cplusplus
}
#endif
