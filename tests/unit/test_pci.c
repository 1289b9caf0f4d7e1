/* The virtual PCI bus: slots, config mechanism #1 on ports 0xCF8-0xCFF, memory-backed headers, BAR/IRQ/capability
 * wrappers, passthrough, and host BAR mapping. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <pci/helper.h>
#include <sel4kvm/log.h>
#include <sel4kvm/test_backend.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_memory_helpers.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vmmplatsupport/drivers/pci.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>

#include "quiet_log.h"
#include "vm_fixture.h"

#define assert_logs_warning(stmt)                                                                                      \
    do {                                                                                                               \
        unsigned long warnings_before_ = sel4kvm_log_count(ZF_LOG_WARN);                                               \
        stmt;                                                                                                          \
        assert_true(sel4kvm_log_count(ZF_LOG_WARN) > warnings_before_);                                                \
    } while (0)

#define CONF(dev, fun, reg) (BIT(31) | ((uint32_t)(dev) << 11) | ((uint32_t)(fun) << 8) | (uint32_t)(reg))

struct pci_fixture {
    vmm_pci_space_t *pci;
    vmm_pci_device_def_t def;
};

static int pci_up(void **state)
{
    static struct pci_fixture f;
    memset(&f, 0, sizeof(f));
    if (vmm_pci_init(&f.pci) != 0) {
        return -1;
    }
    f.def = (vmm_pci_device_def_t){
        .vendor_id = 0x1234,
        .device_id = 0x5678,
        .command = PCI_COMMAND_MEMORY,
        .status = 0,
        .revision_id = 0x9a,
        .prog_if = 0xbc,
        .subclass = 0x80,
        .class_code = PCI_BASE_CLASS_MEMORY,
        .header_type = PCI_HEADER_TYPE_NORMAL,
        .bar0 = 0x11111111,
        .interrupt_line = 3,
        .interrupt_pin = 1,
        .min_grant = 0x22,
        .max_latency = 0x33,
    };
    *state = &f;
    return 0;
}

static int pci_down(void **state)
{
    struct pci_fixture *f = *state;
    sel4kvm_pci_destroy(f->pci);
    return 0;
}

#define PCI_TEST(fn) cmocka_unit_test_setup_teardown(fn, pci_up, pci_down)

static vmm_pci_entry_t mem_entry(vmm_pci_device_def_t *def)
{
    return (vmm_pci_entry_t){ .cookie = def, .ioread = vmm_pci_mem_device_read, .iowrite = vmm_pci_mem_device_write };
}

/* Hands a wrapper to the fixture's space, whose sel4kvm_pci_destroy at teardown frees it; failures stay out. */
static vmm_pci_entry_t owned(struct pci_fixture *f, vmm_pci_entry_t e)
{
    if (e.ioread != NULL) {
        assert_int_equal(vmm_pci_add_entry(f->pci, e, NULL), 0);
    }
    return e;
}

static unsigned port_in(vmm_pci_space_t *pci, unsigned port, unsigned size)
{
    unsigned v = 0xdeadbeef;
    assert_int_equal(vmm_pci_io_port_in(NULL, pci, port, size, &v), IO_FAULT_HANDLED);
    return v;
}

static void port_out(vmm_pci_space_t *pci, unsigned port, unsigned size, unsigned value)
{
    assert_int_equal(vmm_pci_io_port_out(NULL, pci, port, size, value), IO_FAULT_HANDLED);
}

/* Select a register with the address register, then read the data window at port offset `lane`. */
static unsigned cfg_read(vmm_pci_space_t *pci, uint32_t conf, unsigned lane, unsigned size)
{
    port_out(pci, PCI_CONF_PORT_ADDR, 4, conf);
    return port_in(pci, PCI_CONF_PORT_DATA + lane, size);
}

static void cfg_write(vmm_pci_space_t *pci, uint32_t conf, unsigned lane, unsigned size, unsigned value)
{
    port_out(pci, PCI_CONF_PORT_ADDR, 4, conf);
    port_out(pci, PCI_CONF_PORT_DATA + lane, size, value);
}

static uint32_t entry_read(vmm_pci_entry_t e, int offset, int size)
{
    uint32_t v = 0xdeadbeef;
    assert_int_equal(e.ioread(e.cookie, offset, size, &v), 0);
    return v;
}

static void entry_write(vmm_pci_entry_t e, int offset, int size, uint32_t value)
{
    assert_int_equal(e.iowrite(e.cookie, offset, size, value), 0);
}

/* ---- space, slots and address decoding ---------------------------------------------------------------------- */

static void test_init_puts_host_bridge_at_00_00_0(void **state)
{
    struct pci_fixture *f = *state;
    assert_int_equal(cfg_read(f->pci, CONF(0, 0, PCI_VENDOR_ID), 0, 4), 0x00425E14);
    assert_int_equal(cfg_read(f->pci, CONF(0, 0, PCI_CLASS_REVISION), 0, 4), 0x06000001);
    assert_int_equal(cfg_read(f->pci, CONF(0, 0, PCI_CACHE_LINE_SIZE), 2, 1), PCI_HEADER_TYPE_NORMAL);
    assert_non_null(find_device(f->pci, (vmm_pci_address_t){ 0, 0, 0 }));
    cfg_write(f->pci, CONF(0, 0, PCI_VENDOR_ID), 0, 4, 0); /* read-only */
    assert_int_equal(cfg_read(f->pci, CONF(0, 0, PCI_VENDOR_ID), 0, 4), 0x00425E14);
}

static void test_init_rejects_null_result(void **state)
{
    (void)state;
    assert_logs_error(assert_int_equal(vmm_pci_init(NULL), -1));
}

static void test_define_host_bridge_fills_every_field(void **state)
{
    (void)state;
    vmm_pci_device_def_t b;
    memset(&b, 0xaa, sizeof(b));
    define_pci_host_bridge(&b);
    assert_int_equal(b.vendor_id, 0x5E14);
    assert_int_equal(b.device_id, 0x42);
    assert_int_equal(b.class_code, 0x06);
    assert_int_equal(b.subclass, 0);
    assert_int_equal(b.revision_id, 1);
    assert_int_equal(b.bar0, 0);
    assert_int_equal(b.interrupt_pin, 0);
    assert_int_equal(b.caps_len, 0);
    assert_null(b.caps);
    assert_logs_error(define_pci_host_bridge(NULL));
}

static void test_add_entry_takes_next_free_slot_and_reports_it(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_address_t a = { 9, 9, 9 };
    assert_int_equal(vmm_pci_add_entry(f->pci, mem_entry(&f->def), &a), 0);
    assert_int_equal(a.bus, 0);
    assert_int_equal(a.dev, 1);
    assert_int_equal(a.fun, 0);
    assert_int_equal(vmm_pci_add_entry(f->pci, mem_entry(&f->def), NULL), 0);
    assert_int_equal(vmm_pci_add_entry(f->pci, mem_entry(&f->def), &a), 0);
    assert_int_equal(a.dev, 3);
    assert_non_null(find_device(f->pci, (vmm_pci_address_t){ 0, 2, 0 }));
}

