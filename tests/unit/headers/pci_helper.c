/* Compiles <pci/helper.h> alone and checks the constants device modules use. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pci/helper.h>

_Static_assert(PCI_VENDOR_ID == 0 && PCI_DEVICE_ID == 2 && PCI_COMMAND == 4 && PCI_STATUS == 6, "ids");
_Static_assert(PCI_CLASS_REVISION == 8 && PCI_CLASS_DEVICE == 0x0a && PCI_HEADER_TYPE == 0x0e, "class");
_Static_assert(PCI_BASE_ADDRESS_0 == 0x10 && PCI_BASE_ADDRESS_5 == 0x24 && PCI_INTERRUPT_LINE == 0x3c, "offsets");
_Static_assert(PCI_BASE_ADDRESS_SPACE_IO == 1 && PCI_BASE_ADDRESS_SPACE_MEMORY == 0, "BAR space");
_Static_assert(PCI_BASE_ADDRESS_MEM_PREFETCH == 8 && PCI_BASE_ADDRESS_MEM_TYPE_64 == 4, "BAR flags");
_Static_assert(PCI_COMMAND_IO == 1 && PCI_COMMAND_MEMORY == 2 && PCI_COMMAND_MASTER == 4, "command");
_Static_assert(PCI_HEADER_TYPE_NORMAL == 0 && PCI_STATUS_CAP_LIST == 0x10 && PCI_CAPABILITY_LIST == 0x34, "caps");
_Static_assert(PCI_CLASS_MEMORY_RAM == 0x0500 && PCI_BASE_CLASS_MEMORY == 0x05, "memory class");
_Static_assert(PCI_CLASS_BRIDGE_HOST == 0x0600 && PCI_CAP_ID_MSI == 5 && PCI_CAP_ID_MSIX == 0x11, "bridge, MSI");
