/* x86 PCI configuration mechanism #1 on ports 0xCF8-0xCFF, and host BAR passthrough. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vmmplatsupport/guest_memory_util.h>
#include <utils/util.h>

#define CONF_ADDR_ENABLE BIT(31)
/* The register number's low two bits are hard-wired to 0: accesses select a dword. */
#define CONF_ADDR_WRITABLE (~(uint32_t)MASK(2))

static uint32_t ones(unsigned int size)
{
    return size == 4 ? UINT32_MAX : (uint32_t)MASK(size * 8);
}

static bool port_args_ok(const char *what, void *cookie, unsigned int port_no, unsigned int size)
{
    if (cookie == NULL) {
        ZF_LOGE("Failed to emulate PCI config %s: NULL PCI space", what);
        return false;
    }
    if (port_no < PCI_CONF_PORT_ADDR || port_no >= PCI_CONF_PORT_DATA_END) {
        ZF_LOGE("Failed to emulate PCI config %s: port 0x%x is outside 0x%x-0x%x", what, port_no, PCI_CONF_PORT_ADDR,
                PCI_CONF_PORT_DATA_END - 1);
        return false;
    }
    if (size != 1 && size != 2 && size != 4) {
        ZF_LOGE("Failed to emulate PCI config %s: size %u is not 1, 2 or 4", what, size);
        return false;
    }
    return true;
}

/* Which register an access falls in: the address register, the data window, or neither (it straddles). */
typedef enum { PORT_ADDR, PORT_DATA, PORT_STRADDLE } port_target_t;

static port_target_t port_target(unsigned int port_no, unsigned int size)
{
    if (port_no + size <= PCI_CONF_PORT_ADDR_END) {
        return PORT_ADDR;
    }
    if (port_no >= PCI_CONF_PORT_DATA && port_no + size <= PCI_CONF_PORT_DATA_END) {
        return PORT_DATA;
    }
    ZF_LOGW("PCI config access of size %u at port 0x%x straddles a register; ignored", size, port_no);
    return PORT_STRADDLE;
}

/* The function the address register selects, and the offset a data-window port reaches in it. */
static vmm_pci_entry_t *selected_function(vmm_pci_space_t *space, unsigned int port_no, int *offset)
{
    if (!(space->conf_port_addr & CONF_ADDR_ENABLE)) {
        return NULL;
    }
    vmm_pci_address_t addr;
    uint8_t reg;
    make_addr_reg_from_config(space->conf_port_addr, &addr, &reg);
    *offset = reg + (int)(port_no - PCI_CONF_PORT_DATA);
    return find_device(space, addr);
}

ioport_fault_result_t vmm_pci_io_port_in(UNUSED vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                         unsigned int *result)
{
    if (!port_args_ok("read", cookie, port_no, size)) {
        return IO_FAULT_ERROR;
    }
    if (result == NULL) {
        ZF_LOGE("Failed to emulate PCI config read: NULL result");
        return IO_FAULT_ERROR;
    }
    vmm_pci_space_t *space = cookie;
    uint32_t value = ones(size);
    switch (port_target(port_no, size)) {
    case PORT_ADDR:
        value = space->conf_port_addr >> ((port_no - PCI_CONF_PORT_ADDR) * 8);
        break;
    case PORT_DATA: {
        int offset = 0;
        vmm_pci_entry_t *entry = selected_function(space, port_no, &offset);
        uint32_t read = 0;
        if (entry != NULL && entry->ioread(entry->cookie, offset, (int)size, &read) == 0) {
            value = read;
            /* Only function 0 of each slot is populated: hide a multi-function bit so the guest probes no further. */
            if (offset <= PCI_HEADER_TYPE && PCI_HEADER_TYPE < offset + (int)size) {
                value &= ~((uint32_t)BIT(7) << ((PCI_HEADER_TYPE - offset) * 8));
            }
        } else if (entry != NULL) {
            ZF_LOGW("PCI config read of size %u at offset 0x%x failed; the guest reads all ones", size, offset);
        }
        break;
    }
    case PORT_STRADDLE:
        break;
    }
    *result = value & ones(size);
    return IO_FAULT_HANDLED;
}

