/* The VMM the cross-VM examples share (crossvm_vmm.h): plain libsel4vm and sel4vmmplatsupport calls. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sel4kvm/devices.h>
#include <sel4kvm/guest_boot.h>
#include <sel4kvm/loader.h>
#include <sel4kvm/vm.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/arch/ioports.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/guest_ram.h>
#include <sel4vmmplatsupport/arch/drivers/vmm_pci_helper.h>
#include <vka/capops.h>
#include <vka/object.h>
#include <vspace/vspace.h>
#include "crossvm_vmm.h"

#define RAM_LOW_SIZE 0x80000 /* the guest library's stack lives here */
#define RAM_HIGH 0x100000    /* the guest image is linked here */
#define RAM_HIGH_SIZE 0x100000

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
    size_t image_size;
    uintptr_t entry;
    if (sel4kvm_image_read(image_path, &x->image, &image_size) != 0) {
        return -1;
    }
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_KVM);
    if (vm_init(&x->vm, &env->vka, &env->simple, env->vspace, &env->io_ops, env->host_endpoint, name) != 0) {
        return -1;
    }
    vm_ioport_range_t pci_ports = { 0xcf8, 0xcff };
    vm_ioport_interface_t pci_iface = {
        .cookie = NULL, .port_in = vmm_pci_io_port_in, .port_out = vmm_pci_io_port_out, .desc = "PCI config"
    };
    if (vm_ram_register_at(&x->vm, 0, RAM_LOW_SIZE, false) != 0 ||
        vm_ram_register_at(&x->vm, RAM_HIGH, RAM_HIGH_SIZE, false) != 0 ||
        sel4kvm_load_elf(&x->vm, x->image, image_size, &entry) != 0 || sel4kvm_serial_add(&x->vm, STDOUT_FILENO) != 0 ||
        sel4kvm_debug_exit_add(&x->vm) != 0 || vmm_pci_init(&x->pci) != 0) {
        return -1;
    }
    pci_iface.cookie = x->pci;
    x->vcpu = vm_create_vcpu(&x->vm, 100);
    if (x->vcpu == NULL || vm_create_default_irq_controller(&x->vm) != 0 ||
        vm_io_port_add_handler(&x->vm, pci_ports, pci_iface) != 0 ||
        vm_register_notification_callback(&x->vm, on_notification, NULL) != 0 ||
        sel4kvm_vcpu_set_protected_mode(x->vcpu, entry) != 0 ||
        vm_set_thread_context_reg(x->vcpu, VCPU_CONTEXT_EAX, param) != 0) {
        return -1;
    }
    return 0;
}

int xvm_connect(struct xvm *x, crossvm_handle_t *connections, int num_connections)
{
    return cross_vm_connections_init_common(&x->vm, XVM_CONNECTION_BASE, connections, num_connections, x->pci,
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
    int status;
    if (vcpu_start(x->vcpu) != 0 || vm_run(&x->vm) != 0 || sel4kvm_debug_exit_status(&x->vm, &status) != 0) {
        fprintf(stderr, "%s: the guest did not run to its debug exit\n", x->vm.vm_name);
        return -1;
    }
    return status >> 1; /* the value the guest wrote; QEMU's isa-debug-exit would exit with (v << 1) | 1 */
}

void xvm_destroy(struct xvm *x)
{
    if (x->vm.vm_initialised) {
        sel4kvm_vm_destroy(&x->vm);
    }
    /* The PCI space's entries point into the VM's connection state, so it goes with the VM. */
    free(x->pci);
    free(x->image);
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
