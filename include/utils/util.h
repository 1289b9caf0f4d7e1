/* The seL4 util_libs utility macros that VMM code relies on: bit and alignment arithmetic, logging. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <utils/zf_log.h>

// clang-format off
#define BIT(n) (1ul << (n))
#define MASK(n) (BIT(n) - 1ul)
#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((a) - 1))
#define ROUND_DOWN(x, a) ALIGN_DOWN(x, a)
#define ROUND_UP(x, a) ALIGN_UP(x, a)
#define IS_ALIGNED(x, bits) (((x) & MASK(bits)) == 0)
#define IS_POWER_OF_2(x) ((x) != 0 && ((x) & ((x) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
// clang-format on

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* Evaluate each argument once; replaces any earlier definition (GLib's, for one). */
#undef MIN
#undef MAX
#define MIN(a, b)                                                                                                      \
    ({                                                                                                                 \
        __typeof__(a) min_a_ = (a);                                                                                    \
        __typeof__(b) min_b_ = (b);                                                                                    \
        min_a_ < min_b_ ? min_a_ : min_b_;                                                                             \
    })
#define MAX(a, b)                                                                                                      \
    ({                                                                                                                 \
        __typeof__(a) max_a_ = (a);                                                                                    \
        __typeof__(b) max_b_ = (b);                                                                                    \
        max_a_ > max_b_ ? max_a_ : max_b_;                                                                             \
    })

#define PAGE_BITS_4K 12
#define PAGE_SIZE_4K BIT(PAGE_BITS_4K)
#define PAGE_BITS_2M 21
#define PAGE_SIZE_2M BIT(PAGE_BITS_2M)
#define PAGE_BITS_1G 30
#define PAGE_SIZE_1G BIT(PAGE_BITS_1G)
#define BYTES_TO_4K_PAGES(b) (((b) + PAGE_SIZE_4K - 1) >> PAGE_BITS_4K)
#define BYTES_TO_SIZE_BITS(b) ((b) <= 1 ? 0 : (sizeof(unsigned long) * 8 - __builtin_clzl((unsigned long)(b)-1)))
#define BYTES_TO_SIZE_BITS_PAGES(b, bits) (((b) >> (bits)) + (((b)&MASK(bits)) ? 1 : 0))
#define LOG_BASE_2(n) ((int)(sizeof(unsigned long) * 8 - 1) - __builtin_clzl((unsigned long)(n)))
#define CTZ(x) __builtin_ctzl(x)
#define CLZ(x) __builtin_clzl(x)
#define POPCOUNT(x) __builtin_popcountl(x)

#define UNUSED __attribute__((unused))
#define PACKED __attribute__((packed))
#define NORETURN __attribute__((noreturn))
#define ALIGN(n) __attribute__((aligned(n)))
#define WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define compile_time_assert(name, expr) _Static_assert((expr), #name)

#define KiB (1024ul)
#define MiB (1024ul * KiB)
#define GiB (1024ul * MiB)