static void test_add_entry_fails_when_bus_is_full(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_address_t a;
    for (int i = 1; i < 32; i++) {
        assert_int_equal(vmm_pci_add_entry(f->pci, mem_entry(&f->def), &a), 0);
        assert_int_equal(a.dev, i);
    }
    a = (vmm_pci_address_t){ 7, 7, 7 };
    assert_logs_error(assert_int_equal(vmm_pci_add_entry(f->pci, mem_entry(&f->def), &a), -1));
    assert_int_equal(a.bus, 7); /* untouched on failure */
}

static void test_add_entry_rejects_null_space_and_missing_callbacks(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t no_read = { .cookie = &f->def, .iowrite = vmm_pci_mem_device_write };
    vmm_pci_entry_t no_write = { .cookie = &f->def, .ioread = vmm_pci_mem_device_read };
    assert_logs_error(assert_int_equal(vmm_pci_add_entry(NULL, mem_entry(&f->def), NULL), -1));
    assert_logs_error(assert_int_equal(vmm_pci_add_entry(f->pci, no_read, NULL), -1));
    assert_logs_error(assert_int_equal(vmm_pci_add_entry(f->pci, no_write, NULL), -1));
    assert_null(find_device(f->pci, (vmm_pci_address_t){ 0, 1, 0 }));
}

static void test_make_addr_reg_from_config_splits_the_fields(void **state)
{
    (void)state;
    vmm_pci_address_t a;
    uint8_t reg;
    make_addr_reg_from_config(0x80ABCDEF, &a, &reg);
    assert_int_equal(a.bus, 0xAB);
    assert_int_equal(a.dev, 0x19);
    assert_int_equal(a.fun, 5);
    assert_int_equal(reg, 0xEF);
    make_addr_reg_from_config(0, &a, &reg);
    assert_int_equal(a.bus | a.dev | a.fun | reg, 0);
    assert_logs_error(make_addr_reg_from_config(0, NULL, &reg));
    assert_logs_error(make_addr_reg_from_config(0, &a, NULL));
}

static void test_find_device_misses_other_buses_and_out_of_range_slots(void **state)
{
    struct pci_fixture *f = *state;
    assert_null(find_device(f->pci, (vmm_pci_address_t){ 1, 0, 0 }));
    assert_null(find_device(f->pci, (vmm_pci_address_t){ 0, 0, 1 }));
    assert_null(find_device(f->pci, (vmm_pci_address_t){ 0, 32, 0 }));
    assert_null(find_device(f->pci, (vmm_pci_address_t){ 0, 0, 8 }));
    assert_null(find_device(f->pci, (vmm_pci_address_t){ 0, 31, 7 }));
    assert_logs_error(assert_null(find_device(NULL, (vmm_pci_address_t){ 0, 0, 0 })));
}

/* ---- configuration mechanism #1 ------------------------------------------------------------------------------ */

static void test_data_window_reads_at_every_width_and_port(void **state)
{
    struct pci_fixture *f = *state;
    assert_int_equal(vmm_pci_add_entry(f->pci, mem_entry(&f->def), NULL), 0);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, 0), 0, 4), 0x56781234);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, 0), 0, 2), 0x1234);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, 0), 2, 2), 0x5678);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, 0), 0, 1), 0x34);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, 0), 1, 1), 0x12);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, 0), 2, 1), 0x78);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, 0), 3, 1), 0x56);
    /* revision, prog-if, subclass, class */
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, PCI_CLASS_REVISION), 0, 4), 0x0580bc9a);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, PCI_CLASS_REVISION), 2, 2), PCI_CLASS_MEMORY_OTHER);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, PCI_CACHE_LINE_SIZE), 2, 1), PCI_HEADER_TYPE_NORMAL);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, PCI_INTERRUPT_LINE), 1, 1), 1);
}

static void test_data_window_write_reaches_the_selected_register(void **state)
{
    struct pci_fixture *f = *state;
    assert_int_equal(vmm_pci_add_entry(f->pci, mem_entry(&f->def), NULL), 0);
    cfg_write(f->pci, CONF(1, 0, PCI_COMMAND), 0, 2, 0x0407);
    assert_int_equal(f->def.command, 0x0407);
    cfg_write(f->pci, CONF(1, 0, PCI_CACHE_LINE_SIZE), 1, 1, 0x40);
    assert_int_equal(f->def.latency_timer, 0x40);
    assert_int_equal(f->def.cache_line_size, 0);
}

static void test_address_register_reads_back_with_low_bits_clear(void **state)
{
    struct pci_fixture *f = *state;
    port_out(f->pci, PCI_CONF_PORT_ADDR, 4, 0x80001237);
    assert_int_equal(port_in(f->pci, PCI_CONF_PORT_ADDR, 4), 0x80001234);
    assert_int_equal(f->pci->conf_port_addr, 0x80001234);
}

static void test_address_register_partial_accesses_merge_bytes(void **state)
{
    struct pci_fixture *f = *state;
    port_out(f->pci, PCI_CONF_PORT_ADDR, 4, 0x80000000);
    port_out(f->pci, PCI_CONF_PORT_ADDR + 1, 1, 0x08);   /* device 1 */
    port_out(f->pci, PCI_CONF_PORT_ADDR, 1, 0x0f);       /* register 0x0c (low bits dropped) */
    port_out(f->pci, PCI_CONF_PORT_ADDR + 2, 2, 0x8000); /* bus 0, enable bit rewritten */
    assert_int_equal(port_in(f->pci, PCI_CONF_PORT_ADDR, 4), 0x8000080c);
    assert_int_equal(port_in(f->pci, PCI_CONF_PORT_ADDR + 3, 1), 0x80);
    assert_int_equal(port_in(f->pci, PCI_CONF_PORT_ADDR + 1, 2), 0x0008);
    assert_int_equal(port_in(f->pci, PCI_CONF_PORT_ADDR + 2, 2), 0x8000);
}

static void test_enable_bit_clear_reads_all_ones_and_drops_writes(void **state)
{
    struct pci_fixture *f = *state;
    assert_int_equal(vmm_pci_add_entry(f->pci, mem_entry(&f->def), NULL), 0);
    uint32_t disabled = CONF(1, 0, PCI_COMMAND) & ~(uint32_t)BIT(31);
    assert_int_equal(cfg_read(f->pci, disabled, 0, 4), 0xFFFFFFFF);
    assert_int_equal(cfg_read(f->pci, disabled, 1, 1), 0xFF);
    cfg_write(f->pci, disabled, 0, 2, 0);
    assert_int_equal(f->def.command, PCI_COMMAND_MEMORY);
}

static void test_absent_functions_read_all_ones_of_the_access_size(void **state)
{
    struct pci_fixture *f = *state;
    assert_int_equal(cfg_read(f->pci, CONF(5, 0, 0), 0, 4), 0xFFFFFFFF);
    assert_int_equal(cfg_read(f->pci, CONF(5, 0, 0), 2, 2), 0xFFFF);
    assert_int_equal(cfg_read(f->pci, CONF(5, 0, 0), 3, 1), 0xFF);
    assert_int_equal(cfg_read(f->pci, CONF(0, 1, 0), 0, 4), 0xFFFFFFFF);              /* function 1 of the bridge */
    assert_int_equal(cfg_read(f->pci, CONF(0, 0, 0) | (1u << 16), 0, 4), 0xFFFFFFFF); /* bus 1 */
    cfg_write(f->pci, CONF(5, 0, 0), 0, 4, 0);                                        /* dropped without harm */
}

