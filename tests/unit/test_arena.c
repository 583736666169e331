#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/arena.h"

/* Cleanups append their tag here so tests can see the order they ran in. */
static char order[64];
static size_t norder;

static void record(void *p)
{
	order[norder++] = *(const char *)p;
	order[norder] = '\0';
}

static int setup(void **state)
{
	(void)state;
	norder = 0;
	order[0] = '\0';
	return 0;
}

static void test_alloc_alignment(void **state)
{
	struct arena *a = arena_new(1024, 1 << 20);
	size_t sizes[] = {1, 3, 7, 16, 17, 100, 300, 5000, 0};
	size_t i;

	(void)state;
	assert_non_null(a);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = arena_alloc(a, sizes[i]);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xab, sizes[i]);
	}
	arena_free(a);
}

static void test_distinct_memory(void **state)
{
	struct arena *a = arena_new(256, 1 << 20);
	char *p[200];
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		p[i] = arena_alloc(a, 24);
		assert_non_null(p[i]);
		memset(p[i], i, 24);
	}
	for (i = 0; i < 200; i++)
		assert_int_equal((unsigned char)p[i][23], (unsigned char)i);
	assert_int_equal(arena_used(a), 200 * 32);
	arena_free(a);
}

static void test_cleanups_reverse_order(void **state)
{
	struct arena *a = arena_new(4096, 1 << 20);
	static char tags[] = "abcde";
	int i;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(arena_defer(a, record, &tags[i]), 0);
	assert_int_equal(norder, 0);
	arena_free(a);
	assert_string_equal(order, "edcba");
}

static void test_defer_null_ignored(void **state)
{
	struct arena *a = arena_new(4096, 1 << 20);

	(void)state;
	assert_int_equal(arena_defer(a, record, NULL), 0);
	arena_reset(a);
	assert_int_equal(norder, 0);
	arena_free(a);
}

static void test_reset_runs_cleanups_and_reuses(void **state)
{
	struct arena *a = arena_new(512, 1 << 20);
	static char tags[] = "xyz";
	char *s;

	(void)state;
	arena_defer(a, record, &tags[0]);
	arena_defer(a, record, &tags[1]);
	assert_non_null(arena_alloc(a, 10000)); /* a dedicated block */
	assert_true(arena_used(a) > 0);
	arena_reset(a);
	assert_string_equal(order, "yx");
	assert_int_equal(arena_used(a), 0);

	s = arena_strdup(a, "again");
	assert_string_equal(s, "again");
	arena_defer(a, record, &tags[2]);
	arena_reset(a);
	assert_string_equal(order, "yxz");
	/* a reset with nothing registered runs nothing more */
	arena_reset(a);
	assert_string_equal(order, "yxz");
	arena_free(a);
}

static void test_max_total(void **state)
{
	struct arena *a = arena_new(256, 1024);
	int i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_non_null(arena_alloc(a, 128));
	assert_int_equal(arena_used(a), 1024);
	assert_null(arena_alloc(a, 1));
	assert_null(arena_alloc(a, 100000));
	arena_reset(a);
	assert_non_null(arena_alloc(a, 1024));
	assert_null(arena_alloc(a, 16));
	arena_free(a);

	a = arena_new(4096, 100);
	assert_null(arena_alloc(a, 101));
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_non_null(arena_alloc(a, 96)); /* rounds to 96 */
	arena_free(a);
}

static void test_calloc_zeroed_checked(void **state)
{
	struct arena *a = arena_new(4096, 1 << 20);
	unsigned char *p;
	size_t i;

	(void)state;
	assert_null(arena_calloc(a, SIZE_MAX / 2, 4));
	assert_null(arena_calloc(a, (SIZE_MAX >> 4) + 1, 16));
	p = arena_calloc(a, 100, 3);
	assert_non_null(p);
	for (i = 0; i < 300; i++)
		assert_int_equal(p[i], 0);
	arena_free(a);
}

static void test_strings(void **state)
{
	struct arena *a = arena_new(4096, 1 << 20);

	(void)state;
	assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
	assert_string_equal(arena_strndup(a, "ab", 10), "ab");
	assert_string_equal(arena_printf(a, "%s-%d", "n", 7), "n-7");
	assert_int_equal(strlen(arena_printf(a, "%0500d", 1)), 500);
	arena_free(a);
}

static void test_defer_failure_runs_at_once(void **state)
{
	struct arena *a = arena_new(256, 64);
	static char tags[] = "pq";

	(void)state;
	assert_non_null(arena_alloc(a, 64)); /* the arena is now full */
	assert_int_equal(arena_defer(a, record, &tags[0]), -1);
	/* the object was cleaned up immediately, so it cannot leak */
	assert_string_equal(order, "p");
	arena_free(a);
	assert_string_equal(order, "p");
}

static void test_defer_frees_heap_object(void **state)
{
	struct arena *a = arena_new(4096, 1 << 20);

	(void)state;
	/* leak detection (ASan) proves free ran */
	assert_int_equal(arena_defer(a, free, malloc(100)), 0);
	assert_int_equal(arena_defer(a, free, strdup("x")), 0);
	arena_free(a);
	arena_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_alloc_alignment, setup),
	    cmocka_unit_test_setup(test_distinct_memory, setup),
	    cmocka_unit_test_setup(test_cleanups_reverse_order, setup),
	    cmocka_unit_test_setup(test_defer_null_ignored, setup),
	    cmocka_unit_test_setup(test_reset_runs_cleanups_and_reuses, setup),
	    cmocka_unit_test_setup(test_max_total, setup),
	    cmocka_unit_test_setup(test_calloc_zeroed_checked, setup),
	    cmocka_unit_test_setup(test_strings, setup),
	    cmocka_unit_test_setup(test_defer_failure_runs_at_once, setup),
	    cmocka_unit_test_setup(test_defer_frees_heap_object, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
