/* A real gdb in batch mode: on a VMM's fault handler (.debug_gdb_scripts, helpers) and on a guest (gdbstub.h). */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sel4kvm/gdbstub.h>
#include <sel4vm/arch/guest_x86_context.h>
#include <sel4vm/boot.h>
#include "kvm_fixture.h"
#include "../unit/quiet_log.h"

#define GDB_SECONDS 60

static bool have_gdb(void)
{
    return system("gdb --version >/dev/null 2>&1") == 0;
}

#define SKIP_WITHOUT_GDB()                                                                                             \
    do {                                                                                                               \
        if (!have_gdb()) {                                                                                             \
            print_message("skipped: gdb is not installed\n");                                                          \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)

struct gdb_run {
    pid_t pid;
    char script[64];
    char output[64];
};

/* Starts `gdb --batch` on the commands in script, its output going to a file read by gdb_finish. */
static void gdb_start(struct gdb_run *run, const char *commands, const char *program)
{
    strcpy(run->script, "/tmp/sel4kvm-gdb-script-XXXXXX");
    strcpy(run->output, "/tmp/sel4kvm-gdb-output-XXXXXX");
    int script_fd = mkstemp(run->script);
    int out_fd = mkstemp(run->output);
    assert_true(script_fd >= 0 && out_fd >= 0);
    assert_int_equal(write(script_fd, commands, strlen(commands)), (ssize_t)strlen(commands));
    close(script_fd);
    run->pid = fork();
    assert_true(run->pid >= 0);
    if (run->pid == 0) {
        dup2(out_fd, STDOUT_FILENO);
        dup2(out_fd, STDERR_FILENO);
        /* LeakSanitizer refuses to run under ptrace, so a sanitized example would exit 1 under gdb. */
        setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
        execlp("gdb", "gdb", "--batch", "-nx", "-iex", "set auto-load safe-path /", "-x", run->script, program,
               (char *)NULL);
        _exit(127);
    }
    close(out_fd);
}

/* Waits for gdb (killing it after GDB_SECONDS) and returns its output, which the caller frees. */
static char *gdb_finish(struct gdb_run *run, int *status)
{
    *status = -1;
    for (int waited = 0; waited < GDB_SECONDS * 10; waited++) {
        if (waitpid(run->pid, status, WNOHANG) == run->pid) {
            break;
        }
        struct timespec tenth = { 0, 100000000 };
        nanosleep(&tenth, NULL);
    }
    if (*status == -1) {
        kill(run->pid, SIGKILL);
        waitpid(run->pid, NULL, 0);
    }
    char *text = NULL;
    size_t size = 0;
    FILE *f = fopen(run->output, "r");
    if (f != NULL) {
        text = calloc(1, 1 << 16);
        size = fread(text, 1, (1 << 16) - 1, f);
        fclose(f);
    }
    unlink(run->script);
    unlink(run->output);
    assert_non_null(text);
    (void)size;
    return text;
}

static void assert_contains(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL) {
        fail_msg("gdb output lacks \"%s\":\n%s", needle, text);
    }
}

/* ---- host side: the VMM's fault handler under gdb ------------------------------------------------------------ */

static void test_gdb_stops_in_an_example_fault_handler_with_its_arguments(void **state)
{
    (void)state;
    SKIP_WITHOUT_GDB();
    skip_without_kvm();
    struct gdb_run run;
    gdb_start(&run,
              "set pagination off\n"
              "set confirm off\n"
              "break counter_fault\n"
              "run\n"
              "bt\n"
              "printf \"FAULT_ADDR %#lx\\n\", fault_addr\n"
              "print/x fault_addr\n"
              "sel4vm fault vcpu\n"
              "sel4vm reservations vm\n"
              "sel4vm ram vm\n"
              "delete\n"
              "continue\n",
              EXAMPLE_DIR "/hello");
    int status;
    char *out = gdb_finish(&run, &status);
    assert_true(WIFEXITED(status));
    assert_contains(out, "Breakpoint 1, counter_fault");
    assert_contains(out, "vcpu_fault_dispatch");
    assert_contains(out, "kvm_vcpu_run");
    const char *at = strstr(out, "FAULT_ADDR ");
    assert_non_null(at);
    unsigned long addr = strtoul(at + strlen("FAULT_ADDR "), NULL, 16);
    assert_true(addr == 0xd0000000ul || addr == 0xd0000004ul);
    assert_contains(out, "fault 0xd000000");       /* sel4vm fault */
    assert_contains(out, "0xd0000000-0xd0001000"); /* sel4vm reservations: the counter */
    assert_contains(out, "0x00000000-0x00080000"); /* sel4vm ram: low RAM */
    assert_contains(out, "exited normally");
    assert_null(strstr(out, "SIGURG"));
    free(out);
}

/* ---- guest side: the gdb stub ---------------------------------------------------------------------------------- */

/* A port nothing listens on now: the kernel's pick for an ephemeral bind. */
static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

