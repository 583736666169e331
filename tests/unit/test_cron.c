/*
 * cron: parsing (bits, names, whitespace, every rejection with its
 * message), cron_next / cron_prev on hand-checked dates (month ends, leap
 * years and century years, year ends, day-of-month OR day-of-week, the
 * ends of the supported range), a cross-check of both against a slow
 * reference that walks the calendar with gmtime_r, and the [schedule]
 * check in app_config_check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "app.h"
#include "core/buf.h"
#include "core/config.h"
#include "jobs/cron.h"

/* "YYYY-MM-DDTHH:MM[:SS]" (UTC) -> unix seconds. */
static int64_t at(const char *iso)
{
	struct tm tm;
	int sec = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	           &tm.tm_min, &sec) < 5)
		fail_msg("bad date in test: %s", iso);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_sec = sec;
	return (int64_t)timegm(&tm);
}

static const char *iso(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < 0)
		return "-1";
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

static struct cron parse_ok(const char *expr)
{
	struct cron c;
	char err[200];

	if (cron_parse(expr, &c, err, sizeof(err)) < 0)
		fail_msg("\"%s\" refused: %s", expr, err);
	return c;
}

static void expect_next(const char *expr, const char *after, const char *want)
{
	struct cron c = parse_ok(expr);
	char a[32], b[32];
	int64_t got = cron_next(&c, at(after)), exp = want ? at(want) : -1;

	if (got != exp)
		fail_msg("next(\"%s\", %s) = %s, want %s", expr, after, iso(got, a), iso(exp, b));
}

static void expect_prev(const char *expr, const char *when, const char *want)
{
	struct cron c = parse_ok(expr);
	char a[32], b[32];
	int64_t got = cron_prev(&c, at(when)), exp = want ? at(want) : -1;

	if (got != exp)
		fail_msg("prev(\"%s\", %s) = %s, want %s", expr, when, iso(got, a), iso(exp, b));
}

static void test_parse_bits(void **state)
{
	struct cron c;
	(void)state;

	c = parse_ok("* * * * *");
	assert_true(c.minutes == (UINT64_C(1) << 60) - 1);
	assert_int_equal(c.hours, (1u << 24) - 1);
	assert_int_equal(c.mdays, 0xfffffffeu);
	assert_int_equal(c.months, 0x1ffe);
	assert_int_equal(c.wdays, 0x7f);
	assert_false(c.mday_restricted);
	assert_false(c.wday_restricted);

	c = parse_ok("*/15 * * * *");
	assert_true(c.minutes == ((UINT64_C(1) << 0) | (UINT64_C(1) << 15) | (UINT64_C(1) << 30) |
	                          (UINT64_C(1) << 45)));

	c = parse_ok("5,10,15-20 9-17/2 1,15 jan,JUL-Sep mon-fri");
	assert_true(c.minutes ==
	            ((UINT64_C(1) << 5) | (UINT64_C(1) << 10) | (UINT64_C(0x3f) << 15)));
	assert_int_equal(c.hours, (1u << 9) | (1u << 11) | (1u << 13) | (1u << 15) | (1u << 17));
	assert_int_equal(c.mdays, (1u << 1) | (1u << 15));
	assert_int_equal(c.months, (1u << 1) | (1u << 7) | (1u << 8) | (1u << 9));
	assert_int_equal(c.wdays, 0x3e);
	assert_true(c.mday_restricted);
	assert_true(c.wday_restricted);

	/* 7 is Sunday, like 0; a range through 7 wraps onto 0 */
	assert_int_equal(parse_ok("0 0 * * 7").wdays, 1);
	assert_int_equal(parse_ok("0 0 * * 0").wdays, 1);
	assert_int_equal(parse_ok("0 0 * * 5-7").wdays, 0x61);
	assert_int_equal(parse_ok("0 0 * * 0-7").wdays, 0x7f);
	assert_false(parse_ok("0 0 * * 0-7").wday_restricted);
	assert_false(parse_ok("0 0 * * 1-7").wday_restricted);

	/* restriction is decided by the values, not the spelling */
	assert_true(parse_ok("0 0 */2 * *").mday_restricted);
	assert_false(parse_ok("0 0 1-31 * *").mday_restricted);
	assert_false(parse_ok("0 0 */1 * *").mday_restricted);

	/* blanks: tabs and runs of spaces, leading and trailing */
	c = parse_ok(" \t17\t3  *   * *\t ");
	assert_true(c.minutes == UINT64_C(1) << 17);
	assert_int_equal(c.hours, 1u << 3);

	/* a step over a range starts at the range's start */
	assert_true(parse_ok("10-20/7 * * * *").minutes ==
	            ((UINT64_C(1) << 10) | (UINT64_C(1) << 17)));
	/* a step as large as the field allows */
	assert_true(parse_ok("*/59 * * * *").minutes == ((UINT64_C(1) << 0) | (UINT64_C(1) << 59)));
	assert_int_equal(parse_ok("0 0 * */12 *").months, 1u << 1);
	/* leading zeros are only digits */
	assert_true(parse_ok("05 007 * * *").minutes == UINT64_C(1) << 5);
}

