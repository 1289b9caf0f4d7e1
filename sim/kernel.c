/* The simulated kernel's life cycle: physical memory banks, the object list, and the boot information. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kernel.h"

struct kernel *sim_kernel;

void sim_lock(void)
{
    pthread_mutex_lock(&sim_kernel->lock);
}

void sim_unlock(void)
{
    pthread_mutex_unlock(&sim_kernel->lock);
}

bool sel4kvm_sim_running(void)
{
    return sim_kernel != NULL;
}

struct kobj *sim_obj_new(seL4_Word type, unsigned size_bits, uintptr_t paddr)
{
    struct kobj *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        return NULL;
    }
    o->type = type;
    o->size_bits = size_bits;
    o->paddr = paddr;
    o->next = sim_kernel->objects;
    if (o->next != NULL) {
        o->next->prev = o;
    }
    sim_kernel->objects = o;
    sim_kernel->nobjects++;
    return o;
}

/* Unlinks and frees the object's host memory; type-specific teardown has already happened. */
void sim_obj_free(struct kobj *o)
{
    if (o->prev != NULL) {
        o->prev->next = o->next;
    } else {
        sim_kernel->objects = o->next;
    }
    if (o->next != NULL) {
        o->next->prev = o->prev;
    }
    sim_kernel->nobjects--;
    free(o);
}

struct bank *sim_bank_of(uintptr_t paddr, size_t size)
{
    if (sim_kernel == NULL || size == 0) {
        return NULL;
    }
    /* Imports add banks while other threads look them up: a bank is complete before its count is published. */
    int nbanks = __atomic_load_n(&sim_kernel->nbanks, __ATOMIC_ACQUIRE);
    for (int i = 0; i < nbanks; i++) {
        struct bank *b = &sim_kernel->banks[i];
        if (paddr >= b->base && paddr - b->base < b->size && size <= b->size - (paddr - b->base)) {
            return b;
        }
    }
    return NULL;
}

/* Gives the range back to the host as well: punching a hole in a memfd zeroes it and frees its pages. */
void sim_zero_phys(uintptr_t paddr, size_t size)
{
    struct bank *b = sim_bank_of(paddr, size);
    if (b == NULL) {
        return;
    }
    off_t at = b->fd_offset + (off_t)(paddr - b->base);
    if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, at, (off_t)size) != 0) {
        memset(b->host + (paddr - b->base), 0, size);
    }
}

void *sel4kvm_sim_paddr_to_host(uintptr_t paddr, size_t size)
{
    struct bank *b = sim_bank_of(paddr, size);
    return b != NULL ? b->host + (paddr - b->base) : NULL;
}

int sel4kvm_sim_paddr_to_fd(uintptr_t paddr, int *fd, off_t *offset)
{
    struct bank *b = sim_bank_of(paddr, 1);
    if (b == NULL || fd == NULL || offset == NULL) {
        return -1;
    }
    *fd = b->fd;
    *offset = b->fd_offset + (off_t)(paddr - b->base);
    return 0;
}

/* Maps size bytes of fd from offset as the bank at physical address base; the bank owns fd from here on. */
static int bank_attach(uintptr_t base, size_t size, int fd, off_t offset, bool device)
{
    struct kernel *k = sim_kernel;
    if (k->nbanks == SIM_MAX_BANKS) {
        ZF_LOGE("Failed to add memory bank: all %d banks are in use", SIM_MAX_BANKS);
        close(fd);
        return -1;
    }
    void *host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, offset);
    if (host == MAP_FAILED) {
        ZF_LOGE("Failed to map memory bank of %zu bytes: %s", size, strerror(errno));
        close(fd);
        return -1;
    }
    k->banks[k->nbanks] = (struct bank){
        .base = base, .size = size, .fd = fd, .fd_offset = offset, .host = host, .device = device
    };
    __atomic_store_n(&k->nbanks, k->nbanks + 1, __ATOMIC_RELEASE);
    return 0;
}

