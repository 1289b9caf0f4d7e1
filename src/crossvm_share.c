/* Exporting a cross-VM connection to another process and connecting to or importing it there. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sel4kvm/crossvm.h>
#include <sel4kvm/sim.h>
#include <utils/util.h>
#include <vka/capops.h>

/* The message: a header, then its extents (runs of frames contiguous in one memfd). Descriptors ride along
 * as SCM_RIGHTS: the exporter's signal eventfd, the peer's event eventfd, then the memfds. */
#define WIRE_MAGIC 0x76783473u /* "s4xv" */
#define WIRE_VERSION 1
#define WIRE_MAX_EXTENTS 256
#define WIRE_MAX_MEMFDS 32
#define WIRE_FD_SIGNAL 0
#define WIRE_FD_EVENT 1
#define WIRE_FD_MEM 2
#define WIRE_MAX_FDS (WIRE_FD_MEM + WIRE_MAX_MEMFDS)
/* The largest dataport a peer may send: 4 GiB, beyond what a 32-bit BAR can show a guest anyway. */
#define WIRE_MAX_SIZE (1ull << 32)

struct wire_extent {
    uint32_t fd_index; /* into the memfds */
    uint32_t reserved;
    uint64_t offset;
    uint64_t length;
};

struct wire_msg {
    uint32_t magic;
    uint16_t version;
    uint16_t num_extents;
    char name[SEL4KVM_CROSSVM_NAME_LEN];
    uint64_t size;
    uint32_t frame_bits;
    uint32_t num_memfds;
    struct wire_extent extents[WIRE_MAX_EXTENTS];
};

static size_t wire_len(unsigned num_extents)
{
    return offsetof(struct wire_msg, extents) + num_extents * sizeof(struct wire_extent);
}

static void close_fds(int *fds, int n)
{
    for (int i = 0; i < n; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
            fds[i] = -1;
        }
    }
}

/* ---- exporting ------------------------------------------------------------------------------------------------ */

static size_t frame_bits_of(const crossvm_dataport_handle_t *d)
{
    return d->frame_size_bits != 0 ? d->frame_size_bits : seL4_PageBits;
}

/* Describes the dataport's frames as extents of the kernel's memfds; fds receives each memfd once. */
static int describe_frames(const crossvm_dataport_handle_t *d, struct wire_msg *m, int *memfds)
{
    size_t bytes = BIT(frame_bits_of(d));
    for (unsigned i = 0; i < d->num_frames; i++) {
        seL4_X86_Page_GetAddress_t a = seL4_X86_Page_GetAddress(d->frames[i]);
        int fd;
        off_t offset;
        if (a.error != seL4_NoError || sel4kvm_sim_paddr_to_fd(a.paddr, &fd, &offset) != 0) {
            ZF_LOGE("Failed to export dataport: frame %u (cap 0x%lx) is not a frame of this kernel", i,
                    (unsigned long)d->frames[i]);
            return -1;
        }
        uint32_t fd_index = 0;
        while (fd_index < m->num_memfds && memfds[fd_index] != fd) {
            fd_index++;
        }
        if (fd_index == m->num_memfds) {
            if (m->num_memfds == WIRE_MAX_MEMFDS) {
                ZF_LOGE("Failed to export dataport: its frames lie in more than %d memory banks", WIRE_MAX_MEMFDS);
                return -1;
            }
            memfds[m->num_memfds++] = fd;
        }
        struct wire_extent *last = m->num_extents > 0 ? &m->extents[m->num_extents - 1] : NULL;
        if (last != NULL && last->fd_index == fd_index && last->offset + last->length == (uint64_t)offset) {
            last->length += bytes;
            continue;
        }
        if (m->num_extents == WIRE_MAX_EXTENTS) {
            ZF_LOGE("Failed to export dataport: its frames form more than %d separate runs", WIRE_MAX_EXTENTS);
            return -1;
        }
        m->extents[m->num_extents++] = (struct wire_extent){ .fd_index = fd_index,
                                                             .offset = (uint64_t)offset,
                                                             .length = bytes };
    }
    return 0;
}

