/* Tests: sharing memory and notifications between processes, and cross-VM connections over a UNIX socket. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sel4kvm/crossvm.h>
#include <sel4kvm/env.h>
#include <sel4kvm/log.h>
#include <sel4kvm/sim.h>
#include <vka/capops.h>
#include <vka/object.h>
#include "leak_check.h"
#include "quiet_log.h"

#define NFRAMES 4
#define BADGE 0x40

struct fixture {
    sel4kvm_env_t env;
    vka_object_t frames[NFRAMES];
    seL4_CPtr caps[NFRAMES];
    crossvm_dataport_handle_t dataport;
    seL4_CPtr to_vmm; /* badged copy of the host endpoint */
    int sv[2];
};

static struct fixture fx;

static seL4_CPtr mint(vka_t *vka, seL4_CPtr cap, seL4_Word badge)
{
    cspacepath_t src, dest;
    assert_int_equal(vka_cspace_alloc_path(vka, &dest), 0);
    vka_cspace_make_path(vka, cap, &src);
    assert_int_equal(vka_cnode_mint(&dest, &src, seL4_AllRights, badge), 0);
    return dest.capPtr;
}

static int setup_type(void **state, int type)
{
    *state = &fx;
    memset(&fx, 0, sizeof(fx));
    if (sel4kvm_env_init(&fx.env, NULL) != 0 || socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fx.sv) != 0) {
        return -1;
    }
    for (int i = 0; i < NFRAMES; i++) {
        if (vka_alloc_frame(&fx.env.vka, seL4_PageBits, &fx.frames[i]) != 0) {
            return -1;
        }
        fx.caps[i] = fx.frames[i].cptr;
    }
    fx.dataport = (crossvm_dataport_handle_t){ .size = NFRAMES * 4096, .num_frames = NFRAMES, .frames = fx.caps };
    fx.to_vmm = mint(&fx.env.vka, fx.env.host_endpoint, BADGE);
    return 0;
}

static int setup_seqpacket(void **state)
{
    return setup_type(state, SOCK_SEQPACKET);
}

static int setup_stream(void **state)
{
    return setup_type(state, SOCK_STREAM);
}

static int teardown(void **state)
{
    (void)state;
    close(fx.sv[0]);
    close(fx.sv[1]);
    sel4kvm_env_destroy(&fx.env);
    return 0;
}

static uint8_t *frame_bytes(int i)
{
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(fx.caps[i]);
    assert_int_equal(a.error, seL4_NoError);
    return sel4kvm_sim_paddr_to_host(a.paddr, 4096);
}

static int sealed_memfd(size_t size)
{
    int fd = memfd_create("test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
    return fd;
}

/* ---- notification import ------------------------------------------------------------------------------------ */

static void test_imported_eventfd_signals_notification_with_cap_badge(void **state)
{
    (void)state;
    int efd = eventfd(0, EFD_CLOEXEC);
    assert_int_equal(sel4kvm_notification_import(fx.to_vmm, efd), 0);
    assert_int_equal(sel4kvm_eventfd_signal(efd), 0);
    seL4_Word badge = 0;
    seL4_Poll(fx.env.host_endpoint, &badge);
    assert_int_equal(badge, BADGE);
    seL4_Poll(fx.env.host_endpoint, &badge);
    assert_int_equal(badge, 0);
    close(efd);
}

static void test_imported_eventfd_wakes_a_sleeping_wait(void **state)
{
    (void)state;
    int efd = eventfd(0, EFD_CLOEXEC);
    assert_int_equal(sel4kvm_notification_import(fx.to_vmm, efd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(20000);
        _exit(sel4kvm_eventfd_signal(efd) == 0 ? 0 : 1);
    }
    seL4_Word badge = 0;
    seL4_Wait(fx.env.host_endpoint, &badge);
    assert_int_equal(badge, BADGE);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(status, 0);
    close(efd);
}

static void test_notification_import_rejects_bad_arguments(void **state)
{
    (void)state;
    int efd = eventfd(0, EFD_CLOEXEC);
    int wronly = open("/dev/null", O_WRONLY | O_CLOEXEC);
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    size_t fds = count_fds();
    assert_int_equal(sel4kvm_notification_import(fx.caps[0], efd), -1);
    assert_int_equal(sel4kvm_notification_import(fx.to_vmm, -1), -1);
    assert_int_equal(sel4kvm_notification_import(fx.to_vmm, 1000), -1);
    assert_int_equal(sel4kvm_notification_import(fx.to_vmm, wronly), -1);
    assert_int_equal(sel4kvm_notification_import(seL4_CapNull, efd), -1);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) >= errors + 5);
    assert_int_equal(count_fds(), fds);
    close(efd);
    close(wronly);
}

