/* Tiny-guest devices: a 16550-style UART and QEMU's isa-debug-exit, added on request. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sel4kvm/devices.h>
#include <sel4vm/arch/ioports.h>
#include "vm_internal.h"

/* Register offsets from the UART's base port. */
enum {
    UART_RBR_THR = 0, /* DLL when LCR.DLAB is set */
    UART_IER = 1,     /* DLM when LCR.DLAB is set */
    UART_IIR_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define UART_LCR_DLAB 0x80
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_IIR_NONE 0x01
/* DCD, DSR and CTS asserted: a terminal is attached and ready, so drivers that wait for it do not. */
#define UART_MSR_READY 0xb0

struct uart {
    bool present;
    int fd;
    bool write_failed;
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    /* Loopback: what the guest transmitted comes back in RBR instead of going to fd. */
    bool rx_full;
    uint8_t rx;
};

struct vm_devices {
    struct uart uart;
    bool debug_exit_present;
    bool exited;
    int exit_status;
};

static bool vm_usable(vm_t *vm, const char *what)
{
    if (vm == NULL || !vm->vm_initialised || vm_private(vm) == NULL) {
        ZF_LOGE("Failed to %s: VM is NULL or not initialised", what);
        return false;
    }
    return true;
}

static struct vm_devices *devices_of(vm_t *vm)
{
    struct vm_private *priv = vm_private(vm);
    if (priv->devices == NULL) {
        priv->devices = calloc(1, sizeof(*priv->devices));
    }
    return priv->devices;
}

static void uart_transmit(struct uart *uart, uint8_t byte)
{
    if (uart->mcr & UART_MCR_LOOP) {
        uart->rx = byte;
        uart->rx_full = true;
        return;
    }
    if (uart->write_failed) {
        return;
    }
    size_t done = 0;
    while (done < 1) {
        ssize_t n = write(uart->fd, &byte, 1);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            /* The guest must never wait for the host's output: drop from now on. */
            ZF_LOGE("Failed to write serial output to fd %d: %s; further output is dropped", uart->fd,
                    n < 0 ? strerror(errno) : "nothing written");
            uart->write_failed = true;
            return;
        }
    }
}

static uint8_t uart_msr(const struct uart *uart)
{
    if (!(uart->mcr & UART_MCR_LOOP)) {
        return UART_MSR_READY;
    }
    /* In loopback the modem outputs drive the inputs: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
    return (uint8_t)(((uart->mcr & 0x01) << 5) | ((uart->mcr & 0x02) << 3) | ((uart->mcr & 0x0c) << 4));
}

static uint8_t uart_read(struct uart *uart, unsigned reg)
{
    bool dlab = uart->lcr & UART_LCR_DLAB;
    switch (reg) {
    case UART_RBR_THR:
        if (dlab) {
            return uart->dll;
        }
        if (uart->rx_full) {
            uart->rx_full = false;
            return uart->rx;
        }
        return 0;
    case UART_IER:
        return dlab ? uart->dlm : uart->ier;
    case UART_IIR_FCR:
        return UART_IIR_NONE;
    case UART_LCR:
        return uart->lcr;
    case UART_MCR:
        return uart->mcr;
    case UART_LSR:
        return UART_LSR_THRE | UART_LSR_TEMT | (uart->rx_full ? UART_LSR_DR : 0);
    case UART_MSR:
        return uart_msr(uart);
    case UART_SCR:
        return uart->scr;
    default:
        return 0xff;
    }
}

static void uart_write(struct uart *uart, unsigned reg, uint8_t value)
{
    bool dlab = uart->lcr & UART_LCR_DLAB;
    switch (reg) {
    case UART_RBR_THR:
        if (dlab) {
            uart->dll = value;
        } else {
            uart_transmit(uart, value);
        }
        break;
    case UART_IER:
        if (dlab) {
            uart->dlm = value;
        } else {
            /* Only the four interrupt enables exist; the upper bits read as zero. */
            uart->ier = value & 0x0f;
        }
        break;
    case UART_LCR:
        uart->lcr = value;
        break;
    case UART_MCR:
        uart->mcr = value & 0x1f;
        break;
    case UART_SCR:
        uart->scr = value;
        break;
    default:
        /* FCR (no FIFO to control), LSR and MSR (read-only) */
        break;
    }
}

/* A wider access covers consecutive registers, as an 8-bit ISA device sees it; bytes past the last one read as
 * all ones and are dropped on write. */
