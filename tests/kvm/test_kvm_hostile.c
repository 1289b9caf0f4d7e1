/* Hostile guests against a VMM with real devices: the VMM survives, its devices stay sane, other memory untouched. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pci/helper.h>
#include <sel4kvm/sim.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include "guest_reports.h"
#include "kvm_fixture.h"

#define PAGE 0x1000u
#define CROSSVM_IRQ 11
#define DEVICE_IRQ 10
#define CROSSVM_ID 0x7
#define CROSSVM_NAME "hostile"
#define SEED 0x2545f491u
/* Frames the VMM owns and never gives the guest, allocated between the ones it does give. */
#define CANARIES 4
#define CANARY_BYTE 0xc3
#define RO_BYTE(i) ((uint8_t)((i)*7 + 1))
/* Host pages just outside the guest-reachable runs of physical memory whose bytes are compared after the run. */
#define MAX_NEIGHBOURS 32

/* The device in the window at GUEST_MMIO: counts what reaches it and notes any access it should never see. */
struct device {
    unsigned reads, writes, bad;
};

struct hostile {
    struct device device;
    unsigned unhandled;
    unsigned ro_writes, ro_bad;
    unsigned emits;
    uint8_t *ro_host;
    uint8_t *canary[CANARIES];
    size_t num_neighbours;
    uint8_t *neighbour[MAX_NEIGHBOURS];
    uint8_t saved[MAX_NEIGHBOURS][PAGE];
    vmm_pci_space_t *pci;
    vmm_pci_device_def_t extra_def;
    int crossvm_slot, extra_slot;
    struct guest_reports reports;
};

static struct hostile h;

/* Any size from 1 to 8 is an access KVM can report (kvm_run.c); none may reach past the callback's page. */
static bool access_inside(uintptr_t addr, size_t size, uintptr_t base)
{
    return size >= 1 && size <= 8 && addr >= base && addr + size <= base + PAGE;
}

static memory_fault_result_t device_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    struct device *d = cookie;
    if (!access_inside(addr, size, GUEST_MMIO)) {
        d->bad++;
    }
    if (is_vcpu_read_fault(vcpu)) {
        d->reads++;
        set_vcpu_fault_data(vcpu, lane(addr, size, device_bytes(addr - GUEST_MMIO, size)));
    } else {
        d->writes++;
    }
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

/* Reads of the read-only frame are memory; only writes reach this, and they are dropped. */
static memory_fault_result_t ro_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    (void)cookie;
    if (!access_inside(addr, size, GUEST_HOSTILE_RO) || is_vcpu_read_fault(vcpu)) {
        h.ro_bad++;
    }
    h.ro_writes++;
    return FAULT_IGNORE;
}

static memory_fault_result_t unhandled_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    (void)vcpu;
    (void)addr;
    (void)size;
    (void)cookie;
    h.unhandled++;
    return FAULT_IGNORE;
}

static int alloc_irq(void)
{
    return CROSSVM_IRQ;
}

static void count_emit(void)
{
    h.emits++;
}

static uint8_t *new_canary(struct kvm_fixture *f, size_t i)
{
    uint8_t *host;
    (void)kvm_new_frame(f, &host);
    memset(host, CANARY_BYTE, PAGE);
    h.canary[i] = host;
    return host;
}

/* A PCI device of the VMM's own beside the cross-VM one: a memory-backed header, one BAR, an INTx line. */
static void add_extra_device(void)
{
    h.extra_def = (vmm_pci_device_def_t){ .vendor_id = 0x1234, .device_id = 0x5678, .header_type = 0 };
    vmm_pci_bar_t bar = { .mem_type = NON_PREFETCH_MEM, .address = GUEST_MMIO, .size_bits = 12 };
    vmm_pci_entry_t e = { .cookie = &h.extra_def,
                          .ioread = vmm_pci_mem_device_read,
                          .iowrite = vmm_pci_mem_device_write };
    e = vmm_pci_create_bar_emulation(e, 1, &bar);
    e = vmm_pci_create_irq_emulation(e, DEVICE_IRQ);
    vmm_pci_address_t addr;
    assert_int_equal(vmm_pci_add_entry(h.pci, e, &addr), 0);
    h.extra_slot = addr.dev;
}

