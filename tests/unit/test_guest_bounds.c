/* Guest-controlled values reaching host copies (RAM ranges, cross-VM registers, PCI config) stay in bounds. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pci/helper.h>
#include <sel4kvm/env.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/test_backend.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include <vka/object.h>
#include "quiet_log.h"

#define PAGE 0x1000ul
/* Two RAM registrations with a one-page gap between them. */
#define RAM_A 0x100000ul
#define RAM_A_SIZE 0x4000ul
#define RAM_B (RAM_A + RAM_A_SIZE + PAGE)
#define RAM_B_SIZE 0x4000ul
#define RAM_END (RAM_B + RAM_B_SIZE)
/* Where the "guest" leaves a descriptor for the VMM to follow. */
#define DESCRIPTOR RAM_A
#define CONN_BASE 0x80000000ul
#define CONN_ID 0x42
#define CONN_NAME "bounds"
#define IRQ 11
#define BAR_ADDR 0xc0000000ul
#define DEVICE_IRQ 10
#define CANARIES 4
#define CANARY_BYTE 0xc3
#define PAD_BYTE 0x5c

/* A device header with guard bytes on both sides, so a write outside the header shows. */
struct guarded_def {
    uint8_t before[64];
    vmm_pci_device_def_t def;
    uint8_t after[64];
};

static struct {
    sel4kvm_env_t env;
    vm_t vm;
    vm_vcpu_t *vcpu;
    vmm_pci_space_t *pci;
    uint8_t *canary[CANARIES];
    uint8_t *dataport;
    struct guarded_def extra;
    int extra_slot, crossvm_slot;
    unsigned emits;
    uint8_t ram[RAM_A_SIZE + RAM_B_SIZE];
} fx;

static void count_emit(void)
{
    fx.emits++;
}

static int alloc_irq(void)
{
    return IRQ;
}

static uint8_t *new_frame(seL4_CPtr *cap)
{
    vka_object_t frame;
    if (vka_alloc_frame(&fx.env.vka, seL4_PageBits, &frame) != 0) {
        return NULL;
    }
    *cap = frame.cptr;
    return sel4kvm_sim_paddr_to_host(seL4_X86_Page_GetAddress(frame.cptr).paddr, PAGE);
}

static int new_canary(int i)
{
    seL4_CPtr cap;
    fx.canary[i] = new_frame(&cap);
    if (fx.canary[i] == NULL) {
        return -1;
    }
    memset(fx.canary[i], CANARY_BYTE, PAGE);
    return 0;
}

static int add_extra_device(void)
{
    memset(&fx.extra, PAD_BYTE, sizeof(fx.extra));
    fx.extra.def = (vmm_pci_device_def_t){ .vendor_id = 0x1234, .device_id = 0x5678 };
    vmm_pci_bar_t bar = { .mem_type = NON_PREFETCH_MEM, .address = BAR_ADDR, .size_bits = 12 };
    vmm_pci_entry_t e = { .cookie = &fx.extra.def,
                          .ioread = vmm_pci_mem_device_read,
                          .iowrite = vmm_pci_mem_device_write };
    e = vmm_pci_create_bar_emulation(e, 1, &bar);
    e = vmm_pci_create_irq_emulation(e, DEVICE_IRQ);
    vmm_pci_address_t addr;
    if (vmm_pci_add_entry(fx.pci, e, &addr) != 0) {
        return -1;
    }
    fx.extra_slot = addr.dev;
    return 0;
}

/* RAM in two pieces, a PCI bus with a device of the VMM's and a cross-VM connection, and VMM-only frames allocated
 * between the ones the guest gets. */
