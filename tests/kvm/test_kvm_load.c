/* Cross-VM events under load: host threads consume events and signal notifications at a running guest that keeps
 * acknowledging them; no increment is lost, the interrupt line never stays low over pending events, and the run
 * ends without deadlock. SEL4KVM_LOAD_SECONDS sets the length of the loaded phase (default 10). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sel4/sel4.h>
#include <sel4vm/boot.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include "guest_reports.h"
#include "kvm_fixture.h"

#define THREADS 8
#define DEFAULT_SECONDS 10
/* Events each thread consumes before the guest runs: all of them must be in the counter the guest first reads. */
#define EVENTS_BEFORE_RUN 5000
#define EVENT_ID 0x1
#define CONN_BASE GUEST_MMIO
#define LOAD_IRQ 5
/* After the loaded phase, how long the guest gets to see the stop word and exit. */
#define FINISH_SECONDS 30
/* Whatever hangs (a host thread as much as the guest) kills the test instead of the suite. */
#define ALARM_MARGIN_SECONDS 60

struct load {
    struct kvm_fixture *f;
    volatile uint32_t *stop_word; /* the dataport's first word, through the VMM's mapping */
    seL4_CPtr caps[THREADS];      /* the VM's host endpoint, badged 1 << thread */
    int seconds;
    atomic_bool stop_threads;
    atomic_bool run_done;
    atomic_bool deadlocked;
    atomic_ulong consumed; /* every consume_connection_event the host made, directly or from a notification */
    atomic_ulong signals;
    atomic_ulong deliveries; /* notification callbacks */
};

static struct load load;
static vmm_pci_space_t *pci;

static int alloc_irq(void)
{
    return LOAD_IRQ;
}

static int on_notification(vm_t *vm, seL4_Word badge, seL4_MessageInfo_t tag, void *cookie)
{
    (void)tag;
    (void)cookie;
    if (badge == 0 || (badge >> THREADS) != 0) {
        return -1;
    }
    /* Signals merge into one badge, so one consume per delivery, whatever bits it carries. */
    atomic_fetch_add(&load.deliveries, 1);
    atomic_fetch_add(&load.consumed, 1);
    consume_connection_event(vm, EVENT_ID, true);
    return 0;
}

static void consume(bool inject)
{
    atomic_fetch_add(&load.consumed, 1);
    consume_connection_event(&load.f->vm, EVENT_ID, inject);
}

static void *before_run_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < EVENTS_BEFORE_RUN; i++) {
        consume(false);
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    seL4_CPtr cap = load.caps[(uintptr_t)arg];
    for (unsigned long n = 0; !atomic_load(&load.stop_threads); n++) {
        if (n % 2 == 0) {
            consume(true);
        } else {
            atomic_fetch_add(&load.signals, 1);
            seL4_Signal(cap);
        }
    }
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

/* Starts the load once the guest took its first events, stops it after load.seconds, then lets the guest finish;
 * stops the VM and records a deadlock if it does not. */
static void *controller_main(void *arg)
{
    (void)arg;
    for (int ms = 0; !atomic_load(&load.f->guest_ready); ms++) {
        if (ms > FINISH_SECONDS * 1000) {
            atomic_store(&load.deadlocked, true);
            sel4kvm_vm_stop(&load.f->vm);
            return NULL;
        }
        sleep_ms(1);
    }
    pthread_t workers[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++) {
        if (pthread_create(&workers[i], NULL, worker_main, (void *)i) != 0) {
            abort();
        }
    }
    sleep_ms(load.seconds * 1000L);
    atomic_store(&load.stop_threads, true);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(workers[i], NULL);
    }
    /* Stop word first, then one event: the guest reads the word after every acknowledgement, so this event either
     * wakes it or was merged into an acknowledgement it checks the word after. The guest can only miss it if the
     * line stays low while the counter is set. */
    __atomic_store_n(load.stop_word, 1, __ATOMIC_RELEASE);
    consume(true);
    for (int ms = 0; !atomic_load(&load.run_done); ms++) {
        if (ms > FINISH_SECONDS * 1000) {
            atomic_store(&load.deadlocked, true);
            sel4kvm_vm_stop(&load.f->vm);
            return NULL;
        }
        sleep_ms(1);
    }
    return NULL;
}

