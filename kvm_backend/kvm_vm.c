/* The KVM backend: /dev/kvm, the VM and its vCPUs, interrupt lines, and the backend operations table. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sel4kvm/vm.h>
#include "kvm_internal.h"

#define KVM_DEVICE "/dev/kvm"
#define KVM_API_VERSION_EXPECTED 12
#define CPUID_MAX_ENTRIES 256

int kvm_ioctl(int fd, unsigned long request, void *arg)
{
    int ret;
    do {
        ret = ioctl(fd, request, arg);
    } while (ret < 0 && errno == EINTR);
    return ret;
}

/* Opens /dev/kvm and checks its API version; -1 with a one-line reason otherwise. */
static int open_kvm(char *reason, size_t reason_size)
{
    int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        const char *why = err == ENOENT   ? "it does not exist (no KVM in this kernel, or not passed to this container)"
                          : err == EACCES ? "permission denied (join the 'kvm' group or run with access to it)"
                                          : strerror(err);
        snprintf(reason, reason_size, "cannot open %s: %s", KVM_DEVICE, why);
        return -1;
    }
    int version = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION_EXPECTED) {
        snprintf(reason, reason_size, "%s speaks KVM API version %d, not %d", KVM_DEVICE, version,
                 KVM_API_VERSION_EXPECTED);
        close(fd);
        return -1;
    }
    return fd;
}

bool sel4kvm_kvm_available(char *reason, size_t reason_size)
{
    char buf[160];
    int fd = open_kvm(buf, sizeof(buf));
    if (fd < 0) {
        if (reason != NULL && reason_size > 0) {
            snprintf(reason, reason_size, "%s", buf);
        }
        return false;
    }
    close(fd);
    return true;
}

static bool has_cap(int fd, int cap)
{
    return ioctl(fd, KVM_CHECK_EXTENSION, cap) > 0;
}

static void kvm_vm_destroy(vm_t *vm);

