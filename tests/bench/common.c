/* The benchmark suite's shared pieces: result rows, statistics over alternating rounds, child processes. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sel4kvm/vm.h>
#include <sel4vm/guest_vcpu_fault.h>
#include "bench.h"

void row_result(struct bench_row *row, double value, const char *library, const char *reference)
{
    row->measured = true;
    row->value = value;
    snprintf(row->library, sizeof(row->library), "%s", library);
    snprintf(row->reference, sizeof(row->reference), "%s", reference);
}

void row_skip(struct bench_row *row, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(row->status, sizeof(row->status), fmt, ap);
    va_end(ap);
    row->measured = false;
}

void row_detail(struct bench_row *row, const char *name, double value)
{
    size_t used = strlen(row->details);
    snprintf(row->details + used, sizeof(row->details) - used, "%s\"%s\": %.9g", used > 0 ? ", " : "", name, value);
}

const char *row_verdict(const struct bench_row *row)
{
    if (!row->measured) {
        return row->status;
    }
    bool met = row->goal_kind == GOAL_AT_MOST ? row->value <= row->goal : row->value >= row->goal;
    return met ? "met" : "MISSED";
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int bench_alternate(int rounds, bench_fn a, void *ca, double *ta, bench_fn b, void *cb, double *tb)
{
    for (int i = 0; i < rounds; i++) {
        if (i % 2 == 0) {
            ta[i] = a(ca);
            tb[i] = ta[i] >= 0 ? b(cb) : -1;
        } else {
            tb[i] = b(cb);
            ta[i] = tb[i] >= 0 ? a(ca) : -1;
        }
        if (ta[i] < 0 || tb[i] < 0) {
            return -1;
        }
    }
    return 0;
}

double median_ratio(const double *ta, const double *tb, int rounds)
{
    double r[rounds];
    for (int i = 0; i < rounds; i++) {
        r[i] = ta[i] / tb[i];
    }
    return median(r, (size_t)rounds);
}

pid_t spawn_piped(char *const argv[], int *out_fd)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    *out_fd = fds[0];
    return pid;
}

int reap(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

int run_capture(char *const argv[], char *out, size_t out_size)
{
    int fd;
    pid_t pid = spawn_piped(argv, &fd);
    if (pid < 0) {
        return -1;
    }
    size_t got = 0;
    for (;;) {
        char sink[256];
        char *dst = got + 1 < out_size ? out + got : sink;
        size_t room = got + 1 < out_size ? out_size - 1 - got : sizeof(sink);
        ssize_t n = read(fd, dst, room);
        if (n <= 0) {
            break;
        }
        if (dst != sink) {
            got += (size_t)n;
        }
    }
    out[got] = '\0';
    close(fd);
    return reap(pid);
}

memory_fault_result_t bench_device_read(vm_t *vm, vm_vcpu_t *vcpu, uintptr_t addr, size_t size, void *cookie)
{
    (void)vm;
    (void)addr;
    (void)size;
    (*(uint64_t *)cookie)++;
    set_vcpu_fault_data(vcpu, BENCH_READ_VALUE);
    advance_vcpu_fault(vcpu);
    return FAULT_HANDLED;
}

bool bench_kvm_usable(char *reason, size_t reason_size)
{
    return sel4kvm_kvm_available(reason, reason_size);
}
