/* The reversing guest of crossvm-two-process: the peer of crossvm-reverse's guest, in a second VMM process.
 * It imports the same two connections: it sleeps until "src" has an event, reverses src's dataport into dst's
 * and emits on "dst", which wakes the first guest. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "crossvm.h"
#include "guest.h"

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)eax;
    (void)ebx;
    crossvm_dev_t src, dst;
    if (crossvm_find("src", &src) != 0 || crossvm_find("dst", &dst) != 0 || crossvm_irq_init(src.irq) != 0) {
        serial_puts("reverser: no usable \"src\" and \"dst\" connections\n");
        return 1;
    }
    crossvm_wait(&src);
    unsigned n = 0;
    while (n < src.size - 1 && n < dst.size - 1 && src.data[n] != 0) {
        n++;
    }
    for (unsigned i = 0; i < n; i++) {
        dst.data[i] = src.data[n - 1 - i];
    }
    dst.data[n] = 0;
    serial_puts("reverser guest: reversed ");
    serial_putdec(n);
    serial_puts(" bytes\n");
    crossvm_emit(&dst);
    return 0;
}
