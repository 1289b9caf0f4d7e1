/* seL4_libs' simple_t: read-only access to what the kernel gave the root task (boot caps, untypeds, cores). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <autoconf.h>
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sel4/sel4.h>
#include <utils/util.h>
#include <vka/cspacepath_t.h>

/***
 * @module simple.h
 * A `simple_t` answers questions about the environment a component starts in: its CNode and its size, the
 * initial caps, the untyped memory caps with their physical addresses, the number of cores. Code reads it
 * through the wrappers below, which fail with a message when the simple or the operation is missing
 * (upstream calls through NULL in simple_get_cap_count and the x86 MSI/IOAPIC wrappers). Upstream keeps the
 * x86 part in simple/arch/simple.h; here it is in this header. `sel4kvm_simple_init` (sel4kvm/allocator.h)
 * fills one in over the simulated kernel's boot information.
 */

/* x86 part (upstream: simple/arch/simple.h). */

typedef seL4_CPtr (*arch_simple_get_IOPort_cap_fn)(void *data, uint16_t start_port, uint16_t end_port);
typedef seL4_Error (*arch_simple_get_msi_fn)(void *data, seL4_CNode root, seL4_Word index, uint8_t depth,
                                             seL4_Word pci_bus, seL4_Word pci_dev, seL4_Word pci_func, seL4_Word handle,
                                             seL4_Word vector);
typedef seL4_Error (*arch_simple_get_ioapic_fn)(void *data, seL4_CNode root, seL4_Word index, uint8_t depth,
                                                seL4_Word ioapic, seL4_Word pin, seL4_Word level, seL4_Word polarity,
                                                seL4_Word vector);
typedef seL4_Error (*arch_simple_get_IRQ_handler_fn)(void *data, int irq, seL4_CNode cnode, seL4_Word index,
                                                     uint8_t depth);

/***
 * @struct arch_simple_t
 * The x86 operations of a simple.
 * @param {void *} data Cookie for these operations
 * @param {arch_simple_get_IOPort_cap_fn} IOPort_cap Cap to a range of I/O ports
 * @param {arch_simple_get_msi_fn} msi Place an MSI IRQ handler cap
 * @param {arch_simple_get_IRQ_handler_fn} irq Place an IRQ handler cap
 * @param {arch_simple_get_ioapic_fn} ioapic Place an IOAPIC IRQ handler cap
 */
typedef struct arch_simple {
    void *data;
    arch_simple_get_IOPort_cap_fn IOPort_cap;
    arch_simple_get_msi_fn msi;
    arch_simple_get_IRQ_handler_fn irq;
    arch_simple_get_ioapic_fn ioapic;
} arch_simple_t;

/***
 * @function arch_simple_get_IOPort_cap(arch_simple, start_port, end_port)
 * A cap to the I/O ports start_port..end_port.
 * @param {arch_simple_t *} arch_simple The x86 operations
 * @param {uint16_t} start_port First port
 * @param {uint16_t} end_port Last port
 * @return the cap, or seL4_CapNull
 */
static inline seL4_CPtr arch_simple_get_IOPort_cap(arch_simple_t *arch_simple, uint16_t start_port, uint16_t end_port)
{
    if (arch_simple == NULL) {
        ZF_LOGE("Arch-simple is NULL");
        return seL4_CapNull;
    }
    if (arch_simple->IOPort_cap == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_CapNull;
    }
    return arch_simple->IOPort_cap(arch_simple->data, start_port, end_port);
}

/***
 * @function arch_simple_get_msi(arch_simple, path, pci_bus, pci_dev, pci_func, handle, vector)
 * Place a handler cap for an MSI at path.
 * @param {arch_simple_t *} arch_simple The x86 operations
 * @param {cspacepath_t} path Empty slot
 * @param {seL4_Word} pci_bus PCI bus of the device
 * @param {seL4_Word} pci_dev PCI device number
 * @param {seL4_Word} pci_func PCI function
 * @param {seL4_Word} handle MSI handle
 * @param {seL4_Word} vector CPU vector
 * @return seL4_NoError, or an error (seL4_InvalidArgument when missing)
 */