static int setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof(fx));
    if (sel4kvm_env_init(&fx.env, NULL) != 0 || vm_init(&fx.vm, &fx.env.vka, &fx.env.simple, fx.env.vspace,
                                                        &fx.env.io_ops, fx.env.host_endpoint, "bounds") != 0) {
        return -1;
    }
    fx.vcpu = vm_create_vcpu(&fx.vm, 100);
    if (fx.vcpu == NULL || vm_create_default_irq_controller(&fx.vm) != 0 || new_canary(0) != 0 ||
        vm_ram_register_at(&fx.vm, RAM_A, RAM_A_SIZE, false) != 0 || new_canary(1) != 0 ||
        vm_ram_register_at(&fx.vm, RAM_B, RAM_B_SIZE, false) != 0 || new_canary(2) != 0) {
        return -1;
    }
    seL4_CPtr dataport;
    fx.dataport = new_frame(&dataport);
    if (fx.dataport == NULL || new_canary(3) != 0 || vmm_pci_init(&fx.pci) != 0 || add_extra_device() != 0) {
        return -1;
    }
    vm_ioport_interface_t config = {
        .cookie = fx.pci, .port_in = vmm_pci_io_port_in, .port_out = vmm_pci_io_port_out, .desc = "PCI config"
    };
    if (vm_io_port_add_handler(&fx.vm, (vm_ioport_range_t){ PCI_CONF_PORT_ADDR, PCI_CONF_PORT_DATA_END - 1 }, config) !=
        0) {
        return -1;
    }
    memset(fx.dataport, 0x77, PAGE);
    crossvm_dataport_handle_t dp = { .size = PAGE, .num_frames = 1, .frames = &dataport };
    crossvm_handle_t conn = {
        .dataport = &dp, .emit_fn = count_emit, .consume_id = CONN_ID, .connection_name = CONN_NAME
    };
    if (cross_vm_connections_init_common(&fx.vm, CONN_BASE, &conn, 1, fx.pci, alloc_irq) != 0) {
        return -1;
    }
    fx.crossvm_slot = fx.extra_slot + 1;
    for (size_t i = 0; i < sizeof(fx.ram); i++) {
        fx.ram[i] = (uint8_t)(i * 13 + 5);
    }
    if (vm_ram_touch(&fx.vm, RAM_A, RAM_A_SIZE, vm_guest_ram_write_callback, fx.ram) != 0 ||
        vm_ram_touch(&fx.vm, RAM_B, RAM_B_SIZE, vm_guest_ram_write_callback, fx.ram + RAM_A_SIZE) != 0) {
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (fx.vm.vm_initialised) {
        sel4kvm_vm_destroy(&fx.vm);
    }
    sel4kvm_pci_destroy(fx.pci);
    sel4kvm_env_destroy(&fx.env);
    return 0;
}

/* Guest RAM holds what setup (and the test, through fx.ram) put there, and nothing the VMM owns changed. */
static void assert_nothing_else_changed(void)
{
    uint8_t now[sizeof(fx.ram)];
    assert_int_equal(vm_ram_touch(&fx.vm, RAM_A, RAM_A_SIZE, vm_guest_ram_read_callback, now), 0);
    assert_int_equal(vm_ram_touch(&fx.vm, RAM_B, RAM_B_SIZE, vm_guest_ram_read_callback, now + RAM_A_SIZE), 0);
    assert_memory_equal(now, fx.ram, sizeof(now));
    for (int i = 0; i < CANARIES; i++) {
        for (size_t j = 0; j < PAGE; j++) {
            if (fx.canary[i][j] != CANARY_BYTE) {
                fail_msg("canary frame %d changed at 0x%zx", i, j);
            }
        }
    }
    for (size_t j = 0; j < sizeof(fx.extra.before); j++) {
        assert_int_equal(fx.extra.before[j], PAD_BYTE);
        assert_int_equal(fx.extra.after[j], PAD_BYTE);
    }
}

/* ---- RAM ranges computed from guest data ------------------------------------------------------------------- */

struct descriptor {
    uint64_t addr;
    uint64_t len;
};

static int touched;

static int scribble(vm_t *vm, uintptr_t addr, void *vaddr, size_t size, size_t offset, void *cookie)
{
    (void)vm;
    (void)addr;
    (void)offset;
    (void)cookie;
    touched++;
    memset(vaddr, 0xee, size);
    return 0;
}

/* What a device model does with a buffer descriptor the guest wrote: reads it from guest RAM and writes the buffer
 * it names. */
static int follow_descriptor(struct descriptor d)
{
    size_t at = DESCRIPTOR - RAM_A;
    memcpy(fx.ram + at, &d, sizeof(d));
    assert_int_equal(vm_ram_touch(&fx.vm, DESCRIPTOR, sizeof(d), vm_guest_ram_write_callback, &d), 0);
    struct descriptor seen;
    assert_int_equal(vm_ram_touch(&fx.vm, DESCRIPTOR, sizeof(seen), vm_guest_ram_read_callback, &seen), 0);
    touched = 0;
    return vm_ram_touch(&fx.vm, (uintptr_t)seen.addr, (size_t)seen.len, scribble, NULL);
}

