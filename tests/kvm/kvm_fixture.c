/* The KVM test fixture: a VM with the test guests' RAM and devices, guest loading, a watchdog'd vm_run. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sel4kvm/devices.h>
#include <sel4kvm/guest_boot.h>
#include <sel4kvm/log.h>
#include <sel4kvm/sim.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/guest_ram.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <vka/capops.h>
#include <vka/object.h>
#include "kvm_fixture.h"

/* Far more than any test guest needs (they run for milliseconds), little enough to fail a hung test quickly. */
#define WATCHDOG_SECONDS 20

static ioport_fault_result_t sync_in(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                     unsigned int *result)
{
    (void)vcpu;
    (void)cookie;
    (void)port_no;
    (void)size;
    *result = 0;
    return IO_FAULT_HANDLED;
}

static ioport_fault_result_t sync_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                      unsigned int value)
{
    (void)vcpu;
    (void)port_no;
    (void)size;
    (void)value;
    struct kvm_fixture *f = cookie;
    atomic_store(&f->guest_ready, true);
    return IO_FAULT_HANDLED;
}

int kvm_fixture_up(void **state)
{
    static struct kvm_fixture fixture;
    struct kvm_fixture *f = &fixture;
    memset(f, 0, sizeof(*f));
    f->serial_rd = f->serial_wr = -1;
    *state = f;
    if (!sel4kvm_kvm_available(f->reason, sizeof(f->reason))) {
        return 0;
    }
    int fds[2];
    if (sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM) != 0 || sel4kvm_env_init(&f->env, NULL) != 0 ||
        pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        return -1;
    }
    f->serial_rd = fds[0];
    f->serial_wr = fds[1];
    if (vm_init(&f->vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint, "kvm") != 0) {
        return -1;
    }
    vm_ioport_interface_t sync = { .cookie = f, .port_in = sync_in, .port_out = sync_out, .desc = "test sync" };
    if (sel4kvm_vm_set_strict(&f->vm, true) != 0 || vm_create_default_irq_controller(&f->vm) != 0 ||
        vm_ram_register_at(&f->vm, GUEST_RAM_LOW, GUEST_RAM_LOW_SIZE, false) != 0 ||
        vm_ram_register_at(&f->vm, GUEST_RAM_HIGH, GUEST_RAM_HIGH_SIZE, false) != 0 ||
        sel4kvm_serial_add(&f->vm, f->serial_wr) != 0 || sel4kvm_debug_exit_add(&f->vm) != 0 ||
        vm_io_port_add_handler(&f->vm, (vm_ioport_range_t){ GUEST_SYNC_PORT, GUEST_SYNC_PORT + 3 }, sync) != 0) {
        return -1;
    }
    f->vcpu = vm_create_vcpu(&f->vm, 100);
    if (f->vcpu == NULL) {
        return -1;
    }
    f->up = true;
    return 0;
}

static char captured[16384];
static size_t captured_len;

static void capture_sink(void *cookie, int level, const char *tag, const char *file, int line, const char *func,
                         const char *msg)
{
    (void)cookie;
    (void)level;
    (void)tag;
    (void)file;
    (void)line;
    (void)func;
    int n = snprintf(captured + captured_len, sizeof(captured) - captured_len, "%s\n", msg);
    if (n > 0) {
        captured_len = MIN(captured_len + (size_t)n, sizeof(captured) - 1);
    }
}

void kvm_capture_log(void)
{
    captured_len = 0;
    captured[0] = '\0';
    sel4kvm_log_set_sink(capture_sink, NULL);
}

bool kvm_log_contains(const char *text)
{
    return strstr(captured, text) != NULL;
}

int kvm_fixture_down(void **state)
{
    struct kvm_fixture *f = *state;
    sel4kvm_log_set_sink(NULL, NULL);
    if (f->vm.vm_initialised) {
        for (size_t i = 0; i < f->num_reservations; i++) {
            vm_free_reserved_memory(&f->vm, f->reservations[i]);
        }
        sel4kvm_vm_destroy(&f->vm);
        sel4kvm_env_destroy(&f->env);
    }
    if (f->serial_rd >= 0) {
        close(f->serial_rd);
        close(f->serial_wr);
    }
    return 0;
}

struct kvm_fixture *kvm_fixture(void **state)
{
    struct kvm_fixture *f = *state;
    if (!f->up) {
        print_message("skipped: KVM is not usable here: %s\n", f->reason);
        skip();
    }
    return f;
}