/* Memory is shared with other processes through these memfds, so they are sealed against shrinking: an
 * importer can then trust the size and never fault on a page that went away. */
static int bank_add(uintptr_t base, size_t size, bool device)
{
    if (size == 0) {
        return 0;
    }
    int fd = memfd_create(device ? "sel4kvm-device" : "sel4kvm-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        ZF_LOGE("Failed to create memory bank: memfd_create: %s", strerror(errno));
        return -1;
    }
    if (ftruncate(fd, (off_t)size) != 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
        ZF_LOGE("Failed to size memory bank to %zu bytes: %s", size, strerror(errno));
        close(fd);
        return -1;
    }
    return bank_attach(base, size, fd, 0, device);
}

/* The first physical address above every bank, aligned to align. */
static uintptr_t phys_top(size_t align)
{
    uintptr_t top = 0;
    for (int i = 0; i < sim_kernel->nbanks; i++) {
        top = MAX(top, sim_kernel->banks[i].base + sim_kernel->banks[i].size);
    }
    return ROUND_UP(top, align);
}

static int import_memory(int fd, off_t offset, size_t size, seL4_CNode root, seL4_Word index, seL4_Uint8 depth,
                         uintptr_t *paddr)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ZF_LOGE("Failed to import memory: descriptor %d: %s", fd, strerror(errno));
        return -1;
    }
    int seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
        ZF_LOGE("Failed to import memory: descriptor %d is not a memfd sealed against shrinking (F_SEAL_SHRINK), so "
                "its pages could vanish under the guest",
                fd);
        return -1;
    }
    if (st.st_size < offset || (uint64_t)(st.st_size - offset) < size) {
        ZF_LOGE("Failed to import memory: [0x%jx, +0x%zx) lies beyond the end of descriptor %d (0x%jx bytes)",
                (intmax_t)offset, size, fd, (intmax_t)st.st_size);
        return -1;
    }
    struct cte *cnode = sim_lookup_cap(root);
    struct cte *slot = NULL;
    if (cnode == NULL || sim_lookup_slot(cnode, index, depth, &slot) != seL4_NoError || slot == NULL) {
        ZF_LOGE("Failed to import memory: (0x%lx, 0x%lx, %u) is not a slot", root, index, depth);
        return -1;
    }
    if (slot->obj != NULL) {
        ZF_LOGE("Failed to import memory: slot 0x%lx is not empty", index);
        return -1;
    }
    uintptr_t base = phys_top(size);
    if (base + size > (1ull << 52)) {
        ZF_LOGE("Failed to import memory: no room below 2^52 for another 0x%zx bytes", size);
        return -1;
    }
    struct kobj *ut = sim_obj_new(seL4_UntypedObject, (unsigned)__builtin_ctzl(size), base);
    if (ut == NULL) {
        return -1;
    }
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (own < 0 || bank_attach(base, size, own, offset, true) != 0) {
        if (own < 0) {
            ZF_LOGE("Failed to import memory: %s", strerror(errno));
        }
        sim_obj_free(ut);
        return -1;
    }
    ut->ut.device = true;
    sim_cap_insert(slot, ut, seL4_AllRights, 0, NULL);
    *paddr = base;
    return 0;
}

int sel4kvm_sim_import_memory(int fd, off_t offset, size_t size, seL4_CNode root, seL4_Word index, seL4_Uint8 depth,
                              uintptr_t *paddr)
{
    if (sim_kernel == NULL) {
        ZF_LOGE("Failed to import memory: no kernel is running");
        return -1;
    }
    if (fd < 0 || paddr == NULL) {
        ZF_LOGE("Failed to import memory: %s", fd < 0 ? "negative descriptor" : "paddr is NULL");
        return -1;
    }
    if (size < BIT(seL4_PageBits) || size > BIT(seL4_MaxUntypedBits) || (size & (size - 1)) != 0) {
        ZF_LOGE("Failed to import memory: size 0x%zx is not a power of two from 4 KiB to 2^%d", size,
                seL4_MaxUntypedBits);
        return -1;
    }
    if (offset < 0 || !IS_ALIGNED((uint64_t)offset, seL4_PageBits)) {
        ZF_LOGE("Failed to import memory: offset 0x%jx is not a non-negative multiple of 4 KiB", (intmax_t)offset);
        return -1;
    }
    sim_lock();
    int ret = import_memory(fd, offset, size, root, index, depth, paddr);
    sim_unlock();
    return ret;
}

