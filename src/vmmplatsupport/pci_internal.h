/* Internals shared by the PCI space (pci.c) and the entry wrappers (pci_helper.c). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4vmmplatsupport/drivers/pci.h>

/*
 * Frees the wrappers the vmm_pci_create_* functions allocated for entry, down its whole chain; stops at the first
 * entry no wrapper made (a device's own cookie, which its creator owns).
 */
void pci_entry_release(vmm_pci_entry_t entry);
