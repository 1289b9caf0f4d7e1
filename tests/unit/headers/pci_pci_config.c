/* Compiles <pci/pci_config.h> alone and checks its inline helpers' prototypes. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pci/pci_config.h>

_Static_assert(PCI_CONFIG_HEADER_SIZE_BYTES == 64, "header size");

void check_pci_pci_config_h(void);
void check_pci_pci_config_h(void)
{
    int (*size_of)(int) = libpci_device_cfg_sizeof;
    uint64_t (*base)(libpci_device_iocfg_t *, int) = libpci_device_iocfg_get_baseaddr;
    uint32_t (*base32)(libpci_device_iocfg_t *, int) = libpci_device_iocfg_get_baseaddr32;
    bool (*uses)(libpci_device_iocfg_t *) = libpci_device_iocfg_uses_iomem;
    void (*print)(libpci_device_iocfg_t *, bool) = libpci_device_iocfg_debug_print;
    (void)size_of;
    (void)base;
    (void)base32;
    (void)uses;
    (void)print;
}
