/* The library's range index: lookups through its cache of recent hits stay exact as ranges come and go. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "range_index.h"

#define PAGE 0x1000ul
#define RANGES 1000

static struct range_index ix;
static struct range ranges[RANGES];

static int setup(void **state)
{
    (void)state;
    range_index_init(&ix);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    range_index_destroy(&ix);
    return 0;
}

/* Range i: two pages at 0x100000 + i * 4 pages, so that a gap of two pages follows each. */
static struct range *add(size_t i)
{
    ranges[i] = (struct range){ .start = 0x100000 + i * 4 * PAGE, .end = 0x100000 + i * 4 * PAGE + 2 * PAGE };
    assert_true(range_index_insert(&ix, &ranges[i]));
    return &ranges[i];
}

static void test_find_gives_the_range_from_its_first_to_its_last_byte_only(void **state)
{
    (void)state;
    struct range *r = add(0);
    assert_ptr_equal(range_index_find(&ix, r->start), r);
    assert_ptr_equal(range_index_find(&ix, r->end - 1), r);
    /* asked twice, so the second answers come from the cache */
    assert_ptr_equal(range_index_find(&ix, r->end - 1), r);
    assert_null(range_index_find(&ix, r->end));
    assert_null(range_index_find(&ix, r->start - 1));
    assert_null(range_index_find(&ix, r->end));
}

static void test_more_ranges_than_the_cache_holds_are_each_found_in_turn(void **state)
{
    (void)state;
    for (size_t i = 0; i < RANGES; i++) {
        add(i);
    }
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < RANGES; i++) {
            assert_ptr_equal(range_index_find(&ix, ranges[i].start + PAGE + 8), &ranges[i]);
            assert_null(range_index_find(&ix, ranges[i].end + PAGE));
        }
    }
}

static void test_removed_range_is_not_found_though_it_was_cached(void **state)
{
    (void)state;
    struct range *r = add(7);
    assert_ptr_equal(range_index_find(&ix, r->start), r);
    assert_ptr_equal(range_index_find(&ix, r->start + PAGE), r);
    range_index_remove(&ix, r);
    assert_null(range_index_find(&ix, r->start));
    assert_null(range_index_find(&ix, r->start + PAGE));
    /* a new range over the same pages is found in its place */
    struct range again = { .start = r->start, .end = r->start + PAGE };
    assert_true(range_index_insert(&ix, &again));
    assert_ptr_equal(range_index_find(&ix, r->start), &again);
    assert_null(range_index_find(&ix, r->start + PAGE));
}

static void test_range_added_where_a_lookup_missed_is_found(void **state)
{
    (void)state;
    add(0);
    assert_null(range_index_find(&ix, 0x100000 + 2 * PAGE));
    struct range gap = { .start = 0x100000 + 2 * PAGE, .end = 0x100000 + 3 * PAGE };
    assert_true(range_index_insert(&ix, &gap));
    assert_ptr_equal(range_index_find(&ix, 0x100000 + 2 * PAGE), &gap);
}

static void test_large_range_is_found_from_every_page_and_gone_from_all(void **state)
{
    (void)state;
    struct range big = { .start = 0x40000000, .end = 0x40000000 + 1024 * PAGE };
    assert_true(range_index_insert(&ix, &big));
    for (uintptr_t a = big.start; a < big.end; a += PAGE) {
        assert_ptr_equal(range_index_find(&ix, a), &big);
    }
    range_index_remove(&ix, &big);
    for (uintptr_t a = big.start; a < big.end; a += PAGE) {
        assert_null(range_index_find(&ix, a));
    }
}

static void test_insert_refuses_empty_and_overlapping_ranges(void **state)
{
    (void)state;
    struct range *r = add(0);
    struct range empty = { .start = 0x900000, .end = 0x900000 };
    struct range overlap = { .start = r->end - 1, .end = r->end + PAGE };
    assert_false(range_index_insert(&ix, &empty));
    assert_false(range_index_insert(&ix, &overlap));
    assert_int_equal(range_index_count(&ix), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_find_gives_the_range_from_its_first_to_its_last_byte_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_more_ranges_than_the_cache_holds_are_each_found_in_turn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed_range_is_not_found_though_it_was_cached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_added_where_a_lookup_missed_is_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_range_is_found_from_every_page_and_gone_from_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_refuses_empty_and_overlapping_ranges, setup, teardown),
    };
    return cmocka_run_group_tests_name("range index", tests, NULL, NULL);
}
