/* Compiles <sel4kvm/trace.h> alone. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4kvm/trace.h>

int (*sel4kvm_trace_h_set)(vm_t *, unsigned, FILE *) = sel4kvm_vm_set_trace;