static inline seL4_Error arch_simple_get_msi(arch_simple_t *arch_simple, cspacepath_t path, seL4_Word pci_bus,
                                             seL4_Word pci_dev, seL4_Word pci_func, seL4_Word handle, seL4_Word vector)
{
    if (arch_simple == NULL) {
        ZF_LOGE("Arch-simple is NULL");
        return seL4_InvalidArgument;
    }
    if (arch_simple->msi == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_InvalidArgument;
    }
    return arch_simple->msi(arch_simple->data, path.root, path.capPtr, path.capDepth, pci_bus, pci_dev, pci_func,
                            handle, vector);
}

/***
 * @function arch_simple_get_ioapic(arch_simple, path, ioapic, pin, level, polarity, vector)
 * Place a handler cap for an IOAPIC pin at path.
 * @param {arch_simple_t *} arch_simple The x86 operations
 * @param {cspacepath_t} path Empty slot
 * @param {seL4_Word} ioapic IOAPIC number
 * @param {seL4_Word} pin Pin on it
 * @param {seL4_Word} level Level-triggered if non-zero
 * @param {seL4_Word} polarity Active-low if non-zero
 * @param {seL4_Word} vector CPU vector
 * @return seL4_NoError, or an error (seL4_InvalidArgument when missing)
 */
static inline seL4_Error arch_simple_get_ioapic(arch_simple_t *arch_simple, cspacepath_t path, seL4_Word ioapic,
                                                seL4_Word pin, seL4_Word level, seL4_Word polarity, seL4_Word vector)
{
    if (arch_simple == NULL) {
        ZF_LOGE("Arch-simple is NULL");
        return seL4_InvalidArgument;
    }
    if (arch_simple->ioapic == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_InvalidArgument;
    }
    return arch_simple->ioapic(arch_simple->data, path.root, path.capPtr, path.capDepth, ioapic, pin, level, polarity,
                               vector);
}

/* Generic part. Each operation receives the simple's data cookie first. */

/* Place a cap to the frame at paddr (2^size_bits bytes) at path. */
typedef seL4_Error (*simple_get_frame_cap_fn)(void *data, void *paddr, int size_bits, cspacepath_t *path);
/* The virtual address the implementation knows paddr to be mapped at, or NULL. */
typedef void *(*simple_get_frame_mapping_fn)(void *data, void *paddr, int size_bits);
/* Mapping, cap (frame or untyped) and offset in that untyped of the frame at paddr. */
typedef void *(*simple_get_frame_info_fn)(void *data, void *paddr, int size_bits, seL4_CPtr *cap, seL4_Word *ut_offset);
/* Assign a vspace root to the ASID pool. */
typedef seL4_Error (*simple_ASIDPool_assign_fn)(void *data, seL4_CPtr vspace);
/* Number of caps the simple can name, and the nth of them. */
typedef int (*simple_get_cap_count_fn)(void *data);
typedef seL4_CPtr (*simple_get_nth_cap_fn)(void *data, int n);
/* Where an initial cap (numbered as in bootinfo.h) is. */
typedef seL4_CPtr (*simple_get_init_cap_fn)(void *data, seL4_CPtr cap);
/* log2 of the slot count of the thread's CNode. */
typedef uint8_t (*simple_get_cnode_size_fn)(void *data);
/* Number of untyped caps, and the nth with its size, physical address and device flag. */
typedef int (*simple_get_untyped_count_fn)(void *data);
typedef seL4_CPtr (*simple_get_nth_untyped_fn)(void *data, int n, size_t *size_bits, uintptr_t *paddr, bool *device);
/* Number of user image frame caps, and the nth. */
typedef int (*simple_get_userimage_count_fn)(void *data);
typedef seL4_CPtr (*simple_get_nth_userimage_fn)(void *data, int n);
/* Number of cores. */
typedef int (*simple_get_core_count_fn)(void *data);
/* Scheduling control cap of a core (seL4_CapNull without MCS). */
typedef seL4_CPtr (*simple_get_sched_ctrl_fn)(void *data, int core);
/* Print what the simple knows. */
typedef void (*simple_print_fn)(void *data);
/* Length of, and copy of, one kind of extended boot information (header included), or -1. */
typedef ssize_t (*simple_get_extended_bootinfo_len_fn)(void *data, seL4_Word type);
typedef ssize_t (*simple_get_extended_bootinfo_fn)(void *data, seL4_Word type, void *dest, ssize_t max_len);

