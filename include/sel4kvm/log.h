/* Where ZF_LOG messages go, and how many were written: for tests that check a message was logged. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/***
 * @module log.h
 * ZF_LOG messages are written to stderr, one line each, filtered by the SEL4KVM_LOG environment variable
 * (verbose, debug, info, warn, error, fatal or none; default info). A sink can take them instead.
 */

typedef void (*sel4kvm_log_sink_fn)(void *cookie, int level, const char *tag, const char *file, int line,
                                    const char *func, const char *msg);

/***
 * @function sel4kvm_log_set_sink(fn, cookie)
 * Send every message that passes the level filter to fn instead of stderr.
 * @param {sel4kvm_log_sink_fn} fn Receiver, or NULL to restore stderr
 * @param {void *} cookie Passed to fn
 */
void sel4kvm_log_set_sink(sel4kvm_log_sink_fn fn, void *cookie);

/***
 * @function sel4kvm_log_count(level)
 * Messages written at a level since the process started (only those passing the level filter).
 * @param {int} level ZF_LOG_VERBOSE .. ZF_LOG_FATAL
 * @return the count
 */
unsigned long sel4kvm_log_count(int level);

#ifdef __cplusplus
}
#endif
