/* A gdb remote-protocol server for a KVM guest: gdb debugs the guest while the VMM stays debuggable itself. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>
#include <sel4vm/guest_vm.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module gdbstub.h
 * Serves the gdb remote serial protocol for a VM's boot vCPU on 127.0.0.1, so that `gdb -ex 'target remote
 * :PORT'` can read and write the guest's registers and memory, continue, single-step and set breakpoints. gdb
 * sees an i386 target while the guest runs in 32-bit (or 16-bit) mode and an x86-64 target in long mode.
 * Breakpoints of both kinds (`break`, which gdb sends as a software breakpoint, and `hbreak`) are hardware
 * breakpoints in the debug registers DR0-DR3, so at most four exist at once: some hosts' KVM cannot intercept
 * int3. Only the KVM backend can be debugged. The VMM's own code (fault handlers, devices) keeps running on
 * the vCPU thread and can be debugged at the same time with a second gdb attached to the VMM process.
 */

/***
 * @function sel4kvm_gdbstub_attach(vm, port, timeout_ms)
 * Listen on 127.0.0.1:port and wait for one gdb to connect. From then on vm_run runs the guest under gdb's
 * control: the guest is stopped before its first instruction until gdb continues or steps it, and it stops
 * again at breakpoints, single steps and gdb's interrupt (Ctrl-C); gdb's `kill` ends vm_run with -1, and after
 * `detach` the guest runs on freely. When the guest ends the run itself (a debug exit, sel4kvm_vm_stop) gdb is
 * told that the target exited, and later runs are not debugged. gdb's requests are answered only inside vm_run,
 * so call this once the boot vCPU is set up, right before vm_run (gdb waits `remotetimeout`, 2 s by default, for
 * a reply). While gdb is connected, its input raises SIGURG on the thread running vm_run. The listening socket
 * is closed once gdb has connected; the connection is released with the VM (sel4kvm_vm_destroy).
 * @param {vm_t *} vm An initialised VM using the KVM backend, with no debugger attached yet
 * @param {uint16_t} port TCP port on 127.0.0.1; 0 is refused
 * @param {int} timeout_ms How long to wait for gdb to connect, in milliseconds; -1 waits forever
 * @return 0 once gdb is connected, -1 if vm is NULL, not initialised, not a KVM VM or already has a debugger,
 * port is 0 or cannot be bound, timeout_ms is below -1, or no gdb connected in time
 */
int sel4kvm_gdbstub_attach(vm_t *vm, uint16_t port, int timeout_ms);

#ifdef __cplusplus
}
#endif
