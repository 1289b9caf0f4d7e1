/* libFuzzer harness: reservations, anonymous regions, mappings, guest RAM and injected faults against a model. */
/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The input is a sequence of operations on one test-backend VM. A reference model keeps what the library should
 * hold: the reservations (exact ranges, anonymous or not, mapped or not), the anonymous regions with their bump
 * pointers, and the state of every byte of a small guest-physical window (not RAM, free RAM, allocated RAM). Each
 * call's outcome is predicted from the model and compared, and after each step the RAM region list and the
 * reservation lookup are checked against it.
 */
#include <sel4kvm/test_backend.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <vka/object.h>
#include "fuzz_common.h"
#include "vm_internal.h"

#define PAGE 0x1000ul
#define WINDOW_PAGES 48
#define WINDOW (WINDOW_PAGES * PAGE)
#define MAX_RES 24
#define MAX_REGIONS 4
#define MAX_FRAMES 8
#define MAX_STEPS 96

enum ram_state { NOT_RAM, RAM_FREE, RAM_ALLOCATED };

struct res_model {
    bool live;
    bool anon;
    bool ram; /* made by a RAM registration: mapped, with the library's error callback */
    bool mapped;
    vm_memory_reservation_t *res;
    uintptr_t addr;
    size_t size;
    unsigned callbacks;
    unsigned nframes;
    vka_object_t frames[MAX_FRAMES];
};

struct region_model {
    uintptr_t base, limit, next;
};

static struct {
    vm_t vm;
    vm_vcpu_t *vcpu;
    struct res_model res[MAX_RES];
    struct region_model regions[MAX_REGIONS];
    int nregions;
    uint8_t ram[WINDOW];
    size_t ram_bytes; /* bytes of m.ram that are RAM */
    unsigned unhandled;
    uintptr_t last_addr;
    size_t last_len;
} m;

static uintptr_t page_lo(uintptr_t addr)
{
    return ROUND_DOWN(addr, PAGE);
}

static uintptr_t page_hi(uintptr_t addr, size_t size)
{
    return ROUND_UP(addr + size, PAGE);
}

/* page_span's refusal rule: empty, or the pages would wrap. */
static bool span_wraps(uintptr_t addr, size_t size)
{
    return size == 0 || size > UINTPTR_MAX - addr || addr + size > UINTPTR_MAX - (PAGE - 1);
}

static bool pages_overlap(uintptr_t a_lo, uintptr_t a_hi, uintptr_t b_lo, uintptr_t b_hi)
{
    return a_lo < b_hi && b_lo < a_hi;
}

/* Whether the pages of [addr, addr + size) are free of reservations and anonymous regions in the model. */
static bool model_span_free(uintptr_t addr, size_t size)
{
    uintptr_t lo = page_lo(addr), hi = page_hi(addr, size);
    for (int i = 0; i < MAX_RES; i++) {
        const struct res_model *r = &m.res[i];
        if (r->live && pages_overlap(lo, hi, page_lo(r->addr), page_hi(r->addr, r->size))) {
            return false;
        }
    }
    for (int i = 0; i < m.nregions; i++) {
        const struct region_model *g = &m.regions[i];
        if (pages_overlap(lo, hi, page_lo(g->base), page_hi(g->base, g->limit - g->base))) {
            return false;
        }
    }
    return true;
}

static struct res_model *free_slot(void)
{
    for (int i = 0; i < MAX_RES; i++) {
        if (!m.res[i].live) {
            memset(&m.res[i], 0, sizeof(m.res[i]));
            return &m.res[i];
        }
    }
    return NULL;
}

static struct res_model *pick_live(struct fuzz_input *in)
{
    unsigned k = fuzz_u8(in) % MAX_RES;
    for (unsigned i = 0; i < MAX_RES; i++) {
        struct res_model *r = &m.res[(k + i) % MAX_RES];
        if (r->live && !r->ram) {
            return r;
        }
    }
    return NULL;
}

/* The model's reservation whose exact range holds addr, or NULL. */
static struct res_model *model_find(uintptr_t addr)
{
    for (int i = 0; i < MAX_RES; i++) {
        struct res_model *r = &m.res[i];
        if (r->live && addr >= r->addr && addr - r->addr < r->size) {
            return r;
        }
    }
    return NULL;
}