struct bad {
	const char *expr;
	const char *msg; /* a substring of the error */
};

static void test_parse_rejects(void **state)
{
	static const struct bad cases[] = {
	    {"", "expected 5 fields"},
	    {"   ", "got 0"},
	    {"* * * *", "got 4"},
	    {"* * * * * *", "got 6"},
	    {"0 0 * * * * 2026 x", "got 8"},
	    {"@daily", "got 1"},
	    {"60 * * * *", "minute: 60 is out of range 0-59"},
	    {"* 24 * * *", "hour: 24 is out of range 0-23"},
	    {"* * 0 * *", "day-of-month: 0 is out of range 1-31"},
	    {"* * 32 * *", "day-of-month: 32 is out of range 1-31"},
	    {"* * * 0 *", "month: 0 is out of range 1-12"},
	    {"* * * 13 *", "month: 13 is out of range 1-12"},
	    {"* * * * 8", "day-of-week: 8 is out of range 0-7"},
	    {"99999999999999999999 * * * *", "out of range"},
	    {"5-1 * * * *", "minute: range \"5-1\" runs backwards"},
	    {"0 0 * * sat-sun", "runs backwards"},
	    {"*/0 * * * *", "minute: step 0 is out of range 1-59"},
	    {"*/60 * * * *", "step 60 is out of range"},
	    {"* */24 * * *", "hour: step 24"},
	    {"* * * * */8", "day-of-week: step 8"},
	    {"1/5 * * * *", "a step needs * or a range before it"},
	    {"*/ * * * *", "missing step"},
	    {"*/x * * * *", "step \"x\" is not a number"},
	    {"*/5/2 * * * *", "is not a number"},
	    {"a * * * *", "minute: \"a\" is not a number"},
	    {"-1 * * * *", "minute: missing value"},
	    {"1- * * * *", "missing value"},
	    {"1-2-3 * * * *", "not a number"},
	    {"*-5 * * * *", "not a number"},
	    {"** * * * *", "not a number"},
	    {"1,,2 * * * *", "minute: empty list item"},
	    {"1, * * * *", "empty list item"},
	    {",1 * * * *", "empty list item"},
	    {"* * * foo *", "month: \"foo\" is not a number or name"},
	    {"* * * janu *", "not a number or name"},
	    {"* * * * monday", "day-of-week: \"monday\""},
	    {"* * jan * *", "day-of-month: \"jan\" is not a number"},
	    {"* * * * mon-", "missing value"},
	    {"* * * * ?", "is not a number or name"},
	    {"* * L * *", "not a number"},
	    {"* * * * 5#3", "not a number"},
	    {"+5 * * * *", "not a number"},
	    {"5\n * * * *", "\"5?\""},
	    {"0 0 30 2 *", "day-of-month: no listed month has day 30"},
	    {"0 0 31 2,4,6,9,11 *", "never fires"},
	    {"0 0 30,31 feb *", "never fires"},
	};
	char err[200];
	struct cron c;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(err, 0, sizeof(err));
		if (cron_parse(cases[i].expr, &c, err, sizeof(err)) == 0)
			fail_msg("\"%s\" accepted", cases[i].expr);
		if (!strstr(err, cases[i].msg))
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", cases[i].expr, err,
			         cases[i].msg);
		for (const char *p = err; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				fail_msg("\"%s\": control byte in message", cases[i].expr);
	}

	assert_int_equal(cron_parse(NULL, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));

	/* over the length cap, even when it would otherwise parse */
	char longexpr[CRON_MAX_LEN + 16];
	memset(longexpr, ' ', sizeof(longexpr));
	memcpy(longexpr, "* * * * *", 9);
	longexpr[sizeof(longexpr) - 1] = '\0';
	assert_int_equal(cron_parse(longexpr, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));

	/* a long bad value is cut in the message; a tiny buffer still ends */
	assert_int_equal(cron_parse("1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx * * * *",
	                            &c, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "...\""));
	assert_int_equal(cron_parse("61 * * * *", &c, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(cron_parse("61 * * * *", &c, NULL, 0), -1);

	/* 29 February alone is possible (leap years), and 31 February with a
	 * day of the week fires on that weekday */
	assert_int_equal(cron_parse("0 0 29 2 *", &c, err, sizeof(err)), 0);
	assert_int_equal(cron_parse("0 0 31 2 1", &c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

static void test_next(void **state)
{
	(void)state;
	/* strictly after, and seconds do not count */
	expect_next("* * * * *", "2026-05-01T12:00:00", "2026-05-01T12:01");
	expect_next("* * * * *", "2026-05-01T12:00:59", "2026-05-01T12:01");
	expect_next("* * * * *", "2026-05-01T12:00:01", "2026-05-01T12:01");
	expect_next("*/15 * * * *", "2026-05-01T12:14:59", "2026-05-01T12:15");
	expect_next("*/15 * * * *", "2026-05-01T12:45:00", "2026-05-01T13:00");
	expect_next("*/15 * * * *", "2026-05-01T23:59:00", "2026-05-02T00:00");
	/* the defaults */
	expect_next("17 3 * * *", "2026-01-01T03:16:59", "2026-01-01T03:17");
	expect_next("17 3 * * *", "2026-01-01T03:17:00", "2026-01-02T03:17");
	/* month ends: a 31st skips the short months */
	expect_next("0 0 31 * *", "2026-01-31T00:00", "2026-03-31T00:00");
	expect_next("0 0 31 * *", "2026-03-31T00:00", "2026-05-31T00:00");
	expect_next("0 0 31 * *", "2026-07-31T00:00", "2026-08-31T00:00");
	expect_next("0 0 30 * *", "2026-01-30T00:00", "2026-03-30T00:00");
	expect_next("30 12 1 * *", "2026-01-31T23:59", "2026-02-01T12:30");
	/* year end */
	expect_next("59 23 31 12 *", "2026-12-31T23:59", "2027-12-31T23:59");
	expect_next("0 0 1 1 *", "2026-12-31T23:59:59", "2027-01-01T00:00");
	expect_next("* * * * *", "2026-12-31T23:59:30", "2027-01-01T00:00");
	/* leap years, century years (2100 is not leap, 2000 is) */
	expect_next("0 0 29 2 *", "2024-03-01T00:00", "2028-02-29T00:00");
	expect_next("0 0 29 2 *", "2023-06-01T00:00", "2024-02-29T00:00");
	expect_next("0 0 29 2 *", "2096-02-29T00:00", "2104-02-29T00:00");
	expect_next("0 0 29 2 *", "1999-01-01T00:00", "2000-02-29T00:00");
	expect_next("0 0 * 2 *", "2100-02-28T00:00", "2101-02-01T00:00");
	expect_next("0 0 * 2 *", "2024-02-28T00:00", "2024-02-29T00:00");
	expect_next("0 0 1 3 *", "2024-02-28T12:00", "2024-03-01T00:00");
	/* day of week alone; 0 and 7 are both Sunday */
	expect_next("0 12 * * 1", "2026-01-04T13:00", "2026-01-05T12:00");
	expect_next("0 12 * * 0", "2026-01-05T00:00", "2026-01-11T12:00");
	expect_next("0 12 * * 7", "2026-01-05T00:00", "2026-01-11T12:00");
	expect_next("0 9 * * mon-fri", "2026-01-09T09:00", "2026-01-12T09:00");
	/* both restricted: the 13th OR Friday */
	expect_next("0 0 13 * 5", "2026-02-01T00:00", "2026-02-06T00:00");
	expect_next("0 0 13 * 5", "2026-08-08T00:00", "2026-08-13T00:00"); /* a Thursday */
	expect_next("0 0 13 * 5", "2026-08-13T00:00", "2026-08-14T00:00"); /* Friday */
	/* a stepped day-of-month is restricted, so it ORs with the weekday */
	expect_next("0 0 */10 * 1", "2026-01-01T00:00", "2026-01-05T00:00");
	expect_next("0 0 */10 * 1", "2026-01-05T00:00", "2026-01-11T00:00");
	/* a day-of-month covering every day leaves the weekday alone */
	expect_next("0 0 1-31 * 1", "2026-01-01T00:00", "2026-01-05T00:00");
	/* 31 February OR Monday: only the Mondays of February */
	expect_next("0 0 31 2 1", "2026-01-01T00:00", "2026-02-02T00:00");
	expect_next("0 0 31 2 1", "2026-02-23T00:00", "2027-02-01T00:00");
	/* hour and minute lists across the day */
	expect_next("5,55 1,23 * * *", "2026-03-01T01:55", "2026-03-01T23:05");
	expect_next("5,55 1,23 * * *", "2026-03-01T23:55", "2026-03-02T01:05");
	/* the ends of the supported range */
	expect_next("* * * * *", "1970-01-01T00:00", "1970-01-01T00:01");
	expect_next("0 0 1 1 *", "9999-06-01T00:00", NULL);
	expect_next("59 23 31 12 *", "9999-12-31T23:58", "9999-12-31T23:59");
	expect_next("* * * * *", "9999-12-31T23:59", NULL);

	struct cron c = parse_ok("* * * * *");
	assert_int_equal(cron_next(&c, -1), -1);
	assert_int_equal(cron_next(&c, CRON_TIME_MAX + 1), -1);
	assert_int_equal(cron_next(&c, INT64_MIN), -1);
	assert_int_equal(cron_next(&c, INT64_MAX), -1);
}

static void test_prev(void **state)
{
	(void)state;
	expect_prev("* * * * *", "2026-05-01T12:00:00", "2026-05-01T12:00");
	expect_prev("* * * * *", "2026-05-01T12:00:59", "2026-05-01T12:00");
	expect_prev("17 3 * * *", "2026-01-02T03:16:59", "2026-01-01T03:17");
	expect_prev("17 3 * * *", "2026-01-02T03:17:00", "2026-01-02T03:17");
	expect_prev("17 3 * * *", "2026-01-02T03:17:59", "2026-01-02T03:17");
	expect_prev("*/15 * * * *", "2026-05-01T00:14:00", "2026-05-01T00:00");
	expect_prev("*/15 * * * *", "2026-05-01T00:00:00", "2026-05-01T00:00");
	expect_prev("*/15 * * * *", "2026-01-01T00:00:00", "2026-01-01T00:00");
	expect_prev("50 * * * *", "2026-01-01T00:10", "2025-12-31T23:50");
	expect_prev("0 0 31 * *", "2026-05-30T00:00", "2026-03-31T00:00");
	expect_prev("0 0 29 2 *", "2104-02-28T00:00", "2096-02-29T00:00");
	expect_prev("0 0 29 2 *", "2028-02-29T00:00", "2028-02-29T00:00");
	expect_prev("0 0 13 * 5", "2026-08-13T23:00", "2026-08-13T00:00");
	expect_prev("0 0 13 * 5", "2026-08-12T23:00", "2026-08-07T00:00");
	expect_prev("0 12 * * 1", "2026-01-05T11:59", "2025-12-29T12:00");
	/* nothing before the epoch */
	expect_prev("* * * * *", "1970-01-01T00:00", "1970-01-01T00:00");
	expect_prev("0 0 2 1 *", "1970-01-01T12:00", NULL);
	expect_prev("59 23 31 12 *", "9999-12-31T23:59:59", "9999-12-31T23:59");

	struct cron c = parse_ok("* * * * *");
	assert_int_equal(cron_prev(&c, -1), -1);
	assert_int_equal(cron_prev(&c, CRON_TIME_MAX + 1), -1);
	assert_int_equal(cron_prev(&c, INT64_MIN), -1);
}

/* The reference: walk minute by minute, skipping days that do not match,
 * with libc's calendar instead of cron.c's. */
static bool ref_day(const struct cron *c, const struct tm *tm)
{
	bool dom = (c->mdays >> tm->tm_mday) & 1u, dow = (c->wdays >> tm->tm_wday) & 1u;

	if (!((c->months >> (tm->tm_mon + 1)) & 1u))
		return false;
	return c->mday_restricted && c->wday_restricted ? dom || dow : dom && dow;
}

static bool ref_time(const struct cron *c, const struct tm *tm)
{
	return (c->hours >> tm->tm_hour) & 1u && (c->minutes >> tm->tm_min) & 1u;
}

static int64_t ref_next(const struct cron *c, int64_t after)
{
	int64_t t = after - after % 60 + 60, end = after + INT64_C(10) * 366 * 86400;
	struct tm tm;

	while (t <= end) {
		time_t tt = (time_t)t;
		gmtime_r(&tt, &tm);
		if (!ref_day(c, &tm))
			t = t - t % 86400 + 86400;
		else if (ref_time(c, &tm))
			return t;
		else
			t += 60;
	}
	return -1;
}

static int64_t ref_prev(const struct cron *c, int64_t when)
{
	int64_t t = when - when % 60, end = when - INT64_C(10) * 366 * 86400;
	struct tm tm;

	while (t >= end && t >= 0) {
		time_t tt = (time_t)t;
		gmtime_r(&tt, &tm);
		if (!ref_day(c, &tm))
			t = t - t % 86400 - 60;
		else if (ref_time(c, &tm))
			return t;
		else
			t -= 60;
	}
	return -1;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_against_reference(void **state)
{
	static const char *const exprs[] = {
	    "* * * * *",
	    "*/15 * * * *",
	    "17 3 * * *",
	    "0 0 1 * *",
	    "0 0 31 * *",
	    "0 0 29 2 *",
	    "0 0 13 * 5",
	    "30 4 1,15 * 1-5",
	    "*/7 */5 */3 */2 *",
	    "0 12 * * 0",
	    "59 23 31 12 *",
	    "0 0 */10 * 1",
	    "1-10/3 2-20/6 * * *",
	    "0 9 * jun-aug sat",
	    "15 6 29-31 1-3 *",
	    "0 0 31 2 1",
	    "45 23 28-31 * *",
	    "0 0 1 */3 *",
	    "0 8-18 * * mon,wed,fri",
	    "0 0 * * 6,7",
	};
	const int64_t lo = at("1999-01-01T00:00"), span = at("2110-01-01T00:00") - lo;
	char a[32], b[32];
	(void)state;

	for (size_t e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++) {
		struct cron c = parse_ok(exprs[e]);
		for (int i = 0; i < 150; i++) {
			int64_t t = lo + (int64_t)(rnd() % (uint64_t)span);
			int64_t n = cron_next(&c, t), rn = ref_next(&c, t);
			int64_t p = cron_prev(&c, t), rp = ref_prev(&c, t);

			if (n != rn)
				fail_msg("next(\"%s\", %s) = %s, reference %s", exprs[e], iso(t, a),
				         iso(n, b), iso(rn, a));
			if (p != rp)
				fail_msg("prev(\"%s\", %s) = %s, reference %s", exprs[e], iso(t, a),
				         iso(p, b), iso(rp, a));
			/* the two directions agree: nothing matches in (p, n) */
			assert_true(p <= t && n > t);
			assert_int_equal(cron_next(&c, p), n);
			assert_true(cron_matches(&c, n) && cron_matches(&c, p));
			assert_int_equal(cron_prev(&c, n - 1), p);
		}
	}
}

static void expect_config(const char *text, const char *want)
{
	struct config cfg;
	struct buf err;
	enum app_err e;

	buf_init(&err, 1024);
	if (config_load_text(&cfg, text, strlen(text), "test.conf", NULL, &err))
		fail_msg("config refused: %s", err.data);
	e = app_config_check(&cfg, &err);
	config_release(&cfg);
	if (!want) {
		if (e != APP_OK)
			fail_msg("app_config_check refused: %s", err.data);
	} else {
		assert_int_equal(e, APP_ERR_VALIDATION);
		if (!strstr(err.data, want))
			fail_msg("message \"%s\" lacks \"%s\"", err.data, want);
	}
	buf_release(&err);
}

static void test_config_check(void **state)
{
	(void)state;
	expect_config("", NULL);
	expect_config(
	    "[schedule]\nretention = \"0 4 * * sun\"\nsession_cleanup = \"*/5 * * * *\"\n", NULL);
	expect_config(
	    "[schedule]\nretention = \"61 3 * * *\"\n",
	    "schedule.retention: not a valid cron expression: minute: 61 is out of range");
	expect_config("[schedule]\nsession_cleanup = \"*/15 * * *\"\n",
	              "schedule.session_cleanup: not a valid cron expression: expected 5 fields");
	expect_config("[schedule]\nsession_cleanup = \"0 0 30 2 *\"\n",
	              "schedule.session_cleanup: not a valid cron expression: day-of-month");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_bits),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_next),
	    cmocka_unit_test(test_prev),
	    cmocka_unit_test(test_against_reference),
	    cmocka_unit_test(test_config_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
