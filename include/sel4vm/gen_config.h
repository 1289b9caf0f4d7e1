/* libsel4vm's build configuration, as seL4's CMake would generate it for an x86_64 VT-x build. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <autoconf.h>

/***
 * @module gen_config.h
 * The CONFIG_ options of libsel4vm, for modules that test them with `#ifdef` or `config_set()`. Values are
 * the upstream defaults for x86_64; kernel options (`CONFIG_MAX_NUM_NODES`, `CONFIG_ARCH_X86`,
 * `CONFIG_X86_64_VTX_64BIT_GUESTS`, ...) come from `<autoconf.h>`, included here. An option that is off is
 * left undefined, as in a generated file, with a comment naming it.
 */

/*
 * disabled: CONFIG_LIB_SEL4VM_DEFER_MEMORY_MAP
 * Upstream makes this a build option: vm_map_reservation then only records the iterator, and the reservation
 * is mapped on its first fault. Ours is a run-time option of each VM instead (off by default), so one library
 * serves both modes. Defining the macro while compiling your own code changes nothing in the library.
 */

/*
 * disabled: CONFIG_LIB_VM_VMX_TIMER_DEBUG
 * Upstream uses the VMX preemption timer to print the guest state at regular exits. KVM offers no such timer
 * to user space, so the option stays off; CONFIG_LIB_VM_VMX_TIMER_TIMEOUT, which depends on it, is undefined.
 */

/*
 * disabled: CONFIG_VMM_IGNORE_EPT_VIOLATION
 * Upstream can ignore EPT violations and resume the guest. Unhandled guest memory faults always reach the
 * unhandled-fault callback here.
 */

/*
 * disabled: CONFIG_VMM_VESA_FRAMEBUFFER
 * On by default upstream, where the seL4 boot information may describe a VESA frame buffer to pass to the
 * guest. A Linux process has none, and code under this option needs <sel4/arch/bootinfo.h>, which we lack.
 */
