/* Real guests' MMIO through reservation callbacks: widths, alignment, direction, data both ways, each CPU mode. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <string.h>
#include "kvm_fixture.h"

static struct mmio_recorder recorder;

static struct mmio_recorder *add_device(struct kvm_fixture *f, uintptr_t base)
{
    memset(&recorder, 0, sizeof(recorder));
    recorder.base = base;
    recorder.result = FAULT_HANDLED;
    kvm_reserve(f, base, 0x1000, kvm_recorder_callback, &recorder);
    return &recorder;
}

/* Checks that access i reached the callback as the script asked, and for a read, that the guest's register
 * received the device's bytes (result slot i). */
static void check_access(struct kvm_fixture *f, const struct mmio_recorder *r, const struct guest_op *op, size_t i)
{
    size_t size = op->op & 0xf;
    bool is_read = !(op->op & GUEST_OP_WRITE);
    uint64_t size_mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
    const struct mmio_access *a = &r->accesses[i];
    const char *what = is_read ? "read" : "write";
    if (a->addr != op->addr || a->size != size || a->is_read != is_read) {
        fail_msg("access %zu: expected a %zu-byte %s at 0x%lx, the callback saw a %zu-byte %s at 0x%lx", i, size, what,
                 (unsigned long)op->addr, a->size, a->is_read ? "read" : "write", (unsigned long)a->addr);
    }
    if (a->mask != lane(op->addr, size, size_mask)) {
        fail_msg("access %zu (%s of %zu at 0x%lx): mask 0x%lx", i, what, size, (unsigned long)op->addr,
                 (unsigned long)a->mask);
    }
    uint64_t got = is_read ? kvm_result(f, i) : a->data;
    uint64_t want = is_read ? device_bytes(op->addr - r->base, size) : lane(op->addr, size, op->value & size_mask);
    if (got != want) {
        fail_msg("access %zu (%s of %zu at 0x%lx): %s 0x%lx, expected 0x%lx", i, what, size, (unsigned long)op->addr,
                 is_read ? "the guest's register got" : "the callback's data is", (unsigned long)got,
                 (unsigned long)want);
    }
}

static void run_script(struct kvm_fixture *f, const char *guest, const struct guest_op *ops, size_t count)
{
    struct mmio_recorder *r = add_device(f, GUEST_MMIO);
    assert_int_equal(kvm_run_script(f, guest, ops, count), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    assert_int_equal(r->count, count);
    for (size_t i = 0; i < count; i++) {
        check_access(f, r, &ops[i], i);
    }
}

#define D GUEST_MMIO

/* 1, 2 and 4 bytes at aligned offsets, then at offsets that are not, including ones that cross a 4-byte lane. */
static const struct guest_op narrow_ops[] = {
    OP_READ(1, D + 0x00),
    OP_READ(2, D + 0x02),
    OP_READ(4, D + 0x04),
    OP_READ(1, D + 0x09),
    OP_READ(2, D + 0x11),
    OP_READ(2, D + 0x1b),
    OP_READ(4, D + 0x21),
    OP_READ(4, D + 0x33),
    OP_WRITE(1, D + 0x40, 0x5a),
    OP_WRITE(2, D + 0x42, 0xbeef),
    OP_WRITE(4, D + 0x44, 0xcafef00d),
    OP_WRITE(1, D + 0x4b, 0x77),
    OP_WRITE(2, D + 0x51, 0x1234),
    OP_WRITE(2, D + 0x57, 0x9876),
    OP_WRITE(4, D + 0x62, 0x89abcdef),
    OP_WRITE(4, D + 0x73, 0x0badf00d),
};

static const struct guest_op wide_ops[] = {
    OP_READ(8, D + 0x80),
    OP_READ(8, D + 0x93),
    OP_WRITE(8, D + 0xa0, 0x0123456789abcdefull),
    OP_WRITE(8, D + 0xb5, 0xfedcba9876543210ull),
};

static void test_protected_mode_mmio_of_1_2_4_bytes_reaches_the_callback(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    run_script(f, "mmio_script_32", narrow_ops, ARRAY_SIZE(narrow_ops));
}

static void test_long_mode_mmio_of_1_2_4_bytes_reaches_the_callback(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    run_script(f, "mmio_script_64", narrow_ops, ARRAY_SIZE(narrow_ops));
}

static void test_long_mode_mmio_of_8_bytes_reaches_the_callback(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    run_script(f, "mmio_script_64", wide_ops, ARRAY_SIZE(wide_ops));
}

static void test_real_mode_mmio_reaches_the_callback_and_registers(void **state)
{
    struct kvm_fixture *f = kvm_fixture(state);
    struct mmio_recorder *r = add_device(f, GUEST_MMIO_REAL);
    kvm_load_guest(f, "real_mmio_16");
    assert_int_equal(kvm_run(f), 0);
    assert_int_equal(kvm_exit_status(f), 1);
    assert_int_equal(r->count, 4);
    const uintptr_t b = GUEST_MMIO_REAL;
    /* The guest writes back what it read (plus one for the word), so the writes show what its registers got. */
    uint64_t word = device_bytes(0, 2), byte = device_bytes(5, 1);
    const struct mmio_access expect[] = {
        { b + 0, 2, true, lane(b + 0, 2, word), 0xffff },
        { b + 2, 2, false, lane(b + 2, 2, (word + 1) & 0xffff), 0xffff0000 },
        { b + 5, 1, true, lane(b + 5, 1, byte), 0xff00 },
        { b + 7, 1, false, lane(b + 7, 1, byte), 0xff000000 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
        assert_int_equal(r->accesses[i].addr, expect[i].addr);
        assert_int_equal(r->accesses[i].size, expect[i].size);
        assert_int_equal(r->accesses[i].is_read, expect[i].is_read);
        assert_int_equal(r->accesses[i].data, expect[i].data);
        assert_int_equal(r->accesses[i].mask, expect[i].mask);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        KVM_TEST(test_protected_mode_mmio_of_1_2_4_bytes_reaches_the_callback),
        KVM_TEST(test_long_mode_mmio_of_1_2_4_bytes_reaches_the_callback),
        KVM_TEST(test_long_mode_mmio_of_8_bytes_reaches_the_callback),
        KVM_TEST(test_real_mode_mmio_reaches_the_callback_and_registers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