/* Installs one boot cap in the root CNode; boot caps have no CDT parent. */
static struct kobj *boot_cap(seL4_Word slot, seL4_Word type, unsigned size_bits, uintptr_t paddr)
{
    struct kobj *o = sim_obj_new(type, size_bits, paddr);
    if (o != NULL) {
        sim_cap_insert(&sim_kernel->root_cnode->cnode.slots[slot], o, seL4_AllRights, 0, NULL);
    }
    return o;
}

/* Splits [base, base + size) into maximal naturally aligned power-of-two blocks, as seL4's boot code
 * hands out untyped memory, and gives each one a cap. */
static int boot_untypeds(uintptr_t base, size_t size, bool device, seL4_Word *slot)
{
    seL4_BootInfo *bi = &sim_kernel->bootinfo;
    uintptr_t end = base + size;
    while (base < end) {
        unsigned bits = base == 0 ? seL4_MaxUntypedBits : (unsigned)__builtin_ctzl(base);
        bits = MIN(bits, (unsigned)seL4_MaxUntypedBits);
        while (bits > 0 && (BIT(bits) > end - base)) {
            bits--;
        }
        if (bits < seL4_MinUntypedBits) {
            break;
        }
        size_t n = *slot - bi->untyped.start;
        if (n >= CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS) {
            ZF_LOGE("Failed to describe memory: more than %d untyped blocks", CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS);
            return -1;
        }
        struct kobj *o = boot_cap(*slot, seL4_UntypedObject, bits, base);
        if (o == NULL) {
            return -1;
        }
        o->ut.device = device;
        bi->untypedList[n] = (seL4_UntypedDesc){ .paddr = base, .sizeBits = (seL4_Uint8)bits, .isDevice = device };
        (*slot)++;
        base += BIT(bits);
    }
    return 0;
}

static int config_check(sel4kvm_sim_config_t *c)
{
    if (c->ram_size == 0) {
        c->ram_size = SEL4KVM_SIM_DEFAULT_RAM_SIZE;
    }
    if (c->ram_base == 0 && c->device_base == 0) {
        c->ram_base = SEL4KVM_SIM_DEFAULT_RAM_BASE;
    }
    if (c->device_base == 0) {
        c->device_base = MAX((uint64_t)SEL4KVM_SIM_DEFAULT_DEVICE_BASE,
                             ROUND_UP(c->ram_base + c->ram_size, 1ull << 30));
    }
    if (c->device_size == 0) {
        c->device_size = SEL4KVM_SIM_DEFAULT_DEVICE_SIZE;
    }
    if (c->cnode_bits == 0) {
        c->cnode_bits = SEL4KVM_SIM_DEFAULT_CNODE_BITS;
    }
    if (c->vmm_window_size == 0) {
        c->vmm_window_size = SEL4KVM_SIM_DEFAULT_VMM_WINDOW_SIZE;
    }
    if (!IS_ALIGNED(c->ram_base | c->ram_size | c->device_base | c->device_size, seL4_PageBits)) {
        ZF_LOGE("Failed to start kernel: RAM and device ranges must be 4 KiB aligned");
        return -1;
    }
    if (c->ram_base + c->ram_size < c->ram_base || c->device_base + c->device_size < c->device_base ||
        c->ram_base + c->ram_size > (1ull << 52) || c->device_base + c->device_size > (1ull << 52)) {
        ZF_LOGE("Failed to start kernel: memory range beyond the 52-bit physical address space");
        return -1;
    }
    if (c->ram_base < c->device_base + c->device_size && c->device_base < c->ram_base + c->ram_size) {
        ZF_LOGE("Failed to start kernel: RAM [0x%" PRIx64 ", +0x%" PRIx64 ") overlaps the device window", c->ram_base,
                c->ram_size);
        return -1;
    }
    if (c->cnode_bits < 8 || c->cnode_bits > 28) {
        ZF_LOGE("Failed to start kernel: root CNode radix %u outside 8..28", c->cnode_bits);
        return -1;
    }
    if (!IS_ALIGNED(c->vmm_window_size, seL4_HugePageBits)) {
        ZF_LOGE("Failed to start kernel: VMM window size must be a multiple of 1 GiB");
        return -1;
    }
    return 0;
}

