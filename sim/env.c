/* The VMM environment: kernel, allocator, simple, the VMM's vspace and io_ops, built in one call. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <inttypes.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/allocator.h>
#include <sel4kvm/env.h>
#include <sel4kvm/vspace.h>
#include <vka/capops.h>
#include <vka/object.h>

struct io_mapping {
    size_t num_pages;
    vka_object_t frames[];
};

struct env_priv {
    vka_t *vka;
    vspace_t *vspace;
    GHashTable *io_mappings; /* page-aligned vaddr -> struct io_mapping */
    vka_object_t host_ntfn;
};

static int env_malloc(void *cookie, size_t size, void **ptr)
{
    (void)cookie;
    *ptr = malloc(size);
    return *ptr != NULL ? 0 : -ENOMEM;
}

static int env_calloc(void *cookie, size_t nmemb, size_t size, void **ptr)
{
    (void)cookie;
    if (size != 0 && nmemb > SIZE_MAX / size) {
        *ptr = NULL;
        return -ENOMEM;
    }
    *ptr = calloc(nmemb, size);
    return *ptr != NULL ? 0 : -ENOMEM;
}

static int env_free(void *cookie, size_t size, void *ptr)
{
    (void)cookie;
    (void)size;
    free(ptr);
    return 0;
}

static void io_mapping_release(struct env_priv *p, struct io_mapping *m)
{
    for (size_t i = 0; i < m->num_pages; i++) {
        if (m->frames[i].cptr != seL4_CapNull) {
            vka_free_object(p->vka, &m->frames[i]);
        }
    }
    free(m);
}

/* Device registers and RAM alike: frames retyped at the physical address, mapped into the VMM's vspace. */
static void *env_io_map(void *cookie, uintptr_t paddr, size_t size, int cached, ps_mem_flags_t flags)
{
    (void)flags;
    struct env_priv *p = cookie;
    if (size == 0 || paddr + size < paddr) {
        ZF_LOGE("Failed to map I/O memory at 0x%" PRIxPTR ": bad size %zu", paddr, size);
        return NULL;
    }
    uintptr_t start = ROUND_DOWN(paddr, PAGE_SIZE_4K);
    size_t num_pages = (ROUND_UP(paddr + size, PAGE_SIZE_4K) - start) >> PAGE_BITS_4K;
    struct io_mapping *m = calloc(1, sizeof(*m) + num_pages * sizeof(vka_object_t));
    seL4_CPtr *caps = calloc(num_pages, sizeof(seL4_CPtr));
    if (m == NULL || caps == NULL) {
        ZF_LOGE("Failed to map I/O memory at 0x%" PRIxPTR ": out of host memory", paddr);
        free(m);
        free(caps);
        return NULL;
    }
    m->num_pages = num_pages;
    void *vaddr = NULL;
    for (size_t i = 0; i < num_pages; i++) {
        if (vka_alloc_frame_at(p->vka, PAGE_BITS_4K, start + i * PAGE_SIZE_4K, &m->frames[i]) != 0) {
            ZF_LOGE("Failed to map I/O memory at 0x%" PRIxPTR ": no free frame at 0x%" PRIxPTR, paddr,
                    start + i * PAGE_SIZE_4K);
            goto fail;
        }
        caps[i] = m->frames[i].cptr;
    }
    vaddr = vspace_map_pages(p->vspace, caps, NULL, seL4_AllRights, num_pages, PAGE_BITS_4K, cached);
    if (vaddr == NULL) {
        ZF_LOGE("Failed to map I/O memory at 0x%" PRIxPTR ": no room in the VMM vspace", paddr);
        goto fail;
    }
    free(caps);
    g_hash_table_insert(p->io_mappings, vaddr, m);
    return (char *)vaddr + (paddr - start);

fail:
    free(caps);
    io_mapping_release(p, m);
    return NULL;
}

static void env_io_unmap(void *cookie, void *vaddr, size_t size)
{
    (void)size;
    struct env_priv *p = cookie;
    void *base = (void *)ROUND_DOWN((uintptr_t)vaddr, PAGE_SIZE_4K);
    struct io_mapping *m = g_hash_table_lookup(p->io_mappings, base);
    if (m == NULL) {
        ZF_LOGE("Failed to unmap I/O memory at %p: not mapped by ps_io_map", vaddr);
        return;
    }
    g_hash_table_remove(p->io_mappings, base);
    vspace_unmap_pages(p->vspace, base, m->num_pages, PAGE_BITS_4K, VSPACE_PRESERVE);
    io_mapping_release(p, m);
}

int sel4kvm_env_init(sel4kvm_env_t *env, const sel4kvm_sim_config_t *config)
{
    if (env == NULL) {
        ZF_LOGE("Failed to create environment: env is NULL");
        return -1;
    }
    memset(env, 0, sizeof(*env));
    if (sel4kvm_sim_init(config) != 0) {
        return -1;
    }
    struct env_priv *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        sel4kvm_sim_shutdown();
        return -1;
    }
    env->priv = p;
    p->vka = &env->vka;
    p->vspace = &env->vspace;
    p->io_mappings = g_hash_table_new(g_direct_hash, g_direct_equal);
    uintptr_t window;
    size_t window_size;
    if (sel4kvm_vka_init(&env->vka) != 0 || sel4kvm_simple_init(&env->simple) != 0 ||
        sel4kvm_sim_vmm_window(&window, &window_size) != 0 ||
        sel4kvm_vspace_init(&env->vspace, &env->vka, seL4_CapInitThreadVSpace, SEL4KVM_VSPACE_VMM, window,
                            window + window_size) != 0 ||
        vka_alloc_notification(&env->vka, &p->host_ntfn) != 0) {
        ZF_LOGE("Failed to create environment");
        sel4kvm_env_destroy(env);
        return -1;
    }
    env->host_endpoint = p->host_ntfn.cptr;
    env->io_ops.malloc_ops = (ps_malloc_ops_t){ .malloc = env_malloc, .calloc = env_calloc, .free = env_free };
    env->io_ops.io_mapper = (ps_io_mapper_t){ .cookie = p, .io_map_fn = env_io_map, .io_unmap_fn = env_io_unmap };
    return 0;
}

void sel4kvm_env_destroy(sel4kvm_env_t *env)
{
    if (env == NULL || env->priv == NULL) {
        return;
    }
    struct env_priv *p = env->priv;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, p->io_mappings);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        struct io_mapping *m = value;
        vspace_unmap_pages(&env->vspace, key, m->num_pages, PAGE_BITS_4K, VSPACE_PRESERVE);
        io_mapping_release(p, m);
    }
    g_hash_table_destroy(p->io_mappings);
    if (env->vspace.tear_down != NULL) {
        vspace_tear_down(&env->vspace, VSPACE_PRESERVE);
    }
    if (env->simple.data != NULL) {
        sel4kvm_simple_destroy(&env->simple);
    }
    if (env->vka.data != NULL) {
        sel4kvm_vka_destroy(&env->vka);
    }
    free(p);
    sel4kvm_sim_shutdown();
    memset(env, 0, sizeof(*env));
}
