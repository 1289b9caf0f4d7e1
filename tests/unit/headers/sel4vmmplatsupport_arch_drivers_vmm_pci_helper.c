/* Compiles <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h> alone and checks its prototypes against upstream. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>

void check_sel4vmmplatsupport_arch_drivers_vmm_pci_helper_h(void);
void check_sel4vmmplatsupport_arch_drivers_vmm_pci_helper_h(void)
{
    vm_ioport_in_fn in = vmm_pci_io_port_in;
    vm_ioport_out_fn out = vmm_pci_io_port_out;
    int (*map)(vm_t *, libpci_device_iocfg_t *, vmm_pci_bar_t *) = vmm_pci_helper_map_bars;
    (void)in;
    (void)out;
    (void)map;
}
