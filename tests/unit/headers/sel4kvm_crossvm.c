/* Compiles <sel4kvm/crossvm.h> alone. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4kvm/crossvm.h>

int (*sel4kvm_crossvm_h_connect)(int, sel4kvm_crossvm_peer_t *) = sel4kvm_crossvm_peer_connect;
