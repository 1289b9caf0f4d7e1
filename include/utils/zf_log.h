/* ZF_LOG-compatible logging macros, filtered at compile time (ZF_LOG_LEVEL) and at run time (SEL4KVM_LOG). */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdlib.h>

#define ZF_LOG_VERBOSE 1
#define ZF_LOG_DEBUG 2
#define ZF_LOG_INFO 3
#define ZF_LOG_WARN 4
#define ZF_LOG_ERROR 5
#define ZF_LOG_FATAL 6
#define ZF_LOG_NONE 0xff

/* Compile-time floor: messages below it are not compiled in. Upstream builds choose it per library. */
#ifndef ZF_LOG_LEVEL
#define ZF_LOG_LEVEL ZF_LOG_VERBOSE
#endif

#ifndef ZF_LOG_TAG
#define ZF_LOG_TAG NULL
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The run-time level comes from the SEL4KVM_LOG environment variable (verbose, debug, info, warn, error,
 * fatal, none, or 1..6), read on first use; the default is info. Setting level 0 makes the next use read the
 * environment again. */
int zf_log_runtime_level(void);
void zf_log_set_runtime_level(int level);
void zf_log_write(int level, const char *tag, const char *file, int line, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#ifdef __cplusplus
}
#endif

#define ZF_LOG_ON(lvl) ((lvl) >= ZF_LOG_LEVEL && (lvl) >= zf_log_runtime_level())
#define ZF_LOG_ON_VERBOSE ZF_LOG_ON(ZF_LOG_VERBOSE)
#define ZF_LOG_ON_DEBUG ZF_LOG_ON(ZF_LOG_DEBUG)
#define ZF_LOG_ON_INFO ZF_LOG_ON(ZF_LOG_INFO)
#define ZF_LOG_ON_WARN ZF_LOG_ON(ZF_LOG_WARN)
#define ZF_LOG_ON_ERROR ZF_LOG_ON(ZF_LOG_ERROR)
#define ZF_LOG_ON_FATAL ZF_LOG_ON(ZF_LOG_FATAL)

#define ZF_LOG_WRITE_(lvl, ...)                                                                                        \
    do {                                                                                                               \
        if (ZF_LOG_ON(lvl)) {                                                                                          \
            zf_log_write((lvl), ZF_LOG_TAG, __FILE__, __LINE__, __func__, __VA_ARGS__);                                \
        }                                                                                                              \
    } while (0)

#define ZF_LOGV(...) ZF_LOG_WRITE_(ZF_LOG_VERBOSE, __VA_ARGS__)
#define ZF_LOGD(...) ZF_LOG_WRITE_(ZF_LOG_DEBUG, __VA_ARGS__)
#define ZF_LOGI(...) ZF_LOG_WRITE_(ZF_LOG_INFO, __VA_ARGS__)
#define ZF_LOGW(...) ZF_LOG_WRITE_(ZF_LOG_WARN, __VA_ARGS__)
#define ZF_LOGE(...) ZF_LOG_WRITE_(ZF_LOG_ERROR, __VA_ARGS__)
/* Fatal messages are always written, then the process aborts, as upstream's ZF_LOGF does. */
#define ZF_LOGF(...)                                                                                                   \
    do {                                                                                                               \
        zf_log_write(ZF_LOG_FATAL, ZF_LOG_TAG, __FILE__, __LINE__, __func__, __VA_ARGS__);                             \
        abort();                                                                                                       \
    } while (0)

#define ZF_LOG_IF_(cond, logger, ...)                                                                                  \
    ({                                                                                                                 \
        int zf_cond_ = !!(cond);                                                                                       \
        if (zf_cond_) {                                                                                                \
            logger(__VA_ARGS__);                                                                                       \
        }                                                                                                              \
        zf_cond_;                                                                                                      \
    })

#define ZF_LOGV_IF(cond, ...) ZF_LOG_IF_(cond, ZF_LOGV, __VA_ARGS__)
#define ZF_LOGD_IF(cond, ...) ZF_LOG_IF_(cond, ZF_LOGD, __VA_ARGS__)
#define ZF_LOGI_IF(cond, ...) ZF_LOG_IF_(cond, ZF_LOGI, __VA_ARGS__)
#define ZF_LOGW_IF(cond, ...) ZF_LOG_IF_(cond, ZF_LOGW, __VA_ARGS__)
#define ZF_LOGE_IF(cond, ...) ZF_LOG_IF_(cond, ZF_LOGE, __VA_ARGS__)
#define ZF_LOGF_IF(cond, ...)                                                                                          \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            ZF_LOGF(__VA_ARGS__);                                                                                      \
        }                                                                                                              \
    } while (0)
