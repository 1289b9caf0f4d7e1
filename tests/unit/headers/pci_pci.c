/* Compiles <pci/pci.h> alone and checks the mechanism #1 ports and the device record. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pci/pci.h>

_Static_assert(PCI_CONF_PORT_ADDR == 0xCF8 && PCI_CONF_PORT_DATA == 0xCFC, "ports");
_Static_assert(PCI_CONF_PORT_ADDR_END == 0xCFC && PCI_CONF_PORT_DATA_END == 0xD00, "port ends");
_Static_assert(__builtin_types_compatible_p(__typeof__(((libpci_device_t *)0)->cfg), libpci_device_iocfg_t), "cfg");
