/* seL4_Untyped_Retype: carving kernel objects out of untyped memory, with seL4's checks in seL4's order. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include "kernel.h"

/* log2 of the memory an object takes, or -1 for a type that cannot be created. */
static long object_bits(seL4_Word type, seL4_Word user_bits)
{
    switch (type) {
    case seL4_UntypedObject:
        return (long)user_bits;
    case seL4_TCBObject:
        return seL4_TCBBits;
    case seL4_EndpointObject:
        return seL4_EndpointBits;
    case seL4_NotificationObject:
        return seL4_NotificationBits;
    case seL4_CapTableObject:
        return (long)(user_bits + seL4_SlotBits);
    case seL4_X86_4K:
    case seL4_X86_LargePageObject:
    case seL4_X64_HugePageObject:
        return sim_frame_bits(type);
    case seL4_X86_VCPUObject:
        return seL4_X86_VCPUBits;
    case seL4_X86_PDPTObject:
    case seL4_X64_PML4Object:
    case seL4_X86_PageTableObject:
    case seL4_X86_PageDirectoryObject:
    case seL4_X86_EPTPML4Object:
    case seL4_X86_EPTPDPTObject:
    case seL4_X86_EPTPDObject:
    case seL4_X86_EPTPTObject:
        return seL4_PageBits;
    default:
        return -1;
    }
}

static struct kobj *create_object(seL4_Word type, seL4_Word user_bits, unsigned obj_bits, uintptr_t paddr, bool device)
{
    struct kobj *o = sim_obj_new(type, type == seL4_CapTableObject ? (unsigned)user_bits : obj_bits, paddr);
    if (o == NULL) {
        return NULL;
    }
    if (type == seL4_UntypedObject) {
        o->ut.device = device;
    } else if (sim_is_frame_type(type)) {
        o->frame.device = device;
    } else if (type == seL4_CapTableObject) {
        o->cnode.slots = sim_cnode_slots_new(user_bits);
        if (o->cnode.slots == NULL) {
            sim_obj_free(o);
            return NULL;
        }
    } else if (type == seL4_NotificationObject) {
        if (sim_ntfn_init(o) != 0) {
            sim_obj_free(o);
            return NULL;
        }
    } else if (type == seL4_X64_PML4Object || type == seL4_X86_EPTPML4Object) {
        sim_vsroot_init(o, type == seL4_X86_EPTPML4Object);
    }
    return o;
}

static seL4_Error retype(struct cte *ut_cap, seL4_Word type, seL4_Word size_bits, seL4_CNode root, seL4_Word node_index,
                         seL4_Word node_depth, seL4_Word node_offset, seL4_Word num_objects)
{
    if (ut_cap == NULL) {
        return SIM_ERR(seL4_InvalidCapability, "Retype: invoked cap is empty or cannot be found");
    }
    struct kobj *ut = ut_cap->obj;
    if (ut->type != seL4_UntypedObject) {
        return SIM_ERR(seL4_IllegalOperation, "Retype: invoked cap is not an untyped");
    }
    long obj_bits = object_bits(type, size_bits);
    if (type >= seL4_ObjectTypeCount || obj_bits < 0) {
        return SIM_ERR(seL4_InvalidArgument, "Retype: bad object type %lu", type);
    }
    if (size_bits >= seL4_WordBits || obj_bits > seL4_MaxUntypedBits) {
        return SIM_ERR(seL4_RangeError, "Retype: object size bits %lu too large", size_bits);
    }
    if (type == seL4_CapTableObject && size_bits == 0) {
        return SIM_ERR(seL4_InvalidArgument, "Retype: CNode of zero radix");
    }
    if (type == seL4_UntypedObject && size_bits < seL4_MinUntypedBits) {
        return SIM_ERR(seL4_InvalidArgument, "Retype: untyped of %lu bits is below the minimum", size_bits);
    }
    struct cte *root_cap = sim_lookup_cap(root);
    if (root_cap == NULL) {
        return SIM_ERR(seL4_FailedLookup, "Retype: root CNode cap 0x%lx not found", root);
    }
    struct cte *dest = root_cap;
    if (node_depth != 0) {
        seL4_Error err = sim_lookup_slot(root_cap, node_index, node_depth, &dest);
        if (err != seL4_NoError) {
            return err;
        }
    }
    if (dest->obj == NULL || dest->obj->type != seL4_CapTableObject) {
        return SIM_ERR(seL4_FailedLookup, "Retype: destination is not a CNode");
    }
    seL4_Word slots = BIT(dest->obj->size_bits);
    if (num_objects < 1 || num_objects > CONFIG_RETYPE_FAN_OUT_LIMIT) {
        return SIM_ERR(seL4_RangeError, "Retype: %lu objects outside 1..%d", num_objects, CONFIG_RETYPE_FAN_OUT_LIMIT);
    }
    if (node_offset > slots - 1) {
        return SIM_ERR(seL4_RangeError, "Retype: offset %lu outside a CNode of %lu slots", node_offset, slots);
    }
    if (num_objects > slots - node_offset) {
        return SIM_ERR(seL4_RangeError, "Retype: %lu objects from offset %lu overrun the CNode", num_objects,
                       node_offset);
    }
    struct cte *out = &dest->obj->cnode.slots[node_offset];
    for (seL4_Word i = 0; i < num_objects; i++) {
        if (out[i].obj != NULL) {
            return SIM_ERR(seL4_DeleteFirst, "Retype: destination slot %lu occupied", node_offset + i);
        }
    }
    /* An untyped whose children are all gone starts again from its base. */
    bool reset = !sim_cap_has_children(ut_cap);
    uintptr_t free_offset = reset ? 0 : ut->ut.watermark;
    uintptr_t free_bytes = BIT(ut->size_bits) - free_offset;
    if ((free_bytes >> obj_bits) < num_objects) {
        return SIM_ERR(seL4_NotEnoughMemory, "Retype: %lu bytes left, %lu objects of 2^%ld requested", free_bytes,
                       num_objects, obj_bits);
    }
    if (ut->ut.device && !sim_is_frame_type(type) && type != seL4_UntypedObject) {
        return SIM_ERR(seL4_InvalidArgument, "Retype: device untyped can only become frames or untyped");
    }
    if (reset && ut->ut.watermark != 0) {
        if (!ut->ut.device) {
            sim_zero_phys(ut->paddr, ut->ut.watermark);
        }
        ut->ut.watermark = 0;
    }
    uintptr_t offset = ROUND_UP(free_offset, BIT(obj_bits));
    for (seL4_Word i = 0; i < num_objects; i++) {
        struct kobj *o = create_object(type, size_bits, (unsigned)obj_bits, ut->paddr + offset, ut->ut.device);
        if (o == NULL) {
            return SIM_ERR(seL4_NotEnoughMemory, "Retype: host out of memory");
        }
        sim_cap_insert(&out[i], o, seL4_AllRights, 0, ut_cap);
        offset += BIT(obj_bits);
    }
    ut->ut.watermark = offset;
    return seL4_NoError;
}

seL4_Error seL4_Untyped_Retype(seL4_Untyped _service, seL4_Word type, seL4_Word size_bits, seL4_CNode root,
                               seL4_Word node_index, seL4_Word node_depth, seL4_Word node_offset, seL4_Word num_objects)
{
    return SIM_INVOKE(
        retype(sim_lookup_cap(_service), type, size_bits, root, node_index, node_depth, node_offset, num_objects));
}