/* Physical runs the guest can reach through one address range of its own. */
struct run {
    uintptr_t paddr;
    size_t bytes;
};

static size_t guest_runs(struct kvm_fixture *f, uintptr_t addr, size_t size, struct run *runs, size_t max)
{
    size_t n = 0;
    for (size_t off = 0; off < size && n < max;) {
        uintptr_t paddr;
        size_t bytes;
        assert_int_equal(sel4kvm_sim_vspace_resolve(f->vm.mem.vm_vspace_root.cptr, addr + off, size - off, &paddr,
                                                    &bytes),
                         0);
        bytes = MIN(bytes, size - off);
        runs[n++] = (struct run){ paddr, bytes };
        off += bytes;
    }
    return n;
}

static bool reachable(const struct run *runs, size_t n, uintptr_t paddr)
{
    for (size_t i = 0; i < n; i++) {
        if (paddr >= runs[i].paddr && paddr - runs[i].paddr < runs[i].bytes) {
            return true;
        }
    }
    return false;
}

static void save_neighbour(const struct run *runs, size_t n, uintptr_t paddr)
{
    uint8_t *host = sel4kvm_sim_paddr_to_host(paddr, PAGE);
    for (size_t i = 0; i < h.num_neighbours; i++) {
        if (h.neighbour[i] == host) {
            return;
        }
    }
    if (host == NULL || reachable(runs, n, paddr) || h.num_neighbours == MAX_NEIGHBOURS) {
        return;
    }
    memcpy(h.saved[h.num_neighbours], host, PAGE);
    h.neighbour[h.num_neighbours++] = host;
}

/* The host pages just before and after every physical run the guest reaches (RAM, the read-only frame, the
 * cross-VM pages), where those are not themselves the guest's. */
static void save_neighbours(struct kvm_fixture *f)
{
    struct run runs[64];
    size_t n = 0;
    n += guest_runs(f, GUEST_RAM_LOW, GUEST_RAM_LOW_SIZE, runs + n, ARRAY_SIZE(runs) - n);
    n += guest_runs(f, GUEST_RAM_HIGH, GUEST_RAM_HIGH_SIZE, runs + n, ARRAY_SIZE(runs) - n);
    n += guest_runs(f, GUEST_HOSTILE_RO, PAGE, runs + n, ARRAY_SIZE(runs) - n);
    n += guest_runs(f, GUEST_HOSTILE_CROSSVM, 2 * PAGE, runs + n, ARRAY_SIZE(runs) - n);
    assert_true(n < ARRAY_SIZE(runs));
    h.num_neighbours = 0;
    for (size_t i = 0; i < n; i++) {
        if (runs[i].paddr >= PAGE) {
            save_neighbour(runs, n, runs[i].paddr - PAGE);
        }
        save_neighbour(runs, n, runs[i].paddr + runs[i].bytes);
    }
}

/* The fixture's VM plus: an unhandled-fault callback that drops the access, a device at GUEST_MMIO, a read-only frame
 * at GUEST_HOSTILE_RO, a PCI bus with a device of the VMM's and one cross-VM connection at GUEST_HOSTILE_CROSSVM, the
 * report port, and canaries. */
