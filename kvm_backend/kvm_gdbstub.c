/* The guest's gdb remote-protocol server (sel4kvm/gdbstub.h): packets, registers, memory, hardware breakpoints. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <sel4kvm/gdbstub.h>
#include <sel4vm/arch/vmcs_fields.h>
#include "kvm_internal.h"

#define GDB_PACKET_MAX 4096
#define GDB_HW_BREAKPOINTS 4
#define GDB_INTERRUPT 0x03
#define EFER_LMA (1ul << 10)
#define CR0_PG (1ul << 31)
/* DR7: the reserved bit that reads as one, GE, and L<n> for breakpoint n (R/W and LEN 0: instruction). */
#define DR7_FIXED 0x600ul
#define DR7_LOCAL_ENABLE(n) (1ul << (2 * (n)))

/* What the command loop tells the run loop. */
enum gdb_action {
    GDB_RESUME,
    GDB_KILL,
};

struct kvm_gdb {
    int fd; /* the connection; -1 once gdb has gone */
    bool started;
    bool no_ack;
    bool stepping;
    bool signalled; /* input raises the kick signal on thread owner */
    pthread_t owner;
    int layout; /* 0 until gdb first asks, then 32 (i386) or 64 (amd64) for the rest of the session */
    uint64_t breakpoints[GDB_HW_BREAKPOINTS];
    bool used[GDB_HW_BREAKPOINTS];
    char in[GDB_PACKET_MAX];
    size_t in_len, in_pos;
    char packet[GDB_PACKET_MAX];
    char reply[GDB_PACKET_MAX];
};

/* ---- connection ----------------------------------------------------------------------------------------------- */

static void gdb_close(struct kvm_gdb *g)
{
    if (g->fd >= 0) {
        close(g->fd);
        g->fd = -1;
    }
}

/* The next byte from gdb; -1 when the connection is gone. */
static int gdb_getc(struct kvm_gdb *g)
{
    if (g->in_pos == g->in_len) {
        ssize_t n;
        do {
            n = recv(g->fd, g->in, sizeof(g->in), 0);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
            gdb_close(g);
            return -1;
        }
        g->in_len = (size_t)n;
        g->in_pos = 0;
    }
    return (unsigned char)g->in[g->in_pos++];
}

