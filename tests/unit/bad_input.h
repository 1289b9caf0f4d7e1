/* Bad-input matrix runner: one cmocka test per table row, a "still works" check after each, header coverage. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <sel4/sel4.h>
#include <sel4kvm/env.h>
#include <sel4kvm/log.h>
#include <sel4kvm/test_backend.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_memory.h>
#include <sel4vm/guest_ram.h>
#include <sel4vm/guest_vcpu_fault.h>
#include <sel4vm/guest_vm.h>
#include <vka/object.h>
#include <vspace/vspace.h>
#include "quiet_log.h"

/* The Makefile passes the source tree's include directory; running from the tree root works without it. */
#ifndef SEL4KVM_SOURCE_INCLUDE
#define SEL4KVM_SOURCE_INCLUDE "include"
#endif

/* Guest-physical addresses the still-works check uses; rows keep away from them. */
#define BI_CHECK_MMIO 0xf0000000ul
#define BI_CHECK_RAM 0xe0000000ul

struct bi_fixture {
    const struct bad_input_case *row;
    sel4kvm_env_t env;
    vm_t vm;
    vm_vcpu_t *vcpu;
    /* What a row leaves for its own still-works check. */
    vm_memory_reservation_t *res;
    uintptr_t addr;
    void *ptr;
};

typedef intptr_t (*bi_call_fn)(struct bi_fixture *f);
typedef void (*bi_check_fn)(struct bi_fixture *f);

struct bad_input_case {
    const char *name;
    /* The public function the row covers. */
    const char *function;
    bi_call_fn call;
    intptr_t expected;
    /* BI_QUIET, BI_LOGS (an error message is required) or BI_WARNS (a warning or an error is required). */
    int logs;
    /* A row-specific valid call after the bad one, or NULL; the common check always runs. */
    bi_check_fn still_works;
};

#define BI_QUIET 0
#define BI_LOGS 1
/* For the checks seed 004 has the vspace wrappers make with a warning (e.g. "Attempt to map 0 pages"). */
#define BI_WARNS 2

/*
 * A row list is an X-macro of X(function, label, expected, logs, still_works, expression): the expression makes the
 * bad call with `f` (struct bi_fixture *) in scope and its value is compared with expected as an intptr_t.
 */
#define BI_DEFINE_CALL(fn, label, expected, log_mode, check, expr)                                                     \
    static intptr_t bi_call_##fn##__##label(struct bi_fixture *f)                                                      \
    {                                                                                                                  \
        (void)f;                                                                                                       \
        return (intptr_t)(expr);                                                                                       \
    }
#define BI_DEFINE_ROW(fn, label, expected_value, log_mode, check, expr)                                                \
    { .name = #fn "/" #label,                                                                                          \
      .function = #fn,                                                                                                 \
      .call = bi_call_##fn##__##label,                                                                                 \
      .expected = (intptr_t)(expected_value),                                                                          \
      .logs = (log_mode),                                                                                              \
      .still_works = (check) },

/* Releases what an area's rows keep outside the fixture; called before the VM goes. */
static bi_check_fn bi_area_cleanup;

static inline int bi_setup(void **state)
{
    struct bi_fixture *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return -1;
    }
    f->row = *state;
    *state = f;
    if (sel4kvm_env_init(&f->env, NULL) != 0) {
        return -1;
    }
    if (vm_init(&f->vm, &f->env.vka, &f->env.simple, f->env.vspace, &f->env.io_ops, f->env.host_endpoint, "bad") != 0) {
        return -1;
    }
    f->vcpu = vm_create_vcpu(&f->vm, 100);
    return f->vcpu != NULL ? 0 : -1;
}

static inline int bi_teardown(void **state)
{
    struct bi_fixture *f = *state;
    if (bi_area_cleanup != NULL) {
        bi_area_cleanup(f);
    }
    sel4kvm_vm_destroy(&f->vm);
    sel4kvm_env_destroy(&f->env);
    free(f);
    return 0;
}

