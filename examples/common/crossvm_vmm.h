/* The VMM the cross-VM examples share: a KVM guest with RAM, serial, debug exit, a PCI bus and connections. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>
#include <sel4kvm/env.h>
#include <sel4vm/guest_vm.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci.h>
#include "tiny_vmm.h"

/* Where the connections go in guest-physical memory (32-bit BARs, above the guest's RAM) and their line. */
#define XVM_CONNECTION_BASE 0xd0000000ul
#define XVM_IRQ 11

struct xvm {
    struct tiny_vmm t; /* the guest, its RAM, serial and debug exit: t.vm is the VM */
    sel4kvm_env_t *env;
    vmm_pci_space_t *pci;
};

/* Creates a KVM VM running the 32-bit ELF guest at image_path, which finds param in EAX at entry. */
int xvm_create(struct xvm *x, sel4kvm_env_t *env, const char *name, const char *image_path, uint32_t param);

/* Installs the connections. Notifications arriving on the VM's host endpoint are taken as cross-VM events:
 * every set bit of the badge is a consume_id (give each connection a distinct one-bit badge, as notification
 * badges of several signals OR together). */
int xvm_connect(struct xvm *x, crossvm_handle_t *connections, int num_connections);

/* A badged copy of the VM's host endpoint: signalling it delivers the event with consume_id badge. */
seL4_CPtr xvm_event_cap(struct xvm *x, seL4_Word badge);

/* Runs the guest to its debug exit; returns the value it exited with, or -1 if it did not get there. */
int xvm_run(struct xvm *x);

void xvm_destroy(struct xvm *x);

/* Allocates n 4 KiB frames for a dataport and maps them, contiguous, in the VMM; NULL on failure. */
void *xvm_dataport_alloc(sel4kvm_env_t *env, unsigned n, seL4_CPtr *frames);

/* The connections of seL4's "string reverse" demo, as the first VM has them: "src", on which its guest emits
 * (emit_fn), and "dst", on which the answer comes back (consume_id XVM_DST_BADGE); one page each. */
#define XVM_DST_BADGE 0x2

struct xvm_reverse {
    seL4_CPtr src_frame, dst_frame;
    char *src, *dst; /* the dataports, mapped in the VMM */
    crossvm_dataport_handle_t src_dataport, dst_dataport;
    crossvm_handle_t connections[2];
};

int xvm_reverse_init(struct xvm_reverse *r, sel4kvm_env_t *env, emit_fn emit_src);
