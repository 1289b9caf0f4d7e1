/* Cross-VM connections: event pages and dataports in the guest, their PCI devices, and the shared interrupt. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <pci/helper.h>
#include <sel4vm/guest_irq_controller.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include <vka/capops.h>
#include <vka/object.h>
#include <vspace/vspace.h>
#include "../vm_internal.h"

#define CROSSVM_MAX_CONNECTIONS 32
#define CROSSVM_VENDOR_ID 0x1af4
#define CROSSVM_DEVICE_ID 0xa111
#define CROSSVM_CLASS_MEMORY 0x05

/* The event page, as the guest sees it. */
#define EVENT_PAGE_BITS 12
#define EVENT_EMIT 0x0
#define EVENT_COUNTER 0x4
#define EVENT_NAME 0x8
#define EVENT_NAME_LEN 48
#define EVENT_DEFAULT_NAME "connector"

struct crossvm_conn {
    struct crossvm_state *state;
    int index;
    uintptr_t event_addr;
    uintptr_t dataport_addr;
    size_t dataport_size;
    emit_fn emit;
    seL4_Word consume_id;
    vka_object_t event_frame;   /* mapped read-only in the guest */
    seL4_CPtr event_vmm_cap;    /* a copy of it, mapped read-write in the VMM */
    volatile uint8_t *event;    /* the VMM's mapping */
    seL4_CPtr *dataport_copies; /* copies of the caller's frames, mapped in the guest */
    size_t num_frames;
    size_t frame_bits;
    vm_memory_reservation_t *event_res;
    vm_memory_reservation_t *dataport_res;
    vmm_pci_device_def_t pci;
};

struct crossvm_state {
    vm_t *vm;
    /* Serialises counter changes with the interrupt level, so the line never drops while a counter is set. */
    pthread_mutex_t lock;
    int irq;
    bool asserted;
    int num;
    struct crossvm_conn conns[];
};

static volatile uint32_t *counter_of(struct crossvm_conn *c)
{
    return (volatile uint32_t *)(c->event + EVENT_COUNTER);
}

/* A copy of a cap in a fresh slot: a frame cap maps once, and the caller keeps its own caps free to map. */
static seL4_CPtr copy_cap(vka_t *vka, seL4_CPtr cap)
{
    cspacepath_t src, dest;
    if (vka_cspace_alloc_path(vka, &dest) != 0) {
        ZF_LOGE("Failed to copy cap 0x%lx: no free slot", (unsigned long)cap);
        return seL4_CapNull;
    }
    vka_cspace_make_path(vka, cap, &src);
    if (vka_cnode_copy(&dest, &src, seL4_AllRights) != seL4_NoError) {
        ZF_LOGE("Failed to copy cap 0x%lx: it is not a valid cap", (unsigned long)cap);
        vka_cspace_free_path(vka, dest);
        return seL4_CapNull;
    }
    return dest.capPtr;
}

static void delete_copy(vka_t *vka, seL4_CPtr cap)
{
    if (cap == seL4_CapNull) {
        return;
    }
    cspacepath_t path;
    vka_cspace_make_path(vka, cap, &path);
    vka_cnode_delete(&path);
    vka_cspace_free_path(vka, path);
}

/* Under the lock: the line follows "an event was injected and the guest has not acknowledged them all". */
static void update_irq_locked(struct crossvm_state *s, bool inject)
{
    bool pending = false;
    for (int i = 0; i < s->num && !pending; i++) {
        pending = __atomic_load_n(counter_of(&s->conns[i]), __ATOMIC_RELAXED) != 0;
    }
    bool level = pending && (s->asserted || inject);
    if (level != s->asserted) {
        if (vm_set_irq_level(s->vm->vcpus[BOOT_VCPU], s->irq, level) != 0) {
            ZF_LOGE("Failed to %s cross-VM interrupt %d of VM %s", level ? "assert" : "deassert", s->irq,
                    s->vm->vm_name);
            return;
        }
        s->asserted = level;
    }
}

static void event_read(struct crossvm_conn *c, vm_vcpu_t *vcpu, size_t offset, size_t size)
{
    /* Normally never reached: the page is mapped readable. A VM that maps on demand may still ask. */
    uint64_t value = 0;
    memcpy(&value, (const void *)(c->event + offset), size);
    set_vcpu_fault_data(vcpu, (seL4_Word)value);
}

