/* sel4vm-run's settings: GOption parsing of the command line, the GKeyFile config file, and their checks. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <sel4kvm/trace.h>
#include "runner.h"

#define CONFIG_GROUP "sel4vm-run"

/* The settings as strings, from the command line first and then the config file for what it did not set. */
static struct {
    char *mem, *load_addr, *entry, *mode, *cmdline, *serial, *crossvm_socket, *trace, *gdb, *timeout, *config;
    char **modules, **crossvm, **rest;
    gboolean strict;
} raw;

static const GOptionEntry entries[] = {
    { "mem", 'm', 0, G_OPTION_ARG_STRING, &raw.mem, "Guest RAM from address 0, with K, M or G (default 64M)", "SIZE" },
    { "load-addr", 0, 0, G_OPTION_ARG_STRING, &raw.load_addr,
      "Where a flat image goes (default 0x8000 in real mode, 0x100000 otherwise)", "ADDR" },
    { "entry", 0, 0, G_OPTION_ARG_STRING, &raw.entry, "Entry point (default: the image's, or a flat image's start)",
      "ADDR" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &raw.mode,
      "CPU mode at entry: real, protected or long (default: flat real, ELF32 protected, ELF64 long)", "MODE" },
    { "cmdline", 0, 0, G_OPTION_ARG_STRING, &raw.cmdline, "Multiboot kernel command line", "STRING" },
    { "module", 0, 0, G_OPTION_ARG_STRING_ARRAY, &raw.modules,
      "Multiboot module: a file, then its arguments; the whole string is the module's (repeatable)", "'FILE [ARGS]'" },
    { "serial", 0, 0, G_OPTION_ARG_STRING, &raw.serial, "Write the serial port's output to FILE (default stdout)",
      "FILE" },
    { "crossvm", 0, 0, G_OPTION_ARG_STRING_ARRAY, &raw.crossvm,
      "Cross-VM connection for a peer process; SIZE a power of two from 4K to 16M; emit: the guest signals the peer, "
      "consume: the peer signals the guest (repeatable, up to 8)",
      "NAME:SIZE[:emit][:consume]" },
    { "crossvm-socket", 0, 0, G_OPTION_ARG_STRING, &raw.crossvm_socket,
      "UNIX socket the cross-VM peer connects to (default $TMPDIR/sel4vm-run-PID.sock, printed)", "PATH" },
    { "trace", 0, 0, G_OPTION_ARG_STRING, &raw.trace, "Trace events to stderr: faults, io, irq or all, comma-separated",
      "LIST" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &raw.strict, "Fault-handler contract violations are errors", NULL },
    { "gdb", 0, 0, G_OPTION_ARG_STRING, &raw.gdb, "Wait for gdb on 127.0.0.1:PORT; the guest starts stopped", "PORT" },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &raw.timeout, "Stop the guest after SECONDS (exit status 124)", "SECONDS" },
    { "config", 'c', 0, G_OPTION_ARG_STRING, &raw.config,
      "Read settings from a key file: group [" CONFIG_GROUP "], keys named as the options, and image", "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &raw.rest, NULL, "IMAGE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
};

static const char description[] =
    "The image is a flat binary, an ELF32 or ELF64 executable, or a Multiboot v1 kernel; its format sets the "
    "defaults.\n"
    "The guest has a 16550 serial port at 0x3f8, QEMU's isa-debug-exit at 0xf4 and, without --crossvm, the\n"
    "example VMMs' devices: hello's counter at 0xd0000000, mmio-device's timer at 0xd0001000 and lazy-ram's\n"
    "64 pages mapped on first touch at 0x40000000 (when RAM ends below it). RAM is one region from address 0.\n"
    "\n"
    "Exit status: v & 0xff when the guest writes v to the debug-exit port; 124 when --timeout stopped it;\n"
    "125 for bad options or a bad image; 126 when the guest failed or stopped without a debug exit;\n"
    "127 when KVM is not usable.\n"
    "\n"
    "See sel4vm-run(1).";

