/* Tests: cross-VM connections — layout, event page, PCI devices, the shared interrupt, concurrency, teardown. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <pci/helper.h>
#include <sel4kvm/env.h>
#include <sel4kvm/log.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/test_backend.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include <vka/object.h>
#include "quiet_log.h"

#define BASE 0x80000000ul
#define IRQ 11
#define MAX_CONN 33
#define FRAMES_PER_CONN 2
#define DP_SIZE (FRAMES_PER_CONN * 4096ul)

struct fixture {
    sel4kvm_env_t env;
    vm_t vm;
    vm_vcpu_t *vcpu;
    vmm_pci_space_t *pci;
    seL4_CPtr frames[MAX_CONN][FRAMES_PER_CONN];
    crossvm_dataport_handle_t dp[MAX_CONN];
    crossvm_handle_t conn[MAX_CONN];
};

static struct fixture fx;
static int emits[2];
static int irq_calls;
static int irq_to_give;

static void emit0(void)
{
    emits[0]++;
}

static void emit1(void)
{
    emits[1]++;
}

static int alloc_irq(void)
{
    irq_calls++;
    return irq_to_give;
}

static int setup(void **state)
{
    *state = &fx;
    memset(&fx, 0, sizeof(fx));
    memset(emits, 0, sizeof(emits));
    irq_calls = 0;
    irq_to_give = IRQ;
    if (sel4kvm_env_init(&fx.env, NULL) != 0 ||
        vm_init(&fx.vm, &fx.env.vka, &fx.env.simple, fx.env.vspace, &fx.env.io_ops, fx.env.host_endpoint, "xvm") != 0) {
        return -1;
    }
    fx.vcpu = vm_create_vcpu(&fx.vm, 100);
    if (fx.vcpu == NULL || vm_create_default_irq_controller(&fx.vm) != 0 || vmm_pci_init(&fx.pci) != 0) {
        return -1;
    }
    for (int i = 0; i < MAX_CONN; i++) {
        for (int j = 0; j < FRAMES_PER_CONN; j++) {
            vka_object_t f;
            if (vka_alloc_frame(&fx.env.vka, seL4_PageBits, &f) != 0) {
                return -1;
            }
            fx.frames[i][j] = f.cptr;
        }
        fx.dp[i] = (crossvm_dataport_handle_t){ .size = DP_SIZE,
                                                .num_frames = FRAMES_PER_CONN,
                                                .frames = fx.frames[i] };
        fx.conn[i] = (crossvm_handle_t){ .dataport = &fx.dp[i], .consume_id = (seL4_Word)(100 + i) };
    }
    fx.conn[0].emit_fn = emit0;
    fx.conn[0].connection_name = "first";
    fx.conn[1].emit_fn = emit1;
    fx.conn[1].connection_name = "second";
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

static int init(int n)
{
    return cross_vm_connections_init_common(&fx.vm, BASE, fx.conn, n, fx.pci, alloc_irq);
}

/* Where connection i's event page and dataport are, with equal dataport sizes. */
static uintptr_t event_addr(int i)
{
    return BASE + (uintptr_t)i * 2 * DP_SIZE;
}

static uintptr_t dataport_addr(int i)
{
    return event_addr(i) + DP_SIZE;
}

static uint64_t guest_read(uintptr_t addr, size_t size, sel4kvm_test_access_t *out)
{
    sel4kvm_test_access_t a;
    assert_int_equal(sel4kvm_test_mmio_read(fx.vcpu, addr, size, &a), 0);
    if (out != NULL) {
        *out = a;
    }
    return a.read_value;
}

static void guest_write(uintptr_t addr, size_t size, uint64_t value, sel4kvm_test_access_t *out)
{
    sel4kvm_test_access_t a;
    assert_int_equal(sel4kvm_test_mmio_write(fx.vcpu, addr, size, value, &a), 0);
    if (out != NULL) {
        *out = a;
    }
}

static uint32_t counter(int i)
{
    return (uint32_t)guest_read(event_addr(i) + 4, 4, NULL);
}

