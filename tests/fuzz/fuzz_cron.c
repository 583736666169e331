/*
 * libFuzzer target for the cron dialect of app/jobs/cron.c: cron_parse(),
 * cron_next(), cron_prev() and cron_matches().
 *
 * fuzz-sources: app/jobs/cron.c
 * fuzz-libs: -lm
 *
 * Input: bytes 0..7 pick a time (little-endian, folded into the supported
 * range 1970..9999); the rest, cut at the first NUL, is the expression.
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   cron_parse  a refusal comes with a non-empty one-line message without
 *               control bytes; an accepted expression has at least one
 *               value in every field and parses to the same bits twice
 *   cron_next   n > t, n is a whole minute, and n matches according to an
 *               independent check through gmtime_r (not cron.c's calendar);
 *               the minutes right after t up to n (at most 2000 of them) do
 *               not match; -1 only within nine years of the range's end
 *   cron_prev   p <= t, p matches, cron_next(p) == n: nothing matches
 *               strictly between the two; -1 only within nine years of the
 *               range's start
 *
 * fuzz-seed: \x00\x00\x00\x00\x00\x00\x00\x0017 3 * * *
 * fuzz-seed: \x40\x1b\x91\x67\x00\x00\x00\x000-59/15 * * * *
 * fuzz-seed: \x00\x5e\xd0\xb2\x00\x00\x00\x000 0 29 2 *
 * fuzz-seed: \x00\x00\x00\x80\x00\x00\x00\x005,10-20/3 9-17/2 1,15 jan,jul-sep mon-fri
 * fuzz-seed: \x00\x00\x00\x70\x00\x00\x00\x000 0 13 * 5
 * fuzz-seed: \xff\xff\xff\xff\xff\xff\xff\x7f59 23 31 12 7
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobs/cron.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NINE_YEARS (INT64_C(9) * 366 * 86400)

#define oracle(ok) check((ok), #ok)

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_cron: oracle failed: %s\n", what);
	abort();
}

/* Matching through libc's calendar, independent of cron.c's. */
static int ref_matches(const struct cron *c, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int dom, dow;

	if (!gmtime_r(&tt, &tm))
		return 0;
	if (!((c->months >> (tm.tm_mon + 1)) & 1u) || !((c->hours >> tm.tm_hour) & 1u) ||
	    !((c->minutes >> tm.tm_min) & 1u))
		return 0;
	dom = (c->mdays >> tm.tm_mday) & 1u;
	dow = (c->wdays >> tm.tm_wday) & 1u;
	return c->mday_restricted && c->wday_restricted ? dom || dow : dom && dow;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char expr[CRON_MAX_LEN + 64], err[160];
	struct cron c, again;
	uint64_t raw = 0;
	int64_t t, n, p;
	size_t len;

	if (size < 8)
		return 0;
	for (int i = 7; i >= 0; i--)
		raw = raw << 8 | data[i];
	t = (int64_t)(raw % (uint64_t)(CRON_TIME_MAX + 1));
	len = size - 8 < sizeof(expr) - 1 ? size - 8 : sizeof(expr) - 1;
	memcpy(expr, data + 8, len);
	expr[len] = '\0';

	if (cron_parse(expr, &c, err, sizeof(err)) < 0) {
		oracle(err[0] != '\0');
		for (const char *q = err; *q; q++)
			oracle((unsigned char)*q >= 0x20 && *q != 0x7f);
		return 0;
	}
	oracle(err[0] == '\0');
	oracle(c.minutes && c.hours && c.mdays && c.months && c.wdays);
	oracle(!(c.minutes >> 60) && !(c.hours >> 24) && !(c.mdays & 1u) && !(c.months & 0xe001u) &&
	       !(c.wdays & 0x80u));
	oracle(cron_parse(expr, &again, NULL, 0) == 0 && memcmp(&c, &again, sizeof(c)) == 0);

	n = cron_next(&c, t);
	if (n < 0) {
		oracle(t > CRON_TIME_MAX - NINE_YEARS);
	} else {
		oracle(n > t && n % 60 == 0 && n <= CRON_TIME_MAX);
		oracle(ref_matches(&c, n) && cron_matches(&c, n));
		int64_t m = t - t % 60 + 60;
		for (int i = 0; i < 2000 && m < n; i++, m += 60)
			oracle(!ref_matches(&c, m));
	}

	p = cron_prev(&c, t);
	if (p < 0) {
		oracle(t < NINE_YEARS);
	} else {
		oracle(p <= t && p % 60 == 0 && t - p < NINE_YEARS);
		oracle(ref_matches(&c, p) && cron_matches(&c, p));
		oracle(cron_next(&c, p) == n || (n < 0 && cron_next(&c, p) < 0));
	}
	return 0;
}
