/* Compiles <sel4vmmplatsupport/drivers/pci_helper.h> alone and checks its layout and prototypes against upstream. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vmmplatsupport/drivers/pci_helper.h>

_Static_assert(offsetof(vmm_pci_device_def_t, vendor_id) == PCI_VENDOR_ID, "vendor_id");
_Static_assert(offsetof(vmm_pci_device_def_t, command) == PCI_COMMAND, "command");
_Static_assert(offsetof(vmm_pci_device_def_t, subclass) == PCI_CLASS_DEVICE, "subclass");
_Static_assert(offsetof(vmm_pci_device_def_t, header_type) == PCI_HEADER_TYPE, "header_type");
_Static_assert(PCI_BAR_OFFSET(0) == PCI_BASE_ADDRESS_0 && PCI_BAR_OFFSET(5) == PCI_BASE_ADDRESS_5, "bars");
_Static_assert(offsetof(vmm_pci_device_def_t, subsystem_id) == PCI_SUBSYSTEM_ID, "subsystem_id");
_Static_assert(offsetof(vmm_pci_device_def_t, caps_pointer) == PCI_CAPABILITY_LIST, "caps_pointer");
_Static_assert(offsetof(vmm_pci_device_def_t, interrupt_line) == PCI_INTERRUPT_LINE, "interrupt_line");
_Static_assert(offsetof(vmm_pci_device_def_t, max_latency) == PCI_MAX_LAT, "max_latency");
_Static_assert(offsetof(vmm_pci_device_def_t, caps_len) == PCI_STD_HEADER_SIZEOF, "caps_len");
_Static_assert(sizeof(vmm_pci_device_def_t) == PCI_STD_HEADER_SIZEOF + sizeof(int) + sizeof(void *), "packed");
_Static_assert(NON_MEM == 0 && NON_PREFETCH_MEM == 1 && PREFETCH_MEM == 2, "pci_mem_type_t");
_Static_assert(sizeof(((pci_bar_emulation_t *)0)->bars) / sizeof(vmm_pci_bar_t) == 6, "bars[6]");
_Static_assert(sizeof(((pci_bar_emulation_t *)0)->bar_writes) == 6 * sizeof(uint32_t), "bar_writes[6]");

void check_sel4vmmplatsupport_drivers_pci_helper_h(void);
void check_sel4vmmplatsupport_drivers_pci_helper_h(void)
{
    int (*ignore)(void *, int, int, uint32_t) = vmm_pci_entry_ignore_write;
    int (*rd)(void *, int, int, uint32_t *) = vmm_pci_mem_device_read;
    int (*wr)(void *, int, int, uint32_t) = vmm_pci_mem_device_write;
    void (*bridge)(vmm_pci_device_def_t *) = define_pci_host_bridge;
    vmm_pci_entry_t (*pass)(vmm_pci_address_t, vmm_pci_config_t) = vmm_pci_create_passthrough;
    vmm_pci_entry_t (*bar)(vmm_pci_entry_t, int, vmm_pci_bar_t *) = vmm_pci_create_bar_emulation;
    vmm_pci_entry_t (*pbar)(vmm_pci_entry_t, int, vmm_pci_bar_t *) = vmm_pci_create_passthrough_bar_emulation;
    vmm_pci_entry_t (*irq)(vmm_pci_entry_t, int) = vmm_pci_create_irq_emulation;
    vmm_pci_entry_t (*cap)(vmm_pci_entry_t, int, uint8_t *, int, uint8_t *, uint8_t *) = vmm_pci_create_cap_emulation;
    vmm_pci_entry_t (*nomsi)(vmm_pci_entry_t) = vmm_pci_no_msi_cap_emulation;
    (void)ignore;
    (void)rd;
    (void)wr;
    (void)bridge;
    (void)pass;
    (void)bar;
    (void)pbar;
    (void)irq;
    (void)cap;
    (void)nomsi;
}
