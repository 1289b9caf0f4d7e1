/* Compiles <pci/virtual_pci.h> alone and checks its types. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pci/virtual_pci.h>

_Static_assert(PCI_INVALID_READ_VALUE == 0xFFFFFFFF && PCI_MAX_VDEVICES == 64, "constants");
_Static_assert(sizeof(((libpci_virtual_pci_t *)0)->virtual_devices) / sizeof(libpci_vdevice_t) == PCI_MAX_VDEVICES,
               "slots");