static unsigned long value_after(const char *text, const char *label)
{
    const char *at = strstr(text, label);
    if (at == NULL) {
        fail_msg("gdb output lacks \"%s\":\n%s", label, text);
    }
    return strtoul(at + strlen(label), NULL, 16);
}

static void test_gdb_breaks_at_a_guest_label_reads_registers_and_steps(void **state)
{
    SKIP_WITHOUT_GDB();
    struct kvm_fixture *f = kvm_fixture(state);
    kvm_load_guest(f, "hello_32");
    assert_int_equal(vm_set_thread_context_reg(f->vcpu, VCPU_CONTEXT_EAX, 0x2a), 0);
    uint16_t port = free_port();
    char commands[512];
    snprintf(commands, sizeof(commands),
             "set pagination off\n"
             "set confirm off\n"
             "target remote 127.0.0.1:%u\n"
             "printf \"START %%#x\\n\", $eip\n"
             "break guest_main\n"
             "continue\n"
             "printf \"MAIN %%#x EIP %%#x EAX %%#x\\n\", &guest_main, $eip, $eax\n"
             "stepi\n"
             "printf \"STEP %%#x\\n\", $eip\n"
             "info registers eax\n"
             "x/2i $pc\n"
             "continue\n",
             port);
    struct gdb_run run;
    gdb_start(&run, commands, GUEST_DIR "/hello_32.elf");
    assert_int_equal(sel4kvm_gdbstub_attach(&f->vm, port, GDB_SECONDS * 1000), 0);
    assert_int_equal(kvm_run(f), 0);
    int status;
    char *out = gdb_finish(&run, &status);
    assert_int_equal(kvm_exit_status(f), (0x2a << 1) | 1);
    unsigned long main_addr = value_after(out, "MAIN ");
    assert_int_equal(value_after(out, "START "), 0x100000); /* _start: stopped before the first instruction */
    assert_int_equal(value_after(out, " EIP "), main_addr);
    assert_int_equal(value_after(out, " EAX "), 0x2a);
    unsigned long step = value_after(out, "STEP ");
    assert_true(step > main_addr && step <= main_addr + 15);
    assert_contains(out, "<guest_main+"); /* x/2i read guest memory */
    assert_contains(out, "0x2a");
    assert_contains(out, "exited normally");
    free(out);
}

/* True once something listens on 127.0.0.1:port (/proc/net/tcp: local address 0100007F:PORT, state 0A). */
static bool listening(uint16_t port)
{
    char want[32];
    snprintf(want, sizeof(want), "0100007F:%04X 00000000:0000 0A", port);
    FILE *f = fopen("/proc/net/tcp", "r");
    bool found = false;
    for (char line[256]; f != NULL && !found && fgets(line, sizeof(line), f) != NULL;) {
        found = strstr(line, want) != NULL;
    }
    if (f != NULL) {
        fclose(f);
    }
    return found;
}

/* The same session through the runner, as a user would start it: `sel4vm-run --gdb PORT image`. */
static void test_gdb_debugs_a_guest_started_by_sel4vm_run_with_gdb(void **state)
{
    (void)state;
    SKIP_WITHOUT_GDB();
    skip_without_kvm();
    uint16_t port = free_port();
    char port_arg[16];
    snprintf(port_arg, sizeof(port_arg), "%u", port);
    pid_t runner = fork();
    assert_true(runner >= 0);
    if (runner == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        execl(EXAMPLE_DIR "/sel4vm-run", "sel4vm-run", "--gdb", port_arg, "--timeout", "60",
              EXAMPLE_DIR "/hello-guest.elf", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 600 && !listening(port); i++) {
        struct timespec tenth = { 0, 10000000 };
        nanosleep(&tenth, NULL);
    }
    assert_true(listening(port));
    char commands[512];
    snprintf(commands, sizeof(commands),
             "set pagination off\n"
             "set confirm off\n"
             "target remote 127.0.0.1:%u\n"
             "x/1i $pc\n"
             "break guest_main\n"
             "continue\n"
             "printf \"MAIN %%#x EIP %%#x\\n\", &guest_main, $eip\n"
             "stepi\n"
             "printf \"STEP %%#x\\n\", $eip\n"
             "continue\n",
             port);
    struct gdb_run run;
    gdb_start(&run, commands, EXAMPLE_DIR "/hello-guest.elf");
    int status;
    char *out = gdb_finish(&run, &status);
    int runner_status;
    assert_int_equal(waitpid(runner, &runner_status, 0), runner);
    unsigned long main_addr = value_after(out, "MAIN ");
    assert_int_equal(value_after(out, " EIP "), main_addr);
    unsigned long step = value_after(out, "STEP ");
    assert_true(step > main_addr && step <= main_addr + 15);
    /* Guest memory reads before the first instruction: the window's mappings exist by then. */
    assert_contains(out, "<_start>:");
    assert_contains(out, "exited normally");
    assert_true(WIFEXITED(runner_status));
    assert_int_equal(WEXITSTATUS(runner_status), 0);
    free(out);
}

/* A raw remote-protocol client on a thread: stop reply, continue, interrupt (0x03), kill. */
struct raw_client {
    uint16_t port;
    char stop_first[32];
    char stop_interrupted[32];
};

static void raw_send(int fd, const char *payload)
{
    unsigned sum = 0;
    for (const char *c = payload; *c != '\0'; c++) {
        sum += (unsigned char)*c;
    }
    char frame[64];
    int n = snprintf(frame, sizeof(frame), "$%s#%02x", payload, sum & 0xff);
    if (write(fd, frame, (size_t)n) != n) {
        print_message("raw client: write failed\n");
    }
}

/* The payload of the next packet from the stub (acks skipped), acknowledged. The client thread cannot use cmocka's
 * assertions: the test checks what it recorded. */
static void raw_receive(int fd, char *payload, size_t size)
{
    char c;
    size_t len = 0;
    while (read(fd, &c, 1) == 1 && c != '$') {
    }
    while (read(fd, &c, 1) == 1 && c != '#' && len + 1 < size) {
        payload[len++] = c;
    }
    payload[len] = '\0';
    char checksum[2];
    if (read(fd, checksum, 2) != 2 || write(fd, "+", 1) != 1) {
        payload[0] = '\0';
    }
}

static void *raw_client_main(void *arg)
{
    struct raw_client *rc = arg;
    int fd = -1;
    for (int tries = 0; tries < 200 && fd < 0; tries++) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(rc->port) };
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
            close(fd);
            fd = -1;
            struct timespec pause = { 0, 10000000 };
            nanosleep(&pause, NULL);
        }
    }
    if (fd < 0) {
        return NULL;
    }
    raw_send(fd, "?");
    raw_receive(fd, rc->stop_first, sizeof(rc->stop_first));
    raw_send(fd, "c");
    struct timespec pause = { 0, 100000000 }; /* the guest reaches its hlt loop */
    nanosleep(&pause, NULL);
    if (write(fd, "\x03", 1) != 1) {
        close(fd);
        return NULL;
    }
    raw_receive(fd, rc->stop_interrupted, sizeof(rc->stop_interrupted));
    raw_send(fd, "k");
    close(fd);
    return NULL;
}

