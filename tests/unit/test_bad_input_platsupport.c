/* Bad-input matrix for libsel4vmmplatsupport (sel4vmmplatsupport/): error value, message, VM still works. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "bad_input.h"
#include <limits.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vmmplatsupport/device.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include <sel4vmmplatsupport/guest_memory_util.h>
#include <sel4vmmplatsupport/ioports.h>

/* What the rows create, released after each row. */
static struct {
    vmm_pci_space_t *pci;
    vmm_io_port_list_t *io;
    device_list_t devs;
    vmm_pci_device_def_t def;
    vka_object_t dp_frame;
    crossvm_dataport_handle_t dp;
    crossvm_handle_t conn[33];
} ps;

static void ps_cleanup(UNUSED struct bi_fixture *f)
{
    sel4kvm_pci_destroy(ps.pci);
    if (ps.io != NULL) {
        for (int i = 0; i < ps.io->num_ioports; i++) {
            free(ps.io->ioports[i]);
        }
        free(ps.io->ioports);
        free(ps.io);
    }
    free(ps.devs.devices);
    memset(&ps, 0, sizeof(ps));
}

static vmm_pci_space_t *pci(void)
{
    if (ps.pci == NULL) {
        assert_int_equal(vmm_pci_init(&ps.pci), 0);
    }
    return ps.pci;
}

static vmm_io_port_list_t *io(void)
{
    if (ps.io == NULL) {
        assert_int_equal(vmm_io_port_init(&ps.io, 0x8000), 0);
    }
    return ps.io;
}

static device_list_t *devs(void)
{
    if (ps.devs.devices == NULL && ps.devs.num_devices == 0) {
        assert_int_equal(device_list_init(&ps.devs), 0);
    }
    return &ps.devs;
}

/* A memory-backed type-0 device entry over ps.def. */
static vmm_pci_entry_t mem_entry(void)
{
    ps.def.vendor_id = 0x1234;
    ps.def.device_id = 0x5678;
    return (
        vmm_pci_entry_t){ .cookie = &ps.def, .ioread = vmm_pci_mem_device_read, .iowrite = vmm_pci_mem_device_write };
}

static vmm_pci_entry_t bridge_entry(void)
{
    vmm_pci_entry_t e = mem_entry();
    ps.def.header_type = 1;
    return e;
}

static const vmm_pci_entry_t no_entry = { 0 };

static uint8_t cfg_read8(UNUSED void *c, UNUSED vmm_pci_address_t a, UNUSED unsigned int o)
{
    return 0;
}

static uint32_t cfg_read32(UNUSED void *c, UNUSED vmm_pci_address_t a, UNUSED unsigned int o)
{
    return 0;
}

/* Accessors with the 16-bit ones missing. */
static vmm_pci_config_t partial_config(void)
{
    return (vmm_pci_config_t){ .ioread8 = cfg_read8, .ioread32 = cfg_read32 };
}

static int io_in(UNUSED void *cookie, UNUSED unsigned int port, UNUSED unsigned int size, unsigned int *result)
{
    *result = 0x42;
    return 0;
}

static int io_fail(UNUSED void *cookie, UNUSED unsigned int port, UNUSED unsigned int size, UNUSED unsigned int *r)
{
    return -1;
}

static int io_out(UNUSED void *cookie, UNUSED unsigned int port, UNUSED unsigned int size, UNUSED unsigned int value)
{
    return 0;
}

static ioport_interface_t io_iface(void)
{
    return (ioport_interface_t){ .port_in = io_in, .port_out = io_out, .desc = "bad-input" };
}

static ioport_range_t io_range(uint16_t start, uint16_t end, uint16_t size)
{
    return (ioport_range_t){ .start = start, .end = end, .size = size };
}

static int dev_fault(UNUSED vm_t *vm, UNUSED vm_vcpu_t *vcpu, UNUSED struct device *dev, UNUSED uintptr_t addr,
                     UNUSED size_t len)
{
    return 0;
}

static struct device dev(seL4_Word start, seL4_Word size)
{
    return (struct device){ .name = "bad-input", .pstart = start, .size = size, .handle_device_fault = dev_fault };
}

static int alloc_irq(void)
{
    return 5;
}

/* One valid one-page connection (connection 0); n more copies of it if asked for. */
static crossvm_handle_t *connections(struct bi_fixture *f, int n)
{
    if (ps.dp.frames == NULL) {
        assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &ps.dp_frame), 0);
        ps.dp = (crossvm_dataport_handle_t){ .size = 0x1000, .num_frames = 1, .frames = &ps.dp_frame.cptr };
    }
    for (int i = 0; i < n; i++) {
        ps.conn[i] = (crossvm_handle_t){ .dataport = &ps.dp, .consume_id = 100 + i };
    }
    return ps.conn;
}

