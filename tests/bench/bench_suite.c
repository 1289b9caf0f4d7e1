/* `make bench`: every figure of docs/performance.md as a ratio against a baseline measured in the same run, printed
 * as one table and written to build/bench.json. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"

enum {
    ROW_MMIO,
    ROW_INSTR,
    ROW_DISPATCH,
    ROW_RAM_1G,
    ROW_RAM_4G,
    ROW_RAM_RSS,
    ROW_TOUCH,
    ROW_HELLO_FIRST,
    ROW_HELLO_EXIT,
    ROW_CROSSVM_THREAD,
    ROW_CROSSVM_PROCESS,
    ROW_SIM,
    ROW_COUNT,
};

/* The fixed part of a row: its JSON id, table text, baseline, unit and goal. */
#define ROW(id_, figure_, baseline_, unit_, kind_, goal_)                                                              \
    {                                                                                                                  \
        .id = id_, .figure = figure_, .baseline = baseline_, .unit = unit_, .goal_kind = kind_, .goal = goal_          \
    }

static struct bench_row rows[ROW_COUNT] = {
    [ROW_MMIO] = ROW("mmio_round_trip", "guest MMIO round trip, reservation callback", "bare KVM_RUN loop", "x",
                     GOAL_AT_MOST, 1.03),
    [ROW_INSTR] = ROW("mmio_user_instructions", "user-space instructions per MMIO exit, extra", "bare KVM_RUN loop",
                      "instr", GOAL_AT_MOST, 300),
    [ROW_DISPATCH] = ROW("dispatch_100000_reservations", "dispatch at 100,000 reservations (test backend)",
                         "1 reservation", "x", GOAL_AT_MOST, 1.2),
    [ROW_RAM_1G] = ROW("ram_register_1gib_time", "vm_ram_register_at 1 GiB: time", "mmap + 1 memslot", "x",
                       GOAL_AT_MOST, 20),
    [ROW_RAM_4G] = ROW("ram_register_4gib_time", "vm_ram_register_at 4 GiB: time", "mmap + 1 memslot", "x",
                       GOAL_AT_MOST, 20),
    [ROW_RAM_RSS] = ROW("ram_register_4gib_rss", "vm_ram_register_at 4 GiB: resident growth", "mmap + 1 memslot", "MiB",
                        GOAL_AT_MOST, 16),
    [ROW_TOUCH] = ROW("ram_touch_64mib_bandwidth", "vm_ram_touch 64 MiB copy, bandwidth", "memcpy 64 MiB", "x",
                      GOAL_AT_LEAST, 0.8),
    [ROW_HELLO_FIRST] = ROW("hello_start_to_first_output", "hello: process start to guest's first output",
                            "bare KVM hello", "x", GOAL_AT_MOST, 1.5),
    [ROW_HELLO_EXIT] = ROW("hello_start_to_guest_exit", "hello: process start to guest exit", "bare KVM hello", "x",
                           GOAL_AT_MOST, 1.5),
    [ROW_CROSSVM_THREAD] = ROW("crossvm_round_trip_thread_peer", "cross-VM round trip, peer a VMM thread",
                               "eventfd ping-pong + MMIO exit", "x", GOAL_AT_MOST, 1.5),
    [ROW_CROSSVM_PROCESS] = ROW("crossvm_round_trip_process_peer", "cross-VM round trip, peer a process",
                                "eventfd ping-pong + MMIO exit", "x", GOAL_AT_MOST, 1.5),
    [ROW_SIM] = ROW("sim_frame_cycles", "sim kernel: retype+map+unmap+delete", "-", "/s", GOAL_AT_LEAST, 1e6),
};