static void *read_guest_image(const char *name, const char *ext, size_t *size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.%s", GUEST_DIR, name, ext);
    void *data = NULL;
    if (sel4kvm_image_read(path, &data, size) != 0) {
        fail_msg("cannot read guest image %s (make builds it)", path);
    }
    return data;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

void kvm_load_guest(struct kvm_fixture *f, const char *name)
{
    size_t size;
    if (has_suffix(name, "_16")) {
        void *image = read_guest_image(name, "bin", &size);
        assert_int_equal(sel4kvm_load_flat(&f->vm, image, size, GUEST_REAL_ENTRY), 0);
        free(image);
        assert_int_equal(sel4kvm_vcpu_set_real_mode(f->vcpu, GUEST_REAL_ENTRY), 0);
        return;
    }
    assert_true(has_suffix(name, "_32") || has_suffix(name, "_64"));
    void *image = read_guest_image(name, "elf", &size);
    uintptr_t entry = 0;
    assert_int_equal(sel4kvm_load_elf(&f->vm, image, size, &entry), 0);
    free(image);
    if (has_suffix(name, "_32")) {
        assert_int_equal(sel4kvm_vcpu_set_protected_mode(f->vcpu, entry), 0);
    } else {
        assert_int_equal(sel4kvm_vcpu_set_long_mode(f->vcpu, entry, GUEST_LONG_TABLES), 0);
    }
}

void kvm_load_multiboot(struct kvm_fixture *f, const char *name, const char *cmdline)
{
    size_t size;
    void *image = read_guest_image(name, "elf", &size);
    sel4kvm_multiboot_boot_t boot;
    assert_int_equal(sel4kvm_load_multiboot(&f->vm, image, size, cmdline, NULL, 0, &boot), 0);
    free(image);
    assert_int_equal(sel4kvm_vcpu_boot_multiboot(f->vcpu, &boot), 0);
}

struct watchdog {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    bool fired;
    vm_t *vm;
};

static void *watchdog_main(void *arg)
{
    struct watchdog *w = arg;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WATCHDOG_SECONDS;
    pthread_mutex_lock(&w->lock);
    while (!w->done) {
        if (pthread_cond_timedwait(&w->cond, &w->lock, &deadline) == ETIMEDOUT) {
            w->fired = true;
            sel4kvm_vm_stop(w->vm);
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int kvm_run(struct kvm_fixture *f)
{
    if (!f->started) {
        assert_int_equal(vcpu_start(f->vcpu), 0);
        f->started = true;
    }
    struct watchdog w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, &f->vm };
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, watchdog_main, &w), 0);
    int ret = vm_run(&f->vm);
    pthread_mutex_lock(&w.lock);
    w.done = true;
    pthread_cond_signal(&w.cond);
    pthread_mutex_unlock(&w.lock);
    pthread_join(thread, NULL);
    if (w.fired) {
        fail_msg("the guest was still running after %d s", WATCHDOG_SECONDS);
    }
    return ret;
}

bool kvm_guest_exited(struct kvm_fixture *f)
{
    int status;
    return sel4kvm_debug_exit_status(&f->vm, &status) == 0;
}

int kvm_exit_status(struct kvm_fixture *f)
{
    int status = -1;
    if (sel4kvm_debug_exit_status(&f->vm, &status) != 0) {
        fail_msg("the guest did not write to the debug-exit port");
    }
    return status;
}

void kvm_ram_write(struct kvm_fixture *f, uintptr_t addr, const void *buf, size_t size)
{
    assert_int_equal(vm_ram_touch(&f->vm, addr, size, vm_guest_ram_write_callback, (void *)buf), 0);
}

void kvm_ram_read(struct kvm_fixture *f, uintptr_t addr, void *buf, size_t size)
{
    assert_int_equal(vm_ram_touch(&f->vm, addr, size, vm_guest_ram_read_callback, buf), 0);
}

uint64_t kvm_result(struct kvm_fixture *f, size_t slot)
{
    uint64_t v;
    kvm_ram_read(f, GUEST_RESULTS + slot * sizeof(v), &v, sizeof(v));
    return v;
}

void kvm_clear_results(struct kvm_fixture *f, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t v = KVM_RESULT_UNTOUCHED;
        kvm_ram_write(f, GUEST_RESULTS + i * sizeof(v), &v, sizeof(v));
    }
}

void kvm_write_script(struct kvm_fixture *f, const struct guest_op *ops, size_t count)
{
    assert_true(count < GUEST_SCRIPT_MAX);
    for (size_t i = 0; i <= count; i++) {
        uint8_t entry[GUEST_SCRIPT_ENTRY] = { 0 };
        if (i < count) {
            memcpy(entry, &ops[i].op, 4);
            memcpy(entry + 8, &ops[i].addr, 8);
            memcpy(entry + 16, &ops[i].value, 8);
        }
        kvm_ram_write(f, GUEST_SCRIPT + i * GUEST_SCRIPT_ENTRY, entry, sizeof(entry));
    }
    kvm_clear_results(f, count);
}

