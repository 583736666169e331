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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_word_common),
	    cmocka_unit_test(one_rare_word_is_enough),
	    cmocka_unit_test(nothing_to_decide),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
