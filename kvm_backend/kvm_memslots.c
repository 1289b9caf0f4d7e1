/* Guest-physical window and derived memslots: the guest vspace's mappings, made real for KVM (DESIGN.md §5). */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sel4kvm/sim.h>
#include "kvm_internal.h"

/* Aligning the window keeps guest and host addresses equal in their low bits, so huge host pages can back
 * huge guest pages (KVM's recommendation). */
#define WINDOW_ALIGN (1ul << 30)
/* The smallest window taken where the host limits address space: enough for the 32-bit guest-physical layout
 * (RAM, MMIO holes, KVM's TSS below 4 GiB). */
#define KVM_WINDOW_MIN (1ul << 32)

struct kvm_run_range {
    uint64_t start;
    uint64_t end; /* exclusive */
    bool writable;
    int slot; /* KVM slot id, or -1 while it has none */
};

/* GTree order on starts; a lookup key of {a, a + 1} finds the run containing a. */
static gint range_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    const struct kvm_run_range *x = a;
    const struct kvm_run_range *y = b;
    if (x->end <= y->start) {
        return -1;
    }
    if (y->end <= x->start) {
        return 1;
    }
    return 0;
}

/* A window mapping the hook has accepted but not made: frames mapped one by one (RAM is hundreds of them) become
 * one mmap per stretch that continues in both the guest and the backing file, made before the next KVM_RUN. */
struct kvm_pending_map {
    uint64_t gpa;
    uint64_t size;
    int fd;
    off_t offset;
    int prot;
};

static void queue_map(struct kvm_memory *mem, uint64_t gpa, uint64_t size, int fd, off_t offset, int prot)
{
    if (mem->pending_maps->len > 0) {
        struct kvm_pending_map *last = &g_array_index(mem->pending_maps, struct kvm_pending_map,
                                                      mem->pending_maps->len - 1);
        if (last->gpa + last->size == gpa && last->fd == fd && last->offset + (off_t)last->size == offset &&
            last->prot == prot) {
            last->size += size;
            return;
        }
    }
    struct kvm_pending_map m = { .gpa = gpa, .size = size, .fd = fd, .offset = offset, .prot = prot };
    g_array_append_val(mem->pending_maps, m);
}

static void remove_range(struct kvm_vm *kv, uint64_t start, uint64_t end);

/* Makes the queued window mappings; under the lock. One that fails leaves its pages without a slot, so the guest's
 * accesses there exit and the library serves them from memory. */
static void flush_maps(struct kvm_vm *kv)
{
    struct kvm_memory *mem = &kv->mem;
    for (guint i = 0; i < mem->pending_maps->len; i++) {
        struct kvm_pending_map *m = &g_array_index(mem->pending_maps, struct kvm_pending_map, i);
        if (mmap(mem->window + m->gpa, m->size, m->prot, MAP_SHARED | MAP_FIXED, m->fd, m->offset) == MAP_FAILED) {
            ZF_LOGE("Failed to map guest-physical 0x%" PRIx64 "-0x%" PRIx64 " into the KVM window: %s; accesses there "
                    "exit",
                    m->gpa, m->gpa + m->size - 1, strerror(errno));
            remove_range(kv, m->gpa, m->gpa + m->size);
        }
    }
    g_array_set_size(mem->pending_maps, 0);
}

static struct kvm_run_range *run_containing(struct kvm_memory *mem, uint64_t addr)
{
    struct kvm_run_range key = { .start = addr, .end = addr + 1 };
    return g_tree_lookup(mem->runs, &key);
}

