/* Compiles <sel4kvm/devices.h> alone. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4kvm/devices.h>

int (*sel4kvm_devices_h_add)(vm_t *, int) = sel4kvm_serial_add;
