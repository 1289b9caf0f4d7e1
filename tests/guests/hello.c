/* 32- and 64-bit C guest: prints "hello" on the serial port and exits with the value the VMM put in EAX. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)ebx;
    serial_puts("hello\n");
    return (int)eax;
}