static void hostile_vmm(struct kvm_fixture *f)
{
    memset(&h, 0, sizeof(h));
    kvm_capture_log();
    assert_int_equal(vm_register_unhandled_mem_fault_callback(&f->vm, unhandled_fault, NULL), 0);
    kvm_reserve(f, GUEST_MMIO, PAGE, device_fault, &h.device);

    new_canary(f, 0);
    seL4_CPtr ro = kvm_new_frame(f, &h.ro_host);
    for (size_t i = 0; i < PAGE; i++) {
        h.ro_host[i] = RO_BYTE(i);
    }
    new_canary(f, 1);
    vm_memory_reservation_t *res = kvm_reserve(f, GUEST_HOSTILE_RO, PAGE, ro_fault, NULL);
    kvm_map_frame(f, res, ro, GUEST_HOSTILE_RO, seL4_CanRead);

    uint8_t *unused;
    seL4_CPtr dataport = kvm_new_frame(f, &unused);
    new_canary(f, 2);
    h.pci = kvm_attach_pci(f);
    add_extra_device();
    crossvm_dataport_handle_t dp = { .size = PAGE, .num_frames = 1, .frames = &dataport };
    crossvm_handle_t conn = {
        .dataport = &dp, .emit_fn = count_emit, .consume_id = CROSSVM_ID, .connection_name = CROSSVM_NAME
    };
    assert_int_equal(cross_vm_connections_init_common(&f->vm, GUEST_HOSTILE_CROSSVM, &conn, 1, h.pci, alloc_irq), 0);
    h.crossvm_slot = h.extra_slot + 1;
    new_canary(f, 3);
    guest_reports_attach(f, &h.reports);
    save_neighbours(f);
}

static void check_memory_untouched(void)
{
    for (size_t i = 0; i < CANARIES; i++) {
        for (size_t j = 0; j < PAGE; j++) {
            if (h.canary[i][j] != CANARY_BYTE) {
                fail_msg("canary frame %zu changed at byte 0x%zx: 0x%02x", i, j, h.canary[i][j]);
            }
        }
    }
    for (size_t j = 0; j < PAGE; j++) {
        if (h.ro_host[j] != RO_BYTE(j)) {
            fail_msg("the read-only frame changed at byte 0x%zx: 0x%02x", j, h.ro_host[j]);
        }
    }
    for (size_t i = 0; i < h.num_neighbours; i++) {
        if (memcmp(h.neighbour[i], h.saved[i], PAGE) != 0) {
            fail_msg("host page %zu next to guest memory changed", i);
        }
    }
    assert_int_equal(h.device.bad, 0);
    assert_int_equal(h.ro_bad, 0);
}

/* Loads a guest with seed in EAX and runs it to its debug exit. */
static void run_to_exit(struct kvm_fixture *f, const char *guest, uint32_t seed)
{
    kvm_load_guest(f, guest);
    assert_int_equal(vm_set_thread_context_reg(f->vcpu, VCPU_CONTEXT_EAX, seed), 0);
    assert_int_equal(kvm_run(f), 0);
    assert_true(kvm_guest_exited(f));
}

static void hostile_mmio(void **state, const char *guest)
{
    struct kvm_fixture *f = kvm_fixture(state);
    hostile_vmm(f);
    run_to_exit(f, guest, SEED);
    assert_int_equal(kvm_exit_status(f), 1);
    assert_true(h.device.reads > 0 && h.device.writes > 0);
    assert_true(h.unhandled > 0);
    assert_true(h.ro_writes > 0);
    check_memory_untouched();
}

static void test_random_mmio_in_32_bit_mode_leaves_the_vmm_and_other_memory_intact(void **state)
{
    hostile_mmio(state, "hostile_mmio_32");
}

static void test_random_mmio_in_64_bit_mode_leaves_the_vmm_and_other_memory_intact(void **state)
{
    hostile_mmio(state, "hostile_mmio_64");
}

static void test_random_port_io_and_string_io_leave_the_vmm_and_other_memory_intact(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    hostile_vmm(f);
    run_to_exit(f, "hostile_io_32", SEED);
    assert_int_equal(kvm_exit_status(f), 1);
    check_memory_untouched();
}

static void check_bars(const uint32_t *slot, const uint32_t *want)
{
    for (unsigned bar = 0; bar < 6; bar++) {
        if (slot[1 + bar] != want[bar]) {
            fail_msg("slot %u BAR%u reads 0x%x after the guest's writes, expected 0x%x", slot[0], bar, slot[1 + bar],
                     want[bar]);
        }
    }
}