static uint8_t *frame_host(seL4_CPtr frame)
{
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(frame);
    assert_int_equal(a.error, seL4_NoError);
    return sel4kvm_sim_paddr_to_host(a.paddr, 4096);
}

/* ---- event page --------------------------------------------------------------------------------------------- */

static void test_event_page_reads_are_memory_and_never_reach_a_callback(void **state)
{
    (void)state;
    assert_int_equal(init(2), 0);
    sel4kvm_test_access_t a;
    assert_int_equal(guest_read(event_addr(0) + 8, 4, &a), 0x73726966); /* "firs" */
    assert_int_equal(a.callbacks, 0);
    assert_int_equal(guest_read(event_addr(1) + 8, 1, &a), 's');
    assert_int_equal(a.callbacks, 0);
    assert_int_equal(guest_read(event_addr(0) + 0x100, 8, &a), 0);
    assert_int_equal(a.callbacks, 0);
}

static void test_emit_is_called_for_a_write_at_zero_of_any_width_and_value(void **state)
{
    (void)state;
    assert_int_equal(init(2), 0);
    size_t widths[] = { 1, 2, 4, 8 };
    sel4kvm_test_access_t a;
    for (int i = 0; i < 4; i++) {
        guest_write(event_addr(0), widths[i], i == 0 ? 0 : 0xdeadbeefull, &a);
        assert_int_equal(a.callbacks, 1);
        assert_true(a.advanced);
        assert_int_equal(emits[0], i + 1);
    }
    guest_write(event_addr(1), 4, 1, NULL);
    assert_int_equal(emits[0], 4);
    assert_int_equal(emits[1], 1);
    /* Emitting leaves the page as it was. */
    assert_int_equal(guest_read(event_addr(0), 4, NULL), 0);
}

static void test_emit_without_emit_function_is_reported_and_completes(void **state)
{
    (void)state;
    assert_int_equal(init(3), 0);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    sel4kvm_test_access_t a;
    guest_write(event_addr(2), 4, 1, &a);
    assert_true(a.advanced);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR), errors + 1);
}

static void test_counter_acknowledge_with_lane_shifted_partial_writes(void **state)
{
    (void)state;
    assert_int_equal(init(1), 0);
    for (int i = 0; i < 0x10203; i++) {
        consume_connection_event(&fx.vm, 100, false);
    }
    assert_int_equal(counter(0), 0x10203);
    /* A byte at +5 changes only bits 8-15; a half-word at +6 only bits 16-31. */
    guest_write(event_addr(0) + 5, 1, 0, NULL);
    assert_int_equal(counter(0), 0x10003);
    guest_write(event_addr(0) + 6, 2, 0xabcd, NULL);
    assert_int_equal(counter(0), 0xabcd0003);
    guest_write(event_addr(0) + 4, 1, 0, NULL);
    assert_int_equal(counter(0), 0xabcd0000);
    guest_write(event_addr(0) + 4, 4, 0, NULL);
    assert_int_equal(counter(0), 0);
    assert_int_equal(guest_read(event_addr(0) + 6, 2, NULL), 0);
}

static void test_writes_to_name_and_other_offsets_are_reported_and_change_nothing(void **state)
{
    (void)state;
    assert_int_equal(init(1), 0);
    uintptr_t offsets[] = { 8, 0x20, 0x37, 0x38, 0x100, 0xffc };
    for (size_t i = 0; i < ARRAY_SIZE(offsets); i++) {
        unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
        sel4kvm_test_access_t a;
        guest_write(event_addr(0) + offsets[i], 4, 0x41414141, &a);
        assert_true(a.advanced);
        assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR), errors + 1);
    }
    /* An 8-byte write at +4 runs into the name: not a counter write. */
    guest_write(event_addr(0) + 4, 8, 0, NULL);
    char name[49] = { 0 };
    for (int i = 0; i < 48; i++) {
        name[i] = (char)guest_read(event_addr(0) + 8 + (uintptr_t)i, 1, NULL);
    }
    assert_string_equal(name, "first");
    assert_int_equal(guest_read(event_addr(0) + 0x100, 4, NULL), 0);
    assert_int_equal(emits[0], 0);
}

