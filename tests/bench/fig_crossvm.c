/* Figure: one cross-VM round trip (guest emit -> peer -> consume -> guest interrupt), with the peer a thread of the
 * VMM and with the peer another process, against what it is made of at the least: an eventfd ping-pong between
 * two processes plus one bare KVM MMIO exit, measured in the same run. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sel4kvm/crossvm.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/vm.h>
#include <sel4vm/arch/ioports.h>
#include <vka/object.h>
#include "bench.h"
#include "crossvm_vmm.h"
#include "layout.h"

#define GUEST GUEST_DIR "/crossvm_pingpong_32.elf"
/* Round trips per measurement: the guest's loop, and the ping-pong's (cheaper, so more for the same precision). */
#define ROUNDS 1000
#define PINGPONG_ROUNDS 20000
/* Alternating measurements of each kind. */
#define REPEATS 7
#define PING_BADGE 0x1

/* ---- baselines ---------------------------------------------------------------------------------------------- */

static void eventfd_bounce(int in, int out, unsigned rounds)
{
    for (unsigned i = 0; i < rounds; i++) {
        uint64_t v;
        if (read(in, &v, sizeof(v)) != sizeof(v) || write(out, &v, sizeof(v)) != sizeof(v)) {
            _exit(1);
        }
    }
}

/* Seconds per round trip of a blocking eventfd ping-pong between two processes. */
static double eventfd_pingpong(void)
{
    int ping = eventfd(0, EFD_CLOEXEC), pong = eventfd(0, EFD_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        eventfd_bounce(ping, pong, PINGPONG_ROUNDS);
        _exit(0);
    }
    double t0 = bare_now();
    for (unsigned i = 0; i < PINGPONG_ROUNDS; i++) {
        uint64_t one = 1, v;
        if (write(ping, &one, sizeof(one)) != sizeof(one) || read(pong, &v, sizeof(v)) != sizeof(v)) {
            return -1;
        }
    }
    double t = (bare_now() - t0) / PINGPONG_ROUNDS;
    waitpid(pid, NULL, 0);
    close(ping);
    close(pong);
    return t;
}

/* Seconds per exit of a bare KVM loop of MMIO reads (real mode, no library). */
static double bare_exit(void)
{
    uint8_t code[64];
    size_t size = bare_mmio_guest(code, 10000);
    bare_mmio_t *b = bare_mmio_create(code, size, BARE_MMIO_RAM_SIZE);
    if (b == NULL) {
        return -1;
    }
    uint64_t exits = 0;
    double t = bare_mmio_run(b, 0, &exits);
    bare_mmio_destroy(b);
    return t > 0 && exits > 0 ? t / (double)exits : -1;
}

/* ---- cross-VM round trips ----------------------------------------------------------------------------------- */

struct run {
    double t0, t1;
    unsigned events;
};

static ioport_fault_result_t sync_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port, unsigned int size,
                                      unsigned int value)
{
    (void)vcpu;
    (void)port;
    (void)size;
    struct run *r = cookie;
    if (value == 1) {
        r->t0 = bare_now();
    } else {
        r->t1 = bare_now();
    }
    return IO_FAULT_HANDLED;
}

static ioport_fault_result_t report_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port, unsigned int size,
                                        unsigned int value)
{
    (void)vcpu;
    (void)port;
    (void)size;
    ((struct run *)cookie)->events = value;
    return IO_FAULT_HANDLED;
}

