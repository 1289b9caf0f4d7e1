/* Frames and address spaces: X86 Page Map, MapEPT, Unmap and GetAddress, vspace roots and their hooks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "kernel.h"

#define EPT_GPA_LIMIT (1ul << 48)

static gint addr_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y ? -1 : x > y;
}

void sim_vsroot_init(struct kobj *o, bool ept)
{
    o->vs.maps = g_tree_new_full(addr_cmp, NULL, NULL, NULL);
    o->vs.ept = ept;
}

static int notify_hook(struct kobj *root, struct cte *cap, bool map)
{
    if (root->vs.hook == NULL) {
        return 0;
    }
    struct kobj *frame = cap->obj;
    sel4kvm_map_event_t ev = {
        .map = map,
        .vaddr = cap->map_vaddr,
        .paddr = frame->paddr,
        .size_bits = frame->size_bits,
        .rights = { { cap->map_rights } },
    };
    sel4kvm_sim_paddr_to_fd(frame->paddr, &ev.fd, &ev.offset);
    return root->vs.hook(root->vs.cookie, &ev);
}

static gboolean forget_mapping(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    struct kobj *root = data;
    struct cte *cap = value;
    notify_hook(root, cap, false);
    cap->map_root = NULL;
    cap->map_vaddr = 0;
    cap->map_rights = 0;
    return FALSE;
}

/* A destroyed address space leaves its frame caps unmapped, as seL4 does when an ASID goes away. */
void sim_vsroot_destroy(struct kobj *o)
{
    g_tree_foreach(o->vs.maps, forget_mapping, o);
    g_tree_destroy(o->vs.maps);
    o->vs.maps = NULL;
}