/* ---- memory import ------------------------------------------------------------------------------------------ */

static void test_imported_memory_retypes_into_frames_sharing_the_file(void **state)
{
    (void)state;
    int fd = sealed_memfd(64 * 1024);
    uint8_t *file = mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_ptr_not_equal(file, MAP_FAILED);
    memset(file + 16 * 1024, 0xab, 16 * 1024);

    cspacepath_t ut, frame;
    assert_int_equal(vka_cspace_alloc_path(&fx.env.vka, &ut), 0);
    assert_int_equal(vka_cspace_alloc_path(&fx.env.vka, &frame), 0);
    uintptr_t paddr = 0;
    assert_int_equal(sel4kvm_sim_import_memory(fd, 16 * 1024, 16 * 1024, ut.root, ut.capPtr, (seL4_Uint8)ut.capDepth,
                                               &paddr),
                     0);
    assert_int_equal(paddr % (16 * 1024), 0);
    assert_int_equal(seL4_Untyped_Retype(ut.capPtr, seL4_X86_4K, 0, frame.root, frame.dest, frame.destDepth,
                                         frame.offset, 1),
                     seL4_NoError);
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(frame.capPtr);
    assert_int_equal(a.paddr, paddr);
    uint8_t *host = sel4kvm_sim_paddr_to_host(paddr, 4096);
    assert_non_null(host);
    /* Device memory is not zeroed by the retype: the bytes are the file's. */
    assert_int_equal(host[0], 0xab);
    host[1] = 0x5a;
    assert_int_equal(file[16 * 1024 + 1], 0x5a);
    int bank_fd;
    off_t offset;
    assert_int_equal(sel4kvm_sim_paddr_to_fd(paddr, &bank_fd, &offset), 0);
    assert_int_equal(offset, 16 * 1024);
    munmap(file, 64 * 1024);
    close(fd);
}

static void test_memory_import_rejects_bad_arguments(void **state)
{
    (void)state;
    int fd = sealed_memfd(64 * 1024);
    int unsealed = memfd_create("unsealed", MFD_CLOEXEC);
    assert_int_equal(ftruncate(unsealed, 64 * 1024), 0);
    cspacepath_t ut;
    assert_int_equal(vka_cspace_alloc_path(&fx.env.vka, &ut), 0);
    seL4_CNode root = ut.root;
    seL4_Uint8 depth = (seL4_Uint8)ut.capDepth;
    uintptr_t paddr;
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    size_t fds = count_fds();
    assert_int_equal(sel4kvm_sim_import_memory(-1, 0, 4096, root, ut.capPtr, depth, &paddr), -1);
    assert_int_equal(sel4kvm_sim_import_memory(fd, 0, 4096, root, ut.capPtr, depth, NULL), -1);
    assert_int_equal(sel4kvm_sim_import_memory(fd, 0, 0, root, ut.capPtr, depth, &paddr), -1);
    assert_int_equal(sel4kvm_sim_import_memory(fd, 0, 3 * 4096, root, ut.capPtr, depth, &paddr), -1);
    assert_int_equal(sel4kvm_sim_import_memory(fd, 100, 4096, root, ut.capPtr, depth, &paddr), -1);
    assert_int_equal(sel4kvm_sim_import_memory(fd, -4096, 4096, root, ut.capPtr, depth, &paddr), -1);
    assert_int_equal(sel4kvm_sim_import_memory(fd, 32 * 1024, 64 * 1024, root, ut.capPtr, depth, &paddr), -1);
    assert_int_equal(sel4kvm_sim_import_memory(fd, INT64_MAX & ~4095l, 4096, root, ut.capPtr, depth, &paddr), -1);
    assert_int_equal(sel4kvm_sim_import_memory(unsealed, 0, 4096, root, ut.capPtr, depth, &paddr), -1);
    /* An occupied slot. */
    assert_int_equal(sel4kvm_sim_import_memory(fd, 0, 4096, root, fx.caps[0], depth, &paddr), -1);
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR), errors + 10);
    assert_int_equal(count_fds(), fds);
    /* Nothing half-done: the slot is still free for a valid import. */
    assert_int_equal(sel4kvm_sim_import_memory(fd, 0, 4096, root, ut.capPtr, depth, &paddr), 0);
    close(fd);
    close(unsealed);
}