static bool model_page_mapped(uintptr_t addr)
{
    for (int i = 0; i < MAX_RES; i++) {
        const struct res_model *r = &m.res[i];
        if (r->live && r->mapped && addr >= page_lo(r->addr) && addr < page_hi(r->addr, r->size)) {
            return true;
        }
    }
    return false;
}

/* Records where a callback was called and completes the access (reads see 0). */
static memory_fault_result_t complete_access(vm_vcpu_t *vcpu, uintptr_t addr, size_t len)
{
    m.last_addr = addr;
    m.last_len = len;
    if (is_vcpu_read_fault(vcpu)) {
        set_vcpu_fault_data(vcpu, 0);
    }
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static memory_fault_result_t counting_callback(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t fault_addr, size_t fault_length,
                                               void *cookie)
{
    struct res_model *r = cookie;
    FUZZ_CHECK(vm == &m.vm && vcpu == m.vcpu);
    FUZZ_CHECK(r->live && !r->ram);
    FUZZ_CHECK(fault_addr >= r->addr && fault_addr - r->addr < r->size);
    FUZZ_CHECK(fault_length <= r->size - (fault_addr - r->addr));
    r->callbacks++;
    return complete_access(vcpu, fault_addr, fault_length);
}

static memory_fault_result_t unhandled_callback(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t len, void *cookie)
{
    (void)cookie;
    FUZZ_CHECK(vm == &m.vm && vcpu == m.vcpu);
    FUZZ_CHECK(model_find(addr) == NULL || !model_find(addr)->ram);
    m.unhandled++;
    return complete_access(vcpu, addr, len);
}

/* An address mostly inside the window (where the model tracks RAM), sometimes near the top of the space. */
static uintptr_t pick_addr(struct fuzz_input *in)
{
    uint32_t v = fuzz_u32(in);
    if ((v >> 31) != 0) {
        return UINTPTR_MAX - (v & 0xffff);
    }
    return v % (WINDOW + 2 * PAGE);
}

static void op_reserve_at(struct fuzz_input *in)
{
    uintptr_t addr = pick_addr(in);
    size_t size = fuzz_u16(in) % (6 * PAGE);
    struct res_model *r = free_slot();
    if (r == NULL) {
        return;
    }
    bool expect = !span_wraps(addr, size) && model_span_free(addr, size);
    vm_memory_reservation_t *res = vm_reserve_memory_at(&m.vm, addr, size, counting_callback, r);
    /* Near the top of the space the guest vspace may refuse what the reservation rules allow. */
    FUZZ_CHECK(res == NULL || expect);
    FUZZ_CHECK(res != NULL || !expect || addr >= WINDOW + 2 * PAGE);
    if (res != NULL) {
        *r = (struct res_model){ .live = true, .res = res, .addr = addr, .size = size };
    }
}

static void op_make_anon(struct fuzz_input *in)
{
    uintptr_t addr = fuzz_u32(in) % WINDOW;
    size_t size = fuzz_u16(in) % (10 * PAGE);
    if (m.nregions == MAX_REGIONS || page_hi(addr, size) > WINDOW) {
        return;
    }
    bool expect = size != 0 && model_span_free(addr, size);
    int ret = vm_memory_make_anon(&m.vm, addr, size);
    FUZZ_CHECK((ret == 0) == expect);
    if (ret == 0) {
        /* Kept sorted: vm_reserve_anon_memory tries the regions in address order. */
        int i = m.nregions++;
        while (i > 0 && m.regions[i - 1].base > addr) {
            m.regions[i] = m.regions[i - 1];
            i--;
        }
        m.regions[i] = (struct region_model){ .base = addr, .limit = addr + size, .next = addr };
    }
}

/* Where the model places an anonymous reservation, and in which region; false if nowhere. */
static bool model_anon_place(size_t size, size_t align, uintptr_t *start, int *region)
{
    for (int i = 0; i < m.nregions; i++) {
        struct region_model *g = &m.regions[i];
        if (g->next > UINTPTR_MAX - (align - 1)) {
            continue;
        }
        uintptr_t s = ROUND_UP(g->next, align);
        if (s < g->limit && g->limit - s >= size) {
            *start = s;
            *region = i;
            return true;
        }
    }
    return false;
}

static uintptr_t bump_after(uintptr_t addr, size_t size)
{
    return ROUND_UP(addr + ROUND_UP(size, PAGE), PAGE);
}

static void op_reserve_anon(struct fuzz_input *in)
{
    size_t size = fuzz_u16(in) % (5 * PAGE);
    size_t align = (size_t)1 << (fuzz_u8(in) % 17);
    struct res_model *r = free_slot();
    if (r == NULL) {
        return;
    }
    uintptr_t want = 0, got = 0;
    int region = -1;
    bool expect = size != 0 && model_anon_place(size, align, &want, &region);
    vm_memory_reservation_t *res = vm_reserve_anon_memory(&m.vm, size, align, counting_callback, r, &got);
    FUZZ_CHECK((res != NULL) == expect);
    if (res != NULL) {
        FUZZ_CHECK(got == want);
        *r = (struct res_model){ .live = true, .anon = true, .res = res, .addr = got, .size = size };
        m.regions[region].next = bump_after(got, size);
    }
}

static struct region_model *region_of(uintptr_t addr)
{
    for (int i = 0; i < m.nregions; i++) {
        if (addr >= page_lo(m.regions[i].base) &&
            addr < page_hi(m.regions[i].base, m.regions[i].limit - m.regions[i].base)) {
            return &m.regions[i];
        }
    }
    return NULL;
}

/* The model side of freeing an anonymous reservation: the bump pointer drops back when it was the topmost. */
static void model_anon_rewind(const struct res_model *freed)
{
    struct region_model *g = region_of(freed->addr);
    FUZZ_CHECK(g != NULL);
    const struct res_model *below = NULL;
    for (int i = 0; i < MAX_RES; i++) {
        const struct res_model *r = &m.res[i];
        if (!r->live || !r->anon || region_of(r->addr) != g) {
            continue;
        }
        if (r->addr > freed->addr) {
            return;
        }
        if (below == NULL || r->addr > below->addr) {
            below = r;
        }
    }
    g->next = below != NULL ? bump_after(below->addr, below->size) : g->base;
}

static void free_frames(struct res_model *r)
{
    for (unsigned i = 0; i < r->nframes; i++) {
        vka_free_object(&fuzz_env.vka, &r->frames[i]);
    }
    r->nframes = 0;
}

static void op_free(struct fuzz_input *in)
{
    struct res_model *r = pick_live(in);
    if (r == NULL) {
        return;
    }
    FUZZ_CHECK(vm_free_reserved_memory(&m.vm, r->res) == 0);
    r->live = false;
    if (r->anon) {
        model_anon_rewind(r);
    }
    free_frames(r);
}

static void op_map(struct fuzz_input *in)
{
    struct res_model *r = pick_live(in);
    if (r == NULL || r->mapped) {
        return;
    }
    size_t pages = (page_hi(r->addr, r->size) - page_lo(r->addr)) / PAGE;
    if (pages > MAX_FRAMES) {
        return;
    }
    seL4_CPtr caps[MAX_FRAMES];
    for (size_t i = 0; i < pages; i++) {
        FUZZ_CHECK(vka_alloc_frame(&fuzz_env.vka, seL4_PageBits, &r->frames[i]) == 0);
        caps[i] = r->frames[i].cptr;
        r->nframes++;
    }
    FUZZ_CHECK(vm_map_reservation_frames(&m.vm, r->res, caps, pages, seL4_PageBits) == 0);
    r->mapped = true;
    /* A second mapping of the same reservation is refused. */
    FUZZ_CHECK(vm_map_reservation_frames(&m.vm, r->res, caps, pages, seL4_PageBits) == -1);
}

/* RAM of ram_bytes from start, in a reservation of res_bytes (vm_ram_register makes whole pages of RAM). */
static void model_add_ram(uintptr_t start, size_t res_bytes, size_t ram_bytes, vm_memory_reservation_t *res, bool anon)
{
    struct res_model *r = free_slot();
    FUZZ_CHECK(r != NULL);
    *r = (struct res_model){
        .live = true, .anon = anon, .ram = true, .mapped = true, .res = res, .addr = start, .size = res_bytes
    };
    memset(&m.ram[start], RAM_FREE, ram_bytes);
    m.ram_bytes += ram_bytes;
}

static void op_ram_register_at(struct fuzz_input *in)
{
    uint8_t a = fuzz_u8(in), b = fuzz_u8(in);
    uintptr_t start = (a % WINDOW_PAGES) * PAGE + ((b & 0x80) != 0 ? 0x10 : 0);
    size_t bytes = (1 + b % 8) * PAGE - ((b & 0x40) != 0 ? 1 : 0);
    if (start + bytes > WINDOW || free_slot() == NULL) {
        return;
    }
    bool expect = (b & 0xc0) == 0 && model_span_free(start, bytes);
    int ret = vm_ram_register_at(&m.vm, start, bytes, false);
    FUZZ_CHECK((ret == 0) == expect);
    if (ret == 0) {
        vm_memory_reservation_t *res = vm_memory_find_reservation(&m.vm, start);
        FUZZ_CHECK(res != NULL);
        model_add_ram(start, bytes, bytes, res, false);
    }
}

static void op_ram_register(struct fuzz_input *in)
{
    size_t bytes = fuzz_u16(in) % (4 * PAGE);
    if (free_slot() == NULL) {
        return;
    }
    uintptr_t want = 0;
    int region = -1;
    bool expect = bytes != 0 && model_anon_place(bytes, PAGE, &want, &region);
    uintptr_t got = vm_ram_register(&m.vm, bytes);
    FUZZ_CHECK(got == (expect ? want : 0));
    if (expect) {
        FUZZ_CHECK(got == want);
        vm_memory_reservation_t *res = vm_memory_find_reservation(&m.vm, got);
        FUZZ_CHECK(res != NULL);
        m.regions[region].next = bump_after(got, bytes);
        model_add_ram(got, bytes, ROUND_UP(bytes, PAGE), res, true);
    }
}

/* vm_ram_allocate's choice: the first free run, in address order, with room after skipping address 0. */
static bool model_first_fit(size_t bytes, uintptr_t *where)
{
    for (uintptr_t a = 0; a < WINDOW;) {
        uintptr_t e = a;
        while (e < WINDOW && m.ram[e] == m.ram[a]) {
            e++;
        }
        if (m.ram[a] == RAM_FREE) {
            uintptr_t s = a != 0 ? a : PAGE;
            if (s - a < e - a && (e - a) - (s - a) >= bytes) {
                *where = s;
                return true;
            }
        }
        a = e;
    }
    return false;
}

static bool model_all(uintptr_t start, size_t bytes, uint8_t state)
{
    /* Compared with a run of the state, as memcmp does it much faster than a loop under ASan. */
    static uint8_t runs[RAM_ALLOCATED + 1][WINDOW];
    if (runs[RAM_ALLOCATED][0] != RAM_ALLOCATED) {
        memset(runs[RAM_FREE], RAM_FREE, WINDOW);
        memset(runs[RAM_ALLOCATED], RAM_ALLOCATED, WINDOW);
    }
    if (bytes == 0 || start >= WINDOW || bytes > WINDOW - start) {
        return false;
    }
    return memcmp(&m.ram[start], runs[state], bytes) == 0;
}

static void op_ram_allocate(struct fuzz_input *in)
{
    size_t bytes = fuzz_u16(in) % (3 * PAGE);
    uintptr_t want = 0;
    bool expect = bytes != 0 && model_first_fit(bytes, &want);
    uintptr_t got = vm_ram_allocate(&m.vm, bytes);
    FUZZ_CHECK(got == (expect ? want : 0));
    if (expect) {
        memset(&m.ram[got], RAM_ALLOCATED, bytes);
    }
}

/* vm_ram_free when allocated is true, vm_ram_mark_allocated otherwise. */
static void op_ram_change(struct fuzz_input *in, bool free_it)
{
    uintptr_t start = fuzz_u32(in) % (WINDOW + PAGE);
    size_t bytes = fuzz_u16(in) % (3 * PAGE);
    uint8_t from = free_it ? RAM_ALLOCATED : RAM_FREE;
    bool expect = model_all(start, bytes, from);
    if (free_it) {
        vm_ram_free(&m.vm, start, bytes);
    } else {
        vm_ram_mark_allocated(&m.vm, start, bytes);
    }
    if (expect) {
        memset(&m.ram[start], free_it ? RAM_FREE : RAM_ALLOCATED, bytes);
    }
}

static void op_touch(struct fuzz_input *in)
{
    static uint8_t out[2 * PAGE + 16], back[2 * PAGE + 16];
    uintptr_t addr = fuzz_u32(in) % (WINDOW + PAGE);
    size_t size = fuzz_u16(in) % sizeof(out);
    uint8_t seed = fuzz_u8(in);
    bool expect = size != 0 && addr < WINDOW && size <= WINDOW - addr;
    for (size_t i = 0; expect && i < size; i++) {
        expect = m.ram[addr + i] != NOT_RAM;
    }
    for (size_t i = 0; i < size; i++) {
        out[i] = (uint8_t)(seed + i * 7);
    }
    int ret = vm_ram_touch(&m.vm, addr, size, vm_guest_ram_write_callback, out);
    FUZZ_CHECK((ret == 0) == expect);
    if (ret != 0) {
        return;
    }
    memset(back, 0, size);
    FUZZ_CHECK(vm_ram_touch(&m.vm, addr, size, vm_guest_ram_read_callback, back) == 0);
    FUZZ_CHECK(memcmp(out, back, size) == 0);
    /* The guest sees what the VMM wrote, without a fault. */
    sel4kvm_test_access_t acc;
    FUZZ_CHECK(sel4kvm_test_mmio_read(m.vcpu, addr, 1, &acc) == 0);
    FUZZ_CHECK(acc.callbacks == 0 && acc.read_value == out[0]);
}

static unsigned total_callbacks(void)
{
    unsigned n = m.unhandled;
    for (int i = 0; i < MAX_RES; i++) {
        n += m.res[i].callbacks;
    }
    return n;
}

static void op_access(struct fuzz_input *in)
{
    uint8_t how = fuzz_u8(in);
    uintptr_t addr = pick_addr(in);
    size_t size = (size_t)1 << (how & 3);
    bool is_read = (how & 4) != 0;
    uint64_t value = fuzz_bytes(in, 8);
    bool crosses = page_lo(addr) != page_lo(addr + size - 1) || addr > UINTPTR_MAX - size;
    bool mapped = model_page_mapped(addr) && (size == 1 || model_page_mapped(addr + size - 1));
    struct res_model *r = model_find(addr);
    unsigned before_res = r != NULL ? r->callbacks : 0, before_unhandled = m.unhandled, before_all = total_callbacks();
    /* Refused arguments (an access that wraps) leave acc as it was. */
    sel4kvm_test_access_t acc = { .result = -1 };
    int ret = is_read ? sel4kvm_test_mmio_read(m.vcpu, addr, size, &acc)
                      : sel4kvm_test_mmio_write(m.vcpu, addr, size, value, &acc);
    FUZZ_CHECK(ret == acc.result);
    FUZZ_CHECK(total_callbacks() - before_all <= 1);
    if (crosses && !mapped) {
        return;
    }
    if (mapped) {
        FUZZ_CHECK(ret == 0 && total_callbacks() == before_all);
    } else if (r == NULL) {
        FUZZ_CHECK(ret == 0 && m.unhandled == before_unhandled + 1 && m.last_addr == addr && m.last_len == size);
    } else if (size > r->size - (addr - r->addr)) {
        /* Runs past the end of its reservation. */
        FUZZ_CHECK(ret == -1 && total_callbacks() == before_all);
    } else if (r->ram) {
        FUZZ_CHECK(ret == -1);
    } else {
        FUZZ_CHECK(ret == 0 && r->callbacks == before_res + 1 && m.last_addr == addr && m.last_len == size);
    }
}

static void op_largest(void)
{
    uintptr_t addr = 0;
    size_t size = 0;
    uintptr_t best = 0;
    size_t best_size = 0;
    for (uintptr_t a = 0; a < WINDOW;) {
        uintptr_t e = a;
        while (e < WINDOW && m.ram[e] == m.ram[a]) {
            e++;
        }
        if (m.ram[a] == RAM_FREE && e - a > best_size) {
            best = a;
            best_size = e - a;
        }
        a = e;
    }
    int ret = vm_ram_find_largest_free_region(&m.vm, &addr, &size);
    FUZZ_CHECK((ret == 0) == (best_size != 0));
    FUZZ_CHECK(ret != 0 || (addr == best && size == best_size));
}

/* The region list is sorted, merged, inside the window and agrees byte for byte with the model. */
static void check_ram(void)
{
    size_t listed = 0;
    const struct vm_ram_region *r = m.vm.mem.ram_regions;
    for (int i = 0; i < m.vm.mem.num_ram_regions; i++) {
        FUZZ_CHECK(r[i].size != 0 && r[i].start < WINDOW && r[i].size <= WINDOW - r[i].start);
        if (i > 0) {
            FUZZ_CHECK(r[i - 1].start + r[i - 1].size <= r[i].start);
            FUZZ_CHECK(r[i - 1].start + r[i - 1].size != r[i].start || !r[i - 1].allocated != !r[i].allocated);
        }
        FUZZ_CHECK(model_all(r[i].start, r[i].size, r[i].allocated ? RAM_ALLOCATED : RAM_FREE));
        listed += r[i].size;
    }
    FUZZ_CHECK(listed == m.ram_bytes);
}

/* Lookups agree with the model at both ends of every reservation and just outside them. */
static void check_lookup(void)
{
    for (int i = 0; i < MAX_RES; i++) {
        const struct res_model *r = &m.res[i];
        if (!r->live) {
            continue;
        }
        FUZZ_CHECK(vm_memory_find_reservation(&m.vm, r->addr) == r->res);
        FUZZ_CHECK(vm_memory_find_reservation(&m.vm, r->addr + r->size - 1) == r->res);
        uintptr_t probes[2] = { r->addr - 1, r->addr + r->size };
        for (int p = 0; p < 2; p++) {
            const struct res_model *other = model_find(probes[p]);
            FUZZ_CHECK(vm_memory_find_reservation(&m.vm, probes[p]) == (other != NULL ? other->res : NULL));
        }
    }
}

FUZZ_INITIALIZE_ENV()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { .data = data, .size = size };
    memset(&m, 0, sizeof(m));
    m.vcpu = fuzz_vm_up(&m.vm);
    FUZZ_CHECK(vm_register_unhandled_mem_fault_callback(&m.vm, unhandled_callback, NULL) == 0);
    for (int step = 0; step < MAX_STEPS && fuzz_more(&in); step++) {
        switch (fuzz_u8(&in) % 13) {
        case 0:
            op_reserve_at(&in);
            break;
        case 1:
            op_make_anon(&in);
            break;
        case 2:
            op_reserve_anon(&in);
            break;
        case 3:
            op_free(&in);
            break;
        case 4:
            op_map(&in);
            break;
        case 5:
            op_ram_register_at(&in);
            break;
        case 6:
            op_ram_register(&in);
            break;
        case 7:
            op_ram_allocate(&in);
            break;
        case 8:
            op_ram_change(&in, true);
            break;
        case 9:
            op_ram_change(&in, false);
            break;
        case 10:
            op_touch(&in);
            break;
        case 11:
            op_access(&in);
            break;
        default:
            op_largest();
            break;
        }
        check_ram();
        check_lookup();
    }
    /* RAM is the library's to release; the other reservations are reported as left live. */
    int live = 0;
    for (int i = 0; i < MAX_RES; i++) {
        live += m.res[i].live && !m.res[i].ram;
    }
    FUZZ_CHECK(sel4kvm_vm_destroy(&m.vm) == live);
    for (int i = 0; i < MAX_RES; i++) {
        free_frames(&m.res[i]);
    }
    return 0;
}
