/* The ZF_LOG back end: a run-time level from SEL4KVM_LOG and one formatted line per message on stderr. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <utils/zf_log.h>
#include <sel4kvm/log.h>

#define LEVEL_UNSET 0

static atomic_int runtime_level = LEVEL_UNSET;
static sel4kvm_log_sink_fn sink;
static void *sink_cookie;
static atomic_ulong message_count[ZF_LOG_FATAL + 1];

static int parse_level(const char *s)
{
    static const char *const names[] = { "verbose", "debug", "info", "warn", "error", "fatal" };
    if (s == NULL || *s == '\0') {
        return ZF_LOG_INFO;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(s, names[i]) == 0) {
            return (int)i + ZF_LOG_VERBOSE;
        }
    }
    if (strcasecmp(s, "none") == 0 || strcasecmp(s, "off") == 0) {
        return ZF_LOG_NONE;
    }
    if (s[0] >= '1' && s[0] <= '6' && s[1] == '\0') {
        return s[0] - '0';
    }
    return ZF_LOG_INFO;
}

int zf_log_runtime_level(void)
{
    int level = atomic_load_explicit(&runtime_level, memory_order_relaxed);
    if (level == LEVEL_UNSET) {
        level = parse_level(getenv("SEL4KVM_LOG"));
        atomic_store(&runtime_level, level);
    }
    return level;
}

void zf_log_set_runtime_level(int level)
{
    atomic_store(&runtime_level, level);
}

static const char level_letter[] = { '?', 'V', 'D', 'I', 'W', 'E', 'F' };

void zf_log_write(int level, const char *tag, const char *file, int line, const char *func, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t len = strlen(msg);
    while (len > 0 && msg[len - 1] == '\n') {
        msg[--len] = '\0';
    }
    if (level >= ZF_LOG_VERBOSE && level <= ZF_LOG_FATAL) {
        atomic_fetch_add(&message_count[level], 1);
    }
    if (sink != NULL) {
        sink(sink_cookie, level, tag, file, line, func, msg);
        return;
    }
    const char *base = strrchr(file, '/');
    fprintf(stderr, "%c %s%s%s:%d %s: %s\n", level_letter[level >= 1 && level <= 6 ? level : 0], tag ? tag : "",
            tag ? " " : "", base ? base + 1 : file, line, func, msg);
}

void sel4kvm_log_set_sink(sel4kvm_log_sink_fn fn, void *cookie)
{
    sink = fn;
    sink_cookie = cookie;
}

unsigned long sel4kvm_log_count(int level)
{
    if (level < ZF_LOG_VERBOSE || level > ZF_LOG_FATAL) {
        return 0;
    }
    return atomic_load(&message_count[level]);
}
