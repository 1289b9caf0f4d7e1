/* sel4vm-run --crossvm: cross-VM connections on a PCI bus, exported to a peer process over a UNIX socket. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib.h>
#include <sel4kvm/crossvm.h>
#include <sel4kvm/sim.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <vka/capops.h>
#include "../common/crossvm_vmm.h"
#include "runner.h"

struct runner_crossvm {
    vmm_pci_space_t *pci;
    int listen_fd;
    int sock;
    char path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
    bool bound;
    seL4_Word consume_mask;
    seL4_CPtr *frames[CROSSVM_MAX];
    crossvm_dataport_handle_t dataports[CROSSVM_MAX];
    crossvm_handle_t handles[CROSSVM_MAX];
};

/* emit_fn takes no argument, so each connection has its own function and descriptor. */
static int emit_fds[CROSSVM_MAX] = { -1, -1, -1, -1, -1, -1, -1, -1 };
#define EMIT(i)                                                                                                        \
    static void emit_##i(void)                                                                                         \
    {                                                                                                                  \
        sel4kvm_eventfd_signal(emit_fds[i]);                                                                           \
    }
EMIT(0)
EMIT(1)
EMIT(2)
EMIT(3)
EMIT(4)
EMIT(5)
EMIT(6)
EMIT(7)
static const emit_fn emits[CROSSVM_MAX] = { emit_0, emit_1, emit_2, emit_3, emit_4, emit_5, emit_6, emit_7 };

static int alloc_irq(void)
{
    return CROSSVM_IRQ;
}

/* The peer's signals arrive as badges on the host endpoint: bit i for connection i. */
static int on_notification(vm_t *vm, seL4_Word badge, seL4_MessageInfo_t tag, void *cookie)
{
    (void)tag;
    struct runner_crossvm *c = cookie;
    for (seL4_Word bits = badge & c->consume_mask; bits != 0; bits &= bits - 1) {
        consume_connection_event(vm, bits & -bits, true);
    }
    return 0;
}

static seL4_CPtr badged_endpoint(sel4kvm_env_t *env, seL4_Word badge)
{
    cspacepath_t src, dest;
    if (vka_cspace_alloc_path(&env->vka, &dest) != 0) {
        return seL4_CapNull;
    }
    vka_cspace_make_path(&env->vka, env->host_endpoint, &src);
    if (vka_cnode_mint(&dest, &src, seL4_AllRights, badge) != seL4_NoError) {
        vka_cspace_free_path(&env->vka, dest);
        return seL4_CapNull;
    }
    return dest.capPtr;
}

static int check_layout(const struct runner_options *o)
{
    uintptr_t addr = CROSSVM_BASE;
    for (unsigned i = 0; i < o->num_crossvm; i++) {
        const struct crossvm_spec *s = &o->crossvm[i];
        if (addr % s->size != 0 || addr + 2 * s->size > CROSSVM_BASE + CROSSVM_WINDOW) {
            report("--crossvm %s: its dataport at 0x%lx is not aligned to its size or leaves the 256 MiB window; "
                   "give larger connections first",
                   s->name, (unsigned long)(addr + s->size));
            return -1;
        }
        addr += 2 * s->size;
    }
    return 0;
}