static void test_gdb_interrupts_a_running_guest_and_kills_it(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    kvm_load_guest(f, "halt_16");
    struct raw_client rc = { .port = free_port() };
    pthread_t client;
    assert_int_equal(pthread_create(&client, NULL, raw_client_main, &rc), 0);
    assert_int_equal(sel4kvm_gdbstub_attach(&f->vm, rc.port, GDB_SECONDS * 1000), 0);
    assert_int_equal(kvm_run(f), -1);
    pthread_join(client, NULL);
    assert_string_equal(rc.stop_first, "S05");
    assert_string_equal(rc.stop_interrupted, "S02");
    assert_true(atomic_load(&f->guest_ready));
}

/* ---- attach arguments ------------------------------------------------------------------------------------------ */

static void test_gdbstub_attach_rejects_bad_arguments(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    assert_logs_error(assert_int_equal(sel4kvm_gdbstub_attach(NULL, 1234, 0), -1));
    assert_logs_error(assert_int_equal(sel4kvm_gdbstub_attach(&f->vm, 0, 0), -1));
    assert_logs_error(assert_int_equal(sel4kvm_gdbstub_attach(&f->vm, free_port(), -2), -1));
}

static void test_gdbstub_attach_fails_when_nobody_connects_in_time(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    assert_logs_error(assert_int_equal(sel4kvm_gdbstub_attach(&f->vm, free_port(), 50), -1));
}

static void test_gdbstub_attach_refuses_a_test_backend_vm(void **state)
{
    (void)state;
    sel4kvm_env_t env;
    vm_t vm;
    assert_int_equal(sel4kvm_env_init(&env, NULL), 0);
    sel4kvm_vm_select_backend(SEL4KVM_BACKEND_TEST);
    assert_int_equal(vm_init(&vm, &env.vka, &env.simple, env.vspace, &env.io_ops, env.host_endpoint, "test"), 0);
    assert_logs_error(assert_int_equal(sel4kvm_gdbstub_attach(&vm, free_port(), 0), -1));
    sel4kvm_vm_destroy(&vm);
    sel4kvm_env_destroy(&env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gdb_stops_in_an_example_fault_handler_with_its_arguments),
        KVM_TEST(test_gdb_breaks_at_a_guest_label_reads_registers_and_steps),
        KVM_TEST(test_gdb_interrupts_a_running_guest_and_kills_it),
        cmocka_unit_test(test_gdb_debugs_a_guest_started_by_sel4vm_run_with_gdb),
        KVM_TEST(test_gdbstub_attach_rejects_bad_arguments),
        KVM_TEST(test_gdbstub_attach_fails_when_nobody_connects_in_time),
        cmocka_unit_test(test_gdbstub_attach_refuses_a_test_backend_vm),
    };
    return cmocka_run_group_tests(tests, quiet_group, loud_group);
}