static void test_touch_of_guest_described_ranges_past_ram_edges_is_refused_untouched(void **state)
{
    (void)state;
    const struct descriptor refused[] = {
        { RAM_END, 1 },                        /* just past the end */
        { RAM_END - 1, 2 },                    /* last byte and one more */
        { RAM_END - 4, PAGE },                 /* runs a page past the end */
        { RAM_A - 1, 1 },                      /* just before the start */
        { RAM_A - 1, 2 },                      /* straddles the start */
        { RAM_A + RAM_A_SIZE - 1, 2 },         /* into the gap */
        { RAM_A, RAM_END - RAM_A },            /* over the gap */
        { RAM_A + RAM_A_SIZE, 1 },             /* in the gap */
        { RAM_A, 0 },                          /* empty */
        { RAM_A, SIZE_MAX },                   /* huge */
        { RAM_A + 0x10, (uint64_t)-RAM_A },    /* end wraps to just above zero */
        { UINTPTR_MAX, 1 },                    /* the last address */
        { UINTPTR_MAX - 3, 8 },                /* wraps through zero */
        { (uint64_t)-PAGE, 2 * PAGE + RAM_A }, /* wraps into RAM */
        { 0, RAM_A + 1 },                      /* from zero into RAM */
    };
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        if (follow_descriptor(refused[i]) != -1 || touched != 0) {
            fail_msg("descriptor %zu (0x%llx, +0x%llx) was not refused untouched", i,
                     (unsigned long long)refused[i].addr, (unsigned long long)refused[i].len);
        }
    }
    assert_nothing_else_changed();
}

static void test_touch_of_the_last_bytes_of_ram_writes_exactly_them(void **state)
{
    (void)state;
    assert_int_equal(follow_descriptor((struct descriptor){ RAM_END - 4, 4 }), 0);
    assert_int_equal(touched, 1);
    memset(fx.ram + sizeof(fx.ram) - 4, 0xee, 4);
    assert_nothing_else_changed();
}

/* ---- cross-VM registers ------------------------------------------------------------------------------------ */

static int guest_write(uintptr_t addr, size_t size, uint64_t value)
{
    sel4kvm_test_access_t a;
    return sel4kvm_test_mmio_write(fx.vcpu, addr, size, value, &a);
}

static uint64_t guest_read(uintptr_t addr, size_t size)
{
    sel4kvm_test_access_t a;
    assert_int_equal(sel4kvm_test_mmio_read(fx.vcpu, addr, size, &a), 0);
    return a.read_value;
}

static uint64_t pattern(uintptr_t offset, size_t width)
{
    return 0x0123456789abcdefull ^ ((uint64_t)offset << 8 | width);
}

static void test_every_event_page_offset_and_width_changes_only_its_registers(void **state)
{
    (void)state;
    unsigned emits = 0;
    uint32_t counter = 0;
    for (size_t width = 1; width <= 8; width *= 2) {
        for (uintptr_t offset = 0; offset < PAGE; offset++) {
            int ret = guest_write(CONN_BASE + offset, width, pattern(offset, width));
            /* The reservation is the page: an access running past it is refused before any callback. */
            assert_int_equal(ret, offset + width > PAGE ? -1 : 0);
            if (offset < 4 && (offset == 0 || offset + width <= 4)) {
                emits++;
            } else if (offset >= 4 && offset + width <= 8) {
                uint32_t mask = (uint32_t)MASK(width * 8) << ((offset - 4) * 8);
                counter = (counter & ~mask) | ((uint32_t)(pattern(offset, width) << ((offset - 4) * 8)) & mask);
            }
        }
    }
    assert_int_equal(fx.emits, emits);
    assert_int_equal(guest_read(CONN_BASE + 4, 4), counter);
    char name[48] = CONN_NAME;
    for (size_t i = 0; i < sizeof(name); i++) {
        assert_int_equal(guest_read(CONN_BASE + 8 + i, 1), (uint8_t)name[i]);
    }
    for (uintptr_t offset = 8 + sizeof(name); offset < PAGE; offset += 8) {
        assert_int_equal(guest_read(CONN_BASE + offset, 8), 0);
    }
    for (size_t j = 0; j < PAGE; j++) {
        assert_int_equal(fx.dataport[j], 0x77);
    }
    consume_connection_event(&fx.vm, CONN_ID, false);
    assert_int_equal(guest_read(CONN_BASE + 4, 4), counter + 1);
    assert_nothing_else_changed();
}