static void test_multi_function_bit_is_hidden_from_the_guest(void **state)
{
    struct pci_fixture *f = *state;
    f->def.header_type = 0x80 | PCI_HEADER_TYPE_NORMAL;
    assert_int_equal(vmm_pci_add_entry(f->pci, mem_entry(&f->def), NULL), 0);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, PCI_CACHE_LINE_SIZE), 2, 1), 0);
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, PCI_CACHE_LINE_SIZE), 2, 2), 0);
    f->def.bist = 0x81;
    f->def.latency_timer = 0x80;
    assert_int_equal(cfg_read(f->pci, CONF(1, 0, PCI_CACHE_LINE_SIZE), 0, 4), 0x81008000);
}

static void test_straddling_port_accesses_read_all_ones_and_write_nothing(void **state)
{
    struct pci_fixture *f = *state;
    port_out(f->pci, PCI_CONF_PORT_ADDR, 4, CONF(0, 0, 0));
    assert_logs_warning(assert_int_equal(port_in(f->pci, PCI_CONF_PORT_DATA + 2, 4), 0xFFFFFFFF));
    assert_logs_warning(assert_int_equal(port_in(f->pci, PCI_CONF_PORT_ADDR + 3, 2), 0xFFFF));
    assert_logs_warning(port_out(f->pci, PCI_CONF_PORT_ADDR + 2, 4, 0));
    assert_int_equal(f->pci->conf_port_addr, CONF(0, 0, 0));
}

static int failing_read(void *cookie, int offset, int size, uint32_t *result)
{
    (void)cookie, (void)offset, (void)size;
    *result = 0x12345678;
    return -1;
}

static int failing_write(void *cookie, int offset, int size, uint32_t value)
{
    (void)offset, (void)size, (void)value;
    (*(int *)cookie)++;
    return -1;
}

static void test_failing_entry_reads_all_ones_and_the_guest_goes_on(void **state)
{
    struct pci_fixture *f = *state;
    int writes = 0;
    vmm_pci_entry_t bad = { .cookie = &writes, .ioread = failing_read, .iowrite = failing_write };
    assert_int_equal(vmm_pci_add_entry(f->pci, bad, NULL), 0);
    assert_logs_warning(assert_int_equal(cfg_read(f->pci, CONF(1, 0, 0), 0, 2), 0xFFFF));
    assert_logs_warning(cfg_write(f->pci, CONF(1, 0, 4), 0, 4, 1));
    assert_int_equal(writes, 1);
}

static void test_port_handlers_reject_bad_arguments(void **state)
{
    struct pci_fixture *f = *state;
    unsigned v = 0;
    assert_logs_error(assert_int_equal(vmm_pci_io_port_in(NULL, NULL, 0xCFC, 4, &v), IO_FAULT_ERROR));
    assert_logs_error(assert_int_equal(vmm_pci_io_port_in(NULL, f->pci, 0xCFC, 4, NULL), IO_FAULT_ERROR));
    assert_logs_error(assert_int_equal(vmm_pci_io_port_in(NULL, f->pci, 0xCF7, 1, &v), IO_FAULT_ERROR));
    assert_logs_error(assert_int_equal(vmm_pci_io_port_in(NULL, f->pci, 0xD00, 1, &v), IO_FAULT_ERROR));
    assert_logs_error(assert_int_equal(vmm_pci_io_port_in(NULL, f->pci, 0xCFC, 3, &v), IO_FAULT_ERROR));
    assert_logs_error(assert_int_equal(vmm_pci_io_port_in(NULL, f->pci, 0xCFC, 0, &v), IO_FAULT_ERROR));
    assert_logs_error(assert_int_equal(vmm_pci_io_port_out(NULL, NULL, 0xCF8, 4, 0), IO_FAULT_ERROR));
    assert_logs_error(assert_int_equal(vmm_pci_io_port_out(NULL, f->pci, 0xFFFFFFFF, 4, 0), IO_FAULT_ERROR));
    assert_logs_error(assert_int_equal(vmm_pci_io_port_out(NULL, f->pci, 0xCF8, 8, 0), IO_FAULT_ERROR));
    assert_int_equal(f->pci->conf_port_addr, 0);
}

static void register_pci_ports(struct vm_fixture *vf, vmm_pci_space_t *pci)
{
    vm_ioport_interface_t iface = {
        .cookie = pci, .port_in = vmm_pci_io_port_in, .port_out = vmm_pci_io_port_out, .desc = "PCI config"
    };
    vm_ioport_range_t range = { PCI_CONF_PORT_ADDR, PCI_CONF_PORT_DATA_END - 1 };
    assert_int_equal(vm_io_port_add_handler(&vf->vm, range, iface), 0);
}

static void test_guest_port_io_reaches_config_space_through_a_vm(void **state)
{
    struct vm_fixture *vf = *state;
    vmm_pci_space_t *pci = NULL;
    assert_int_equal(vmm_pci_init(&pci), 0);
    register_pci_ports(vf, pci);
    unsigned v = 0;
    assert_int_equal(sel4kvm_test_io_out(vf->vcpu, PCI_CONF_PORT_ADDR, 4, CONF(0, 0, 0)), 0);
    assert_int_equal(sel4kvm_test_io_in(vf->vcpu, PCI_CONF_PORT_DATA, 4, &v), 0);
    assert_int_equal(v, 0x00425E14);
    assert_int_equal(sel4kvm_test_io_in(vf->vcpu, PCI_CONF_PORT_DATA + 2, 2, &v), 0);
    assert_int_equal(v, 0x0042);
    assert_int_equal(sel4kvm_test_io_out(vf->vcpu, PCI_CONF_PORT_ADDR, 4, CONF(4, 0, 0)), 0);
    assert_int_equal(sel4kvm_test_io_in(vf->vcpu, PCI_CONF_PORT_DATA + 1, 1, &v), 0);
    assert_int_equal(v, 0xFF);
    assert_int_equal(sel4kvm_test_io_in(vf->vcpu, PCI_CONF_PORT_ADDR, 4, &v), 0);
    assert_int_equal(v, CONF(4, 0, 0));
    free(pci);
}

static void test_hostile_guest_port_sequence_never_stops_the_vm(void **state)
{
    struct vm_fixture *vf = *state;
    vmm_pci_space_t *pci = NULL;
    assert_int_equal(vmm_pci_init(&pci), 0);
    static vmm_pci_device_def_t def;
    define_pci_host_bridge(&def);
    assert_int_equal(vmm_pci_add_entry(pci, mem_entry(&def), NULL), 0);
    register_pci_ports(vf, pci);
    unsigned seed = 12345;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned port = PCI_CONF_PORT_ADDR + (seed >> 8) % 8;
        unsigned size = 1u << ((seed >> 16) % 3);
        unsigned value = seed ^ (seed << 7);
        unsigned v = 0;
        if (seed & 1) {
            assert_int_equal(sel4kvm_test_io_in(vf->vcpu, port, size, &v), 0);
        } else {
            assert_int_equal(sel4kvm_test_io_out(vf->vcpu, port, size, value), 0);
        }
    }
    /* whatever the guest wrote, nothing past the header changed and the address register kept its rule */
    assert_int_equal(def.caps_len, 0);
    assert_null(def.caps);
    assert_int_equal(pci->conf_port_addr & 3, 0);
    free(pci);
}