/* ---- export to a plain peer --------------------------------------------------------------------------------- */

static void test_peer_shares_dataport_and_events_both_ways(void **state)
{
    (void)state;
    int to_peer = -1;
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "ping", &fx.dataport, fx.to_vmm, &to_peer), 0);
    sel4kvm_crossvm_peer_t peer;
    assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], &peer), 0);
    assert_string_equal(peer.name, "ping");
    assert_int_equal(peer.size, NFRAMES * 4096);

    /* Every frame, whatever its place in the kernel's memory, is at its offset in the peer's mapping. */
    for (int i = 0; i < NFRAMES; i++) {
        frame_bytes(i)[7] = (uint8_t)(0x10 + i);
        assert_int_equal(((uint8_t *)peer.dataport)[i * 4096 + 7], 0x10 + i);
    }
    ((uint8_t *)peer.dataport)[3 * 4096 + 9] = 0x77;
    assert_int_equal(frame_bytes(3)[9], 0x77);

    assert_int_equal(sel4kvm_crossvm_peer_wait(&peer, 0), 0);
    assert_int_equal(sel4kvm_eventfd_signal(to_peer), 0);
    assert_int_equal(sel4kvm_eventfd_signal(to_peer), 0);
    assert_int_equal(sel4kvm_crossvm_peer_wait(&peer, 1000), 2);

    assert_int_equal(sel4kvm_crossvm_peer_signal(&peer), 0);
    seL4_Word badge = 0;
    seL4_Wait(fx.env.host_endpoint, &badge);
    assert_int_equal(badge, BADGE);

    sel4kvm_crossvm_peer_close(&peer);
    assert_null(peer.dataport);
    sel4kvm_crossvm_peer_close(&peer);
    close(to_peer);
}

static void test_connections_on_one_socket_pair_up_in_order(void **state)
{
    (void)state;
    crossvm_dataport_handle_t first = { .size = 4096, .num_frames = 1, .frames = &fx.caps[0] };
    crossvm_dataport_handle_t second = { .size = 8192, .num_frames = 2, .frames = &fx.caps[2] };
    int e1, e2;
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], NULL, &first, fx.to_vmm, &e1), 0);
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "second", &second, fx.to_vmm, &e2), 0);
    sel4kvm_crossvm_peer_t p1, p2;
    assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], &p1), 0);
    assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], &p2), 0);
    assert_string_equal(p1.name, "connector");
    assert_string_equal(p2.name, "second");
    assert_int_equal(p1.size, 4096);
    assert_int_equal(p2.size, 8192);
    frame_bytes(2)[0] = 0x42;
    assert_int_equal(((uint8_t *)p2.dataport)[0], 0x42);
    sel4kvm_eventfd_signal(e2);
    assert_int_equal(sel4kvm_crossvm_peer_wait(&p1, 0), 0);
    assert_int_equal(sel4kvm_crossvm_peer_wait(&p2, 0), 1);
    sel4kvm_crossvm_peer_close(&p1);
    sel4kvm_crossvm_peer_close(&p2);
    close(e1);
    close(e2);
}

static void test_name_is_truncated_to_48_bytes(void **state)
{
    (void)state;
    const char *longname = "0123456789abcdef0123456789abcdef0123456789abcdefXYZ";
    int e;
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], longname, &fx.dataport, fx.to_vmm, &e), 0);
    sel4kvm_crossvm_peer_t peer;
    assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], &peer), 0);
    assert_int_equal(strlen(peer.name), 48);
    assert_memory_equal(peer.name, longname, 48);
    sel4kvm_crossvm_peer_close(&peer);
    close(e);
}