static inline memory_fault_result_t bi_count_fault(UNUSED vm_t *vm, vm_vcpu_t *vcpu, UNUSED uintptr_t addr,
                                                   UNUSED size_t len, void *cookie)
{
    (*(unsigned *)cookie)++;
    if (is_vcpu_read_fault(vcpu)) {
        set_vcpu_fault_data(vcpu, 0x5a5a5a5a);
    }
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

static inline int bi_touch_write(UNUSED vm_t *vm, UNUSED uintptr_t guest_addr, void *vmm_vaddr, size_t size,
                                 UNUSED size_t offset, UNUSED void *cookie)
{
    memset(vmm_vaddr, 0xa5, size);
    return 0;
}

/* After any row: the allocator, the VMM's vspace, the kernel, guest memory, RAM and fault dispatch all still work. */
static inline void bi_still_works(struct bi_fixture *f)
{
    vka_object_t frame;
    assert_int_equal(vka_alloc_frame(&f->env.vka, seL4_PageBits, &frame), 0);
    seL4_X86_Page_GetAddress_t pa = seL4_X86_Page_GetAddress(frame.cptr);
    assert_int_equal(pa.error, seL4_NoError);
    vka_free_object(&f->env.vka, &frame);

    unsigned char *page = vspace_new_pages(&f->env.vspace, seL4_AllRights, 1, seL4_PageBits);
    assert_non_null(page);
    page[0] = 1;
    page[4095] = 2;
    vspace_unmap_pages(&f->env.vspace, page, 1, seL4_PageBits, VSPACE_FREE);

    unsigned faults = 0;
    vm_memory_reservation_t *res = vm_reserve_memory_at(&f->vm, BI_CHECK_MMIO, 0x1000, bi_count_fault, &faults);
    assert_non_null(res);
    sel4kvm_test_access_t access;
    assert_int_equal(sel4kvm_test_mmio_read(f->vcpu, BI_CHECK_MMIO + 0x10, 4, &access), 0);
    assert_int_equal(faults, 1);
    assert_int_equal(access.read_value, 0x5a5a5a5a);
    assert_int_equal(vm_free_reserved_memory(&f->vm, res), 0);

    assert_int_equal(vm_ram_register_at(&f->vm, BI_CHECK_RAM, 0x2000, false), 0);
    assert_int_equal(vm_ram_touch(&f->vm, BI_CHECK_RAM + 0xff0, 0x20, bi_touch_write, NULL), 0);
    unsigned char back[0x20];
    assert_int_equal(vm_ram_touch(&f->vm, BI_CHECK_RAM + 0xff0, sizeof(back), vm_guest_ram_read_callback, back), 0);
    assert_int_equal(back[0], 0xa5);
    assert_int_equal(back[0x1f], 0xa5);
}

static inline void bi_run_row(void **state)
{
    struct bi_fixture *f = *state;
    const struct bad_input_case *row = f->row;
    unsigned long errors_before = sel4kvm_log_count(ZF_LOG_ERROR);
    unsigned long warnings_before = sel4kvm_log_count(ZF_LOG_WARN);
    intptr_t got = row->call(f);
    if (got != row->expected) {
        fail_msg("%s returned %#lx, expected %#lx", row->name, (unsigned long)got, (unsigned long)row->expected);
    }
    bool logged_error = sel4kvm_log_count(ZF_LOG_ERROR) > errors_before;
    if (row->logs == BI_LOGS && !logged_error) {
        fail_msg("%s logged no error", row->name);
    }
    if (row->logs == BI_WARNS && !logged_error && sel4kvm_log_count(ZF_LOG_WARN) == warnings_before) {
        fail_msg("%s logged no warning or error", row->name);
    }
    if (row->still_works != NULL) {
        row->still_works(f);
    }
    bi_still_works(f);
}

/* Removes what can hide or fake a declaration: comments, preprocessor lines and attributes. */
static inline char *bi_strip(const char *text)
{
    static const char *const patterns[] = {
        "/\\*.*?\\*/",
        "//[^\\n]*",
        "^[ \\t]*#(?:[^\\n]*\\\\\\n)*[^\\n]*",
        "__attribute__\\s*\\(\\((?:[^()]|\\((?:[^()]|\\([^()]*\\))*\\))*\\)\\)",
    };
    char *out = g_strdup(text);
    for (size_t i = 0; i < ARRAY_SIZE(patterns); i++) {
        GRegex *re = g_regex_new(patterns[i], G_REGEX_DOTALL | G_REGEX_MULTILINE, 0, NULL);
        assert_non_null(re);
        char *next = g_regex_replace_literal(re, out, -1, 0, "", 0, NULL);
        g_regex_unref(re);
        g_free(out);
        out = next;
    }
    /* object.h generates its leaky allocators with LEAKY(name) / LEAKY_SIZE_BITS(name). */
    GRegex *leaky = g_regex_new("^LEAKY(?:_SIZE_BITS)?\\((\\w+)\\)", G_REGEX_MULTILINE, 0, NULL);
    char *expanded = g_regex_replace(leaky, out, -1, 0, "vka_alloc_\\1_leaky(", 0, NULL);
    g_regex_unref(leaky);
    g_free(out);
    return expanded;
}

/* Adds every function a header declares or defines (at file scope, starting in column 0) to names. */
static inline void bi_header_functions(const char *path, GHashTable *names)
{
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        fail_msg("cannot read %s", path);
    }
    char *code = bi_strip(text);
    g_free(text);
    GRegex *decl = g_regex_new("^(?!typedef\\b|struct\\b[^(;]*\\{|enum\\b|union\\b|extern\\b)(?:static\\s+)?"
                               "(?:inline\\s+)?[A-Za-z_][\\w\\s\\*]*?\\b(\\w+)\\s*\\(",
                               G_REGEX_MULTILINE, 0, NULL);
    assert_non_null(decl);
    GMatchInfo *match = NULL;
    g_regex_match(decl, code, 0, &match);
    while (g_match_info_matches(match)) {
        char *name = g_match_info_fetch(match, 1);
        g_hash_table_add(names, name);
        g_match_info_next(match, NULL);
    }
    g_match_info_free(match);
    g_regex_unref(decl);
    g_free(code);
}