/* ---- memory-backed headers ---------------------------------------------------------------------------------- */

static void test_mem_device_reads_fields_at_each_width(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = mem_entry(&f->def);
    assert_int_equal(entry_read(e, PCI_VENDOR_ID, 4), 0x56781234);
    assert_int_equal(entry_read(e, PCI_DEVICE_ID, 2), 0x5678);
    assert_int_equal(entry_read(e, PCI_CLASS_DEVICE + 1, 1), PCI_BASE_CLASS_MEMORY);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_0, 4), 0x11111111);
}

static void test_mem_device_reads_the_last_header_bytes(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = mem_entry(&f->def);
    assert_int_equal(entry_read(e, PCI_MAX_LAT, 1), 0x33);
    assert_int_equal(entry_read(e, PCI_INTERRUPT_LINE, 4), 0x33220103);
    assert_int_equal(entry_read(e, PCI_MIN_GNT, 2), 0x3322);
}

static void test_mem_device_reads_past_the_header_as_zero(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = mem_entry(&f->def);
    f->def.caps_len = 0x7fffffff; /* without caps data the length means nothing */
    assert_int_equal(entry_read(e, 0x40, 4), 0);
    assert_int_equal(entry_read(e, 0xFF, 1), 0);
    assert_int_equal(entry_read(e, 0x1000, 2), 0);
    assert_int_equal(entry_read(e, INT_MAX - 3, 4), 0);
}

static void test_mem_device_serves_caps_after_the_header(void **state)
{
    struct pci_fixture *f = *state;
    uint8_t caps[6] = { PCI_CAP_ID_VNDR, 0, 6, 0xaa, 0xbb, 0xcc };
    f->def.caps = caps;
    f->def.caps_len = sizeof(caps);
    vmm_pci_entry_t e = mem_entry(&f->def);
    assert_int_equal(entry_read(e, 0x40, 4), 0xaa060009);
    assert_int_equal(entry_read(e, 0x44, 4), 0x0000ccbb);
    assert_int_equal(entry_read(e, 0x48, 4), 0);
    f->def.caps_len = -5;
    assert_int_equal(entry_read(e, 0x40, 4), 0);
}

static void test_mem_device_writes_the_header_and_drops_the_rest(void **state)
{
    struct pci_fixture *f = *state;
    uint8_t caps[4] = { 1, 2, 3, 4 };
    f->def.caps = caps;
    f->def.caps_len = 4;
    vmm_pci_entry_t e = mem_entry(&f->def);
    entry_write(e, PCI_INTERRUPT_LINE, 1, 0x0e);
    assert_int_equal(f->def.interrupt_line, 0x0e);
    entry_write(e, PCI_MAX_LAT, 1, 0x77);
    assert_int_equal(f->def.max_latency, 0x77);
    entry_write(e, PCI_COMMAND, 4, 0xffff0006);
    assert_int_equal(f->def.command, 6);
    assert_int_equal(f->def.status, 0xffff);
    entry_write(e, 0x40, 4, 0xffffffff);
    assert_int_equal(f->def.caps_len, 4);
    assert_ptr_equal(f->def.caps, caps);
    assert_int_equal(caps[0], 1);
}

static void test_mem_device_rejects_bad_accesses(void **state)
{
    struct pci_fixture *f = *state;
    uint32_t v = 0x5a5a5a5a;
    vmm_pci_device_def_t before = f->def;
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(NULL, 0, 4, &v), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(&f->def, 0, 4, NULL), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(&f->def, -1, 1, &v), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(&f->def, INT_MIN, 4, &v), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(&f->def, 0, 3, &v), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(&f->def, 0, 0, &v), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(&f->def, 0, 8, &v), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(&f->def, 2, 4, &v), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(&f->def, 0x3f, 2, &v), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_read(&f->def, INT_MAX, 4, &v), -1));
    assert_int_equal(v, 0x5a5a5a5a);
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_write(NULL, 0, 4, 0), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_write(&f->def, -4, 4, 0), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_write(&f->def, 0x3e, 4, 0), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_write(&f->def, 0x3f, 2, 0), -1));
    assert_logs_error(assert_int_equal(vmm_pci_mem_device_write(&f->def, 0, -1, 0), -1));
    assert_memory_equal(&before, &f->def, sizeof(before));
}

static void test_ignore_write_drops_everything(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = { .cookie = &f->def, .ioread = vmm_pci_mem_device_read, .iowrite = vmm_pci_entry_ignore_write };
    entry_write(e, PCI_COMMAND, 2, 0);
    assert_int_equal(vmm_pci_entry_ignore_write(NULL, -7, 99, 0), 0);
    assert_int_equal(f->def.command, PCI_COMMAND_MEMORY);
}

/* ---- BAR emulation ------------------------------------------------------------------------------------------ */

static vmm_pci_bar_t three_bars[3] = {
    { .mem_type = NON_PREFETCH_MEM, .address = 0xE0000000, .size_bits = 12 },
    { .mem_type = PREFETCH_MEM, .address = 0xE0200000, .size_bits = 21 },
    { .mem_type = NON_MEM, .address = 0xC040, .size_bits = 5 },
};

static void test_bars_read_their_fixed_address_and_type_bits(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_create_bar_emulation(mem_entry(&f->def), 3, three_bars));
    assert_non_null(e.ioread);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_0, 4), 0xE0000000);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_1, 4), 0xE0200000 | PCI_BASE_ADDRESS_MEM_PREFETCH);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_2, 4), 0xC040 | PCI_BASE_ADDRESS_SPACE_IO);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_1 + 3, 1), 0xE0);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_2, 2), 0xC041);
}

static void test_bar_size_probe_reads_the_size_mask(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_create_bar_emulation(mem_entry(&f->def), 3, three_bars));
    for (int i = 0; i < 3; i++) {
        entry_write(e, PCI_BASE_ADDRESS_0 + 4 * i, 4, 0xFFFFFFFF);
    }
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_0, 4), 0xFFFFF000);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_1, 4), 0xFFE00000 | PCI_BASE_ADDRESS_MEM_PREFETCH);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_2, 4), 0xFFFFFFE0 | PCI_BASE_ADDRESS_SPACE_IO);
    /* Linux writes the original value back after sizing */
    entry_write(e, PCI_BASE_ADDRESS_0, 4, 0xE0000000);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_0, 4), 0xE0000000);
}

static void test_bar_probe_with_partial_writes(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_create_bar_emulation(mem_entry(&f->def), 1, three_bars));
    entry_write(e, PCI_BASE_ADDRESS_0 + 2, 2, 0xFFFF);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_0, 4), 0xFFFF0000);
    entry_write(e, PCI_BASE_ADDRESS_0 + 1, 1, 0xFF);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_0, 4), 0xFFFFF000);
}

static void test_bar_writes_never_reach_the_device_or_move_the_bar(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_create_bar_emulation(mem_entry(&f->def), 3, three_bars));
    entry_write(e, PCI_BASE_ADDRESS_0, 4, 0x10000000);
    assert_int_equal(f->def.bar0, 0x11111111);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_0, 4) & 0xE0000000, 0xE0000000);
    entry_write(e, PCI_BASE_ADDRESS_0, 4, 0);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_0, 4), 0xE0000000);
}

