/* The KVM run loop on the calling thread, its exits, and the kick that interrupts KVM_RUN (DESIGN.md §5). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <sel4kvm/sim.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_vm_exits.h>
#include "kvm_internal.h"

/* Blocked on the vCPU thread except inside KVM_RUN, so it can only ever interrupt the guest. gdb passes SIGURG
 * without stopping (`info signals`: No/No/Yes), so kicks never disturb a debugging session. */
#define KICK_SIGNAL SIGURG

static void kick_handler(int sig)
{
    (void)sig;
}

static pthread_once_t kick_handler_once = PTHREAD_ONCE_INIT;

/* Ignored signals are discarded when raised, and SIGURG is ignored by default: give it a handler, unless the
 * program has its own (which then sees our kicks too, as it would see out-of-band socket data). */
static void install_kick_handler(void)
{
    struct sigaction old;
    if (sigaction(KICK_SIGNAL, NULL, &old) == 0 && (old.sa_flags & SA_SIGINFO) == 0 &&
        (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN)) {
        struct sigaction sa = { .sa_handler = kick_handler, .sa_flags = SA_RESTART };
        sigemptyset(&sa.sa_mask);
        sigaction(KICK_SIGNAL, &sa, NULL);
    }
}

void kvm_kick(vm_t *vm)
{
    struct kvm_vm *kv = kvm_vm(vm);
    if (kv == NULL) {
        return;
    }
    pthread_mutex_lock(&kv->run_lock);
    if (kv->running) {
        __atomic_store_n(&kv->active_run->immediate_exit, 1, __ATOMIC_SEQ_CST);
        pthread_kill(kv->vcpu_thread, KICK_SIGNAL);
    }
    pthread_mutex_unlock(&kv->run_lock);
}

/* Takes kick signals that arrived outside KVM_RUN, so the next KVM_RUN does not stop at once for them. */
static void drain_kick_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, KICK_SIGNAL);
    struct timespec zero = { 0, 0 };
    while (sigtimedwait(&set, NULL, &zero) == KICK_SIGNAL) {
    }
}

/* ---- watcher: turns a signal on the host endpoint (any thread, any process) into a kick ---------------------- */

