/* Helpers for tests that drive the simulated kernel directly: boot, slot handout, untyped lookup. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sel4/sel4.h>
#include <sel4kvm/sim.h>
#include <utils/util.h>

static seL4_CPtr fixture_next_slot;

static inline int fixture_boot(void **state)
{
    (void)state;
    if (sel4kvm_sim_init(NULL) != 0) {
        return -1;
    }
    fixture_next_slot = sel4kvm_sim_bootinfo()->empty.start;
    return 0;
}

static inline int fixture_shutdown(void **state)
{
    (void)state;
    sel4kvm_sim_shutdown();
    return 0;
}

static inline seL4_CPtr slot_alloc(void)
{
    return fixture_next_slot++;
}

/* The first boot untyped of exactly size_bits bits (RAM or device), or 0. */
static inline seL4_CPtr find_untyped(unsigned size_bits, bool device, uintptr_t *paddr)
{
    const seL4_BootInfo *bi = sel4kvm_sim_bootinfo();
    for (seL4_CPtr s = bi->untyped.start; s < bi->untyped.end; s++) {
        const seL4_UntypedDesc *d = &bi->untypedList[s - bi->untyped.start];
        if (d->sizeBits == size_bits && (bool)d->isDevice == device) {
            if (paddr != NULL) {
                *paddr = d->paddr;
            }
            return s;
        }
    }
    return 0;
}

/* Retype one object into a fresh root-CNode slot; asserts success. */
static inline seL4_CPtr make_object(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr slot = slot_alloc();
    assert_int_equal(seL4_Untyped_Retype(ut, type, size_bits, seL4_CapInitThreadCNode, 0, 0, slot, 1), seL4_NoError);
    return slot;
}

static inline seL4_Error retype_at(seL4_CPtr ut, seL4_Word type, seL4_Word size_bits, seL4_CPtr slot)
{
    return seL4_Untyped_Retype(ut, type, size_bits, seL4_CapInitThreadCNode, 0, 0, slot, 1);
}

static inline seL4_Error copy_cap(seL4_CPtr dest, seL4_CPtr src, seL4_CapRights_t rights)
{
    return seL4_CNode_Copy(seL4_CapInitThreadCNode, dest, seL4_WordBits, seL4_CapInitThreadCNode, src, seL4_WordBits,
                           rights);
}

static inline seL4_Error delete_cap(seL4_CPtr slot)
{
    return seL4_CNode_Delete(seL4_CapInitThreadCNode, slot, seL4_WordBits);
}

static inline seL4_Error revoke_cap(seL4_CPtr slot)
{
    return seL4_CNode_Revoke(seL4_CapInitThreadCNode, slot, seL4_WordBits);
}

#define FIXTURE_TEST(f) cmocka_unit_test_setup_teardown(f, fixture_boot, fixture_shutdown)
