/* Notifications on the simulated kernel: badge OR, Wait across threads, eventfd signals from a process. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sim_fixture.h"

static seL4_CPtr new_ntfn(void)
{
    return make_object(find_untyped(20, false, NULL), seL4_NotificationObject, 0);
}

static seL4_CPtr badged(seL4_CPtr ntfn, seL4_Word badge)
{
    seL4_CPtr s = slot_alloc();
    assert_int_equal(seL4_CNode_Mint(seL4_CapInitThreadCNode, s, seL4_WordBits, seL4_CapInitThreadCNode, ntfn,
                                     seL4_WordBits, seL4_AllRights, badge),
                     seL4_NoError);
    return s;
}

static void test_poll_returns_and_clears_the_badge(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    seL4_Signal(badged(n, 0x10));
    seL4_Word badge = 0;
    seL4_Poll(n, &badge);
    assert_int_equal(badge, 0x10);
    seL4_Poll(n, &badge);
    assert_int_equal(badge, 0);
}

static void test_signals_or_their_badges(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    seL4_Signal(badged(n, 0x1));
    seL4_Signal(badged(n, 0x4));
    seL4_Signal(badged(n, 0x4));
    seL4_Word badge = 0;
    seL4_Wait(n, &badge);
    assert_int_equal(badge, 0x5);
}

struct waiter {
    seL4_CPtr ntfn;
    seL4_Word badge;
};

static int woken;

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    seL4_Wait(w->ntfn, &w->badge);
    __atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_wait_wakes_when_another_thread_signals(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    seL4_CPtr sender = badged(n, 0x20);
    struct waiter w = { .ntfn = n };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
    usleep(20000);
    seL4_Signal(sender);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(w.badge, 0x20);
}

static void test_signal_wakes_exactly_one_of_two_waiters(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    seL4_CPtr sender = badged(n, 0x2);
    struct waiter a = { .ntfn = n }, b = { .ntfn = n };
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, wait_thread, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, wait_thread, &b), 0);
    usleep(20000);
    woken = 0;
    seL4_Signal(sender);
    usleep(100000);
    /* one has the badge; the other is still waiting until a second signal */
    assert_int_equal(__atomic_load_n(&woken, __ATOMIC_SEQ_CST), 1);
    seL4_Signal(sender);
    assert_int_equal(pthread_join(ta, NULL), 0);
    assert_int_equal(pthread_join(tb, NULL), 0);
    assert_int_equal(a.badge, 0x2);
    assert_int_equal(b.badge, 0x2);
}

static void test_unbadged_signal_still_wakes_with_badge_zero(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    struct waiter w = { .ntfn = n, .badge = 99 };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
    usleep(20000);
    seL4_Signal(n);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(w.badge, 0);
}

static void test_exported_eventfd_signals_from_another_process(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    int fd = sel4kvm_notification_export(badged(n, 0x100));
    assert_true(fd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* the child has no kernel of its own to rely on: it only writes the descriptor */
        _exit(sel4kvm_eventfd_signal(fd) == 0 ? 0 : 1);
    }
    seL4_Word badge = 0;
    seL4_Wait(n, &badge);
    assert_int_equal(badge, 0x100);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(WEXITSTATUS(status), 0);
    close(fd);
}

static void test_exported_and_local_signals_combine(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    int fd = sel4kvm_notification_export(badged(n, 0x8));
    assert_int_equal(sel4kvm_eventfd_signal(fd), 0);
    seL4_Signal(badged(n, 0x1));
    seL4_Word badge = 0;
    seL4_Poll(n, &badge);
    assert_int_equal(badge, 0x9);
    close(fd);
}

static void test_wait_fd_becomes_readable_on_signal(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    int fd = sel4kvm_notification_wait_fd(n);
    assert_true(fd >= 0);
    struct pollfd p = { .fd = fd, .events = POLLIN };
    assert_int_equal(poll(&p, 1, 0), 0);
    seL4_Signal(badged(n, 1));
    assert_int_equal(poll(&p, 1, 1000), 1);
    seL4_Word badge;
    seL4_Poll(n, &badge);
    assert_int_equal(badge, 1);
    assert_int_equal(poll(&p, 1, 0), 0);
}

static void test_signal_needs_write_and_wait_needs_read(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    seL4_CPtr read_only = slot_alloc(), write_only = slot_alloc();
    assert_int_equal(seL4_CNode_Mint(seL4_CapInitThreadCNode, read_only, seL4_WordBits, seL4_CapInitThreadCNode, n,
                                     seL4_WordBits, seL4_CanRead, 0x3),
                     seL4_NoError);
    assert_int_equal(seL4_CNode_Mint(seL4_CapInitThreadCNode, write_only, seL4_WordBits, seL4_CapInitThreadCNode, n,
                                     seL4_WordBits, seL4_CanWrite, 0x4),
                     seL4_NoError);
    seL4_Signal(read_only);
    seL4_Word badge = 77;
    seL4_Poll(n, &badge);
    assert_int_equal(badge, 0);
    seL4_Signal(write_only);
    seL4_Poll(write_only, &badge);
    assert_int_equal(badge, 0);
    seL4_Poll(n, &badge);
    assert_int_equal(badge, 0x4);
}

static void test_notification_calls_on_other_caps_do_nothing(void **state)
{
    (void)state;
    seL4_CPtr frame = make_object(find_untyped(20, false, NULL), seL4_X86_4K, 0);
    seL4_Signal(frame);
    seL4_Signal(slot_alloc());
    seL4_Word badge = 5;
    seL4_Poll(frame, &badge);
    assert_int_equal(badge, 0);
    badge = 5;
    seL4_Wait(slot_alloc(), &badge);
    assert_int_equal(badge, 0);
    assert_int_equal(sel4kvm_notification_export(frame), -1);
    assert_int_equal(sel4kvm_notification_wait_fd(frame), -1);
    seL4_Poll(frame, NULL);
}

static void test_deleting_a_notification_wakes_its_waiter(void **state)
{
    (void)state;
    seL4_CPtr n = new_ntfn();
    struct waiter w = { .ntfn = n, .badge = 99 };
    size_t objects = sel4kvm_sim_object_count();
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
    usleep(20000);
    assert_int_equal(delete_cap(n), seL4_NoError);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(w.badge, 0);
    assert_int_equal(sel4kvm_sim_object_count(), objects - 1);
}

static void test_eventfd_signal_rejects_a_bad_descriptor(void **state)
{
    (void)state;
    assert_int_equal(sel4kvm_eventfd_signal(-1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_poll_returns_and_clears_the_badge),
        FIXTURE_TEST(test_signals_or_their_badges),
        FIXTURE_TEST(test_wait_wakes_when_another_thread_signals),
        FIXTURE_TEST(test_signal_wakes_exactly_one_of_two_waiters),
        FIXTURE_TEST(test_unbadged_signal_still_wakes_with_badge_zero),
        FIXTURE_TEST(test_exported_eventfd_signals_from_another_process),
        FIXTURE_TEST(test_exported_and_local_signals_combine),
        FIXTURE_TEST(test_wait_fd_becomes_readable_on_signal),
        FIXTURE_TEST(test_signal_needs_write_and_wait_needs_read),
        FIXTURE_TEST(test_notification_calls_on_other_caps_do_nothing),
        FIXTURE_TEST(test_deleting_a_notification_wakes_its_waiter),
        FIXTURE_TEST(test_eventfd_signal_rejects_a_bad_descriptor),
    };
    return cmocka_run_group_tests_name("kernel: notifications", tests, NULL, NULL);
}