static void test_name_defaults_to_connector_and_is_truncated_to_48_bytes(void **state)
{
    (void)state;
    const char *longname = "0123456789abcdef0123456789abcdef0123456789abcdefTAIL";
    fx.conn[1].connection_name = longname;
    assert_int_equal(init(3), 0);
    char name[49] = { 0 };
    for (int i = 0; i < 48; i++) {
        name[i] = (char)guest_read(event_addr(1) + 8 + (uintptr_t)i, 1, NULL);
    }
    assert_memory_equal(name, longname, 48);
    assert_int_equal(guest_read(event_addr(1) + 8 + 48, 1, NULL), 0);
    assert_int_equal(guest_read(event_addr(2) + 8, 4, NULL), 0x6e6e6f63);  /* "conn" */
    assert_int_equal(guest_read(event_addr(2) + 12, 4, NULL), 0x6f746365); /* "ecto" */
    assert_int_equal(guest_read(event_addr(2) + 16, 2, NULL), 0x72);       /* "r\0" */
}

/* ---- dataport ----------------------------------------------------------------------------------------------- */

static void test_dataport_is_the_callers_frames_and_the_caller_may_still_map_them(void **state)
{
    (void)state;
    assert_int_equal(init(1), 0);
    frame_host(fx.frames[0][1])[0x10] = 0x99;
    sel4kvm_test_access_t a;
    assert_int_equal(guest_read(dataport_addr(0) + 4096 + 0x10, 1, &a), 0x99);
    assert_int_equal(a.callbacks, 0);
    guest_write(dataport_addr(0) + 4, 4, 0x12345678, &a);
    assert_int_equal(a.callbacks, 0);
    assert_int_equal(*(uint32_t *)(frame_host(fx.frames[0][0]) + 4), 0x12345678);
    /* The library mapped copies: the caller's own caps still map into the VMM. */
    void *mine = vspace_map_pages(&fx.env.vspace, fx.frames[0], NULL, seL4_AllRights, FRAMES_PER_CONN, seL4_PageBits,
                                  1);
    assert_non_null(mine);
    assert_int_equal(*(uint32_t *)((uint8_t *)mine + 4), 0x12345678);
}

static void test_seed_and_upstream_dataport_forms_both_work(void **state)
{
    (void)state;
    /* Upstream's current form: frame_size_bits set, size left 0. */
    fx.dp[0].size = 0;
    fx.dp[0].frame_size_bits = seL4_PageBits;
    assert_int_equal(init(2), 0);
    frame_host(fx.frames[0][1])[0] = 0x5c;
    assert_int_equal(guest_read(dataport_addr(0) + 4096, 1, NULL), 0x5c);
}

static void test_layout_errors_are_reported_and_nothing_is_installed(void **state)
{
    (void)state;
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    /* Base not aligned to the dataport size (8 KiB). */
    assert_int_equal(cross_vm_connections_init_common(&fx.vm, BASE + 4096, fx.conn, 2, fx.pci, alloc_irq), -1);
    /* The second connection lands misaligned: 8 KiB, then 64 KiB at 16 KiB. */
    seL4_CPtr big[16];
    for (int i = 0; i < 16; i++) {
        vka_object_t f;
        assert_int_equal(vka_alloc_frame(&fx.env.vka, seL4_PageBits, &f), 0);
        big[i] = f.cptr;
    }
    crossvm_dataport_handle_t bigdp = { .size = 16 * 4096, .num_frames = 16, .frames = big };
    fx.conn[1].dataport = &bigdp;
    assert_int_equal(init(2), -1);
    fx.conn[1].dataport = &fx.dp[1];
    /* Size disagreeing with the frames, odd frame sizes, missing dataport and frames. */
    fx.dp[1].size = 4096;
    assert_int_equal(init(2), -1);
    fx.dp[1].size = DP_SIZE;
    fx.dp[1].frame_size_bits = 13;
    assert_int_equal(init(2), -1);
    fx.dp[1].frame_size_bits = 0;
    fx.conn[1].dataport = NULL;
    assert_int_equal(init(2), -1);
    fx.conn[1].dataport = &fx.dp[1];
    fx.dp[1].frames = NULL;
    assert_int_equal(init(2), -1);
    fx.dp[1].frames = fx.frames[1];
    fx.dp[1].num_frames = 0;
    assert_int_equal(init(2), -1);
    fx.dp[1].num_frames = FRAMES_PER_CONN;
    /* Wrapping the address space. */
    assert_int_equal(cross_vm_connections_init_common(&fx.vm, UINTPTR_MAX - DP_SIZE + 1, fx.conn, 1, fx.pci, alloc_irq),
                     -1);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) >= errors + 8);
    assert_int_equal(irq_calls, 0);
    /* No reservation, no PCI device was left behind: the same layout now succeeds. */
    assert_null(find_device(fx.pci, (vmm_pci_address_t){ 0, 1, 0 }));
    assert_int_equal(init(2), 0);
    assert_int_equal(irq_calls, 1);
}

