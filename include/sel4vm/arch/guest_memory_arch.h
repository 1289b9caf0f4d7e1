/* x86 additions to the guest memory interface: none are needed, the header exists for upstream's includes. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

/***
 * @module guest_memory_arch.h
 * Architecture-specific part of `guest_memory.h`, which includes it. On x86 the guest memory interface needs
 * nothing beyond the common declarations, so this header declares only the handle types it is written against.
 */

typedef struct vm vm_t;
typedef struct vm_vcpu vm_vcpu_t;
