/* 32- and 64-bit C guest: takes GUEST_IRQ through the PIC into an IDT handler that reports its vector. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest.h"

static volatile unsigned irqs_taken;

/* The run ends inside the handler: this host's KVM (kvm_pvm) fails to emulate IRET in protected mode, so a
 * handler that returned would end the run with an emulation failure instead of testing delivery. */
static void on_irq(void)
{
    irqs_taken++;
    outl(GUEST_REPORT_PORT, GUEST_IRQ_VECTOR);
    pic_eoi(GUEST_IRQ);
    debug_exit(irqs_taken);
}

int guest_main(uintptr_t eax, uintptr_t ebx)
{
    (void)eax;
    (void)ebx;
    idt_install(GUEST_IRQ_VECTOR, on_irq);
    pic_remap(GUEST_PIC_BASE, GUEST_PIC_BASE + 8);
    pic_unmask(GUEST_IRQ);
    /* The test injects the interrupt when it sees this. */
    outb(GUEST_SYNC_PORT, 1);
    while (irqs_taken == 0) {
        cpu_sti_hlt();
    }
    cpu_cli();
    return (int)irqs_taken;
}