/* A number: decimal or 0x hex, with an optional K, M or G (powers of 1024) when suffix is allowed. */
static bool parse_number(const char *s, bool suffix, uint64_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || g_ascii_isspace(*s)) {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s) {
        return false;
    }
    unsigned shift = 0;
    if (suffix && *end != '\0' && end[1] == '\0') {
        const char *units = "KkMmGg";
        const char *u = strchr(units, *end);
        if (u == NULL) {
            return false;
        }
        shift = 10 * (unsigned)((u - units) / 2 + 1);
        end++;
    }
    if (*end != '\0' || (shift > 0 && v > (UINT64_MAX >> shift))) {
        return false;
    }
    *out = (uint64_t)v << shift;
    return true;
}

static int bad(const char *fmt, const char *what)
{
    report(fmt, what);
    return -1;
}

static int parse_crossvm(const char *spec, struct runner_options *o)
{
    if (o->num_crossvm == CROSSVM_MAX) {
        return bad("--crossvm %s: at most 8 connections", spec);
    }
    struct crossvm_spec *c = &o->crossvm[o->num_crossvm];
    memset(c, 0, sizeof(*c));
    char **parts = g_strsplit(spec, ":", -1);
    int ret = -1;
    unsigned n = g_strv_length(parts);
    uint64_t size = 0;
    if (n < 2 || n > 4 || parts[0][0] == '\0' || strlen(parts[0]) >= sizeof(c->name)) {
        bad("--crossvm %s: expected NAME:SIZE[:emit][:consume] with a name of 1 to 48 bytes", spec);
    } else if (!parse_number(parts[1], true, &size) || size < 4096 || size > (16ul << 20) || (size & (size - 1))) {
        bad("--crossvm %s: SIZE must be a power of two from 4K to 16M", spec);
    } else {
        ret = 0;
        for (unsigned i = 2; i < n && ret == 0; i++) {
            if (strcmp(parts[i], "emit") == 0 && !c->emit) {
                c->emit = true;
            } else if (strcmp(parts[i], "consume") == 0 && !c->consume) {
                c->consume = true;
            } else {
                ret = bad("--crossvm %s: flags are emit and consume, each at most once", spec);
            }
        }
    }
    for (unsigned i = 0; ret == 0 && i < o->num_crossvm; i++) {
        if (strcmp(o->crossvm[i].name, parts[0]) == 0) {
            ret = bad("--crossvm %s: the name is already used", spec);
        }
    }
    if (ret == 0) {
        g_strlcpy(c->name, parts[0], sizeof(c->name));
        c->size = size;
        o->num_crossvm++;
    }
    g_strfreev(parts);
    return ret;
}

static int parse_trace(const char *list, unsigned *flags)
{
    char **names = g_strsplit(list, ",", -1);
    int ret = names[0] == NULL ? -1 : 0;
    for (char **n = names; *n != NULL && ret == 0; n++) {
        if (strcmp(*n, "faults") == 0) {
            *flags |= SEL4KVM_TRACE_FAULTS;
        } else if (strcmp(*n, "io") == 0) {
            *flags |= SEL4KVM_TRACE_IO;
        } else if (strcmp(*n, "irq") == 0) {
            *flags |= SEL4KVM_TRACE_IRQ;
        } else if (strcmp(*n, "all") == 0) {
            *flags |= SEL4KVM_TRACE_ALL;
        } else {
            ret = -1;
        }
    }
    g_strfreev(names);
    return ret == 0 ? 0 : bad("--trace %s: expected a comma-separated list of faults, io, irq, all", list);
}