static int listen_on(struct runner_crossvm *c, const struct runner_options *o)
{
    if (o->crossvm_socket != NULL) {
        if (strlen(o->crossvm_socket) >= sizeof(c->path) || o->crossvm_socket[0] == '\0') {
            report("--crossvm-socket %s: a socket path has 1 to %zu bytes", o->crossvm_socket, sizeof(c->path) - 1);
            return -1;
        }
        g_strlcpy(c->path, o->crossvm_socket, sizeof(c->path));
    } else {
        snprintf(c->path, sizeof(c->path), "%s/sel4vm-run-%d.sock", g_get_tmp_dir(), (int)getpid());
    }
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    memcpy(addr.sun_path, c->path, strlen(c->path));
    c->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (c->listen_fd < 0 || bind(c->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        report("--crossvm-socket %s: cannot bind a UNIX socket there: %s", c->path, strerror(errno));
        return -1;
    }
    c->bound = true;
    if (listen(c->listen_fd, 1) != 0) {
        report("--crossvm-socket %s: cannot listen: %s", c->path, strerror(errno));
        return -1;
    }
    if (o->crossvm_socket == NULL) {
        fprintf(stderr, "sel4vm-run: cross-VM peer socket: %s\n", c->path);
    }
    return 0;
}

/* Waits for the peer within the run's timeout; 0, or the exit status. */
static int accept_peer(struct runner_crossvm *c, const struct runner_options *o)
{
    struct pollfd p = { .fd = c->listen_fd, .events = POLLIN };
    int timeout_ms = o->timeout > 0 ? (int)(o->timeout * 1000) : -1;
    int n;
    do {
        n = poll(&p, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    if (n == 0) {
        report("no cross-VM peer connected to %s within the timeout", c->path);
        return EXIT_TIMEOUT;
    }
    c->sock = n > 0 ? accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC) : -1;
    if (c->sock < 0) {
        report("cannot accept the cross-VM peer on %s: %s", c->path, strerror(errno));
        return EXIT_GUEST_FAILED;
    }
    return 0;
}

int crossvm_setup(const struct runner_options *o, sel4kvm_env_t *env, vm_t *vm, struct runner_crossvm **out)
{
    if (check_layout(o) != 0) {
        return EXIT_BAD_INPUT;
    }
    struct runner_crossvm *c = calloc(1, sizeof(*c));
    *out = c;
    if (c == NULL) {
        report("out of memory");
        return EXIT_GUEST_FAILED;
    }
    c->listen_fd = c->sock = -1;
    if (listen_on(c, o) != 0) {
        return EXIT_BAD_INPUT;
    }
    vm_ioport_range_t pci_ports = { 0xcf8, 0xcff };
    vm_ioport_interface_t pci_iface = { .port_in = vmm_pci_io_port_in, .port_out = vmm_pci_io_port_out, .desc = "PCI" };
    if (vmm_pci_init(&c->pci) != 0 || (pci_iface.cookie = c->pci, vm_io_port_add_handler(vm, pci_ports, pci_iface)) ||
        vm_register_notification_callback(vm, on_notification, c) != 0) {
        report("cannot set up the PCI bus for cross-VM connections");
        return EXIT_GUEST_FAILED;
    }
    for (unsigned i = 0; i < o->num_crossvm; i++) {
        const struct crossvm_spec *s = &o->crossvm[i];
        unsigned frames = (unsigned)(s->size / 4096);
        c->frames[i] = calloc(frames, sizeof(seL4_CPtr));
        if (c->frames[i] == NULL || xvm_dataport_alloc(env, frames, c->frames[i]) == NULL) {
            report("--crossvm %s: cannot allocate its dataport", s->name);
            return EXIT_GUEST_FAILED;
        }
        c->dataports[i] = (crossvm_dataport_handle_t){ .size = s->size, .num_frames = frames, .frames = c->frames[i] };
        c->handles[i] = (crossvm_handle_t){ .dataport = &c->dataports[i],
                                            .emit_fn = s->emit ? emits[i] : NULL,
                                            .consume_id = s->consume ? BIT(i) : (seL4_Word)-1,
                                            .connection_name = s->name };
        if (s->consume) {
            c->consume_mask |= BIT(i);
        }
    }
    int status = accept_peer(c, o);
    if (status != 0) {
        return status;
    }
    for (unsigned i = 0; i < o->num_crossvm; i++) {
        seL4_CPtr to_vmm = badged_endpoint(env, BIT(i));
        if (to_vmm == seL4_CapNull ||
            sel4kvm_crossvm_export(c->sock, o->crossvm[i].name, &c->dataports[i], to_vmm, &emit_fds[i]) != 0) {
            report("--crossvm %s: cannot export it to the peer", o->crossvm[i].name);
            return EXIT_GUEST_FAILED;
        }
    }
    if (cross_vm_connections_init_common(vm, CROSSVM_BASE, c->handles, (int)o->num_crossvm, c->pci, alloc_irq) != 0) {
        report("cannot install the cross-VM connections");
        return EXIT_GUEST_FAILED;
    }
    return 0;
}

void crossvm_teardown(struct runner_crossvm *c)
{
    for (unsigned i = 0; i < CROSSVM_MAX; i++) {
        if (emit_fds[i] >= 0) {
            close(emit_fds[i]);
            emit_fds[i] = -1;
        }
    }
    if (c == NULL) {
        return;
    }
    if (c->sock >= 0) {
        close(c->sock);
    }
    if (c->listen_fd >= 0) {
        close(c->listen_fd);
    }
    if (c->bound) {
        unlink(c->path);
    }
    for (unsigned i = 0; i < CROSSVM_MAX; i++) {
        free(c->frames[i]);
    }
    sel4kvm_pci_destroy(c->pci);
    free(c);
}
