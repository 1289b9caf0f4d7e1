/* Exit reasons recorded in vm->run.exit_reason. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module guest_vm_exits.h
 * Why a VM exited, as recorded in `vm->run.exit_reason` when `vm_run` returns: one of `vm_exit_codes_t`,
 * or `VM_GUEST_ERROR_EXIT` when the VM stopped on an error.
 */

/**
 * Kinds of VM exit.
 * VM_GUEST_MMIO_EXIT: a guest memory access that no frame served.
 * VM_GUEST_IO_EXIT: a guest I/O port access.
 * VM_GUEST_NOTIFICATION_EXIT: a notification on the VMM's host endpoint.
 * VM_GUEST_UNKNOWN_EXIT: any other exit.
 */
typedef enum vm_exit_codes {
    VM_GUEST_MMIO_EXIT,
    VM_GUEST_IO_EXIT,
    VM_GUEST_NOTIFICATION_EXIT,
    VM_GUEST_UNKNOWN_EXIT
} vm_exit_codes_t;

/* exit_reason after vm_run failed. */
#define VM_GUEST_ERROR_EXIT (-1)

#ifdef __cplusplus
}
#endif
