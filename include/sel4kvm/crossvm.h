/* Cross-VM connections between processes: a dataport and its events passed over a UNIX socket. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sel4/sel4.h>
#include <vka/vka.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module crossvm.h
 * On seL4 the two ends of a cross-VM connection are components that share frames and notifications. Here
 * the peer of a VMM may be a thread (share caps, signal notifications: nothing from this header is needed),
 * another process, or another VMM process with its own guest. For those, the VMM that owns the dataport
 * exports it over a connected AF_UNIX socket: the frames' memfd ranges and two eventfds, one per direction,
 * travel as SCM_RIGHTS. A plain process connects with sel4kvm_crossvm_peer_connect and gets the dataport
 * mapped and two descriptors; another VMM process imports it with sel4kvm_crossvm_import as frame caps of its
 * own simulated kernel, ready for cross_vm_connections_init_common, with incoming events arriving at one of
 * its notifications. Events never poll: each direction is an eventfd that wakes the receiver. Several
 * connections may share one socket: exports and connects/imports pair up in order. Everything received is
 * checked before it is used; a malformed message fails with every received descriptor closed.
 */

#define SEL4KVM_CROSSVM_NAME_LEN 48

/***
 * @function sel4kvm_crossvm_export(sock, name, dataport, to_vmm, to_peer)
 * Offer a dataport and its events to the process at the other end of a socket.
 * @param {int} sock A connected AF_UNIX socket (stream or seqpacket)
 * @param {const char *} name Connection name for the peer, truncated to 48 bytes; NULL gives "connector"
 * @param {const crossvm_dataport_handle_t *} dataport Frames of this process's kernel; they are shared, not copied
 * @param {seL4_CPtr} to_vmm Notification cap whose badge the peer's signals deliver (typically a badged
 *        copy of the VM's host endpoint, badge = the connection's consume_id)
 * @param {int *} to_peer Receives an eventfd this process writes to signal the peer (sel4kvm_eventfd_signal,
 *        typically from the connection's emit_fn); the caller owns it
 * @return 0 on success, -1 on an invalid argument, a frame that is not a frame cap, or a send error
 */
int sel4kvm_crossvm_export(int sock, const char *name, const crossvm_dataport_handle_t *dataport, seL4_CPtr to_vmm,
                           int *to_peer);

/***
 * @struct sel4kvm_crossvm_peer_t
 * The plain-process end of an exported connection.
 * @param {char[]} name The connection name, NUL-terminated
 * @param {void *} dataport The dataport, mapped shared read-write
 * @param {size_t} size Its size in bytes
 * @param {int} event_fd Polls readable when the exporter has signalled (sel4kvm_crossvm_peer_wait reads it)
 * @param {int} signal_fd Written to signal the exporter (sel4kvm_crossvm_peer_signal)
 */
typedef struct sel4kvm_crossvm_peer {
    char name[SEL4KVM_CROSSVM_NAME_LEN + 1];
    void *dataport;
    size_t size;
    int event_fd;
    int signal_fd;
} sel4kvm_crossvm_peer_t;

/***
 * @function sel4kvm_crossvm_peer_connect(sock, peer)
 * Receive the next exported connection and map its dataport. Needs no simulated kernel.
 * @param {int} sock The socket the exporter sends on
 * @param {sel4kvm_crossvm_peer_t *} peer Filled in on success
 * @return 0 on success, -1 on a receive error, a closed socket or a malformed message
 */
int sel4kvm_crossvm_peer_connect(int sock, sel4kvm_crossvm_peer_t *peer);

/***
 * @function sel4kvm_crossvm_peer_wait(peer, timeout_ms)
 * Sleep until the exporter signals, and take its signals.
 * @param {sel4kvm_crossvm_peer_t *} peer A connected peer
 * @param {int} timeout_ms Milliseconds to wait at most; -1 waits for ever, 0 only looks
 * @return the number of signals taken (at least 1), 0 on timeout, -1 on error
 */
int sel4kvm_crossvm_peer_wait(sel4kvm_crossvm_peer_t *peer, int timeout_ms);

/***
 * @function sel4kvm_crossvm_peer_signal(peer)
 * Signal the exporter: its to_vmm notification receives its badge.
 * @param {sel4kvm_crossvm_peer_t *} peer A connected peer
 * @return 0 on success, -1 on error
 */
int sel4kvm_crossvm_peer_signal(sel4kvm_crossvm_peer_t *peer);

/***
 * @function sel4kvm_crossvm_peer_close(peer)
 * Unmap the dataport and close the descriptors. Safe on a peer that never connected (all zero) or twice.
 * @param {sel4kvm_crossvm_peer_t *} peer The peer
 */
void sel4kvm_crossvm_peer_close(sel4kvm_crossvm_peer_t *peer);

/***
 * @struct sel4kvm_crossvm_import_t
 * The VMM-process end of an exported connection: frames of this process's kernel backed by the exporter's
 * memory.
 * @param {char[]} name The connection name, NUL-terminated
 * @param {crossvm_dataport_handle_t} dataport The imported frames, for a crossvm_handle_t
 * @param {int} signal_fd Written to signal the exporter (sel4kvm_eventfd_signal), typically by emit_fn
 * @param {void *} priv Caps and slots to release
 */
typedef struct sel4kvm_crossvm_import {
    char name[SEL4KVM_CROSSVM_NAME_LEN + 1];
    crossvm_dataport_handle_t dataport;
    int signal_fd;
    void *priv;
} sel4kvm_crossvm_import_t;

/***
 * @function sel4kvm_crossvm_import(sock, vka, from_peer, import)
 * Receive the next exported connection into this process's kernel: its memory becomes device untypeds
 * (sel4kvm_sim_import_memory) retyped into frames, and the exporter's signals signal from_peer.
 * @param {int} sock The socket the exporter sends on
 * @param {vka_t *} vka Allocator for the caps' slots
 * @param {seL4_CPtr} from_peer Notification cap whose badge the exporter's signals deliver (typically a badged
 *        copy of the VM's host endpoint)
 * @param {sel4kvm_crossvm_import_t *} import Filled in on success
 * @return 0 on success, -1 on an invalid argument, a receive error or a malformed message (nothing is kept)
 */
int sel4kvm_crossvm_import(int sock, vka_t *vka, seL4_CPtr from_peer, sel4kvm_crossvm_import_t *import);

/***
 * @function sel4kvm_crossvm_import_release(vka, import)
 * Delete the imported frame caps and close signal_fd. The imported memory itself stays with the kernel
 * until it shuts down. Release after the VM that maps the frames is destroyed.
 * @param {vka_t *} vka The allocator given to sel4kvm_crossvm_import
 * @param {sel4kvm_crossvm_import_t *} import The import; zeroed afterwards
 */
void sel4kvm_crossvm_import_release(vka_t *vka, sel4kvm_crossvm_import_t *import);

#ifdef __cplusplus
}
#endif