static int gdb_write(struct kvm_gdb *g, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(g->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            gdb_close(g);
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static const char hex_digits[] = "0123456789abcdef";

static int gdb_send(struct kvm_gdb *g, const char *payload)
{
    size_t len = strlen(payload);
    char *frame = malloc(len + 4);
    if (frame == NULL) {
        return -1;
    }
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum += (uint8_t)payload[i];
    }
    frame[0] = '$';
    memcpy(frame + 1, payload, len);
    frame[len + 1] = '#';
    frame[len + 2] = hex_digits[sum >> 4];
    frame[len + 3] = hex_digits[sum & 0xf];
    int ret;
    for (;;) {
        ret = gdb_write(g, frame, len + 4);
        if (ret != 0 || g->no_ack) {
            break;
        }
        int c;
        do {
            c = gdb_getc(g);
        } while (c >= 0 && c != '+' && c != '-');
        if (c != '-') {
            ret = c < 0 ? -1 : 0;
            break;
        }
    }
    free(frame);
    return ret;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* One packet's payload into buf (NUL-terminated); -1 when the connection is gone. Bytes outside packets (acks,
 * the interrupt byte while the guest is already stopped) are skipped. */
static int gdb_receive(struct kvm_gdb *g, char *buf, size_t size)
{
    for (;;) {
        int c;
        do {
            c = gdb_getc(g);
        } while (c >= 0 && c != '$');
        if (c < 0) {
            return -1;
        }
        size_t len = 0;
        uint8_t sum = 0;
        while ((c = gdb_getc(g)) >= 0 && c != '#') {
            if (len + 1 < size) {
                buf[len++] = (char)c;
            }
            sum += (uint8_t)c;
        }
        int hi = c < 0 ? -1 : gdb_getc(g);
        int lo = hi < 0 ? -1 : gdb_getc(g);
        if (lo < 0) {
            return -1;
        }
        buf[len] = '\0';
        bool good = hex_value(hi) * 16 + hex_value(lo) == sum;
        if (!g->no_ack && gdb_write(g, good ? "+" : "-", 1) != 0) {
            return -1;
        }
        if (good || g->no_ack) {
            return 0;
        }
    }
}

/* ---- registers ------------------------------------------------------------------------------------------------ */

/* gdb's register numbers, in 'g' order: i386 (eax ecx edx ebx esp ebp esi edi eip eflags, then the six segment
 * selectors) and amd64 (rax rbx rcx rdx rsi rdi rbp rsp r8-r15 rip, eflags, the six selectors). */
#define REG(name) offsetof(struct kvm_regs, name)
static const size_t i386_regs[] = { REG(rax), REG(rcx), REG(rdx), REG(rbx), REG(rsp),
                                    REG(rbp), REG(rsi), REG(rdi), REG(rip), REG(rflags) };
static const size_t amd64_regs[] = { REG(rax), REG(rbx), REG(rcx), REG(rdx), REG(rsi), REG(rdi),
                                     REG(rbp), REG(rsp), REG(r8),  REG(r9),  REG(r10), REG(r11),
                                     REG(r12), REG(r13), REG(r14), REG(r15), REG(rip), REG(rflags) };
#undef REG
static const seL4_Word segment_fields[] = { VMX_GUEST_CS_SELECTOR, VMX_GUEST_SS_SELECTOR, VMX_GUEST_DS_SELECTOR,
                                            VMX_GUEST_ES_SELECTOR, VMX_GUEST_FS_SELECTOR, VMX_GUEST_GS_SELECTOR };

static int gdb_layout(struct kvm_gdb *g, vm_vcpu_t *vcpu)
{
    if (g->layout == 0) {
        seL4_Word efer = 0;
        if (kvm_get_field(vcpu, VMX_GUEST_EFER, &efer) != 0) {
            return -1;
        }
        g->layout = (efer & EFER_LMA) ? 64 : 32;
    }
    return g->layout;
}

/* Register n's size in bytes and, for a general register, its place in kvm_regs; 0 for a number not served. */
static size_t reg_info(int layout, unsigned n, const size_t **offset, seL4_Word *segment)
{
    const size_t *table = layout == 64 ? amd64_regs : i386_regs;
    size_t count = layout == 64 ? ARRAY_SIZE(amd64_regs) : ARRAY_SIZE(i386_regs);
    *offset = NULL;
    if (n < count) {
        *offset = &table[n];
        return layout == 64 && n + 1 < count ? 8 : 4;
    }
    if (n - count < ARRAY_SIZE(segment_fields)) {
        *segment = segment_fields[n - count];
        return 4;
    }
    return 0;
}

static void put_hex_le(char *out, uint64_t value, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++, value >>= 8) {
        out[2 * i] = hex_digits[(value >> 4) & 0xf];
        out[2 * i + 1] = hex_digits[value & 0xf];
    }
    out[2 * bytes] = '\0';
}

/* Little-endian hex of bytes bytes; false if it is malformed. */
static bool get_hex_le(const char *in, size_t bytes, uint64_t *value)
{
    *value = 0;
    for (size_t i = 0; i < bytes; i++) {
        int hi = hex_value(in[2 * i]);
        int lo = hi < 0 ? -1 : hex_value(in[2 * i + 1]);
        if (lo < 0) {
            return false;
        }
        *value |= (uint64_t)(hi * 16 + lo) << (8 * i);
    }
    return true;
}

