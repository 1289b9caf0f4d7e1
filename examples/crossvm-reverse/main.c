/* The seL4 "string reverse" cross-VM demo, with the peer as a thread of the VMM: two connections, "src" and
 * "dst". The guest writes a string into src and emits; the peer thread, woken by that emit through a
 * notification, reverses the string into dst and signals the VM; the VMM consumes the event and the guest takes
 * the interrupt. Only seL4 calls connect the two sides: seL4_Signal and seL4_Wait on notifications. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sel4kvm/vm.h>
#include <vka/object.h>
#include "../common/crossvm_vmm.h"

#define GUEST EXAMPLE_GUEST_DIR "/crossvm-reverse-guest.elf"

/* The peer: waits on its notification, as a CAmkES component waits for its event. */
struct peer {
    seL4_CPtr wake;  /* signalled by the connection's emit */
    seL4_CPtr to_vm; /* badged copy of the VM's host endpoint */
    char *src, *dst;
};

static struct peer peer;

static void emit_to_peer(void)
{
    seL4_Signal(peer.wake);
}

static void *peer_main(void *arg)
{
    (void)arg;
    seL4_Wait(peer.wake, NULL);
    size_t n = strnlen(peer.src, 4096 - 1);
    for (size_t i = 0; i < n; i++) {
        peer.dst[i] = peer.src[n - 1 - i];
    }
    peer.dst[n] = '\0';
    printf("peer: reversed %zu bytes\n", n);
    fflush(stdout);
    seL4_Signal(peer.to_vm);
    return NULL;
}

int main(int argc, char **argv)
{
    char reason[160];
    if (!sel4kvm_kvm_available(reason, sizeof(reason))) {
        fprintf(stderr, "crossvm-reverse: KVM is not usable: %s\n", reason);
        return 2;
    }
    sel4kvm_env_t env;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        return 1;
    }
    struct xvm x;
    struct xvm_reverse r;
    vka_object_t wake;
    int status = -1;
    pthread_t thread;
    if (xvm_reverse_init(&r, &env, emit_to_peer) == 0 && vka_alloc_notification(&env.vka, &wake) == 0 &&
        xvm_create(&x, &env, "crossvm-reverse", argc > 1 ? argv[1] : GUEST, 0) == 0 &&
        xvm_connect(&x, r.connections, 2) == 0 && (peer.to_vm = xvm_event_cap(&x, XVM_DST_BADGE)) != seL4_CapNull) {
        peer.wake = wake.cptr;
        peer.src = r.src;
        peer.dst = r.dst;
        if (pthread_create(&thread, NULL, peer_main, NULL) == 0) {
            status = xvm_run(&x);
            pthread_join(thread, NULL);
        }
    }
    xvm_destroy(&x);
    sel4kvm_env_destroy(&env);
    printf("crossvm-reverse: guest exited with %d\n", status);
    return status == 0 ? 0 : 1;
}