/* A peer in another process: reverses what the VMM wrote and signals back. */
static void test_peer_in_another_process_reverses_and_signals(void **state)
{
    (void)state;
    pid_t pid = fork();
    if (pid == 0) {
        sel4kvm_crossvm_peer_t peer;
        if (sel4kvm_crossvm_peer_connect(fx.sv[1], &peer) != 0 || sel4kvm_crossvm_peer_wait(&peer, 5000) != 1) {
            _exit(1);
        }
        char *buf = peer.dataport;
        size_t n = strlen(buf);
        for (size_t i = 0; i < n; i++) {
            buf[4096 + i] = buf[n - 1 - i];
        }
        buf[4096 + n] = '\0';
        _exit(sel4kvm_crossvm_peer_signal(&peer) == 0 ? 0 : 2);
    }
    int to_peer;
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "reverse", &fx.dataport, fx.to_vmm, &to_peer), 0);
    strcpy((char *)frame_bytes(0), "hello, peer");
    assert_int_equal(sel4kvm_eventfd_signal(to_peer), 0);
    seL4_Word badge = 0;
    seL4_Wait(fx.env.host_endpoint, &badge);
    assert_int_equal(badge, BADGE);
    assert_string_equal((char *)frame_bytes(1), "reep ,olleh");
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(to_peer);
}

static void test_export_rejects_bad_arguments(void **state)
{
    (void)state;
    int e;
    seL4_CPtr not_frames[1] = { fx.to_vmm };
    crossvm_dataport_handle_t bad_frames = { .size = 4096, .num_frames = 1, .frames = not_frames };
    crossvm_dataport_handle_t no_frames = { .size = 0, .num_frames = 0, .frames = fx.caps };
    crossvm_dataport_handle_t null_frames = { .size = 4096, .num_frames = 1, .frames = NULL };
    crossvm_dataport_handle_t odd_bits = { .num_frames = 1, .frames = fx.caps, .frame_size_bits = 13 };
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    size_t fds = count_fds();
    assert_int_equal(sel4kvm_crossvm_export(-1, "x", &fx.dataport, fx.to_vmm, &e), -1);
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "x", NULL, fx.to_vmm, &e), -1);
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "x", &fx.dataport, fx.to_vmm, NULL), -1);
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "x", &bad_frames, fx.to_vmm, &e), -1);
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "x", &no_frames, fx.to_vmm, &e), -1);
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "x", &null_frames, fx.to_vmm, &e), -1);
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "x", &odd_bits, fx.to_vmm, &e), -1);
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "x", &fx.dataport, fx.caps[0], &e), -1);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) >= errors + 8);
    assert_int_equal(count_fds(), fds);
    /* Nothing was sent by the failed calls. */
    sel4kvm_crossvm_peer_t peer;
    assert_int_equal(fcntl(fx.sv[1], F_SETFL, O_NONBLOCK), 0);
    assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], &peer), -1);
}

/* Sends a crafted message carrying n descriptors. */
static void send_raw(int sock, const void *buf, size_t len, const int *fds, int n)
{
    char control[CMSG_SPACE(sizeof(int) * 8)] = { 0 };
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (n > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    }
    assert_int_equal(sendmsg(sock, &msg, 0), (ssize_t)len);
}

/* The layout of a version-1 message, as a hostile sender would forge it. */
struct forged {
    uint32_t magic;
    uint16_t version;
    uint16_t num_extents;
    char name[48];
    uint64_t size;
    uint32_t frame_bits;
    uint32_t num_memfds;
    struct {
        uint32_t fd_index;
        uint32_t reserved;
        uint64_t offset;
        uint64_t length;
    } extent;
};