static memory_fault_result_t unexpected_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)vm;
    (void)vcpu;
    (void)addr;
    (void)len;
    (void)cookie;
    return FAULT_ERROR;
}

static void test_overlap_with_existing_memory_rolls_back(void **state)
{
    (void)state;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&fx.vm, dataport_addr(1), 4096, unexpected_fault, NULL);
    assert_non_null(res);
    size_t caps = sel4kvm_sim_cap_count();
    size_t objects = sel4kvm_sim_object_count();
    assert_int_equal(init(2), -1);
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    assert_null(find_device(fx.pci, (vmm_pci_address_t){ 0, 1, 0 }));
    /* The first connection's pages are free again. */
    assert_non_null(vm_reserve_memory_at(&fx.vm, event_addr(0), 2 * DP_SIZE, unexpected_fault, NULL));
}

static void test_thirty_two_connections_fit_and_thirty_three_do_not(void **state)
{
    (void)state;
    assert_int_equal(init(33), -1);
    assert_int_equal(init(0), -1);
    assert_int_equal(init(-1), -1);
    assert_int_equal(init(32), -1); /* the host bridge holds one of bus 0's 32 slots */
    assert_int_equal(init(31), 0);
    assert_int_equal(irq_calls, 1);
    for (int i = 0; i < 31; i++) {
        consume_connection_event(&fx.vm, (seL4_Word)(100 + i), false);
        assert_int_equal(counter(i), 1);
    }
}

static void test_bad_arguments_and_wrong_state_are_refused(void **state)
{
    (void)state;
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(cross_vm_connections_init_common(NULL, BASE, fx.conn, 1, fx.pci, alloc_irq), -1);
    assert_int_equal(cross_vm_connections_init_common(&fx.vm, BASE, NULL, 1, fx.pci, alloc_irq), -1);
    assert_int_equal(cross_vm_connections_init_common(&fx.vm, BASE, fx.conn, 1, NULL, alloc_irq), -1);
    assert_int_equal(cross_vm_connections_init_common(&fx.vm, BASE, fx.conn, 1, fx.pci, NULL), -1);
    irq_to_give = -1;
    assert_int_equal(init(1), -1);
    irq_to_give = 200;
    assert_int_equal(init(1), -1);
    irq_to_give = IRQ;
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) >= errors + 6);
    assert_int_equal(init(1), 0);
    assert_int_equal(init(1), -1); /* a VM has one set of connections */
    consume_connection_event(NULL, 100, true);
    consume_connection_event(&fx.vm, 999, true);
    consume_connection_event(&fx.vm, (seL4_Word)-1, true);
    assert_int_equal(counter(0), 0);
    assert_int_equal(sel4kvm_test_irq_level(&fx.vm, IRQ), 0);
}

