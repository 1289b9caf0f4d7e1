/* sel4vm-run: runs a guest image (flat, ELF or Multiboot) under KVM with sensible defaults; see docs/sel4vm-run.1. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <sel4kvm/log.h>
#include <utils/zf_log.h>
#include "runner.h"

/* Library errors are kept while the VM is set up, so that a refusal is one line naming its cause; while the
 * guest runs they are printed as they come. Warnings are always printed. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_error[512];
static bool running;

static void log_sink(void *cookie, int level, const char *tag, const char *file, int line, const char *func,
                     const char *msg)
{
    (void)cookie;
    (void)tag;
    (void)file;
    (void)line;
    (void)func;
    pthread_mutex_lock(&log_lock);
    if (level >= ZF_LOG_ERROR) {
        g_strlcpy(last_error, msg, sizeof(last_error));
        if (running) {
            fprintf(stderr, "sel4vm-run: %s\n", msg);
        }
    } else if (level >= ZF_LOG_WARN) {
        fprintf(stderr, "sel4vm-run: warning: %s\n", msg);
    }
    pthread_mutex_unlock(&log_lock);
}

void report_clear(void)
{
    pthread_mutex_lock(&log_lock);
    last_error[0] = '\0';
    pthread_mutex_unlock(&log_lock);
}

void report_running(bool on)
{
    pthread_mutex_lock(&log_lock);
    running = on;
    last_error[0] = '\0';
    pthread_mutex_unlock(&log_lock);
}

void report(const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "sel4vm-run: %s%s%s\n", text, last_error[0] != '\0' ? ": " : "", last_error);
    last_error[0] = '\0';
    pthread_mutex_unlock(&log_lock);
}

int main(int argc, char **argv)
{
    sel4kvm_log_set_sink(log_sink, NULL);
    struct runner_options o;
    int status = options_parse(argc, argv, &o) == 0 ? runner_run(&o) : EXIT_BAD_INPUT;
    options_free();
    fflush(stdout);
    return status;
}
