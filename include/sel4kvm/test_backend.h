/* Unit-testing fault handlers: inject guest memory accesses into a VM with no guest and see how they end. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sel4/sel4.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module test_backend.h
 * A VM created by vm_init runs no guest until a hypervisor backend is attached: it uses the test backend.
 * These calls play the part of the guest. Each injected access takes exactly the path a KVM MMIO exit takes
 * (reservation lookup, the reservation's fault callback, the unhandled-fault callback, FAULT_RESTART
 * retries against newly mapped memory, strict-mode checks) and reports how it ended, so a device model's
 * fault handler can be tested with cmocka and stepped through in gdb.
 */

/***
 * @struct sel4kvm_test_access_t
 * How an injected access ended.
 * @param {int} result 0 if the access completed; -1 if vm_run would have returned -1 (see exit_reason)
 * @param {seL4_Word} read_value For a read: the value the guest's destination register receives
 * @param {bool} advanced The last callback called advance_vcpu_fault
 * @param {bool} restarted The last callback called restart_vcpu_fault
 * @param {unsigned} callbacks How many times a fault callback (reservation or unhandled) ran
 * @param {int} exit_reason vm->run.exit_reason afterwards
 */
typedef struct sel4kvm_test_access {
    int result;
    seL4_Word read_value;
    bool advanced;
    bool restarted;
    unsigned callbacks;
    int exit_reason;
} sel4kvm_test_access_t;

/***
 * @function sel4kvm_test_mmio_read(vcpu, addr, size, out)
 * Make the guest read size bytes at guest-physical addr. Mapped memory is read directly, as a guest's load
 * would; anything else faults and takes the MMIO exit path.
 * @param {vm_vcpu_t *} vcpu The vCPU that performs the access
 * @param {uintptr_t} addr Guest-physical address
 * @param {size_t} size 1, 2, 4 or 8
 * @param {sel4kvm_test_access_t *} out Receives the outcome (may be NULL)
 * @return 0 if the access completed, -1 if it ended the VM or the arguments are invalid
 */
int sel4kvm_test_mmio_read(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, sel4kvm_test_access_t *out);

/***
 * @function sel4kvm_test_mmio_write(vcpu, addr, size, value, out)
 * Make the guest write the low size bytes of value at guest-physical addr. Writable mapped memory is written
 * directly; anything else (including read-only memory) faults and takes the MMIO exit path.
 * @param {vm_vcpu_t *} vcpu The vCPU that performs the access
 * @param {uintptr_t} addr Guest-physical address
 * @param {size_t} size 1, 2, 4 or 8
 * @param {seL4_Word} value The value written, as in the guest's source register
 * @param {sel4kvm_test_access_t *} out Receives the outcome (may be NULL)
 * @return 0 if the access completed, -1 if it ended the VM or the arguments are invalid
 */
int sel4kvm_test_mmio_write(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, seL4_Word value, sel4kvm_test_access_t *out);

/***
 * @function sel4kvm_test_io_in(vcpu, port, size, value)
 * Make the guest execute IN of size bytes from an I/O port: registered handlers, then the unhandled-port
 * callback; an unhandled IN reads all ones.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {unsigned int} port Port number, 0 to 0xffff
 * @param {size_t} size 1, 2 or 4
 * @param {unsigned int *} value Receives what the guest's register receives
 * @return 0 if the access completed, -1 if a handler failed (vm_run would return -1) or the arguments are invalid
 */
int sel4kvm_test_io_in(vm_vcpu_t *vcpu, unsigned int port, size_t size, unsigned int *value);

/***
 * @function sel4kvm_test_io_out(vcpu, port, size, value)
 * Make the guest execute OUT of the low size bytes of value to an I/O port; an unhandled OUT is dropped.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {unsigned int} port Port number, 0 to 0xffff
 * @param {size_t} size 1, 2 or 4
 * @param {unsigned int} value The value written
 * @return 0 if the access completed, -1 if a handler failed or the arguments are invalid
 */
int sel4kvm_test_io_out(vm_vcpu_t *vcpu, unsigned int port, size_t size, unsigned int value);

/***
 * @function sel4kvm_test_io_string(vcpu, port, size, is_in, count, data)
 * Make the guest execute a string I/O instruction (INS/OUTS, with or without REP) of count items.
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {unsigned int} port Port number, 0 to 0xffff
 * @param {size_t} size Item size: 1, 2 or 4
 * @param {bool} is_in true for INS (items are stored to data), false for OUTS (items are read from data)
 * @param {size_t} count Number of items, at least 1
 * @param {void *} data count * size bytes
 * @return 0 if every item completed, -1 if a handler failed or the arguments are invalid
 */
int sel4kvm_test_io_string(vm_vcpu_t *vcpu, unsigned int port, size_t size, bool is_in, size_t count, void *data);

/***
 * @function sel4kvm_test_vmcall(vcpu)
 * Deliver a VMCALL exit as a guest executing VMCALL would: the handler registered for the token in the vCPU's
 * EAX (vm_reg_new_vmcall_handler) runs.
 * @param {vm_vcpu_t *} vcpu The vCPU that executes VMCALL
 * @return 0 if the handler ran and succeeded, -1 if vcpu is NULL, no handler has the token or it failed
 */
int sel4kvm_test_vmcall(vm_vcpu_t *vcpu);

/***
 * @function sel4kvm_test_set_ip(vcpu, ip)
 * Set the guest instruction pointer that later injected faults report (get_vcpu_fault_ip).
 * @param {vm_vcpu_t *} vcpu The vCPU
 * @param {seL4_Word} ip Guest RIP
 * @return 0 on success, -1 if vcpu is NULL
 */
int sel4kvm_test_set_ip(vm_vcpu_t *vcpu, seL4_Word ip);

/***
 * @function sel4kvm_test_irq_level(vm, irq)
 * The level a device model last gave an interrupt line (vm_set_irq_level; vm_inject_irq raises and drops it).
 * @param {vm_t *} vm A VM on the test backend
 * @param {int} irq Line number
 * @return 1 if the line is asserted, 0 if not, -1 if vm is not a test-backend VM or irq is out of range
 */
int sel4kvm_test_irq_level(vm_t *vm, int irq);

/***
 * @function sel4kvm_test_irq_raised(vm, irq)
 * How many times the line went from low to high: the edges an edge-triggered controller would latch.
 * @param {vm_t *} vm A VM on the test backend
 * @param {int} irq Line number
 * @return the count, or -1 if vm is not a test-backend VM or irq is out of range
 */
int sel4kvm_test_irq_raised(vm_t *vm, int irq);

#ifdef __cplusplus
}
#endif