static void event_write(struct crossvm_conn *c, vm_vcpu_t *vcpu, size_t offset, size_t size)
{
    struct crossvm_state *s = c->state;
    if (offset < EVENT_COUNTER && (offset == EVENT_EMIT || offset + size <= EVENT_COUNTER)) {
        if (c->emit == NULL) {
            ZF_LOGE("Cross-VM connection %d of VM %s: the guest emitted, but the connection has no emit function",
                    c->index, s->vm->vm_name);
        } else {
            c->emit();
        }
    } else if (offset >= EVENT_COUNTER && offset + size <= EVENT_NAME) {
        /* Fault data sits in its lane of the 32-bit word, so a partial write changes only its own bytes. */
        seL4_Word mask = get_vcpu_fault_data_mask(vcpu);
        seL4_Word data = get_vcpu_fault_data(vcpu);
        pthread_mutex_lock(&s->lock);
        uint32_t old = __atomic_load_n(counter_of(c), __ATOMIC_RELAXED);
        uint32_t new = (uint32_t)((old & ~mask) | (data & mask));
        __atomic_store_n(counter_of(c), new, __ATOMIC_RELEASE);
        update_irq_locked(s, false);
        pthread_mutex_unlock(&s->lock);
    } else if (offset >= EVENT_NAME && offset < EVENT_NAME + EVENT_NAME_LEN) {
        ZF_LOGE("Cross-VM connection %d of VM %s: the guest wrote %zu bytes to the read-only name at +0x%zx", c->index,
                s->vm->vm_name, size, offset);
    } else {
        ZF_LOGE("Cross-VM connection %d of VM %s: the guest wrote %zu bytes at +0x%zx, where there is no register",
                c->index, s->vm->vm_name, size, offset);
    }
}

