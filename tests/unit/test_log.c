/* ZF_LOG compatibility: run-time level from SEL4KVM_LOG, the _IF forms, sinks and counters. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sel4kvm/log.h>
#include <utils/util.h>

struct captured {
    int count;
    int level;
    char msg[256];
    char func[64];
};

static void capture(void *cookie, int level, const char *tag, const char *file, int line, const char *func,
                    const char *msg)
{
    (void)tag;
    (void)file;
    (void)line;
    struct captured *c = cookie;
    c->count++;
    c->level = level;
    strncpy(c->msg, msg, sizeof(c->msg) - 1);
    strncpy(c->func, func, sizeof(c->func) - 1);
}

static int with_sink(void **state)
{
    static struct captured c;
    memset(&c, 0, sizeof(c));
    sel4kvm_log_set_sink(capture, &c);
    zf_log_set_runtime_level(ZF_LOG_INFO);
    *state = &c;
    return 0;
}

static int without_sink(void **state)
{
    (void)state;
    sel4kvm_log_set_sink(NULL, NULL);
    return 0;
}

static void test_messages_below_the_level_are_dropped(void **state)
{
    struct captured *c = *state;
    ZF_LOGD("debug %d", 1);
    ZF_LOGV("verbose");
    assert_int_equal(c->count, 0);
    ZF_LOGI("info %d", 2);
    assert_int_equal(c->count, 1);
    assert_string_equal(c->msg, "info 2");
    assert_int_equal(c->level, ZF_LOG_INFO);
}

static void test_level_can_be_lowered_at_run_time(void **state)
{
    struct captured *c = *state;
    zf_log_set_runtime_level(ZF_LOG_VERBOSE);
    ZF_LOGV("now %s", "visible");
    assert_int_equal(c->count, 1);
    assert_string_equal(c->func, "test_level_can_be_lowered_at_run_time");
}

static void test_if_forms_log_only_when_true_and_return_the_condition(void **state)
{
    struct captured *c = *state;
    assert_false(ZF_LOGE_IF(1 == 2, "never"));
    assert_int_equal(c->count, 0);
    assert_true(ZF_LOGE_IF(2 == 2, "error %s", "logged"));
    assert_int_equal(c->count, 1);
    assert_int_equal(c->level, ZF_LOG_ERROR);
    ZF_LOGF_IF(0, "fatal only when true");
    assert_int_equal(c->count, 1);
}

static void test_trailing_newlines_are_trimmed(void **state)
{
    struct captured *c = *state;
    ZF_LOGW("Unimplemented\n");
    assert_string_equal(c->msg, "Unimplemented");
}

static void test_counters_track_each_level(void **state)
{
    (void)state;
    unsigned long before = sel4kvm_log_count(ZF_LOG_ERROR);
    ZF_LOGE("one");
    ZF_LOGE("two");
    assert_int_equal(sel4kvm_log_count(ZF_LOG_ERROR), before + 2);
    assert_int_equal(sel4kvm_log_count(0), 0);
    assert_int_equal(sel4kvm_log_count(99), 0);
}

/* cmocka's mock_assert stands in for abort() so that ZF_LOGF can be tested. */
#define abort() mock_assert(0, "abort", __FILE__, __LINE__)

static void test_fatal_aborts(void **state)
{
    (void)state;
    expect_assert_failure(ZF_LOGF("fatal"));
}

static void test_environment_variable_sets_the_level(void **state)
{
    (void)state;
    /* the level is read once from SEL4KVM_LOG; resetting it to 0 makes the next use read it again */
    setenv("SEL4KVM_LOG", "error", 1);
    zf_log_set_runtime_level(0);
    assert_int_equal(zf_log_runtime_level(), ZF_LOG_ERROR);
    setenv("SEL4KVM_LOG", "DEBUG", 1);
    zf_log_set_runtime_level(0);
    assert_int_equal(zf_log_runtime_level(), ZF_LOG_DEBUG);
    setenv("SEL4KVM_LOG", "none", 1);
    zf_log_set_runtime_level(0);
    assert_int_equal(zf_log_runtime_level(), ZF_LOG_NONE);
    setenv("SEL4KVM_LOG", "nonsense", 1);
    zf_log_set_runtime_level(0);
    assert_int_equal(zf_log_runtime_level(), ZF_LOG_INFO);
    unsetenv("SEL4KVM_LOG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_messages_below_the_level_are_dropped, with_sink, without_sink),
        cmocka_unit_test_setup_teardown(test_level_can_be_lowered_at_run_time, with_sink, without_sink),
        cmocka_unit_test_setup_teardown(test_if_forms_log_only_when_true_and_return_the_condition, with_sink,
                                        without_sink),
        cmocka_unit_test_setup_teardown(test_trailing_newlines_are_trimmed, with_sink, without_sink),
        cmocka_unit_test_setup_teardown(test_counters_track_each_level, with_sink, without_sink),
        cmocka_unit_test_setup_teardown(test_fatal_aborts, with_sink, without_sink),
        cmocka_unit_test(test_environment_variable_sets_the_level),
    };
    return cmocka_run_group_tests_name("zf_log", tests, NULL, NULL);
}
