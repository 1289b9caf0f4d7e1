/* Compiles <pci/virtual_device.h> alone and checks its types. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pci/virtual_device.h>

_Static_assert(PCI_VDEVICE_MODE_PASSTHROUGH == 0 && PCI_VDEVICE_MODE_REBASED_ADDR == 3, "modes");
_Static_assert(sizeof(((libpci_vdevice_t *)0)->mode) / sizeof(libpci_vdevice_mode_t) == 64, "mode per byte");
