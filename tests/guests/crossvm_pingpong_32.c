/* 32-bit C guest: cross-VM round trips for timing. On the connection named "ping" it emits, then sleeps until
 * the peer's event comes back as the interrupt, EAX times; GUEST_SYNC_PORT brackets the loop (1 before, 2
 * after) so the VMM can time the round trips alone, and the number of events taken goes to GUEST_REPORT_PORT. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "crossvm.h"
#include "guest.h"

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)ebx;
    uint32_t rounds = (uint32_t)eax;
    crossvm_dev_t ping;
    if (crossvm_find("ping", &ping) != 0 || crossvm_irq_init(ping.irq) != 0) {
        return 1;
    }
    outb(GUEST_SYNC_PORT, 1);
    uint32_t events = 0;
    for (uint32_t i = 0; i < rounds; i++) {
        crossvm_emit(&ping);
        events += crossvm_wait(&ping);
    }
    outb(GUEST_SYNC_PORT, 2);
    outl(GUEST_REPORT_PORT, events);
    return events == rounds ? 0 : 2;
}