static void test_nonsense_in_pci_config_space_moves_no_bar_and_no_interrupt_line(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    hostile_vmm(f);
    run_to_exit(f, "hostile_pci_32", SEED);
    assert_int_equal(h.reports.count, GUEST_PCI_HOSTILE_SLOTS * GUEST_PCI_HOSTILE_WORDS + 1);
    const uint32_t *extra = &h.reports.values[h.extra_slot * GUEST_PCI_HOSTILE_WORDS];
    const uint32_t *crossvm = &h.reports.values[h.crossvm_slot * GUEST_PCI_HOSTILE_WORDS];
    const uint32_t extra_bars[6] = { GUEST_MMIO };
    const uint32_t crossvm_bars[6] = { GUEST_HOSTILE_CROSSVM | PCI_BASE_ADDRESS_MEM_PREFETCH,
                                       (GUEST_HOSTILE_CROSSVM + PAGE) | PCI_BASE_ADDRESS_MEM_PREFETCH };
    check_bars(extra, extra_bars);
    check_bars(crossvm, crossvm_bars);
    assert_int_equal(extra[7], DEVICE_IRQ);
    assert_int_equal(crossvm[7], CROSSVM_IRQ);
    uint32_t name;
    memcpy(&name, CROSSVM_NAME, sizeof(name));
    assert_int_equal(h.reports.values[GUEST_PCI_HOSTILE_SLOTS * GUEST_PCI_HOSTILE_WORDS], name);
    check_memory_untouched();
}

/* What the event page's registers make of the guest's writes, in order: emits, and the counter's bytes. */
static void replay_event_writes(unsigned widest, unsigned *emits, uint32_t *counter)
{
    *emits = 0;
    *counter = 0;
    for (unsigned width = 1; width <= widest; width *= 2) {
        for (unsigned offset = 0; offset < PAGE; offset++) {
            uint32_t v = GUEST_CROSSVM_HOSTILE_VALUE(offset, width);
            if (offset < 4 && (offset == 0 || offset + width <= 4)) {
                (*emits)++;
            } else if (offset >= 4 && offset + width <= 8) {
                uint32_t mask = (uint32_t)MASK(width * 8) << ((offset - 4) * 8);
                *counter = (*counter & ~mask) | ((v << ((offset - 4) * 8)) & mask);
            }
        }
    }
}

static void hostile_crossvm(void **state, const char *guest, unsigned widest)
{
    struct kvm_fixture *f = kvm_fixture(state);
    hostile_vmm(f);
    run_to_exit(f, guest, 0);
    assert_int_equal(kvm_exit_status(f), 1);
    unsigned emits;
    uint32_t counter;
    replay_event_writes(widest, &emits, &counter);
    assert_int_equal(h.emits, emits);
    assert_int_equal(h.reports.count, 1 + 12);
    assert_int_equal(h.reports.values[0], counter);
    char name[48] = CROSSVM_NAME;
    assert_memory_equal(&h.reports.values[1], name, sizeof(name));
    assert_true(kvm_log_contains("read-only name"));
    assert_true(kvm_log_contains("where there is no register"));
    /* The counter still counts events from the VMM side. */
    consume_connection_event(&f->vm, CROSSVM_ID, false);
    check_memory_untouched();
}

static void test_every_offset_and_width_of_the_event_page_in_32_bit_mode(void **state)
{
    hostile_crossvm(state, "hostile_crossvm_32", 4);
}

static void test_every_offset_and_width_of_the_event_page_in_64_bit_mode(void **state)
{
    hostile_crossvm(state, "hostile_crossvm_64", 8);
}

static void test_triple_fault_is_reported_and_leaves_other_memory_intact(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    hostile_vmm(f);
    kvm_load_guest(f, "triple_fault_32");
    assert_int_equal(kvm_run(f), -1);
    assert_false(kvm_guest_exited(f));
    assert_true(kvm_log_contains("triple"));
    check_memory_untouched();
}

/* KVM splits an access that crosses a page boundary: each part reaches the callback with its own size (3 and 1,
 * 1 and 3) and its bytes in their lanes, and a read gives the guest's register the bytes of both parts. */
