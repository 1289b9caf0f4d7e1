/* The VMM the cross-VM examples share (crossvm_vmm.h): plain libsel4vm and sel4vmmplatsupport calls. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/vm.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <vka/capops.h>
#include <vka/object.h>
#include <vspace/vspace.h>
#include "crossvm_vmm.h"

static int alloc_irq(void)
{
    return XVM_IRQ;
}

static int on_notification(vm_t *vm, seL4_Word badge, seL4_MessageInfo_t tag, void *cookie)
{
    (void)tag;
    (void)cookie;
    for (seL4_Word bits = badge; bits != 0; bits &= bits - 1) {
        consume_connection_event(vm, bits & -bits, true);
    }
    return 0;
}

int xvm_create(struct xvm *x, sel4kvm_env_t *env, const char *name, const char *image_path, uint32_t param)
{
    memset(x, 0, sizeof(*x));
    x->env = env;
    if (tiny_vmm_create(&x->t, env, name, image_path) != 0 || vmm_pci_init(&x->pci) != 0) {
        return -1;
    }
    x->t.param = param;
    vm_ioport_range_t pci_ports = { 0xcf8, 0xcff };
    vm_ioport_interface_t pci_iface = {
        .cookie = x->pci, .port_in = vmm_pci_io_port_in, .port_out = vmm_pci_io_port_out, .desc = "PCI config"
    };
    if (vm_create_default_irq_controller(&x->t.vm) != 0 ||
        vm_io_port_add_handler(&x->t.vm, pci_ports, pci_iface) != 0 ||
        vm_register_notification_callback(&x->t.vm, on_notification, NULL) != 0) {
        return -1;
    }
    return 0;
}

int xvm_connect(struct xvm *x, crossvm_handle_t *connections, int num_connections)
{
    return cross_vm_connections_init_common(&x->t.vm, XVM_CONNECTION_BASE, connections, num_connections, x->pci,
                                            alloc_irq);
}

seL4_CPtr xvm_event_cap(struct xvm *x, seL4_Word badge)
{
    cspacepath_t src, dest;
    if (vka_cspace_alloc_path(&x->env->vka, &dest) != 0) {
        return seL4_CapNull;
    }
    vka_cspace_make_path(&x->env->vka, x->env->host_endpoint, &src);
    if (vka_cnode_mint(&dest, &src, seL4_AllRights, badge) != seL4_NoError) {
        vka_cspace_free_path(&x->env->vka, dest);
        return seL4_CapNull;
    }
    return dest.capPtr;
}

int xvm_run(struct xvm *x)
{
    return tiny_vmm_run(&x->t);
}

void xvm_destroy(struct xvm *x)
{
    tiny_vmm_destroy(&x->t);
    /* The PCI space's entries point into the VM's connection state, so it goes with the VM. */
    sel4kvm_pci_destroy(x->pci);
    memset(x, 0, sizeof(*x));
}

void *xvm_dataport_alloc(sel4kvm_env_t *env, unsigned n, seL4_CPtr *frames)
{
    for (unsigned i = 0; i < n; i++) {
        vka_object_t f;
        if (vka_alloc_frame(&env->vka, seL4_PageBits, &f) != 0) {
            return NULL;
        }
        frames[i] = f.cptr;
    }
    return vspace_map_pages(&env->vspace, frames, NULL, seL4_AllRights, n, seL4_PageBits, 1);
}

int xvm_reverse_init(struct xvm_reverse *r, sel4kvm_env_t *env, emit_fn emit_src)
{
    memset(r, 0, sizeof(*r));
    r->src = xvm_dataport_alloc(env, 1, &r->src_frame);
    r->dst = xvm_dataport_alloc(env, 1, &r->dst_frame);
    if (r->src == NULL || r->dst == NULL) {
        return -1;
    }
    r->src_dataport = (crossvm_dataport_handle_t){ .size = 4096, .num_frames = 1, .frames = &r->src_frame };
    r->dst_dataport = (crossvm_dataport_handle_t){ .size = 4096, .num_frames = 1, .frames = &r->dst_frame };
    r->connections[0] = (crossvm_handle_t){
        .dataport = &r->src_dataport, .emit_fn = emit_src, .consume_id = (seL4_Word)-1, .connection_name = "src"
    };
    r->connections[1] = (crossvm_handle_t){
        .dataport = &r->dst_dataport, .emit_fn = NULL, .consume_id = XVM_DST_BADGE, .connection_name = "dst"
    };
    return 0;
}
