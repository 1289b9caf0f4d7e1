/* crossvm-reverse's exchange with the peer in another process. Its guest is crossvm-reverse's, unchanged; the
 * VMM exports the "src" and "dst" connections over a UNIX socket (sel4kvm/crossvm.h) to a forked process that
 * is either
 *   process: a plain process that maps the dataports and reverses the string, or
 *   vmm:     a second VMM with its own simulated kernel and its own guest, which imports the connections as
 *            frames and notifications of its kernel: two guests talking as two VMs on seL4 do.
 * With no argument both variants run, one after the other. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sel4kvm/crossvm.h>
#include <sel4kvm/sim.h>
#include <sel4kvm/vm.h>
#include "../common/crossvm_vmm.h"

#define GUEST EXAMPLE_GUEST_DIR "/crossvm-reverse-guest.elf"
#define REVERSER_GUEST EXAMPLE_GUEST_DIR "/crossvm-two-process-guest.elf"
#define SRC_BADGE 0x1 /* events from the other side on src */

/* A peer that dies would leave the guest waiting for ever: the watchdog stops the VM when the peer fails. */
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static vm_t *running_vm;
static bool peer_failed;

struct watch {
    pid_t pid;
    int status;
};

static void *watchdog(void *arg)
{
    struct watch *w = arg;
    int status;
    w->status = waitpid(w->pid, &status, 0) == w->pid && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    pthread_mutex_lock(&watch_lock);
    peer_failed = w->status != 0;
    if (peer_failed && running_vm != NULL) {
        fprintf(stderr, "crossvm-two-process: the peer failed; stopping the guest\n");
        sel4kvm_vm_stop(running_vm);
    }
    pthread_mutex_unlock(&watch_lock);
    return NULL;
}

static int run_watched(struct xvm *x)
{
    pthread_mutex_lock(&watch_lock);
    running_vm = peer_failed ? NULL : &x->t.vm;
    pthread_mutex_unlock(&watch_lock);
    int status = running_vm != NULL ? xvm_run(x) : -1;
    pthread_mutex_lock(&watch_lock);
    running_vm = NULL;
    pthread_mutex_unlock(&watch_lock);
    return status;
}

/* emit_fn takes no argument: the descriptors it signals are globals, as CAmkES's generated emits use globals. */
static int src_to_peer = -1;
static int dst_to_peer = -1;

static void emit_src(void)
{
    sel4kvm_eventfd_signal(src_to_peer);
}

static void emit_dst(void)
{
    sel4kvm_eventfd_signal(dst_to_peer);
}

/* ---- the peer as a plain process ---------------------------------------------------------------------------- */

static int plain_peer(int sock)
{
    sel4kvm_crossvm_peer_t src, dst;
    if (sel4kvm_crossvm_peer_connect(sock, &src) != 0 || sel4kvm_crossvm_peer_connect(sock, &dst) != 0 ||
        sel4kvm_crossvm_peer_wait(&src, 10000) <= 0) {
        fprintf(stderr, "peer process: no connection or no event\n");
        return 1;
    }
    const char *in = src.dataport;
    char *out = dst.dataport;
    size_t n = MIN(strnlen(in, src.size - 1), dst.size - 1);
    for (size_t i = 0; i < n; i++) {
        out[i] = in[n - 1 - i];
    }
    out[n] = '\0';
    printf("peer process %d: reversed %zu bytes of \"%s\"\n", (int)getpid(), n, in);
    fflush(stdout);
    int ret = sel4kvm_crossvm_peer_signal(&dst);
    sel4kvm_crossvm_peer_close(&src);
    sel4kvm_crossvm_peer_close(&dst);
    return ret == 0 ? 0 : 1;
}

/* ---- the peer as a second VMM with its own guest ------------------------------------------------------------ */