/***
 * @struct simple_t
 * An environment description: a cookie and the operations that read it. Members may be NULL.
 * @param {void *} data Cookie passed to every operation
 * @param {simple_get_frame_cap_fn} frame_cap Cap to the frame at a physical address
 * @param {simple_get_frame_mapping_fn} frame_mapping Known mapping of a physical address
 * @param {simple_get_frame_info_fn} frame_info Mapping, cap and untyped offset of a physical address
 * @param {simple_ASIDPool_assign_fn} ASID_assign Assign a vspace root to the ASID pool
 * @param {simple_get_cap_count_fn} cap_count Number of caps
 * @param {simple_get_nth_cap_fn} nth_cap The nth cap
 * @param {simple_get_init_cap_fn} init_cap Slot of an initial cap
 * @param {simple_get_cnode_size_fn} cnode_size log2 of the CNode's slot count
 * @param {simple_get_untyped_count_fn} untyped_count Number of untyped caps
 * @param {simple_get_nth_untyped_fn} nth_untyped The nth untyped cap and its description
 * @param {simple_get_userimage_count_fn} userimage_count Number of user image frames
 * @param {simple_get_nth_userimage_fn} nth_userimage The nth user image frame cap
 * @param {simple_get_core_count_fn} core_count Number of cores
 * @param {simple_print_fn} print Print the environment
 * @param {simple_get_sched_ctrl_fn} sched_ctrl Scheduling control cap of a core
 * @param {simple_get_extended_bootinfo_len_fn} extended_bootinfo_len Length of extended boot information
 * @param {simple_get_extended_bootinfo_fn} extended_bootinfo Copy extended boot information
 * @param {arch_simple_t} arch_simple The x86 operations
 */
typedef struct simple_t {
    void *data;
    simple_get_frame_cap_fn frame_cap;
    simple_get_frame_mapping_fn frame_mapping;
    simple_get_frame_info_fn frame_info;
    simple_ASIDPool_assign_fn ASID_assign;
    simple_get_cap_count_fn cap_count;
    simple_get_nth_cap_fn nth_cap;
    simple_get_init_cap_fn init_cap;
    simple_get_cnode_size_fn cnode_size;
    simple_get_untyped_count_fn untyped_count;
    simple_get_nth_untyped_fn nth_untyped;
    simple_get_userimage_count_fn userimage_count;
    simple_get_nth_userimage_fn nth_userimage;
    simple_get_core_count_fn core_count;
    simple_print_fn print;
    simple_get_sched_ctrl_fn sched_ctrl;
    simple_get_extended_bootinfo_len_fn extended_bootinfo_len;
    simple_get_extended_bootinfo_fn extended_bootinfo;
    arch_simple_t arch_simple;
} simple_t;

/***
 * @function simple_get_frame_info(simple, paddr, size_bits, frame_cap, ut_offset)
 * Mapping, cap and untyped offset of the frame at a physical address.
 * @param {simple_t *} simple The simple
 * @param {void *} paddr Page-aligned physical address
 * @param {int} size_bits log2 of the frame size
 * @param {seL4_CPtr *} frame_cap Receives the frame (or untyped) cap
 * @param {seL4_Word *} ut_offset Receives the offset in that untyped
 * @return the mapped address, or NULL
 */
