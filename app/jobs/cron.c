#include "jobs/cron.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Evaluation walks whole days: for each candidate day (forwards for
 * cron_next, backwards for cron_prev) the date is derived arithmetically
 * from the day number, so no time zone, locale or libc time function is
 * involved and every answer is in UTC by construction. Within a matching
 * day the hour and minute bit sets give the answer directly.
 *
 * cron_parse refuses expressions that never fire, so the longest gap
 * between two fire times is the one of a 29 February schedule across a
 * century year that is not a leap year (2096 -> 2104): eight years. Walks
 * are bounded a little above that.
 */
#define SEARCH_DAYS (366 * 9)
#define MINUTES_PER_DAY 1440
#define SECONDS_PER_DAY 86400

#define ALL_MDAYS UINT32_C(0xfffffffe) /* bits 1..31 */
#define ALL_WDAYS 0x7fu                /* bits 0..6 */

struct field {
	const char *name;
	int lo, hi;
	const char *const *names; /* names[i] stands for lo + i; NULL when none */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const wday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

enum { F_MINUTE, F_HOUR, F_MDAY, F_MONTH, F_WDAY, NFIELDS };

static const struct field fields[NFIELDS] = {
    {"minute", 0, 59, NULL},           {"hour", 0, 23, NULL},
    {"day-of-month", 1, 31, NULL},     {"month", 1, 12, month_names},
    {"day-of-week", 0, 7, wday_names},
};

static void fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Quote at most 32 bytes of untrusted text in a message, bytes outside
 * printable ASCII shown as '?', so the message stays one clean line. */
static const char *show(const char *s, size_t n, char out[40])
{
	size_t i;

	for (i = 0; i < n && i < 32; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > 32) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* One value of field f from s[0..n): digits or a name. -1 when neither. */
static int parse_value(const struct field *f, const char *s, size_t n, char *err, size_t errlen)
{
	char shown[40];
	int v = 0;

	if (n == 0) {
		fail(err, errlen, "%s: missing value", f->name);
		return -1;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9') {
				fail(err, errlen, "%s: \"%s\" is not a number", f->name,
				     show(s, n, shown));
				return -1;
			}
			if (v < 1000) /* saturate: anything this large is out of range anyway */
				v = v * 10 + (s[i] - '0');
		}
		if (v < f->lo || v > f->hi) {
			fail(err, errlen, "%s: %s is out of range %d-%d", f->name,
			     show(s, n, shown), f->lo, f->hi);
			return -1;
		}
		return v;
	}
	for (int i = 0; f->names && f->names[i]; i++) {
		if (n == 3 && lower(s[0]) == f->names[i][0] && lower(s[1]) == f->names[i][1] &&
		    lower(s[2]) == f->names[i][2])
			return f->lo + i;
	}
	fail(err, errlen, "%s: \"%s\" is not a %s", f->name, show(s, n, shown),
	     f->names ? "number or name" : "number");
	return -1;
}