static void test_peer_rejects_forged_messages_and_closes_their_descriptors(void **state)
{
    (void)state;
    int mem = sealed_memfd(8192);
    int fds[3] = { eventfd(0, EFD_CLOEXEC), eventfd(0, EFD_CLOEXEC), mem };
    struct forged good = { .magic = 0x76783473u,
                           .version = 1,
                           .num_extents = 1,
                           .size = 8192,
                           .frame_bits = 12,
                           .num_memfds = 1,
                           .extent = { .fd_index = 0, .offset = 0, .length = 8192 } };
    struct forged bad[8];
    for (int i = 0; i < 8; i++) {
        bad[i] = good;
    }
    bad[0].magic = 0;
    bad[1].version = 2;
    bad[2].extent.length = 16384; /* beyond the file */
    bad[3].extent.offset = 100;   /* unaligned */
    bad[4].extent.fd_index = 1;   /* no such memfd */
    bad[5].size = 4096;           /* extents disagree */
    bad[6].frame_bits = 13;
    bad[7].num_extents = 0;
    size_t fds_before = count_fds();
    unsigned long errors = sel4kvm_log_count(ZF_LOG_ERROR);
    for (int i = 0; i < 8; i++) {
        send_raw(fx.sv[0], &bad[i], sizeof(bad[i]), fds, 3);
        sel4kvm_crossvm_peer_t peer;
        assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], &peer), -1);
        assert_null(peer.dataport);
        assert_int_equal(count_fds(), fds_before);
    }
    /* Too few descriptors for the message. */
    send_raw(fx.sv[0], &good, sizeof(good), fds, 2);
    sel4kvm_crossvm_peer_t peer;
    assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], &peer), -1);
    assert_true(sel4kvm_log_count(ZF_LOG_ERROR) >= errors + 9);
    assert_int_equal(count_fds(), fds_before);
    /* And the forgery done right is accepted: the checks are not rejecting everything. */
    send_raw(fx.sv[0], &good, sizeof(good), fds, 3);
    assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], &peer), 0);
    assert_int_equal(peer.size, 8192);
    sel4kvm_crossvm_peer_close(&peer);
    for (int i = 0; i < 3; i++) {
        close(fds[i]);
    }
}

static void test_peer_connect_fails_on_closed_socket(void **state)
{
    (void)state;
    sel4kvm_crossvm_peer_t peer;
    close(fx.sv[0]);
    fx.sv[0] = -1;
    assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], &peer), -1);
    assert_int_equal(sel4kvm_crossvm_peer_connect(-1, &peer), -1);
    assert_int_equal(sel4kvm_crossvm_peer_connect(fx.sv[1], NULL), -1);
    assert_int_equal(sel4kvm_crossvm_peer_wait(NULL, 0), -1);
    assert_int_equal(sel4kvm_crossvm_peer_signal(NULL), -1);
    assert_int_equal(sel4kvm_crossvm_peer_wait(&peer, 0), -1);
    sel4kvm_crossvm_peer_close(NULL);
}

/* ---- import into another VMM process ------------------------------------------------------------------------ */

/* The importer runs in a child with its own kernel: it must be forked before the parent's kernel exists. */
static void test_import_gives_another_kernel_frames_of_the_same_memory(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    sel4kvm_env_destroy(&fx.env);
    pid_t pid = fork();
    if (pid == 0) {
        sel4kvm_env_t env;
        sel4kvm_crossvm_import_t imp;
        if (sel4kvm_env_init(&env, NULL) != 0) {
            _exit(10);
        }
        seL4_CPtr from_peer = mint(&env.vka, env.host_endpoint, 0x8);
        if (sel4kvm_crossvm_import(sv[1], &env.vka, from_peer, &imp) != 0) {
            _exit(11);
        }
        if (strcmp(imp.name, "imported") != 0 || imp.dataport.num_frames != NFRAMES ||
            imp.dataport.size != NFRAMES * 4096) {
            _exit(12);
        }
        seL4_Word badge = 0;
        seL4_Wait(env.host_endpoint, &badge);
        if (badge != 0x8) {
            _exit(13);
        }
        seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(imp.dataport.frames[2]);
        char *bytes = sel4kvm_sim_paddr_to_host(a.paddr, 4096);
        if (a.error != seL4_NoError || bytes == NULL || strcmp(bytes, "from the exporter") != 0) {
            _exit(14);
        }
        strcpy(bytes, "from the importer");
        if (sel4kvm_eventfd_signal(imp.signal_fd) != 0) {
            _exit(15);
        }
        sel4kvm_crossvm_import_release(&env.vka, &imp);
        sel4kvm_env_destroy(&env);
        _exit(0);
    }
    assert_int_equal(sel4kvm_env_init(&fx.env, NULL), 0);
    seL4_CPtr caps[NFRAMES];
    for (int i = 0; i < NFRAMES; i++) {
        vka_object_t f;
        assert_int_equal(vka_alloc_frame(&fx.env.vka, seL4_PageBits, &f), 0);
        caps[i] = f.cptr;
    }
    crossvm_dataport_handle_t dp = { .size = NFRAMES * 4096, .num_frames = NFRAMES, .frames = caps };
    seL4_CPtr to_vmm = mint(&fx.env.vka, fx.env.host_endpoint, BADGE);
    int to_peer;
    assert_int_equal(sel4kvm_crossvm_export(sv[0], "imported", &dp, to_vmm, &to_peer), 0);
    seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(caps[2]);
    char *bytes = sel4kvm_sim_paddr_to_host(a.paddr, 4096);
    strcpy(bytes, "from the exporter");
    assert_int_equal(sel4kvm_eventfd_signal(to_peer), 0);
    seL4_Word badge = 0;
    seL4_Wait(fx.env.host_endpoint, &badge);
    assert_int_equal(badge, BADGE);
    assert_string_equal(bytes, "from the importer");
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(to_peer);
    close(sv[0]);
    close(sv[1]);
}