static void *watcher_main(void *arg)
{
    vm_t *vm = arg;
    struct kvm_vm *kv = kvm_vm(vm);
    int ntfn_fd = vm->host_endpoint != seL4_CapNull ? sel4kvm_notification_wait_fd(vm->host_endpoint) : -1;
    /* A notification cap without a descriptor (-1) is left out of poll(). */
    struct pollfd fds[3] = { { .fd = kv->watcher_stop_fd, .events = POLLIN },
                             { .fd = kv->ack_epoll_fd, .events = POLLIN },
                             { .fd = ntfn_fd, .events = POLLIN } };
    for (;;) {
        if (poll(fds, ntfn_fd >= 0 ? 3 : 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            ZF_LOGE("VM %s: the notification watcher failed: %s", vm->vm_name, strerror(errno));
            return NULL;
        }
        if (fds[0].revents != 0) {
            return NULL;
        }
        bool acked = fds[1].revents != 0 && kvm_collect_acks(kv);
        if (!acked && fds[2].revents == 0) {
            continue;
        }
        /* The endpoint stays readable until the vCPU polls it: kick once, then wait until it has. */
        pthread_mutex_lock(&kv->drain_lock);
        uint64_t seen = kv->drained;
        pthread_mutex_unlock(&kv->drain_lock);
        kvm_kick(vm);
        pthread_mutex_lock(&kv->drain_lock);
        while (kv->drained == seen && !kv->watcher_quit) {
            pthread_cond_wait(&kv->drained_cond, &kv->drain_lock);
        }
        bool quit = kv->watcher_quit;
        pthread_mutex_unlock(&kv->drain_lock);
        if (quit) {
            return NULL;
        }
    }
}

static int start_watcher(vm_t *vm, struct kvm_vm *kv)
{
    kv->watcher_stop_fd = eventfd(0, EFD_CLOEXEC);
    kv->watcher_quit = false;
    if (kv->watcher_stop_fd < 0) {
        ZF_LOGE("Failed to run VM %s: eventfd: %s", vm->vm_name, strerror(errno));
        return -1;
    }
    /* The watcher must never take a kick itself. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int err = pthread_create(&kv->watcher, NULL, watcher_main, vm);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        ZF_LOGE("Failed to run VM %s: cannot start its notification watcher: %s", vm->vm_name, strerror(err));
        close(kv->watcher_stop_fd);
        kv->watcher_stop_fd = -1;
        return -1;
    }
    return 0;
}

static void stop_watcher(struct kvm_vm *kv)
{
    pthread_mutex_lock(&kv->drain_lock);
    kv->watcher_quit = true;
    pthread_cond_broadcast(&kv->drained_cond);
    pthread_mutex_unlock(&kv->drain_lock);
    sel4kvm_eventfd_signal(kv->watcher_stop_fd);
    pthread_join(kv->watcher, NULL);
    close(kv->watcher_stop_fd);
    kv->watcher_stop_fd = -1;
}

static void deliver_acks(vm_t *vm, struct kvm_vm *kv)
{
    uint32_t acks = atomic_exchange(&kv->pending_acks, 0);
    for (int irq = 0; acks != 0; irq++, acks >>= 1) {
        if (acks & 1) {
            vm_irq_acknowledged(vm->vcpus[BOOT_VCPU], irq);
        }
    }
}

/* After KVM_RUN returned for a kick: deliver acknowledgements and notifications and tell the watcher they are
 * taken. */
static int handle_kick(vm_t *vm, struct kvm_vm *kv, struct kvm_run *run)
{
    __atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    drain_kick_signals();
    deliver_acks(vm, kv);
    int ret = vm->host_endpoint != seL4_CapNull ? vm_deliver_notifications(vm) : 0;
    pthread_mutex_lock(&kv->drain_lock);
    kv->drained++;
    pthread_cond_broadcast(&kv->drained_cond);
    pthread_mutex_unlock(&kv->drain_lock);
    return ret;
}

/* ---- exits ---------------------------------------------------------------------------------------------------- */

/* handle_exit's result for a HLT the VMM must wait out (0: go on, -1: fail). */
#define GUEST_HALTED 1

static seL4_Word exit_rip(vm_vcpu_t *vcpu, struct kvm_run *run)
{
    if (run->kvm_valid_regs & KVM_SYNC_X86_REGS) {
        return run->s.regs.regs.rip;
    }
    struct kvm_regs regs;
    return kvm_ioctl(kvm_vcpu(vcpu)->fd, KVM_GET_REGS, &regs) == 0 ? regs.rip : 0;
}

static int handle_mmio(vm_vcpu_t *vcpu, struct kvm_run *run)
{
    vm_t *vm = vcpu->vm;
    uint32_t len = run->mmio.len;
    vm->run.exit_reason = VM_GUEST_MMIO_EXIT;
    /* Not only 1, 2, 4 and 8: KVM splits an access that crosses into another page and moves string I/O to or from
     * MMIO several items at a time, so e.g. `movl` at page offset 0xffd or `rep insl` into a device gives 3 or 6. */
    if (len == 0 || len > sizeof(run->mmio.data)) {
        char reason[96];
        snprintf(reason, sizeof(reason), "a %u-byte guest access at 0x%llx, which MMIO emulation cannot take", len,
                 (unsigned long long)run->mmio.phys_addr);
        kvm_dump_vcpu(vcpu, reason);
        return -1;
    }
    seL4_Word value = 0;
    if (run->mmio.is_write) {
        memcpy(&value, run->mmio.data, len); /* little-endian host: the guest's bytes in order */
    }
    seL4_Word read_value = 0;
    if (vcpu_fault_dispatch(vcpu, (uintptr_t)run->mmio.phys_addr, len, !run->mmio.is_write, value, exit_rip(vcpu, run),
                            &read_value) != 0) {
        kvm_dump_vcpu(vcpu, "a guest memory access could not be completed (see above)");
        return -1;
    }
    if (!run->mmio.is_write) {
        memcpy(run->mmio.data, &read_value, len);
    }
    return 0;
}

static int handle_io(vm_vcpu_t *vcpu, struct kvm_run *run)
{
    struct kvm_vcpu *kc = kvm_vcpu(vcpu);
    vcpu->vm->run.exit_reason = VM_GUEST_IO_EXIT;
    size_t bytes = (size_t)run->io.size * run->io.count;
    if (run->io.data_offset >= kc->run_size || bytes > kc->run_size - run->io.data_offset) {
        kvm_dump_vcpu(vcpu, "KVM reported port I/O data outside the kvm_run area");
        return -1;
    }
    if (vm_io_handle(vcpu, run->io.port, run->io.direction == KVM_EXIT_IO_IN, run->io.size, run->io.count,
                     (char *)run + run->io.data_offset) != 0) {
        kvm_dump_vcpu(vcpu, "a port I/O handler failed (see above)");
        return -1;
    }
    return 0;
}

static int report_internal_error(vm_vcpu_t *vcpu, struct kvm_run *run)
{
    char reason[256];
    int n = snprintf(reason, sizeof(reason), "KVM internal error, suberror %u%s", run->internal.suberror,
                     run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (instruction emulation failed)" : "");
    for (uint32_t i = 0;
         i < run->internal.ndata && i < ARRAY_SIZE(run->internal.data) && n > 0 && (size_t)n < sizeof(reason); i++) {
        n += snprintf(reason + n, sizeof(reason) - (size_t)n, "%s%llx", i == 0 ? "; data " : " ",
                      (unsigned long long)run->internal.data[i]);
    }
    kvm_dump_vcpu(vcpu, reason);
    return -1;
}

static int handle_exit(vm_vcpu_t *vcpu, struct kvm_run *run)
{
    char reason[128];
    switch (run->exit_reason) {
    case KVM_EXIT_MMIO:
        return handle_mmio(vcpu, run);
    case KVM_EXIT_IO:
        return handle_io(vcpu, run);
    case KVM_EXIT_INTR:
        return 0;
    case KVM_EXIT_DEBUG:
        return kvm_gdb_debug_exit(vcpu, run);
    case KVM_EXIT_SHUTDOWN:
        vcpu->vm->run.exit_reason = VM_GUEST_UNKNOWN_EXIT;
        kvm_dump_vcpu(vcpu, "the guest triple-faulted (KVM_EXIT_SHUTDOWN)");
        return -1;
    case KVM_EXIT_INTERNAL_ERROR:
        vcpu->vm->run.exit_reason = VM_GUEST_UNKNOWN_EXIT;
        return report_internal_error(vcpu, run);
    case KVM_EXIT_FAIL_ENTRY:
        snprintf(reason, sizeof(reason), "the guest state cannot be entered (KVM_EXIT_FAIL_ENTRY, reason 0x%llx)",
                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        snprintf(reason, sizeof(reason), "the guest raised system event %u (KVM_EXIT_SYSTEM_EVENT)",
                 run->system_event.type);
        break;
    case KVM_EXIT_HLT:
        /* Only a VM without an in-kernel irqchip exits on HLT. */
        return GUEST_HALTED;
    default:
        snprintf(reason, sizeof(reason), "KVM exit reason %u, which this VMM does not handle", run->exit_reason);
        break;
    }
    vcpu->vm->run.exit_reason = VM_GUEST_UNKNOWN_EXIT;
    kvm_dump_vcpu(vcpu, reason);
    return -1;
}

/* ---- the loop ------------------------------------------------------------------------------------------------- */

/* A guest that halts in a VM with no interrupt controller sleeps until the VMM has something for it: a
 * notification or a stop, both of which kick. The guest then goes on after its HLT. */
static int wait_for_kick(vm_t *vm, struct kvm_vm *kv, struct kvm_run *run)
{
    vm->run.exit_reason = VM_GUEST_UNKNOWN_EXIT;
    if (vm->host_endpoint == seL4_CapNull && !kv->warned_halt) {
        ZF_LOGW("VM %s: the guest halted with no interrupt controller and no host endpoint; only sel4kvm_vm_stop can "
                "wake it",
                vm->vm_name);
        kv->warned_halt = true;
    }
    /* A kick sets immediate_exit before its signal, so one that comes after this look leaves the signal pending. */
    if (!__atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST)) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, KICK_SIGNAL);
        while (sigwaitinfo(&set, NULL) < 0 && errno == EINTR) {
        }
    }
    return handle_kick(vm, kv, run);
}

static int set_run_signal_mask(struct kvm_vcpu *kc, const sigset_t *thread_mask)
{
    sigset_t run_mask = *thread_mask;
    sigdelset(&run_mask, KICK_SIGNAL);
    /* KVM takes the kernel's sigset: the first 8 bytes of glibc's, after the length. */
    union {
        struct kvm_signal_mask head;
        uint8_t bytes[sizeof(struct kvm_signal_mask) + 8];
    } mask = { .head.len = 8 };
    memcpy(mask.head.sigset, &run_mask, 8);
    return kvm_ioctl(kc->fd, KVM_SET_SIGNAL_MASK, &mask);
}

int kvm_vcpu_run(vm_vcpu_t *vcpu)
{
    vm_t *vm = vcpu->vm;
    struct kvm_vm *kv = kvm_vm(vm);
    struct kvm_vcpu *kc = kvm_vcpu(vcpu);
    if (kvm_vcpu_realize(vcpu) != 0) {
        return -1;
    }
    pthread_once(&kick_handler_once, install_kick_handler);

    sigset_t kick, old_mask;
    sigemptyset(&kick);
    sigaddset(&kick, KICK_SIGNAL);
    pthread_sigmask(SIG_BLOCK, &kick, &old_mask);
    if (set_run_signal_mask(kc, &old_mask) != 0) {
        ZF_LOGE("Failed to run VM %s: KVM_SET_SIGNAL_MASK: %s", vm->vm_name, strerror(errno));
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        return -1;
    }
    pthread_mutex_lock(&kv->run_lock);
    if (kv->running) {
        pthread_mutex_unlock(&kv->run_lock);
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        ZF_LOGE("Failed to run VM %s: vm_run is already running it on another thread", vm->vm_name);
        return -1;
    }
    kv->running = true;
    kv->vcpu_thread = pthread_self();
    kv->active_run = kc->run;
    pthread_mutex_unlock(&kv->run_lock);

    int ret = start_watcher(vm, kv);
    /* Notifications that arrived while no vm_run was watching are delivered first. */
    if (ret == 0) {
        ret = handle_kick(vm, kv, kc->run);
    }
    while (ret == 0 && !vm_take_stop_request(vm)) {
        /* The checks that are nearly always false are made here, so an exit costs no calls for them. Memory comes
         * first: gdb reads the guest's memory through the window, whose mappings the sync makes. */
        if (atomic_load_explicit(&kv->mem.dirty, memory_order_acquire)) {
            kvm_memory_sync(kv);
        }
        if (kv->gdb != NULL && kvm_gdb_before_run(vcpu) != 0) {
            ret = -1;
            break;
        }
        if (kc->sregs_dirty && kvm_flush_sregs(vcpu) != 0) {
            ret = -1;
            break;
        }
        int rc = ioctl(kc->fd, KVM_RUN, 0);
        kvm_forget_sregs(kc);
        if (rc < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                ret = handle_kick(vm, kv, kc->run);
                continue;
            }
            char reason[96];
            snprintf(reason, sizeof(reason), "KVM_RUN failed: %s", strerror(errno));
            kvm_dump_vcpu(vcpu, reason);
            ret = -1;
            break;
        }
        ret = handle_exit(vcpu, kc->run);
        if (ret == GUEST_HALTED) {
            ret = wait_for_kick(vm, kv, kc->run);
        }
    }

    pthread_mutex_lock(&kv->run_lock);
    kv->running = false;
    pthread_mutex_unlock(&kv->run_lock);
    if (kv->watcher_stop_fd >= 0) {
        stop_watcher(kv);
    }
    /* KVM signals an EOI while the guest executes it: one just before the guest stopped the VM is already there,
     * and its callback runs before vm_run returns rather than at the next run. */
    kvm_collect_acks(kv);
    deliver_acks(vm, kv);
    __atomic_store_n(&kc->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    drain_kick_signals();
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    kvm_gdb_run_ends(vcpu, ret);
    return ret;
}
