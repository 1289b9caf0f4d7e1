/* Compiles <sel4vmmplatsupport/drivers/pci.h> alone and checks each declaration against upstream's prototype. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vmmplatsupport/drivers/pci.h>

#define MEMBER_TYPE(t, m, type) __builtin_types_compatible_p(__typeof__(((t *)0)->m), type)

_Static_assert(MEMBER_TYPE(vmm_pci_address_t, bus, uint8_t) && MEMBER_TYPE(vmm_pci_address_t, dev, uint8_t) &&
                   MEMBER_TYPE(vmm_pci_address_t, fun, uint8_t),
               "vmm_pci_address_t");
_Static_assert(MEMBER_TYPE(vmm_pci_entry_t, cookie, void *) &&
                   MEMBER_TYPE(vmm_pci_entry_t, ioread, int (*)(void *, int, int, uint32_t *)) &&
                   MEMBER_TYPE(vmm_pci_entry_t, iowrite, int (*)(void *, int, int, uint32_t)),
               "vmm_pci_entry_t");
_Static_assert(MEMBER_TYPE(vmm_pci_space_t, bus0, vmm_pci_entry_t *[32][8]) &&
                   MEMBER_TYPE(vmm_pci_space_t, conf_port_addr, uint32_t),
               "vmm_pci_space_t");
_Static_assert(MEMBER_TYPE(vmm_pci_config_t, ioread32, uint32_t (*)(void *, vmm_pci_address_t, unsigned int)) &&
                   MEMBER_TYPE(vmm_pci_config_t, iowrite8, void (*)(void *, vmm_pci_address_t, unsigned int, uint8_t)),
               "vmm_pci_config_t");

void check_sel4vmmplatsupport_drivers_pci_h(void);
void check_sel4vmmplatsupport_drivers_pci_h(void)
{
    int (*init)(vmm_pci_space_t **) = vmm_pci_init;
    int (*add)(vmm_pci_space_t *, vmm_pci_entry_t, vmm_pci_address_t *) = vmm_pci_add_entry;
    void (*decode)(uint32_t, vmm_pci_address_t *, uint8_t *) = make_addr_reg_from_config;
    vmm_pci_entry_t *(*find)(vmm_pci_space_t *, vmm_pci_address_t) = find_device;
    void (*destroy)(vmm_pci_space_t *) = sel4kvm_pci_destroy;
    (void)init;
    (void)add;
    (void)decode;
    (void)find;
    (void)destroy;
}