/* Takes a key from the config file, a string or a list (into *string or *list), unless the command line set it. */
static int config_value(GKeyFile *kf, const char *key, char **string, char ***list)
{
    bool set = string != NULL ? *string != NULL : *list != NULL;
    if (set || !g_key_file_has_key(kf, CONFIG_GROUP, key, NULL)) {
        return 0;
    }
    GError *err = NULL;
    if (string != NULL) {
        *string = g_key_file_get_string(kf, CONFIG_GROUP, key, &err);
    } else {
        *list = g_key_file_get_string_list(kf, CONFIG_GROUP, key, NULL, &err);
    }
    if (err != NULL) {
        report("config %s: %s: %s", raw.config, key, err->message);
        g_error_free(err);
        return -1;
    }
    return 0;
}

static int config_string(GKeyFile *kf, const char *key, char **field)
{
    return config_value(kf, key, field, NULL);
}

static int config_list(GKeyFile *kf, const char *key, char ***field)
{
    return config_value(kf, key, NULL, field);
}

static int read_config(void)
{
    static const char *const known[] = { "image",   "mem",    "load-addr", "entry",          "mode",
                                         "cmdline", "module", "crossvm",   "crossvm-socket", "trace",
                                         "strict",  "serial", "gdb",       "timeout",        NULL };
    GKeyFile *kf = g_key_file_new();
    GError *err = NULL;
    int ret = -1;
    char *image = NULL;
    if (!g_key_file_load_from_file(kf, raw.config, G_KEY_FILE_NONE, &err)) {
        report("config %s: %s", raw.config, err->message);
        g_error_free(err);
        g_key_file_free(kf);
        return -1;
    }
    gchar **keys = g_key_file_get_keys(kf, CONFIG_GROUP, NULL, NULL);
    if (keys == NULL) {
        report("config %s: no [" CONFIG_GROUP "] group", raw.config);
        goto out;
    }
    for (gchar **k = keys; *k != NULL; k++) {
        if (!g_strv_contains(known, *k)) {
            report("config %s: unknown key %s", raw.config, *k);
            goto out;
        }
    }
    if (config_string(kf, "mem", &raw.mem) || config_string(kf, "load-addr", &raw.load_addr) ||
        config_string(kf, "entry", &raw.entry) || config_string(kf, "mode", &raw.mode) ||
        config_string(kf, "cmdline", &raw.cmdline) || config_string(kf, "serial", &raw.serial) ||
        config_string(kf, "crossvm-socket", &raw.crossvm_socket) || config_string(kf, "trace", &raw.trace) ||
        config_string(kf, "gdb", &raw.gdb) || config_string(kf, "timeout", &raw.timeout) ||
        config_list(kf, "module", &raw.modules) || config_list(kf, "crossvm", &raw.crossvm) ||
        config_string(kf, "image", &image)) {
        goto out;
    }
    if (g_key_file_has_key(kf, CONFIG_GROUP, "strict", NULL)) {
        gboolean strict = g_key_file_get_boolean(kf, CONFIG_GROUP, "strict", &err);
        if (err != NULL) {
            report("config %s: strict: %s", raw.config, err->message);
            g_error_free(err);
            goto out;
        }
        raw.strict = raw.strict || strict;
    }
    if (image != NULL && raw.rest == NULL) {
        raw.rest = g_new0(char *, 2);
        raw.rest[0] = image;
        image = NULL;
    }
    ret = 0;
out:
    g_free(image);
    g_strfreev(keys);
    g_key_file_free(kf);
    return ret;
}

static int check_number(const char *option, const char *s, bool suffix, uint64_t max, uint64_t *out)
{
    if (!parse_number(s, suffix, out) || *out > max) {
        report("%s %s: expected a number%s up to 0x%" G_GINT64_MODIFIER "x", option, s, suffix ? " (K, M, G)" : "",
               (guint64)max);
        return -1;
    }
    return 0;
}