static int kvm_vm_create(vm_t *vm)
{
    struct kvm_vm *kv = calloc(1, sizeof(*kv));
    if (kv == NULL) {
        ZF_LOGE("Failed to create KVM VM: out of memory");
        return -1;
    }
    kv->kvm_fd = kv->vm_fd = kv->watcher_stop_fd = kv->ack_epoll_fd = -1;
    for (int i = 0; i < VM_NUM_IRQS; i++) {
        kv->resample_fds[i] = kv->irqfds[i] = -1;
    }
    pthread_mutex_init(&kv->run_lock, NULL);
    pthread_mutex_init(&kv->drain_lock, NULL);
    pthread_cond_init(&kv->drained_cond, NULL);
    vm_private(vm)->backend = kv;

    char reason[160];
    kv->kvm_fd = open_kvm(reason, sizeof(reason));
    if (kv->kvm_fd < 0) {
        ZF_LOGE("Failed to create KVM VM: %s", reason);
        goto fail;
    }
    static const struct {
        int cap;
        const char *name;
    } required[] = {
        { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },       { KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM" },
        { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" }, { KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
        { KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },     { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
        if (!has_cap(kv->kvm_fd, required[i].cap)) {
            ZF_LOGE("Failed to create KVM VM: this kernel's KVM lacks %s", required[i].name);
            goto fail;
        }
    }
    int mmap_size = ioctl(kv->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size < (int)sizeof(struct kvm_run)) {
        ZF_LOGE("Failed to create KVM VM: KVM_GET_VCPU_MMAP_SIZE gave %d", mmap_size);
        goto fail;
    }
    kv->run_mmap_size = (size_t)mmap_size;
    do {
        kv->vm_fd = ioctl(kv->kvm_fd, KVM_CREATE_VM, 0);
    } while (kv->vm_fd < 0 && errno == EINTR);
    if (kv->vm_fd < 0) {
        ZF_LOGE("Failed to create KVM VM: KVM_CREATE_VM: %s", strerror(errno));
        goto fail;
    }
    /* Both must precede the first vCPU (KVM_FACTS.md), as must the irqchip, which is created only for a VM that
     * asks for an interrupt controller (kvm_create_irq_controller): on this host an irqchip makes the VM's first
     * memslot take milliseconds, and a VM without one leaves KVM's MMIO exits a shorter path. */
    uint64_t identity_map = KVM_IDENTITY_MAP_ADDR;
    if (ioctl(kv->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0 ||
        kvm_ioctl(kv->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity_map) < 0) {
        ZF_LOGE("Failed to create KVM VM: setting up the TSS or identity map: %s", strerror(errno));
        goto fail;
    }
    kv->cpuid = calloc(1, sizeof(*kv->cpuid) + CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2));
    if (kv->cpuid == NULL) {
        ZF_LOGE("Failed to create KVM VM: out of memory");
        goto fail;
    }
    kv->cpuid->nent = CPUID_MAX_ENTRIES;
    if (kvm_ioctl(kv->kvm_fd, KVM_GET_SUPPORTED_CPUID, kv->cpuid) < 0) {
        ZF_LOGE("Failed to create KVM VM: KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
        goto fail;
    }
    kv->ack_epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (kv->ack_epoll_fd < 0) {
        ZF_LOGE("Failed to create KVM VM: epoll_create1: %s", strerror(errno));
        goto fail;
    }
    if (kvm_memory_init(vm, &kv->mem) != 0) {
        goto fail;
    }
    return 0;

fail:
    kvm_vm_destroy(vm);
    return -1;
}

static void kvm_vm_destroy(vm_t *vm)
{
    struct kvm_vm *kv = kvm_vm(vm);
    if (kv == NULL) {
        return;
    }
    kvm_gdb_release(kv);
    kvm_memory_destroy(vm, &kv->mem);
    for (int i = 0; i < VM_NUM_IRQS; i++) {
        if (kv->irqfds[i] >= 0) {
            struct kvm_irqfd unassign = { .fd = (uint32_t)kv->irqfds[i],
                                          .gsi = (uint32_t)i,
                                          .flags = KVM_IRQFD_FLAG_DEASSIGN };
            kvm_ioctl(kv->vm_fd, KVM_IRQFD, &unassign);
            close(kv->irqfds[i]);
            close(kv->resample_fds[i]);
        }
    }
    if (kv->ack_epoll_fd >= 0) {
        close(kv->ack_epoll_fd);
    }
    if (kv->vm_fd >= 0) {
        close(kv->vm_fd);
    }
    if (kv->kvm_fd >= 0) {
        close(kv->kvm_fd);
    }
    free(kv->cpuid);
    pthread_cond_destroy(&kv->drained_cond);
    pthread_mutex_destroy(&kv->drain_lock);
    pthread_mutex_destroy(&kv->run_lock);
    free(kv);
    vm_private(vm)->backend = NULL;
}

static void kvm_vcpu_destroy(vm_vcpu_t *vcpu);

/* KVM's vCPU is made when it is first needed (kvm_vcpu_realize), so that vm_create_default_irq_controller can
 * still create the irqchip after vm_create_vcpu, in the order seL4 VMMs call them. */
static int kvm_vcpu_create(vm_vcpu_t *vcpu)
{
    struct kvm_vcpu *kc = calloc(1, sizeof(*kc));
    if (kc == NULL) {
        ZF_LOGE("Failed to create KVM vCPU: out of memory");
        return -1;
    }
    kc->fd = -1;
    vcpu->vcpu_arch.backend = kc;
    return 0;
}

int kvm_vcpu_realize(vm_vcpu_t *vcpu)
{
    struct kvm_vcpu *kc = kvm_vcpu(vcpu);
    if (kc->fd >= 0) {
        return 0;
    }
    struct kvm_vm *kv = kvm_vm(vcpu->vm);
    int fd;
    do {
        fd = ioctl(kv->vm_fd, KVM_CREATE_VCPU, (unsigned long)vcpu->vcpu_id);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        ZF_LOGE("Failed to create KVM vCPU %u: %s", vcpu->vcpu_id, strerror(errno));
        return -1;
    }
    struct kvm_run *run = mmap(NULL, kv->run_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (run == MAP_FAILED) {
        ZF_LOGE("Failed to map the kvm_run area of vCPU %u: %s", vcpu->vcpu_id, strerror(errno));
        close(fd);
        return -1;
    }
    if (kvm_ioctl(fd, KVM_SET_CPUID2, kv->cpuid) < 0) {
        ZF_LOGE("Failed to set the CPUID of vCPU %u: %s", vcpu->vcpu_id, strerror(errno));
        munmap(run, kv->run_mmap_size);
        close(fd);
        return -1;
    }
    /* Registers come back in kvm_run on every exit, so a fault's RIP costs no system call. */
    if (has_cap(kv->vm_fd, KVM_CAP_SYNC_REGS)) {
        run->kvm_valid_regs = KVM_SYNC_X86_REGS;
    }
    kc->fd = fd;
    kc->run = run;
    kc->run_size = kv->run_mmap_size;
    return 0;
}

static int kvm_create_irq_controller(vm_t *vm)
{
    struct kvm_vm *kv = kvm_vm(vm);
    for (unsigned i = 0; i < vm->num_vcpus; i++) {
        if (kvm_vcpu(vm->vcpus[i])->fd >= 0) {
            ZF_LOGE("Failed to create the interrupt controller of VM %s: KVM needs it before a vCPU runs or has "
                    "its registers used; call vm_create_default_irq_controller earlier",
                    vm->vm_name);
            return -1;
        }
    }
    if (kvm_ioctl(kv->vm_fd, KVM_CREATE_IRQCHIP, NULL) < 0) {
        ZF_LOGE("Failed to create the interrupt controller of VM %s: KVM_CREATE_IRQCHIP: %s", vm->vm_name,
                strerror(errno));
        return -1;
    }
    return 0;
}

static void kvm_vcpu_destroy(vm_vcpu_t *vcpu)
{
    struct kvm_vcpu *kc = kvm_vcpu(vcpu);
    if (kc == NULL) {
        return;
    }
    if (kc->run != NULL) {
        munmap(kc->run, kc->run_size);
    }
    if (kc->fd >= 0) {
        close(kc->fd);
    }
    free(kc);
    vcpu->vcpu_arch.backend = NULL;
}

static int kvm_set_irq_level(vm_t *vm, int irq, int level)
{
    struct kvm_irq_level line = { .irq = (uint32_t)irq, .level = (uint32_t)level };
    if (kvm_ioctl(kvm_vm(vm)->vm_fd, KVM_IRQ_LINE, &line) < 0) {
        ZF_LOGE("Failed to set IRQ %d to %d: KVM_IRQ_LINE: %s", irq, level, strerror(errno));
        return -1;
    }
    return 0;
}

/* KVM tells user space of an EOI only through the resample eventfd of an irqfd. The irqfd itself is never
 * signalled (lines are driven with KVM_IRQ_LINE); it exists for the resample notification, which fires when the
 * guest acknowledges the line at the PIC or a level-triggered I/O APIC pin. */
static int kvm_watch_irq_ack(vm_t *vm, int irq)
{
    struct kvm_vm *kv = kvm_vm(vm);
    if (kv->irqfds[irq] >= 0) {
        return 0;
    }
    int irqfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int resample = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct kvm_irqfd assign = {
        .fd = (uint32_t)irqfd, .gsi = (uint32_t)irq, .flags = KVM_IRQFD_FLAG_RESAMPLE, .resamplefd = (uint32_t)resample
    };
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)irq };
    if (irqfd < 0 || resample < 0 || kvm_ioctl(kv->vm_fd, KVM_IRQFD, &assign) < 0) {
        ZF_LOGE("Failed to watch acknowledgements of IRQ %d: %s", irq, strerror(errno));
        goto fail;
    }
    if (epoll_ctl(kv->ack_epoll_fd, EPOLL_CTL_ADD, resample, &ev) < 0) {
        ZF_LOGE("Failed to watch acknowledgements of IRQ %d: epoll_ctl: %s", irq, strerror(errno));
        assign.flags = KVM_IRQFD_FLAG_DEASSIGN;
        kvm_ioctl(kv->vm_fd, KVM_IRQFD, &assign);
        goto fail;
    }
    kv->irqfds[irq] = irqfd;
    kv->resample_fds[irq] = resample;
    return 0;

fail:
    if (irqfd >= 0) {
        close(irqfd);
    }
    if (resample >= 0) {
        close(resample);
    }
    return -1;
}

bool kvm_collect_acks(struct kvm_vm *kv)
{
    struct epoll_event events[VM_NUM_IRQS];
    int n = epoll_wait(kv->ack_epoll_fd, events, VM_NUM_IRQS, 0);
    uint32_t lines = 0;
    for (int i = 0; i < n; i++) {
        uint32_t irq = events[i].data.u32;
        uint64_t count;
        if (read(kv->resample_fds[irq], &count, sizeof(count)) == sizeof(count)) {
            lines |= 1u << irq;
        }
    }
    atomic_fetch_or(&kv->pending_acks, lines);
    return lines != 0;
}

static size_t kvm_memslots(vm_t *vm)
{
    return kvm_memory_slots(kvm_vm(vm));
}

const struct vm_backend_ops sel4vm_kvm_backend_ops = {
    .name = "kvm",
    .vm_create = kvm_vm_create,
    .vm_destroy = kvm_vm_destroy,
    .vcpu_create = kvm_vcpu_create,
    .vcpu_destroy = kvm_vcpu_destroy,
    .vcpu_run = kvm_vcpu_run,
    .create_irq_controller = kvm_create_irq_controller,
    .set_irq_level = kvm_set_irq_level,
    .watch_irq_ack = kvm_watch_irq_ack,
    .kick = kvm_kick,
    .get_context = kvm_get_context,
    .set_context = kvm_set_context,
    .get_field = kvm_get_field,
    .set_field = kvm_set_field,
    .memslots = kvm_memslots,
};