/* One list item s[0..n) of field f: its values OR-ed into *bits. */
static int parse_item(const struct field *f, const char *s, size_t n, uint64_t *bits, char *err,
                      size_t errlen)
{
	const char *slash = memchr(s, '/', n);
	size_t head = slash ? (size_t)(slash - s) : n;
	const char *dash;
	int lo, hi, step = 1;
	char shown[40];

	if (n == 0) {
		fail(err, errlen, "%s: empty list item", f->name);
		return -1;
	}
	if (head == 1 && s[0] == '*') {
		lo = f->lo;
		hi = f->hi;
	} else if ((dash = memchr(s, '-', head)) != NULL) {
		if ((lo = parse_value(f, s, (size_t)(dash - s), err, errlen)) < 0 ||
		    (hi = parse_value(f, dash + 1, head - (size_t)(dash - s) - 1, err, errlen)) < 0)
			return -1;
		if (lo > hi) {
			fail(err, errlen, "%s: range \"%s\" runs backwards", f->name,
			     show(s, head, shown));
			return -1;
		}
	} else {
		if ((lo = parse_value(f, s, head, err, errlen)) < 0)
			return -1;
		if (slash) {
			fail(err, errlen, "%s: a step needs * or a range before it (\"%s\")",
			     f->name, show(s, n, shown));
			return -1;
		}
		hi = lo;
	}
	if (slash) {
		const char *p = slash + 1;
		size_t len = n - head - 1;

		step = 0;
		if (len == 0) {
			fail(err, errlen, "%s: missing step after /", f->name);
			return -1;
		}
		for (size_t i = 0; i < len; i++) {
			if (p[i] < '0' || p[i] > '9') {
				fail(err, errlen, "%s: step \"%s\" is not a number", f->name,
				     show(p, len, shown));
				return -1;
			}
			if (step < 1000)
				step = step * 10 + (p[i] - '0');
		}
		if (step < 1 || step > f->hi) {
			fail(err, errlen, "%s: step %s is out of range 1-%d", f->name,
			     show(p, len, shown), f->hi);
			return -1;
		}
	}
	for (int v = lo; v <= hi; v += step)
		*bits |= UINT64_C(1) << v;
	return 0;
}

static int parse_field(const struct field *f, const char *s, size_t n, uint64_t *bits, char *err,
                       size_t errlen)
{
	size_t start = 0;

	*bits = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == ',') {
			if (parse_item(f, s + start, i - start, bits, err, errlen) < 0)
				return -1;
			start = i + 1;
		}
	}
	return 0;
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* The longest a month ever is (February counted as 29). */
static int month_days_max(int m)
{
	return m == 2 ? 29 : month_days(2001, m);
}

int cron_parse(const char *expr, struct cron *out, char *err, size_t errlen)
{
	const char *tok[NFIELDS];
	size_t len[NFIELDS], n = 0, total;
	uint64_t bits[NFIELDS];
	const char *p;
	bool possible = false;

	fail(err, errlen, "%s", "");
	if (!expr) {
		fail(err, errlen, "empty expression");
		return -1;
	}
	total = strnlen(expr, CRON_MAX_LEN + 1);
	if (total > CRON_MAX_LEN) {
		fail(err, errlen, "longer than %d bytes", CRON_MAX_LEN);
		return -1;
	}
	for (p = expr;;) {
		const char *start;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (n < NFIELDS) {
			tok[n] = start;
			len[n] = (size_t)(p - start);
		}
		n++;
	}
	if (n != NFIELDS) {
		fail(err, errlen,
		     "expected 5 fields (minute hour day-of-month month day-of-week), "
		     "got %zu",
		     n);
		return -1;
	}
	for (size_t i = 0; i < NFIELDS; i++)
		if (parse_field(&fields[i], tok[i], len[i], &bits[i], err, errlen) < 0)
			return -1;
	memset(out, 0, sizeof(*out));
	out->minutes = bits[F_MINUTE];
	out->hours = (uint32_t)bits[F_HOUR];
	out->mdays = (uint32_t)bits[F_MDAY];
	out->months = (uint16_t)bits[F_MONTH];
	out->wdays = (uint8_t)((bits[F_WDAY] | (bits[F_WDAY] >> 7)) & ALL_WDAYS);
	out->mday_restricted = out->mdays != ALL_MDAYS;
	out->wday_restricted = out->wdays != ALL_WDAYS;
	/* Only a restricted day-of-month left to decide alone can miss every
	 * month: a restricted day-of-week meets every month. */
	if (out->mday_restricted && !out->wday_restricted) {
		int first = __builtin_ctz(out->mdays);
		for (int m = 1; m <= 12; m++)
			if ((out->months >> m) & 1u && first <= month_days_max(m))
				possible = true;
		if (!possible) {
			fail(err, errlen,
			     "day-of-month: no listed month has day %d, so the "
			     "expression never fires",
			     first);
			return -1;
		}
	}
	return 0;
}

