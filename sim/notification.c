/* Notifications: Signal, Wait and Poll, with eventfds so waiters sleep in poll() and peers can signal. */
/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "kernel.h"

int sim_ntfn_init(struct kobj *o)
{
    struct ntfn *n = calloc(1, sizeof(*n));
    if (n == NULL) {
        return -1;
    }
    n->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    n->epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = n->efd };
    if (n->efd < 0 || n->epfd < 0 || epoll_ctl(n->epfd, EPOLL_CTL_ADD, n->efd, &ev) != 0) {
        ZF_LOGE("Failed to create notification: %s", strerror(errno));
        if (n->efd >= 0) {
            close(n->efd);
        }
        if (n->epfd >= 0) {
            close(n->epfd);
        }
        free(n);
        return -1;
    }
    pthread_mutex_init(&n->lock, NULL);
    n->exports = g_array_new(FALSE, FALSE, sizeof(struct ntfn_export));
    o->ntfn = n;
    return 0;
}

static void kick(struct ntfn *n)
{
    uint64_t one = 1;
    while (write(n->efd, &one, sizeof(one)) < 0 && errno == EINTR) {
    }
}

/* With waiters still inside seL4_Wait the descriptors stay open: they are woken, see the notification
 * dead, and the last one out releases it. */
void sim_ntfn_destroy(struct kobj *o)
{
    struct ntfn *n = o->ntfn;
    if (n == NULL) {
        return;
    }
    pthread_mutex_lock(&n->lock);
    n->dead = true;
    pthread_mutex_unlock(&n->lock);
    if (o->pins > 0) {
        kick(n);
        return;
    }
    for (guint i = 0; i < n->exports->len; i++) {
        close(g_array_index(n->exports, struct ntfn_export, i).efd);
    }
    g_array_free(n->exports, TRUE);
    close(n->efd);
    close(n->epfd);
    pthread_mutex_destroy(&n->lock);
    free(n);
    o->ntfn = NULL;
}

static uint64_t drain(int fd)
{
    uint64_t v = 0;
    if (read(fd, &v, sizeof(v)) != sizeof(v)) {
        return 0;
    }
    return v;
}

/* Takes the pending badge, folding in signals that arrived through exported eventfds. */
static bool collect(struct ntfn *n, seL4_Word *badge)
{
    pthread_mutex_lock(&n->lock);
    drain(n->efd);
    for (guint i = 0; i < n->exports->len; i++) {
        struct ntfn_export *e = &g_array_index(n->exports, struct ntfn_export, i);
        if (drain(e->efd) != 0) {
            n->active = true;
            n->badge |= e->badge;
        }
    }
    bool got = n->active || n->dead;
    *badge = n->active ? n->badge : 0;
    n->active = false;
    n->badge = 0;
    pthread_mutex_unlock(&n->lock);
    return got;
}

static struct cte *ntfn_cap(seL4_CPtr cptr, const char *what)
{
    struct cte *cap = sim_lookup_cap(cptr);
    if (cap == NULL || cap->obj->type != seL4_NotificationObject) {
        SIM_ERR(seL4_InvalidCapability, "%s: 0x%lx is not a notification cap", what, cptr);
        return NULL;
    }
    return cap;
}

void seL4_Signal(seL4_CPtr dest)
{
    if (sim_kernel == NULL) {
        ZF_LOGE("Failed to signal: no kernel is running");
        return;
    }
    sim_lock();
    struct cte *cap = ntfn_cap(dest, "Signal");
    if (cap != NULL && !(cap->rights & 0x1)) {
        SIM_ERR(seL4_InvalidCapability, "Signal: cap 0x%lx has no write right", dest);
        cap = NULL;
    }
    if (cap != NULL) {
        struct ntfn *n = cap->obj->ntfn;
        pthread_mutex_lock(&n->lock);
        n->active = true;
        n->badge |= cap->badge;
        pthread_mutex_unlock(&n->lock);
        kick(n);
    }
    sim_unlock();
}

/* Pins the notification so that it outlives a concurrent delete while the caller sleeps on it. */
static struct kobj *pin(seL4_CPtr cptr, const char *what)
{
    struct kobj *o = NULL;
    sim_lock();
    struct cte *cap = ntfn_cap(cptr, what);
    if (cap != NULL && !(cap->rights & 0x2)) {
        SIM_ERR(seL4_InvalidCapability, "%s: cap 0x%lx has no read right", what, cptr);
        cap = NULL;
    }
    if (cap != NULL) {
        o = cap->obj;
        o->pins++;
    }
    sim_unlock();
    return o;
}