int sim_vmm_vspace_hook(void *cookie, const sel4kvm_map_event_t *ev)
{
    (void)cookie;
    size_t size = BIT(ev->size_bits);
    void *want = (void *)ev->vaddr;
    void *got;
    if (ev->map) {
        int prot = (seL4_CapRights_get_capAllowRead(ev->rights) ? PROT_READ : 0) |
                   (seL4_CapRights_get_capAllowWrite(ev->rights) ? PROT_READ | PROT_WRITE : 0);
        got = mmap(want, size, prot, MAP_SHARED | MAP_FIXED, ev->fd, ev->offset);
    } else {
        got = mmap(want, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    }
    if (got != want) {
        ZF_LOGE("Failed to %s 0x%zx bytes at %p in the VMM: %s", ev->map ? "map" : "unmap", size, want,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* The mapping in root that overlaps [vaddr, vaddr + size), if any. */
static struct cte *find_overlap(struct kobj *root, seL4_Word vaddr, size_t size)
{
    GTreeNode *n = g_tree_upper_bound(root->vs.maps, (gconstpointer)(vaddr + size - 1));
    n = n != NULL ? g_tree_node_previous(n) : g_tree_node_last(root->vs.maps);
    if (n == NULL) {
        return NULL;
    }
    struct cte *cap = g_tree_node_value(n);
    seL4_Word start = (seL4_Word)g_tree_node_key(n);
    return start + BIT(cap->obj->size_bits) > vaddr ? cap : NULL;
}

static struct cte *frame_cap(seL4_CPtr cptr, seL4_Error *err, const char *what)
{
    struct cte *cap = sim_lookup_cap(cptr);
    if (cap == NULL) {
        *err = SIM_ERR(seL4_InvalidCapability, "%s: frame cap 0x%lx is empty or cannot be found", what, cptr);
        return NULL;
    }
    if (!sim_is_frame_type(cap->obj->type)) {
        *err = SIM_ERR(seL4_IllegalOperation, "%s: cap 0x%lx is not a frame", what, cptr);
        return NULL;
    }
    return cap;
}

static seL4_Error do_map(struct cte *cap, struct kobj *root, seL4_Word vaddr, seL4_CapRights_t rights)
{
    size_t size = BIT(cap->obj->size_bits);
    struct cte *other = find_overlap(root, vaddr, size);
    if (other != NULL) {
        if (other->obj->size_bits > cap->obj->size_bits) {
            return SIM_ERR(seL4_FailedLookup, "Map: 0x%lx lies inside a larger page mapped there", vaddr);
        }
        return SIM_ERR(seL4_DeleteFirst, "Map: 0x%lx is already mapped", vaddr);
    }
    cap->map_root = root;
    cap->map_vaddr = vaddr;
    cap->map_rights = (uint8_t)(cap->rights & rights.words[0] & 0x3);
    if (root->vs.ept && !(cap->map_rights & 0x1)) {
        /* Read-only in EPT also for a cap with no rights (seL4 would grant read/write/execute there). */
        cap->map_rights = 0x2;
    }
    if (root->vs.ept && (cap->map_rights & 0x1)) {
        cap->map_rights = 0x3;
    }
    if (notify_hook(root, cap, true) != 0) {
        cap->map_root = NULL;
        cap->map_vaddr = 0;
        cap->map_rights = 0;
        return SIM_ERR(seL4_NotEnoughMemory, "Map: the address space refused 0x%lx", vaddr);
    }
    g_tree_insert(root->vs.maps, (gpointer)vaddr, cap);
    return seL4_NoError;
}

static seL4_Error page_map(seL4_X86_Page service, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights)
{
    seL4_Error err;
    struct cte *cap = frame_cap(service, &err, "Page_Map");
    if (cap == NULL) {
        return err;
    }
    struct cte *vs = sim_lookup_cap(vspace);
    if (vs == NULL || vs->obj->type != seL4_X64_PML4Object) {
        return SIM_ERR(seL4_InvalidCapability, "Page_Map: 0x%lx is not a PML4 cap", vspace);
    }
    struct kobj *root = vs->obj;
    size_t size = BIT(cap->obj->size_bits);
    if (cap->map_root != NULL) {
        if (cap->map_root != root) {
            return SIM_ERR(seL4_InvalidCapability, "Page_Map: frame is mapped in another address space");
        }
        if (cap->map_vaddr != vaddr) {
            return SIM_ERR(seL4_InvalidArgument, "Page_Map: frame is mapped at 0x%lx, not 0x%lx", cap->map_vaddr,
                           vaddr);
        }
        /* Remapping in place changes the rights, as seL4 allows. */
        sim_frame_unmap(cap);
    } else if (vaddr + size - 1 < vaddr || vaddr + size - 1 > seL4_UserTop) {
        return SIM_ERR(seL4_InvalidArgument, "Page_Map: 0x%lx is beyond the user address range", vaddr);
    }
    if (!IS_ALIGNED(vaddr, cap->obj->size_bits)) {
        return SIM_ERR(seL4_AlignmentError, "Page_Map: 0x%lx is not aligned to the frame size", vaddr);
    }
    if (root == sim_kernel->vmm_vspace &&
        (vaddr < sim_kernel->vmm_window || vaddr + size > sim_kernel->vmm_window + sim_kernel->cfg.vmm_window_size)) {
        return SIM_ERR(seL4_InvalidArgument, "Page_Map: 0x%lx is outside the VMM window", vaddr);
    }
    return do_map(cap, root, vaddr, rights);
}

seL4_Error seL4_X86_Page_Map(seL4_X86_Page _service, seL4_CPtr vspace, seL4_Word vaddr, seL4_CapRights_t rights,
                             seL4_X86_VMAttributes attr)
{
    (void)attr;
    return SIM_INVOKE(page_map(_service, vspace, vaddr, rights));
}

static seL4_Error page_map_ept(seL4_X86_Page service, seL4_X86_EPTPML4 ept, seL4_Word gpa, seL4_CapRights_t rights)
{
    seL4_Error err;
    struct cte *cap = frame_cap(service, &err, "Page_MapEPT");
    if (cap == NULL) {
        return err;
    }
    if (cap->map_root != NULL) {
        return SIM_ERR(seL4_InvalidCapability, "Page_MapEPT: frame already mapped; copy the cap to map it again");
    }
    struct cte *vs = sim_lookup_cap(ept);
    if (vs == NULL || vs->obj->type != seL4_X86_EPTPML4Object) {
        return SIM_ERR(seL4_InvalidCapability, "Page_MapEPT: 0x%lx is not an EPT PML4 cap", ept);
    }
    if (cap->obj->type == seL4_X64_HugePageObject) {
        return SIM_ERR(seL4_InvalidArgument, "Page_MapEPT: EPT takes 4 KiB and 2 MiB frames only");
    }
    size_t size = BIT(cap->obj->size_bits);
    if (!IS_ALIGNED(gpa, cap->obj->size_bits)) {
        return SIM_ERR(seL4_AlignmentError, "Page_MapEPT: 0x%lx is not aligned to the frame size", gpa);
    }
    if (gpa + size > EPT_GPA_LIMIT) {
        return SIM_ERR(seL4_InvalidArgument, "Page_MapEPT: 0x%lx is beyond the 48-bit guest-physical space", gpa);
    }
    if (seL4_CapRights_get_capAllowRead(rights) == 0 && seL4_CapRights_get_capAllowWrite(rights) == 0) {
        ZF_LOGW("Page_MapEPT: mapping 0x%lx with no rights; it will be read-only", gpa);
    }
    return do_map(cap, vs->obj, gpa, rights);
}

seL4_Error seL4_X86_Page_MapEPT(seL4_X86_Page _service, seL4_X86_EPTPML4 eptpml4, seL4_Word gpa,
                                seL4_CapRights_t rights, seL4_X86_EPT_VMAttributes attr)
{
    (void)attr;
    return SIM_INVOKE(page_map_ept(_service, eptpml4, gpa, rights));
}

void sim_frame_unmap(struct cte *cap)
{
    struct kobj *root = cap->map_root;
    if (root == NULL) {
        return;
    }
    g_tree_remove(root->vs.maps, (gpointer)cap->map_vaddr);
    notify_hook(root, cap, false);
    cap->map_root = NULL;
    cap->map_vaddr = 0;
    cap->map_rights = 0;
}

static seL4_Error page_unmap(seL4_X86_Page service)
{
    seL4_Error err;
    struct cte *cap = frame_cap(service, &err, "Page_Unmap");
    if (cap == NULL) {
        return err;
    }
    sim_frame_unmap(cap);
    return seL4_NoError;
}

seL4_Error seL4_X86_Page_Unmap(seL4_X86_Page _service)
{
    return SIM_INVOKE(page_unmap(_service));
}

seL4_X86_Page_GetAddress_t seL4_X86_Page_GetAddress(seL4_X86_Page _service)
{
    seL4_X86_Page_GetAddress_t r = { .error = seL4_IllegalOperation, .paddr = 0 };
    if (sim_kernel == NULL) {
        return r;
    }
    sim_lock();
    seL4_Error err;
    struct cte *cap = frame_cap(_service, &err, "Page_GetAddress");
    r.error = cap != NULL ? seL4_NoError : err;
    r.paddr = cap != NULL ? cap->obj->paddr : 0;
    sim_unlock();
    return r;
}

static seL4_Error asid_assign(seL4_X86_ASIDPool service, seL4_CPtr vspace)
{
    struct cte *pool = sim_lookup_cap(service);
    struct cte *vs = sim_lookup_cap(vspace);
    if (pool == NULL || pool->obj->type != SIM_OBJ_ASID_POOL) {
        return SIM_ERR(seL4_InvalidCapability, "ASIDPool_Assign: 0x%lx is not an ASID pool", service);
    }
    if (vs == NULL || !sim_is_vspace_root(vs->obj)) {
        return SIM_ERR(seL4_InvalidCapability, "ASIDPool_Assign: 0x%lx is not a vspace root", vspace);
    }
    return seL4_NoError;
}

seL4_Error seL4_X86_ASIDPool_Assign(seL4_X86_ASIDPool _service, seL4_CPtr vspace)
{
    return SIM_INVOKE(asid_assign(_service, vspace));
}

int sel4kvm_sim_set_vspace_hook(seL4_CPtr vspace_root, sel4kvm_vspace_hook_fn hook, void *cookie)
{
    if (sim_kernel == NULL) {
        ZF_LOGE("Failed to set vspace hook: no kernel is running");
        return -1;
    }
    sim_lock();
    struct cte *vs = sim_lookup_cap(vspace_root);
    int ret = -1;
    if (vs == NULL || !sim_is_vspace_root(vs->obj)) {
        ZF_LOGE("Failed to set vspace hook: 0x%lx is not a vspace root", vspace_root);
    } else if (vs->obj == sim_kernel->vmm_vspace) {
        ZF_LOGE("Failed to set vspace hook: the VMM's own vspace is the host address space");
    } else {
        vs->obj->vs.hook = hook;
        vs->obj->vs.cookie = cookie;
        ret = 0;
    }
    sim_unlock();
    return ret;
}

static seL4_Error frame_mapping(seL4_CPtr frame, seL4_Word *vaddr, seL4_CapRights_t *rights)
{
    seL4_Error err;
    struct cte *cap = frame_cap(frame, &err, "frame_mapping");
    if (cap == NULL) {
        return err;
    }
    if (cap->map_root == NULL) {
        return seL4_InvalidArgument;
    }
    if (vaddr != NULL) {
        *vaddr = cap->map_vaddr;
    }
    if (rights != NULL) {
        rights->words[0] = cap->map_rights;
    }
    return seL4_NoError;
}

static seL4_Error vspace_resolve(seL4_CPtr vspace_root, seL4_Word vaddr, size_t max_bytes, uintptr_t *paddr,
                                 size_t *bytes)
{
    struct cte *rc = sim_lookup_cap(vspace_root);
    if (rc == NULL || !sim_is_vspace_root(rc->obj)) {
        return SIM_ERR(seL4_InvalidCapability, "resolve: 0x%lx is not a vspace root", vspace_root);
    }
    struct kobj *root = rc->obj;
    struct cte *cap = find_overlap(root, vaddr, 1);
    if (cap == NULL) {
        return seL4_FailedLookup;
    }
    uintptr_t start = cap->map_vaddr;
    uintptr_t pa = cap->obj->paddr + (vaddr - start);
    size_t run = start + BIT(cap->obj->size_bits) - vaddr;
    /* Frames that follow both in the address space and in physical memory make one run. */
    for (GTreeNode *n = g_tree_lookup_node(root->vs.maps, (gconstpointer)start); n != NULL && run < max_bytes;) {
        n = g_tree_node_next(n);
        if (n == NULL) {
            break;
        }
        struct cte *next = g_tree_node_value(n);
        if ((seL4_Word)g_tree_node_key(n) != vaddr + run || next->obj->paddr != pa + run) {
            break;
        }
        run += BIT(next->obj->size_bits);
    }
    *paddr = pa;
    *bytes = run;
    return seL4_NoError;
}

int sel4kvm_sim_vspace_resolve(seL4_CPtr vspace_root, seL4_Word vaddr, size_t max_bytes, uintptr_t *paddr,
                               size_t *bytes)
{
    if (paddr == NULL || bytes == NULL) {
        ZF_LOGE("Failed to resolve 0x%lx: NULL %s", vaddr, paddr == NULL ? "paddr" : "bytes");
        return -1;
    }
    return SIM_INVOKE(vspace_resolve(vspace_root, vaddr, max_bytes, paddr, bytes)) == seL4_NoError ? 0 : -1;
}

int sel4kvm_sim_frame_mapping(seL4_CPtr frame, seL4_Word *vaddr, seL4_CapRights_t *rights)
{
    return SIM_INVOKE(frame_mapping(frame, vaddr, rights)) == seL4_NoError ? 0 : -1;
}
