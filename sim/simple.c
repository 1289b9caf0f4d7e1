/* The simple_t over the simulated kernel's boot information: untypeds, initial caps, CNode size, cores. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <sel4/sel4.h>
#include <sel4kvm/allocator.h>
#include <sel4kvm/sim.h>
#include <simple/simple.h>
#include <utils/util.h>

/* Each operation reads the running kernel's boot information afresh, so the simple holds no state of its own
 * and fails cleanly (rather than reading freed memory) once the kernel is shut down. */
static const seL4_BootInfo *bootinfo(const char *what)
{
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    if (bi == NULL) {
        ZF_LOGE("Failed to get %s: no kernel is running", what);
    }
    return bi;
}

static int untyped_count(UNUSED void *data)
{
    const seL4_BootInfo *bi = bootinfo("untyped count");
    return bi == NULL ? -1 : (int)(bi->untyped.end - bi->untyped.start);
}

static seL4_CPtr nth_untyped(UNUSED void *data, int n, size_t *size_bits, uintptr_t *paddr, bool *device)
{
    const seL4_BootInfo *bi = bootinfo("untyped");
    if (bi == NULL) {
        return seL4_CapNull;
    }
    if (n < 0 || (seL4_Word)n >= bi->untyped.end - bi->untyped.start) {
        ZF_LOGE("Failed to get untyped %d: there are %lu", n, (unsigned long)(bi->untyped.end - bi->untyped.start));
        return seL4_CapNull;
    }
    const seL4_UntypedDesc *d = &bi->untypedList[n];
    if (size_bits != NULL) {
        *size_bits = d->sizeBits;
    }
    if (paddr != NULL) {
        *paddr = d->paddr;
    }
    if (device != NULL) {
        *device = d->isDevice != 0;
    }
    return bi->untyped.start + (seL4_CPtr)n;
}

static seL4_CPtr init_cap(UNUSED void *data, seL4_CPtr cap)
{
    if (bootinfo("initial cap") == NULL) {
        return seL4_CapNull;
    }
    if (cap >= seL4_NumInitialCaps) {
        ZF_LOGE("Failed to get initial cap %lu: there are %d", (unsigned long)cap, seL4_NumInitialCaps);
        return seL4_CapNull;
    }
    /* The root task's CSpace is the root CNode and initial cap n sits in slot n. */
    return cap;
}

static uint8_t cnode_size(UNUSED void *data)
{
    const seL4_BootInfo *bi = bootinfo("CNode size");
    return bi == NULL ? 0 : (uint8_t)bi->initThreadCNodeSizeBits;
}

static int core_count(UNUSED void *data)
{
    const seL4_BootInfo *bi = bootinfo("core count");
    return bi == NULL ? -1 : (int)MAX(bi->numNodes, 1ul);
}

static void print(UNUSED void *data)
{
    const seL4_BootInfo *bi = bootinfo("boot information to print");
    if (bi == NULL) {
        return;
    }
    printf("Simulated seL4 boot information\n");
    printf("  root CNode: 2^%lu slots; cores: %lu\n", (unsigned long)bi->initThreadCNodeSizeBits,
           (unsigned long)MAX(bi->numNodes, 1ul));
    printf("  empty slots: [0x%lx, 0x%lx)\n", (unsigned long)bi->empty.start, (unsigned long)bi->empty.end);
    printf("  untyped caps: [0x%lx, 0x%lx)\n", (unsigned long)bi->untyped.start, (unsigned long)bi->untyped.end);
    for (seL4_Word i = 0; i < bi->untyped.end - bi->untyped.start; i++) {
        const seL4_UntypedDesc *d = &bi->untypedList[i];
        printf("    cap 0x%lx: paddr 0x%lx, 2^%u bytes%s\n", (unsigned long)(bi->untyped.start + i),
               (unsigned long)d->paddr, d->sizeBits, d->isDevice ? ", device" : "");
    }
}

int sel4kvm_simple_init(simple_t *simple)
{
    if (simple == NULL) {
        ZF_LOGE("Failed to create simple: simple is NULL");
        return -1;
    }
    if (sel4kvm_sim_bootinfo() == NULL) {
        ZF_LOGE("Failed to create simple: no kernel is running");
        return -1;
    }
    *simple = (simple_t){
        .untyped_count = untyped_count,
        .nth_untyped = nth_untyped,
        .init_cap = init_cap,
        .cnode_size = cnode_size,
        .core_count = core_count,
        .print = print,
    };
    return 0;
}

void sel4kvm_simple_destroy(simple_t *simple)
{
    if (simple != NULL) {
        *simple = (simple_t){ 0 };
    }
}
