/* sel4vm-run's guest: defaults from the image's format, the VM (RAM, devices, vCPU state), the run and its end. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sel4kvm/devices.h>
#include <sel4kvm/gdbstub.h>
#include <sel4kvm/guest_boot.h>
#include <sel4kvm/trace.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/guest_ram.h>
#include "runner.h"

/* What the image is and how it starts, decided before any VM exists. */
struct plan {
    void *image;
    size_t size;
    sel4kvm_image_format_t format;
    enum cpu_mode mode;
    uintptr_t load_addr; /* flat images */
    sel4kvm_multiboot_module_t *modules;
    size_t num_modules;
};

static const char *format_name(sel4kvm_image_format_t f)
{
    switch (f) {
    case SEL4KVM_IMAGE_FLAT:
        return "a flat binary";
    case SEL4KVM_IMAGE_ELF32:
        return "an ELF32 executable";
    case SEL4KVM_IMAGE_ELF64:
        return "an ELF64 executable";
    case SEL4KVM_IMAGE_MULTIBOOT:
        return "a Multiboot kernel";
    default:
        return "empty";
    }
}

static int read_modules(const struct runner_options *o, struct plan *p)
{
    size_t n = 0;
    while (o->modules != NULL && o->modules[n] != NULL) {
        n++;
    }
    p->modules = calloc(n + 1, sizeof(*p->modules));
    if (p->modules == NULL) {
        report("out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *spec = o->modules[i];
        size_t len = strcspn(spec, " ");
        char *path = strndup(spec, len);
        void *data = NULL;
        size_t size = 0;
        report_clear();
        int ret = path != NULL ? sel4kvm_image_read(path, &data, &size) : -1;
        if (ret != 0) {
            report("--module %s: cannot read it", path != NULL ? path : spec);
        }
        free(path);
        if (ret != 0) {
            return -1;
        }
        p->modules[i] = (sel4kvm_multiboot_module_t){ .data = data, .size = size, .cmdline = spec };
        p->num_modules = i + 1;
    }
    return 0;
}

/* Reads the image and settles the mode and load address; every refusal is bad input. */
static int make_plan(const struct runner_options *o, struct plan *p)
{
    report_clear();
    if (sel4kvm_image_read(o->image, &p->image, &p->size) != 0) {
        report("cannot read image %s", o->image);
        return -1;
    }
    p->format = sel4kvm_image_detect(p->image, p->size);
    if (p->format == SEL4KVM_IMAGE_UNKNOWN) {
        report("image %s is empty", o->image);
        return -1;
    }
    bool multiboot = p->format == SEL4KVM_IMAGE_MULTIBOOT;
    if (!multiboot && (o->cmdline != NULL || (o->modules != NULL && o->modules[0] != NULL))) {
        report("--cmdline and --module need a Multiboot kernel; %s is %s", o->image, format_name(p->format));
        return -1;
    }
    if (p->format != SEL4KVM_IMAGE_FLAT && o->load_addr_set) {
        report("--load-addr applies to flat binaries; %s is %s, which says where it goes", o->image,
               format_name(p->format));
        return -1;
    }
    static const enum cpu_mode defaults[] = {
        [SEL4KVM_IMAGE_FLAT] = MODE_REAL,
        [SEL4KVM_IMAGE_ELF32] = MODE_PROTECTED,
        [SEL4KVM_IMAGE_ELF64] = MODE_LONG,
        [SEL4KVM_IMAGE_MULTIBOOT] = MODE_PROTECTED,
    };
    p->mode = o->mode != MODE_AUTO ? o->mode : defaults[p->format];
    if (multiboot && p->mode != MODE_PROTECTED) {
        report("--mode: a Multiboot kernel starts in protected mode");
        return -1;
    }
    if (p->format == SEL4KVM_IMAGE_FLAT) {
        p->load_addr = o->load_addr_set ? o->load_addr : p->mode == MODE_REAL ? RUNNER_REAL_LOAD : RUNNER_FLAT_LOAD;
        if (p->size > o->mem || p->load_addr > o->mem - p->size) {
            report("image %s (%zu bytes at 0x%lx) does not fit in %zu KiB of RAM at 0; use --mem or --load-addr",
                   o->image, p->size, (unsigned long)p->load_addr, o->mem >> 10);
            return -1;
        }
    }
    uintptr_t entry = o->entry_set ? o->entry : p->load_addr;
    if (p->mode == MODE_REAL && (o->entry_set || p->format == SEL4KVM_IMAGE_FLAT) && entry >= 0x100000) {
        report("entry 0x%lx is not below 1 MiB, as real mode needs", (unsigned long)entry);
        return -1;
    }
    return multiboot ? read_modules(o, p) : 0;
}

static void free_plan(struct plan *p)
{
    for (size_t i = 0; i < p->num_modules; i++) {
        free((void *)p->modules[i].data);
    }
    free(p->modules);
    free(p->image);
}

/* Loads the image; returns its entry (or o->entry) and fills boot for a Multiboot kernel. */
static int load(const struct runner_options *o, const struct plan *p, vm_t *vm, uintptr_t *entry,
                sel4kvm_multiboot_boot_t *boot)
{
    report_clear();
    int ret;
    switch (p->format) {
    case SEL4KVM_IMAGE_FLAT:
        ret = sel4kvm_load_flat(vm, p->image, p->size, p->load_addr);
        *entry = p->load_addr;
        break;
    case SEL4KVM_IMAGE_MULTIBOOT:
        ret = sel4kvm_load_multiboot(vm, p->image, p->size, o->cmdline, p->modules, p->num_modules, boot);
        *entry = boot->entry;
        break;
    default:
        ret = sel4kvm_load_elf(vm, p->image, p->size, entry);
        break;
    }
    if (ret != 0) {
        report("cannot load %s (%s) into %zu KiB of RAM", o->image, format_name(p->format), o->mem >> 10);
        return -1;
    }
    if (o->entry_set) {
        *entry = boot->entry = o->entry;
    }
    return 0;
}

static int set_cpu_state(const struct plan *p, vm_t *vm, vm_vcpu_t *vcpu, uintptr_t entry,
                         const sel4kvm_multiboot_boot_t *boot)
{
    report_clear();
    int ret = -1;
    switch (p->mode) {
    case MODE_REAL:
        ret = sel4kvm_vcpu_set_real_mode(vcpu, entry);
        break;
    case MODE_PROTECTED:
        ret = p->format == SEL4KVM_IMAGE_MULTIBOOT ? sel4kvm_vcpu_boot_multiboot(vcpu, boot)
                                                   : sel4kvm_vcpu_set_protected_mode(vcpu, entry);
        break;
    default: {
        /* The tables go in the largest free RAM, so they cannot overlap what was loaded. */
        uintptr_t free_at;
        size_t free_size;
        if (vm_ram_find_largest_free_region(vm, &free_at, &free_size) == 0 &&
            free_size >= SEL4KVM_LONG_MODE_TABLES_SIZE + (ROUND_UP(free_at, 0x1000) - free_at)) {
            uintptr_t tables = ROUND_UP(free_at, 0x1000);
            vm_ram_mark_allocated(vm, tables, SEL4KVM_LONG_MODE_TABLES_SIZE);
            ret = sel4kvm_vcpu_set_long_mode(vcpu, entry, tables);
        }
        break;
    }
    }
    if (ret != 0) {
        static const char *const names[] = { "", "real", "protected", "long" };
        report("cannot start the vCPU in %s mode at 0x%lx", names[p->mode], (unsigned long)entry);
    }
    return ret;
}

/* --timeout: a thread that stops the VM unless the run ends first. */
struct timer {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    bool fired;
    vm_t *vm;
    struct timespec deadline;
};

static void *timer_main(void *arg)
{
    struct timer *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->done) {
        if (pthread_cond_timedwait(&t->cond, &t->lock, &t->deadline) == ETIMEDOUT) {
            t->fired = true;
            sel4kvm_vm_stop(t->vm);
            break;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

static int timer_start(struct timer *t, pthread_t *thread, vm_t *vm, double seconds)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, &attr);
    pthread_condattr_destroy(&attr);
    t->done = t->fired = false;
    t->vm = vm;
    clock_gettime(CLOCK_MONOTONIC, &t->deadline);
    uint64_t ns = (uint64_t)t->deadline.tv_nsec + (uint64_t)(seconds * 1e9);
    t->deadline.tv_sec += (time_t)(ns / 1000000000u);
    t->deadline.tv_nsec = (long)(ns % 1000000000u);
    return pthread_create(thread, NULL, timer_main, t);
}

static bool timer_stop(struct timer *t, pthread_t thread)
{
    pthread_mutex_lock(&t->lock);
    t->done = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(thread, NULL);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    return t->fired;
}

/* Runs the prepared vCPU to its end; the exit status. */
static int run_vcpu(const struct runner_options *o, vm_t *vm, vm_vcpu_t *vcpu)
{
    if (o->gdb_port != 0) {
        fprintf(stderr, "sel4vm-run: waiting for gdb on 127.0.0.1:%u\n", o->gdb_port);
        report_clear();
        if (sel4kvm_gdbstub_attach(vm, o->gdb_port, o->timeout > 0 ? (int)(o->timeout * 1000) : -1) != 0) {
            report("--gdb %u: no debugger attached", o->gdb_port);
            return EXIT_GUEST_FAILED;
        }
    }
    struct timer timer;
    pthread_t thread;
    bool timing = o->timeout > 0;
    if (timing && timer_start(&timer, &thread, vm, o->timeout) != 0) {
        report("cannot start the timeout thread");
        return EXIT_GUEST_FAILED;
    }
    report_running(true);
    int ret = vcpu_start(vcpu) == 0 ? vm_run(vm) : -1;
    report_running(false);
    bool timed_out = timing && timer_stop(&timer, thread);
    int status;
    report_clear();
    if (ret == 0 && sel4kvm_debug_exit_status(vm, &status) == 0) {
        return (status >> 1) & 0xff;
    }
    if (ret == 0 && timed_out) {
        report("timeout: stopped the guest after %g s", o->timeout);
        return EXIT_TIMEOUT;
    }
    if (ret == 0) {
        report("the guest stopped without writing the debug-exit port");
    } else {
        report("the guest failed (exit reason %d)", vm->run.exit_reason);
    }
    return EXIT_GUEST_FAILED;
}

static int open_serial(const struct runner_options *o)
{
    if (o->serial == NULL || strcmp(o->serial, "-") == 0) {
        return STDOUT_FILENO;
    }
    int fd = open(o->serial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        report("--serial %s: cannot open it: %s", o->serial, strerror(errno));
    }
    return fd;
}

static int run_in_vm(const struct runner_options *o, const struct plan *p, sel4kvm_env_t *env)
{
    vm_t vm;
    report_clear();
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM);
    if (vm_init(&vm, &env->vka, &env->simple, env->vspace, &env->io_ops, env->host_endpoint, "sel4vm-run") != 0) {
        report("cannot create the VM");
        return EXIT_GUEST_FAILED;
    }
    int status = EXIT_GUEST_FAILED;
    int serial = -1;
    uintptr_t entry = 0;
    sel4kvm_multiboot_boot_t boot = { 0 };
    vm_vcpu_t *vcpu = NULL;
    struct runner_crossvm *crossvm = NULL;
    struct example_devices *devices = NULL;
    /* The interrupt controller must exist before the vCPU's registers are set (KVM); connections use it. */
    if (vm_ram_register_at(&vm, 0, o->mem, false) != 0 || vm_create_default_irq_controller(&vm) != 0) {
        report("cannot register %zu KiB of guest RAM and the interrupt controller", o->mem >> 10);
    } else if (load(o, p, &vm, &entry, &boot) != 0) {
        status = EXIT_BAD_INPUT;
    } else if ((serial = open_serial(o)) < 0) {
        status = EXIT_BAD_INPUT;
    } else if (sel4kvm_serial_add(&vm, serial) != 0 || sel4kvm_debug_exit_add(&vm) != 0 ||
               (vcpu = vm_create_vcpu(&vm, 100)) == NULL) {
        report("cannot add the serial port, the debug-exit port and the vCPU");
    } else if (set_cpu_state(p, &vm, vcpu, entry, &boot) != 0) {
        status = EXIT_BAD_INPUT;
    } else if (sel4kvm_vm_set_strict(&vm, o->strict) != 0 ||
               (o->trace != 0 && sel4kvm_vm_set_trace(&vm, o->trace, stderr) != 0)) {
        report("cannot set strict mode or tracing");
    } else if (o->num_crossvm == 0 && (devices = example_devices_add(&vm, &env->vka, o->mem)) == NULL) {
        report("cannot add the example devices");
    } else if (o->num_crossvm == 0 || (status = crossvm_setup(o, env, &vm, &crossvm)) == 0) {
        status = run_vcpu(o, &vm, vcpu);
    }
    example_devices_remove(devices, &vm);
    sel4kvm_vm_destroy(&vm);
    /* The PCI bus's entries point into the VM's connection state, so the connections go after the VM. */
    crossvm_teardown(crossvm);
    if (serial > STDOUT_FILENO) {
        close(serial);
    }
    return status;
}

int runner_run(const struct runner_options *o)
{
    struct plan p;
    memset(&p, 0, sizeof(p));
    int status = EXIT_BAD_INPUT;
    char reason[160];
    sel4kvm_env_t env;
    if (make_plan(o, &p) != 0) {
        status = EXIT_BAD_INPUT;
    } else if (!sel4kvm_kvm_available(reason, sizeof(reason))) {
        report_clear();
        report("KVM is not usable: %s", reason);
        status = EXIT_NO_KVM;
    } else if (sel4kvm_env_init(&env, NULL) != 0) {
        report("cannot create the VMM environment");
        status = EXIT_GUEST_FAILED;
    } else {
        status = run_in_vm(o, &p, &env);
        sel4kvm_env_destroy(&env);
    }
    free_plan(&p);
    return status;
}