static int send_msg(int sock, const struct wire_msg *m, const int *fds, int nfds)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * WIRE_MAX_FDS)];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct iovec iov = { .iov_base = (void *)m, .iov_len = wire_len(m->num_extents) };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = CMSG_SPACE(sizeof(int) * nfds)
    };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    ssize_t sent;
    do {
        sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
        ZF_LOGE("Failed to export dataport: sendmsg: %s", strerror(errno));
        return -1;
    }
    /* A stream socket may take the rest in pieces; the descriptors went with the first byte. */
    for (size_t done = (size_t)sent; done < iov.iov_len;) {
        ssize_t n = send(sock, (const char *)m + done, iov.iov_len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ZF_LOGE("Failed to export dataport: send: %s", n < 0 ? strerror(errno) : "connection closed");
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int sel4kvm_crossvm_export(int sock, const char *name, const crossvm_dataport_handle_t *dataport, seL4_CPtr to_vmm,
                           int *to_peer)
{
    if (dataport == NULL || to_peer == NULL || sock < 0) {
        ZF_LOGE("Failed to export dataport: %s",
                sock < 0 ? "negative socket" : (dataport == NULL ? "dataport is NULL" : "to_peer is NULL"));
        return -1;
    }
    if (dataport->frames == NULL || dataport->num_frames == 0) {
        ZF_LOGE("Failed to export dataport: it has no frames");
        return -1;
    }
    size_t bits = frame_bits_of(dataport);
    if (bits != seL4_PageBits && bits != seL4_LargePageBits) {
        ZF_LOGE("Failed to export dataport: frame size 2^%zu is not 4 KiB or 2 MiB", bits);
        return -1;
    }
    struct wire_msg *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        ZF_LOGE("Failed to export dataport: out of memory");
        return -1;
    }
    m->magic = WIRE_MAGIC;
    m->version = WIRE_VERSION;
    m->frame_bits = (uint32_t)bits;
    m->size = (uint64_t)dataport->num_frames << bits;
    strncpy(m->name, name != NULL ? name : "connector", sizeof(m->name));
    int fds[WIRE_MAX_FDS];
    int ret = -1;
    fds[WIRE_FD_SIGNAL] = -1;
    fds[WIRE_FD_EVENT] = -1;
    if (describe_frames(dataport, m, fds + WIRE_FD_MEM) != 0) {
        goto out;
    }
    fds[WIRE_FD_SIGNAL] = sel4kvm_notification_export(to_vmm);
    if (fds[WIRE_FD_SIGNAL] < 0) {
        ZF_LOGE("Failed to export dataport: to_vmm 0x%lx is not a notification cap", (unsigned long)to_vmm);
        goto out;
    }
    fds[WIRE_FD_EVENT] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fds[WIRE_FD_EVENT] < 0) {
        ZF_LOGE("Failed to export dataport: eventfd: %s", strerror(errno));
        goto out;
    }
    if (send_msg(sock, m, fds, WIRE_FD_MEM + (int)m->num_memfds) != 0) {
        goto out;
    }
    *to_peer = fds[WIRE_FD_EVENT];
    fds[WIRE_FD_EVENT] = -1;
    ret = 0;
out:
    /* The memfds belong to the kernel; the exported notification keeps its own copy of the signal fd. */
    close_fds(fds, WIRE_FD_MEM);
    free(m);
    return ret;
}

/* ---- receiving ------------------------------------------------------------------------------------------------ */

struct received {
    struct wire_msg msg;
    int fds[WIRE_MAX_FDS];
    int nfds;
};