static int read_registers(struct kvm_gdb *g, vm_vcpu_t *vcpu, char *out)
{
    struct kvm_regs regs;
    int layout = gdb_layout(g, vcpu);
    if (layout < 0 || kvm_ioctl(kvm_vcpu(vcpu)->fd, KVM_GET_REGS, &regs) != 0) {
        return -1;
    }
    const size_t *offset;
    seL4_Word segment = 0;
    size_t size;
    for (unsigned n = 0; (size = reg_info(layout, n, &offset, &segment)) != 0; n++) {
        uint64_t value;
        if (offset != NULL) {
            memcpy(&value, (char *)&regs + *offset, sizeof(value));
        } else {
            seL4_Word word = 0;
            kvm_get_field(vcpu, segment, &word);
            value = word;
        }
        put_hex_le(out, value, size);
        out += 2 * size;
    }
    return 0;
}

/* Writes registers from hex in gdb's order, starting at register first; segment selectors are left as they are
 * (their hidden parts are not gdb's to set). */
static int write_registers(struct kvm_gdb *g, vm_vcpu_t *vcpu, unsigned first, const char *in, bool one)
{
    struct kvm_regs regs;
    int layout = gdb_layout(g, vcpu);
    if (layout < 0 || kvm_ioctl(kvm_vcpu(vcpu)->fd, KVM_GET_REGS, &regs) != 0) {
        return -1;
    }
    const size_t *offset;
    seL4_Word segment;
    size_t size;
    for (unsigned n = first; *in != '\0' && (size = reg_info(layout, n, &offset, &segment)) != 0; n++) {
        uint64_t value;
        if (strlen(in) < 2 * size || !get_hex_le(in, size, &value)) {
            return -1;
        }
        if (offset != NULL) {
            memcpy((char *)&regs + *offset, &value, size);
        }
        in += 2 * size;
        if (one) {
            break;
        }
    }
    return kvm_ioctl(kvm_vcpu(vcpu)->fd, KVM_SET_REGS, &regs);
}

/* ---- memory --------------------------------------------------------------------------------------------------- */

/* The guest-physical address of a guest-virtual one; false if the guest's page tables do not map it. */
static bool translate(vm_vcpu_t *vcpu, uint64_t addr, uint64_t *gpa)
{
    struct kvm_translation t = { .linear_address = addr };
    if (kvm_ioctl(kvm_vcpu(vcpu)->fd, KVM_TRANSLATE, &t) == 0) {
        *gpa = t.physical_address;
        return t.valid;
    }
    seL4_Word cr0 = 0;
    *gpa = addr;
    return kvm_get_field(vcpu, VMX_GUEST_CR0, &cr0) == 0 && !(cr0 & CR0_PG);
}

/* Copies between guest memory and buf, page by page. The process's own memory calls refuse (rather than fault on)
 * the window's unmapped and read-only pages, so gdb cannot crash the VMM. */