static inline void bi_collect(const char *path, GHashTable *names)
{
    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        bi_header_functions(path, names);
        return;
    }
    GDir *dir = g_dir_open(path, 0, NULL);
    assert_non_null(dir);
    const char *entry;
    while ((entry = g_dir_read_name(dir)) != NULL) {
        char *child = g_build_filename(path, entry, NULL);
        if (g_file_test(child, G_FILE_TEST_IS_DIR) || g_str_has_suffix(entry, ".h")) {
            bi_collect(child, names);
        }
        g_free(child);
    }
    g_dir_close(dir);
}

struct bi_coverage {
    const char *const *headers;
    const struct bad_input_case *rows;
    size_t num_rows;
};

/* Fails naming every public function of the area's headers that no row covers. */
static inline void bi_check_coverage(void **state)
{
    const struct bi_coverage *cov = *state;
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (const char *const *h = cov->headers; *h != NULL; h++) {
        char *path = g_build_filename(SEL4KVM_SOURCE_INCLUDE, *h, NULL);
        bi_collect(path, names);
        g_free(path);
    }
    assert_true(g_hash_table_size(names) > 0);
    unsigned missing = 0;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, names);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        bool covered = false;
        for (size_t i = 0; i < cov->num_rows && !covered; i++) {
            covered = strcmp(cov->rows[i].function, key) == 0;
        }
        if (!covered) {
            print_error("no bad-input row for %s\n", (const char *)key);
            missing++;
        }
    }
    g_hash_table_unref(names);
    assert_int_equal(missing, 0);
}

/* Runs every row as its own named test, then the coverage check over the area's headers (NULL-terminated). */
static inline int bi_run(const char *group, const struct bad_input_case *rows, size_t num_rows,
                         const char *const *headers)
{
    struct CMUnitTest *tests = calloc(num_rows + 1, sizeof(*tests));
    if (tests == NULL) {
        return 1;
    }
    for (size_t i = 0; i < num_rows; i++) {
        tests[i] = (struct CMUnitTest){ .name = rows[i].name,
                                        .test_func = bi_run_row,
                                        .setup_func = bi_setup,
                                        .teardown_func = bi_teardown,
                                        .initial_state = (void *)&rows[i] };
    }
    struct bi_coverage cov = { .headers = headers, .rows = rows, .num_rows = num_rows };
    tests[num_rows] = (struct CMUnitTest){ .name = "every_public_function_has_a_row",
                                           .test_func = bi_check_coverage,
                                           .initial_state = &cov };
    int failed = _cmocka_run_group_tests(group, tests, num_rows + 1, quiet_group, loud_group);
    free(tests);
    return failed;
}
