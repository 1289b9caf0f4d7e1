/* x86 glue for the virtual PCI bus: config mechanism #1 port handlers and BAR passthrough. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4vm/arch/ioports.h>
#include <sel4vm/guest_vm.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>

#include <pci/helper.h>
#include <pci/virtual_pci.h>

/***
 * @module vmm_pci_helper.h
 * Connects a vmm_pci_space_t to an x86 guest. Register the port handlers on 0xCF8-0xCFF with the space as
 * cookie:
 *
 *     vm_ioport_range_t range = { PCI_CONF_PORT_ADDR, PCI_CONF_PORT_DATA_END - 1 };
 *     vm_ioport_interface_t iface = { .cookie = pci, .port_in = vmm_pci_io_port_in,
 *                                     .port_out = vmm_pci_io_port_out, .desc = "PCI config" };
 *     vm_io_port_add_handler(vm, range, iface);
 *
 * Ports 0xCF8-0xCFB are the 32-bit address register, at any width and byte offset (its low two bits always
 * read 0). Ports 0xCFC-0xCFF access register (address register bits 7:0) + (port - 0xCFC) of the selected
 * function with the access size. With the enable bit (31) clear, data reads give all ones and writes are
 * dropped; a function that is absent (any bus but 0 included) reads all ones of the access size. The
 * multi-function bit of the header type register always reads 0, as upstream makes it. An access
 * the guest makes across the end of the data window (e.g. 4 bytes at 0xCFE) reads all ones and is dropped,
 * as is an entry callback failure, so no guest access stops the VM.
 */

/***
 * @function vmm_pci_helper_map_bars(vm, cfg, bars)
 * Pass a host device's memory BARs through to the guest at the same addresses: each memory BAR's range is
 * reserved in guest physical memory and backed by the device frames at that physical address (from the
 * device untypeds of the VM's simple_t). bars receives one entry per BAR mapped, for
 * vmm_pci_create_bar_emulation.
 * Ours: an I/O BAR fails the call, since vm_enable_passthrough_ioport has no host ports to give.
 * @param {vm_t *} vm The VM
 * @param {libpci_device_iocfg_t *} cfg The device's decoded BARs
 * @param {vmm_pci_bar_t *} bars Receives up to 6 BARs
 * @return The number of BARs mapped (0 to 6), or -1 on error (NULL argument, an I/O BAR, a size that is not a
 *         power of two of at least 4 KiB, an unaligned address, or a range that cannot be reserved or backed)
 */
int vmm_pci_helper_map_bars(vm_t *vm, libpci_device_iocfg_t *cfg, vmm_pci_bar_t *bars);

/***
 * @function vmm_pci_io_port_in(vcpu, cookie, port_no, size, result)
 * IN handler for ports 0xCF8-0xCFF.
 * @param {vm_vcpu_t *} vcpu The vCPU (unused)
 * @param {void *} cookie The vmm_pci_space_t
 * @param {unsigned int} port_no Port read
 * @param {unsigned int} size 1, 2 or 4
 * @param {unsigned int *} result Receives the value
 * @return IO_FAULT_HANDLED; IO_FAULT_ERROR (with a message) for a NULL cookie or result, a port outside
 *         0xCF8-0xCFF or a size other than 1, 2 or 4
 */
ioport_fault_result_t vmm_pci_io_port_in(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                         unsigned int *result);

/***
 * @function vmm_pci_io_port_out(vcpu, cookie, port_no, size, value)
 * OUT handler for ports 0xCF8-0xCFF.
 * @param {vm_vcpu_t *} vcpu The vCPU (unused)
 * @param {void *} cookie The vmm_pci_space_t
 * @param {unsigned int} port_no Port written
 * @param {unsigned int} size 1, 2 or 4
 * @param {unsigned int} value Value, in its low size bytes
 * @return IO_FAULT_HANDLED; IO_FAULT_ERROR (with a message) for a NULL cookie, a port outside 0xCF8-0xCFF or
 *         a size other than 1, 2 or 4
 */
ioport_fault_result_t vmm_pci_io_port_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                          unsigned int value);