static void test_connections_need_a_vcpu_and_an_interrupt_controller(void **state)
{
    (void)state;
    vm_t bare;
    assert_int_equal(vm_init(&bare, &fx.env.vka, &fx.env.simple, fx.env.vspace, &fx.env.io_ops, fx.env.host_endpoint,
                             "bare"),
                     0);
    assert_int_equal(cross_vm_connections_init_common(&bare, BASE, fx.conn, 1, fx.pci, alloc_irq), -1);
    assert_non_null(vm_create_vcpu(&bare, 100));
    assert_int_equal(cross_vm_connections_init_common(&bare, BASE, fx.conn, 1, fx.pci, alloc_irq), -1);
    assert_int_equal(vm_create_default_irq_controller(&bare), 0);
    assert_int_equal(cross_vm_connections_init_common(&bare, BASE, fx.conn, 1, fx.pci, alloc_irq), 0);
    assert_int_equal(sel4kvm_vm_destroy(&bare), 0);
}

/* ---- the shared interrupt ----------------------------------------------------------------------------------- */

static void test_interrupt_is_held_until_every_counter_is_acknowledged(void **state)
{
    (void)state;
    assert_int_equal(init(2), 0);
    assert_int_equal(sel4kvm_test_irq_level(&fx.vm, IRQ), 0);
    consume_connection_event(&fx.vm, 100, true);
    consume_connection_event(&fx.vm, 101, true);
    consume_connection_event(&fx.vm, 101, true);
    assert_int_equal(sel4kvm_test_irq_level(&fx.vm, IRQ), 1);
    assert_int_equal(sel4kvm_test_irq_raised(&fx.vm, IRQ), 1);
    assert_int_equal(counter(0), 1);
    assert_int_equal(counter(1), 2);
    guest_write(event_addr(0) + 4, 4, 0, NULL);
    assert_int_equal(sel4kvm_test_irq_level(&fx.vm, IRQ), 1);
    guest_write(event_addr(1) + 4, 4, 0, NULL);
    assert_int_equal(sel4kvm_test_irq_level(&fx.vm, IRQ), 0);
    consume_connection_event(&fx.vm, 100, true);
    assert_int_equal(sel4kvm_test_irq_raised(&fx.vm, IRQ), 2);
}

static void test_consume_without_inject_counts_but_does_not_interrupt(void **state)
{
    (void)state;
    assert_int_equal(init(1), 0);
    consume_connection_event(&fx.vm, 100, false);
    assert_int_equal(counter(0), 1);
    assert_int_equal(sel4kvm_test_irq_level(&fx.vm, IRQ), 0);
    consume_connection_event(&fx.vm, 100, true);
    assert_int_equal(counter(0), 2);
    assert_int_equal(sel4kvm_test_irq_level(&fx.vm, IRQ), 1);
}

static void test_consume_matches_the_first_connection_with_the_id(void **state)
{
    (void)state;
    fx.conn[2].consume_id = 101;
    fx.conn[0].consume_id = (seL4_Word)-1;
    assert_int_equal(init(3), 0);
    consume_connection_event(&fx.vm, 101, false);
    assert_int_equal(counter(0), 0);
    assert_int_equal(counter(1), 1);
    assert_int_equal(counter(2), 0);
}

#define THREADS 8
#define EVENTS_PER_THREAD 20000

static void *consumer(void *arg)
{
    seL4_Word id = (seL4_Word)(uintptr_t)arg;
    for (int i = 0; i < EVENTS_PER_THREAD; i++) {
        consume_connection_event(&fx.vm, id, true);
    }
    return NULL;
}

static void test_consume_from_many_threads_loses_no_increment(void **state)
{
    (void)state;
    assert_int_equal(init(2), 0);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, consumer, (void *)(uintptr_t)(100 + i % 2)), 0);
    }
    /* Meanwhile the guest acknowledges connection 1 now and then; connection 0 is only counted. */
    uint64_t acked = 0;
    for (int round = 0; round < 200; round++) {
        acked += counter(1);
        guest_write(event_addr(1) + 4, 4, 0, NULL);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    assert_int_equal(counter(0), THREADS / 2 * EVENTS_PER_THREAD);
    assert_int_equal(sel4kvm_test_irq_level(&fx.vm, IRQ), 1);
    /* Events that arrive between the guest's read and its acknowledgement are dropped by design (the
     * counter says "look", not "how many"), so connection 1 only bounds the total. */
    assert_true(acked + counter(1) <= THREADS / 2 * EVENTS_PER_THREAD);
    guest_write(event_addr(0) + 4, 4, 0, NULL);
    guest_write(event_addr(1) + 4, 4, 0, NULL);
    assert_int_equal(sel4kvm_test_irq_level(&fx.vm, IRQ), 0);
}

