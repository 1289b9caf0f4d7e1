/* `make run-sim-demo`: seL4 caps, frames, mappings and notifications in an ordinary Linux process, no KVM needed. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sel4/sel4.h>
#include <sel4kvm/env.h>
#include <vka/capops.h>
#include <vka/object.h>
#include <vspace/vspace.h>

#define DEMO_BADGE 0x5e14

static void *signaller(void *arg)
{
    seL4_Signal(*(seL4_CPtr *)arg);
    return NULL;
}

/* Shows that a frame's bytes are shared by every mapping of it: one mapping per cap, so the cap is copied. */
static int demo_frames(sel4kvm_env_t *env)
{
    vka_object_t frame;
    if (vka_alloc_frame(&env->vka, seL4_PageBits, &frame) != 0) {
        fprintf(stderr, "Failed to allocate a frame\n");
        return -1;
    }
    printf("allocated a 4 KiB frame: cap %lu, physical address 0x%lx\n", (unsigned long)frame.cptr,
           (unsigned long)vka_object_paddr(&env->vka, &frame));

    int ret = -1;
    char *first = vspace_map_pages(&env->vspace, &frame.cptr, NULL, seL4_AllRights, 1, seL4_PageBits, 1);
    if (first == NULL) {
        fprintf(stderr, "Failed to map the frame\n");
        goto free_frame;
    }
    strcpy(first, "hello from a seL4 frame");
    printf("mapped it at %p and wrote \"%s\"\n", (void *)first, first);

    cspacepath_t src, copy;
    vka_cspace_make_path(&env->vka, frame.cptr, &src);
    if (vka_cspace_alloc_path(&env->vka, &copy) != 0) {
        fprintf(stderr, "Failed to allocate a slot\n");
        goto unmap_first;
    }
    if (vka_cnode_copy(&copy, &src, seL4_AllRights) != seL4_NoError) {
        fprintf(stderr, "Failed to copy the frame cap\n");
        goto free_slot;
    }
    char *second = vspace_map_pages(&env->vspace, &copy.capPtr, NULL, seL4_AllRights, 1, seL4_PageBits, 1);
    if (second == NULL) {
        fprintf(stderr, "Failed to map the copied cap\n");
        goto delete_copy;
    }
    printf("copied the cap to slot %lu, mapped the copy at %p: it reads \"%s\"\n", (unsigned long)copy.capPtr,
           (void *)second, second);
    if (strcmp(first, second) == 0) {
        ret = 0;
    } else {
        fprintf(stderr, "The second mapping does not show the frame's bytes\n");
    }

    vspace_unmap_pages(&env->vspace, second, 1, seL4_PageBits, VSPACE_PRESERVE);
delete_copy:
    vka_cnode_delete(&copy);
free_slot:
    vka_cspace_free_path(&env->vka, copy);
unmap_first:
    vspace_unmap_pages(&env->vspace, first, 1, seL4_PageBits, VSPACE_PRESERVE);
free_frame:
    vka_free_object(&env->vka, &frame);
    return ret;
}

/* Another thread signals through a badged copy of a notification cap; this thread waits and sees the badge. */
static int demo_notification(sel4kvm_env_t *env)
{
    vka_object_t ntfn;
    if (vka_alloc_notification(&env->vka, &ntfn) != 0) {
        fprintf(stderr, "Failed to allocate a notification\n");
        return -1;
    }
    int ret = -1;
    cspacepath_t src, badged;
    vka_cspace_make_path(&env->vka, ntfn.cptr, &src);
    if (vka_cspace_alloc_path(&env->vka, &badged) != 0) {
        fprintf(stderr, "Failed to allocate a slot\n");
        goto free_ntfn;
    }
    if (vka_cnode_mint(&badged, &src, seL4_AllRights, DEMO_BADGE) != seL4_NoError) {
        fprintf(stderr, "Failed to mint a badged cap\n");
        goto free_slot;
    }

    pthread_t thread;
    seL4_CPtr signal_cap = badged.capPtr;
    if (pthread_create(&thread, NULL, signaller, &signal_cap) != 0) {
        fprintf(stderr, "Failed to start the signalling thread\n");
        goto delete_badged;
    }
    seL4_Word badge = 0;
    seL4_Wait(ntfn.cptr, &badge);
    pthread_join(thread, NULL);
    printf("a second thread signalled notification %lu; seL4_Wait returned badge 0x%lx\n", (unsigned long)ntfn.cptr,
           (unsigned long)badge);
    if (badge == DEMO_BADGE) {
        ret = 0;
    } else {
        fprintf(stderr, "Expected badge 0x%x\n", DEMO_BADGE);
    }

delete_badged:
    vka_cnode_delete(&badged);
free_slot:
    vka_cspace_free_path(&env->vka, badged);
free_ntfn:
    vka_free_object(&env->vka, &ntfn);
    return ret;
}

int main(void)
{
    sel4kvm_env_t env;
    if (sel4kvm_env_init(&env, NULL) != 0) {
        fprintf(stderr, "Failed to start the simulated kernel\n");
        return 1;
    }
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    printf("simulated seL4 kernel up: %lu untyped caps, free slots %lu..%lu\n",
           (unsigned long)(bi->untyped.end - bi->untyped.start), (unsigned long)bi->empty.start,
           (unsigned long)bi->empty.end);

    int failed = demo_frames(&env) != 0;
    failed |= demo_notification(&env) != 0;

    sel4kvm_env_destroy(&env);
    printf("environment destroyed: %s\n", failed ? "demo FAILED" : "all done");
    return failed;
}