static inline void *simple_get_frame_info(simple_t *simple, void *paddr, int size_bits, seL4_CPtr *frame_cap,
                                          seL4_Word *ut_offset)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return NULL;
    }
    if (simple->frame_info == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return NULL;
    }
    return simple->frame_info(simple->data, paddr, size_bits, frame_cap, ut_offset);
}

/***
 * @function simple_get_frame_cap(simple, paddr, size_bits, path)
 * Place a cap to the frame at a physical address at path.
 * @param {simple_t *} simple The simple
 * @param {void *} paddr Page-aligned physical address
 * @param {int} size_bits log2 of the frame size
 * @param {cspacepath_t *} path Empty slot
 * @return seL4_NoError, or an error (seL4_InvalidArgument when missing)
 */
static inline seL4_Error simple_get_frame_cap(simple_t *simple, void *paddr, int size_bits, cspacepath_t *path)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return seL4_InvalidArgument;
    }
    if (simple->frame_cap == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_InvalidArgument;
    }
    return simple->frame_cap(simple->data, paddr, size_bits, path);
}

/***
 * @function simple_get_frame_vaddr(simple, paddr, size_bits)
 * The virtual address a physical frame is known to be mapped at.
 * @param {simple_t *} simple The simple
 * @param {void *} paddr Page-aligned physical address
 * @param {int} size_bits log2 of the frame size
 * @return the address, or NULL
 */
static inline void *simple_get_frame_vaddr(simple_t *simple, void *paddr, int size_bits)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return NULL;
    }
    if (simple->frame_mapping == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return NULL;
    }
    return simple->frame_mapping(simple->data, paddr, size_bits);
}

/***
 * @function simple_get_IRQ_handler(simple, irq, path)
 * Place an IRQ handler cap for irq at path.
 * @param {simple_t *} simple The simple
 * @param {int} irq IRQ number
 * @param {cspacepath_t} path Empty slot
 * @return seL4_NoError, or an error (seL4_InvalidArgument when missing)
 */
static inline seL4_Error simple_get_IRQ_handler(simple_t *simple, int irq, cspacepath_t path)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return seL4_InvalidArgument;
    }
    if (simple->arch_simple.irq == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_InvalidArgument;
    }
    return simple->arch_simple.irq(simple->data, irq, path.root, path.capPtr, path.capDepth);
}

/***
 * @function simple_get_IRQ_control(simple, irq, path)
 * Deprecated name of simple_get_IRQ_handler.
 * @param {simple_t *} simple The simple
 * @param {int} irq IRQ number
 * @param {cspacepath_t} path Empty slot
 * @return seL4_NoError, or an error
 */
static inline seL4_Error __attribute__((deprecated("Use simple_get_IRQ_handler")))
simple_get_IRQ_control(simple_t *simple, int irq, cspacepath_t path)
{
    return simple_get_IRQ_handler(simple, irq, path);
}

/***
 * @function simple_ASIDPool_assign(simple, vspace)
 * Assign a vspace root to the ASID pool.
 * @param {simple_t *} simple The simple
 * @param {seL4_CPtr} vspace Vspace root cap
 * @return seL4_NoError, or an error (seL4_InvalidArgument when missing)
 */
static inline seL4_Error simple_ASIDPool_assign(simple_t *simple, seL4_CPtr vspace)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return seL4_InvalidArgument;
    }
    if (simple->ASID_assign == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_InvalidArgument;
    }
    return simple->ASID_assign(simple->data, vspace);
}

