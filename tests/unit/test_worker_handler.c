/*
 * The pure parts of the worker: the retry schedule, the handler API's
 * deadline and stop helpers, and the kind registry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "claim.h"
#include "core/text.h"
#include "handler.h"
#include "kinds.h"

/* 1 s x 2^attempt, +-10 % jitter, capped at 1 h before the jitter */
static void test_backoff_schedule(void **state)
{
	(void)state;
	assert_int_equal(claim_backoff_ms(1, 0.5), 2000);
	assert_int_equal(claim_backoff_ms(2, 0.5), 4000);
	assert_int_equal(claim_backoff_ms(3, 0.5), 8000);
	assert_int_equal(claim_backoff_ms(1, 0.0), 1800);
	assert_in_range(claim_backoff_ms(1, 0.999999), 2199, 2200);
	assert_int_equal(claim_backoff_ms(11, 0.5), 2048000);
	assert_int_equal(claim_backoff_ms(12, 0.5), 3600000); /* 4096 s > 1 h */
	assert_int_equal(claim_backoff_ms(1000, 0.5), 3600000);
	assert_int_equal(claim_backoff_ms(1000, 0.0), 3240000);
	assert_int_equal(claim_backoff_ms(1000, 0.999999), 3959999);
	/* out-of-range jitter input is clamped */
	assert_int_equal(claim_backoff_ms(1, -3), 1800);
	assert_in_range(claim_backoff_ms(1, 7), 2199, 2200);
}

static void test_stop_and_sleep(void **state)
{
	volatile int cancel = 0;
	struct job job = {.id = 1, .deadline_us = now_mono_us() + 10 * 1000 * 1000};
	struct job_ctx ctx = {NULL, NULL, &cancel, &job, "w"};
	(void)state;

	assert_false(job_should_stop(&ctx));
	assert_in_range(job_remaining_ms(&ctx), 9000, 10000);
	assert_int_equal(job_sleep(&ctx, 20), 0);
	cancel = 1;
	assert_true(job_should_stop(&ctx));
	int64_t t0 = now_mono_us();
	assert_int_equal(job_sleep(&ctx, 5000), -1);
	assert_true(now_mono_us() - t0 < 100 * 1000);

	/* the deadline stops a sleep too */
	cancel = 0;
	job.deadline_us = now_mono_us() + 50 * 1000;
	t0 = now_mono_us();
	assert_int_equal(job_sleep(&ctx, 5000), -1);
	assert_true(now_mono_us() - t0 < 500 * 1000);
	assert_int_equal(job_remaining_ms(&ctx), 0);
	assert_true(job_should_stop(&ctx));
}

static void test_result_helpers(void **state)
{
	struct job_result res = {{0}, 0};
	(void)state;
	assert_int_equal(job_error(&res, JOB_RETRY, "tmdb: HTTP %d", 503), JOB_RETRY);
	assert_string_equal(res.error, "tmdb: HTTP 503");
	assert_int_equal(job_snooze(&res, 1500), JOB_SNOOZE);
	assert_int_equal(res.snooze_ms, 1500);
}

static void test_registry(void **state)
{
	(void)state;
	kinds_enable_debug(false);
	assert_non_null(kinds_find("noop"));
	assert_null(kinds_find("debug.record"));
	assert_null(kinds_find("no.such_kind"));
	kinds_enable_debug(true);
	const struct job_kind *k = kinds_find("debug.record");
	assert_non_null(k);
	assert_true(k->transactional);
	assert_non_null(kinds_find("debug.fail"));
	assert_non_null(kinds_find("debug.snooze"));
	assert_non_null(kinds_find("debug.cancel_me"));
	assert_non_null(kinds_find("debug.sleep"));
	kinds_enable_debug(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_schedule),
		cmocka_unit_test(test_stop_and_sleep),
		cmocka_unit_test(test_result_helpers),
		cmocka_unit_test(test_registry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
