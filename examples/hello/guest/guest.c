/* The hello example's guest: 32-bit freestanding C on the test guests' library (tests/guests/lib) that greets on the
 * serial port, drives a counter device through MMIO and reports through QEMU's debug-exit port. The library's
 * entry code (lib/start.S) loads its own GDT and stack, calls guest_main and writes its result to the debug-exit
 * port; the VMM loads the ELF at 1 MiB and starts it in flat protected mode. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"

/* The counter device the VMM emulates in a reservation fault callback. */
#define COUNTER_BASE 0xd0000000u
#define COUNTER_VALUE 0x0 /* read: advance by STEP and return the count */
#define COUNTER_STEP 0x4  /* write: how much each read advances */

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)eax;
    (void)ebx;
    serial_puts("hello from a KVM guest\n");
    mmio_write32(COUNTER_BASE + COUNTER_STEP, 10);
    int bad = 0;
    for (uint32_t i = 1; i <= 3; i++) {
        uint32_t v = mmio_read32(COUNTER_BASE + COUNTER_VALUE);
        serial_puts("counter: ");
        serial_putdec(v);
        serial_putc('\n');
        bad |= v != i * 10;
    }
    return bad; /* the VM stops at the debug-exit write that follows */
}
