/* Group setup/teardown that silence log output for tests that provoke many errors on purpose. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <sel4kvm/log.h>
#include <utils/util.h>

static void quiet_sink(UNUSED void *cookie, UNUSED int level, UNUSED const char *tag, UNUSED const char *file,
                       UNUSED int line, UNUSED const char *func, UNUSED const char *msg)
{
}

/* Messages still pass the level filter and are counted (sel4kvm_log_count); they are just not printed. */
static int quiet_group(void **state)
{
    (void)state;
    sel4kvm_log_set_sink(quiet_sink, NULL);
    return 0;
}

static int loud_group(void **state)
{
    (void)state;
    sel4kvm_log_set_sink(NULL, NULL);
    return 0;
}

/* Runs stmt and fails the test unless it logged at least one error. */
#define assert_logs_error(stmt)                                                                                        \
    do {                                                                                                               \
        unsigned long errors_before_ = sel4kvm_log_count(ZF_LOG_ERROR);                                                \
        stmt;                                                                                                          \
        assert_true(sel4kvm_log_count(ZF_LOG_ERROR) > errors_before_);                                                 \
    } while (0)
