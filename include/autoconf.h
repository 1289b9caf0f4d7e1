/* Build configuration as an seL4 x86_64 VT-x build defines it, for modules that test CONFIG_ options. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#define CONFIG_ARCH_X86 1
#define CONFIG_ARCH_X86_64 1
#define CONFIG_X86_64 1
#define CONFIG_WORD_SIZE 64
#define CONFIG_VTX 1
#define CONFIG_X86_64_VTX_64BIT_GUESTS 1
#define CONFIG_MAX_NUM_NODES 1
#define CONFIG_RETYPE_FAN_OUT_LIMIT 256
#define CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS 230
#define CONFIG_PRINTING 1
#define CONFIG_DEBUG_BUILD 1
#define CONFIG_SEL4UTILS_STACK_SIZE 65536