static void unpin(struct kobj *o)
{
    sim_lock();
    if (--o->pins == 0 && o->dying) {
        sim_ntfn_destroy(o);
        sim_obj_free(o);
    }
    sim_unlock();
}

void seL4_Wait(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word badge = 0;
    struct kobj *o = sim_kernel != NULL ? pin(src, "Wait") : NULL;
    if (o != NULL) {
        struct ntfn *n = o->ntfn;
        while (!collect(n, &badge)) {
            struct pollfd p = { .fd = n->epfd, .events = POLLIN };
            poll(&p, 1, -1);
        }
        unpin(o);
    }
    if (sender != NULL) {
        *sender = badge;
    }
}

seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *sender)
{
    seL4_Word badge = 0;
    struct kobj *o = sim_kernel != NULL ? pin(src, "Poll") : NULL;
    if (o != NULL) {
        collect(o->ntfn, &badge);
        unpin(o);
    }
    if (sender != NULL) {
        *sender = badge;
    }
    return seL4_MessageInfo_new(0, 0, 0, 0);
}

/* Adds efd (which the notification then owns) as a source of signals carrying the cap's badge. Under the
 * kernel lock. */
static int add_source(struct cte *cap, int efd, const char *what)
{
    struct ntfn *n = cap->obj->ntfn;
    struct ntfn_export e = { .efd = efd, .badge = cap->badge };
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = efd };
    if (epoll_ctl(n->epfd, EPOLL_CTL_ADD, efd, &ev) != 0) {
        ZF_LOGE("Failed to %s notification: %s", what, strerror(errno));
        close(efd);
        return -1;
    }
    pthread_mutex_lock(&n->lock);
    g_array_append_val(n->exports, e);
    pthread_mutex_unlock(&n->lock);
    /* Signals already counted in the eventfd must wake a waiter that is asleep now. */
    kick(n);
    return 0;
}

int sel4kvm_notification_export(seL4_CPtr ntfn)
{
    if (sim_kernel == NULL) {
        ZF_LOGE("Failed to export notification: no kernel is running");
        return -1;
    }
    int ret = -1;
    sim_lock();
    struct cte *cap = ntfn_cap(ntfn, "export");
    if (cap == NULL) {
        ZF_LOGE("Failed to export notification: 0x%lx is not a notification cap", ntfn);
    } else {
        int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0 || (ret = fcntl(efd, F_DUPFD_CLOEXEC, 0)) < 0) {
            ZF_LOGE("Failed to export notification: %s", strerror(errno));
            if (efd >= 0) {
                close(efd);
            }
            ret = -1;
        } else if (add_source(cap, efd, "export") != 0) {
            close(ret);
            ret = -1;
        }
    }
    sim_unlock();
    return ret;
}

int sel4kvm_notification_import(seL4_CPtr ntfn, int fd)
{
    if (sim_kernel == NULL) {
        ZF_LOGE("Failed to import into notification: no kernel is running");
        return -1;
    }
    int flags = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
    if (flags < 0 || (flags & O_ACCMODE) == O_WRONLY) {
        ZF_LOGE("Failed to import into notification: descriptor %d is not readable", fd);
        return -1;
    }
    int ret = -1;
    sim_lock();
    struct cte *cap = ntfn_cap(ntfn, "import");
    if (cap == NULL) {
        ZF_LOGE("Failed to import into notification: 0x%lx is not a notification cap", ntfn);
    } else {
        /* Our own descriptor, non-blocking so that collecting never sleeps; the flag is shared with the
         * sender's copy, which only writes. */
        int efd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (efd < 0 || fcntl(efd, F_SETFL, fcntl(efd, F_GETFL) | O_NONBLOCK) != 0) {
            ZF_LOGE("Failed to import into notification: %s", strerror(errno));
            if (efd >= 0) {
                close(efd);
            }
        } else {
            ret = add_source(cap, efd, "import into");
        }
    }
    sim_unlock();
    return ret;
}

int sel4kvm_notification_wait_fd(seL4_CPtr ntfn)
{
    if (sim_kernel == NULL) {
        return -1;
    }
    sim_lock();
    struct cte *cap = ntfn_cap(ntfn, "wait_fd");
    int fd = cap != NULL ? cap->obj->ntfn->epfd : -1;
    sim_unlock();
    return fd;
}

int sel4kvm_eventfd_signal(int fd)
{
    uint64_t one = 1;
    ssize_t r;
    do {
        r = write(fd, &one, sizeof(one));
    } while (r < 0 && errno == EINTR);
    if (r != sizeof(one)) {
        ZF_LOGE("Failed to signal eventfd %d: %s", fd, strerror(errno));
        return -1;
    }
    return 0;
}
