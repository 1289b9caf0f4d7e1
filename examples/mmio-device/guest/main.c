/* The mmio-device example's guest: programs the VMM's timer (examples/common/timer_device.h) through MMIO — start
 * it, arm a compare, poll for the match, clear it, stop the counter — and exits 0 if the timer behaved. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"

#define TIMER_BASE 0xd0001000u
#define TIMER_COUNT (TIMER_BASE + 0x0)
#define TIMER_COMPARE (TIMER_BASE + 0x4)
#define TIMER_STATUS (TIMER_BASE + 0x8)
#define TIMER_CTRL (TIMER_BASE + 0xc)
#define STATUS_MATCH 0x1u
#define CTRL_ENABLE 0x1u
#define CTRL_RESET 0x2u

/* How far ahead to arm the compare, in microseconds, and how long to poll before giving up. */
#define DELAY_US 500u
#define MAX_POLLS 1000000u

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)eax;
    (void)ebx;
    mmio_write32(TIMER_CTRL, CTRL_ENABLE | CTRL_RESET);
    uint32_t first = mmio_read32(TIMER_COUNT);
    uint32_t second = mmio_read32(TIMER_COUNT);
    if (second < first) {
        return guest_fail("timer", "the counter went backwards");
    }

    uint32_t compare = second + DELAY_US;
    mmio_write32(TIMER_COMPARE, compare);
    uint32_t polls = 0;
    while (!(mmio_read32(TIMER_STATUS) & STATUS_MATCH)) {
        if (++polls == MAX_POLLS) {
            return guest_fail("timer", "the compare never matched");
        }
    }
    if (mmio_read32(TIMER_COUNT) < compare) {
        return guest_fail("timer", "the match came before the compare value");
    }
    serial_puts("timer: compare matched after ");
    serial_putdec(polls);
    serial_puts(" polls\n");

    mmio_write32(TIMER_STATUS, STATUS_MATCH);
    if (mmio_read32(TIMER_STATUS) != 0) {
        return guest_fail("timer", "writing 1 did not clear the match");
    }
    mmio_write32(TIMER_CTRL, 0);
    uint32_t stopped = mmio_read32(TIMER_COUNT);
    for (int i = 0; i < 100; i++) {
        __asm__ volatile("pause");
    }
    if (mmio_read32(TIMER_COUNT) != stopped) {
        return guest_fail("timer", "the counter ran while stopped");
    }
    serial_puts("timer: stopped at ");
    serial_putdec(stopped);
    serial_puts(" us\n");
    return 0;
}