/* vmm_pci_helper_map_bars over a device with one BAR. */
static int map_one_bar(vm_t *vm, uint32_t addr, uint8_t space, uint32_t size)
{
    libpci_device_iocfg_t cfg = { .base_addr = { addr }, .base_addr_space = { space }, .base_addr_size = { size } };
    vmm_pci_bar_t bars[6];
    return vmm_pci_helper_map_bars(vm, &cfg, bars);
}

static vm_t *irq_vm(struct bi_fixture *f)
{
    vm_create_default_irq_controller(&f->vm);
    return &f->vm;
}

static vm_memory_reservation_t *page_res(struct bi_fixture *f, uintptr_t addr)
{
    f->res = vm_reserve_memory_at(&f->vm, addr, 0x1000, bi_count_fault, &f->addr);
    assert_non_null(f->res);
    return f->res;
}

static memory_fault_result_t no_fault(UNUSED vm_t *vm, UNUSED vm_vcpu_t *vcpu, UNUSED uintptr_t addr, UNUSED size_t len,
                                      UNUSED void *cookie)
{
    return FAULT_ERROR;
}

/* Still works: a device lands on the PCI bus and its vendor id reads back through the config ports. */
static void pci_works(struct bi_fixture *f)
{
    vm_ioport_interface_t iface = { .cookie = pci(), .port_in = vmm_pci_io_port_in, .port_out = vmm_pci_io_port_out };
    assert_int_equal(vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ 0xcf8, 0xcff }, iface), 0);
    vmm_pci_address_t addr;
    assert_int_equal(vmm_pci_add_entry(pci(), mem_entry(), &addr), 0);
    assert_int_equal(sel4kvm_test_io_out(f->vcpu, 0xcf8, 4, 0x80000000u | (addr.dev << 11)), 0);
    unsigned int value = 0;
    assert_int_equal(sel4kvm_test_io_in(f->vcpu, 0xcfc, 2, &value), 0);
    assert_int_equal(value, 0x1234);
}

static void io_works(UNUSED struct bi_fixture *f)
{
    assert_non_null(vmm_io_port_add_handler(io(), io_range(0x700, 0x707, 0), io_iface(), IOPORT_ADDR));
    unsigned int value = 0;
    assert_int_equal(emulate_io_handler(io(), 0x703, true, 1, &value), 0);
    assert_int_equal(value, 0x42);
}

static void devs_work(UNUSED struct bi_fixture *f)
{
    struct device d = dev(0x900000, 0x1000);
    assert_int_equal(add_device(devs(), &d), 0);
    assert_non_null(find_device_by_pa(devs(), 0x900fff));
}

static void frame_works(struct bi_fixture *f)
{
    uint32_t *page = create_allocated_reservation_frame(&f->vm, 0xa00000, seL4_AllRights, no_fault, NULL);
    assert_non_null(page);
    page[1] = 0xabcd;
    sel4kvm_test_access_t access;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, 0xa00004, 4, &access), 0);
    assert_int_equal(access.read_value, 0xabcd);
}

/* Still works: the reservation the row left behind maps with fresh frames and holds data. */
static void res_maps(struct bi_fixture *f)
{
    assert_int_equal(map_frame_alloc_reservation(&f->vm, f->res), 0);
    uintptr_t addr;
    size_t size;
    vm_get_reservation_memory_region(f->res, &addr, &size);
    sel4kvm_test_access_t access;
    assert_int_equal(sel4kvm_test_mmio_write(f->vcpu, addr, 4, 0x77, &access), 0);
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, addr, 4, &access), 0);
    assert_int_equal(access.read_value, 0x77);
}

static void crossvm_works(struct bi_fixture *f)
{
    assert_int_equal(cross_vm_connections_init_common(irq_vm(f), 0xb00000, connections(f, 1), 1, pci(), alloc_irq), 0);
    consume_connection_event(&f->vm, 100, true);
    sel4kvm_test_access_t access;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, 0xb00004, 4, &access), 0);
    assert_int_equal(access.read_value, 1);
}

static vm_t uninitialised_vm;

#define L BI_LOGS
#define Q BI_QUIET
#define V (&f->vm)
#define BAR(a, bits) ((vmm_pci_bar_t){ .mem_type = NON_PREFETCH_MEM, .address = (a), .size_bits = (bits) })
#define IOREAD(entry_expr) ((intptr_t)(entry_expr).ioread)
#define U32(var) uint32_t var = 0

