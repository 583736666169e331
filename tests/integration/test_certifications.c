/*
 * The certifications seeded by migrations/0006_certifications.sql against
 * TMDb's own certification lists (tests/fixtures/tmdb/certification-
 * {movie,tv}-list.json, found under $TEST_ROOT): every certification TMDb
 * lists has a row with the rating system the store uses for it
 * (rating_system()), the ages SPEC §4.4 relies on are the agreed ones, and
 * a later certification in TMDb's "order" is never younger than an earlier
 * one, except for the few places named in monotone_exceptions.
 *
 * Every problem is listed before a test fails, so one run shows the whole
 * drift after a refresh of the fixture lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "testenv.h"

#define FIXTURE_DIR "tests/fixtures/tmdb/"
#define MAX_FIXTURE (1 << 20)

static PGconn *db;
static cJSON *lists[2]; /* [0] movie, [1] tv: the "certifications" objects' documents */
static int problems;

static const char *const kind_name[2] = {"movie", "tv"};

/* The countries the brief and SPEC §4.4 name; each must have rows, whether
 * or not TMDb lists it (AT is in neither list). */
static const char *const required_countries[] = {
    "US", "DE", "GB", "FR", "JP", "KR", "BR", "AU", "NL", "ES", "IT", "CA", "SE", "NO", "DK",
    "FI", "AT", "CH", "IE", "NZ", "IN", "MX", "RU", "PT", "PL", "CZ", "HU", "TR", "GR",
};

/* Where TMDb's order is not an age order (see the header of 0006). */
static const struct {
	int kind;
	const char *country, *certification, *why;
} monotone_exceptions[] = {
    {1, "US", "TV-Y7", "children's track listed before TV-G"},
    {1, "PR", "TV-Y7", "children's track listed before TV-G"},
    {1, "VI", "TV-Y7", "children's track listed before TV-G"},
    {1, "CA", "C8", "children's track listed before G"},
    {0, "DK", "F", "exempt from classification, listed last"},
    {0, "NZ", "M", "advisory 16+, listed before the restrictive R13"},
};

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void problem(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("certifications: %s\n", msg);
	problems++;
}

static void finish(void)
{
	int n = problems;

	problems = 0;
	if (n)
		fail_msg("%d problem(s), listed above", n);
}

static cJSON *load_fixture(const char *name)
{
	const char *root = getenv("TEST_ROOT");
	char path[1024];
	char *text = NULL;
	long size;
	FILE *f;
	cJSON *doc = NULL;

	snprintf(path, sizeof(path), "%s%s" FIXTURE_DIR "%s", root ? root : "", root ? "/" : "",
	         name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && size <= MAX_FIXTURE &&
	    fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1)) &&
	    fread(text, 1, (size_t)size, f) == (size_t)size) {
		text[size] = '\0';
		doc = cJSON_Parse(text);
	}
	free(text);
	fclose(f);
	return doc;
}

static int setup(void **state)
{
	(void)state;
	db = testenv_connect(testenv_new_database(NULL));
	lists[0] = load_fixture("certification-movie-list.json");
	lists[1] = load_fixture("certification-tv-list.json");
	if (!lists[0] || !lists[1]) {
		fprintf(stderr, "cannot read the TMDb certification fixtures (TEST_ROOT?)\n");
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cJSON_Delete(lists[0]);
	cJSON_Delete(lists[1]);
	PQfinish(db);
	return 0;
}

/* min_age of (country, certification), or -1 without a row; *system_ok
 * (may be NULL) tells whether the row's system is rating_system(country, tv). */
static int min_age(const char *country, const char *cert, int tv, int *system_ok)
{
	const char *params[3] = {country, cert, tv ? "true" : "false"};
	PGresult *r = PQexecParams(db,
	                           "SELECT min_age, system = rating_system($1, $3::boolean)"
	                           " FROM certifications WHERE country = $1 AND certification = $2",
	                           3, NULL, params, NULL, NULL, 0);
	int age = -1;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("certification query: %s", PQerrorMessage(db));
	if (PQntuples(r) == 1) {
		age = atoi(PQgetvalue(r, 0, 0));
		if (system_ok)
			*system_ok = PQgetvalue(r, 0, 1)[0] == 't';
	}
	PQclear(r);
	return age;
}

/* The certifications of one TMDb list, by country. */
static const cJSON *countries_of(int kind)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(lists[kind], "certifications");

	assert_true(cJSON_IsObject(c));
	return c;
}