/* Days since 1970-01-01 (>= 0) -> civil date. Years are counted from
 * March so the leap day falls at the end of a year, which makes the day
 * of the year a simple function of the month; 400-year eras of 146097
 * days repeat exactly. */
static void civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468; /* days from 0000-03-01 */
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;                                      /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
	int64_t mp = (5 * doy + 2) / 153;                                    /* 0 = March */

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool day_matches(const struct cron *c, int64_t days)
{
	int64_t y;
	int m, d, wd = (int)((days + 4) % 7); /* 1970-01-01 was a Thursday */
	bool dom, dow;

	civil(days, &y, &m, &d);
	if (!((c->months >> m) & 1u))
		return false;
	dom = (c->mdays >> d) & 1u;
	dow = (c->wdays >> wd) & 1u;
	if (c->mday_restricted && c->wday_restricted)
		return dom || dow;
	return dom && dow;
}

/* First matching minute of the day at or after minute-of-day `from`; -1. */
static int first_minute(const struct cron *c, int from)
{
	for (int h = from / 60; h < 24; h++) {
		int m0 = h == from / 60 ? from % 60 : 0;
		uint64_t left;

		if (!((c->hours >> h) & 1u))
			continue;
		left = c->minutes & (~UINT64_C(0) << m0);
		if (left)
			return h * 60 + __builtin_ctzll(left);
	}
	return -1;
}

/* Last matching minute of the day at or before minute-of-day `to`; -1. */
static int last_minute(const struct cron *c, int to)
{
	for (int h = to / 60; h >= 0; h--) {
		int m1 = h == to / 60 ? to % 60 : 59;
		uint64_t left;

		if (!((c->hours >> h) & 1u))
			continue;
		left = c->minutes & ((UINT64_C(2) << m1) - 1);
		if (left)
			return h * 60 + 63 - __builtin_clzll(left);
	}
	return -1;
}

int64_t cron_next(const struct cron *c, int64_t after)
{
	int64_t start, day;
	int from;

	if (after < CRON_TIME_MIN || after > CRON_TIME_MAX)
		return -1;
	start = after / 60 * 60 + 60;
	day = start / SECONDS_PER_DAY;
	from = (int)(start % SECONDS_PER_DAY / 60);
	for (int i = 0; i < SEARCH_DAYS; i++, day++, from = 0) {
		int min;
		int64_t t;

		if (day * SECONDS_PER_DAY > CRON_TIME_MAX)
			return -1;
		if (!day_matches(c, day) || (min = first_minute(c, from)) < 0)
			continue;
		t = day * SECONDS_PER_DAY + (int64_t)min * 60;
		return t <= CRON_TIME_MAX ? t : -1;
	}
	return -1;
}

int64_t cron_prev(const struct cron *c, int64_t at)
{
	int64_t day;
	int to;

	if (at < CRON_TIME_MIN || at > CRON_TIME_MAX)
		return -1;
	day = at / SECONDS_PER_DAY;
	to = (int)(at % SECONDS_PER_DAY / 60);
	for (int i = 0; i < SEARCH_DAYS && day >= 0; i++, day--, to = MINUTES_PER_DAY - 1) {
		int min;

		if (day_matches(c, day) && (min = last_minute(c, to)) >= 0)
			return day * SECONDS_PER_DAY + (int64_t)min * 60;
	}
	return -1;
}

bool cron_matches(const struct cron *c, int64_t t)
{
	int min;

	if (t < CRON_TIME_MIN || t > CRON_TIME_MAX || !day_matches(c, t / SECONDS_PER_DAY))
		return false;
	min = (int)(t % SECONDS_PER_DAY / 60);
	return (c->hours >> (min / 60)) & 1u && (c->minutes >> (min % 60)) & 1u;
}