static void test_threads_consuming_and_signalling_lose_no_event_and_never_deadlock(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    const char *env_seconds = getenv("SEL4KVM_LOAD_SECONDS");
    memset(&load, 0, sizeof(load));
    load.f = f;
    load.seconds = env_seconds != NULL ? atoi(env_seconds) : DEFAULT_SECONDS;
    assert_true(load.seconds > 0);

    static struct guest_reports reports;
    guest_reports_attach(f, &reports);
    pci = kvm_attach_pci(f);
    uint8_t *data;
    seL4_CPtr frame = kvm_new_frame(f, &data);
    load.stop_word = (volatile uint32_t *)data;
    crossvm_dataport_handle_t dataport = { .size = 0x1000, .num_frames = 1, .frames = &frame };
    crossvm_handle_t conn = { .dataport = &dataport, .consume_id = EVENT_ID, .connection_name = "load" };
    assert_int_equal(cross_vm_connections_init_common(&f->vm, CONN_BASE, &conn, 1, pci, alloc_irq), 0);
    assert_int_equal(vm_register_notification_callback(&f->vm, on_notification, NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        load.caps[i] = kvm_badged_host_endpoint(f, (seL4_Word)1 << i);
    }

    /* Concurrent consumes before the guest runs, no interrupt; then one that raises the line. */
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, before_run_main, NULL), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    consume(true);
    unsigned long before_run = atomic_load(&load.consumed);
    assert_int_equal(before_run, THREADS * EVENTS_BEFORE_RUN + 1);

    kvm_load_guest(f, "crossvm_load_32");
    alarm((unsigned)(load.seconds + FINISH_SECONDS + ALARM_MARGIN_SECONDS));
    pthread_t controller;
    assert_int_equal(pthread_create(&controller, NULL, controller_main, NULL), 0);
    assert_int_equal(vcpu_start(f->vcpu), 0);
    f->started = true;
    int ret = vm_run(&f->vm);
    atomic_store(&load.run_done, true);
    pthread_join(controller, NULL);
    alarm(0);

    unsigned long consumed = atomic_load(&load.consumed);
    print_message("%d s: %lu events consumed by the host (%lu signals, %lu deliveries), guest took %u in %u waits\n",
                  load.seconds, consumed, atomic_load(&load.signals), atomic_load(&load.deliveries),
                  reports.count >= 2 ? reports.values[1] : 0, reports.count >= 3 ? reports.values[2] : 0);
    assert_false(atomic_load(&load.deadlocked));
    assert_int_equal(ret, 0);
    assert_int_equal(kvm_exit_status(f) >> 1, 0);
    assert_int_equal(reports.count, 3);
    /* Nothing consumed at once was lost: the guest's first read saw every increment. */
    assert_int_equal(reports.values[0], before_run);
    /* Later acknowledgements may absorb events that arrive between the guest's read and its write of 0, so the
     * guest sees at most what was consumed, and at least one event per wait. */
    assert_true(reports.values[1] <= consumed);
    assert_true(reports.values[1] >= reports.values[2]);
    assert_true(consumed > before_run + 1);
    assert_true(atomic_load(&load.deliveries) > 0);
}

/* The VM first: the PCI space's entries point into its connection state. */
static int load_down(void **state)
{
    int ret = kvm_fixture_down(state);
    sel4kvm_pci_destroy(pci);
    pci = NULL;
    return ret;
}

int main(void)
{
    /* Default SIGALRM kills the process: a hang fails the binary with a signal instead of stalling the suite. */
    signal(SIGALRM, SIG_DFL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_threads_consuming_and_signalling_lose_no_event_and_never_deadlock,
                                        kvm_fixture_up, load_down),
    };
    return cmocka_run_group_tests_name("cross-VM load", tests, NULL, NULL);
}
