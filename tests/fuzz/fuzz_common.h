/* Shared by the libFuzzer harnesses: one process-wide environment, a VM per input, and an input reader. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sel4kvm/env.h>
#include <sel4kvm/log.h>
#include <sel4kvm/vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_vm.h>
#include <utils/util.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant of the library does not hold: abort, so that libFuzzer records the input. */
#define FUZZ_CHECK(cond)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond);                             \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* The simulated kernel is process-global: one environment serves every input, and each input destroys what it
 * made, so that millions of inputs run without growing the process. */
static sel4kvm_env_t fuzz_env;

static void fuzz_quiet_sink(UNUSED void *cookie, UNUSED int level, UNUSED const char *tag, UNUSED const char *file,
                            UNUSED int line, UNUSED const char *func, UNUSED const char *msg)
{
}

/* Bad inputs make the library log errors on purpose; set FUZZ_LOG=1 to see them. */
static void fuzz_env_up(void)
{
    const char *log = getenv("FUZZ_LOG");
    if (log == NULL || strcmp(log, "1") != 0) {
        sel4kvm_log_set_sink(fuzz_quiet_sink, NULL);
    }
    if (sel4kvm_env_init(&fuzz_env, NULL) != 0) {
        fprintf(stderr, "fuzz: cannot create the environment\n");
        abort();
    }
}

/* LLVMFuzzerInitialize for a harness that needs only the environment. */
#define FUZZ_INITIALIZE_ENV()                                                                                          \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                                                  \
    {                                                                                                                  \
        (void)argc;                                                                                                    \
        (void)argv;                                                                                                    \
        fuzz_env_up();                                                                                                 \
        return 0;                                                                                                      \
    }

/* A fresh test-backend VM with one vCPU; aborts on failure (that is not the input's fault). */
static vm_vcpu_t *fuzz_vm_up(vm_t *vm)
{
    memset(vm, 0, sizeof(*vm));
    if (vm_init(vm, &fuzz_env.vka, &fuzz_env.simple, fuzz_env.vspace, &fuzz_env.io_ops, fuzz_env.host_endpoint,
                "fuzz") != 0) {
        fprintf(stderr, "fuzz: vm_init failed\n");
        abort();
    }
    vm_vcpu_t *vcpu = vm_create_vcpu(vm, 100);
    if (vcpu == NULL) {
        fprintf(stderr, "fuzz: vm_create_vcpu failed\n");
        abort();
    }
    return vcpu;
}

/* Reads the input front to back; past its end every read gives zeros. */
struct fuzz_input {
    const uint8_t *data;
    size_t size;
    size_t pos;
};

static inline bool fuzz_more(const struct fuzz_input *in)
{
    return in->pos < in->size;
}

static inline uint64_t fuzz_bytes(struct fuzz_input *in, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t b = in->pos < in->size ? in->data[in->pos++] : 0;
        v |= b << (8 * i);
    }
    return v;
}

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
    return (uint8_t)fuzz_bytes(in, 1);
}

static inline uint16_t fuzz_u16(struct fuzz_input *in)
{
    return (uint16_t)fuzz_bytes(in, 2);
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
    return (uint32_t)fuzz_bytes(in, 4);
}
