/* The crossvm-reverse guest: what a Linux process does through seL4's connection driver, in a tiny guest. It
 * finds the "src" and "dst" connections by name on the PCI bus, writes a string into src's dataport and emits;
 * the peer reverses it into dst's dataport and signals; the guest takes the interrupt, acknowledges the event
 * and checks the reversed string. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "crossvm.h"
#include "guest.h"

static const char message[] = "Hello from a guest, across VMs!";

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)eax;
    (void)ebx;
    crossvm_dev_t src, dst;
    if (crossvm_find("src", &src) != 0 || crossvm_find("dst", &dst) != 0) {
        return guest_fail("guest", "no \"src\" and \"dst\" cross-VM connections on the PCI bus");
    }
    if (src.size < sizeof(message) || dst.size < sizeof(message) || crossvm_irq_init(dst.irq) != 0) {
        return guest_fail("guest", "the connections are too small or their interrupt line is unusable");
    }
    for (unsigned i = 0; i < sizeof(message); i++) {
        src.data[i] = (uint8_t)message[i];
    }
    crossvm_emit(&src);
    uint32_t events = crossvm_wait(&dst);

    unsigned n = sizeof(message) - 1;
    int bad = dst.data[n] != 0;
    for (unsigned i = 0; i < n; i++) {
        bad |= dst.data[i] != (uint8_t)message[n - 1 - i];
    }
    serial_puts("guest: sent \"");
    serial_puts(message);
    serial_puts("\", got \"");
    serial_puts((const char *)dst.data);
    serial_puts("\" after ");
    serial_putdec(events);
    serial_puts(" event(s)\n");
    return bad ? guest_fail("guest", "the string did not come back reversed") : 0;
}
