/* Compiles <sel4vmmplatsupport/gen_config.h> alone and checks the configuration it gives (x86_64 defaults). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vmmplatsupport/gen_config.h>

#if !defined(CONFIG_ARCH_X86)
#error "gen_config.h must bring in the kernel configuration"
#endif
#if defined(CONFIG_VMM_PLATSUPPORT_VIRTIO_CLEAN_CACHE)
#error "options that are off must be undefined"
#endif