static int recv_exact(int sock, void *buf, size_t len, size_t done)
{
    while (done < len) {
        ssize_t n = recv(sock, (char *)buf + done, len - done, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ZF_LOGE("Failed to receive cross-VM connection: %s", n < 0 ? strerror(errno) : "connection closed");
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

static int recv_msg(int sock, struct received *r)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * WIRE_MAX_FDS)];
        struct cmsghdr align;
    } control;
    /* A stream is read as header, then extents; a datagram or seqpacket message must be taken whole. */
    int type = 0;
    socklen_t type_len = sizeof(type);
    bool stream = getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type == SOCK_STREAM;
    struct iovec iov = { .iov_base = &r->msg, .iov_len = stream ? wire_len(0) : sizeof(r->msg) };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control)
    };
    r->nfds = 0;
    ssize_t n;
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | (stream ? MSG_WAITALL : 0));
    } while (n < 0 && errno == EINTR);
    /* A failed receive leaves the control buffer as it was: nothing in it was received. */
    if (n < 0) {
        msg.msg_controllen = 0;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            int *in = (int *)CMSG_DATA(c);
            for (int i = 0; i < count; i++) {
                if (r->nfds < WIRE_MAX_FDS) {
                    r->fds[r->nfds++] = in[i];
                } else {
                    close(in[i]);
                }
            }
        }
    }
    if (n <= 0) {
        ZF_LOGE("Failed to receive cross-VM connection: %s", n < 0 ? strerror(errno) : "connection closed");
        return -1;
    }
    if (msg.msg_flags & MSG_CTRUNC) {
        ZF_LOGE("Failed to receive cross-VM connection: too many descriptors");
        return -1;
    }
    if (msg.msg_flags & MSG_TRUNC) {
        ZF_LOGE("Failed to receive cross-VM connection: message longer than any connection message");
        return -1;
    }
    if (stream && recv_exact(sock, &r->msg, wire_len(0), (size_t)n) != 0) {
        return -1;
    }
    if (!stream && (size_t)n < wire_len(0)) {
        ZF_LOGE("Failed to receive cross-VM connection: short message of %zd bytes", n);
        return -1;
    }
    if (r->msg.magic != WIRE_MAGIC || r->msg.version != WIRE_VERSION) {
        ZF_LOGE("Failed to receive cross-VM connection: not a version %d connection message", WIRE_VERSION);
        return -1;
    }
    if (r->msg.num_extents == 0 || r->msg.num_extents > WIRE_MAX_EXTENTS) {
        ZF_LOGE("Failed to receive cross-VM connection: %u extents, not 1 to %d", r->msg.num_extents, WIRE_MAX_EXTENTS);
        return -1;
    }
    if (!stream) {
        if ((size_t)n != wire_len(r->msg.num_extents)) {
            ZF_LOGE("Failed to receive cross-VM connection: %zd bytes for %u extents", n, r->msg.num_extents);
            return -1;
        }
        return 0;
    }
    return recv_exact(sock, &r->msg, wire_len(r->msg.num_extents), wire_len(0));
}