static void test_an_access_across_a_page_boundary_arrives_as_two_parts_in_their_lanes(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    static struct mmio_recorder r = { .base = GUEST_MMIO, .result = FAULT_HANDLED };
    kvm_reserve(f, GUEST_MMIO, 2 * PAGE, kvm_recorder_callback, &r);
    const struct guest_op ops[] = {
        OP_WRITE(4, GUEST_MMIO + 0xffd, 0x44332211),
        OP_READ(4, GUEST_MMIO + 0xfff),
    };
    assert_int_equal(kvm_run_script(f, "mmio_script_32", ops, ARRAY_SIZE(ops)), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    const struct mmio_access want[] = {
        { GUEST_MMIO + 0xffd, 3, false, 0x332211ul << 8, 0xfffffful << 8 },
        { GUEST_MMIO + 0x1000, 1, false, 0x44, 0xff },
        { GUEST_MMIO + 0xfff, 1, true, lane(0xfff, 1, device_bytes(0xfff, 1)), 0xfful << 24 },
        { GUEST_MMIO + 0x1000, 3, true, device_bytes(0x1000, 3), 0xffffff },
    };
    assert_int_equal(r.count, ARRAY_SIZE(want));
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        assert_int_equal(r.accesses[i].addr, want[i].addr);
        assert_int_equal(r.accesses[i].size, want[i].size);
        assert_int_equal(r.accesses[i].is_read, want[i].is_read);
        assert_int_equal(r.accesses[i].data, want[i].data);
        assert_int_equal(r.accesses[i].mask, want[i].mask);
    }
    assert_int_equal(kvm_result(f, 1), device_bytes(0xfff, 4));
}

static int hostile_down(void **state)
{
    int ret = kvm_fixture_down(state);
    sel4kvm_pci_destroy(h.pci);
    h.pci = NULL;
    return ret;
}

/* Run by the child process of run_in_child. */
#define HOSTILE_TEST(fn) cmocka_unit_test_setup_teardown(fn, kvm_fixture_up, hostile_down)

static const struct CMUnitTest hostile_tests[] = {
    HOSTILE_TEST(test_random_mmio_in_32_bit_mode_leaves_the_vmm_and_other_memory_intact),
    HOSTILE_TEST(test_random_mmio_in_64_bit_mode_leaves_the_vmm_and_other_memory_intact),
    HOSTILE_TEST(test_random_port_io_and_string_io_leave_the_vmm_and_other_memory_intact),
    HOSTILE_TEST(test_nonsense_in_pci_config_space_moves_no_bar_and_no_interrupt_line),
    HOSTILE_TEST(test_every_offset_and_width_of_the_event_page_in_32_bit_mode),
    HOSTILE_TEST(test_every_offset_and_width_of_the_event_page_in_64_bit_mode),
    HOSTILE_TEST(test_triple_fault_is_reported_and_leaves_other_memory_intact),
    HOSTILE_TEST(test_an_access_across_a_page_boundary_arrives_as_two_parts_in_their_lanes),
};

#define CHILD_FLAG "--only"

/* Runs one hostile test in a child process (this binary again, with a filter): a VMM that a guest crashes takes
 * only the child down, and the parent reports how it ended. */
static void run_in_child(void **state)
{
    const char *name = *state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/proc/self/exe", "test_kvm_hostile", CHILD_FLAG, name, (char *)NULL);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) {
        fail_msg("the VMM process was killed by signal %d running %s", WTERMSIG(status), name);
    }
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0) {
        fail_msg("%s failed in the child (exit status %d)", name, WEXITSTATUS(status));
    }
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], CHILD_FLAG) == 0) {
        cmocka_set_test_filter(argv[2]);
        return cmocka_run_group_tests_name("hostile guest (child process)", hostile_tests, NULL, NULL);
    }
    struct CMUnitTest tests[ARRAY_SIZE(hostile_tests)];
    for (size_t i = 0; i < ARRAY_SIZE(hostile_tests); i++) {
        tests[i] = (struct CMUnitTest){ .name = hostile_tests[i].name,
                                        .test_func = run_in_child,
                                        .initial_state = (void *)hostile_tests[i].name };
    }
    return _cmocka_run_group_tests("hostile guests, each in a child process", tests, ARRAY_SIZE(tests), NULL, NULL);
}
