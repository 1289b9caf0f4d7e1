/* Compiles <sel4vm/gen_config.h> alone and checks the configuration it gives (x86_64 defaults). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/gen_config.h>

#if !defined(CONFIG_ARCH_X86) || !defined(CONFIG_X86_64_VTX_64BIT_GUESTS) || !defined(CONFIG_MAX_NUM_NODES)
#error "gen_config.h must bring in the kernel configuration"
#endif
#if defined(CONFIG_LIB_SEL4VM_DEFER_MEMORY_MAP) || defined(CONFIG_LIB_VM_VMX_TIMER_DEBUG) ||                           \
    defined(CONFIG_VMM_IGNORE_EPT_VIOLATION) || defined(CONFIG_VMM_VESA_FRAMEBUFFER)
#error "options that are off must be undefined"
#endif

_Static_assert(CONFIG_MAX_NUM_NODES >= 1, "CONFIG_MAX_NUM_NODES");