static void test_bars_past_num_bars_read_zero(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_create_bar_emulation(mem_entry(&f->def), 1, three_bars));
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_1, 4), 0);
    entry_write(e, PCI_BASE_ADDRESS_5, 4, 0xFFFFFFFF);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_5, 4), 0);
    vmm_pci_entry_t none = owned(f, vmm_pci_create_bar_emulation(mem_entry(&f->def), 0, NULL));
    assert_int_equal(entry_read(none, PCI_BASE_ADDRESS_0, 4), 0);
}

static void test_bar_emulation_passes_other_offsets_through(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_create_bar_emulation(mem_entry(&f->def), 3, three_bars));
    assert_int_equal(entry_read(e, PCI_VENDOR_ID, 4), 0x56781234);
    assert_int_equal(entry_read(e, PCI_CARDBUS_CIS, 4), 0);
    entry_write(e, PCI_COMMAND, 2, 3);
    assert_int_equal(f->def.command, 3);
}

static void test_bar_emulation_rejects_bad_arguments(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t ok = mem_entry(&f->def);
    vmm_pci_bar_t bad[] = {
        { .mem_type = NON_PREFETCH_MEM, .address = 0xE0000800, .size_bits = 12 },  /* unaligned */
        { .mem_type = NON_PREFETCH_MEM, .address = 0xE0000000, .size_bits = 3 },   /* too small */
        { .mem_type = NON_PREFETCH_MEM, .address = 0, .size_bits = 32 },           /* too big */
        { .mem_type = PREFETCH_MEM, .address = 0xFFFFF000, .size_bits = 13 },      /* unaligned and past 4 GiB */
        { .mem_type = NON_PREFETCH_MEM, .address = 0x100000000, .size_bits = 12 }, /* past 4 GiB */
        { .mem_type = NON_MEM, .address = 0xFFF0, .size_bits = 5 },                /* past 64 KiB of ports */
        { .mem_type = (pci_mem_type_t)7, .address = 0xE0000000, .size_bits = 12 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_logs_error(assert_null(vmm_pci_create_bar_emulation(ok, 1, &bad[i]).ioread));
    }
    assert_logs_error(assert_null(vmm_pci_create_bar_emulation(ok, -1, three_bars).ioread));
    assert_logs_error(assert_null(vmm_pci_create_bar_emulation(ok, 7, three_bars).ioread));
    assert_logs_error(assert_null(vmm_pci_create_bar_emulation(ok, 1, NULL).ioread));
    vmm_pci_entry_t failed = vmm_pci_create_bar_emulation(ok, 1, &bad[0]);
    assert_logs_error(assert_null(vmm_pci_create_bar_emulation(failed, 1, three_bars).ioread));
    assert_logs_error(assert_null(vmm_pci_create_passthrough_bar_emulation(failed, 1, three_bars).ioread));
    assert_logs_error(assert_null(vmm_pci_create_passthrough_bar_emulation(ok, 1, &bad[1]).ioread));
}

static void test_passthrough_bar_emulation_forwards_bar_registers(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_create_passthrough_bar_emulation(mem_entry(&f->def), 3, three_bars));
    assert_non_null(e.ioread);
    assert_int_equal(entry_read(e, PCI_BASE_ADDRESS_0, 4), 0x11111111);
    entry_write(e, PCI_BASE_ADDRESS_0, 4, 0x22222222);
    assert_int_equal(f->def.bar0, 0x22222222);
}

/* ---- interrupt line ----------------------------------------------------------------------------------------- */

static void test_irq_emulation_reports_the_line_at_each_width(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_create_irq_emulation(mem_entry(&f->def), 10));
    assert_int_equal(entry_read(e, PCI_INTERRUPT_LINE, 1), 10);
    assert_int_equal(entry_read(e, PCI_INTERRUPT_LINE, 2), 0x010a);
    assert_int_equal(entry_read(e, PCI_INTERRUPT_LINE, 4), 0x3322010a);
    assert_int_equal(entry_read(e, PCI_INTERRUPT_PIN, 1), 1);
    assert_int_equal(entry_read(e, PCI_VENDOR_ID, 2), 0x1234);
}

static void test_irq_line_byte_writes_are_swallowed(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_create_irq_emulation(mem_entry(&f->def), 10));
    entry_write(e, PCI_INTERRUPT_LINE, 1, 0xff);
    assert_int_equal(f->def.interrupt_line, 3);
    assert_int_equal(entry_read(e, PCI_INTERRUPT_LINE, 1), 10);
    entry_write(e, PCI_INTERRUPT_LINE, 4, 0x44550166); /* other bytes of the dword still reach the device */
    assert_int_equal(f->def.min_grant, 0x55);
    assert_int_equal(entry_read(e, PCI_INTERRUPT_LINE, 1), 10);
}

static void test_irq_emulation_rejects_bad_arguments(void **state)
{
    struct pci_fixture *f = *state;
    assert_logs_error(assert_null(vmm_pci_create_irq_emulation(mem_entry(&f->def), -1).ioread));
    assert_logs_error(assert_null(vmm_pci_create_irq_emulation(mem_entry(&f->def), 256).ioread));
    vmm_pci_entry_t failed = { 0 };
    assert_logs_error(assert_null(vmm_pci_create_irq_emulation(failed, 5).ioread));
}

static void test_bar_and_irq_emulation_stack_on_a_device_in_the_space(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = mem_entry(&f->def);
    e = vmm_pci_create_bar_emulation(e, 2, three_bars);
    e = vmm_pci_create_irq_emulation(e, 11);
    vmm_pci_address_t a;
    assert_int_equal(vmm_pci_add_entry(f->pci, e, &a), 0);
    assert_int_equal(cfg_read(f->pci, CONF(a.dev, 0, PCI_VENDOR_ID), 0, 4), 0x56781234);
    assert_int_equal(cfg_read(f->pci, CONF(a.dev, 0, PCI_BASE_ADDRESS_1), 0, 4), 0xE0200008);
    cfg_write(f->pci, CONF(a.dev, 0, PCI_BASE_ADDRESS_1), 0, 4, 0xFFFFFFFF);
    assert_int_equal(cfg_read(f->pci, CONF(a.dev, 0, PCI_BASE_ADDRESS_1), 0, 4), 0xFFE00008);
    assert_int_equal(cfg_read(f->pci, CONF(a.dev, 0, PCI_INTERRUPT_LINE), 0, 1), 11);
    assert_int_equal(cfg_read(f->pci, CONF(a.dev, 0, PCI_INTERRUPT_LINE), 1, 1), 1);
}

/* Under ASan or valgrind a wrapper left behind is a leak report; here the device below the chain must survive. */
static void test_destroy_frees_wrapper_chains_but_not_the_device_below_them(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = mem_entry(&f->def);
    e = vmm_pci_create_bar_emulation(e, 2, three_bars);
    e = vmm_pci_create_irq_emulation(e, 11);
    uint8_t caps[] = { 0x40 };
    e = vmm_pci_create_cap_emulation(e, 1, caps, 0, NULL, NULL);
    assert_non_null(e.ioread);
    assert_int_equal(vmm_pci_add_entry(f->pci, e, NULL), 0);
    sel4kvm_pci_destroy(f->pci);
    f->pci = NULL;
    uint32_t v = 0;
    assert_int_equal(vmm_pci_mem_device_read(&f->def, PCI_VENDOR_ID, 4, &v), 0);
    assert_int_equal(v, 0x56781234);
}