/* Everything a hostile sender could get wrong, checked before any of it is used. */
static int check_msg(struct received *r)
{
    struct wire_msg *m = &r->msg;
    if (m->frame_bits != seL4_PageBits && m->frame_bits != seL4_LargePageBits) {
        ZF_LOGE("Failed to receive cross-VM connection: frame size 2^%u is not 4 KiB or 2 MiB", m->frame_bits);
        return -1;
    }
    if (m->num_memfds == 0 || m->num_memfds > WIRE_MAX_MEMFDS || r->nfds != WIRE_FD_MEM + (int)m->num_memfds) {
        ZF_LOGE("Failed to receive cross-VM connection: %d descriptors for %u memory files", r->nfds, m->num_memfds);
        return -1;
    }
    if (m->size > WIRE_MAX_SIZE) {
        ZF_LOGE("Failed to receive cross-VM connection: a dataport of 0x%" PRIx64 " bytes (at most 0x%llx)", m->size,
                (unsigned long long)WIRE_MAX_SIZE);
        return -1;
    }
    /* A file that can shrink could take pages from under the mapping: the peer would fault on its dataport. */
    for (unsigned i = 0; i < m->num_memfds; i++) {
        int seals = fcntl(r->fds[WIRE_FD_MEM + i], F_GET_SEALS);
        if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
            ZF_LOGE("Failed to receive cross-VM connection: memory file %u is not sealed against shrinking", i);
            return -1;
        }
    }
    uint64_t total = 0;
    for (unsigned i = 0; i < m->num_extents; i++) {
        struct wire_extent *e = &m->extents[i];
        struct stat st;
        if (e->fd_index >= m->num_memfds || e->length == 0 || !IS_ALIGNED(e->length | e->offset, m->frame_bits) ||
            e->length > WIRE_MAX_SIZE || e->offset > (1ull << 52) ||
            fstat(r->fds[WIRE_FD_MEM + e->fd_index], &st) != 0 || (uint64_t)st.st_size < e->offset + e->length) {
            ZF_LOGE("Failed to receive cross-VM connection: extent %u is not a frame-aligned range of its file", i);
            return -1;
        }
        total += e->length;
    }
    if (total != m->size || m->size == 0) {
        ZF_LOGE("Failed to receive cross-VM connection: extents cover 0x%" PRIx64 " bytes of 0x%" PRIx64, total,
                m->size);
        return -1;
    }
    return 0;
}

static int receive(int sock, struct received *r)
{
    if (recv_msg(sock, r) != 0 || check_msg(r) != 0) {
        close_fds(r->fds, r->nfds);
        return -1;
    }
    return 0;
}

static void copy_name(char *dst, const struct wire_msg *m)
{
    memcpy(dst, m->name, SEL4KVM_CROSSVM_NAME_LEN);
    dst[SEL4KVM_CROSSVM_NAME_LEN] = '\0';
}

/* ---- a plain peer process ------------------------------------------------------------------------------------- */

int sel4kvm_crossvm_peer_connect(int sock, sel4kvm_crossvm_peer_t *peer)
{
    if (peer == NULL || sock < 0) {
        ZF_LOGE("Failed to connect cross-VM peer: %s", peer == NULL ? "peer is NULL" : "negative socket");
        return -1;
    }
    memset(peer, 0, sizeof(*peer));
    peer->event_fd = -1;
    peer->signal_fd = -1;
    struct received *r = calloc(1, sizeof(*r));
    if (r == NULL || receive(sock, r) != 0) {
        free(r);
        return -1;
    }
    size_t size = (size_t)r->msg.size;
    uint8_t *base = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    int ret = -1;
    if (base == MAP_FAILED) {
        ZF_LOGE("Failed to connect cross-VM peer: no room for 0x%zx bytes: %s", size, strerror(errno));
        goto out;
    }
    size_t at = 0;
    for (unsigned i = 0; i < r->msg.num_extents; i++) {
        struct wire_extent *e = &r->msg.extents[i];
        if (mmap(base + at, e->length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                 r->fds[WIRE_FD_MEM + e->fd_index], (off_t)e->offset) == MAP_FAILED) {
            ZF_LOGE("Failed to connect cross-VM peer: mapping extent %u: %s", i, strerror(errno));
            munmap(base, size);
            goto out;
        }
        at += e->length;
    }
    copy_name(peer->name, &r->msg);
    peer->dataport = base;
    peer->size = size;
    peer->signal_fd = r->fds[WIRE_FD_SIGNAL];
    peer->event_fd = r->fds[WIRE_FD_EVENT];
    r->fds[WIRE_FD_SIGNAL] = r->fds[WIRE_FD_EVENT] = -1;
    ret = 0;
out:
    close_fds(r->fds, r->nfds);
    free(r);
    return ret;
}