/* Runs the ping-pong guest on connection "ping"; returns seconds per round trip, or -1. */
static double run_guest(struct xvm *x, crossvm_dataport_handle_t *dp, emit_fn emit)
{
    struct run r = { 0 };
    crossvm_handle_t conn = { .dataport = dp, .emit_fn = emit, .consume_id = PING_BADGE, .connection_name = "ping" };
    vm_ioport_interface_t sync = { .cookie = &r, .port_out = sync_out, .desc = "bench sync" };
    vm_ioport_interface_t report = { .cookie = &r, .port_out = report_out, .desc = "bench report" };
    if (xvm_connect(x, &conn, 1) != 0 ||
        vm_io_port_add_handler(&x->t.vm, (vm_ioport_range_t){ GUEST_SYNC_PORT, GUEST_SYNC_PORT }, sync) != 0 ||
        vm_io_port_add_handler(&x->t.vm, (vm_ioport_range_t){ GUEST_REPORT_PORT, GUEST_REPORT_PORT + 3 }, report) !=
            0 ||
        xvm_run(x) != 0 || r.events != ROUNDS || r.t1 <= r.t0) {
        fprintf(stderr, "bench: crossvm: the ping-pong guest did not complete %d round trips (%u)\n", ROUNDS, r.events);
        return -1;
    }
    return (r.t1 - r.t0) / ROUNDS;
}

/* The peer as a thread: woken by the emit's notification, it signals the VM back. */
static seL4_CPtr thread_wake, thread_to_vm;
static atomic_bool thread_stop;

static void emit_thread(void)
{
    seL4_Signal(thread_wake);
}

static void *thread_peer(void *arg)
{
    (void)arg;
    for (;;) {
        seL4_Wait(thread_wake, NULL);
        if (atomic_load(&thread_stop)) {
            return NULL;
        }
        seL4_Signal(thread_to_vm);
    }
}

static double in_process(void)
{
    sel4kvm_env_t env;
    struct xvm x;
    seL4_CPtr frame;
    vka_object_t wake;
    double t = -1;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return -1;
    }
    crossvm_dataport_handle_t dp = { .size = 4096, .num_frames = 1, .frames = &frame };
    pthread_t peer;
    atomic_store(&thread_stop, false);
    if (xvm_dataport_alloc(&env, 1, &frame) != NULL && vka_alloc_notification(&env.vka, &wake) == 0 &&
        xvm_create(&x, &env, "bench-inproc", GUEST, ROUNDS) == 0 &&
        (thread_to_vm = xvm_event_cap(&x, PING_BADGE)) != seL4_CapNull) {
        thread_wake = wake.cptr;
        if (pthread_create(&peer, NULL, thread_peer, NULL) == 0) {
            t = run_guest(&x, &dp, emit_thread);
            atomic_store(&thread_stop, true);
            seL4_Signal(thread_wake);
            pthread_join(peer, NULL);
        }
    }
    xvm_destroy(&x);
    sel4kvm_env_destroy(&env);
    return t;
}

/* No peer at all: the emit consumes its own event at once, on the vCPU thread. What is left is the guest's side
 * of a round trip (two MMIO exits, the interrupt, the guest's instructions) and the library's dispatch: the floor
 * any peer adds to. */
static vm_t *floor_vm;

static void emit_consume_at_once(void)
{
    consume_connection_event(floor_vm, PING_BADGE, true);
}

static double no_peer(void)
{
    sel4kvm_env_t env;
    struct xvm x;
    seL4_CPtr frame;
    double t = -1;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return -1;
    }
    crossvm_dataport_handle_t dp = { .size = 4096, .num_frames = 1, .frames = &frame };
    if (xvm_dataport_alloc(&env, 1, &frame) != NULL && xvm_create(&x, &env, "bench-floor", GUEST, ROUNDS) == 0) {
        floor_vm = &x.t.vm;
        t = run_guest(&x, &dp, emit_consume_at_once);
    }
    xvm_destroy(&x);
    sel4kvm_env_destroy(&env);
    return t;
}

/* The peer as another process, connected over a socket; it echoes until its VMM goes away. */
static int process_to_peer = -1;

static void emit_process(void)
{
    sel4kvm_eventfd_signal(process_to_peer);
}

static void process_peer(int sock)
{
    sel4kvm_crossvm_peer_t peer;
    if (sel4kvm_crossvm_peer_connect(sock, &peer) != 0) {
        _exit(1);
    }
    for (int n; (n = sel4kvm_crossvm_peer_wait(&peer, 2000)) > 0;) {
        while (n-- > 0) {
            sel4kvm_crossvm_peer_signal(&peer);
        }
    }
    _exit(0);
}

