/*
 * cron: five-field cron expressions evaluated in UTC, for the periodic jobs
 * of the [schedule] configuration section (SPEC §6).
 *
 * Dialect:
 *     minute hour day-of-month month day-of-week
 *     0-59   0-23 1-31         1-12  0-7 (0 and 7 are Sunday)
 *
 * Fields are separated by spaces or tabs. A field is a comma-separated list
 * of items; an item is `*`, a number `n`, a range `a-b` (a <= b), or `*` or
 * a range followed by a step `/s` (every s-th value from the start of the
 * range; 1 <= s <= the field's largest value). Months may be written
 * jan..dec and days of the week sun..sat (any case), also inside ranges.
 * Nothing else is accepted: no `?`, `L`, `W`, `#`, no `@daily` macros, no
 * seconds or year field, no `n/s` without a range.
 *
 * Day matching: when both day-of-month and day-of-week are restricted
 * (neither covers its whole range), a day matches when EITHER matches
 * ("0 0 15 * 1": the 15th of every month and every Monday); otherwise both
 * must match, which makes the unrestricted one irrelevant. Unlike Vixie
 * cron, "restricted" is decided by the values, not by whether the field is
 * spelt with a star: a stepped star (every second day) as day-of-month is
 * restricted, and "1-31" is not.
 *
 * An expression that can never fire (a day-of-month that no listed month
 * has, e.g. "0 0 30 2 *") is rejected by cron_parse, so cron_next and
 * cron_prev always find an answer inside the supported time range.
 */
#ifndef REVENGE_JOBS_CRON_H
#define REVENGE_JOBS_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest expression accepted (bytes). */
#define CRON_MAX_LEN 256

/* Times handled: 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
#define CRON_TIME_MIN INT64_C(0)
#define CRON_TIME_MAX INT64_C(253402300799)

/* A parsed expression: one bit per allowed value. Plain data; copy freely. */
struct cron {
	uint64_t minutes; /* bit m, 0..59 */
	uint32_t hours;   /* bit h, 0..23 */
	uint32_t mdays;   /* bit d, 1..31 */
	uint16_t months;  /* bit m, 1..12 */
	uint8_t wdays;    /* bit d, 0..6 (Sunday = 0; 7 is folded into 0) */
	bool mday_restricted, wday_restricted;
};

/*
 * Parse expr into *out. Returns 0, or -1 with a one-line reason in err
 * (NUL-terminated, cut to errlen; err may be NULL when errlen is 0) that
 * names the field, e.g. "minute: 60 is out of range 0-59" or
 * "expected 5 fields, got 6". *out is unspecified after a failure.
 */
int cron_parse(const char *expr, struct cron *out, char *err, size_t errlen);

/* The first matching minute (unix seconds, a multiple of 60) strictly
 * after `after`; -1 when after is outside CRON_TIME_MIN..CRON_TIME_MAX or
 * the answer would be past CRON_TIME_MAX. */
int64_t cron_next(const struct cron *c, int64_t after);

/* The last matching minute at or before `at` (the start of the period that
 * contains `at`); -1 when at is outside the supported range or no match
 * exists since CRON_TIME_MIN. */
int64_t cron_prev(const struct cron *c, int64_t at);

/* Whether the minute containing t (unix seconds) matches. */
bool cron_matches(const struct cron *c, int64_t t);

#endif
