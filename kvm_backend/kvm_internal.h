/* The KVM backend's private state and the interface between its files. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <linux/kvm.h>
#include "vm_internal.h"

/* Where KVM puts the real-mode TSS (three pages) and the EPT identity map (one page): just below them, under
 * 4 GiB and above the I/O APIC and local APIC, where PCs keep firmware. Guest memory must not be mapped there. */
#define KVM_TSS_ADDR 0xfffbd000ul
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ul

/* Guest-physical addresses the host window covers (DESIGN.md §5); mapping above this fails. */
#define KVM_WINDOW_BITS 40

/* The guest's memory as KVM sees it (kvm_memslots.c). */
struct kvm_memory {
    uint8_t *window; /* PROT_NONE reservation; window + gpa is the host address of gpa */
    size_t window_size;
    void *window_mapping; /* what to munmap: the window plus its alignment slack */
    size_t window_mapping_size;
    pthread_mutex_t lock; /* the runs, pending and slot ids; taken by the vspace hook and by sync */
    GTree *runs;          /* struct kvm_run_range by start: maximal runs of mapped pages of equal writability */
    GArray *pending;      /* uint64_t starts of runs that need a slot */
    GArray *pending_maps; /* struct kvm_pending_map: window mmaps not made yet, merged where they continue */
    atomic_bool dirty;    /* pending is not empty: sync before the next KVM_RUN */
    GArray *free_slots;   /* uint32_t slot ids to reuse */
    uint32_t next_slot;
    uint32_t max_slots;
    size_t nslots;
    bool warned_slots; /* out of slots: reported once; the run is then served by MMIO exits */
};

struct kvm_vm {
    int kvm_fd;
    int vm_fd;
    size_t run_mmap_size;
    struct kvm_cpuid2 *cpuid;
    struct kvm_memory mem;
    /* The vCPU thread while vm_run runs (kvm_run.c), for kicks from other threads. */
    pthread_mutex_t run_lock;
    bool warned_halt; /* a guest halted with nothing that could wake it: reported once */
    bool running;
    pthread_t vcpu_thread;
    struct kvm_run *active_run;
    /* Watcher: wakes the vCPU when the host endpoint is signalled (kvm_run.c). */
    pthread_t watcher;
    int watcher_stop_fd;        /* eventfd: tells the watcher to leave */
    pthread_mutex_t drain_lock; /* with drained_cond: the vCPU has taken the notifications a kick was for */
    pthread_cond_t drained_cond;
    uint64_t drained;
    bool watcher_quit;
    /* Acknowledgement reporting: an irqfd with a resample eventfd per watched line, all in one epoll set. */
    int ack_epoll_fd;
    int resample_fds[VM_NUM_IRQS];
    int irqfds[VM_NUM_IRQS];
    atomic_uint_least32_t pending_acks; /* lines acknowledged since the vCPU last looked */
    struct kvm_gdb *gdb;                /* kvm_gdbstub.c: the attached gdb, or NULL */
};

struct kvm_vcpu {
    int fd;
    struct kvm_run *run;
    size_t run_size;
    /* System registers as the VMM last set them. KVM checks every KVM_SET_SREGS for a consistent state (no
     * CS.L before EFER.LMA, no LMA before CR0.PG), which field-by-field writes pass through on the way to long
     * mode, so the fields collect here and reach KVM together before the next KVM_RUN. */
    struct kvm_sregs sregs;
    bool sregs_cached; /* sregs holds KVM's state (or the VMM's pending one) */
    bool sregs_dirty;  /* sregs must be written before the guest runs */
};

static inline struct kvm_vm *kvm_vm(vm_t *vm)
{
    return vm_private(vm)->backend;
}

static inline struct kvm_vcpu *kvm_vcpu(vm_vcpu_t *vcpu)
{
    return vcpu->vcpu_arch.backend;
}

/* An ioctl that is retried when a signal interrupts it before it did anything (not KVM_RUN). */
int kvm_ioctl(int fd, unsigned long request, void *arg);

/* kvm_memslots.c */
int kvm_memory_init(vm_t *vm, struct kvm_memory *mem);
void kvm_memory_destroy(vm_t *vm, struct kvm_memory *mem);
/* Bring KVM's slots in line with the runs; cheap when nothing changed. Called before each KVM_RUN. */
void kvm_memory_sync(struct kvm_vm *kv);
size_t kvm_memory_slots(struct kvm_vm *kv);

/* kvm_vm.c: reads the resample eventfds that are ready and records their lines in pending_acks. */
bool kvm_collect_acks(struct kvm_vm *kv);

/* kvm_run.c */
int kvm_vcpu_run(vm_vcpu_t *vcpu);
void kvm_kick(vm_t *vm);
/* Creates KVM's vCPU behind a library vCPU if it does not exist yet; every use of its fd comes after this. */
int kvm_vcpu_realize(vm_vcpu_t *vcpu);

/* kvm_regs.c */
int kvm_get_context(vm_vcpu_t *vcpu, seL4_VCPUContext *context);
int kvm_set_context(vm_vcpu_t *vcpu, const seL4_VCPUContext *context);
int kvm_get_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word *value);
int kvm_set_field(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word value);
/* Writes system registers the VMM set since the last run; -1 (with a register dump) if KVM refuses them. */
int kvm_flush_sregs(vm_vcpu_t *vcpu);
/* Forgets the cached system registers: the guest has run and may have changed them. */
static inline void kvm_forget_sregs(struct kvm_vcpu *kc)
{
    kc->sregs_cached = false;
}
/* Logs the guest's registers and the reason, for an exit that ends vm_run. */
void kvm_dump_vcpu(vm_vcpu_t *vcpu, const char *reason);

/* kvm_gdbstub.c: the run loop's hooks for an attached gdb (each does nothing without one). before_run, called
 * before each KVM_RUN, serves gdb before the guest's first instruction and when gdb interrupted the guest; debug_exit reports a KVM_EXIT_DEBUG and serves gdb until it resumes the
 * guest (-1 when gdb kills it); run_ends tells gdb the target exited. */
int kvm_gdb_before_run(vm_vcpu_t *vcpu);
int kvm_gdb_debug_exit(vm_vcpu_t *vcpu, struct kvm_run *run);
void kvm_gdb_run_ends(vm_vcpu_t *vcpu, int ret);
void kvm_gdb_release(struct kvm_vm *kv);
