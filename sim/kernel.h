/* Internal state of the simulated seL4 kernel: objects, capability slots, the CDT and physical memory. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <glib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sel4/sel4.h>
#include <sel4kvm/sim.h>
#include <utils/util.h>

/* Object kinds the kernel keeps that have no seL4 object type of their own. */
#define SIM_OBJ_ASID_POOL 0x100
#define SIM_OBJ_CONTROL 0x101

struct cte;

/* A notification: badge word and active flag under a mutex, plus eventfds so that waiters can sleep in
 * poll() and other processes can signal. */
struct ntfn {
    pthread_mutex_t lock;
    seL4_Word badge;
    bool active;
    bool dead;
    int efd;  /* local signals */
    int epfd; /* efd plus every exported eventfd: the one descriptor a waiter sleeps on */
    GArray *exports;
};

struct ntfn_export {
    int efd;
    seL4_Word badge;
};

/* An address space root (PML4 or EPT PML4): the mappings it holds, ordered by address. */
struct vsroot {
    GTree *maps; /* vaddr -> struct cte * of the mapped frame cap */
    bool ept;
    sel4kvm_vspace_hook_fn hook;
    void *cookie;
};

struct kobj {
    seL4_Word type;
    unsigned size_bits; /* log2 of the object's size in bytes (CNodes: of their slot count) */
    uintptr_t paddr;    /* untyped and frames: physical address; other objects: where their memory was carved */
    size_t ncaps;       /* caps naming this object */
    unsigned pins;      /* threads blocked on it; destruction waits for them */
    bool dying;
    struct kobj *next, *prev; /* every live object, for teardown and counting */
    union {
        struct {
            uintptr_t watermark; /* offset of the first free byte */
            bool device;
        } ut;
        struct {
            struct cte *slots;
        } cnode;
        struct vsroot vs;
        struct ntfn *ntfn;
        struct {
            bool device;
        } frame;
    };
};

/* A capability table entry. obj == NULL means the slot is empty. */
struct cte {
    struct kobj *obj;
    seL4_Word badge;
    seL4_Word guard;
    uint8_t guard_bits;
    uint8_t rights;        /* seL4_CapRights_t word */
    uint8_t map_rights;    /* effective rights of the live mapping */
    struct kobj *map_root; /* frames: the vspace root this cap is mapped in, or NULL */
    seL4_Word map_vaddr;
    struct cte *parent, *first_child, *next_sib, *prev_sib; /* capability derivation tree */
};

struct bank {
    uintptr_t base;
    size_t size;
    int fd;
    off_t fd_offset; /* where base lies in fd: 0 except for memory imported from another process */
    uint8_t *host;
    bool device;
};

/* RAM, the device window and memory imported from other processes (sel4kvm_sim_import_memory). */
#define SIM_MAX_BANKS 64

struct kernel {
    pthread_mutex_t lock;
    sel4kvm_sim_config_t cfg;
    struct bank banks[SIM_MAX_BANKS];
    int nbanks;
    struct kobj *objects; /* list head */
    size_t nobjects;
    size_t ncaps; /* occupied slots in every CNode */
    struct kobj *root_cnode;
    struct kobj *vmm_vspace;
    uintptr_t vmm_window;
    seL4_BootInfo bootinfo;
};

/* The one kernel; NULL when none is running. */
extern struct kernel *sim_kernel;

#define SIM_ERR(err, ...)                                                                                              \
    ({                                                                                                                 \
        ZF_LOGD("seL4 error " #err ": " __VA_ARGS__);                                                                  \
        (err);                                                                                                         \
    })

void sim_lock(void);
void sim_unlock(void);

/* Runs one invocation under the kernel lock. With no kernel running every invocation is illegal. */
#define SIM_INVOKE(call)                                                                                               \
    ({                                                                                                                 \
        seL4_Error sim_err_ = seL4_IllegalOperation;                                                                   \
        if (sim_kernel != NULL) {                                                                                      \
            sim_lock();                                                                                                \
            sim_err_ = (call);                                                                                         \
            sim_unlock();                                                                                              \
        } else {                                                                                                       \
            ZF_LOGE("Failed to invoke %s: no kernel is running", __func__);                                            \
        }                                                                                                              \
        sim_err_;                                                                                                      \
    })

/* Objects */
struct kobj *sim_obj_new(seL4_Word type, unsigned size_bits, uintptr_t paddr);
void sim_obj_free(struct kobj *o);
bool sim_is_frame_type(seL4_Word type);
unsigned sim_frame_bits(seL4_Word type);
bool sim_is_vspace_root(const struct kobj *o);
/* A CNode's zeroed slot array and its release (NULL is ignored). Large arrays come straight from mmap, so slots never
 * touched cost no memory whichever malloc runs (valgrind's calloc writes every byte). */
struct cte *sim_cnode_slots_new(unsigned size_bits);
void sim_cnode_slots_free(struct cte *slots, unsigned size_bits);

/* Caps and the CDT */
void sim_cap_insert(struct cte *dst, struct kobj *obj, seL4_CapRights_t rights, seL4_Word badge, struct cte *parent);
void sim_cap_delete(struct cte *slot);
void sim_cap_revoke(struct cte *slot);
void sim_cap_move(struct cte *dst, struct cte *src);
bool sim_cap_has_children(const struct cte *slot);

/* Capability lookup in the caller's CSpace (the root CNode). */
struct cte *sim_lookup_cap(seL4_CPtr cptr);
seL4_Error sim_lookup_slot(struct cte *cnode_cap, seL4_Word index, seL4_Word depth, struct cte **slot);

/* Memory */
struct bank *sim_bank_of(uintptr_t paddr, size_t size);
void sim_zero_phys(uintptr_t paddr, size_t size);

/* Frames and address spaces */
void sim_frame_unmap(struct cte *cap);
void sim_vsroot_init(struct kobj *o, bool ept);
void sim_vsroot_destroy(struct kobj *o);
int sim_vmm_vspace_hook(void *cookie, const sel4kvm_map_event_t *ev);

/* Notifications */
int sim_ntfn_init(struct kobj *o);
void sim_ntfn_destroy(struct kobj *o);
