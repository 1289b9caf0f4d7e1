/* Simulated-kernel figure: frame retype + map + unmap + delete cycles per second, into a guest EPT (the kernel's
 * own bookkeeping) and, for comparison, into the VMM's own vspace (each map is a host mmap). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <sel4/sel4.h>
#include <sel4kvm/sim.h>
#include "bench.h"

#define ROUNDS 7
#define EPT_CYCLES 200000
#define VMM_CYCLES 20000
#define EPT_VADDR 0x10000000ul

struct cycle {
    seL4_CPtr untyped; /* a RAM untyped with no other children: each retype starts it afresh, zeroing */
    seL4_CPtr slot;
    seL4_CPtr root;
    seL4_Word vaddr;
    bool ept;
    int cycles;
};

static double cycle_run(void *cookie)
{
    struct cycle *c = cookie;
    double start = bare_now();
    for (int i = 0; i < c->cycles; i++) {
        if (seL4_Untyped_Retype(c->untyped, seL4_X86_4K, 0, seL4_CapInitThreadCNode, 0, 0, c->slot, 1) !=
                seL4_NoError ||
            (c->ept
                 ? seL4_X86_Page_MapEPT(c->slot, c->root, c->vaddr, seL4_AllRights, seL4_X86_EPT_Default_VMAttributes)
                 : seL4_X86_Page_Map(c->slot, c->root, c->vaddr, seL4_AllRights, seL4_X86_Default_VMAttributes)) !=
                seL4_NoError ||
            seL4_X86_Page_Unmap(c->slot) != seL4_NoError ||
            seL4_CNode_Delete(seL4_CapInitThreadCNode, c->slot, seL4_WordBits) != seL4_NoError) {
            fprintf(stderr, "bench: frame cycle %d failed\n", i);
            return -1;
        }
    }
    return bare_now() - start;
}

/* Two RAM untypeds of at least 1 MiB: one for the EPT, one for the frames. */
static int find_untypeds(seL4_CPtr *a, seL4_CPtr *b)
{
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    *a = *b = seL4_CapNull;
    for (seL4_CPtr s = bi->untyped.start; s < bi->untyped.end; s++) {
        const seL4_UntypedDesc *d = &bi->untypedList[s - bi->untyped.start];
        if (!d->isDevice && d->sizeBits >= 20) {
            if (*a == seL4_CapNull) {
                *a = s;
            } else {
                *b = s;
                return 0;
            }
        }
    }
    return -1;
}

void fig_sim_frame_cycles(struct bench_row *row)
{
    if (sel4kvm_sim_init(NULL) != 0) {
        row_skip(row, "set-up failed");
        return;
    }
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    seL4_CPtr ept_untyped, frame_untyped;
    uintptr_t window;
    size_t window_size;
    seL4_CPtr ept = bi->empty.start, slot = bi->empty.start + 1;
    if (find_untypeds(&ept_untyped, &frame_untyped) != 0 ||
        seL4_Untyped_Retype(ept_untyped, seL4_X86_EPTPML4Object, 0, seL4_CapInitThreadCNode, 0, 0, ept, 1) !=
            seL4_NoError ||
        sel4kvm_sim_vmm_window(&window, &window_size) != 0) {
        sel4kvm_sim_shutdown();
        row_skip(row, "set-up failed");
        return;
    }
    struct cycle guest = { frame_untyped, slot, ept, EPT_VADDR, true, EPT_CYCLES };
    struct cycle vmm = { frame_untyped, slot, seL4_CapInitThreadVSpace, window, false, VMM_CYCLES };
    double tg[ROUNDS], tv[ROUNDS];
    int err = bench_alternate(ROUNDS, cycle_run, &guest, tg, cycle_run, &vmm, tv);
    sel4kvm_sim_shutdown();
    if (err != 0) {
        row_skip(row, "a cycle failed");
        return;
    }
    double ept_rate = EPT_CYCLES / median(tg, ROUNDS), vmm_rate = VMM_CYCLES / median(tv, ROUNDS);
    char library[64], reference[64];
    snprintf(library, sizeof(library), "%.2fM/s into a guest EPT", ept_rate / 1e6);
    snprintf(reference, sizeof(reference), "none; VMM vspace %.2fM/s", vmm_rate / 1e6);
    row_result(row, ept_rate, library, reference);
    row_detail(row, "ept_cycles_per_s", ept_rate);
    row_detail(row, "vmm_vspace_cycles_per_s", vmm_rate);
    row_detail(row, "rounds", ROUNDS);
}