/* Release dates are keyed by ISO 3166-1 codes: TMDb's "CA-QC" list is not
 * seeded. */
static int iso_country(const char *s)
{
	return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

/* "no rating information" is not a certification */
static int is_unrated(const char *cert)
{
	return !strcmp(cert, "NR") || !strcmp(cert, "UR");
}

static const char *cert_of(const cJSON *entry)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(entry, "certification");

	assert_true(cJSON_IsString(c));
	return c->valuestring;
}

static int order_of(const cJSON *entry)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(entry, "order");

	assert_true(cJSON_IsNumber(o));
	return o->valueint;
}

static void test_every_listed_certification_has_a_row(void **state)
{
	int listed = 0;

	(void)state;
	for (int kind = 0; kind < 2; kind++) {
		const cJSON *country;

		cJSON_ArrayForEach(country, countries_of(kind))
		{
			const cJSON *entry;

			if (!iso_country(country->string))
				continue;
			cJSON_ArrayForEach(entry, country)
			{
				const char *cert = cert_of(entry);
				int system_ok = 0, age;

				if (is_unrated(cert))
					continue;
				listed++;
				age = min_age(country->string, cert, kind, &system_ok);
				if (age < 0)
					problem("%s list: %s \"%s\" has no row", kind_name[kind],
					        country->string, cert);
				else if (!system_ok)
					problem(
					    "%s list: %s \"%s\" is not under rating_system(%s, %s)",
					    kind_name[kind], country->string, cert, country->string,
					    kind ? "true" : "false");
			}
		}
	}
	assert_true(listed > 300); /* the fixtures were read */
	finish();
}

static void test_required_countries_seeded(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(required_countries) / sizeof(required_countries[0]); i++) {
		const char *params[1] = {required_countries[i]};
		PGresult *r = PQexecParams(db,
		                           "SELECT count(*), count(*) FILTER (WHERE min_age = 0),"
		                           " max(min_age) FROM certifications WHERE country = $1",
		                           1, NULL, params, NULL, NULL, 0);

		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		if (atoi(PQgetvalue(r, 0, 0)) < 3)
			problem("%s has %s certification(s)", required_countries[i],
			        PQgetvalue(r, 0, 0));
		else if (atoi(PQgetvalue(r, 0, 1)) == 0 || atoi(PQgetvalue(r, 0, 2)) < 15)
			problem("%s lacks a general (0) or an adult rating", required_countries[i]);
		PQclear(r);
	}
	finish();
}