/***
 * @function simple_get_IOPort_cap(simple, start_port, end_port)
 * A cap to the I/O ports start_port..end_port.
 * @param {simple_t *} simple The simple
 * @param {uint16_t} start_port First port
 * @param {uint16_t} end_port Last port
 * @return the cap, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_IOPort_cap(simple_t *simple, uint16_t start_port, uint16_t end_port)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return seL4_CapNull;
    }
    return arch_simple_get_IOPort_cap(&simple->arch_simple, start_port, end_port);
}

/***
 * @function simple_get_cap_count(simple)
 * Number of caps the simple can name.
 * @param {simple_t *} simple The simple
 * @return the count, or -1
 */
static inline int simple_get_cap_count(simple_t *simple)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return -1;
    }
    if (simple->cap_count == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return -1;
    }
    return simple->cap_count(simple->data);
}

/***
 * @function simple_get_nth_cap(simple, n)
 * The nth cap the simple can name.
 * @param {simple_t *} simple The simple
 * @param {int} n Index from 0
 * @return the cap, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_nth_cap(simple_t *simple, int n)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return seL4_CapNull;
    }
    if (simple->nth_cap == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_CapNull;
    }
    return simple->nth_cap(simple->data, n);
}

/***
 * @function simple_get_cnode_size_bits(simple)
 * log2 of the slot count of the thread's CNode.
 * @param {simple_t *} simple The simple
 * @return the size in bits, or -1
 */
static inline int simple_get_cnode_size_bits(simple_t *simple)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return -1;
    }
    if (simple->cnode_size == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return -1;
    }
    return simple->cnode_size(simple->data);
}

/***
 * @function simple_init_cap(simple, cap)
 * Slot of an initial cap.
 * @param {simple_t *} simple The simple
 * @param {seL4_CPtr} cap Initial cap number (seL4_CapInitThreadCNode, ...)
 * @return the slot, or seL4_CapNull
 */
static inline seL4_CPtr simple_init_cap(simple_t *simple, seL4_CPtr cap)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return seL4_CapNull;
    }
    if (simple->init_cap == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_CapNull;
    }
    return simple->init_cap(simple->data, cap);
}

/***
 * @function simple_get_cnode(simple)
 * @param {simple_t *} simple The simple
 * @return the thread's root CNode cap, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_cnode(simple_t *simple)
{
    return simple_init_cap(simple, seL4_CapInitThreadCNode);
}

/***
 * @function simple_get_tcb(simple)
 * @param {simple_t *} simple The simple
 * @return the thread's TCB cap, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_tcb(simple_t *simple)
{
    return simple_init_cap(simple, seL4_CapInitThreadTCB);
}

/***
 * @function simple_get_sc(simple)
 * @param {simple_t *} simple The simple
 * @return seL4_CapNull: scheduling contexts exist only on MCS kernels
 */
static inline seL4_CPtr simple_get_sc(UNUSED simple_t *simple)
{
    return seL4_CapNull;
}

/***
 * @function simple_get_pd(simple)
 * @param {simple_t *} simple The simple
 * @return the thread's vspace root (PML4) cap, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_pd(simple_t *simple)
{
    return simple_init_cap(simple, seL4_CapInitThreadPD);
}

/***
 * @function simple_get_irq_ctrl(simple)
 * @param {simple_t *} simple The simple
 * @return the IRQ control cap, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_irq_ctrl(simple_t *simple)
{
    return simple_init_cap(simple, seL4_CapIRQControl);
}

/***
 * @function simple_get_init_cap(simple, cap)
 * Same as simple_init_cap.
 * @param {simple_t *} simple The simple
 * @param {seL4_CPtr} cap Initial cap number
 * @return the slot, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_init_cap(simple_t *simple, seL4_CPtr cap)
{
    return simple_init_cap(simple, cap);
}

/***
 * @function simple_get_untyped_count(simple)
 * @param {simple_t *} simple The simple
 * @return the number of untyped caps, or -1
 */
static inline int simple_get_untyped_count(simple_t *simple)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return -1;
    }
    if (simple->untyped_count == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return -1;
    }
    return simple->untyped_count(simple->data);
}