static double cross_process(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        process_peer(sv[1]);
    }
    close(sv[1]);
    sel4kvm_env_t env;
    struct xvm x;
    seL4_CPtr frame;
    double t = -1;
    if (sel4kvm_env_init(&env, NULL) == 0) {
        crossvm_dataport_handle_t dp = { .size = 4096, .num_frames = 1, .frames = &frame };
        if (xvm_dataport_alloc(&env, 1, &frame) != NULL && xvm_create(&x, &env, "bench-xproc", GUEST, ROUNDS) == 0 &&
            sel4kvm_crossvm_export(sv[0], "ping", &dp, xvm_event_cap(&x, PING_BADGE), &process_to_peer) == 0) {
            t = run_guest(&x, &dp, emit_process);
        }
        xvm_destroy(&x);
        sel4kvm_env_destroy(&env);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(sv[0]);
    close(process_to_peer);
    return t;
}

/* The baseline of one round trip: an eventfd ping-pong between two processes plus one bare MMIO exit. */
static double baseline(void *cookie)
{
    (void)cookie;
    double pp = eventfd_pingpong(), exit = bare_exit();
    return pp < 0 || exit < 0 ? -1 : pp + exit;
}

static double thread_trip(void *cookie)
{
    (void)cookie;
    return in_process();
}

static double process_trip(void *cookie)
{
    (void)cookie;
    return cross_process();
}

static void fill(struct bench_row *row, bench_fn measure)
{
    double lib[REPEATS], base[REPEATS];
    if (bench_alternate(REPEATS, measure, NULL, lib, baseline, NULL, base) != 0) {
        row_skip(row, "failed: see the messages above");
        return;
    }
    double ratio = median_ratio(lib, base, REPEATS);
    double lib_us = median(lib, REPEATS) * 1e6, base_us = median(base, REPEATS) * 1e6;
    char library[64], reference[64];
    snprintf(library, sizeof(library), "%.1f us/round trip", lib_us);
    snprintf(reference, sizeof(reference), "%.1f us (ping-pong + exit)", base_us);
    row_result(row, ratio, library, reference);
    row_detail(row, "library_us", lib_us);
    row_detail(row, "baseline_us", base_us);
    row_detail(row, "round_trips", ROUNDS);
}

/* Everything runs on one CPU: on this nested host a wake-up across CPUs costs about 30 us (an IPI through the
 * outer hypervisor), which made the ping-pong baseline anything from 2 to 70 us by where the scheduler put the two
 * processes. On one CPU every hand-off is a plain context switch, for the library and the baseline alike. */
void fig_crossvm_round_trip(struct bench_row *thread_peer_row, struct bench_row *process_peer_row)
{
    cpu_set_t saved, one;
    bool pinned = sched_getaffinity(0, sizeof(saved), &saved) == 0;
    if (pinned) {
        int cpu = 0;
        while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &saved)) {
            cpu++;
        }
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
    }
    /* The parts of the baseline, for the record. */
    double pp[REPEATS], exits[REPEATS], floor[REPEATS];
    for (int i = 0; i < REPEATS; i++) {
        pp[i] = eventfd_pingpong();
        exits[i] = bare_exit();
        floor[i] = no_peer();
    }
    fill(thread_peer_row, thread_trip);
    fill(process_peer_row, process_trip);
    for (int i = 0; i < 2; i++) {
        struct bench_row *row = i == 0 ? thread_peer_row : process_peer_row;
        row_detail(row, "eventfd_ping_pong_us", median(pp, REPEATS) * 1e6);
        row_detail(row, "bare_mmio_exit_us", median(exits, REPEATS) * 1e6);
        row_detail(row, "no_peer_floor_us", median(floor, REPEATS) * 1e6);
        row_detail(row, "one_cpu", pinned);
    }
    if (pinned) {
        sched_setaffinity(0, sizeof(saved), &saved);
    }
}