static void test_agreed_ages(void **state)
{
	static const struct {
		const char *country, *cert;
		int tv, age;
	} want[] = {
	    {"US", "G", 0, 0},      {"US", "PG", 0, 8},      {"US", "PG-13", 0, 13},
	    {"US", "R", 0, 17},     {"US", "NC-17", 0, 18},  {"US", "TV-Y", 1, 0},
	    {"US", "TV-Y7", 1, 7},  {"US", "TV-G", 1, 0},    {"US", "TV-PG", 1, 10},
	    {"US", "TV-14", 1, 14}, {"US", "TV-MA", 1, 17},  {"DE", "0", 0, 0},
	    {"DE", "6", 0, 6},      {"DE", "12", 0, 12},     {"DE", "16", 0, 16},
	    {"DE", "18", 1, 18},    {"GB", "U", 0, 0},       {"GB", "PG", 0, 8},
	    {"GB", "12A", 0, 12},   {"GB", "12", 0, 12},     {"GB", "15", 0, 15},
	    {"GB", "18", 0, 18},    {"GB", "R18", 0, 18},    {"FR", "U", 0, 0},
	    {"FR", "TP", 0, 0},     {"FR", "10", 1, 10},     {"FR", "12", 0, 12},
	    {"FR", "16", 0, 16},    {"FR", "18", 0, 18},     {"JP", "G", 0, 0},
	    {"JP", "PG12", 0, 12},  {"JP", "R15+", 0, 15},   {"JP", "R18+", 0, 18},
	    {"KR", "ALL", 1, 0},    {"KR", "All", 0, 0},     {"KR", "12", 0, 12},
	    {"KR", "15", 0, 15},    {"KR", "18", 0, 18},     {"KR", "Restricted Screening", 0, 18},
	    {"BR", "L", 0, 0},      {"BR", "10", 0, 10},     {"BR", "12", 0, 12},
	    {"BR", "14", 0, 14},    {"BR", "16", 0, 16},     {"BR", "18", 0, 18},
	    {"AU", "E", 0, 0},      {"AU", "G", 0, 0},       {"AU", "PG", 0, 8},
	    {"AU", "M", 0, 15},     {"AU", "MA 15+", 0, 15}, {"AU", "R 18+", 0, 18},
	    {"AU", "X 18+", 0, 18}, {"IN", "A", 0, 18},      {"AT", "14", 0, 14},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int system_ok = 0;
		int age = min_age(want[i].country, want[i].cert, want[i].tv, &system_ok);

		if (age != want[i].age)
			problem("%s \"%s\": min_age %d, want %d", want[i].country, want[i].cert,
			        age, want[i].age);
		else if (!system_ok)
			problem("%s \"%s\": wrong system", want[i].country, want[i].cert);
	}
	/* unrated is not a certification anywhere */
	{
		PGresult *r = PQexec(db, "SELECT count(*) FROM certifications"
		                         " WHERE certification IN ('NR', 'UR', '')");

		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		assert_string_equal(PQgetvalue(r, 0, 0), "0");
		PQclear(r);
	}
	finish();
}

static int excepted(int kind, const char *country, const char *cert)
{
	for (size_t i = 0; i < sizeof(monotone_exceptions) / sizeof(monotone_exceptions[0]); i++)
		if (monotone_exceptions[i].kind == kind &&
		    !strcmp(monotone_exceptions[i].country, country) &&
		    !strcmp(monotone_exceptions[i].certification, cert))
			return 1;
	return 0;
}

/* Within each country's list a certification TMDb orders later is never
 * for a younger audience. Pairs, not neighbours: TMDb repeats orders. */
static void test_monotone_with_tmdb_order(void **state)
{
	(void)state;
	for (int kind = 0; kind < 2; kind++) {
		const cJSON *country;

		cJSON_ArrayForEach(country, countries_of(kind))
		{
			const cJSON *a, *b;

			if (!iso_country(country->string))
				continue;
			cJSON_ArrayForEach(a, country)
			{
				const char *ca = cert_of(a);
				int age_a;

				if (is_unrated(ca) || excepted(kind, country->string, ca) ||
				    (age_a = min_age(country->string, ca, kind, NULL)) < 0)
					continue;
				cJSON_ArrayForEach(b, country)
				{
					const char *cb = cert_of(b);
					int age_b;

					if (order_of(b) <= order_of(a) || is_unrated(cb) ||
					    excepted(kind, country->string, cb) ||
					    (age_b = min_age(country->string, cb, kind, NULL)) < 0)
						continue;
					if (age_b < age_a)
						problem("%s list: %s \"%s\" (order %d) is %d but "
						        "\"%s\" "
						        "(order %d) is %d",
						        kind_name[kind], country->string, cb,
						        order_of(b), age_b, ca, order_of(a), age_a);
				}
			}
		}
	}
	/* each exception names a real row, so a stale one shows */
	for (size_t i = 0; i < sizeof(monotone_exceptions) / sizeof(monotone_exceptions[0]); i++)
		if (min_age(monotone_exceptions[i].country, monotone_exceptions[i].certification,
		            monotone_exceptions[i].kind, NULL) < 0)
			problem("exception %s \"%s\" (%s) names no row",
			        monotone_exceptions[i].country,
			        monotone_exceptions[i].certification, monotone_exceptions[i].why);
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_listed_certification_has_a_row),
	    cmocka_unit_test(test_required_countries_seeded),
	    cmocka_unit_test(test_agreed_ages),
	    cmocka_unit_test(test_monotone_with_tmdb_order),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
