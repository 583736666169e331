/*
 * catalog/terms: when a search counts as "common words only" and is
 * answered in popularity order instead of ranking every match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "catalog/terms.h"
#include "core/arena.h"

/* sorted, as catalog_common_query keeps them */
static const char *const common[] = {"a", "de", "of", "the", "été"};
#define NCOMMON 5

static void every_word_common(void **state)
{
	(void)state;
	assert_true(catalog_words_common("the", common, NCOMMON));
	assert_true(catalog_words_common("THE", common, NCOMMON));
	assert_true(catalog_words_common("  The  of, a! ", common, NCOMMON));
	assert_true(catalog_words_common("the-of", common, NCOMMON));
	/* bytes beyond ASCII are compared as they are */
	assert_true(catalog_words_common("été", common, NCOMMON));
}

static void one_rare_word_is_enough(void **state)
{
	(void)state;
	assert_false(catalog_words_common("the river", common, NCOMMON));
	assert_false(catalog_words_common("river of", common, NCOMMON));
	assert_false(catalog_words_common("theater", common, NCOMMON));
	assert_false(catalog_words_common("Été", common, NCOMMON)); /* not folded here */
}

static void nothing_to_decide(void **state)
{
	(void)state;
	assert_false(catalog_words_common("", common, NCOMMON));
	assert_false(catalog_words_common(" ,.;!", common, NCOMMON));
	assert_false(catalog_words_common("the", NULL, 0));
	/* a word longer than any lexeme is never common */
	char longw[200];
	for (int i = 0; i < 199; i++)
		longw[i] = 'a';
	longw[199] = '\0';
	assert_false(catalog_words_common(longw, common, NCOMMON));
}

/* rows of a 100 000-row table each common word is in */
static const double in_rows[] = {60000, 2000, 50000, 70000, 1500};

static void words_together(void **state)
{
	(void)state;
	/* the and of: 70% x 50% of the table */
	double est = catalog_words_rows("the of", common, in_rows, NCOMMON, 100000);
	assert_true(est > 34999 && est < 35001);
	/* de and été are common alone but rare together: 2% x 1.5% */
	est = catalog_words_rows("de été", common, in_rows, NCOMMON, 100000);
	assert_true(est > 29 && est < 31);
	assert_true(catalog_words_rows("the river", common, in_rows, NCOMMON, 100000) < 0);
	assert_true(catalog_words_rows("", common, in_rows, NCOMMON, 100000) < 0);
	assert_true(catalog_words_rows("the", common, in_rows, NCOMMON, 0) < 0);
	/* walking 20 / share rows beats ranking the matches past sqrt(20 n) */
	assert_true(catalog_common_threshold(10000) > 447 && catalog_common_threshold(10000) < 448);
	assert_true(catalog_common_threshold(100000) == CATALOG_COMMON_ROWS);
	assert_true(catalog_common_threshold(0) == 0);
}

static void stop_words_left_out_of_matching(void **state)
{
	(void)state;
	struct arena *a = arena_new(4096, 1 << 20);
	assert_non_null(a);
	/* of and the are in more than a quarter of the rows; de is not */
	assert_string_equal(catalog_words_selective(a, "Lighthouse of Oslo", common, in_rows,
						    NCOMMON, 100000),
			    "Lighthouse Oslo");
	assert_string_equal(catalog_words_selective(a, "  the river,  de été", common, in_rows,
						    NCOMMON, 100000),
			    "river de été");
	/* nothing to leave out, or nothing would be left: q itself */
	const char *q = "night garden";
	assert_ptr_equal(catalog_words_selective(a, q, common, in_rows, NCOMMON, 100000), q);
	q = "the of a";
	assert_ptr_equal(catalog_words_selective(a, q, common, in_rows, NCOMMON, 100000), q);
	q = "the river";
	assert_ptr_equal(catalog_words_selective(a, q, NULL, NULL, 0, 0), q);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_word_common),
	    cmocka_unit_test(one_rare_word_is_enough),
	    cmocka_unit_test(nothing_to_decide),
	    cmocka_unit_test(words_together),
	    cmocka_unit_test(stop_words_left_out_of_matching),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
