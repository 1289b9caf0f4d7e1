/* A real guest on the virtual PCI bus: pci_scan_32 enumerates bus 0 through ports 0xCF8-0xCFF (vmm_pci). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vmmplatsupport/drivers/pci.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include "guest_reports.h"
#include "kvm_fixture.h"

#define DEV_VENDOR 0x5e14
#define DEV_DEVICE 0x7e57
#define DEV_CLASS 0xff
#define DEV_SUBCLASS 0x80
#define DEV_PROG_IF 0x01
#define DEV_REVISION 0x02
#define DEV_IRQ 11
#define DEV_BAR0 0xd0000000u /* 4 KiB prefetchable memory */
#define DEV_BAR1 0xd0100000u /* 1 MiB memory */
#define DEV_BAR2 0xc100u     /* 256 I/O ports */

/* One device's report from pci_scan_32 (lib/layout.h: GUEST_PCI_SCAN_WORDS). */
struct scanned {
    uint32_t dev;
    uint32_t ids;
    uint32_t class_dword;
    struct {
        uint32_t address;
        uint32_t size;
    } bars[6];
    uint32_t irq;
};

_Static_assert(sizeof(struct scanned) == GUEST_PCI_SCAN_WORDS * sizeof(uint32_t), "pci_scan_32 report layout");

static vmm_pci_device_def_t test_device;

/* The test's own device: three BARs (prefetchable memory, memory, I/O) and an interrupt line. */
static vmm_pci_address_t add_test_device(vmm_pci_space_t *pci)
{
    test_device = (vmm_pci_device_def_t){ .vendor_id = DEV_VENDOR,
                                          .device_id = DEV_DEVICE,
                                          .command = 0x3,
                                          .revision_id = DEV_REVISION,
                                          .prog_if = DEV_PROG_IF,
                                          .subclass = DEV_SUBCLASS,
                                          .class_code = DEV_CLASS,
                                          .interrupt_pin = 1 };
    vmm_pci_bar_t bars[] = {
        { PREFETCH_MEM, DEV_BAR0, 12 },
        { NON_PREFETCH_MEM, DEV_BAR1, 20 },
        { NON_MEM, DEV_BAR2, 8 },
    };
    vmm_pci_entry_t e = { .cookie = &test_device,
                          .ioread = vmm_pci_mem_device_read,
                          .iowrite = vmm_pci_mem_device_write };
    e = vmm_pci_create_bar_emulation(e, ARRAY_SIZE(bars), bars);
    e = vmm_pci_create_irq_emulation(e, DEV_IRQ);
    vmm_pci_address_t addr;
    assert_int_equal(vmm_pci_add_entry(pci, e, &addr), 0);
    return addr;
}

/* Runs pci_scan_32 and returns how many devices it reported, with their reports in out. */
static unsigned scan(struct kvm_fixture *f, struct scanned *out, size_t max)
{
    static struct guest_reports reports;
    guest_reports_attach(f, &reports);
    kvm_load_guest(f, "pci_scan_32");
    assert_int_equal(kvm_run(f), 0);
    int status = kvm_exit_status(f);
    assert_int_not_equal(status, (GUEST_EXIT_BAR_CHANGED << 1) | 1);
    unsigned devices = (unsigned)status >> 1;
    assert_int_equal(reports.count, devices * GUEST_PCI_SCAN_WORDS);
    assert_true(devices <= max);
    memcpy(out, reports.values, devices * sizeof(*out));
    return devices;
}

static void test_scan_finds_host_bridge_alone(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    vmm_pci_space_t *pci = kvm_attach_pci(f);
    struct scanned found[4];
    assert_int_equal(scan(f, found, ARRAY_SIZE(found)), 1);
    assert_int_equal(found[0].dev, 0);
    assert_int_equal(found[0].ids, 0x0042u << 16 | 0x5e14u);
    assert_int_equal(found[0].class_dword >> 24, 0x06);
    assert_int_equal(found[0].bars[0].address, 0);
    assert_int_equal(found[0].irq, 0);
    sel4kvm_pci_destroy(pci);
}

static void test_scan_reports_device_ids_class_and_irq(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    vmm_pci_space_t *pci = kvm_attach_pci(f);
    vmm_pci_address_t addr = add_test_device(pci);
    struct scanned found[4];
    assert_int_equal(scan(f, found, ARRAY_SIZE(found)), 2);
    assert_int_equal(found[1].dev, addr.dev);
    assert_int_equal(addr.dev, 1);
    assert_int_equal(found[1].ids, (uint32_t)DEV_DEVICE << 16 | DEV_VENDOR);
    assert_int_equal(found[1].class_dword,
                     (uint32_t)DEV_CLASS << 24 | DEV_SUBCLASS << 16 | DEV_PROG_IF << 8 | DEV_REVISION);
    assert_int_equal(found[1].irq, 1u << 8 | DEV_IRQ);
    sel4kvm_pci_destroy(pci);
}

static void test_scan_sizes_memory_and_io_bars_by_probe(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    vmm_pci_space_t *pci = kvm_attach_pci(f);
    add_test_device(pci);
    struct scanned found[4];
    assert_int_equal(scan(f, found, ARRAY_SIZE(found)), 2);
    assert_int_equal(found[1].bars[0].address, DEV_BAR0);
    assert_int_equal(found[1].bars[0].size, 0x1000);
    assert_int_equal(found[1].bars[1].address, DEV_BAR1);
    assert_int_equal(found[1].bars[1].size, 0x100000);
    assert_int_equal(found[1].bars[2].address, DEV_BAR2);
    assert_int_equal(found[1].bars[2].size, 0x100);
    for (int b = 3; b < 6; b++) {
        assert_int_equal(found[1].bars[b].address, 0);
        assert_int_equal(found[1].bars[b].size, 0);
    }
    sel4kvm_pci_destroy(pci);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        KVM_TEST(test_scan_finds_host_bridge_alone),
        KVM_TEST(test_scan_reports_device_ids_class_and_irq),
        KVM_TEST(test_scan_sizes_memory_and_io_bars_by_probe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
