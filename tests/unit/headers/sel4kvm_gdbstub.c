/* Compiles <sel4kvm/gdbstub.h> alone. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4kvm/gdbstub.h>

int (*sel4kvm_gdbstub_h_attach)(vm_t *, uint16_t, int) = sel4kvm_gdbstub_attach;
