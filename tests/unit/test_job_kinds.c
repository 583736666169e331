/*
 * The kinds /metrics declares at 0 (app/jobs: job_kind_names) are exactly
 * the worker's registry (workers/kinds.c), in order; and the per-kind
 * counting slots name each kind, debug kinds included, with "other" for
 * names the worker does not run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "jobs/jobs.h"
#include "kinds.h"
#include "stats.h"

static void registry_matches_declared_kinds(void **state)
{
	size_t i = 0;
	(void)state;
	for (const char *k; (k = kinds_name((int)i)); i++) {
		assert_true(i < job_kind_names_count);
		assert_string_equal(k, job_kind_names[i]);
	}
	assert_int_equal(i, job_kind_names_count);
}

static void slots_name_their_kind(void **state)
{
	(void)state;
	kinds_enable_debug(false);
	for (size_t i = 0; i < job_kind_names_count; i++)
		assert_string_equal(kinds_slot_name(kinds_slot(job_kind_names[i])),
		                    job_kind_names[i]);
	assert_string_equal(kinds_slot_name(kinds_slot("no.such.kind")), "other");
	assert_string_equal(kinds_slot_name(kinds_slot("debug.record")), "other");
	kinds_enable_debug(true);
	assert_string_equal(kinds_slot_name(kinds_slot("debug.record")), "debug.record");
	assert_int_equal(kinds_slot("no.such.kind"), KINDS_SLOTS - 1);
	kinds_enable_debug(false);
}

static void outcomes_match_the_tally(void **state)
{
	(void)state;
	assert_int_equal(job_outcome_names_count, JT__COUNT);
	assert_string_equal(stats_tally_name(JT_COMPLETED), "completed");
	assert_string_equal(stats_tally_name(JT_LOST), "lost");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(registry_matches_declared_kinds),
	    cmocka_unit_test(slots_name_their_kind),
	    cmocka_unit_test(outcomes_match_the_tally),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