/* clang-format off */
#define ROWS(X)                                                                                                        \
    X(vmm_pci_init, null_space, -1, L, pci_works, vmm_pci_init(NULL))                                                  \
    X(vmm_pci_add_entry, null_space, -1, L, pci_works, vmm_pci_add_entry(NULL, mem_entry(), NULL))                     \
    X(vmm_pci_add_entry, missing_callbacks, -1, L, pci_works, vmm_pci_add_entry(pci(), no_entry, NULL))                \
    X(vmm_pci_add_entry, missing_iowrite, -1, L, pci_works, ({                                                         \
          vmm_pci_entry_t e_ = mem_entry();                                                                            \
          e_.iowrite = NULL;                                                                                           \
          vmm_pci_add_entry(pci(), e_, NULL);                                                                          \
      }))                                                                                                              \
    X(vmm_pci_add_entry, bus_full, -1, L, NULL, ({                                                                     \
          for (int i_ = 1; i_ < 32; i_++) {                                                                            \
              assert_int_equal(vmm_pci_add_entry(pci(), mem_entry(), NULL), 0);                                        \
          }                                                                                                            \
          vmm_pci_add_entry(pci(), mem_entry(), NULL);                                                                 \
      }))                                                                                                              \
    X(sel4kvm_pci_destroy, null_space_does_nothing, 0, Q, pci_works, (sel4kvm_pci_destroy(NULL), 0))                   \
    X(make_addr_reg_from_config, null_outputs, 0, L, pci_works,                                                        \
      (make_addr_reg_from_config(0x80000000u, NULL, NULL), 0))                                                         \
    X(make_addr_reg_from_config, all_ones, 0xff + 0xff + 31 + 7, Q, pci_works, ({                                      \
          vmm_pci_address_t a_;                                                                                        \
          uint8_t r_;                                                                                                  \
          make_addr_reg_from_config(~0u, &a_, &r_);                                                                    \
          a_.bus + r_ + a_.dev + a_.fun;                                                                               \
      }))                                                                                                              \
    X(find_device, null_space, NULL, L, pci_works, find_device(NULL, (vmm_pci_address_t) {0}))                         \
    X(find_device, bus_one, NULL, Q, pci_works, find_device(pci(), (vmm_pci_address_t) {.bus = 1}))                    \
    X(find_device, device_past_31, NULL, Q, pci_works, find_device(pci(), (vmm_pci_address_t) {.dev = 32}))            \
    X(find_device, function_past_7, NULL, Q, pci_works, find_device(pci(), (vmm_pci_address_t) {.fun = 8}))            \
    X(vmm_pci_entry_ignore_write, null_cookie, 0, Q, pci_works, vmm_pci_entry_ignore_write(NULL, -1, 3, 0))            \
    X(vmm_pci_mem_device_read, null_cookie, -1, L, pci_works, ({                                                       \
          U32(r_);                                                                                                     \
          vmm_pci_mem_device_read(NULL, 0, 4, &r_);                                                                    \
      }))                                                                                                              \
    X(vmm_pci_mem_device_read, null_result, -1, L, pci_works, vmm_pci_mem_device_read(&ps.def, 0, 4, NULL))            \
    X(vmm_pci_mem_device_read, negative_offset, -1, L, pci_works, ({                                                   \
          U32(r_);                                                                                                     \
          vmm_pci_mem_device_read(&ps.def, -4, 4, &r_);                                                                \
      }))                                                                                                              \
    X(vmm_pci_mem_device_read, size_three, -1, L, pci_works, ({                                                        \
          U32(r_);                                                                                                     \
          vmm_pci_mem_device_read(&ps.def, 0, 3, &r_);                                                                 \
      }))                                                                                                              \
    X(vmm_pci_mem_device_read, size_zero, -1, L, pci_works, ({                                                         \
          U32(r_);                                                                                                     \
          vmm_pci_mem_device_read(&ps.def, 0, 0, &r_);                                                                 \
      }))                                                                                                              \
    X(vmm_pci_mem_device_read, crosses_header_end, -1, L, pci_works, ({                                                \
          U32(r_);                                                                                                     \
          vmm_pci_mem_device_read(&ps.def, 0x3e, 4, &r_);                                                              \
      }))                                                                                                              \
    X(vmm_pci_mem_device_read, max_offset_reads_zero, 0, Q, pci_works, ({                                              \
          uint32_t r_ = 5;                                                                                             \
          vmm_pci_mem_device_read(&ps.def, INT_MAX - 3, 4, &r_) + (int)r_;                                             \
      }))                                                                                                              \
    X(vmm_pci_mem_device_write, null_cookie, -1, L, pci_works, vmm_pci_mem_device_write(NULL, 0, 4, 0))                \
    X(vmm_pci_mem_device_write, negative_offset, -1, L, pci_works, vmm_pci_mem_device_write(&ps.def, -1, 1, 0))        \
    X(vmm_pci_mem_device_write, size_three, -1, L, pci_works, vmm_pci_mem_device_write(&ps.def, 0, 3, 0))              \
    X(vmm_pci_mem_device_write, crosses_header_end, -1, L, pci_works, vmm_pci_mem_device_write(&ps.def, 0x3f, 2, 0))   \
    X(vmm_pci_mem_device_write, max_offset_dropped, 0, Q, pci_works, vmm_pci_mem_device_write(&ps.def, INT_MAX, 1, 0)) \
    X(define_pci_host_bridge, null_bridge, 0, L, pci_works, (define_pci_host_bridge(NULL), 0))                         \
    X(vmm_pci_create_passthrough, missing_accessor, NULL, L, pci_works,                                                \
      IOREAD(vmm_pci_create_passthrough((vmm_pci_address_t) {0}, partial_config())))                                  \
    X(vmm_pci_create_bar_emulation, too_many_bars, NULL, L, pci_works, ({                                              \
          vmm_pci_bar_t b_[7] = {0};                                                                                   \
          IOREAD(vmm_pci_create_bar_emulation(mem_entry(), 7, b_));                                                    \
      }))                                                                                                              \
    X(vmm_pci_create_bar_emulation, negative_bars, NULL, L, pci_works,                                                 \
      IOREAD(vmm_pci_create_bar_emulation(mem_entry(), -1, NULL)))                                                     \
    X(vmm_pci_create_bar_emulation, null_bars, NULL, L, pci_works, IOREAD(vmm_pci_create_bar_emulation(mem_entry(), 1, \
                                                                                                         NULL)))       \
    X(vmm_pci_create_bar_emulation, unaligned_bar, NULL, L, pci_works, ({                                              \
          vmm_pci_bar_t b_ = BAR(0xc0000800, 12);                                                                      \
          IOREAD(vmm_pci_create_bar_emulation(mem_entry(), 1, &b_));                                                   \
      }))                                                                                                              \
    X(vmm_pci_create_bar_emulation, bar_size_past_32_bits, NULL, L, pci_works, ({                                      \
          vmm_pci_bar_t b_ = BAR(0, 40);                                                                               \
          IOREAD(vmm_pci_create_bar_emulation(mem_entry(), 1, &b_));                                                   \
      }))                                                                                                              \
    X(vmm_pci_create_bar_emulation, existing_without_ioread, NULL, L, pci_works, ({                                    \
          vmm_pci_bar_t b_ = BAR(0xc0000000, 12);                                                                      \
          IOREAD(vmm_pci_create_bar_emulation(no_entry, 1, &b_));                                                      \
      }))                                                                                                              \
    X(vmm_pci_create_passthrough_bar_emulation, too_many_bars, NULL, L, pci_works, ({                                  \
          vmm_pci_bar_t b_[7] = {0};                                                                                   \
          IOREAD(vmm_pci_create_passthrough_bar_emulation(mem_entry(), 7, b_));                                        \
      }))                                                                                                              \
    X(vmm_pci_create_passthrough_bar_emulation, null_bars, NULL, L, pci_works,                                         \
      IOREAD(vmm_pci_create_passthrough_bar_emulation(mem_entry(), 2, NULL)))                                          \
    X(vmm_pci_create_passthrough_bar_emulation, existing_without_ioread, NULL, L, pci_works,                           \
      IOREAD(vmm_pci_create_passthrough_bar_emulation(no_entry, 0, NULL)))                                             \
    X(vmm_pci_create_irq_emulation, irq_past_255, NULL, L, pci_works, IOREAD(vmm_pci_create_irq_emulation(mem_entry(), \
                                                                                                         256)))        \
    X(vmm_pci_create_irq_emulation, negative_irq, NULL, L, pci_works, IOREAD(vmm_pci_create_irq_emulation(mem_entry(), \
                                                                                                         -1)))         \
    X(vmm_pci_create_irq_emulation, existing_without_ioread, NULL, L, pci_works,                                       \
      IOREAD(vmm_pci_create_irq_emulation(no_entry, 5)))                                                               \
    X(vmm_pci_create_cap_emulation, too_many_caps, NULL, L, pci_works, ({                                              \
          uint8_t c_[49];                                                                                              \
          memset(c_, 0x40, sizeof(c_));                                                                                \
          IOREAD(vmm_pci_create_cap_emulation(mem_entry(), 49, c_, 0, NULL, NULL));                                    \
      }))                                                                                                              \
    X(vmm_pci_create_cap_emulation, cap_inside_header, NULL, L, pci_works, ({                                          \
          uint8_t c_ = 0x10;                                                                                           \
          IOREAD(vmm_pci_create_cap_emulation(mem_entry(), 1, &c_, 0, NULL, NULL));                                    \
      }))                                                                                                              \
    X(vmm_pci_create_cap_emulation, null_caps, NULL, L, pci_works,                                                     \
      IOREAD(vmm_pci_create_cap_emulation(mem_entry(), 1, NULL, 0, NULL, NULL)))                                       \
    X(vmm_pci_create_cap_emulation, negative_ranges, NULL, L, pci_works,                                               \
      IOREAD(vmm_pci_create_cap_emulation(mem_entry(), 0, NULL, -1, NULL, NULL)))                                      \
    X(vmm_pci_create_cap_emulation, null_ranges, NULL, L, pci_works,                                                   \
      IOREAD(vmm_pci_create_cap_emulation(mem_entry(), 0, NULL, 1, NULL, NULL)))                                       \
    X(vmm_pci_create_cap_emulation, existing_without_ioread, NULL, L, pci_works,                                       \
      IOREAD(vmm_pci_create_cap_emulation(no_entry, 0, NULL, 0, NULL, NULL)))                                          \
    X(vmm_pci_no_msi_cap_emulation, existing_without_ioread, NULL, L, pci_works,                                       \
      IOREAD(vmm_pci_no_msi_cap_emulation(no_entry)))                                                                  \
    X(vmm_pci_no_msi_cap_emulation, not_type_0, NULL, L, pci_works,                                                    \
      IOREAD(vmm_pci_no_msi_cap_emulation(bridge_entry())))                                                            \
    X(vmm_pci_helper_map_bars, null_vm, -1, L, pci_works, ({                                                           \
          libpci_device_iocfg_t c_ = {0};                                                                              \
          vmm_pci_bar_t b_[6];                                                                                         \
          vmm_pci_helper_map_bars(NULL, &c_, b_);                                                                      \
      }))                                                                                                              \
    X(vmm_pci_helper_map_bars, null_cfg, -1, L, pci_works, ({                                                          \
          vmm_pci_bar_t b_[6];                                                                                         \
          vmm_pci_helper_map_bars(V, NULL, b_);                                                                        \
      }))                                                                                                              \
    X(vmm_pci_helper_map_bars, null_bars, -1, L, pci_works, ({                                                         \
          libpci_device_iocfg_t c_ = {0};                                                                              \
          vmm_pci_helper_map_bars(V, &c_, NULL);                                                                       \
      }))                                                                                                              \
    X(vmm_pci_helper_map_bars, io_bar, -1, L, pci_works, map_one_bar(V, 0x1000, PCI_BASE_ADDRESS_SPACE_IO, 0x100))    \
    X(vmm_pci_helper_map_bars, size_not_power_of_two, -1, L, pci_works,                                                \
      map_one_bar(V, 0xc0000000, PCI_BASE_ADDRESS_SPACE_MEMORY, 0x3000))                                               \
    X(vmm_pci_helper_map_bars, unaligned_address, -1, L, pci_works,                                                    \
      map_one_bar(V, 0xc0000800, PCI_BASE_ADDRESS_SPACE_MEMORY, 0x1000))                                               \
    X(vmm_pci_io_port_in, null_cookie, IO_FAULT_ERROR, L, pci_works, ({                                                \
          unsigned r_;                                                                                                 \
          vmm_pci_io_port_in(NULL, NULL, 0xcfc, 4, &r_);                                                               \
      }))                                                                                                              \
    X(vmm_pci_io_port_in, null_result, IO_FAULT_ERROR, L, pci_works, vmm_pci_io_port_in(NULL, pci(), 0xcfc, 4, NULL))  \
    X(vmm_pci_io_port_in, port_outside_window, IO_FAULT_ERROR, L, pci_works, ({                                        \
          unsigned r_;                                                                                                 \
          vmm_pci_io_port_in(NULL, pci(), 0xd00, 4, &r_);                                                              \
      }))                                                                                                              \
    X(vmm_pci_io_port_in, size_three, IO_FAULT_ERROR, L, pci_works, ({                                                 \
          unsigned r_;                                                                                                 \
          vmm_pci_io_port_in(NULL, pci(), 0xcfc, 3, &r_);                                                              \
      }))                                                                                                              \
    X(vmm_pci_io_port_out, null_cookie, IO_FAULT_ERROR, L, pci_works, vmm_pci_io_port_out(NULL, NULL, 0xcf8, 4, 0))    \
    X(vmm_pci_io_port_out, port_outside_window, IO_FAULT_ERROR, L, pci_works,                                          \
      vmm_pci_io_port_out(NULL, pci(), 0xcf7, 1, 0))                                                                   \
    X(vmm_pci_io_port_out, size_eight, IO_FAULT_ERROR, L, pci_works, vmm_pci_io_port_out(NULL, pci(), 0xcf8, 8, 0))    \
    X(device_list_init, null_list, -1, L, devs_work, device_list_init(NULL))                                           \
    X(add_device, null_list, -1, L, devs_work, ({                                                                      \
          struct device d_ = dev(0x800000, 0x1000);                                                                    \
          add_device(NULL, &d_);                                                                                       \
      }))                                                                                                              \
    X(add_device, null_device, -1, L, devs_work, add_device(devs(), NULL))                                             \
    X(add_device, zero_size, -1, L, devs_work, ({                                                                      \
          struct device d_ = dev(0x800000, 0);                                                                         \
          add_device(devs(), &d_);                                                                                     \
      }))                                                                                                              \
    X(add_device, range_wraps, -1, L, devs_work, ({                                                                    \
          struct device d_ = dev(~(seL4_Word)0 - 0xfff, 0x2000);                                                       \
          add_device(devs(), &d_);                                                                                     \
      }))                                                                                                              \
    X(add_device, overlaps_last_byte, -1, L, devs_work, ({                                                             \
          struct device d_ = dev(0x800000, 0x1000);                                                                    \
          assert_int_equal(add_device(devs(), &d_), 0);                                                                \
          d_ = dev(0x800fff, 0x10);                                                                                    \
          add_device(devs(), &d_);                                                                                     \
      }))                                                                                                              \
    X(find_device_by_pa, null_list, NULL, L, devs_work, find_device_by_pa(NULL, 0x800000))                             \
    X(find_device_by_pa, past_the_end, NULL, Q, devs_work, ({                                                          \
          struct device d_ = dev(0x800000, 0x1000);                                                                    \
          assert_int_equal(add_device(devs(), &d_), 0);                                                                \
          find_device_by_pa(devs(), 0x801000);                                                                         \
      }))                                                                                                              \
    X(vmm_io_port_init, null_list, -1, L, io_works, vmm_io_port_init(NULL, 0x8000))                                    \
    X(vmm_io_port_add_handler, null_list, NULL, L, io_works,                                                           \
      vmm_io_port_add_handler(NULL, io_range(0x700, 0x707, 0), io_iface(), IOPORT_ADDR))                               \
    X(vmm_io_port_add_handler, bad_type, NULL, L, io_works,                                                            \
      vmm_io_port_add_handler(io(), io_range(0x700, 0x707, 0), io_iface(), (ioport_type_t)7))                          \
    X(vmm_io_port_add_handler, start_after_end, NULL, L, io_works,                                                     \
      vmm_io_port_add_handler(io(), io_range(0x707, 0x700, 0), io_iface(), IOPORT_ADDR))                               \
    X(vmm_io_port_add_handler, overlaps_at_inclusive_end, NULL, L, io_works, ({                                        \
          assert_non_null(vmm_io_port_add_handler(io(), io_range(0x600, 0x607, 0), io_iface(), IOPORT_ADDR));          \
          vmm_io_port_add_handler(io(), io_range(0x607, 0x60f, 0), io_iface(), IOPORT_ADDR);                           \
      }))                                                                                                              \
    X(vmm_io_port_add_handler, free_size_zero, NULL, L, io_works,                                                      \
      vmm_io_port_add_handler(io(), io_range(0, 0, 0), io_iface(), IOPORT_FREE))                                       \
    X(vmm_io_port_add_handler, allocator_exhausted, NULL, L, io_works,                                                 \
      vmm_io_port_add_handler(io(), io_range(0, 0, 0x8000), io_iface(), IOPORT_FREE))                                  \
    X(emulate_io_handler, null_list, -1, L, io_works, ({                                                               \
          unsigned d_;                                                                                                 \
          emulate_io_handler(NULL, 0x700, true, 1, &d_);                                                               \
      }))                                                                                                              \
    X(emulate_io_handler, null_data, -1, L, io_works, emulate_io_handler(io(), 0x700, true, 1, NULL))                  \
    X(emulate_io_handler, size_three, -1, L, io_works, ({                                                              \
          unsigned d_;                                                                                                 \
          assert_non_null(vmm_io_port_add_handler(io(), io_range(0x600, 0x607, 0), io_iface(), IOPORT_ADDR));          \
          emulate_io_handler(io(), 0x600, true, 3, &d_);                                                               \
      }))                                                                                                              \
    X(emulate_io_handler, no_range_is_unhandled, 1, Q, io_works, ({                                                    \
          unsigned d_;                                                                                                 \
          emulate_io_handler(io(), 0x650, true, 1, &d_);                                                               \
      }))                                                                                                              \
    X(emulate_io_handler, failing_handler, -1, L, io_works, ({                                                         \
          unsigned d_;                                                                                                 \
          ioport_interface_t i_ = {.port_in = io_fail, .port_out = io_out, .desc = "failing"};                         \
          assert_non_null(vmm_io_port_add_handler(io(), io_range(0x600, 0x607, 0), i_, IOPORT_ADDR));                  \
          emulate_io_handler(io(), 0x600, true, 1, &d_);                                                               \
      }))                                                                                                              \
    X(create_allocated_reservation_frame, null_vm, NULL, L, frame_works,                                               \
      create_allocated_reservation_frame(NULL, 0xa00000, seL4_AllRights, no_fault, NULL))                              \
    X(create_allocated_reservation_frame, null_callback, NULL, L, frame_works,                                         \
      create_allocated_reservation_frame(V, 0xa00000, seL4_AllRights, NULL, NULL))                                     \
    X(create_allocated_reservation_frame, unaligned, NULL, L, frame_works,                                             \
      create_allocated_reservation_frame(V, 0xa00010, seL4_AllRights, no_fault, NULL))                                 \
    X(create_allocated_reservation_frame, uninitialised_vm, NULL, L, frame_works,                                      \
      create_allocated_reservation_frame(&uninitialised_vm, 0xa00000, seL4_AllRights, no_fault, NULL))                 \
    X(create_allocated_reservation_frame, already_reserved, NULL, L, frame_works,                                      \
      (page_res(f, 0xc00000), create_allocated_reservation_frame(V, 0xc00000, seL4_AllRights, no_fault, NULL)))        \
    X(create_device_reservation_frame, null_vm, NULL, L, frame_works,                                                  \
      create_device_reservation_frame(NULL, 0xa00000, seL4_AllRights, no_fault, NULL))                                 \
    X(create_device_reservation_frame, unaligned, NULL, L, frame_works,                                                \
      create_device_reservation_frame(V, 0xfee00010, seL4_AllRights, no_fault, NULL))                                  \
    X(create_device_reservation_frame, no_device_memory_there, NULL, L, frame_works,                                   \
      create_device_reservation_frame(V, 0x7ff000000000ul, seL4_AllRights, no_fault, NULL))                            \
    X(map_ut_alloc_reservation_with_base_paddr, null_vm, -1, L, res_maps,                                              \
      map_ut_alloc_reservation_with_base_paddr(NULL, 0, page_res(f, 0xc00000)))                                        \
    X(map_ut_alloc_reservation_with_base_paddr, null_reservation, -1, L, NULL,                                         \
      map_ut_alloc_reservation_with_base_paddr(V, 0, NULL))                                                            \
    X(map_ut_alloc_reservation_with_base_paddr, unaligned_paddr, -1, L, res_maps,                                      \
      map_ut_alloc_reservation_with_base_paddr(V, 0x10, page_res(f, 0xc00000)))                                        \
    X(map_ut_alloc_reservation_with_base_paddr, paddr_wraps, -1, L, res_maps,                                          \
      map_ut_alloc_reservation_with_base_paddr(V, UINTPTR_MAX - 0xfff, ({                                              \
          page_res(f, 0xc00000);                                                                                       \
          f->res = vm_reserve_memory_at(V, 0xc01000, 0x2000, bi_count_fault, &f->addr);                               \
      })))                                                                                                             \
    X(map_ut_alloc_reservation_with_base_paddr, no_memory_at_paddr, -1, L, res_maps,                                   \
      map_ut_alloc_reservation_with_base_paddr(V, 0x7ff000000000ul, page_res(f, 0xc00000)))                            \
    X(map_ut_alloc_reservation, null_vm, -1, L, res_maps, map_ut_alloc_reservation(NULL, page_res(f, 0xc00000)))       \
    X(map_ut_alloc_reservation, null_reservation, -1, L, NULL, map_ut_alloc_reservation(V, NULL))                      \
    X(map_ut_alloc_reservation, uninitialised_vm, -1, L, res_maps,                                                     \
      map_ut_alloc_reservation(&uninitialised_vm, page_res(f, 0xc00000)))                                             \
    X(map_frame_alloc_reservation, null_vm, -1, L, res_maps, map_frame_alloc_reservation(NULL, page_res(f, 0xc00000))) \
    X(map_frame_alloc_reservation, null_reservation, -1, L, NULL, map_frame_alloc_reservation(V, NULL))                \
    X(map_frame_alloc_reservation, already_mapped, -1, L, NULL, ({                                                     \
          assert_int_equal(map_frame_alloc_reservation(V, page_res(f, 0xc00000)), 0);                                  \
          map_frame_alloc_reservation(V, f->res);                                                                      \
      }))                                                                                                              \
    X(map_maybe_device_reservation, null_vm, -1, L, res_maps,                                                          \
      map_maybe_device_reservation(NULL, page_res(f, 0xc00000)))                                                       \
    X(map_maybe_device_reservation, null_reservation, -1, L, NULL, map_maybe_device_reservation(V, NULL))              \
    X(cross_vm_connections_init_common, null_vm, -1, L, crossvm_works,                                                 \
      cross_vm_connections_init_common(NULL, 0xb00000, connections(f, 1), 1, pci(), alloc_irq))                        \
    X(cross_vm_connections_init_common, null_connections, -1, L, crossvm_works,                                        \
      cross_vm_connections_init_common(irq_vm(f), 0xb00000, NULL, 1, pci(), alloc_irq))                                \
    X(cross_vm_connections_init_common, zero_connections, -1, L, crossvm_works,                                        \
      cross_vm_connections_init_common(irq_vm(f), 0xb00000, connections(f, 1), 0, pci(), alloc_irq))                   \
    X(cross_vm_connections_init_common, too_many_connections, -1, L, crossvm_works,                                    \
      cross_vm_connections_init_common(irq_vm(f), 0xb00000, connections(f, 33), 33, pci(), alloc_irq))                 \
    X(cross_vm_connections_init_common, null_pci, -1, L, crossvm_works,                                                \
      cross_vm_connections_init_common(irq_vm(f), 0xb00000, connections(f, 1), 1, NULL, alloc_irq))                    \
    X(cross_vm_connections_init_common, null_alloc_irq, -1, L, crossvm_works,                                          \
      cross_vm_connections_init_common(irq_vm(f), 0xb00000, connections(f, 1), 1, pci(), NULL))                        \
    X(cross_vm_connections_init_common, null_dataport, -1, L, crossvm_works, ({                                        \
          crossvm_handle_t c_ = {.dataport = NULL};                                                                    \
          cross_vm_connections_init_common(irq_vm(f), 0xb00000, &c_, 1, pci(), alloc_irq);                             \
      }))                                                                                                              \
    X(cross_vm_connections_init_common, misaligned_base, -1, L, crossvm_works,                                         \
      cross_vm_connections_init_common(irq_vm(f), 0xb00800, connections(f, 1), 1, pci(), alloc_irq))                  \
    X(cross_vm_connections_init_common, base_wraps, -1, L, crossvm_works,                                              \
      cross_vm_connections_init_common(irq_vm(f), UINTPTR_MAX - 0xfff, connections(f, 1), 1, pci(), alloc_irq))        \
    X(cross_vm_connections_init_common, overlaps_reservation, -1, L, NULL,                                             \
      (page_res(f, 0xb01000),                                                                                          \
       cross_vm_connections_init_common(irq_vm(f), 0xb00000, connections(f, 1), 1, pci(), alloc_irq)))                 \
    X(cross_vm_connections_init_common, twice, -1, L, NULL, ({                                                         \
          crossvm_works(f);                                                                                            \
          cross_vm_connections_init_common(V, 0xd00000, connections(f, 1), 1, pci(), alloc_irq);                       \
      }))                                                                                                              \
    X(consume_connection_event, null_vm, 0, L, crossvm_works, (consume_connection_event(NULL, 100, true), 0))          \
    X(consume_connection_event, no_connections, 0, L, crossvm_works, (consume_connection_event(V, 100, true), 0))      \
    X(consume_connection_event, unknown_id, 0, L, NULL, (crossvm_works(f), consume_connection_event(V, 999, true), 0))
/* clang-format on */

ROWS(BI_DEFINE_CALL)

static const struct bad_input_case rows[] = { ROWS(BI_DEFINE_ROW) };

static const char *const headers[] = { "sel4vmmplatsupport", NULL };

int main(void)
{
    bi_area_cleanup = ps_cleanup;
    return bi_run("bad_input_platsupport", rows, ARRAY_SIZE(rows), headers);
}