int sel4kvm_sim_init(const sel4kvm_sim_config_t *config)
{
    if (sim_kernel != NULL) {
        ZF_LOGE("Failed to start kernel: one is already running");
        return -1;
    }
    sel4kvm_sim_config_t cfg = config != NULL ? *config : (sel4kvm_sim_config_t){ 0 };
    if (config_check(&cfg) != 0) {
        return -1;
    }
    struct kernel *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        return -1;
    }
    sim_kernel = k;
    pthread_mutex_init(&k->lock, NULL);
    k->cfg = cfg;
    k->vmm_window = (uintptr_t)MAP_FAILED;

    if (bank_add(cfg.ram_base, cfg.ram_size, false) != 0 || bank_add(cfg.device_base, cfg.device_size, true) != 0) {
        goto fail;
    }
    /* Host address space for the VMM's own vspace, aligned so that 1 GiB frames can map there. The default size
     * halves until the host grants it, down to 4 GiB: valgrind gives a program about 64 GiB in one piece, and
     * RLIMIT_AS can give less. A size the caller chose is granted or refused. */
    size_t win = cfg.vmm_window_size;
    bool shrinkable = config == NULL || config->vmm_window_size == 0;
    void *raw;
    while ((raw = mmap(NULL, win + BIT(seL4_HugePageBits), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
                       0)) == MAP_FAILED &&
           shrinkable && win > (1ul << 32)) {
        win /= 2;
    }
    if (raw == MAP_FAILED) {
        ZF_LOGE("Failed to reserve %zu bytes of host address space for the VMM vspace", win);
        goto fail;
    }
    uintptr_t aligned = ROUND_UP((uintptr_t)raw, BIT(seL4_HugePageBits));
    if (aligned > (uintptr_t)raw) {
        munmap(raw, aligned - (uintptr_t)raw);
    }
    munmap((void *)(aligned + win), (uintptr_t)raw + BIT(seL4_HugePageBits) - aligned);
    k->vmm_window = aligned;
    k->cfg.vmm_window_size = win;

    struct kobj *root = sim_obj_new(seL4_CapTableObject, cfg.cnode_bits, 0);
    if (root == NULL) {
        goto fail;
    }
    root->cnode.slots = sim_cnode_slots_new(cfg.cnode_bits);
    if (root->cnode.slots == NULL) {
        ZF_LOGE("Failed to allocate the root CNode");
        goto fail;
    }
    k->root_cnode = root;
    struct cte *self = &root->cnode.slots[seL4_CapInitThreadCNode];
    sim_cap_insert(self, root, seL4_AllRights, 0, NULL);
    self->guard_bits = (uint8_t)(seL4_WordBits - cfg.cnode_bits);
    self->guard = 0;

    if (boot_cap(seL4_CapInitThreadTCB, seL4_TCBObject, seL4_TCBBits, 0) == NULL ||
        boot_cap(seL4_CapIRQControl, SIM_OBJ_CONTROL, 0, 0) == NULL ||
        boot_cap(seL4_CapASIDControl, SIM_OBJ_CONTROL, 0, 0) == NULL ||
        boot_cap(seL4_CapInitThreadASIDPool, SIM_OBJ_ASID_POOL, seL4_PageBits, 0) == NULL ||
        boot_cap(seL4_CapIOPortControl, SIM_OBJ_CONTROL, 0, 0) == NULL ||
        boot_cap(seL4_CapDomain, SIM_OBJ_CONTROL, 0, 0) == NULL) {
        goto fail;
    }
    struct kobj *vs = boot_cap(seL4_CapInitThreadVSpace, seL4_X64_PML4Object, seL4_PML4Bits, 0);
    if (vs == NULL) {
        goto fail;
    }
    sim_vsroot_init(vs, false);
    vs->vs.hook = sim_vmm_vspace_hook;
    k->vmm_vspace = vs;
    /* The initial thread's TCB refers to its CSpace and VSpace roots, so deleting their caps cannot destroy
     * them, as in seL4. */
    root->ncaps++;
    vs->ncaps++;

    seL4_BootInfo *bi = &k->bootinfo;
    bi->nodeID = 0;
    bi->numNodes = 1;
    bi->initThreadCNodeSizeBits = cfg.cnode_bits;
    seL4_Word slot = seL4_NumInitialCaps;
    bi->untyped.start = slot;
    if (boot_untypeds(cfg.ram_base, cfg.ram_size, false, &slot) != 0 ||
        boot_untypeds(cfg.device_base, cfg.device_size, true, &slot) != 0) {
        goto fail;
    }
    bi->untyped.end = slot;
    bi->empty.start = slot;
    bi->empty.end = BIT(cfg.cnode_bits);
    return 0;

