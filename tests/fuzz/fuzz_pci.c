/* libFuzzer harness: PCI configuration mechanism #1 accesses and cross-VM event page writes from a hostile guest. */
/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bus holds the host bridge (00:00.0), a memory device with BAR, IRQ and capability emulation (00:01.0) and
 * two cross-VM connections (00:02.0, 00:03.0). The input is a sequence of port accesses on 0xCF8-0xCFF of 1, 2
 * or 4 bytes and of guest accesses to the connections' event pages. The harness keeps its own copy of the
 * address register and checks that reads of absent functions (or with the enable bit clear) give all ones.
 */
#include <pci/pci.h>
#include <sel4kvm/test_backend.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include <vka/object.h>
#include "fuzz_common.h"

#define CONN_BASE 0x80000000ul
#define CONNS 2
#define DP_FRAMES 2
#define DP_SIZE (DP_FRAMES * 0x1000ul)
#define MAX_STEPS 256
#define PRESENT_DEVICES 4 /* bridge, memory device, two connections: devices 0-3, function 0 */

static seL4_CPtr frames[CONNS][DP_FRAMES];
static crossvm_dataport_handle_t dataports[CONNS];
static unsigned emits;

static void emit0(void)
{
    emits++;
}

static int alloc_irq(void)
{
    return 11;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_env_up();
    for (int i = 0; i < CONNS; i++) {
        for (int j = 0; j < DP_FRAMES; j++) {
            vka_object_t f;
            FUZZ_CHECK(vka_alloc_frame(&fuzz_env.vka, seL4_PageBits, &f) == 0);
            frames[i][j] = f.cptr;
        }
        dataports[i] = (crossvm_dataport_handle_t){ .size = DP_SIZE, .num_frames = DP_FRAMES, .frames = frames[i] };
    }
    return 0;
}

/* A device header with a capability list: MSI at 0x40 then a vendor capability at 0x58. */
static void define_device(vmm_pci_device_def_t *def, uint8_t *caps, size_t caps_len)
{
    memset(def, 0, sizeof(*def));
    def->vendor_id = 0x1234;
    def->device_id = 0x5678;
    def->class_code = 0x05;
    def->status = PCI_STATUS_CAP_LIST;
    def->caps_pointer = 0x40;
    def->interrupt_pin = 1;
    memset(caps, 0, caps_len);
    caps[0x00] = PCI_CAP_ID_MSI;
    caps[0x01] = 0x58;
    caps[0x18] = PCI_CAP_ID_VNDR;
    caps[0x19] = 0;
    def->caps = caps;
    def->caps_len = (int)caps_len;
}

static bool function_present(uint32_t conf)
{
    unsigned bus = (conf >> 16) & 0xff, dev = (conf >> 11) & 0x1f, fun = (conf >> 8) & 7;
    return bus == 0 && fun == 0 && dev < PRESENT_DEVICES;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vm_t vm;
    static vmm_pci_device_def_t def;
    static uint8_t caps[0x30];
    struct fuzz_input in = { .data = data, .size = size };
    vm_vcpu_t *vcpu = fuzz_vm_up(&vm);
    FUZZ_CHECK(vm_create_default_irq_controller(&vm) == 0);
    vmm_pci_space_t *pci = NULL;
    FUZZ_CHECK(vmm_pci_init(&pci) == 0);

    define_device(&def, caps, sizeof(caps));
    vmm_pci_bar_t bars[2] = { { .mem_type = NON_PREFETCH_MEM, .address = 0xe0000000, .size_bits = 12 },
                              { .mem_type = NON_MEM, .address = 0xc000, .size_bits = 5 } };
    vmm_pci_entry_t e = { .cookie = &def, .ioread = vmm_pci_mem_device_read, .iowrite = vmm_pci_mem_device_write };
    e = vmm_pci_create_bar_emulation(e, 2, bars);
    e = vmm_pci_create_irq_emulation(e, 10);
    e = vmm_pci_no_msi_cap_emulation(e);
    FUZZ_CHECK(vmm_pci_add_entry(pci, e, NULL) == 0);

    crossvm_handle_t conns[CONNS] = {
        { .dataport = &dataports[0], .emit_fn = emit0, .consume_id = 100, .connection_name = "fuzz" },
        { .dataport = &dataports[1], .consume_id = (seL4_Word)-1 },
    };
    FUZZ_CHECK(cross_vm_connections_init_common(&vm, CONN_BASE, conns, CONNS, pci, alloc_irq) == 0);

    /* The harness's view of the address register; unknown after a write that runs past 0xCFB. */
    uint32_t conf = 0;
    bool conf_known = true;
    static const unsigned sizes[3] = { 1, 2, 4 };
    for (int step = 0; step < MAX_STEPS && fuzz_more(&in); step++) {
        uint8_t op = fuzz_u8(&in);
        unsigned port = PCI_CONF_PORT_ADDR + ((op >> 2) & 7);
        unsigned sz = sizes[(op >> 5) % 3];
        switch (op & 3) {
        case 0: /* out, usually to the address register */
            port = (op & 0x80) != 0 ? port : PCI_CONF_PORT_ADDR + ((op >> 2) & 3u);
            /* fallthrough */
        case 1: {
            uint32_t value = fuzz_u32(&in);
            FUZZ_CHECK(vmm_pci_io_port_out(vcpu, pci, port, sz, value) == IO_FAULT_HANDLED);
            if (port < PCI_CONF_PORT_ADDR_END) {
                unsigned off = port - PCI_CONF_PORT_ADDR;
                if (off + sz > 4) {
                    conf_known = false;
                } else {
                    for (unsigned i = 0; i < sz; i++) {
                        unsigned shift = 8 * (off + i);
                        conf = (conf & ~(0xffu << shift)) | (((value >> (8 * i)) & 0xffu) << shift);
                    }
                }
            }
            break;
        }
        case 2: {
            unsigned result = 0x5a5a5a5a;
            FUZZ_CHECK(vmm_pci_io_port_in(vcpu, pci, port, sz, &result) == IO_FAULT_HANDLED);
            unsigned ones = sz == 4 ? 0xffffffffu : (1u << (8 * sz)) - 1;
            FUZZ_CHECK((result & ~ones) == 0 || sz == 4);
            if (!conf_known) {
                break;
            }
            if (port == PCI_CONF_PORT_ADDR && sz == 4) {
                FUZZ_CHECK(result == (conf & ~3u));
            } else if (port >= PCI_CONF_PORT_DATA) {
                bool absent = (conf & 0x80000000u) == 0 || !function_present(conf);
                bool crosses = port + sz > PCI_CONF_PORT_DATA_END;
                FUZZ_CHECK(!(absent || crosses) || result == ones);
            }
            break;
        }
        default: { /* the guest touches a connection's event page */
            unsigned conn = (op >> 2) & 1;
            uintptr_t addr = CONN_BASE + conn * 2 * DP_SIZE + (fuzz_u16(&in) % 0x1000);
            if ((op & 0x80) != 0) {
                sel4kvm_test_mmio_write(vcpu, addr, sz, fuzz_u32(&in), NULL);
            } else {
                sel4kvm_test_mmio_read(vcpu, addr, sz, NULL);
            }
            break;
        }
        }
    }
    FUZZ_CHECK(sel4kvm_vm_destroy(&vm) >= 0);
    sel4kvm_pci_destroy(pci);
    return 0;
}