static int vmm_peer(int sock)
{
    sel4kvm_env_t env;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return 1;
    }
    struct xvm x;
    sel4kvm_crossvm_import_t src, dst;
    memset(&src, 0, sizeof(src));
    memset(&dst, 0, sizeof(dst));
    int status = -1;
    if (xvm_create(&x, &env, "reverser", REVERSER_GUEST, 0) == 0 &&
        sel4kvm_crossvm_import(sock, &env.vka, xvm_event_cap(&x, SRC_BADGE), &src) == 0 &&
        sel4kvm_crossvm_import(sock, &env.vka, xvm_event_cap(&x, XVM_DST_BADGE), &dst) == 0) {
        dst_to_peer = dst.signal_fd;
        /* The mirror image of the first VMM: events arrive on src, the guest emits on dst. */
        crossvm_handle_t connections[] = {
            { .dataport = &src.dataport, .emit_fn = NULL, .consume_id = SRC_BADGE, .connection_name = src.name },
            { .dataport = &dst.dataport,
              .emit_fn = emit_dst,
              .consume_id = (seL4_Word)-1,
              .connection_name = dst.name },
        };
        if (xvm_connect(&x, connections, 2) == 0) {
            status = xvm_run(&x);
        }
    }
    xvm_destroy(&x);
    sel4kvm_crossvm_import_release(&env.vka, &src);
    sel4kvm_crossvm_import_release(&env.vka, &dst);
    sel4kvm_env_destroy(&env);
    return status == 0 ? 0 : 1;
}

/* ---- the first VMM ------------------------------------------------------------------------------------------ */

static int exporting_vmm(int sock, const char *guest)
{
    sel4kvm_env_t env;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return 1;
    }
    struct xvm x;
    struct xvm_reverse r;
    int status = -1;
    if (xvm_reverse_init(&r, &env, emit_src) == 0 && xvm_create(&x, &env, "crossvm-two-process", guest, 0) == 0 &&
        sel4kvm_crossvm_export(sock, "src", &r.src_dataport, xvm_event_cap(&x, SRC_BADGE), &src_to_peer) == 0 &&
        sel4kvm_crossvm_export(sock, "dst", &r.dst_dataport, xvm_event_cap(&x, XVM_DST_BADGE), &dst_to_peer) == 0 &&
        xvm_connect(&x, r.connections, 2) == 0) {
        status = run_watched(&x);
    }
    xvm_destroy(&x);
    sel4kvm_env_destroy(&env);
    close(src_to_peer);
    close(dst_to_peer);
    return status == 0 ? 0 : 1;
}

static int run_variant(const char *variant, const char *guest)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        perror("socketpair");
        return 1;
    }
    fflush(stdout);
    /* Forked before either side has a kernel: each process gets its own. */
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        close(sv[0]);
        _exit(strcmp(variant, "vmm") == 0 ? vmm_peer(sv[1]) : plain_peer(sv[1]));
    }
    close(sv[1]);
    struct watch w = { .pid = pid, .status = 1 };
    pthread_t thread;
    peer_failed = false;
    if (pthread_create(&thread, NULL, watchdog, &w) != 0) {
        perror("pthread_create");
        return 1;
    }
    int mine = exporting_vmm(sv[0], guest);
    /* Closing our end tells a peer still waiting for a message that none will come. */
    close(sv[0]);
    pthread_join(thread, NULL);
    int theirs = w.status;
    printf("crossvm-two-process (peer: %s): VMM %s, peer %s\n", variant, mine == 0 ? "ok" : "failed",
           theirs == 0 ? "ok" : "failed");
    return mine == 0 && theirs == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    char reason[160];
    if (!sel4kvm_kvm_available(reason, sizeof(reason))) {
        fprintf(stderr, "crossvm-two-process: KVM is not usable: %s\n", reason);
        return 2;
    }
    const char *variant = argc > 1 ? argv[1] : NULL;
    if (variant != NULL && strcmp(variant, "process") != 0 && strcmp(variant, "vmm") != 0) {
        fprintf(stderr, "usage: %s [process|vmm] [guest.elf]\n", argv[0]);
        return 2;
    }
    const char *guest = argc > 2 ? argv[2] : GUEST;
    int failed = 0;
    if (variant == NULL || strcmp(variant, "process") == 0) {
        failed |= run_variant("process", guest);
    }
    if (variant == NULL || strcmp(variant, "vmm") == 0) {
        failed |= run_variant("vmm", guest);
    }
    return failed;
}