ioport_fault_result_t vmm_pci_io_port_out(UNUSED vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                          unsigned int value)
{
    if (!port_args_ok("write", cookie, port_no, size)) {
        return IO_FAULT_ERROR;
    }
    vmm_pci_space_t *space = cookie;
    switch (port_target(port_no, size)) {
    case PORT_ADDR: {
        unsigned int shift = (port_no - PCI_CONF_PORT_ADDR) * 8;
        uint32_t mask = ones(size) << shift;
        uint32_t merged = (space->conf_port_addr & ~mask) | (((uint32_t)value << shift) & mask);
        space->conf_port_addr = merged & CONF_ADDR_WRITABLE;
        break;
    }
    case PORT_DATA: {
        int offset = 0;
        vmm_pci_entry_t *entry = selected_function(space, port_no, &offset);
        if (entry != NULL && entry->iowrite(entry->cookie, offset, (int)size, value & ones(size)) != 0) {
            ZF_LOGW("PCI config write of size %u at offset 0x%x failed; dropped", size, offset);
        }
        break;
    }
    case PORT_STRADDLE:
        break;
    }
    return IO_FAULT_HANDLED;
}

/* A memory BAR that can be passed through: a power-of-two size of at least a page, aligned, below 4 GiB. */
static bool host_bar_ok(libpci_device_iocfg_t *cfg, int i)
{
    uint64_t addr = libpci_device_iocfg_get_baseaddr(cfg, i);
    uint64_t size = cfg->base_addr_size[i];
    if (cfg->base_addr_space[i] == PCI_BASE_ADDRESS_SPACE_IO) {
        ZF_LOGE("Failed to map BAR %d: I/O BARs cannot be passed through (no host I/O ports)", i);
        return false;
    }
    if (size < PAGE_SIZE_4K || (size & (size - 1)) != 0 || (addr & (size - 1)) != 0 || addr + size > BIT(32)) {
        ZF_LOGE("Failed to map BAR %d: 0x%" PRIx64 " bytes at 0x%" PRIx64 " is not a page-multiple power of two, "
                "aligned and below 4 GiB",
                i, size, addr);
        return false;
    }
    return true;
}

static bool host_bar_used(libpci_device_iocfg_t *cfg, int i)
{
    return cfg->base_addr[i] != 0 && !cfg->base_addr_64H[i];
}

int vmm_pci_helper_map_bars(vm_t *vm, libpci_device_iocfg_t *cfg, vmm_pci_bar_t *bars)
{
    if (vm == NULL || cfg == NULL || bars == NULL) {
        ZF_LOGE("Failed to map BARs: NULL %s", vm == NULL ? "vm" : cfg == NULL ? "cfg" : "bars");
        return -1;
    }
    /* Check every BAR before reserving any, so that only running out of resources can fail half way. */
    for (int i = 0; i < 6; i++) {
        if (host_bar_used(cfg, i) && !host_bar_ok(cfg, i)) {
            return -1;
        }
    }
    vm_memory_reservation_t *reservations[6] = { NULL };
    int n = 0;
    for (int i = 0; i < 6; i++) {
        if (!host_bar_used(cfg, i)) {
            continue;
        }
        uintptr_t addr = (uintptr_t)libpci_device_iocfg_get_baseaddr(cfg, i);
        size_t size = cfg->base_addr_size[i];
        vm_memory_reservation_t *res = vm_reserve_memory_at(vm, addr, size, default_error_fault_callback, NULL);
        if (res == NULL || map_ut_alloc_reservation_with_base_paddr(vm, addr, res) != 0) {
            ZF_LOGE("Failed to map BAR %d: 0x%zx bytes at 0x%" PRIxPTR " cannot be %s", i, size, addr,
                    res == NULL ? "reserved" : "backed");
            if (res != NULL) {
                vm_free_reserved_memory(vm, res);
            }
            for (int j = 0; j < n; j++) {
                vm_free_reserved_memory(vm, reservations[j]);
            }
            return -1;
        }
        reservations[n] = res;
        bars[n] = (vmm_pci_bar_t){
            .mem_type = cfg->base_addr_prefetchable[i] ? PREFETCH_MEM : NON_PREFETCH_MEM,
            .address = addr,
            .size_bits = (size_t)LOG_BASE_2(size),
        };
        n++;
    }
    return n;
}