static ioport_fault_result_t uart_port_in(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                          unsigned int *result)
{
    (void)vcpu;
    struct uart *uart = cookie;
    unsigned value = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned reg = port_no + i - SEL4KVM_SERIAL_PORT;
        value |= (unsigned)(reg < SEL4KVM_SERIAL_PORTS ? uart_read(uart, reg) : 0xff) << (8 * i);
    }
    *result = value;
    return IO_FAULT_HANDLED;
}

static ioport_fault_result_t uart_port_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                           unsigned int value)
{
    (void)vcpu;
    struct uart *uart = cookie;
    for (unsigned i = 0; i < size; i++) {
        unsigned reg = port_no + i - SEL4KVM_SERIAL_PORT;
        if (reg < SEL4KVM_SERIAL_PORTS) {
            uart_write(uart, reg, (uint8_t)(value >> (8 * i)));
        }
    }
    return IO_FAULT_HANDLED;
}

int sel4kvm_serial_add(vm_t *vm, int fd)
{
    if (!vm_usable(vm, "add serial port")) {
        return -1;
    }
    if (fd < 0) {
        ZF_LOGE("Failed to add serial port: fd %d is negative", fd);
        return -1;
    }
    struct vm_devices *devices = devices_of(vm);
    if (devices == NULL) {
        ZF_LOGE("Failed to add serial port: out of memory");
        return -1;
    }
    if (devices->uart.present) {
        ZF_LOGE("Failed to add serial port: VM %s already has one", vm->vm_name);
        return -1;
    }
    struct uart *uart = &devices->uart;
    *uart = (struct uart){ .fd = fd };
    vm_ioport_range_t range = { SEL4KVM_SERIAL_PORT, SEL4KVM_SERIAL_PORT + SEL4KVM_SERIAL_PORTS - 1 };
    vm_ioport_interface_t iface = {
        .cookie = uart, .port_in = uart_port_in, .port_out = uart_port_out, .desc = "16550 serial"
    };
    if (vm_io_port_add_handler(vm, range, iface) != 0) {
        ZF_LOGE("Failed to add serial port: ports 0x%x-0x%x are taken", range.start, range.end);
        return -1;
    }
    uart->present = true;
    return 0;
}

static ioport_fault_result_t debug_exit_out(vm_vcpu_t *vcpu, void *cookie, unsigned int port_no, unsigned int size,
                                            unsigned int value)
{
    (void)port_no;
    struct vm_devices *devices = cookie;
    uint32_t v = size >= 4 ? value : value & ((1u << (8 * size)) - 1);
    devices->exit_status = (int)((v << 1) | 1);
    devices->exited = true;
    vm_request_stop(vcpu->vm);
    return IO_FAULT_HANDLED;
}

int sel4kvm_debug_exit_add(vm_t *vm)
{
    if (!vm_usable(vm, "add debug-exit port")) {
        return -1;
    }
    struct vm_devices *devices = devices_of(vm);
    if (devices == NULL) {
        ZF_LOGE("Failed to add debug-exit port: out of memory");
        return -1;
    }
    if (devices->debug_exit_present) {
        ZF_LOGE("Failed to add debug-exit port: VM %s already has one", vm->vm_name);
        return -1;
    }
    vm_ioport_range_t range = { SEL4KVM_DEBUG_EXIT_PORT, SEL4KVM_DEBUG_EXIT_PORT };
    vm_ioport_interface_t iface = { .cookie = devices, .port_out = debug_exit_out, .desc = "isa-debug-exit" };
    if (vm_io_port_add_handler(vm, range, iface) != 0) {
        ZF_LOGE("Failed to add debug-exit port: port 0x%x is taken", SEL4KVM_DEBUG_EXIT_PORT);
        return -1;
    }
    devices->debug_exit_present = true;
    devices->exited = false;
    return 0;
}

int sel4kvm_debug_exit_status(vm_t *vm, int *status)
{
    if (!vm_usable(vm, "read debug-exit status")) {
        return -1;
    }
    if (status == NULL) {
        ZF_LOGE("Failed to read debug-exit status: status is NULL");
        return -1;
    }
    struct vm_devices *devices = vm_private(vm)->devices;
    if (devices == NULL || !devices->exited) {
        return -1;
    }
    *status = devices->exit_status;
    return 0;
}

void vm_devices_destroy(vm_t *vm)
{
    free(vm_private(vm)->devices);
    vm_private(vm)->devices = NULL;
}