int sel4kvm_crossvm_peer_wait(sel4kvm_crossvm_peer_t *peer, int timeout_ms)
{
    if (peer == NULL || peer->event_fd < 0) {
        ZF_LOGE("Failed to wait for cross-VM event: peer is NULL or not connected");
        return -1;
    }
    for (;;) {
        uint64_t count;
        if (read(peer->event_fd, &count, sizeof(count)) == sizeof(count)) {
            return count > INT32_MAX ? INT32_MAX : (int)count;
        }
        if (errno != EAGAIN && errno != EINTR) {
            ZF_LOGE("Failed to wait for cross-VM event: %s", strerror(errno));
            return -1;
        }
        struct pollfd p = { .fd = peer->event_fd, .events = POLLIN };
        int n = poll(&p, 1, timeout_ms);
        if (n == 0) {
            return 0;
        }
        if (n < 0 && errno != EINTR) {
            ZF_LOGE("Failed to wait for cross-VM event: poll: %s", strerror(errno));
            return -1;
        }
    }
}

int sel4kvm_crossvm_peer_signal(sel4kvm_crossvm_peer_t *peer)
{
    if (peer == NULL || peer->signal_fd < 0) {
        ZF_LOGE("Failed to signal cross-VM exporter: peer is NULL or not connected");
        return -1;
    }
    return sel4kvm_eventfd_signal(peer->signal_fd);
}

void sel4kvm_crossvm_peer_close(sel4kvm_crossvm_peer_t *peer)
{
    if (peer == NULL) {
        return;
    }
    if (peer->dataport != NULL) {
        munmap(peer->dataport, peer->size);
    }
    /* A zeroed peer has descriptors 0: only close what connect opened. */
    if (peer->size != 0) {
        close(peer->event_fd);
        close(peer->signal_fd);
    }
    memset(peer, 0, sizeof(*peer));
    peer->event_fd = -1;
    peer->signal_fd = -1;
}

/* ---- another VMM process -------------------------------------------------------------------------------------- */

struct import_priv {
    size_t num_untypeds;
    seL4_CPtr untypeds[];
};

static void delete_slot(vka_t *vka, seL4_CPtr cap)
{
    if (cap != seL4_CapNull) {
        cspacepath_t path;
        vka_cspace_make_path(vka, cap, &path);
        vka_cnode_delete(&path);
        vka_cspace_free_path(vka, path);
    }
}

/* Imports one power-of-two chunk as a device untyped and retypes it into frames[0..]. */
static int import_chunk(vka_t *vka, int fd, uint64_t offset, uint64_t length, unsigned bits, seL4_CPtr *untyped,
                        seL4_CPtr *frames)
{
    cspacepath_t ut;
    if (vka_cspace_alloc_path(vka, &ut) != 0) {
        ZF_LOGE("Failed to import cross-VM connection: no free slot");
        return -1;
    }
    uintptr_t paddr;
    if (sel4kvm_sim_import_memory(fd, (off_t)offset, (size_t)length, ut.root, ut.capPtr, (seL4_Uint8)ut.capDepth,
                                  &paddr) != 0) {
        vka_cspace_free_path(vka, ut);
        return -1;
    }
    *untyped = ut.capPtr;
    seL4_Word type = bits == seL4_PageBits ? seL4_X86_4K : seL4_X86_LargePageObject;
    for (uint64_t i = 0; i < length >> bits; i++) {
        cspacepath_t f;
        if (vka_cspace_alloc_path(vka, &f) != 0) {
            ZF_LOGE("Failed to import cross-VM connection: no free slot");
            return -1;
        }
        if (seL4_Untyped_Retype(ut.capPtr, type, 0, f.root, f.dest, f.destDepth, f.offset, 1) != seL4_NoError) {
            ZF_LOGE("Failed to import cross-VM connection: retyping frame %" PRIu64 " failed", i);
            vka_cspace_free_path(vka, f);
            return -1;
        }
        frames[i] = f.capPtr;
    }
    return 0;
}