/* ---- PCI ---------------------------------------------------------------------------------------------------- */

static uint32_t cfg_read(int dev, int reg, int size)
{
    vmm_pci_entry_t *e = find_device(fx.pci, (vmm_pci_address_t){ 0, (uint8_t)dev, 0 });
    assert_non_null(e);
    uint32_t v = 0;
    assert_int_equal(e->ioread(e->cookie, reg, size, &v), 0);
    return v;
}

static void cfg_write(int dev, int reg, int size, uint32_t value)
{
    vmm_pci_entry_t *e = find_device(fx.pci, (vmm_pci_address_t){ 0, (uint8_t)dev, 0 });
    assert_non_null(e);
    assert_int_equal(e->iowrite(e->cookie, reg, size, value), 0);
}

static void test_each_connection_is_a_pci_device_with_its_bars_and_irq(void **state)
{
    (void)state;
    assert_int_equal(init(2), 0);
    for (int i = 0; i < 2; i++) {
        int dev = 1 + i;
        assert_int_equal(cfg_read(dev, PCI_VENDOR_ID, 2), 0x1af4);
        assert_int_equal(cfg_read(dev, PCI_DEVICE_ID, 2), 0xa111);
        assert_int_equal(cfg_read(dev, PCI_REVISION_ID, 1), 1);
        assert_int_equal(cfg_read(dev, PCI_CLASS_DEVICE, 2), 0x0500);
        assert_int_equal(cfg_read(dev, PCI_HEADER_TYPE, 1), 0);
        assert_int_equal(cfg_read(dev, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY, PCI_COMMAND_MEMORY);
        assert_int_equal(cfg_read(dev, PCI_INTERRUPT_LINE, 1), IRQ);
        assert_int_equal(cfg_read(dev, PCI_INTERRUPT_PIN, 1), 1);
        assert_int_equal(cfg_read(dev, PCI_SUBSYSTEM_VENDOR_ID, 2), 0);
        /* Both BARs: prefetchable 32-bit memory at the fixed addresses, sized as the dataport. */
        for (int bar = 0; bar < 2; bar++) {
            int reg = PCI_BASE_ADDRESS_0 + 4 * bar;
            uint32_t want = (uint32_t)(bar == 0 ? event_addr(i) : dataport_addr(i));
            assert_int_equal(cfg_read(dev, reg, 4), want | PCI_BASE_ADDRESS_MEM_PREFETCH);
            cfg_write(dev, reg, 4, 0xffffffff);
            assert_int_equal(cfg_read(dev, reg, 4) & ~0xfu, (uint32_t) ~(DP_SIZE - 1));
            cfg_write(dev, reg, 4, want);
            assert_int_equal(cfg_read(dev, reg, 4), want | PCI_BASE_ADDRESS_MEM_PREFETCH);
        }
        assert_int_equal(cfg_read(dev, PCI_BASE_ADDRESS_2, 4), 0);
    }
}

static void test_dataport_size_that_is_not_a_power_of_two_is_refused(void **state)
{
    (void)state;
    seL4_CPtr three[3];
    for (int i = 0; i < 3; i++) {
        vka_object_t f;
        assert_int_equal(vka_alloc_frame(&fx.env.vka, seL4_PageBits, &f), 0);
        three[i] = f.cptr;
    }
    /* 12 KiB: the BARs would report 8 KiB and the dataport BAR at +12 KiB could never be 8 KiB aligned. */
    crossvm_dataport_handle_t dp = { .size = 3 * 4096, .num_frames = 3, .frames = three };
    fx.conn[0].dataport = &dp;
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    assert_int_equal(cross_vm_connections_init_common(&fx.vm, 0xc0000000ul, fx.conn, 1, fx.pci, alloc_irq), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR), errors + 1);
    assert_null(find_device(fx.pci, (vmm_pci_address_t){ 0, 1, 0 }));
}

