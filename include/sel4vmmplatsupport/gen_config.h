/* libsel4vmmplatsupport's build configuration, as seL4's CMake would generate it for an x86_64 VT-x build. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <autoconf.h>

/***
 * @module gen_config.h
 * The CONFIG_ options of libsel4vmmplatsupport, for modules that test them with `#ifdef` or `config_set()`.
 * Kernel options come from `<autoconf.h>`, included here. An option that is off is left undefined, as in a
 * generated file, with a comment naming it.
 */

/*
 * disabled: CONFIG_VMM_PLATSUPPORT_VIRTIO_CLEAN_CACHE
 * Upstream cleans the data cache of guest buffers around virtio copies on Arm; x86 never needs it.
 */
