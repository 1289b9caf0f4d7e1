/* Compiles <sel4vmmplatsupport/arch/ioport_defs.h> alone and checks a few of its ranges. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vmmplatsupport/arch/ioport_defs.h>

_Static_assert(X86_IO_PCI_CONFIG_START == 0xcf8 && X86_IO_PCI_CONFIG_END == 0xcff, "PCI config");
_Static_assert(X86_IO_SERIAL_1_START == 0x3f8 && X86_IO_SERIAL_1_END == 0x3ff, "COM1");
_Static_assert(X86_IO_PIT_START == 0x40 && X86_IO_RTC_END == 0x7f, "PIT, RTC");
