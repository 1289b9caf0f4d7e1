/* 32-bit C guest: enumerates PCI bus 0 through lib/pci.h and reports every device to GUEST_REPORT_PORT. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"
#include "pci.h"

static void report(uint32_t v)
{
    outl(GUEST_REPORT_PORT, v);
}

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)eax;
    (void)ebx;
    int devices = 0;
    for (uint8_t dev = 0; dev < PCI_DEVICES_PER_BUS; dev++) {
        if (!pci_present(dev)) {
            continue;
        }
        pci_addr_t addr = { 0, dev, 0 };
        devices++;
        report(dev);
        report(pci_config_read32(0, dev, 0, PCI_VENDOR_ID));
        report(pci_config_read32(0, dev, 0, PCI_REVISION_ID));
        for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++) {
            uint32_t before = pci_config_read32(0, dev, 0, (uint8_t)(PCI_BAR0 + 4 * bar));
            report((uint32_t)pci_bar_address(addr, bar));
            report((uint32_t)pci_bar_size(addr, bar));
            if (pci_config_read32(0, dev, 0, (uint8_t)(PCI_BAR0 + 4 * bar)) != before) {
                return GUEST_EXIT_BAR_CHANGED;
            }
        }
        report(pci_irq_line(addr) | (uint32_t)pci_config_read8(0, dev, 0, PCI_INTERRUPT_PIN) << 8);
    }
    return devices;
}