static memory_fault_result_t event_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t fault_addr, size_t fault_length,
                                         void *cookie)
{
    (void)vm;
    struct crossvm_conn *c = cookie;
    size_t offset = fault_addr - c->event_addr;
    if (offset >= BIT(EVENT_PAGE_BITS) || fault_length > BIT(EVENT_PAGE_BITS) - offset) {
        ZF_LOGE("Cross-VM connection %d: access of %zu bytes at 0x%" PRIxPTR " leaves its event page", c->index,
                fault_length, fault_addr);
        return FAULT_ERROR;
    }
    if (is_vcpu_read_fault(vcpu)) {
        event_read(c, vcpu, offset, fault_length);
    } else {
        event_write(c, vcpu, offset, fault_length);
    }
    /* Every access completes, as on the device the guest driver was written for. */
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static memory_fault_result_t dataport_fault(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t fault_addr, size_t fault_length,
                                            void *cookie)
{
    (void)vcpu;
    struct crossvm_conn *c = cookie;
    ZF_LOGE("Cross-VM connection %d of VM %s: unexpected fault of %zu bytes at 0x%" PRIxPTR " in its dataport",
            c->index, vm->vm_name, fault_length, fault_addr);
    return FAULT_ERROR;
}

static vm_frame_t event_page_iterator(uintptr_t addr, void *cookie)
{
    (void)addr;
    struct crossvm_conn *c = cookie;
    return (vm_frame_t){
        .cptr = c->event_frame.cptr, .rights = seL4_CanRead, .vaddr = c->event_addr, .size_bits = EVENT_PAGE_BITS
    };
}

/* Checks one connection's dataport and fills in its layout; cur is where the connection starts. */
static int conn_layout(struct crossvm_conn *c, const crossvm_handle_t *h, uintptr_t cur)
{
    const crossvm_dataport_handle_t *d = h->dataport;
    if (d == NULL || d->frames == NULL || d->num_frames == 0) {
        ZF_LOGE("Failed to init cross-VM connection %d: its dataport %s", c->index,
                d == NULL ? "is NULL" : (d->frames == NULL ? "has no frame array" : "has no frames"));
        return -1;
    }
    size_t bits = d->frame_size_bits != 0 ? d->frame_size_bits : seL4_PageBits;
    if (bits != seL4_PageBits && bits != seL4_LargePageBits) {
        ZF_LOGE("Failed to init cross-VM connection %d: frame size 2^%zu is not 4 KiB or 2 MiB", c->index, bits);
        return -1;
    }
    if (d->num_frames > (SIZE_MAX >> (bits + 1))) {
        ZF_LOGE("Failed to init cross-VM connection %d: %u frames overflow the address space", c->index, d->num_frames);
        return -1;
    }
    size_t size = (size_t)d->num_frames << bits;
    if ((d->frame_size_bits == 0 || d->size != 0) && d->size != size) {
        ZF_LOGE("Failed to init cross-VM connection %d: size 0x%zx disagrees with %u frames of 2^%zu bytes", c->index,
                d->size, d->num_frames, bits);
        return -1;
    }
    /* Upstream lays out any size, but the BARs report floor(log2(size)) and the dataport BAR then sits
     * misaligned, which a guest's PCI code relocates: refuse it here instead of failing in the guest. */
    if ((size & (size - 1)) != 0) {
        ZF_LOGE("Failed to init cross-VM connection %d: dataport size 0x%zx is not a power of two, so its BARs could "
                "not be naturally aligned",
                c->index, size);
        return -1;
    }
    if (cur % size != 0) {
        ZF_LOGE("Failed to init cross-VM connection %d: its address 0x%" PRIxPTR
                " is not aligned to its dataport size 0x%zx",
                c->index, cur, size);
        return -1;
    }
    if (cur + 2 * size < cur) {
        ZF_LOGE("Failed to init cross-VM connection %d: [0x%" PRIxPTR ", +0x%zx) wraps the address space", c->index,
                cur, 2 * size);
        return -1;
    }
    c->event_addr = cur;
    c->dataport_addr = cur + size;
    c->dataport_size = size;
    c->num_frames = d->num_frames;
    c->frame_bits = bits;
    c->emit = h->emit_fn;
    c->consume_id = h->consume_id;
    return 0;
}

static void conn_release(vm_t *vm, struct crossvm_conn *c)
{
    if (c->dataport_res != NULL) {
        vm_free_reserved_memory(vm, c->dataport_res);
    }
    if (c->event_res != NULL) {
        vm_free_reserved_memory(vm, c->event_res);
    }
    if (c->dataport_copies != NULL) {
        for (size_t i = 0; i < c->num_frames; i++) {
            delete_copy(vm->vka, c->dataport_copies[i]);
        }
        free(c->dataport_copies);
    }
    if (c->event != NULL) {
        vspace_unmap_pages(&vm->mem.vmm_vspace, (void *)c->event, 1, EVENT_PAGE_BITS, NULL);
    }
    delete_copy(vm->vka, c->event_vmm_cap);
    if (c->event_frame.cptr != seL4_CapNull) {
        vka_free_object(vm->vka, &c->event_frame);
    }
    memset(c, 0, sizeof(*c));
}

static int conn_install(vm_t *vm, struct crossvm_conn *c, const crossvm_handle_t *h)
{
    if (vka_alloc_frame(vm->vka, EVENT_PAGE_BITS, &c->event_frame) != 0) {
        ZF_LOGE("Failed to init cross-VM connection %d: cannot allocate its event page", c->index);
        return -1;
    }
    c->event_vmm_cap = copy_cap(vm->vka, c->event_frame.cptr);
    if (c->event_vmm_cap == seL4_CapNull) {
        return -1;
    }
    c->event = vspace_map_pages(&vm->mem.vmm_vspace, &c->event_vmm_cap, NULL, seL4_AllRights, 1, EVENT_PAGE_BITS, 1);
    if (c->event == NULL) {
        ZF_LOGE("Failed to init cross-VM connection %d: cannot map its event page in the VMM", c->index);
        return -1;
    }
    /* A fresh frame is zeroed, so the name stays NUL-padded. */
    const char *name = h->connection_name != NULL ? h->connection_name : EVENT_DEFAULT_NAME;
    size_t len = strnlen(name, EVENT_NAME_LEN + 1);
    if (len > EVENT_NAME_LEN) {
        ZF_LOGW("Cross-VM connection %d: name \"%.*s...\" truncated to %d bytes", c->index, EVENT_NAME_LEN, name,
                EVENT_NAME_LEN);
        len = EVENT_NAME_LEN;
    }
    memcpy((void *)(c->event + EVENT_NAME), name, len);

    c->event_res = vm_reserve_memory_at(vm, c->event_addr, BIT(EVENT_PAGE_BITS), event_fault, c);
    if (c->event_res == NULL || vm_map_reservation(vm, c->event_res, event_page_iterator, c) != 0) {
        ZF_LOGE("Failed to init cross-VM connection %d: cannot place its event page at 0x%" PRIxPTR, c->index,
                c->event_addr);
        return -1;
    }
    c->dataport_copies = calloc(c->num_frames, sizeof(seL4_CPtr));
    if (c->dataport_copies == NULL) {
        ZF_LOGE("Failed to init cross-VM connection %d: out of memory", c->index);
        return -1;
    }
    for (size_t i = 0; i < c->num_frames; i++) {
        c->dataport_copies[i] = copy_cap(vm->vka, h->dataport->frames[i]);
        if (c->dataport_copies[i] == seL4_CapNull) {
            ZF_LOGE("Failed to init cross-VM connection %d: dataport frame %zu is not a cap", c->index, i);
            return -1;
        }
    }
    c->dataport_res = vm_reserve_memory_at(vm, c->dataport_addr, c->dataport_size, dataport_fault, c);
    if (c->dataport_res == NULL ||
        vm_map_reservation_frames(vm, c->dataport_res, c->dataport_copies, c->num_frames, c->frame_bits) != 0) {
        ZF_LOGE("Failed to init cross-VM connection %d: cannot place its dataport at 0x%" PRIxPTR, c->index,
                c->dataport_addr);
        return -1;
    }
    return 0;
}

/* log2 of the dataport size: both BARs report it, so Linux sees equal sizes and leaves the fixed addresses
 * alone. */
static size_t bar_bits(size_t size)
{
    return (size_t)__builtin_ctzl(size);
}

static void conn_pci_def(struct crossvm_conn *c, int irq)
{
    vmm_pci_device_def_t *d = &c->pci;
    memset(d, 0, sizeof(*d));
    d->vendor_id = CROSSVM_VENDOR_ID;
    d->device_id = CROSSVM_DEVICE_ID;
    d->command = PCI_COMMAND_MEMORY;
    d->revision_id = 1;
    d->class_code = CROSSVM_CLASS_MEMORY;
    d->header_type = PCI_HEADER_TYPE_NORMAL;
    d->interrupt_pin = 1;
    d->interrupt_line = (uint8_t)irq;
}

static int free_pci_slots(vmm_pci_space_t *pci)
{
    int n = 0;
    for (uint8_t dev = 0; dev < 32; dev++) {
        if (find_device(pci, (vmm_pci_address_t){ .bus = 0, .dev = dev, .fun = 0 }) == NULL) {
            n++;
        }
    }
    return n;
}

static int conn_add_pci(vmm_pci_space_t *pci, struct crossvm_conn *c)
{
    size_t bits = bar_bits(c->dataport_size);
    vmm_pci_bar_t bars[2] = {
        { .mem_type = PREFETCH_MEM, .address = c->event_addr, .size_bits = bits },
        { .mem_type = PREFETCH_MEM, .address = c->dataport_addr, .size_bits = bits },
    };
    vmm_pci_entry_t entry = { .cookie = &c->pci,
                              .ioread = vmm_pci_mem_device_read,
                              .iowrite = vmm_pci_mem_device_write };
    entry = vmm_pci_create_bar_emulation(entry, 2, bars);
    entry = vmm_pci_create_irq_emulation(entry, c->pci.interrupt_line);
    return vmm_pci_add_entry(pci, entry, NULL);
}

static bool init_args_ok(vm_t *vm, crossvm_handle_t *connections, int num_connections, vmm_pci_space_t *pci,
                         alloc_free_interrupt_fn alloc_irq)
{
    if (vm == NULL || !vm->vm_initialised || vm_private(vm) == NULL) {
        ZF_LOGE("Failed to init cross-VM connections: VM is NULL or not initialised");
        return false;
    }
    if (connections == NULL || pci == NULL || alloc_irq == NULL) {
        ZF_LOGE("Failed to init cross-VM connections: %s is NULL",
                connections == NULL ? "connections" : (pci == NULL ? "pci" : "alloc_irq"));
        return false;
    }
    if (num_connections < 1 || num_connections > CROSSVM_MAX_CONNECTIONS) {
        ZF_LOGE("Failed to init cross-VM connections: %d connections, not 1 to %d", num_connections,
                CROSSVM_MAX_CONNECTIONS);
        return false;
    }
    if (vm_private(vm)->crossvm != NULL) {
        ZF_LOGE("Failed to init cross-VM connections: VM %s already has them", vm->vm_name);
        return false;
    }
    if (vm->num_vcpus == 0 || !vm_private(vm)->irq_controller) {
        ZF_LOGE("Failed to init cross-VM connections: VM %s needs %s first", vm->vm_name,
                vm->num_vcpus == 0 ? "its boot vCPU" : "an interrupt controller (vm_create_default_irq_controller)");
        return false;
    }
    if (free_pci_slots(pci) < num_connections) {
        ZF_LOGE("Failed to init cross-VM connections: PCI bus 0 has %d free slots for %d devices", free_pci_slots(pci),
                num_connections);
        return false;
    }
    return true;
}

int cross_vm_connections_init_common(vm_t *vm, uintptr_t connection_base_addr, crossvm_handle_t *connections,
                                     int num_connections, vmm_pci_space_t *pci, alloc_free_interrupt_fn alloc_irq)
{
    if (!init_args_ok(vm, connections, num_connections, pci, alloc_irq)) {
        return -1;
    }
    struct crossvm_state *s = calloc(1, sizeof(*s) + (size_t)num_connections * sizeof(s->conns[0]));
    if (s == NULL) {
        ZF_LOGE("Failed to init cross-VM connections: out of memory");
        return -1;
    }
    s->vm = vm;
    pthread_mutex_init(&s->lock, NULL);
    uintptr_t cur = connection_base_addr;
    for (int i = 0; i < num_connections; i++) {
        struct crossvm_conn *c = &s->conns[i];
        c->state = s;
        c->index = i;
        if (conn_layout(c, &connections[i], cur) != 0) {
            goto fail;
        }
        cur = c->dataport_addr + c->dataport_size;
    }
    for (; s->num < num_connections; s->num++) {
        if (conn_install(vm, &s->conns[s->num], &connections[s->num]) != 0) {
            s->num++;
            goto fail;
        }
    }
    s->irq = alloc_irq();
    if (s->irq < 0 || s->irq >= VM_NUM_IRQS) {
        ZF_LOGE("Failed to init cross-VM connections: alloc_irq gave line %d, not 0 to %d", s->irq, VM_NUM_IRQS - 1);
        goto fail;
    }
    /* Last, because a PCI bus cannot give a slot back: the free slots were counted, so these succeed. */
    for (int i = 0; i < s->num; i++) {
        conn_pci_def(&s->conns[i], s->irq);
        if (conn_add_pci(pci, &s->conns[i]) != 0) {
            ZF_LOGE("Failed to init cross-VM connections: connection %d has no PCI device", i);
        }
    }
    vm_private(vm)->crossvm = s;
    return 0;

fail:
    for (int i = 0; i < s->num; i++) {
        conn_release(vm, &s->conns[i]);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
    return -1;
}

void consume_connection_event(vm_t *vm, seL4_Word event_id, bool inject_irq)
{
    struct crossvm_state *s = vm != NULL && vm_private(vm) != NULL ? vm_private(vm)->crossvm : NULL;
    if (s == NULL) {
        ZF_LOGE("Failed to consume cross-VM event 0x%lx: %s", (unsigned long)event_id,
                vm == NULL ? "VM is NULL" : "the VM has no cross-VM connections");
        return;
    }
    struct crossvm_conn *c = NULL;
    for (int i = 0; i < s->num && c == NULL && event_id != (seL4_Word)-1; i++) {
        if (s->conns[i].consume_id == event_id) {
            c = &s->conns[i];
        }
    }
    if (c == NULL) {
        ZF_LOGE("Failed to consume cross-VM event 0x%lx: no connection of VM %s has that id", (unsigned long)event_id,
                vm->vm_name);
        return;
    }
    pthread_mutex_lock(&s->lock);
    __atomic_fetch_add(counter_of(c), 1, __ATOMIC_RELEASE);
    update_irq_locked(s, inject_irq);
    pthread_mutex_unlock(&s->lock);
}

void vm_crossvm_destroy(vm_t *vm)
{
    struct vm_private *priv = vm_private(vm);
    if (priv == NULL || priv->crossvm == NULL) {
        return;
    }
    struct crossvm_state *s = priv->crossvm;
    for (int i = 0; i < s->num; i++) {
        conn_release(vm, &s->conns[i]);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
    priv->crossvm = NULL;
}