/***
 * @function simple_get_nth_untyped(simple, n, size_bits, paddr, device)
 * The nth untyped cap and what it covers.
 * @param {simple_t *} simple The simple
 * @param {int} n Index from 0
 * @param {size_t *} size_bits Receives log2 of its size (may be NULL)
 * @param {uintptr_t *} paddr Receives its physical address (may be NULL)
 * @param {bool *} device Receives whether it is device memory (may be NULL)
 * @return the cap, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_nth_untyped(simple_t *simple, int n, size_t *size_bits, uintptr_t *paddr,
                                               bool *device)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return seL4_CapNull;
    }
    if (simple->nth_untyped == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_CapNull;
    }
    return simple->nth_untyped(simple->data, n, size_bits, paddr, device);
}

/***
 * @function simple_get_userimage_count(simple)
 * @param {simple_t *} simple The simple
 * @return the number of user image frames, or -1
 */
static inline int simple_get_userimage_count(simple_t *simple)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return -1;
    }
    if (simple->userimage_count == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return -1;
    }
    return simple->userimage_count(simple->data);
}

/***
 * @function simple_get_nth_userimage(simple, n)
 * @param {simple_t *} simple The simple
 * @param {int} n Index from 0
 * @return the nth user image frame cap, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_nth_userimage(simple_t *simple, int n)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return seL4_CapNull;
    }
    if (simple->nth_userimage == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_CapNull;
    }
    return simple->nth_userimage(simple->data, n);
}

/***
 * @function simple_get_core_count(simple)
 * @param {simple_t *} simple The simple
 * @return the number of cores, or -1
 */
static inline int simple_get_core_count(simple_t *simple)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return -1;
    }
    if (simple->core_count == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return -1;
    }
    return simple->core_count(simple->data);
}

/***
 * @function simple_print(simple)
 * Print what the simple knows about the environment.
 * @param {simple_t *} simple The simple
 */
static inline void simple_print(simple_t *simple)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return;
    }
    if (simple->print == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return;
    }
    simple->print(simple->data);
}

/***
 * @function simple_get_sched_ctrl(simple, core)
 * @param {simple_t *} simple The simple
 * @param {int} core Core number, below simple_get_core_count()
 * @return the core's scheduling control cap, or seL4_CapNull
 */
static inline seL4_CPtr simple_get_sched_ctrl(simple_t *simple, int core)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return seL4_CapNull;
    }
    if (simple->sched_ctrl == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return seL4_CapNull;
    }
    if (core < 0 || core >= simple_get_core_count(simple)) {
        ZF_LOGE("invalid core");
        return seL4_CapNull;
    }
    return simple->sched_ctrl(simple->data, core);
}

/***
 * @function simple_get_extended_bootinfo_length(simple, type)
 * @param {simple_t *} simple The simple
 * @param {seL4_Word} type Extended boot information id
 * @return its length including the header, or -1
 */
static inline ssize_t simple_get_extended_bootinfo_length(simple_t *simple, seL4_Word type)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return -1;
    }
    if (simple->extended_bootinfo_len == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return -1;
    }
    return simple->extended_bootinfo_len(simple->data, type);
}

/***
 * @function simple_get_extended_bootinfo(simple, type, dest, max_len)
 * Copy one kind of extended boot information.
 * @param {simple_t *} simple The simple
 * @param {seL4_Word} type Extended boot information id
 * @param {void *} dest Destination buffer
 * @param {ssize_t} max_len Size of dest
 * @return the length copied, or -1
 */
static inline ssize_t simple_get_extended_bootinfo(simple_t *simple, seL4_Word type, void *dest, ssize_t max_len)
{
    if (simple == NULL) {
        ZF_LOGE("Simple is NULL");
        return -1;
    }
    if (simple->extended_bootinfo == NULL) {
        ZF_LOGE("%s not implemented", __func__);
        return -1;
    }
    return simple->extended_bootinfo(simple->data, type, dest, max_len);
}