static int convert(struct runner_options *o)
{
    uint64_t v;
    if (raw.rest == NULL || raw.rest[0] == NULL || raw.rest[1] != NULL) {
        return bad("%s", "expected one IMAGE (sel4vm-run --help)");
    }
    o->image = raw.rest[0];
    o->mem = RUNNER_DEFAULT_MEM;
    if (raw.mem != NULL) {
        if (check_number("--mem", raw.mem, true, UINT64_MAX, &v) != 0) {
            return -1;
        }
        if (v < RUNNER_MIN_MEM || v > RUNNER_MAX_MEM || (v & 0xfff) != 0) {
            return bad("--mem %s: RAM must be a multiple of 4K from 64K to 3G", raw.mem);
        }
        o->mem = (size_t)v;
    }
    if (raw.load_addr != NULL) {
        if (check_number("--load-addr", raw.load_addr, true, UINT32_MAX, &v) != 0) {
            return -1;
        }
        o->load_addr_set = true;
        o->load_addr = (uintptr_t)v;
    }
    if (raw.entry != NULL) {
        if (check_number("--entry", raw.entry, true, UINT32_MAX, &v) != 0) {
            return -1;
        }
        o->entry_set = true;
        o->entry = (uintptr_t)v;
    }
    if (raw.mode != NULL) {
        static const char *const modes[] = { "real", "protected", "long" };
        for (unsigned i = 0; i < 3 && o->mode == MODE_AUTO; i++) {
            o->mode = strcmp(raw.mode, modes[i]) == 0 ? (enum cpu_mode)(MODE_REAL + i) : MODE_AUTO;
        }
        if (o->mode == MODE_AUTO) {
            return bad("--mode %s: expected real, protected or long", raw.mode);
        }
    }
    o->cmdline = raw.cmdline;
    o->modules = (const char *const *)raw.modules;
    for (char **m = raw.modules; m != NULL && *m != NULL; m++) {
        if ((*m)[0] == '\0' || (*m)[0] == ' ') {
            return bad("--module '%s': expected a file name first", *m);
        }
    }
    o->serial = raw.serial;
    for (char **c = raw.crossvm; c != NULL && *c != NULL; c++) {
        if (parse_crossvm(*c, o) != 0) {
            return -1;
        }
    }
    if (raw.crossvm_socket != NULL && o->num_crossvm == 0) {
        return bad("--crossvm-socket %s: no --crossvm connection to export", raw.crossvm_socket);
    }
    o->crossvm_socket = raw.crossvm_socket;
    if (raw.trace != NULL && parse_trace(raw.trace, &o->trace) != 0) {
        return -1;
    }
    o->strict = raw.strict;
    if (raw.gdb != NULL) {
        if (check_number("--gdb", raw.gdb, false, 65535, &v) != 0) {
            return -1;
        }
        if (v == 0) {
            return bad("--gdb %s: the port must be from 1 to 65535", raw.gdb);
        }
        o->gdb_port = (uint16_t)v;
    }
    if (raw.timeout != NULL) {
        char *end;
        o->timeout = g_ascii_strtod(raw.timeout, &end);
        if (end == raw.timeout || *end != '\0' || !(o->timeout > 0 && o->timeout <= 1e6)) {
            return bad("--timeout %s: expected seconds, more than 0 and at most 1000000", raw.timeout);
        }
    }
    return 0;
}

int options_parse(int argc, char **argv, struct runner_options *o)
{
    memset(o, 0, sizeof(*o));
    GOptionContext *ctx = g_option_context_new("- run a guest image under KVM with the seL4 VMM libraries");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, description);
    GError *err = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &err);
    g_option_context_free(ctx);
    if (!ok) {
        report("%s (sel4vm-run --help)", err->message);
        g_error_free(err);
        return -1;
    }
    if (raw.config != NULL && read_config() != 0) {
        return -1;
    }
    return convert(o);
}

void options_free(void)
{
    char **strings[] = { &raw.mem,   &raw.load_addr, &raw.entry,          &raw.mode,    &raw.cmdline, &raw.serial,
                         &raw.trace, &raw.gdb,       &raw.crossvm_socket, &raw.timeout, &raw.config };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++) {
        g_free(*strings[i]);
        *strings[i] = NULL;
    }
    g_strfreev(raw.modules);
    g_strfreev(raw.crossvm);
    g_strfreev(raw.rest);
    memset(&raw, 0, sizeof(raw));
}