static void run_figures(const char *only)
{
    char reason[160];
    bool kvm = bench_kvm_usable(reason, sizeof(reason));
    /* Each entry runs one figure; `kvm` says whether it needs a guest. */
    const struct {
        const char *id;
        bool kvm;
        int first, last;
    } plan[] = {
        { "mmio", true, ROW_MMIO, ROW_MMIO },
        { "instr", true, ROW_INSTR, ROW_INSTR },
        { "dispatch", false, ROW_DISPATCH, ROW_DISPATCH },
        { "register", true, ROW_RAM_1G, ROW_RAM_RSS },
        { "touch", false, ROW_TOUCH, ROW_TOUCH },
        { "hello", true, ROW_HELLO_FIRST, ROW_HELLO_EXIT },
        { "crossvm", true, ROW_CROSSVM_THREAD, ROW_CROSSVM_PROCESS },
        { "sim", false, ROW_SIM, ROW_SIM },
    };
    for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
        bool wanted = only == NULL || strstr(only, plan[i].id) != NULL;
        if (!wanted || (plan[i].kvm && !kvm)) {
            for (int r = plan[i].first; r <= plan[i].last; r++) {
                if (wanted) {
                    row_skip(&rows[r], "skipped: no KVM (%s)", reason);
                } else {
                    row_skip(&rows[r], "not run (--only)");
                }
            }
            continue;
        }
        fprintf(stderr, "bench: %s...\n", plan[i].id);
        switch (plan[i].first) {
        case ROW_MMIO:
            fig_mmio_round_trip(&rows[ROW_MMIO]);
            break;
        case ROW_INSTR:
            fig_mmio_instructions(&rows[ROW_INSTR]);
            break;
        case ROW_DISPATCH:
            fig_dispatch_scaling(&rows[ROW_DISPATCH]);
            break;
        case ROW_RAM_1G:
            fig_ram_register(&rows[ROW_RAM_1G], &rows[ROW_RAM_4G], &rows[ROW_RAM_RSS]);
            break;
        case ROW_TOUCH:
            fig_ram_touch(&rows[ROW_TOUCH]);
            break;
        case ROW_HELLO_FIRST:
            fig_hello_start(&rows[ROW_HELLO_FIRST], &rows[ROW_HELLO_EXIT]);
            break;
        case ROW_CROSSVM_THREAD:
            fig_crossvm_round_trip(&rows[ROW_CROSSVM_THREAD], &rows[ROW_CROSSVM_PROCESS]);
            break;
        case ROW_SIM:
            fig_sim_frame_cycles(&rows[ROW_SIM]);
            break;
        }
    }
}

/* A value in the row's unit, as the table shows it; goals (exact numbers) with %g. */
static void format_value(const struct bench_row *row, double value, bool goal, char *buf, size_t size)
{
    if (strcmp(row->unit, "x") == 0) {
        snprintf(buf, size, goal ? "%gx" : "%.3fx", value);
    } else if (strcmp(row->unit, "/s") == 0) {
        snprintf(buf, size, "%.2fM/s", value / 1e6);
    } else {
        snprintf(buf, size, goal ? "%g %s" : strcmp(row->unit, "instr") == 0 ? "%.0f %s" : "%.1f %s", value, row->unit);
    }
}

static void print_table(void)
{
    printf("\n%-48s %-10s %-13s %-28s %-28s %s\n", "figure", "result", "goal", "library", "baseline (same run)",
           "verdict");
    for (int i = 0; i < ROW_COUNT; i++) {
        const struct bench_row *row = &rows[i];
        char value[32] = "-", goal[32], goal_text[40];
        format_value(row, row->goal, true, goal, sizeof(goal));
        snprintf(goal_text, sizeof(goal_text), "%s %s", row->goal_kind == GOAL_AT_MOST ? "<=" : ">=", goal);
        if (row->measured) {
            format_value(row, row->value, false, value, sizeof(value));
        }
        printf("%-48s %-10s %-13s %-28s %-28s %s\n", row->figure, value, goal_text, row->measured ? row->library : "-",
               row->measured ? row->reference : row->baseline, row_verdict(row));
    }
}

