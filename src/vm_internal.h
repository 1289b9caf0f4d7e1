/* libsel4vm's internal interface: library state per VM and vCPU, the backend interface, fault dispatch. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vm.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4kvm/trace.h>
#include "range_index.h"

/* What a backend does for the library (DESIGN.md §2). Guest memory reaches the backend through the kernel's
 * vspace hook on vm->mem.vm_vspace_root, not through these operations. */
struct vm_backend_ops {
    const char *name;
    int (*vm_create)(vm_t *vm);
    void (*vm_destroy)(vm_t *vm);
    int (*vcpu_create)(vm_vcpu_t *vcpu);
    void (*vcpu_destroy)(vm_vcpu_t *vcpu);
    /* Runs the vCPU until the VM stops (0) or fails (-1). */
    int (*vcpu_run)(vm_vcpu_t *vcpu);
    /* Creates the hypervisor's interrupt controller for vm_create_default_irq_controller (optional). */
    int (*create_irq_controller)(vm_t *vm);
    int (*set_irq_level)(vm_t *vm, int irq, int level);
    /* Makes a running or halted vcpu_run look at pending notifications and the stop request; any thread. */
    void (*kick)(vm_t *vm);
    /* Registers. field is one the library supports (vmcs_field_index() >= 0); context.c checks arguments. */
    int (*get_context)(vm_vcpu_t *vcpu, seL4_VCPUContext *context);
    int (*set_context)(vm_vcpu_t *vcpu, const seL4_VCPUContext *context);
    int (*get_field)(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word *value);
    int (*set_field)(vm_vcpu_t *vcpu, seL4_Word field, seL4_Word value);
    /* Ask the hypervisor to report the guest's acknowledgements (EOI) of a line through vm_irq_acknowledged
     * (optional: without it ack callbacks are only called by the test backend's injection). */
    int (*watch_irq_ack)(vm_t *vm, int irq);
    /* Hypervisor memory slots in use (optional: none means 0). */
    size_t (*memslots)(vm_t *vm);
};

/* gdb_scripts.c: the gdb helpers' .debug_gdb_scripts entry; vm.c refers to it so that linking pulls it in. */
extern const char sel4vm_gdb_scripts[];

/* Backends (vm.c picks one at vm_init, see sel4kvm_vm_select_backend). */
extern const struct vm_backend_ops sel4vm_test_backend_ops;
extern const struct vm_backend_ops sel4vm_kvm_backend_ops;

/* context.c: the VMCS fields vm_get/set_vmcs_field support, numbered 0..VMCS_FIELD_COUNT-1 so that a backend
 * can keep them in an array; -1 for any other field. */
#define VMCS_FIELD_COUNT 43
int vmcs_field_index(seL4_Word field);

struct vm_irq_ack {
    irq_ack_fn_t fn;
    void *cookie;
};
#define VM_NUM_IRQS 24

/* The library's own state for a VM, at vm->arch.backend. */
struct vm_private {
    const struct vm_backend_ops *ops;
    void *backend; /* the backend's state */
    bool strict;   /* report handler contract violations as errors (DESIGN.md §6) */
    bool defer_memory_map;
    unsigned restart_limit;
    bool warned_no_advance;            /* HANDLED without advance is reported once per VM outside strict mode */
    uint64_t warned_ports[65536 / 64]; /* unhandled ports already reported */
    atomic_bool stop_requested;        /* sel4kvm_vm_stop: vm_run returns 0 at its next look */
    bool irq_controller;               /* vm_create_default_irq_controller was called */
    struct vm_irq_ack irq_acks[VM_NUM_IRQS];
    struct vm_devices *devices;    /* devices.c: the tiny-guest devices, NULL until one is added */
    struct crossvm_state *crossvm; /* vmmplatsupport/cross_vm_connection.c, NULL until connections exist */
    unsigned trace;                /* SEL4KVM_TRACE_* (trace.c); 0 keeps the event paths free of tracing */
    FILE *trace_out;
};

/* The fault being handled on a vCPU: one record whether it came from KVM or the test backend. */
struct vcpu_fault {
    bool pending;
    bool is_read;
    bool advanced;
    bool restarted;
    bool data_set;
    bool violation; /* a contract violation that strict mode turns into an error */
    unsigned callbacks;
    int outcome; /* memory_fault_result_t of the last dispatch pass, -1 if none ran (for tracing) */
    uintptr_t addr;
    seL4_Word ip;
    size_t size;
    seL4_Word data; /* lane-positioned: written data for a write, data set by the handler for a read */
};

/* vcpu->vcpu_arch.guest_state */
struct guest_state {
    struct vcpu_fault fault;
    /* The test backend's registers; the KVM backend keeps them in KVM. */
    seL4_VCPUContext context;
    seL4_Word fields[VMCS_FIELD_COUNT];
};

/* A reservation (guest_memory.c). range is the 4 KiB-rounded extent kept in an index; addr/size are exact. */
struct vm_memory_reservation {
    struct range range;
    uintptr_t addr;
    size_t size;
    memory_fault_callback_fn fault_callback;
    void *cookie;
    reservation_t vspace_res;
    bool anon;
    bool mapped;
    /* deferred mode: the iterator to map with on the first fault */
    memory_map_iterator_fn deferred_iterator;
    void *deferred_cookie;
    vm_t *vm;
    void *owned_cookie; /* iterator state vm_map_reservation_frames made, freed with the reservation */
    GArray *pages;      /* struct mapped_page: what vm_map_reservation mapped, to unmap on free */
};

