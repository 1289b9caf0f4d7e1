/* The guest side of seL4's cross-VM connections: PCI device 1af4:a111 per connection, its events and dataport. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdint.h>
#include "pci.h"

#define CROSSVM_VENDOR_ID 0x1af4
#define CROSSVM_DEVICE_ID 0xa111

/* BAR0, the event page (mapped read-only: reads are memory, writes trap to the VMM). */
#define CROSSVM_EMIT 0x0   /* write: signal the peer */
#define CROSSVM_EVENTS 0x4 /* read: events not yet acknowledged; write 0: acknowledge them */
#define CROSSVM_NAME 0x8   /* the connection's name, NUL-padded, not necessarily NUL-terminated */
#define CROSSVM_NAME_MAX 48

/* One connection: where its BARs are (32-bit guests run with paging off, 64-bit ones identity-mapped, so these
 * are the physical addresses), the dataport size BAR1 decodes and the INTx line all connections share. */
typedef struct crossvm_dev {
    pci_addr_t addr;
    volatile uint32_t *event; /* BAR0 */
    volatile uint8_t *data;   /* BAR1 */
    uint32_t size;
    uint8_t irq;
    char name[CROSSVM_NAME_MAX + 1];
} crossvm_dev_t;

/* How many cross-VM devices bus 0 has. */
unsigned crossvm_count(void);

/* The index-th device in slot order: 0 with *dev filled (memory decoding enabled if it was not), -1 if there is
 * none. */
int crossvm_open(unsigned index, crossvm_dev_t *dev);

/* The first device whose connection name is name: 0 with *dev filled, -1 if none is. */
int crossvm_find(const char *name, crossvm_dev_t *dev);

/* Signals the peer (one trapping write; the value is not used). */
void crossvm_emit(const crossvm_dev_t *dev);

/* The event counter: events since the last acknowledgement. A memory read, no exit. */
uint32_t crossvm_events(const crossvm_dev_t *dev);

/* Clears the counter; the VMM lowers the shared line once every counter is 0. */
void crossvm_ack(const crossvm_dev_t *dev);

/* Prepares the CPU to take the devices' interrupt on line irq (0-15): the PICs remapped to GUEST_PIC_BASE (once),
 * the line level-triggered in the ELCR (as Linux sets PCI INTx lines) and unmasked, its vector gated to the
 * irq_wait wake entry (lib/guest.h). Interrupts stay disabled; only crossvm_wait enables them. 0, or -1 for a line
 * the PICs do not have. */
int crossvm_irq_init(uint8_t irq);

/* Sleeps until dev's interrupt, then acknowledges its events and sends EOI: the number of events taken (never 0;
 * wakes that find dev's counter 0 sleep again). Returns with interrupts disabled, so an event arriving before the
 * next call is taken by that call. All connections share one line: waiting on one while another's counter is
 * non-zero keeps waking without sleeping until dev has events, so acknowledge or wait on every device that
 * receives events. */
uint32_t crossvm_wait(const crossvm_dev_t *dev);
