/* Cross-VM connections: shared dataports and events between a guest and a peer, advertised as PCI devices. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sel4/sel4.h>
#include <sel4vm/guest_vm.h>
#include <sel4vmmplatsupport/drivers/pci.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module cross_vm_connection.h
 * Cross-VM connections give a guest shared memory (a dataport) and events to and from a peer: another
 * component on seL4; here a thread of the VMM, another process, or another VMM process and its guest. Each
 * connection appears to the guest as a PCI device 1af4:a111 (what seL4's Linux `connection` driver binds to):
 * BAR0 is a 4 KiB event page and BAR1 the dataport. The event page is read-only in the guest, so reads are
 * plain memory; writes trap to the VMM: +0x0 emits an event to the peer (any width, any value), +0x4 is the
 * counter of events from the peer (write 0 to acknowledge), +0x8 holds the connection name (48 bytes,
 * NUL-padded). All connections of a VM share one level-triggered interrupt, asserted while an event is
 * pending. State is kept per VM; the VM's teardown releases it.
 */

typedef void (*event_callback_fn)(void *arg);
typedef void (*emit_fn)(void);
typedef int (*consume_callback_fn)(event_callback_fn, void *arg);
typedef int (*alloc_free_interrupt_fn)(void);

/***
 * @struct crossvm_dataport_handle
 * The memory of one connection. Both upstream forms are accepted: the original gives the size in bytes with
 * 4 KiB frames (frame_size_bits 0); the current one gives frame_size_bits, and size may then be 0.
 * @param {size_t} size Bytes of the dataport, a power of two; with frame_size_bits 0 it must be num_frames * 4 KiB
 * @param {unsigned int} num_frames Number of caps in frames
 * @param {seL4_CPtr *} frames Frame caps in address order; the library maps copies, so the caller may map
 *        these in its own address space too
 * @param {size_t} frame_size_bits log2 of the frame size (12 or 21), or 0 for 4 KiB frames
 */
typedef struct crossvm_dataport_handle {
    size_t size;
    unsigned int num_frames;
    seL4_CPtr *frames;
    size_t frame_size_bits;
} crossvm_dataport_handle_t;

/***
 * @struct crossvm_handle
 * One connection.
 * @param {crossvm_dataport_handle_t *} dataport Its memory
 * @param {emit_fn} emit_fn Called on the vCPU thread when the guest emits (writes +0x0 of the event page);
 *        NULL if the connection has no outgoing events (an emit is then reported as an error)
 * @param {seL4_Word} consume_id The event id consume_connection_event matches, or (seL4_Word)-1 for none
 * @param {const char *} connection_name Name the guest reads at +0x8, truncated to 48 bytes; NULL gives
 *        "connector"
 */
typedef struct crossvm_handle {
    crossvm_dataport_handle_t *dataport;
    emit_fn emit_fn;
    seL4_Word consume_id;
    const char *connection_name;
} crossvm_handle_t;

/***
 * @function cross_vm_connections_init_common(vm, connection_base_addr, connections, num_connections, pci, alloc_irq)
 * Install connections in a guest. Connection i is laid out from connection_base_addr: its event page at the
 * current address, its dataport one dataport size above, and the next connection two dataport sizes above;
 * each current address must be aligned to that connection's dataport size. Each gets a PCI device on bus 0.
 * alloc_irq is called once; every connection raises the line it returns. Call once per VM, after
 * vm_create_default_irq_controller and the boot vCPU exist.
 * @param {vm_t *} vm The VM
 * @param {uintptr_t} connection_base_addr Guest-physical base of the connections' memory
 * @param {crossvm_handle_t *} connections The connections
 * @param {int} num_connections How many, 1 to 32
 * @param {vmm_pci_space_t *} pci The VM's PCI space (vmm_pci_init)
 * @param {alloc_free_interrupt_fn} alloc_irq Returns the guest interrupt line for the connections
 * @return 0 on success; -1 on invalid arguments, misaligned or overlapping memory, a full PCI bus, or when
 *         the VM already has connections (nothing is left installed)
 */
int cross_vm_connections_init_common(vm_t *vm, uintptr_t connection_base_addr, crossvm_handle_t *connections,
                                     int num_connections, vmm_pci_space_t *pci, alloc_free_interrupt_fn alloc_irq);

/***
 * @function consume_connection_event(vm, event_id, inject_irq)
 * Deliver an event from a peer: the first connection whose consume_id is event_id counts it (+0x4 of its
 * event page) and, if inject_irq, the shared interrupt is asserted until the guest has acknowledged every
 * pending event. Safe from any thread, concurrently with the running guest; no event is lost.
 * @param {vm_t *} vm The VM
 * @param {seL4_Word} event_id The consume_id of a connection (typically a notification badge)
 * @param {bool} inject_irq Whether to interrupt the guest
 */
void consume_connection_event(vm_t *vm, seL4_Word event_id, bool inject_irq);

#ifdef __cplusplus
}
#endif