struct mapped_page {
    uintptr_t vaddr;
    size_t size_bits;
};

/* Regions given to vm_memory_make_anon, carved by vm_reserve_anon_memory. */
struct anon_region {
    struct range range; /* rounded out to 4 KiB */
    uintptr_t next;     /* bump pointer */
    uintptr_t base;     /* the exact range given to vm_memory_make_anon: [base, limit) */
    uintptr_t limit;
    reservation_t vspace_res; /* covers range, so nothing else lands in it; anonymous reservations map through it */
};

/* vm->mem.reservation_cookie */
struct vm_memory_reservation_cookie {
    struct range_index regular;
    struct range_index anon;         /* anonymous reservations */
    struct range_index anon_regions; /* struct anon_region */
    GHashTable *live;                /* every reservation of the VM: foreign or freed pointers are refused */
};

static inline struct vm_private *vm_private(vm_t *vm)
{
    return vm->arch.backend;
}

static inline struct vcpu_fault *vcpu_fault(vm_vcpu_t *vcpu)
{
    return &vcpu->vcpu_arch.guest_state->fault;
}

/* fault.c: start handling a guest memory access. value is a write's data as the guest wrote it. */
void vcpu_fault_begin(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, bool is_read, seL4_Word value, seL4_Word ip);

/* fault.c: a guest access that the hypervisor did not serve from memory, from begin to completion: served from
 * memory if it is mapped by now (a slot not yet updated, a frame mapped from another thread), else dispatched.
 * 0 with *read_value set for a read, or -1 when vm_run must end. */
int vcpu_fault_dispatch(vm_vcpu_t *vcpu, uintptr_t addr, size_t size, bool is_read, seL4_Word value, seL4_Word ip,
                        seL4_Word *read_value);

/* fault.c: perform the pending access against mapped memory, as the guest's instruction would; 1 if a page
 * of it is unmapped (or read-only for a write), which is when a real guest faults. */
int vcpu_fault_access_memory(vm_vcpu_t *vcpu, seL4_Word *read_value);

/* fault.c: run the pending access through reservations and callbacks (DESIGN.md §6). 0 when it completed,
 * with *read_value what a read's destination receives; -1 when vm_run must end (exit_reason is set). */
int vcpu_fault_handle(vm_vcpu_t *vcpu, seL4_Word *read_value);

/* ioports.c: an IN or OUT exit of count items of size bytes at data (string and rep forms have count > 1).
 * Unhandled INs read all ones and unhandled OUTs are dropped; 0, or -1 when a handler fails (exit_reason set). */
int vm_io_handle(vm_vcpu_t *vcpu, unsigned port, bool is_in, unsigned size, unsigned count, void *data);
void vm_io_ports_destroy(vm_t *vm);

/* guest_memory.c: the reservation containing [addr, addr + len): regular ones first, then anonymous. NULL if
 * none contains addr. Allocation-free. */
vm_memory_reservation_t *vm_memory_find_reservation(vm_t *vm, uintptr_t addr);

/* guest_memory.c: maps a reservation whose mapping was deferred; 0 if it is (now) mapped. */
int vm_memory_map_deferred(vm_t *vm, vm_memory_reservation_t *res);

/* guest_memory.c: releases every reservation; at VM teardown. Returns how many were still there. */
size_t vm_memory_destroy(vm_t *vm);

/* guest_ram.c: releases RAM bookkeeping at VM teardown. */
void vm_ram_destroy(vm_t *vm);

/* vm.c: true once a stop was requested; consumes the request, so the next vm_run runs again. */
bool vm_take_stop_request(vm_t *vm);
/* vm.c: what sel4kvm_vm_stop does, for devices on the vCPU thread (isa-debug-exit). */
void vm_request_stop(vm_t *vm);

/* vm.c: deliver the notifications pending on the host endpoint to the notification callback; -1 if it fails
 * or there is none (exit_reason set). Called by backends' run loops when kicked. */
int vm_deliver_notifications(vm_t *vm);

/* irq.c: called by a backend on the vCPU thread when the guest acknowledged a line (EOI). */
void vm_irq_acknowledged(vm_vcpu_t *vcpu, int irq);

/* vmcall.c: run the handler for a hypercall token; -1 if none is registered or it fails. */
int vm_vmcall_handle(vm_vcpu_t *vcpu, int token);
void vm_vmcall_destroy(vm_t *vm);

/* devices.c: frees the tiny-guest devices at VM teardown. */
void vm_devices_destroy(vm_t *vm);
/* Releases the cross-VM connections: their reservations, frames and copies of the caller's caps. */
void vm_crossvm_destroy(vm_t *vm);

/* trace.c: the clock of trace lines (ns), and the lines; start is the clock read before the handler ran. The
 * fault line reads the vCPU's fault record; data is what the write wrote or what the read received. */
uint64_t vm_trace_clock(void);
void vm_trace_fault(vm_vcpu_t *vcpu, const vm_memory_reservation_t *res, seL4_Word data, int result, uint64_t start);
void vm_trace_io(vm_vcpu_t *vcpu, unsigned port, bool is_in, unsigned size, unsigned value, int result, uint64_t start);
void vm_trace_irq(vm_vcpu_t *vcpu, int irq, const char *op, int value, int result, uint64_t start);