static int set_slot(struct kvm_vm *kv, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size)
{
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .flags = flags,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)(kv->mem.window + gpa),
    };
    return kvm_ioctl(kv->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

/* Deletes a run's slot; guest accesses there exit to user space until sync gives it a new one. */
static void drop_slot(struct kvm_vm *kv, struct kvm_run_range *run)
{
    if (run->slot < 0) {
        return;
    }
    if (set_slot(kv, (uint32_t)run->slot, 0, run->start, 0) != 0) {
        /* Deleting a slot that exists cannot fail short of a kernel bug; keep the id out of use. */
        ZF_LOGE("Failed to delete KVM memslot %d at 0x%" PRIx64 ": %s", run->slot, run->start, strerror(errno));
    } else {
        uint32_t id = (uint32_t)run->slot;
        g_array_append_val(kv->mem.free_slots, id);
        kv->mem.nslots--;
    }
    run->slot = -1;
}

static void mark_pending(struct kvm_memory *mem, struct kvm_run_range *run)
{
    g_array_append_val(mem->pending, run->start);
    atomic_store(&mem->dirty, true);
}

static struct kvm_run_range *new_run(struct kvm_memory *mem, uint64_t start, uint64_t end, bool writable)
{
    struct kvm_run_range *run = g_new(struct kvm_run_range, 1);
    *run = (struct kvm_run_range){ .start = start, .end = end, .writable = writable, .slot = -1 };
    g_tree_insert(mem->runs, run, run);
    mark_pending(mem, run);
    return run;
}

/* A mapping of [start, end) appeared: extend a neighbouring run of the same writability or start one. Slots of
 * merged runs go; the merged run gets one slot at the next sync, so a batch of maps costs no ioctl. */
static void add_range(struct kvm_vm *kv, uint64_t start, uint64_t end, bool writable)
{
    struct kvm_memory *mem = &kv->mem;
    struct kvm_run_range *before = start > 0 ? run_containing(mem, start - 1) : NULL;
    struct kvm_run_range *after = run_containing(mem, end);
    if (before != NULL && before->writable != writable) {
        before = NULL;
    }
    if (after != NULL && after->writable != writable) {
        after = NULL;
    }
    if (before == NULL && after == NULL) {
        new_run(mem, start, end, writable);
        return;
    }
    uint64_t new_start = before != NULL ? before->start : start;
    uint64_t new_end = after != NULL ? after->end : end;
    if (before != NULL) {
        drop_slot(kv, before);
        g_tree_remove(mem->runs, before);
    }
    if (after != NULL) {
        drop_slot(kv, after);
        g_tree_remove(mem->runs, after);
    }
    new_run(mem, new_start, new_end, writable);
}

/* A mapping of [start, end) went: its slot goes at once (the host pages are about to be replaced), and what is
 * left of the run on either side gets slots at the next sync. */
static void remove_range(struct kvm_vm *kv, uint64_t start, uint64_t end)
{
    struct kvm_memory *mem = &kv->mem;
    while (start < end) {
        struct kvm_run_range *run = run_containing(mem, start);
        if (run == NULL) {
            ZF_LOGW("Guest unmap at 0x%" PRIx64 " that the KVM backend never saw mapped", start);
            return;
        }
        struct kvm_run_range old = *run;
        drop_slot(kv, run);
        g_tree_remove(mem->runs, run);
        if (old.start < start) {
            new_run(mem, old.start, start, old.writable);
        }
        if (old.end > end) {
            new_run(mem, end, old.end, old.writable);
        }
        start = old.end;
    }
}

static int vspace_hook(void *cookie, const sel4kvm_map_event_t *ev)
{
    vm_t *vm = cookie;
    struct kvm_vm *kv = kvm_vm(vm);
    struct kvm_memory *mem = &kv->mem;
    uint64_t size = 1ull << ev->size_bits;
    uint64_t gpa = ev->vaddr;
    if (gpa >= mem->window_size || size > mem->window_size - gpa) {
        if (ev->map) {
            ZF_LOGE("Failed to map guest-physical 0x%" PRIx64 ": above the 0x%zx-byte window KVM guests have here", gpa,
                    mem->window_size);
        }
        return -1;
    }
    if (ev->map && gpa < KVM_TSS_ADDR + 3 * 4096 && gpa + size > KVM_IDENTITY_MAP_ADDR) {
        ZF_LOGE("Failed to map guest-physical 0x%" PRIx64 ": 0x%lx-0x%lx holds KVM's TSS and identity map", gpa,
                KVM_IDENTITY_MAP_ADDR, KVM_TSS_ADDR + 3 * 4096 - 1);
        return -1;
    }
    void *host = mem->window + gpa;
    bool writable = seL4_CapRights_get_capAllowWrite(ev->rights) != 0;
    pthread_mutex_lock(&mem->lock);
    int ret = 0;
    if (ev->map) {
        queue_map(mem, gpa, size, ev->fd, ev->offset, PROT_READ | (writable ? PROT_WRITE : 0));
        add_range(kv, gpa, gpa + size, writable);
    } else {
        /* The pages are about to be replaced: what is queued must be made first, so the order stays the guest's. */
        flush_maps(kv);
        remove_range(kv, gpa, gpa + size);
        if (mmap(host, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED) {
            ZF_LOGE("Failed to unmap guest-physical 0x%" PRIx64 " from the KVM window: %s", gpa, strerror(errno));
            ret = -1;
        }
    }
    pthread_mutex_unlock(&mem->lock);
    return ret;
}

void kvm_memory_sync(struct kvm_vm *kv)
{
    struct kvm_memory *mem = &kv->mem;
    if (!atomic_load_explicit(&mem->dirty, memory_order_acquire)) {
        return;
    }
    pthread_mutex_lock(&mem->lock);
    atomic_store(&mem->dirty, false);
    flush_maps(kv);
    for (guint i = 0; i < mem->pending->len; i++) {
        struct kvm_run_range *run = run_containing(mem, g_array_index(mem->pending, uint64_t, i));
        if (run == NULL || run->slot >= 0) {
            continue; /* merged or removed since, or already given a slot through another entry */
        }
        uint32_t id;
        if (mem->free_slots->len > 0) {
            id = g_array_index(mem->free_slots, uint32_t, mem->free_slots->len - 1);
            g_array_set_size(mem->free_slots, mem->free_slots->len - 1);
        } else if (mem->next_slot < mem->max_slots) {
            id = mem->next_slot++;
        } else {
            if (!mem->warned_slots) {
                ZF_LOGW("All %u KVM memslots are in use: guest accesses to 0x%" PRIx64 " and other runs are served "
                        "by exits (correct, slower)",
                        mem->max_slots, run->start);
                mem->warned_slots = true;
            }
            continue;
        }
        uint32_t flags = run->writable ? 0 : KVM_MEM_READONLY;
        if (set_slot(kv, id, flags, run->start, run->end - run->start) != 0) {
            ZF_LOGE("Failed to create KVM memslot for 0x%" PRIx64 "-0x%" PRIx64 ": %s; accesses there exit", run->start,
                    run->end - 1, strerror(errno));
            g_array_append_val(mem->free_slots, id);
            continue;
        }
        run->slot = (int)id;
        mem->nslots++;
    }
    g_array_set_size(mem->pending, 0);
    pthread_mutex_unlock(&mem->lock);
}

size_t kvm_memory_slots(struct kvm_vm *kv)
{
    kvm_memory_sync(kv);
    pthread_mutex_lock(&kv->mem.lock);
    size_t n = kv->mem.nslots;
    pthread_mutex_unlock(&kv->mem.lock);
    return n;
}

int kvm_memory_init(vm_t *vm, struct kvm_memory *mem)
{
    struct kvm_vm *kv = kvm_vm(vm);
    /* The window halves until the host grants it, down to 4 GiB: valgrind gives a program about 64 GiB of address
     * space in one piece, and RLIMIT_AS can give less. Guest memory above a smaller window is refused when mapped. */
    for (mem->window_size = 1ul << KVM_WINDOW_BITS;; mem->window_size /= 2) {
        mem->window_mapping_size = mem->window_size + WINDOW_ALIGN;
        mem->window_mapping = mmap(NULL, mem->window_mapping_size, PROT_NONE,
                                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mem->window_mapping != MAP_FAILED || mem->window_size <= KVM_WINDOW_MIN) {
            break;
        }
    }
    if (mem->window_mapping == MAP_FAILED) {
        ZF_LOGE("Failed to reserve a guest-physical window of at least 0x%lx bytes: %s", KVM_WINDOW_MIN,
                strerror(errno));
        mem->window_mapping = NULL;
        return -1;
    }
    mem->window = (uint8_t *)ROUND_UP((uintptr_t)mem->window_mapping, WINDOW_ALIGN);
    pthread_mutex_init(&mem->lock, NULL);
    mem->runs = g_tree_new_full(range_cmp, NULL, g_free, NULL);
    mem->pending = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    mem->pending_maps = g_array_new(FALSE, FALSE, sizeof(struct kvm_pending_map));
    mem->free_slots = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    int max = ioctl(kv->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    mem->max_slots = max > 0 ? (uint32_t)max : 32;
    if (sel4kvm_sim_set_vspace_hook(vm->mem.vm_vspace_root.cptr, vspace_hook, vm) != 0) {
        ZF_LOGE("Failed to attach the KVM backend to the guest's vspace");
        return -1;
    }
    return 0;
}

void kvm_memory_destroy(vm_t *vm, struct kvm_memory *mem)
{
    if (mem->runs != NULL && vm->mem.vm_vspace_root.cptr != seL4_CapNull) {
        /* Later unmaps (the vspace's teardown) must not reach a backend that is gone. */
        sel4kvm_sim_set_vspace_hook(vm->mem.vm_vspace_root.cptr, NULL, NULL);
    }
    if (mem->window_mapping != NULL) {
        munmap(mem->window_mapping, mem->window_mapping_size);
    }
    if (mem->runs != NULL) {
        g_tree_destroy(mem->runs);
        g_array_free(mem->pending, TRUE);
        g_array_free(mem->pending_maps, TRUE);
        g_array_free(mem->free_slots, TRUE);
        pthread_mutex_destroy(&mem->lock);
    }
    memset(mem, 0, sizeof(*mem));
}