static int access_memory(vm_vcpu_t *vcpu, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
    struct kvm_vm *kv = kvm_vm(vcpu->vm);
    while (len > 0) {
        size_t chunk = MIN(len, 0x1000 - (addr & 0xfff));
        uint64_t gpa;
        if (!translate(vcpu, addr, &gpa) || gpa >= kv->mem.window_size || chunk > kv->mem.window_size - gpa) {
            return -1;
        }
        struct iovec local = { buf, chunk };
        struct iovec remote = { kv->mem.window + gpa, chunk };
        ssize_t n = write ? process_vm_writev(getpid(), &local, 1, &remote, 1, 0)
                          : process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
        if (n != (ssize_t)chunk) {
            return -1;
        }
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return 0;
}

/* "addr,len" in hex; rest points after it. */
static bool parse_addr_len(const char *in, uint64_t *addr, uint64_t *len, char **rest)
{
    char *end;
    errno = 0;
    *addr = strtoull(in, &end, 16);
    if (end == in || *end != ',') {
        return false;
    }
    *len = strtoull(end + 1, rest, 16);
    return errno == 0 && *rest != end + 1;
}

static void read_memory(vm_vcpu_t *vcpu, const char *args, char *out)
{
    uint64_t addr, len;
    char *rest;
    uint8_t buf[GDB_PACKET_MAX / 2 - 16];
    if (!parse_addr_len(args, &addr, &len, &rest) || len > sizeof(buf) ||
        access_memory(vcpu, addr, buf, len, false) != 0) {
        strcpy(out, "E01");
        return;
    }
    for (size_t i = 0; i < len; i++) {
        put_hex_le(out + 2 * i, buf[i], 1);
    }
}

static const char *write_memory(vm_vcpu_t *vcpu, const char *args)
{
    uint64_t addr, len;
    char *rest;
    uint8_t buf[GDB_PACKET_MAX / 2];
    if (!parse_addr_len(args, &addr, &len, &rest) || *rest != ':' || len > sizeof(buf) || strlen(rest + 1) != 2 * len) {
        return "E01";
    }
    for (size_t i = 0; i < len; i++) {
        uint64_t byte;
        if (!get_hex_le(rest + 1 + 2 * i, 1, &byte)) {
            return "E01";
        }
        buf[i] = (uint8_t)byte;
    }
    return access_memory(vcpu, addr, buf, len, true) == 0 ? "OK" : "E01";
}

/* ---- breakpoints and resuming --------------------------------------------------------------------------------- */

/* Z0/Z1 (insert) and z0/z1 (remove): both kinds live in DR0-DR3. Watchpoints are left to gdb (empty reply). */
static const char *breakpoint(struct kvm_gdb *g, const char *packet)
{
    bool insert = packet[0] == 'Z';
    if ((packet[1] != '0' && packet[1] != '1') || packet[2] != ',') {
        return "";
    }
    char *end;
    uint64_t addr = strtoull(packet + 3, &end, 16);
    if (end == packet + 3 || *end != ',') {
        return "E01";
    }
    int free_slot = -1;
    for (int i = 0; i < GDB_HW_BREAKPOINTS; i++) {
        if (g->used[i] && g->breakpoints[i] == addr) {
            g->used[i] = insert;
            return "OK";
        }
        if (!g->used[i] && free_slot < 0) {
            free_slot = i;
        }
    }
    if (!insert) {
        return "OK";
    }
    if (free_slot < 0) {
        ZF_LOGW("gdb asked for a fifth breakpoint at 0x%llx; the guest has four debug registers",
                (unsigned long long)addr);
        return "E0e";
    }
    g->used[free_slot] = true;
    g->breakpoints[free_slot] = addr;
    return "OK";
}

static int arm_debug(struct kvm_gdb *g, vm_vcpu_t *vcpu)
{
    struct kvm_guest_debug dbg = { 0 };
    uint64_t dr7 = DR7_FIXED;
    bool any = false;
    for (int i = 0; i < GDB_HW_BREAKPOINTS; i++) {
        if (g->used[i]) {
            dbg.arch.debugreg[i] = g->breakpoints[i];
            dr7 |= DR7_LOCAL_ENABLE(i);
            any = true;
        }
    }
    if (any || g->stepping) {
        dbg.control = KVM_GUESTDBG_ENABLE | (any ? KVM_GUESTDBG_USE_HW_BP : 0) |
                      (g->stepping ? KVM_GUESTDBG_SINGLESTEP : 0);
        dbg.arch.debugreg[7] = dr7;
    }
    if (kvm_ioctl(kvm_vcpu(vcpu)->fd, KVM_SET_GUEST_DEBUG, &dbg) != 0) {
        ZF_LOGE("Failed to set the guest's breakpoints for gdb: KVM_SET_GUEST_DEBUG: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* c/s with an optional resume address (C/S carry a signal first, which a guest has no use for). */
static int resume(struct kvm_gdb *g, vm_vcpu_t *vcpu, const char *packet)
{
    const char *addr = packet + 1;
    if (packet[0] == 'C' || packet[0] == 'S') {
        addr = strchr(packet, ';');
        addr = addr != NULL ? addr + 1 : "";
    }
    g->stepping = packet[0] == 's' || packet[0] == 'S';
    if (*addr != '\0') {
        char hex[17] = { 0 };
        uint64_t rip = strtoull(addr, NULL, 16);
        put_hex_le(hex, rip, 8);
        if (write_registers(g, vcpu, g->layout == 64 ? 16 : 8, hex, true) != 0) {
            return -1;
        }
    }
    return arm_debug(g, vcpu);
}

/* ---- queries -------------------------------------------------------------------------------------------------- */

/* qXfer:features:read:target.xml:offset,length — only the architecture, so that gdb uses its own register set
 * for the guest's mode. */
static void target_xml(struct kvm_gdb *g, vm_vcpu_t *vcpu, const char *args, char *out, size_t size)
{
    uint64_t offset, len;
    char *rest;
    if (strncmp(args, "target.xml:", 11) != 0) {
        snprintf(out, size, "E00");
        return;
    }
    if (!parse_addr_len(args + 11, &offset, &len, &rest) || gdb_layout(g, vcpu) < 0) {
        snprintf(out, size, "E01");
        return;
    }
    char xml[160];
    size_t xml_len = (size_t)snprintf(xml, sizeof(xml),
                                      "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
                                      "<target><architecture>%s</architecture></target>",
                                      g->layout == 64 ? "i386:x86-64" : "i386");
    if (offset >= xml_len) {
        snprintf(out, size, "l");
        return;
    }
    size_t n = MIN(MIN(len, xml_len - offset), size - 2);
    snprintf(out, size, "%c%.*s", offset + n < xml_len ? 'm' : 'l', (int)n, xml + offset);
}

static const char *query(const char *packet)
{
    static const struct {
        const char *prefix, *reply;
    } answers[] = {
        { "qSupported", "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+" },
        { "qAttached", "1" },
        { "qC", "QC1" },
        { "qfThreadInfo", "m1" },
        { "qsThreadInfo", "l" },
        { "qSymbol", "OK" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(answers); i++) {
        if (strncmp(packet, answers[i].prefix, strlen(answers[i].prefix)) == 0) {
            return answers[i].reply;
        }
    }
    return "";
}

/* ---- the command loop ----------------------------------------------------------------------------------------- */

/* Serves gdb while the guest is stopped, until gdb resumes it (or detaches, or goes away) or kills it. */
static enum gdb_action serve(struct kvm_gdb *g, vm_vcpu_t *vcpu)
{
    char *packet = g->packet, *reply = g->reply;
    while (g->fd >= 0) {
        if (gdb_receive(g, packet, sizeof(g->packet)) != 0) {
            break;
        }
        reply[0] = '\0';
        const char *text = reply;
        unsigned long n;
        char *end;
        switch (packet[0]) {
        case '?':
            text = "S05";
            break;
        case 'g':
            if (read_registers(g, vcpu, reply) != 0) {
                text = "E01";
            }
            break;
        case 'G':
            text = write_registers(g, vcpu, 0, packet + 1, false) == 0 ? "OK" : "E01";
            break;
        case 'P':
            n = strtoul(packet + 1, &end, 16);
            text = *end == '=' && gdb_layout(g, vcpu) > 0 && write_registers(g, vcpu, (unsigned)n, end + 1, true) == 0
                       ? "OK"
                       : "E01";
            break;
        case 'm':
            read_memory(vcpu, packet + 1, reply);
            break;
        case 'M':
            text = write_memory(vcpu, packet + 1);
            break;
        case 'Z':
        case 'z':
            text = breakpoint(g, packet);
            break;
        case 'H':
        case 'T':
            text = "OK";
            break;
        case 'c':
        case 'C':
        case 's':
        case 'S':
            return resume(g, vcpu, packet) == 0 ? GDB_RESUME : GDB_KILL;
        case 'k':
            gdb_close(g);
            return GDB_KILL;
        case 'D':
            gdb_send(g, "OK");
            gdb_close(g);
            break;
        case 'q':
            if (strncmp(packet, "qXfer:features:read:", 20) == 0) {
                target_xml(g, vcpu, packet + 20, reply, sizeof(g->reply));
            } else {
                text = query(packet);
            }
            break;
        case 'Q':
            if (strcmp(packet, "QStartNoAckMode") == 0) {
                gdb_send(g, "OK");
                g->no_ack = true;
                continue;
            }
            break;
        default:
            break;
        }
        gdb_send(g, text);
    }
    /* gdb went away or detached: the guest runs on without breakpoints. */
    memset(g->used, 0, sizeof(g->used));
    g->stepping = false;
    return arm_debug(g, vcpu) == 0 ? GDB_RESUME : GDB_KILL;
}

/* ---- the run loop's hooks (kvm_internal.h) -------------------------------------------------------------------- */

/* Bytes from gdb raise the kick signal (SIGURG, kvm_run.c) on the vCPU thread, which ends a KVM_RUN as a kick does; the run loop
 * then looks for gdb's interrupt request (kvm_gdb_before_run). Set for each vm_run's thread. */
static void signal_input_to(struct kvm_gdb *g)
{
    if (g->signalled && pthread_equal(g->owner, pthread_self())) {
        return;
    }
    struct f_owner_ex owner = { .type = F_OWNER_TID, .pid = gettid() };
    int flags = fcntl(g->fd, F_GETFL);
    if (flags < 0 || fcntl(g->fd, F_SETOWN_EX, &owner) != 0 || fcntl(g->fd, F_SETSIG, SIGURG) != 0 ||
        fcntl(g->fd, F_SETFL, flags | O_ASYNC) != 0) {
        ZF_LOGW("gdb cannot interrupt the running guest: %s", strerror(errno));
    }
    g->signalled = true;
    g->owner = pthread_self();
}

/* Whether gdb sent its interrupt byte (Ctrl-C) while the guest ran; other bytes stay buffered for serve(). */
static bool interrupt_requested(struct kvm_gdb *g)
{
    if (g->in_pos == g->in_len) {
        ssize_t n = recv(g->fd, g->in, sizeof(g->in), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            gdb_close(g);
            return false;
        }
        g->in_len = n > 0 ? (size_t)n : 0;
        g->in_pos = 0;
    }
    char *hit = memchr(g->in + g->in_pos, GDB_INTERRUPT, g->in_len - g->in_pos);
    if (hit == NULL) {
        return false;
    }
    g->in_pos = (size_t)(hit - g->in) + 1;
    return true;
}

/* After a port or MMIO exit the guest's state is consistent only once KVM has completed the instruction, at the
 * next KVM_RUN: make that KVM_RUN return before running anything more. */
static int complete_pending_access(vm_vcpu_t *vcpu)
{
    struct kvm_vcpu *kc = kvm_vcpu(vcpu);
    if (kc->run->exit_reason != KVM_EXIT_IO && kc->run->exit_reason != KVM_EXIT_MMIO) {
        return 0;
    }
    if (kvm_flush_sregs(vcpu) != 0) {
        return -1;
    }
    __atomic_store_n(&kc->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    int rc = ioctl(kc->fd, KVM_RUN, 0);
    int err = errno;
    __atomic_store_n(&kc->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    kvm_forget_sregs(kc);
    if (rc == 0 || (err != EINTR && err != EAGAIN)) {
        ZF_LOGE("Failed to stop the guest for gdb: KVM_RUN: %s", rc == 0 ? "the guest ran" : strerror(err));
        return -1;
    }
    return 0;
}

int kvm_gdb_before_run(vm_vcpu_t *vcpu)
{
    struct kvm_gdb *g = kvm_vm(vcpu->vm)->gdb;
    if (g == NULL || g->fd < 0) {
        return 0;
    }
    signal_input_to(g);
    if (!g->started) {
        g->started = true;
        /* gdb reads the state the VMM set up, which reaches KVM only before a run. */
        if (kvm_flush_sregs(vcpu) != 0) {
            return -1;
        }
        return serve(g, vcpu) == GDB_KILL ? -1 : 0;
    }
    if (!interrupt_requested(g)) {
        return 0;
    }
    if (complete_pending_access(vcpu) != 0) {
        return -1;
    }
    if (g->fd >= 0) {
        gdb_send(g, "S02");
    }
    return serve(g, vcpu) == GDB_KILL ? -1 : 0;
}

int kvm_gdb_debug_exit(vm_vcpu_t *vcpu, struct kvm_run *run)
{
    struct kvm_gdb *g = kvm_vm(vcpu->vm)->gdb;
    if (g == NULL || g->fd < 0) {
        char reason[96];
        snprintf(reason, sizeof(reason), "a debug exit (exception %u) with no gdb attached", run->debug.arch.exception);
        kvm_dump_vcpu(vcpu, reason);
        return -1;
    }
    g->stepping = false;
    /* A send that fails closes the connection, and serve() then lets the guest run on. */
    gdb_send(g, "S05");
    return serve(g, vcpu) == GDB_KILL ? -1 : 0;
}

void kvm_gdb_run_ends(vm_vcpu_t *vcpu, int ret)
{
    struct kvm_gdb *g = kvm_vm(vcpu->vm)->gdb;
    if (g == NULL || g->fd < 0 || !g->started) {
        return;
    }
    gdb_send(g, ret == 0 ? "W00" : "W01");
    gdb_close(g);
}

void kvm_gdb_release(struct kvm_vm *kv)
{
    if (kv->gdb != NULL) {
        gdb_close(kv->gdb);
        free(kv->gdb);
        kv->gdb = NULL;
    }
}

/* ---- attaching ------------------------------------------------------------------------------------------------ */

static int listen_on(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ZF_LOGE("Failed to attach gdb: socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 1) != 0) {
        ZF_LOGE("Failed to attach gdb: cannot listen on 127.0.0.1:%u: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int accept_within(int listener, uint16_t port, int timeout_ms)
{
    struct pollfd p = { .fd = listener, .events = POLLIN };
    int ready;
    do {
        ready = poll(&p, 1, timeout_ms);
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) {
        ZF_LOGE("Failed to attach gdb: %s on 127.0.0.1:%u", ready == 0 ? "no connection" : strerror(errno), port);
        return -1;
    }
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        ZF_LOGE("Failed to attach gdb: accept: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

int sel4kvm_gdbstub_attach(vm_t *vm, uint16_t port, int timeout_ms)
{
    if (vm == NULL || !vm->vm_initialised || vm_private(vm) == NULL) {
        ZF_LOGE("Failed to attach gdb: VM is NULL or not initialised");
        return -1;
    }
    if (vm_private(vm)->ops != &sel4vm_kvm_backend_ops || kvm_vm(vm) == NULL) {
        ZF_LOGE("Failed to attach gdb: VM %s does not use the KVM backend", vm->vm_name);
        return -1;
    }
    if (kvm_vm(vm)->gdb != NULL) {
        ZF_LOGE("Failed to attach gdb: VM %s already has a debugger", vm->vm_name);
        return -1;
    }
    if (port == 0 || timeout_ms < -1) {
        ZF_LOGE("Failed to attach gdb: port %u or timeout %d ms is invalid", port, timeout_ms);
        return -1;
    }
    struct kvm_gdb *g = calloc(1, sizeof(*g));
    if (g == NULL) {
        ZF_LOGE("Failed to attach gdb: out of memory");
        return -1;
    }
    int listener = listen_on(port);
    g->fd = listener < 0 ? -1 : accept_within(listener, port, timeout_ms);
    if (listener >= 0) {
        close(listener);
    }
    if (g->fd < 0) {
        free(g);
        return -1;
    }
    kvm_vm(vm)->gdb = g;
    return 0;
}