int sel4kvm_crossvm_import(int sock, vka_t *vka, seL4_CPtr from_peer, sel4kvm_crossvm_import_t *import)
{
    if (import == NULL || vka == NULL || sock < 0) {
        ZF_LOGE("Failed to import cross-VM connection: %s",
                import == NULL ? "import is NULL" : (vka == NULL ? "vka is NULL" : "negative socket"));
        return -1;
    }
    memset(import, 0, sizeof(*import));
    import->signal_fd = -1;
    /* Checked first: imported memory stays with the kernel, so nothing may fail after it for a bad argument. */
    if (sel4kvm_notification_wait_fd(from_peer) < 0) {
        ZF_LOGE("Failed to import cross-VM connection: from_peer 0x%lx is not a notification cap",
                (unsigned long)from_peer);
        return -1;
    }
    struct received *r = calloc(1, sizeof(*r));
    if (r == NULL || receive(sock, r) != 0) {
        free(r);
        return -1;
    }
    struct wire_msg *m = &r->msg;
    unsigned bits = m->frame_bits;
    size_t num_frames = (size_t)(m->size >> bits);
    /* Each extent is split into power-of-two chunks, as an untyped must be: at most 64 per extent. */
    struct import_priv *p = calloc(1, sizeof(*p) + (size_t)m->num_extents * 64 * sizeof(seL4_CPtr));
    seL4_CPtr *frames = calloc(num_frames, sizeof(seL4_CPtr));
    int ret = -1;
    if (p == NULL || frames == NULL) {
        ZF_LOGE("Failed to import cross-VM connection: out of memory");
        free(p);
        free(frames);
        goto out;
    }
    import->priv = p;
    import->dataport = (crossvm_dataport_handle_t){
        .size = (size_t)m->size, .num_frames = (unsigned)num_frames, .frames = frames, .frame_size_bits = bits
    };
    size_t next = 0;
    for (unsigned i = 0; i < m->num_extents; i++) {
        struct wire_extent *e = &m->extents[i];
        for (uint64_t done = 0; done < e->length;) {
            uint64_t chunk = 1ull << (63 - __builtin_clzll(e->length - done));
            if (import_chunk(vka, r->fds[WIRE_FD_MEM + e->fd_index], e->offset + done, chunk, bits,
                             &p->untypeds[p->num_untypeds], frames + next) != 0) {
                p->num_untypeds++;
                goto out;
            }
            p->num_untypeds++;
            next += chunk >> bits;
            done += chunk;
        }
    }
    if (sel4kvm_notification_import(from_peer, r->fds[WIRE_FD_EVENT]) != 0) {
        ZF_LOGE("Failed to import cross-VM connection: from_peer 0x%lx is not a notification cap",
                (unsigned long)from_peer);
        goto out;
    }
    copy_name(import->name, m);
    import->signal_fd = r->fds[WIRE_FD_SIGNAL];
    r->fds[WIRE_FD_SIGNAL] = -1;
    ret = 0;
out:
    if (ret != 0 && import->priv != NULL) {
        sel4kvm_crossvm_import_release(vka, import);
    }
    close_fds(r->fds, r->nfds);
    free(r);
    return ret;
}

void sel4kvm_crossvm_import_release(vka_t *vka, sel4kvm_crossvm_import_t *import)
{
    if (vka == NULL || import == NULL) {
        ZF_LOGE("Failed to release cross-VM import: %s is NULL", vka == NULL ? "vka" : "import");
        return;
    }
    struct import_priv *p = import->priv;
    if (import->dataport.frames != NULL) {
        for (unsigned i = 0; i < import->dataport.num_frames; i++) {
            delete_slot(vka, import->dataport.frames[i]);
        }
        free(import->dataport.frames);
    }
    if (p != NULL) {
        for (size_t i = 0; i < p->num_untypeds; i++) {
            delete_slot(vka, p->untypeds[i]);
        }
        free(p);
    }
    if (import->signal_fd >= 0) {
        close(import->signal_fd);
    }
    memset(import, 0, sizeof(*import));
    import->signal_fd = -1;
}