fail:
    sel4kvm_sim_shutdown();
    return -1;
}

static void obj_teardown(struct kobj *o)
{
    if (o->type == seL4_CapTableObject) {
        sim_cnode_slots_free(o->cnode.slots, o->size_bits);
    } else if (o->type == seL4_NotificationObject) {
        sim_ntfn_destroy(o);
    } else if (sim_is_vspace_root(o) && o->vs.maps != NULL) {
        g_tree_destroy(o->vs.maps);
    }
}

void sel4kvm_sim_shutdown(void)
{
    struct kernel *k = sim_kernel;
    if (k == NULL) {
        return;
    }
    /* Mappings made by hooks other than the VMM's are the hook owner's to release; the VMM window goes
     * wholesale below. */
    while (k->objects != NULL) {
        struct kobj *o = k->objects;
        obj_teardown(o);
        sim_obj_free(o);
    }
    if (k->vmm_window != (uintptr_t)MAP_FAILED) {
        munmap((void *)k->vmm_window, k->cfg.vmm_window_size);
    }
    for (int i = 0; i < k->nbanks; i++) {
        munmap(k->banks[i].host, k->banks[i].size);
        close(k->banks[i].fd);
    }
    pthread_mutex_destroy(&k->lock);
    free(k);
    sim_kernel = NULL;
}

const seL4_BootInfo *sel4kvm_sim_bootinfo(void)
{
    return sim_kernel != NULL ? &sim_kernel->bootinfo : NULL;
}

int sel4kvm_sim_vmm_window(uintptr_t *base, size_t *size)
{
    if (sim_kernel == NULL || base == NULL || size == NULL) {
        return -1;
    }
    *base = sim_kernel->vmm_window;
    *size = sim_kernel->cfg.vmm_window_size;
    return 0;
}

size_t sel4kvm_sim_object_count(void)
{
    if (sim_kernel == NULL) {
        return 0;
    }
    sim_lock();
    size_t n = sim_kernel->nobjects;
    sim_unlock();
    return n;
}

size_t sel4kvm_sim_cap_count(void)
{
    if (sim_kernel == NULL) {
        return 0;
    }
    sim_lock();
    size_t n = sim_kernel->ncaps;
    sim_unlock();
    return n;
}
