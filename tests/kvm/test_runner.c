/* KVM integration: sel4vm-run as a user runs it — default boots, options, tracing, timeouts, bad input, cross-VM. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sel4kvm/crossvm.h>
#include "example_run.h"
#include "kvm_fixture.h"

#define RUNNER EXAMPLE_DIR "/sel4vm-run"
#define HELLO EXAMPLE_DIR "/hello-guest.elf"
#define REVERSE EXAMPLE_DIR "/crossvm-reverse-guest.elf"
#define MULTIBOOT GUEST_DIR "/multiboot_32.elf"
#define HALT GUEST_DIR "/halt_16.bin"
#define OUTPUT_MAX 16384
#define LIMIT_S 60 /* a hang fails the test, not the CI job */

struct child {
    pid_t pid;
    int out, err;
};

struct result {
    int status; /* exit status, or -1 when it died of a signal */
    char out[OUTPUT_MAX];
    char err[OUTPUT_MAX];
};

static struct child spawn(const char *const *args)
{
    const char *argv[32] = { RUNNER };
    size_t n = 1;
    for (; args[n - 1] != NULL; n++) {
        assert_true(n < 31);
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    int out[2], err[2];
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    assert_int_equal(pipe2(err, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        alarm(LIMIT_S);
        execv(RUNNER, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    return (struct child){ pid, out[0], err[0] };
}

static void collect(struct child c, struct result *r)
{
    size_t len[2] = { 0, 0 };
    char *buf[2] = { r->out, r->err };
    struct pollfd p[2] = { { .fd = c.out, .events = POLLIN }, { .fd = c.err, .events = POLLIN } };
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        if (poll(p, 2, -1) < 0 && errno != EINTR) {
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd >= 0 && p[i].revents != 0) {
                ssize_t n = read(p[i].fd, buf[i] + len[i], OUTPUT_MAX - 1 - len[i]);
                if (n <= 0) {
                    close(p[i].fd);
                    p[i].fd = -1;
                } else {
                    len[i] += (size_t)n;
                }
            }
        }
    }
    r->out[len[0]] = '\0';
    r->err[len[1]] = '\0';
    int status;
    assert_int_equal(waitpid(c.pid, &status, 0), c.pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Shows the run when a test is about to fail on it. */
static void assert_status(const struct result *r, int expected)
{
    if (r->status != expected) {
        fail_msg("sel4vm-run exited with %d, not %d; stdout:\n%s\nstderr:\n%s", r->status, expected, r->out, r->err);
    }
}

static struct result *run(const char *const *args)
{
    static struct result r;
    memset(&r, 0, sizeof(r));
    collect(spawn(args), &r);
    return &r;
}

static size_t lines(const char *text)
{
    size_t n = 0;
    for (; *text != '\0'; text++) {
        n += *text == '\n';
    }
    return n;
}

static void test_runner_boots_the_hello_example_with_defaults(void **state)
{
    (void)state;
    skip_without_kvm();
    struct result *r = run((const char *[]){ HELLO, NULL });
    assert_status(r, 0);
    assert_string_equal(r->out, "hello from a KVM guest\ncounter: 10\ncounter: 20\ncounter: 30\n");
    assert_string_equal(r->err, "");
}

static void test_runner_boots_the_mmio_device_example_with_defaults(void **state)
{
    (void)state;
    skip_without_kvm();
    struct result *r = run((const char *[]){ EXAMPLE_DIR "/mmio-device-guest.elf", NULL });
    assert_status(r, 0);
    assert_non_null(strstr(r->out, "timer: compare matched after"));
    assert_string_equal(r->err, "");
}

static void test_runner_boots_the_lazy_ram_example_with_defaults(void **state)
{
    (void)state;
    skip_without_kvm();
    struct result *r = run((const char *[]){ EXAMPLE_DIR "/lazy-ram-guest.elf", NULL });
    assert_status(r, 0);
    assert_non_null(strstr(r->out, "wrote and read back 32 pages"));
    /* With RAM reaching past 1 GiB the range is ordinary RAM instead, which the guest cannot tell apart. */
    r = run((const char *[]){ "--mem", "1088M", EXAMPLE_DIR "/lazy-ram-guest.elf", NULL });
    assert_status(r, 0);
}

static void test_runner_boots_a_multiboot_kernel_with_defaults(void **state)
{
    (void)state;
    skip_without_kvm();
    struct result *r = run((const char *[]){ MULTIBOOT, NULL });
    assert_status(r, 0);
    /* 64 MiB of RAM from 0: 63 MiB above 1 MiB. */
    assert_string_equal(r->out, "cmdline: \nmem_upper: 0xfc00\n");
}

static void test_runner_passes_cmdline_modules_and_mem_to_multiboot(void **state)
{
    (void)state;
    skip_without_kvm();
    struct result *r = run((const char *[]){ "--cmdline", "root=/dev/vda quiet", "--module", HALT " first", "--module",
                                             HELLO, "--mem", "8M", MULTIBOOT, NULL });
    assert_status(r, 0);
    assert_string_equal(r->out, "cmdline: root=/dev/vda quiet\nmem_upper: 0x1c00\n");
}

static void test_runner_boots_an_elf64_in_long_mode(void **state)
{
    (void)state;
    skip_without_kvm();
    struct result *r = run((const char *[]){ GUEST_DIR "/hello_64.elf", NULL });
    assert_status(r, 0);
    assert_non_null(strstr(r->out, "hello"));
}

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    fclose(f);
}

static void test_runner_exits_with_the_guests_debug_exit_value(void **state)
{
    (void)state;
    skip_without_kvm();
    char path[] = "/tmp/sel4vm-run-exit-XXXXXX";
    close(mkstemp(path));
    /* Real mode: mov al, 0x2a; out 0xf4, al; hlt */
    static const unsigned char code[] = { 0xb0, 0x2a, 0xe6, 0xf4, 0xf4 };
    write_file(path, code, sizeof(code));
    struct result *r = run((const char *[]){ path, NULL });
    assert_status(r, 0x2a);
    unlink(path);
}

static void test_runner_reports_a_failed_guest(void **state)
{
    (void)state;
    skip_without_kvm();
    /* Flat in protected mode goes to 1 MiB, where this guest is linked. */
    struct result *r = run((const char *[]){ "--mode", "protected", GUEST_DIR "/triple_fault_32.bin", NULL });
    assert_status(r, 126);
    assert_non_null(strstr(r->err, "sel4vm-run: the guest failed"));
}

static void test_runner_traces_faults_and_io_to_stderr(void **state)
{
    (void)state;
    skip_without_kvm();
    struct result *r = run((const char *[]){ "--trace", "faults,io", HELLO, NULL });
    assert_status(r, 0);
    assert_non_null(strstr(r->out, "counter: 30"));
    assert_non_null(
        strstr(r->err, " gpa=0xd0000004 size=4 write data=0xa res=[0xd0000000,0xd0001000) result=HANDLED ns="));
    assert_non_null(
        strstr(r->err, " gpa=0xd0000000 size=4 read data=0x1e res=[0xd0000000,0xd0001000) result=HANDLED ns="));
    assert_non_null(strstr(r->err, " port=0x3f8 size=1 out data=0x68 result=HANDLED ns="));
    assert_non_null(strstr(r->err, " port=0xf4 size=4 out data=0x0 result=HANDLED ns="));
    /* Every line is an event: faults (4) and port accesses, each starting with its kind and vCPU. */
    size_t n = 0;
    for (char *line = r->err; *line != '\0'; line = strchr(line, '\n') + 1, n++) {
        assert_true(strncmp(line, "fault vcpu=0 rip=0x", 19) == 0 || strncmp(line, "io vcpu=0 rip=0x", 16) == 0);
    }
    assert_true(n > 4);
}

static void test_runner_trace_irq_only_shows_no_io(void **state)
{
    (void)state;
    skip_without_kvm();
    struct result *r = run((const char *[]){ "--trace", "irq", HELLO, NULL });
    assert_status(r, 0);
    assert_string_equal(r->err, "");
}

static void test_runner_timeout_stops_a_guest_that_never_exits(void **state)
{
    (void)state;
    skip_without_kvm();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct result *r = run((const char *[]){ "--timeout", "0.3", HALT, NULL });
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_status(r, 124);
    assert_non_null(strstr(r->err, "sel4vm-run: timeout: stopped the guest after 0.3 s\n"));
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(s >= 0.3 && s < 10);
}

static void test_runner_writes_serial_output_to_a_file(void **state)
{
    (void)state;
    skip_without_kvm();
    char path[] = "/tmp/sel4vm-run-serial-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    struct result *r = run((const char *[]){ "--serial", path, MULTIBOOT, NULL });
    assert_status(r, 0);
    assert_string_equal(r->out, "");
    char buf[128] = { 0 };
    assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
    assert_string_equal(buf, "cmdline: \nmem_upper: 0xfc00\n");
    close(fd);
    unlink(path);
}

static void test_runner_reads_a_config_file_that_options_override(void **state)
{
    (void)state;
    skip_without_kvm();
    char path[] = "/tmp/sel4vm-run-config-XXXXXX";
    close(mkstemp(path));
    const char text[] = "[sel4vm-run]\nimage=" MULTIBOOT "\ncmdline=from the file\nmem=16M\nstrict=true\n";
    write_file(path, text, sizeof(text) - 1);
    struct result *r = run((const char *[]){ "--config", path, NULL });
    assert_status(r, 0);
    assert_string_equal(r->out, "cmdline: from the file\nmem_upper: 0x3c00\n");
    r = run((const char *[]){ "--config", path, "--cmdline", "from argv", NULL });
    assert_status(r, 0);
    assert_string_equal(r->out, "cmdline: from argv\nmem_upper: 0x3c00\n");
    unlink(path);
}

/* Bad input ends with one line on stderr and status 125, never a signal. */
static void assert_refused(const char *const *args, const char *message)
{
    struct result *r = run(args);
    assert_status(r, 125);
    assert_int_equal(lines(r->err), 1);
    assert_true(strncmp(r->err, "sel4vm-run: ", 12) == 0);
    if (strstr(r->err, message) == NULL) {
        fail_msg("expected \"%s\" in: %s", message, r->err);
    }
    assert_string_equal(r->out, "");
}

static void test_runner_refuses_bad_images(void **state)
{
    (void)state;
    skip_without_kvm();
    char empty[] = "/tmp/sel4vm-run-empty-XXXXXX";
    close(mkstemp(empty));
    char garbage[] = "/tmp/sel4vm-run-garbage-XXXXXX";
    close(mkstemp(garbage));
    static const unsigned char elf[64] = { 0x7f, 'E', 'L', 'F', 1, 1, 1, 0, [16] = 0xff, 0xff, 0xff, 0xff };
    write_file(garbage, elf, sizeof(elf));
    assert_refused((const char *[]){ "/nonexistent/image", NULL }, "cannot read image /nonexistent/image");
    assert_refused((const char *[]){ GUEST_DIR, NULL }, "cannot read image");
    assert_refused((const char *[]){ empty, NULL }, "is empty");
    assert_refused((const char *[]){ garbage, NULL }, "cannot load");
    assert_refused((const char *[]){ "--mem", "1M", HELLO, NULL }, "is not inside registered RAM");
    assert_refused((const char *[]){ "--mem", "64K", "--load-addr", "0xfffe", HALT, NULL }, "does not fit");
    assert_refused((const char *[]){ "--mem", "1M", "--load-addr", "0xfffff", HALT, NULL }, "does not fit");
    assert_refused((const char *[]){ "--load-addr", "0xffffffff", "--mode", "protected", HALT, NULL }, "does not fit");
    assert_refused((const char *[]){ "--load-addr", "0x8000", HELLO, NULL }, "--load-addr applies to flat");
    assert_refused((const char *[]){ "--cmdline", "x", HELLO, NULL }, "need a Multiboot kernel");
    assert_refused((const char *[]){ "--mode", "long", MULTIBOOT, NULL }, "protected mode");
    assert_refused((const char *[]){ "--module", "/nonexistent/module", MULTIBOOT, NULL }, "--module /nonexistent");
    assert_refused((const char *[]){ "--serial", "/nonexistent/dir/file", HELLO, NULL }, "--serial");
    unlink(empty);
    unlink(garbage);
}

static void test_runner_refuses_bad_option_values(void **state)
{
    (void)state;
    const char *const bad[][3] = {
        { "--mem", "0" },
        { "--mem", "1K" },
        { "--mem", "5G" },
        { "--mem", "12345" },
        { "--mem", "-4M" },
        { "--mem", "99999999999999999999" },
        { "--mem", "4X" },
        { "--load-addr", "0x1ffffffff" },
        { "--entry", "zz" },
        { "--mode", "virtual" },
        { "--trace", "faults,bogus" },
        { "--trace", "" },
        { "--timeout", "0" },
        { "--timeout", "soon" },
        { "--gdb", "0" },
        { "--gdb", "65536" },
        { "--crossvm", "a" },
        { "--crossvm", "a:3000" },
        { "--crossvm", "a:4K:emit:emit" },
        { "--crossvm", ":4K" },
        { "--crossvm", "a:32M" },
        { "--crossvm-socket", "/tmp/x" },
        { "--no-such-option", NULL },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *args[] = { bad[i][0], bad[i][1], bad[i][1] != NULL ? HELLO : NULL, NULL };
        assert_refused(args, bad[i][0]);
    }
    assert_refused((const char *[]){ NULL }, "expected one IMAGE");
    assert_refused((const char *[]){ HELLO, HELLO, NULL }, "expected one IMAGE");
    assert_refused((const char *[]){ "--crossvm", "a:4K", "--crossvm", "a:8K", HELLO, NULL }, "already used");
    /* Connections are laid out in order, each aligned to its size: a small one first misaligns a large one. */
    assert_refused((const char *[]){ "--crossvm", "a:4K", "--crossvm", "b:16K", HELLO, NULL }, "not aligned");
}

static void test_runner_refuses_bad_config_files(void **state)
{
    (void)state;
    char path[] = "/tmp/sel4vm-run-config-XXXXXX";
    close(mkstemp(path));
    const char *const texts[] = { "not a key file", "[other]\nmem=8M\n", "[sel4vm-run]\nmemory=8M\n",
                                  "[sel4vm-run]\nstrict=perhaps\n" };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        write_file(path, texts[i], strlen(texts[i]));
        assert_refused((const char *[]){ "--config", path, HELLO, NULL }, "config");
    }
    unlink(path);
    assert_refused((const char *[]){ "--config", path, HELLO, NULL }, "config");
}

static void test_runner_help_names_every_option(void **state)
{
    (void)state;
    struct result *r = run((const char *[]){ "--help", NULL });
    assert_status(r, 0);
    const char *options[] = { "--mem",    "--load-addr", "--entry",   "--mode",           "--cmdline",
                              "--module", "--serial",    "--crossvm", "--crossvm-socket", "--trace",
                              "--strict", "--gdb",       "--timeout", "--config",         "Exit status" };
    for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
        assert_non_null(strstr(r->out, options[i]));
    }
}

/* The peer of crossvm-reverse's guest, as another process would be: reverse src into dst and signal. */
static int reverse_peer(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
    int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    /* The runner listens once it has checked its settings. */
    for (int tries = 0; connect(sock, (struct sockaddr *)&addr, sizeof(addr)) != 0; tries++) {
        if (tries == 1000) {
            return -1;
        }
        usleep(10000);
    }
    sel4kvm_crossvm_peer_t src, dst;
    if (sel4kvm_crossvm_peer_connect(sock, &src) != 0 || sel4kvm_crossvm_peer_connect(sock, &dst) != 0 ||
        strcmp(src.name, "src") != 0 || strcmp(dst.name, "dst") != 0 || sel4kvm_crossvm_peer_wait(&src, 20000) <= 0) {
        close(sock);
        return -1;
    }
    const char *in = src.dataport;
    char *out = dst.dataport;
    size_t n = strnlen(in, src.size - 1);
    for (size_t i = 0; i < n; i++) {
        out[i] = in[n - 1 - i];
    }
    out[n] = '\0';
    int ret = sel4kvm_crossvm_peer_signal(&dst);
    sel4kvm_crossvm_peer_close(&src);
    sel4kvm_crossvm_peer_close(&dst);
    close(sock);
    return ret;
}

static void test_runner_exports_crossvm_connections_to_a_peer_process(void **state)
{
    (void)state;
    skip_without_kvm();
    char path[64];
    snprintf(path, sizeof(path), "/tmp/sel4vm-run-test-%d.sock", (int)getpid());
    struct child c = spawn((const char *[]){ "--crossvm", "src:4096:emit", "--crossvm", "dst:4K:consume",
                                             "--crossvm-socket", path, "--timeout", "30", "--trace", "irq", REVERSE,
                                             NULL });
    int peer = reverse_peer(path);
    struct result r;
    collect(c, &r);
    assert_int_equal(peer, 0);
    assert_status(&r, 0);
    assert_non_null(strstr(r.out, "got \"!sMV ssorca ,tseug a morf olleH\" after 1 event(s)"));
    assert_int_equal(access(path, F_OK), -1); /* the runner removed its socket */
    /* The peer's signal raised the connections' line; the guest's acknowledgement lowered it. */
    assert_non_null(strstr(r.err, "irq vcpu=0 line=11 op=level value=1 result=OK ns="));
    assert_non_null(strstr(r.err, "irq vcpu=0 line=11 op=level value=0 result=OK ns="));
}

static void test_runner_crossvm_without_a_peer_times_out(void **state)
{
    (void)state;
    skip_without_kvm();
    struct result *r = run((const char *[]){ "--crossvm", "src:4K:emit", "--timeout", "0.2", REVERSE, NULL });
    assert_status(r, 124);
    /* The default socket path is printed for the peer, then the timeout is reported. */
    assert_non_null(strstr(r->err, "sel4vm-run: cross-VM peer socket: "));
    assert_non_null(strstr(r->err, "no cross-VM peer connected"));
}

static void test_runner_gdb_without_a_debugger_gives_up_at_the_timeout(void **state)
{
    (void)state;
    skip_without_kvm();
    char port[16], expected[64];
    snprintf(port, sizeof(port), "%d", 20000 + (int)getpid() % 20000);
    snprintf(expected, sizeof(expected), "sel4vm-run: --gdb %s: no debugger attached", port);
    struct result *r = run((const char *[]){ "--gdb", port, "--timeout", "0.2", MULTIBOOT, NULL });
    assert_status(r, 126);
    assert_non_null(strstr(r->err, expected));
    assert_string_equal(r->out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runner_boots_the_hello_example_with_defaults),
        cmocka_unit_test(test_runner_boots_the_mmio_device_example_with_defaults),
        cmocka_unit_test(test_runner_boots_the_lazy_ram_example_with_defaults),
        cmocka_unit_test(test_runner_boots_a_multiboot_kernel_with_defaults),
        cmocka_unit_test(test_runner_passes_cmdline_modules_and_mem_to_multiboot),
        cmocka_unit_test(test_runner_boots_an_elf64_in_long_mode),
        cmocka_unit_test(test_runner_exits_with_the_guests_debug_exit_value),
        cmocka_unit_test(test_runner_reports_a_failed_guest),
        cmocka_unit_test(test_runner_traces_faults_and_io_to_stderr),
        cmocka_unit_test(test_runner_trace_irq_only_shows_no_io),
        cmocka_unit_test(test_runner_timeout_stops_a_guest_that_never_exits),
        cmocka_unit_test(test_runner_writes_serial_output_to_a_file),
        cmocka_unit_test(test_runner_reads_a_config_file_that_options_override),
        cmocka_unit_test(test_runner_refuses_bad_images),
        cmocka_unit_test(test_runner_refuses_bad_option_values),
        cmocka_unit_test(test_runner_refuses_bad_config_files),
        cmocka_unit_test(test_runner_help_names_every_option),
        cmocka_unit_test(test_runner_exports_crossvm_connections_to_a_peer_process),
        cmocka_unit_test(test_runner_crossvm_without_a_peer_times_out),
        cmocka_unit_test(test_runner_gdb_without_a_debugger_gives_up_at_the_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