/* ---- PCI configuration space and BARs ---------------------------------------------------------------------- */

static void config_write(unsigned dev, unsigned fn, unsigned reg, size_t width, uint32_t value)
{
    assert_int_equal(sel4kvm_test_io_out(fx.vcpu, PCI_CONF_PORT_ADDR, 4, BIT(31) | dev << 11 | fn << 8 | (reg & 0xfc)),
                     0);
    assert_int_equal(sel4kvm_test_io_out(fx.vcpu, PCI_CONF_PORT_DATA + (reg & 3), width, value), 0);
}

static uint32_t config_read32(unsigned dev, unsigned reg)
{
    assert_int_equal(sel4kvm_test_io_out(fx.vcpu, PCI_CONF_PORT_ADDR, 4, BIT(31) | dev << 11 | reg), 0);
    unsigned value = 0;
    assert_int_equal(sel4kvm_test_io_in(fx.vcpu, PCI_CONF_PORT_DATA, 4, &value), 0);
    return value;
}

static void test_config_writes_everywhere_stay_inside_headers_and_move_no_bar(void **state)
{
    (void)state;
    static const uint32_t values[] = { 0xffffffffu, 0xfffffffeu, 0x1u, 0xdeadbeefu, 0x80000007u };
    for (unsigned dev = 0; dev < 4; dev++) {
        for (unsigned fn = 0; fn < 8; fn += 7) {
            for (size_t width = 1; width <= 4; width *= 2) {
                for (unsigned reg = 0; reg < 256; reg += (unsigned)width) {
                    config_write(dev, fn, reg, width, values[(reg / width) % ARRAY_SIZE(values)]);
                }
            }
        }
    }
    /* Data-port accesses that run past the window's end are dropped. */
    assert_int_equal(sel4kvm_test_io_out(fx.vcpu, PCI_CONF_PORT_DATA + 2, 4, 0xffffffffu), 0);
    assert_int_equal(sel4kvm_test_io_out(fx.vcpu, PCI_CONF_PORT_DATA + 3, 2, 0xffffu), 0);
    /* The writes reached the header (upstream's memory-backed devices let the guest rewrite even their IDs)... */
    assert_int_equal(fx.extra.def.vendor_id, 0xffff);
    /* ...and went no further: not into the host pointer after it, nor the guard bytes (assert_nothing_else_changed). */
    assert_null(fx.extra.def.caps);
    assert_int_equal(fx.extra.def.caps_len, 0);
    const uint32_t extra_bar0 = BAR_ADDR, crossvm_bar0 = CONN_BASE | PCI_BASE_ADDRESS_MEM_PREFETCH;
    for (unsigned bar = 0; bar < 6; bar++) {
        config_write(fx.extra_slot, 0, PCI_BASE_ADDRESS_0 + 4 * bar, 4, 0);
        config_write(fx.crossvm_slot, 0, PCI_BASE_ADDRESS_0 + 4 * bar, 4, 0);
        assert_int_equal(config_read32(fx.extra_slot, PCI_BASE_ADDRESS_0 + 4 * bar), bar == 0 ? extra_bar0 : 0);
        uint32_t want = bar == 0 ? crossvm_bar0 : bar == 1 ? (uint32_t)(CONN_BASE + PAGE) | 0x8 : 0;
        assert_int_equal(config_read32(fx.crossvm_slot, PCI_BASE_ADDRESS_0 + 4 * bar), want);
    }
    assert_int_equal(config_read32(fx.extra_slot, PCI_INTERRUPT_LINE) & 0xff, DEVICE_IRQ);
    assert_int_equal(config_read32(fx.crossvm_slot, PCI_INTERRUPT_LINE) & 0xff, IRQ);
    /* The event page is where it was, with its name. */
    assert_int_equal(guest_read(CONN_BASE + 8, 1), 'b');
    assert_nothing_else_changed();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_touch_of_guest_described_ranges_past_ram_edges_is_refused_untouched, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_touch_of_the_last_bytes_of_ram_writes_exactly_them, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_event_page_offset_and_width_changes_only_its_registers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_config_writes_everywhere_stay_inside_headers_and_move_no_bar, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, quiet_group, loud_group);
}