static void test_destroy_of_null_space_does_nothing(UNUSED void **state)
{
    sel4kvm_pci_destroy(NULL);
}

static void test_wrapper_callbacks_reject_bad_accesses(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t wrappers[] = {
        owned(f, vmm_pci_create_bar_emulation(mem_entry(&f->def), 1, three_bars)),
        owned(f, vmm_pci_create_irq_emulation(mem_entry(&f->def), 1)),
        owned(f, vmm_pci_create_cap_emulation(mem_entry(&f->def), 0, NULL, 0, NULL, NULL)),
    };
    uint32_t v;
    for (size_t i = 0; i < ARRAY_SIZE(wrappers); i++) {
        vmm_pci_entry_t e = wrappers[i];
        assert_logs_error(assert_int_equal(e.ioread(e.cookie, PCI_BASE_ADDRESS_0, 3, &v), -1));
        assert_logs_error(assert_int_equal(e.ioread(e.cookie, PCI_INTERRUPT_LINE + 2, 4, &v), -1));
        assert_logs_error(assert_int_equal(e.ioread(e.cookie, -4, 4, &v), -1));
        assert_logs_error(assert_int_equal(e.ioread(e.cookie, 0, 4, NULL), -1));
        assert_logs_error(assert_int_equal(e.iowrite(e.cookie, PCI_BASE_ADDRESS_0 + 1, 4, 0), -1));
        assert_logs_error(assert_int_equal(e.iowrite(e.cookie, PCI_INTERRUPT_LINE, 0, 0), -1));
    }
    assert_int_equal(f->def.bar0, 0x11111111);
}

/* ---- capability lists --------------------------------------------------------------------------------------- */

/* Capabilities from 0x40: PM at 0x40 -> MSI at 0x50 -> MSI-X at 0x68 -> vendor at 0x78 -> end. */
static uint8_t msi_caps[0x40];

static void give_caps(vmm_pci_device_def_t *def, const uint8_t chain[][2], size_t n)
{
    memset(msi_caps, 0xee, sizeof(msi_caps));
    for (size_t i = 0; i < n; i++) {
        msi_caps[chain[i][0] - 0x40] = chain[i][1];
        msi_caps[chain[i][0] - 0x40 + 1] = i + 1 < n ? chain[i + 1][0] : 0;
    }
    def->caps = msi_caps;
    def->caps_len = sizeof(msi_caps);
    def->caps_pointer = chain[0][0];
    def->status |= PCI_STATUS_CAP_LIST;
}

static void test_no_msi_leaves_a_device_without_caps_alone(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = owned(f, vmm_pci_no_msi_cap_emulation(mem_entry(&f->def)));
    assert_ptr_equal(e.cookie, &f->def);
    assert_ptr_equal(e.ioread, vmm_pci_mem_device_read);
}

static void test_no_msi_leaves_a_list_without_msi_alone(void **state)
{
    struct pci_fixture *f = *state;
    const uint8_t chain[][2] = { { 0x40, PCI_CAP_ID_PM }, { 0x48, PCI_CAP_ID_VNDR } };
    give_caps(&f->def, chain, 2);
    vmm_pci_entry_t e = owned(f, vmm_pci_no_msi_cap_emulation(mem_entry(&f->def)));
    assert_ptr_equal(e.cookie, &f->def);
}

