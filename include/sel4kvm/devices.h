/* Tiny-guest devices: a 16550-style serial port and QEMU's isa-debug-exit, for test and example guests. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module devices.h
 * Two opt-in devices on the guest's I/O ports that let images written for QEMU run unchanged: a 16550-style
 * UART whose transmitter writes to a file descriptor, and QEMU's `isa-debug-exit`, through which a guest ends
 * the run with a status. Both are ordinary I/O port handlers (vm_io_port_add_handler) and work with every
 * backend, so a test backend can drive them with sel4kvm_test_io_out.
 */

/* First I/O port of the serial device (COM1) and the number of ports it decodes. */
#define SEL4KVM_SERIAL_PORT 0x3f8
#define SEL4KVM_SERIAL_PORTS 8
/* The I/O port of the debug-exit device, as QEMU's `-device isa-debug-exit` defaults to. */
#define SEL4KVM_DEBUG_EXIT_PORT 0xf4

/***
 * @function sel4kvm_serial_add(vm, fd)
 * Add a 16550-style UART at ports 0x3f8-0x3ff. Bytes the guest transmits (THR) are written to fd, retrying
 * interrupted and short writes; after a write error, logged once, output is dropped, so the guest never
 * stalls. The line status register always reports the transmitter empty (0x60), IIR reports no interrupt
 * pending (0x01), RBR reads 0, MSR reports a ready line (DCD, DSR, CTS); IER, LCR, MCR, the scratch register
 * and the divisor latch (LCR.DLAB) keep what the guest writes. In MCR loopback mode a transmitted byte comes
 * back in RBR instead of reaching fd. The VM does not own fd.
 * @param {vm_t *} vm An initialised VM
 * @param {int} fd File descriptor that receives the output; it must stay open while the VM runs
 * @return 0 on success, -1 if vm is NULL or not initialised, fd is negative, the VM already has a serial port
 * or the ports are taken
 */
int sel4kvm_serial_add(vm_t *vm, int fd);

/***
 * @function sel4kvm_debug_exit_add(vm)
 * Add QEMU's isa-debug-exit device at port 0xf4. When the guest writes v there (1, 2 or 4 bytes), the VM
 * records the status `(v << 1) | 1` (computed in 32 bits) and vm_run returns 0 after the instruction. A later
 * write replaces the status. Reads of the port are unhandled (all ones).
 * @param {vm_t *} vm An initialised VM
 * @return 0 on success, -1 if vm is NULL or not initialised, the VM already has the device or the port is taken
 */
int sel4kvm_debug_exit_add(vm_t *vm);

/***
 * @function sel4kvm_debug_exit_status(vm, status)
 * Get the status the guest last reported through the debug-exit device.
 * @param {vm_t *} vm An initialised VM
 * @param {int *} status Receives `(v << 1) | 1` for the value v the guest wrote last
 * @return 0 if the guest has written to the device, -1 if it has not, the VM has no such device or an argument
 * is NULL
 */
int sel4kvm_debug_exit_status(vm_t *vm, int *status);

#ifdef __cplusplus
}
#endif