static void test_import_rejects_bad_arguments_and_keeps_nothing(void **state)
{
    (void)state;
    sel4kvm_crossvm_import_t imp;
    int e;
    assert_int_equal(sel4kvm_crossvm_import(fx.sv[1], NULL, fx.to_vmm, &imp), -1);
    assert_int_equal(sel4kvm_crossvm_import(fx.sv[1], &fx.env.vka, fx.to_vmm, NULL), -1);
    assert_int_equal(sel4kvm_crossvm_import(-1, &fx.env.vka, fx.to_vmm, &imp), -1);
    /* A valid message waiting, but from_peer is not a notification: refused before anything is received. */
    assert_int_equal(sel4kvm_crossvm_export(fx.sv[0], "x", &fx.dataport, fx.to_vmm, &e), 0);
    size_t caps = sel4kvm_sim_cap_count();
    size_t fds = count_fds();
    assert_int_equal(sel4kvm_crossvm_import(fx.sv[1], &fx.env.vka, fx.caps[0], &imp), -1);
    assert_int_equal(sel4kvm_sim_cap_count(), caps);
    assert_int_equal(count_fds(), fds);
    assert_null(imp.dataport.frames);
    /* The message is still there for a valid import. */
    seL4_CPtr from_peer = mint(&fx.env.vka, fx.env.host_endpoint, 0x2);
    assert_int_equal(sel4kvm_crossvm_import(fx.sv[1], &fx.env.vka, from_peer, &imp), 0);
    assert_int_equal(imp.dataport.num_frames, NFRAMES);
    sel4kvm_crossvm_import_release(&fx.env.vka, &imp);
    assert_null(imp.dataport.frames);
    sel4kvm_crossvm_import_release(NULL, &imp);
    close(e);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_seqpacket, teardown)
#define TS(fn) cmocka_unit_test_setup_teardown(fn, setup_stream, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_imported_eventfd_signals_notification_with_cap_badge),
        T(test_imported_eventfd_wakes_a_sleeping_wait),
        T(test_notification_import_rejects_bad_arguments),
        T(test_imported_memory_retypes_into_frames_sharing_the_file),
        T(test_memory_import_rejects_bad_arguments),
        T(test_peer_shares_dataport_and_events_both_ways),
        TS(test_peer_shares_dataport_and_events_both_ways),
        T(test_connections_on_one_socket_pair_up_in_order),
        TS(test_connections_on_one_socket_pair_up_in_order),
        T(test_name_is_truncated_to_48_bytes),
        T(test_peer_in_another_process_reverses_and_signals),
        TS(test_peer_in_another_process_reverses_and_signals),
        T(test_export_rejects_bad_arguments),
        T(test_peer_rejects_forged_messages_and_closes_their_descriptors),
        T(test_peer_connect_fails_on_closed_socket),
        TS(test_peer_connect_fails_on_closed_socket),
        T(test_import_gives_another_kernel_frames_of_the_same_memory),
        T(test_import_rejects_bad_arguments_and_keeps_nothing),
    };
    return cmocka_run_group_tests(tests, quiet_group, loud_group);
}