static void test_guest_finds_the_device_through_config_ports(void **state)
{
    (void)state;
    vm_ioport_range_t range = { 0xcf8, 0xcff };
    vm_ioport_interface_t iface = {
        .cookie = fx.pci, .port_in = vmm_pci_io_port_in, .port_out = vmm_pci_io_port_out, .desc = "PCI config"
    };
    assert_int_equal(vm_io_port_add_handler(&fx.vm, range, iface), 0);
    assert_int_equal(init(1), 0);
    unsigned int v = 0;
    assert_int_equal(sel4kvm_test_io_out(fx.vcpu, 0xcf8, 4, 0x80000000u | (1u << 11)), 0);
    assert_int_equal(sel4kvm_test_io_in(fx.vcpu, 0xcfc, 4, &v), 0);
    assert_int_equal(v, 0xa1111af4);
    assert_int_equal(sel4kvm_test_io_out(fx.vcpu, 0xcf8, 4, 0x80000000u | (1u << 11) | PCI_INTERRUPT_LINE), 0);
    assert_int_equal(sel4kvm_test_io_in(fx.vcpu, 0xcfc, 1, &v), 0);
    assert_int_equal(v, IRQ);
}

/* ---- teardown ----------------------------------------------------------------------------------------------- */

static void test_vm_destroy_releases_everything_connections_made(void **state)
{
    (void)state;
    size_t caps = sel4kvm_sim_cap_count();
    size_t objects = sel4kvm_sim_object_count();
    assert_int_equal(init(4), 0);
    assert_true(sel4kvm_sim_cap_count() > caps);
    assert_int_equal(sel4kvm_vm_destroy(&fx.vm), 0);
    /* The VM's own caps go too, so compare with a VM that never had connections. */
    vm_t other;
    assert_int_equal(vm_init(&other, &fx.env.vka, &fx.env.simple, fx.env.vspace, &fx.env.io_ops, fx.env.host_endpoint,
                             "other"),
                     0);
    assert_non_null(vm_create_vcpu(&other, 100));
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(sel4kvm_sim_object_count(), objects);
    /* The caller's frames are untouched and still usable. */
    assert_non_null(vspace_map_pages(&fx.env.vspace, fx.frames[0], NULL, seL4_AllRights, 2, seL4_PageBits, 1));
    assert_int_equal(sel4kvm_vm_destroy(&other), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_event_page_reads_are_memory_and_never_reach_a_callback),
        T(test_emit_is_called_for_a_write_at_zero_of_any_width_and_value),
        T(test_emit_without_emit_function_is_reported_and_completes),
        T(test_counter_acknowledge_with_lane_shifted_partial_writes),
        T(test_writes_to_name_and_other_offsets_are_reported_and_change_nothing),
        T(test_name_defaults_to_connector_and_is_truncated_to_48_bytes),
        T(test_dataport_is_the_callers_frames_and_the_caller_may_still_map_them),
        T(test_seed_and_upstream_dataport_forms_both_work),
        T(test_layout_errors_are_reported_and_nothing_is_installed),
        T(test_overlap_with_existing_memory_rolls_back),
        T(test_thirty_two_connections_fit_and_thirty_three_do_not),
        T(test_bad_arguments_and_wrong_state_are_refused),
        T(test_connections_need_a_vcpu_and_an_interrupt_controller),
        T(test_interrupt_is_held_until_every_counter_is_acknowledged),
        T(test_consume_without_inject_counts_but_does_not_interrupt),
        T(test_consume_matches_the_first_connection_with_the_id),
        T(test_consume_from_many_threads_loses_no_increment),
        T(test_each_connection_is_a_pci_device_with_its_bars_and_irq),
        T(test_dataport_size_that_is_not_a_power_of_two_is_refused),
        T(test_guest_finds_the_device_through_config_ports),
        T(test_vm_destroy_releases_everything_connections_made),
    };
    return cmocka_run_group_tests(tests, quiet_group, loud_group);
}
