/* A VM on the KVM backend with the test guests' RAM and devices, and helpers to load, run and inspect guests. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sel4kvm/env.h>
#include <sel4kvm/loader.h>
#include <sel4kvm/vm.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vm.h>
#include <sel4vmmplatsupport/drivers/pci.h>
#include "layout.h"

#define KVM_FIXTURE_MAX_RESERVATIONS 8

struct kvm_fixture {
    sel4kvm_env_t env;
    vm_t vm;
    vm_vcpu_t *vcpu;
    bool up;          /* KVM is usable and everything below exists */
    char reason[160]; /* why not, when it is not */
    int serial_rd;    /* read end of the pipe behind the serial device (non-blocking) */
    int serial_wr;
    bool started;            /* vcpu_start was called */
    atomic_bool guest_ready; /* the guest wrote GUEST_SYNC_PORT */
    vm_memory_reservation_t *reservations[KVM_FIXTURE_MAX_RESERVATIONS];
    size_t num_reservations;
};

/* Setup: the VM with guest RAM (lib/layout.h), interrupt controller, strict mode, serial device, debug exit and
 * a GUEST_SYNC_PORT handler that sets guest_ready; when KVM is unusable it records why and succeeds. */
int kvm_fixture_up(void **state);
int kvm_fixture_down(void **state);
#define KVM_TEST(fn) cmocka_unit_test_setup_teardown(fn, kvm_fixture_up, kvm_fixture_down)

/* A PCI bus (vmm_pci_init: the host bridge alone) on the VM's config ports 0xCF8-0xCFF; the caller frees it after
 * the VM is gone. */
vmm_pci_space_t *kvm_attach_pci(struct kvm_fixture *f);

/* Skips the calling cmocka test, with one line saying why, when KVM is not usable here (for tests without the
 * fixture). */
void skip_without_kvm(void);

/* The fixture of a test, or skip() with the reason when KVM is unusable. */
struct kvm_fixture *kvm_fixture(void **state);

/* Loads build/tests/guests/<name> and sets the vCPU up at its entry, in the mode its name ends with: _16 (flat
 * binary at GUEST_REAL_ENTRY), _32 (ELF, protected mode) or _64 (ELF, long mode with tables at GUEST_LONG_TABLES). */
void kvm_load_guest(struct kvm_fixture *f, const char *name);
/* Loads a Multiboot kernel with a command line and sets the vCPU up as a Multiboot loader leaves it. */
void kvm_load_multiboot(struct kvm_fixture *f, const char *name, const char *cmdline);

/* Runs the guest with vm_run (starting the vCPU the first time) under a watchdog: a guest still running after
 * a few seconds is stopped and the test fails. Returns vm_run's result. */
int kvm_run(struct kvm_fixture *f);

/* The status the guest gave the debug-exit device; fails the test if it gave none. */
int kvm_exit_status(struct kvm_fixture *f);
/* Whether the guest wrote to the debug-exit device. */
bool kvm_guest_exited(struct kvm_fixture *f);

/* Guest RAM through vm_ram_touch. */
void kvm_ram_write(struct kvm_fixture *f, uintptr_t addr, const void *buf, size_t size);
void kvm_ram_read(struct kvm_fixture *f, uintptr_t addr, void *buf, size_t size);
uint64_t kvm_result(struct kvm_fixture *f, size_t slot);
/* Fills the first count result slots with a value no guest read produces, so untouched slots show. */
#define KVM_RESULT_UNTOUCHED 0x5eed5eed5eed5eedull
void kvm_clear_results(struct kvm_fixture *f, size_t count);

/* One entry of the mmio_script guests' script (lib/layout.h). */
struct guest_op {
    uint32_t op;
    uint64_t addr;
    uint64_t value;
};
#define OP_READ(size, addr)                                                                                            \
    {                                                                                                                  \
        GUEST_OP_READ | (size), (addr), 0                                                                              \
    }
#define OP_WRITE(size, addr, value)                                                                                    \
    {                                                                                                                  \
        GUEST_OP_WRITE | (size), (addr), (value)                                                                       \
    }
/* Writes the script (an END entry is appended). */
void kvm_write_script(struct kvm_fixture *f, const struct guest_op *ops, size_t count);

/* Loads a mmio_script guest, writes its script and runs it: kvm_run's result. */
int kvm_run_script(struct kvm_fixture *f, const char *guest, const struct guest_op *ops, size_t count);

/* Whatever the guest has written to the serial port so far, NUL-terminated. */
size_t kvm_serial_output(struct kvm_fixture *f, char *buf, size_t size);

/* Log capture: from kvm_capture_log until teardown, messages go to a buffer instead of stderr. */
void kvm_capture_log(void);
/* Whether a captured message contains text. */
bool kvm_log_contains(const char *text);

/* A reservation freed with the fixture. */
vm_memory_reservation_t *kvm_reserve(struct kvm_fixture *f, uintptr_t addr, size_t size,
                                     memory_fault_callback_fn callback, void *cookie);

/* A 4 KiB frame from the VMM's allocator, with its bytes reachable from the host at *host. */
seL4_CPtr kvm_new_frame(struct kvm_fixture *f, uint8_t **host);
/* A copy of the VM's host endpoint with badge, for a peer to signal the VM's notification callback through. */
seL4_CPtr kvm_badged_host_endpoint(struct kvm_fixture *f, seL4_Word badge);
/* Maps frame at guest-physical addr into reservation res with rights. */
void kvm_map_frame(struct kvm_fixture *f, vm_memory_reservation_t *res, seL4_CPtr frame, uintptr_t addr,
                   seL4_CapRights_t rights);

/* A device that records every access and serves reads with device_bytes(offset from base). */
struct mmio_access {
    uintptr_t addr;
    size_t size;
    bool is_read;
    seL4_Word data; /* lane-positioned (get_vcpu_fault_data after the access) */
    seL4_Word mask;
};

struct mmio_recorder {
    uintptr_t base;
    memory_fault_result_t result; /* what the callback returns; FAULT_HANDLED advances the fault */
    size_t count;
    struct mmio_access accesses[64];
};

memory_fault_result_t kvm_recorder_callback(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie);

/* The recorder's "device memory": the little-endian value of size bytes at offset, byte i being
 * (offset + i) * 0x1d + 0x41. */
uint64_t device_bytes(uintptr_t offset, size_t size);
/* value placed in the data lane of an access at addr (DESIGN.md §6). */
seL4_Word lane(uintptr_t addr, size_t size, uint64_t value);