static void test_no_msi_unlinks_and_hides_msi_and_msix(void **state)
{
    struct pci_fixture *f = *state;
    const uint8_t chain[][2] = {
        { 0x40, PCI_CAP_ID_PM }, { 0x50, PCI_CAP_ID_MSI }, { 0x68, PCI_CAP_ID_MSIX }, { 0x78, PCI_CAP_ID_VNDR }
    };
    give_caps(&f->def, chain, 4);
    vmm_pci_entry_t e = owned(f, vmm_pci_no_msi_cap_emulation(mem_entry(&f->def)));
    assert_ptr_not_equal(e.cookie, &f->def);
    assert_int_equal(entry_read(e, PCI_CAPABILITY_LIST, 1), 0x40);
    assert_int_equal(entry_read(e, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
    assert_int_equal(entry_read(e, 0x40, 4), 0xeeee7801); /* PM now links to the vendor capability */
    assert_int_equal(entry_read(e, 0x79, 1), 0);
    for (int off = 0x50; off < 0x74; off += 4) {
        assert_int_equal(entry_read(e, off, 4), 0);
    }
    assert_int_equal(entry_read(e, 0x78, 1), PCI_CAP_ID_VNDR);
    entry_write(e, 0x50, 4, 0xffffffff); /* a hidden range swallows writes */
}

static void test_no_msi_with_only_msi_clears_the_capability_bit(void **state)
{
    struct pci_fixture *f = *state;
    const uint8_t chain[][2] = { { 0x40, PCI_CAP_ID_MSI } };
    give_caps(&f->def, chain, 1);
    vmm_pci_entry_t e = owned(f, vmm_pci_no_msi_cap_emulation(mem_entry(&f->def)));
    assert_int_equal(entry_read(e, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
    assert_int_equal(entry_read(e, PCI_COMMAND, 4) & (PCI_STATUS_CAP_LIST << 16), 0);
    assert_int_equal(entry_read(e, PCI_CAPABILITY_LIST, 1), 0);
    assert_int_equal(entry_read(e, PCI_VENDOR_ID, 2), 0x1234);
}

static void test_no_msi_cuts_a_looping_or_bad_list(void **state)
{
    struct pci_fixture *f = *state;
    const uint8_t chain[][2] = { { 0x40, PCI_CAP_ID_MSI }, { 0x58, PCI_CAP_ID_PM } };
    give_caps(&f->def, chain, 2);
    msi_caps[0x58 - 0x40 + 1] = 0x40; /* PM points back at MSI */
    vmm_pci_entry_t e;
    assert_logs_warning(e = owned(f, vmm_pci_no_msi_cap_emulation(mem_entry(&f->def))));
    assert_non_null(e.ioread);
    assert_int_equal(entry_read(e, PCI_CAPABILITY_LIST, 1), 0x58);
    assert_int_equal(entry_read(e, 0x59, 1), 0);
    msi_caps[0x58 - 0x40 + 1] = 0x10; /* into the header */
    assert_logs_warning(e = owned(f, vmm_pci_no_msi_cap_emulation(mem_entry(&f->def))));
    assert_int_equal(entry_read(e, 0x59, 1), 0);
}

static void test_no_msi_rejects_bridges_and_unreadable_devices(void **state)
{
    struct pci_fixture *f = *state;
    f->def.header_type = PCI_HEADER_TYPE_BRIDGE;
    assert_logs_error(assert_null(vmm_pci_no_msi_cap_emulation(mem_entry(&f->def)).ioread));
    int writes = 0;
    vmm_pci_entry_t bad = { .cookie = &writes, .ioread = failing_read, .iowrite = failing_write };
    assert_logs_error(assert_null(vmm_pci_no_msi_cap_emulation(bad).ioread));
    assert_logs_error(assert_null(vmm_pci_no_msi_cap_emulation((vmm_pci_entry_t){ 0 }).ioread));
    f->def.header_type = 0x80; /* multi-function type 0 is fine */
    assert_non_null(owned(f, vmm_pci_no_msi_cap_emulation(mem_entry(&f->def))).ioread);
}

static void test_cap_emulation_rejects_bad_arguments(void **state)
{
    struct pci_fixture *f = *state;
    vmm_pci_entry_t e = mem_entry(&f->def);
    uint8_t in_header[] = { 0x30 };
    uint8_t unaligned[] = { 0x41 };
    uint8_t start[] = { 0x50 };
    uint8_t end[] = { 0x50 };
    assert_logs_error(assert_null(vmm_pci_create_cap_emulation(e, 1, in_header, 0, NULL, NULL).ioread));
    assert_logs_error(assert_null(vmm_pci_create_cap_emulation(e, 1, unaligned, 0, NULL, NULL).ioread));
    assert_logs_error(assert_null(vmm_pci_create_cap_emulation(e, -1, NULL, 0, NULL, NULL).ioread));
    assert_logs_error(assert_null(vmm_pci_create_cap_emulation(e, 49, msi_caps, 0, NULL, NULL).ioread));
    assert_logs_error(assert_null(vmm_pci_create_cap_emulation(e, 1, NULL, 0, NULL, NULL).ioread));
    assert_logs_error(assert_null(vmm_pci_create_cap_emulation(e, 0, NULL, 1, start, NULL).ioread));
    assert_logs_error(assert_null(vmm_pci_create_cap_emulation(e, 0, NULL, 1, start, end).ioread));
    assert_logs_error(assert_null(vmm_pci_create_cap_emulation((vmm_pci_entry_t){ 0 }, 0, NULL, 0, NULL, NULL).ioread));
}

/* ---- passthrough -------------------------------------------------------------------------------------------- */

struct fake_bus {
    vmm_pci_address_t last_addr;
    unsigned last_offset, last_width;
    uint32_t last_value;
};

static uint8_t fake_r8(void *c, vmm_pci_address_t a, unsigned int o)
{
    struct fake_bus *b = c;
    b->last_addr = a, b->last_offset = o, b->last_width = 1;
    return 0x81;
}

static uint16_t fake_r16(void *c, vmm_pci_address_t a, unsigned int o)
{
    struct fake_bus *b = c;
    b->last_addr = a, b->last_offset = o, b->last_width = 2;
    return 0x8216;
}

static uint32_t fake_r32(void *c, vmm_pci_address_t a, unsigned int o)
{
    struct fake_bus *b = c;
    b->last_addr = a, b->last_offset = o, b->last_width = 4;
    return 0x83323232;
}

static void fake_w8(void *c, vmm_pci_address_t a, unsigned int o, uint8_t v)
{
    struct fake_bus *b = c;
    b->last_addr = a, b->last_offset = o, b->last_width = 1, b->last_value = v;
}

static void fake_w16(void *c, vmm_pci_address_t a, unsigned int o, uint16_t v)
{
    struct fake_bus *b = c;
    b->last_addr = a, b->last_offset = o, b->last_width = 2, b->last_value = v;
}

static void fake_w32(void *c, vmm_pci_address_t a, unsigned int o, uint32_t v)
{
    struct fake_bus *b = c;
    b->last_addr = a, b->last_offset = o, b->last_width = 4, b->last_value = v;
}

static void test_passthrough_forwards_each_width_to_the_accessors(void **state)
{
    struct pci_fixture *f = *state;
    struct fake_bus bus = { 0 };
    vmm_pci_config_t cfg = { &bus, fake_r8, fake_r16, fake_r32, fake_w8, fake_w16, fake_w32 };
    vmm_pci_entry_t e = owned(f, vmm_pci_create_passthrough((vmm_pci_address_t){ 2, 3, 4 }, cfg));
    assert_int_equal(entry_read(e, 0x3d, 1), 0x81);
    assert_int_equal(bus.last_offset, 0x3d);
    assert_int_equal(bus.last_addr.bus * 100 + bus.last_addr.dev * 10 + bus.last_addr.fun, 234);
    assert_int_equal(entry_read(e, 0x06, 2), 0x8216);
    assert_int_equal(entry_read(e, 0x10, 4), 0x83323232);
    assert_int_equal(bus.last_width, 4);
    entry_write(e, 0x04, 2, 0x12345);
    assert_int_equal(bus.last_value, 0x2345);
    assert_int_equal(bus.last_width, 2);
    entry_write(e, 0x0c, 1, 0x1ff);
    assert_int_equal(bus.last_value, 0xff);
    entry_write(e, 0x14, 4, 0xdeadbeef);
    assert_int_equal(bus.last_value, 0xdeadbeef);
    uint32_t v;
    bus.last_width = 0;
    assert_logs_error(assert_int_equal(e.ioread(e.cookie, 0x11, 4, &v), -1));
    assert_logs_error(assert_int_equal(e.iowrite(e.cookie, 0x10, 3, 0), -1));
    assert_int_equal(bus.last_width, 0);
}

static void test_passthrough_rejects_a_missing_accessor(void **state)
{
    (void)state;
    vmm_pci_config_t cfg = { NULL, fake_r8, fake_r16, fake_r32, fake_w8, NULL, fake_w32 };
    assert_logs_error(assert_null(vmm_pci_create_passthrough((vmm_pci_address_t){ 0, 1, 0 }, cfg).ioread));
}

/* ---- host BAR mapping --------------------------------------------------------------------------------------- */

static libpci_device_iocfg_t host_cfg(void)
{
    libpci_device_iocfg_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.base_addr[0] = 0xC0000000;
    cfg.base_addr_size[0] = 0x2000;
    cfg.base_addr_space[0] = PCI_BASE_ADDRESS_SPACE_MEMORY;
    cfg.base_addr[2] = 0xC0100000;
    cfg.base_addr_size[2] = 0x1000;
    cfg.base_addr_space[2] = PCI_BASE_ADDRESS_SPACE_MEMORY;
    cfg.base_addr_prefetchable[2] = 1;
    return cfg;
}

static void test_map_bars_backs_memory_bars_at_their_addresses(void **state)
{
    struct vm_fixture *vf = *state;
    libpci_device_iocfg_t cfg = host_cfg();
    vmm_pci_bar_t bars[6];
    assert_int_equal(vmm_pci_helper_map_bars(&vf->vm, &cfg, bars), 2);
    assert_int_equal(bars[0].mem_type, NON_PREFETCH_MEM);
    assert_int_equal(bars[0].address, 0xC0000000);
    assert_int_equal(bars[0].size_bits, 13);
    assert_int_equal(bars[1].mem_type, PREFETCH_MEM);
    assert_int_equal(bars[1].address, 0xC0100000);
    assert_int_equal(bars[1].size_bits, 12);
    /* the guest range is taken now */
    assert_null(vm_reserve_memory_at(&vf->vm, 0xC0001000, 0x1000, default_error_fault_callback, NULL));
    /* guest accesses are served by memory, not the error callback */
    sel4kvm_test_access_t out;
    assert_int_equal(sel4kvm_test_mmio_write(vf->vcpu, 0xC0001ff8, 8, 0x1122334455667788, NULL), 0);
    assert_int_equal(sel4kvm_test_mmio_read(vf->vcpu, 0xC0001ff8, 8, &out), 0);
    assert_int_equal(out.read_value, 0x1122334455667788);
    assert_int_equal(out.callbacks, 0);
}

static void test_map_bars_rejects_io_bars_and_bad_sizes_before_reserving(void **state)
{
    struct vm_fixture *vf = *state;
    vmm_pci_bar_t bars[6];
    libpci_device_iocfg_t cfg = host_cfg();
    cfg.base_addr[4] = 0xC000;
    cfg.base_addr_size[4] = 0x20;
    cfg.base_addr_space[4] = PCI_BASE_ADDRESS_SPACE_IO;
    assert_logs_error(assert_int_equal(vmm_pci_helper_map_bars(&vf->vm, &cfg, bars), -1));
    cfg = host_cfg();
    cfg.base_addr_size[0] = 0x3000;
    assert_logs_error(assert_int_equal(vmm_pci_helper_map_bars(&vf->vm, &cfg, bars), -1));
    cfg = host_cfg();
    cfg.base_addr[0] = 0xC0001000;
    assert_logs_error(assert_int_equal(vmm_pci_helper_map_bars(&vf->vm, &cfg, bars), -1));
    assert_logs_error(assert_int_equal(vmm_pci_helper_map_bars(NULL, &cfg, bars), -1));
    assert_logs_error(assert_int_equal(vmm_pci_helper_map_bars(&vf->vm, NULL, bars), -1));
    assert_logs_error(assert_int_equal(vmm_pci_helper_map_bars(&vf->vm, &cfg, NULL), -1));
    /* nothing was reserved by the failures */
    vm_memory_reservation_t *r = vm_reserve_memory_at(&vf->vm, 0xC0000000, 0x2000, default_error_fault_callback, NULL);
    assert_non_null(r);
    assert_int_equal(vm_free_reserved_memory(&vf->vm, r), 0);
}

static void test_map_bars_undoes_earlier_bars_when_a_later_one_fails(void **state)
{
    struct vm_fixture *vf = *state;
    vm_memory_reservation_t *taken = vm_reserve_memory_at(&vf->vm, 0xC0100000, 0x1000, default_error_fault_callback,
                                                          NULL);
    assert_non_null(taken);
    libpci_device_iocfg_t cfg = host_cfg();
    vmm_pci_bar_t bars[6];
    assert_logs_error(assert_int_equal(vmm_pci_helper_map_bars(&vf->vm, &cfg, bars), -1));
    vm_memory_reservation_t *r = vm_reserve_memory_at(&vf->vm, 0xC0000000, 0x2000, default_error_fault_callback, NULL);
    assert_non_null(r);
}

static void test_map_bars_with_no_used_bars_maps_none(void **state)
{
    struct vm_fixture *vf = *state;
    libpci_device_iocfg_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.base_addr[1] = 0x1234; /* high word of a 64-bit BAR is skipped */
    cfg.base_addr_64H[1] = true;
    vmm_pci_bar_t bars[6];
    assert_int_equal(vmm_pci_helper_map_bars(&vf->vm, &cfg, bars), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        PCI_TEST(test_init_puts_host_bridge_at_00_00_0),
        PCI_TEST(test_init_rejects_null_result),
        PCI_TEST(test_define_host_bridge_fills_every_field),
        PCI_TEST(test_add_entry_takes_next_free_slot_and_reports_it),
        PCI_TEST(test_add_entry_fails_when_bus_is_full),
        PCI_TEST(test_destroy_frees_wrapper_chains_but_not_the_device_below_them),
        PCI_TEST(test_destroy_of_null_space_does_nothing),
        PCI_TEST(test_add_entry_rejects_null_space_and_missing_callbacks),
        PCI_TEST(test_make_addr_reg_from_config_splits_the_fields),
        PCI_TEST(test_find_device_misses_other_buses_and_out_of_range_slots),
        PCI_TEST(test_data_window_reads_at_every_width_and_port),
        PCI_TEST(test_data_window_write_reaches_the_selected_register),
        PCI_TEST(test_address_register_reads_back_with_low_bits_clear),
        PCI_TEST(test_address_register_partial_accesses_merge_bytes),
        PCI_TEST(test_enable_bit_clear_reads_all_ones_and_drops_writes),
        PCI_TEST(test_absent_functions_read_all_ones_of_the_access_size),
        PCI_TEST(test_multi_function_bit_is_hidden_from_the_guest),
        PCI_TEST(test_straddling_port_accesses_read_all_ones_and_write_nothing),
        PCI_TEST(test_failing_entry_reads_all_ones_and_the_guest_goes_on),
        PCI_TEST(test_port_handlers_reject_bad_arguments),
        VM_TEST(test_guest_port_io_reaches_config_space_through_a_vm),
        VM_TEST(test_hostile_guest_port_sequence_never_stops_the_vm),
        PCI_TEST(test_mem_device_reads_fields_at_each_width),
        PCI_TEST(test_mem_device_reads_the_last_header_bytes),
        PCI_TEST(test_mem_device_reads_past_the_header_as_zero),
        PCI_TEST(test_mem_device_serves_caps_after_the_header),
        PCI_TEST(test_mem_device_writes_the_header_and_drops_the_rest),
        PCI_TEST(test_mem_device_rejects_bad_accesses),
        PCI_TEST(test_ignore_write_drops_everything),
        PCI_TEST(test_bars_read_their_fixed_address_and_type_bits),
        PCI_TEST(test_bar_size_probe_reads_the_size_mask),
        PCI_TEST(test_bar_probe_with_partial_writes),
        PCI_TEST(test_bar_writes_never_reach_the_device_or_move_the_bar),
        PCI_TEST(test_bars_past_num_bars_read_zero),
        PCI_TEST(test_bar_emulation_passes_other_offsets_through),
        PCI_TEST(test_bar_emulation_rejects_bad_arguments),
        PCI_TEST(test_passthrough_bar_emulation_forwards_bar_registers),
        PCI_TEST(test_irq_emulation_reports_the_line_at_each_width),
        PCI_TEST(test_irq_line_byte_writes_are_swallowed),
        PCI_TEST(test_irq_emulation_rejects_bad_arguments),
        PCI_TEST(test_bar_and_irq_emulation_stack_on_a_device_in_the_space),
        PCI_TEST(test_wrapper_callbacks_reject_bad_accesses),
        PCI_TEST(test_no_msi_leaves_a_device_without_caps_alone),
        PCI_TEST(test_no_msi_leaves_a_list_without_msi_alone),
        PCI_TEST(test_no_msi_unlinks_and_hides_msi_and_msix),
        PCI_TEST(test_no_msi_with_only_msi_clears_the_capability_bit),
        PCI_TEST(test_no_msi_cuts_a_looping_or_bad_list),
        PCI_TEST(test_no_msi_rejects_bridges_and_unreadable_devices),
        PCI_TEST(test_cap_emulation_rejects_bad_arguments),
        PCI_TEST(test_passthrough_forwards_each_width_to_the_accessors),
        PCI_TEST(test_passthrough_rejects_a_missing_accessor),
        VM_TEST(test_map_bars_backs_memory_bars_at_their_addresses),
        VM_TEST(test_map_bars_rejects_io_bars_and_bad_sizes_before_reserving),
        VM_TEST(test_map_bars_undoes_earlier_bars_when_a_later_one_fails),
        VM_TEST(test_map_bars_with_no_used_bars_maps_none),
    };
    return cmocka_run_group_tests_name("virtual PCI", tests, quiet_group, loud_group);
}