/* Strings here are the suite's own plus kernel and CPU names; quotes and backslashes are all they could hold. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\') {
            fputc('\\', f);
        }
        fputc((unsigned char)*s >= 0x20 ? *s : ' ', f);
    }
    fputc('"', f);
}

/* The first line of path that starts with key, after its colon; "" if none. */
static void proc_field(const char *path, const char *key, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    char line[512];
    out[0] = '\0';
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, key, strlen(key)) == 0 && colon != NULL) {
            colon += strspn(colon + 1, " \t") + 1;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(out, size, "%s", colon);
            break;
        }
    }
    if (f != NULL) {
        fclose(f);
    }
}

static int write_json(const char *path, double elapsed)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    char date[32], cpu[256], mem[64], reason[160];
    time_t now = time(NULL);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    proc_field("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
    proc_field("/proc/meminfo", "MemTotal", mem, sizeof(mem));
    struct utsname u;
    uname(&u);
    bool kvm = bench_kvm_usable(reason, sizeof(reason));
    fprintf(f, "{\n  \"suite\": \"sel4vm-kvm make bench\",\n  \"date\": \"%s\",\n  \"elapsed_s\": %.1f,\n", date,
            elapsed);
    fprintf(f, "  \"machine\": {\"kernel\": ");
    json_string(f, u.release);
    fprintf(f, ", \"arch\": ");
    json_string(f, u.machine);
    fprintf(f, ", \"cpu\": ");
    json_string(f, cpu);
    fprintf(f, ", \"cpus\": %ld, \"memory\": ", sysconf(_SC_NPROCESSORS_ONLN));
    json_string(f, mem);
    fprintf(f, ", \"kvm\": %s, \"compiler\": ", kvm ? "true" : "false");
    json_string(f, __VERSION__);
    fprintf(f, "},\n  \"rows\": [\n");
    for (int i = 0; i < ROW_COUNT; i++) {
        const struct bench_row *row = &rows[i];
        fprintf(f, "    {\"id\": \"%s\", \"figure\": ", row->id);
        json_string(f, row->figure);
        fprintf(f, ", \"baseline\": ");
        json_string(f, row->baseline);
        fprintf(f, ", \"unit\": \"%s\", \"goal\": {\"%s\": %.9g}, ", row->unit,
                row->goal_kind == GOAL_AT_MOST ? "at_most" : "at_least", row->goal);
        if (row->measured) {
            fprintf(f, "\"value\": %.9g, \"met\": %s, \"library\": ", row->value,
                    strcmp(row_verdict(row), "met") == 0 ? "true" : "false");
            json_string(f, row->library);
            fprintf(f, ", \"baseline_measured\": ");
            json_string(f, row->reference);
        } else {
            fprintf(f, "\"value\": null, \"met\": null, \"status\": ");
            json_string(f, row->status);
        }
        fprintf(f, ", \"details\": {%s}}%s\n", row->details, i + 1 < ROW_COUNT ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return fclose(f) == 0 ? 0 : -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_suite [--json FILE] [--only mmio,instr,dispatch,register,touch,hello,crossvm,sim]\n"
                    "       bench_suite --child mmio <exits> | --child ram <bytes> <guest address>\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--child") == 0) {
        if (argc == 4 && strcmp(argv[2], "mmio") == 0) {
            return child_mmio((uint32_t)strtoul(argv[3], NULL, 0));
        }
        if (argc == 5 && strcmp(argv[2], "ram") == 0) {
            return child_ram(strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
        }
        return usage();
    }
    const char *json = NULL, *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
            json = argv[++i];
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
        } else {
            return usage();
        }
    }
    double start = bare_now();
    run_figures(only);
    double elapsed = bare_now() - start;
    print_table();
    printf("\n%.0f s. Each ratio is library / baseline: for times lower is better, for bandwidth higher; "
           "docs/performance.md explains each row.\n",
           elapsed);
    if (json != NULL) {
        if (write_json(json, elapsed) != 0) {
            return 1;
        }
        printf("Wrote %s.\n", json);
    }
    return 0;
}