int kvm_run_script(struct kvm_fixture *f, const char *guest, const struct guest_op *ops, size_t count)
{
    kvm_load_guest(f, guest);
    kvm_write_script(f, ops, count);
    return kvm_run(f);
}

size_t kvm_serial_output(struct kvm_fixture *f, char *buf, size_t size)
{
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = read(f->serial_rd, buf + n, size - 1 - n);
        if (r <= 0) {
            break;
        }
        n += (size_t)r;
    }
    buf[n] = '\0';
    return n;
}

vm_memory_reservation_t *kvm_reserve(struct kvm_fixture *f, uintptr_t addr, size_t size,
                                     memory_fault_callback_fn callback, void *cookie)
{
    assert_true(f->num_reservations < KVM_FIXTURE_MAX_RESERVATIONS);
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, addr, size, callback, cookie);
    assert_non_null(res);
    f->reservations[f->num_reservations++] = res;
    return res;
}

seL4_CPtr kvm_badged_host_endpoint(struct kvm_fixture *f, seL4_Word badge)
{
    cspacepath_t src, dest;
    assert_int_equal(vka_cspace_alloc_path(&f->env.vka, &dest), 0);
    vka_cspace_make_path(&f->env.vka, f->env.host_endpoint, &src);
    assert_int_equal(vka_cnode_mint(&dest, &src, seL4_AllRights, badge), seL4_NoError);
    return dest.capPtr;
}

seL4_CPtr kvm_new_frame(struct kvm_fixture *f, uint8_t **host)
{
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frame), 0);
    seL4_X86_Page_GetAddress_t addr = seL4_X86_Page_GetAddress(frame.cptr);
    assert_int_equal(addr.error, seL4_NoError);
    *host = sel4kvm_sim_paddr_to_host(addr.paddr, BIT(seL4_PageBits));
    assert_non_null(*host);
    return frame.cptr;
}

struct one_frame {
    vm_frame_t frame;
};

static vm_frame_t one_frame_iterator(uintptr_t addr, void *cookie)
{
    (void)addr;
    return ((struct one_frame *)cookie)->frame;
}

void kvm_map_frame(struct kvm_fixture *f, vm_memory_reservation_t *res, seL4_CPtr frame, uintptr_t addr,
                   seL4_CapRights_t rights)
{
    struct one_frame one = { { .cptr = frame, .rights = rights, .vaddr = addr, .size_bits = seL4_PageBits } };
    assert_int_equal(vm_map_reservation(&f->vm, res, one_frame_iterator, &one), 0);
}

uint64_t device_bytes(uintptr_t offset, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++) {
        v |= (uint64_t)(uint8_t)((offset + i) * 0x1d + 0x41) << (8 * i);
    }
    return v;
}

seL4_Word lane(uintptr_t addr, size_t size, uint64_t value)
{
    return size == 8 ? value : value << ((addr & 3) * 8);
}

memory_fault_result_t kvm_recorder_callback(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    struct mmio_recorder *r = cookie;
    bool is_read = is_vcpu_read_fault(vcpu);
    if (r->result == FAULT_HANDLED && is_read) {
        set_vcpu_fault_data(vcpu, lane(addr, size, device_bytes(addr - r->base, size)));
    }
    if (r->count < ARRAY_SIZE(r->accesses)) {
        r->accesses[r->count] = (struct mmio_access){ .addr = addr,
                                                      .size = size,
                                                      .is_read = is_read,
                                                      .data = get_vcpu_fault_data(vcpu),
                                                      .mask = get_vcpu_fault_data_mask(vcpu) };
    }
    r->count++;
    if (r->result == FAULT_HANDLED) {
        advance_vcpu_fault(vcpu);
    }
    return r->result;
}

vmm_pci_space_t *kvm_attach_pci(struct kvm_fixture *f)
{
    vmm_pci_space_t *pci = NULL;
    assert_int_equal(vmm_pci_init(&pci), 0);
    vm_ioport_interface_t iface = {
        .cookie = pci, .port_in = vmm_pci_io_port_in, .port_out = vmm_pci_io_port_out, .desc = "PCI config"
    };
    assert_int_equal(vm_io_port_add_handler(&f->vm,
                                            (vm_ioport_range_t){ PCI_CONF_PORT_ADDR, PCI_CONF_PORT_DATA_END - 1 },
                                            iface),
                     0);
    return pci;
}

void skip_without_kvm(void)
{
    char reason[160];
    if (!sel4kvm_kvm_available(reason, sizeof(reason))) {
        print_message("skipped: KVM is not usable here: %s\n", reason);
        skip();
    }
}
