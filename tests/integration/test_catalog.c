/*
 * The catalog read layer (app/catalog) against real PostgreSQL: for every
 * kind the kind table knows, every order walked page by page with cursors
 * while rows are inserted between pages, and with offsets; the language
 * fallbacks of titles and their sort keys; age limits and library grants;
 * and the columns the database keeps for it (min_ages, file_count, title
 * keys, catalog languages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "catalog/catalog.h"
#include "catalog/kind.h"
#include "catalog/list.h"
#include "catalog/watch.h"
#include "core/arena.h"
#include "db/db.h"
#include "testenv.h"

static PGconn *pg;
static struct db *db;
static struct arena *arena;

/* ids the fixtures use: md5 of a name, as uuids */
#define UID(name) "md5('" name "')::uuid"

static PGresult *sql(const char *q, int n, const char *const *params)
{
	PGresult *r = PQexecParams(pg, q, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		fail_msg("%s: %s", q, PQerrorMessage(pg));
	return r;
}

static void exec0(const char *q)
{
	PQclear(sql(q, 0, NULL));
}

static char *one(const char *q, int n, const char *const *params)
{
	PGresult *r = sql(q, n, params);
	char *v = PQntuples(r) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	return v;
}

static void fixtures(void)
{
	/* libraries: one open to all, one for granted users only */
	exec0("INSERT INTO libraries (id, name, type, paths, visibility) VALUES"
	      " (" UID("open") ", 'Open', 'movie', ARRAY['/srv/open'], 'all'),"
	      " (" UID("granted") ", 'Granted', 'movie', ARRAY['/srv/granted'], 'granted'),"
	      " (" UID("tv") ", 'TV', 'tvshow', ARRAY['/srv/tv'], 'all')");
	/* users: an adult, a child (12, German), one with a grant, one that
	 * hides unrated items */
	exec0("INSERT INTO users (id, username, email, password_hash) VALUES"
	      " (" UID("adult") ", 'adult', 'adult@example.com', 'x'),"
	      " (" UID("child") ", 'child', 'child@example.com', 'x'),"
	      " (" UID("granted") ", 'granted', 'granted@example.com', 'x'),"
	      " (" UID("strict") ", 'strict', 'strict@example.com', 'x')");
	exec0("INSERT INTO user_preferences (user_id, metadata_language, max_age_rating,"
	      " allow_unrated) VALUES (" UID("adult") ", NULL, NULL, true),"
	      " (" UID("child") ", 'de', 12, true), (" UID("granted") ", NULL, NULL, true),"
	      " (" UID("strict") ", NULL, 18, false)");
	exec0("INSERT INTO library_grants (user_id, library_id, level) VALUES"
	      " (" UID("granted") ", " UID("granted") ", 'view')");
	/* 60 movies: every seventh without a year or rating (NULLs sort
	 * lowest), every fifth in the granted library, ratings by i, German
	 * titles for the even ones */
	exec0("INSERT INTO movies (id, library_id, title, original_title, original_language, year,"
	      " vote_average, popularity, runtime, titles_i18n, added_at)"
	      " SELECT md5('movie' || i)::uuid, CASE WHEN i % 5 = 0 THEN " UID("granted")
	      " ELSE " UID("open") " END, 'Movie ' || lpad(i::text, 2, '0'),"
	      " 'Movie ' || lpad(i::text, 2, '0'), 'en', CASE WHEN i % 7 = 0 THEN NULL"
	      " ELSE 1950 + (i * 37) % 70 END, CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 13) % 100"
	      " / 10.0 END, (i * 17) % 60, 80 + (i * 11) % 90, CASE WHEN i % 2 = 0 THEN"
	      " jsonb_build_object('en', 'The Movie ' || lpad(i::text, 2, '0'), 'de', 'Zeta Film '"
	      " || lpad((60 - i)::text, 2, '0')) ELSE jsonb_build_object('en', 'The Movie '"
	      " || lpad(i::text, 2, '0')) END, now() - i * interval '1 hour'"
	      " FROM generate_series(1, 60) i");
	/* US ratings: i % 4 = 0 -> R (17), 1 -> PG (8), 2 -> unrated row
	 * with an unknown certification, 3 -> none at all */
	exec0("INSERT INTO movie_age_ratings (movie_id, country, system, certification, min_age)"
	      " SELECT md5('movie' || i)::uuid, 'US', 'MPAA', CASE i % 4 WHEN 0 THEN 'R'"
	      " WHEN 1 THEN 'PG' ELSE 'XYZ' END, CASE i % 4 WHEN 0 THEN 17 WHEN 1 THEN 8 END"
	      " FROM generate_series(1, 60) i WHERE i % 4 <> 3");
	/* series with seasons and episodes: series 1 rated 16, series 2 all ages */
	exec0("INSERT INTO series (id, library_id, title, original_language, year, vote_average,"
	      " popularity, titles_i18n) SELECT md5('series' || i)::uuid, " UID("tv") ","
	      " 'Show ' || i, 'en', 2000 + i, i, i, jsonb_build_object('de', 'Serie ' || (10 - i))"
	      " FROM generate_series(1, 8) i");
	exec0("INSERT INTO series_age_ratings (series_id, country, system, certification, min_age)"
	      " VALUES (md5('series1')::uuid, 'US', 'US TV', 'TV-14', 16),"
	      " (md5('series2')::uuid, 'US', 'US TV', 'TV-Y', 0)");
	exec0("INSERT INTO seasons (id, series_id, season_number, name) SELECT"
	      " md5('season' || s || '-' || n)::uuid, md5('series' || s)::uuid, n, 'Season ' || n"
	      " FROM generate_series(1, 2) s, generate_series(0, 5) n");
	exec0("INSERT INTO episodes (id, series_id, season_id, season_number, episode_number,"
	      " title, air_date) SELECT md5('ep' || s || '-' || n || '-' || e)::uuid,"
	      " md5('series' || s)::uuid, md5('season' || s || '-' || n)::uuid, n, e,"
	      " 'Episode ' || e, date '2020-01-01' + (s * 100 + n * 10 + e)"
	      " FROM generate_series(1, 2) s, generate_series(0, 5) n, generate_series(1, 6) e");
}

static int setup(void **state)
{
	(void)state;
	const char *url = testenv_new_database(NULL);
	pg = testenv_connect(url);
	db = db_new(url, 5000, 30000);
	arena = arena_new(1 << 16, 64 << 20);
	assert_non_null(db);
	assert_non_null(arena);
	fixtures();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_free(arena);
	db_free(db);
	PQfinish(pg);
	return 0;
}

struct who {
	const char *user; /* fixture name */
	bool sees_all;
	const char *lang;
};

static void viewer_params(const struct who *w, const char **p, char *uid)
{
	const char *name[] = {w->user};
	char *id = one("SELECT md5($1)::uuid", 1, name);
	strcpy(uid, id);
	free(id);
	struct viewer v = {uid, w->sees_all, w->lang, NULL};
	catalog_viewer_params(&v, p);
}

/* Every id of a shape's list, walked with cursors of `limit` rows; when
 * insert is set it runs between pages. Returns the count, ids in out. */
static int walk(const struct catalog_kind *k, int sort, bool desc, const struct who *w,
		unsigned filters, const char *const *fvals, int limit, const char *insert,
		char ids[][37], int max)
{
	const char *p[CAT_NPARAMS + CATALOG_MAX_FILTERS + 4];
	char uid[37], lim[16], key[256] = "", id[37] = "";
	int n = 0, np;
	bool after = false;

	viewer_params(w, p, uid);
	np = CAT_NPARAMS;
	for (int i = 0; i < k->nfilters; i++)
		if ((filters >> i) & 1u)
			p[np++] = fvals[i];
	snprintf(lim, sizeof(lim), "%d", limit + 1);
	for (int page = 0; page < 1000; page++) {
		struct catalog_shape s = {k, sort, desc, after, false, filters};
		const struct db_stmt *st = catalog_list_stmt(&s);
		int q = np;
		PGresult *r;
		assert_non_null(st);
		if (after) {
			p[q++] = key;
			p[q++] = id;
		}
		p[q++] = lim;
		p[q++] = "0";
		assert_int_equal(st->nparams, q);
		assert_int_equal(db_query(db, arena, st, p, &r), APP_OK);
		int rows = PQntuples(r), shown = rows > limit ? limit : rows;
		for (int i = 0; i < shown && n < max; i++)
			strcpy(ids[n++], PQgetvalue(r, i, 2));
		if (rows <= limit)
			return n;
		snprintf(key, sizeof(key), "%s", PQgetvalue(r, shown - 1, 1));
		snprintf(id, sizeof(id), "%s", PQgetvalue(r, shown - 1, 2));
		after = true;
		if (insert)
			exec0(insert);
	}
	fail_msg("the walk did not end");
	return n;
}

/* The ids the viewer sees in the reference order, straight from SQL. */
static int reference(const char *q, const struct who *w, char ids[][37], int max)
{
	const char *name[] = {w->user, w->sees_all ? "true" : "false", w->lang};
	PGresult *r = sql(q, 3, name);
	int n = PQntuples(r) < max ? PQntuples(r) : max;
	for (int i = 0; i < n; i++)
		strcpy(ids[i], PQgetvalue(r, i, 0));
	PQclear(r);
	return n;
}

/* The walked ids, without the ones inserted while walking, equal the
 * reference, and no id comes twice. */
static void same_order(char got[][37], int ngot, char want[][37], int nwant, const char *label)
{
	int j = 0;
	for (int i = 0; i < ngot; i++) {
		for (int k = 0; k < i; k++)
			if (!strcmp(got[i], got[k]))
				fail_msg("%s: %s twice", label, got[i]);
		bool inserted = true;
		for (int k = 0; k < nwant; k++)
			if (!strcmp(got[i], want[k]))
				inserted = false;
		if (inserted)
			continue;
		if (j >= nwant || strcmp(got[i], want[j]))
			fail_msg("%s: row %d is %s, want %s", label, i, got[i], j < nwant ? want[j] : "end");
		j++;
	}
	if (j != nwant)
		fail_msg("%s: %d of %d rows seen", label, j, nwant);
}

#define VISIBLE_MOVIES                                                                             \
	" FROM movies m LEFT JOIN user_preferences p ON p.user_id = md5($1)::uuid"                \
	" WHERE ($2::boolean OR m.library_id IN (SELECT l.id FROM libraries l WHERE"               \
	" l.visibility = 'all' OR EXISTS (SELECT 1 FROM library_grants g WHERE g.library_id = l.id"\
	" AND g.user_id = md5($1)::uuid))) AND (p.max_age_rating IS NULL OR coalesce((SELECT"      \
	" rating_min_age(a.certification, a.min_age) FROM movie_age_ratings a"                     \
	" WHERE a.movie_id = m.id AND a.country = 'US'),"                                          \
	" CASE WHEN p.allow_unrated THEN 0 ELSE 99 END) <= p.max_age_rating) AND $3::text IS NULL"

static void movies_every_order_with_inserts(void **state)
{
	(void)state;
	static const struct {
		const char *sort, *expr;
	} orders[] = {
	    {"title", "rv_sort_title(coalesce(nullif(m.titles_i18n->>coalesce(p.metadata_language,"
		      " 'en'), ''), nullif(m.titles_i18n->>'en', ''), m.original_title, m.title))"},
	    {"year", "coalesce(m.year, 0)"},
	    {"added", "m.added_at"},
	    {"rating", "coalesce(m.vote_average, -1)"},
	    {"popularity", "coalesce(m.popularity, -1)"},
	    {"runtime", "coalesce(m.runtime, 0)"},
	};
	const struct who viewers[] = {{"adult", false, NULL}, {"child", false, NULL},
				      {"granted", false, NULL}, {"strict", false, NULL},
				      {"adult", true, NULL}};
	static char got[200][37], want[200][37];
	char q[2048], ins[512];
	int serial = 0;

	for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); o++)
		for (int d = 0; d < 2; d++)
			for (size_t v = 0; v < sizeof(viewers) / sizeof(viewers[0]); v++) {
				int sort = catalog_sort_index(&catalog_movie, orders[o].sort);
				assert_true(sort >= 0);
				snprintf(q, sizeof(q), "SELECT m.id" VISIBLE_MOVIES " ORDER BY %s %s, m.id %s",
					 orders[o].expr, d ? "DESC" : "ASC", d ? "DESC" : "ASC");
				int nwant = reference(q, &viewers[v], want, 200);
				/* a row inserted between pages, in the open library */
				snprintf(ins, sizeof(ins),
					 "INSERT INTO movies (id, library_id, title, original_language, year,"
					 " vote_average, popularity, runtime) VALUES (md5('ins%d-' ||"
					 " clock_timestamp())::uuid, " UID("open") ", 'Inserted %d', 'en',"
					 " 1990, 5, 30, 100)",
					 serial, serial);
				serial++;
				int ngot = walk(&catalog_movie, sort, d, &viewers[v], 0, NULL, 7, ins, got, 200);
				char label[96];
				snprintf(label, sizeof(label), "movies %s %s as %s%s", orders[o].sort,
					 d ? "desc" : "asc", viewers[v].user, viewers[v].sees_all ? " (all)" : "");
				same_order(got, ngot, want, nwant, label);
				assert_true(nwant > 5);
				exec0("DELETE FROM movies WHERE title LIKE 'Inserted %'");
			}
}

static void movies_offsets_and_counts(void **state)
{
	(void)state;
	const struct who w = {"child", false, NULL};
	const char *p[CAT_NPARAMS + 2];
	char uid[37], off[16];
	static char want[200][37];
	char q[1024];
	int sort = catalog_sort_index(&catalog_movie, "year");

	snprintf(q, sizeof(q), "SELECT m.id" VISIBLE_MOVIES " ORDER BY coalesce(m.year, 0), m.id");
	int nwant = reference(q, &w, want, 200);
	viewer_params(&w, p, uid);
	struct catalog_shape s = {&catalog_movie, sort, false, false, true, 0};
	const struct db_stmt *list = catalog_list_stmt(&s), *count = catalog_count_stmt(&s);
	assert_true(list->custom_plan && count->custom_plan);
	PGresult *r;
	assert_int_equal(db_query(db, arena, count, p, &r), APP_OK);
	assert_int_equal(atoi(PQgetvalue(r, 0, 0)), nwant);
	for (int start = 0; start < nwant; start += 4) {
		snprintf(off, sizeof(off), "%d", start);
		p[CAT_NPARAMS] = "4";
		p[CAT_NPARAMS + 1] = off;
		assert_int_equal(db_query(db, arena, list, p, &r), APP_OK);
		for (int i = 0; i < PQntuples(r); i++)
			assert_string_equal(PQgetvalue(r, i, 2), want[start + i]);
	}
}

/* The item json of movie i as viewer w sees it in a title-ordered list. */
static void titles_in(const struct who *w, char titles[][64], int max)
{
	const char *p[CAT_NPARAMS + 2];
	char uid[37];
	struct catalog_shape s = {&catalog_movie, catalog_sort_index(&catalog_movie, "title"), false,
				  false, false, 0};
	PGresult *r;

	viewer_params(w, p, uid);
	p[CAT_NPARAMS] = "200";
	p[CAT_NPARAMS + 1] = "0";
	assert_int_equal(db_query(db, arena, catalog_list_stmt(&s), p, &r), APP_OK);
	for (int i = 0; i < PQntuples(r) && i < max; i++) {
		cJSON *j = cJSON_Parse(PQgetvalue(r, i, 0));
		assert_non_null(j);
		snprintf(titles[i], 64, "%s", cJSON_GetObjectItem(j, "title")->valuestring);
		cJSON_Delete(j);
	}
}

static void language_fallbacks_and_title_keys(void **state)
{
	(void)state;
	static char de[60][64], en[60][64], xx[60][64];
	const struct who adult_en = {"adult", true, NULL}, adult_de = {"adult", true, "de"},
			 adult_it = {"adult", true, "it"};

	titles_in(&adult_en, en, 60);
	titles_in(&adult_de, de, 60);
	titles_in(&adult_it, xx, 60);
	/* English: "The" is not a sort word; Movie 01 first */
	assert_string_equal(en[0], "The Movie 01");
	/* German: the German titles where there are (odd movies fall back
	 * to English), sorted by the German key: "The Movie 01" (m) before
	 * "Zeta Film 02" (z) */
	assert_string_equal(de[0], "The Movie 01");
	int first_zeta = -1;
	for (int i = 0; i < 60; i++)
		if (!strncmp(de[i], "Zeta Film", 9)) {
			first_zeta = i;
			break;
		}
	assert_true(first_zeta > 20);
	assert_string_equal(de[first_zeta], "Zeta Film 00");
	/* a language the catalog keeps no keys for sorts and shows English */
	for (int i = 0; i < 10; i++)
		assert_string_equal(xx[i], en[i]);
	/* a new language: its keys are made for every item */
	const char *langs[] = {"{it}"};
	char *added = one("SELECT catalog_languages_sync($1::text[])", 1, langs);
	assert_string_equal(added, "1");
	free(added);
	char *keys = one("SELECT count(*) FROM catalog_titles WHERE lang = 'it'", 0, NULL);
	char *items = one("SELECT (SELECT count(*) FROM movies) + (SELECT count(*) FROM series)", 0, NULL);
	assert_string_equal(keys, items);
	free(keys);
	free(items);
	/* an edited title moves its key */
	exec0("UPDATE movies SET titles_i18n = titles_i18n || '{\"de\": \"Aardvark\"}' WHERE id ="
	      " md5('movie2')::uuid");
	titles_in(&adult_de, de, 60);
	assert_string_equal(de[0], "Aardvark");
	exec0("DELETE FROM catalog_languages WHERE lang = 'it'");
	exec0("DELETE FROM catalog_titles WHERE lang = 'it'");
}

static bool listed(const struct catalog_kind *k, const struct who *w, const char *id_sql)
{
	static char got[400][37];
	char *id = one(id_sql, 0, NULL);
	int n = walk(k, k->default_sort, false, w, 0, NULL, 50, NULL, got, 400);
	bool found = false;
	for (int i = 0; i < n; i++)
		if (!strcmp(got[i], id))
			found = true;
	free(id);
	return found;
}

static void age_limits_and_grants_for_every_kind(void **state)
{
	(void)state;
	const struct who adult = {"adult", false, NULL}, child = {"child", false, NULL},
			 granted = {"granted", false, NULL}, strict = {"strict", false, NULL},
			 admin = {"adult", true, NULL};

	/* movies: R (17) hidden from the child; the granted library only for
	 * the grant and the admin; unrated hidden from strict (movie 3 has
	 * no rating; movie 2 an unknown certification, which counts as the
	 * strictest age, 21: hidden from both limits, issue 14 item 5) */
	assert_true(listed(&catalog_movie, &adult, "SELECT md5('movie4')::uuid"));
	assert_false(listed(&catalog_movie, &child, "SELECT md5('movie4')::uuid"));
	assert_true(listed(&catalog_movie, &child, "SELECT md5('movie1')::uuid"));
	assert_false(listed(&catalog_movie, &adult, "SELECT md5('movie5')::uuid"));
	assert_true(listed(&catalog_movie, &granted, "SELECT md5('movie5')::uuid"));
	assert_true(listed(&catalog_movie, &admin, "SELECT md5('movie5')::uuid"));
	assert_false(listed(&catalog_movie, &strict, "SELECT md5('movie2')::uuid"));
	assert_false(listed(&catalog_movie, &strict, "SELECT md5('movie3')::uuid"));
	assert_false(listed(&catalog_movie, &child, "SELECT md5('movie2')::uuid"));
	assert_true(listed(&catalog_movie, &child, "SELECT md5('movie3')::uuid"));
	assert_true(listed(&catalog_movie, &adult, "SELECT md5('movie2')::uuid"));
	assert_true(listed(&catalog_movie, &strict, "SELECT md5('movie4')::uuid"));
	/* series 1 is 16+: it, its seasons and its episodes are gone for the child */
	assert_false(listed(&catalog_series, &child, "SELECT md5('series1')::uuid"));
	assert_true(listed(&catalog_series, &child, "SELECT md5('series2')::uuid"));
	assert_false(listed(&catalog_season, &child, "SELECT md5('season1-1')::uuid"));
	assert_true(listed(&catalog_season, &child, "SELECT md5('season2-1')::uuid"));
	assert_false(listed(&catalog_episode, &child, "SELECT md5('ep1-1-1')::uuid"));
	assert_true(listed(&catalog_episode, &child, "SELECT md5('ep2-1-1')::uuid"));
	assert_true(listed(&catalog_episode, &adult, "SELECT md5('ep1-1-1')::uuid"));
	/* a restricted TV library hides series, seasons and episodes alike */
	exec0("UPDATE libraries SET visibility = 'granted' WHERE id = " UID("tv"));
	assert_false(listed(&catalog_series, &adult, "SELECT md5('series2')::uuid"));
	assert_false(listed(&catalog_season, &adult, "SELECT md5('season2-1')::uuid"));
	assert_false(listed(&catalog_episode, &adult, "SELECT md5('ep2-1-1')::uuid"));
	assert_true(listed(&catalog_episode, &admin, "SELECT md5('ep2-1-1')::uuid"));
	exec0("UPDATE libraries SET visibility = 'all' WHERE id = " UID("tv"));
}

static void tv_kinds_in_every_order(void **state)
{
	(void)state;
	const struct catalog_kind *kinds[] = {&catalog_series, &catalog_season, &catalog_episode};
	const struct who w = {"adult", false, NULL};
	static char got[400][37], want[400][37];
	const char *tables[] = {"series", "seasons", "episodes"};
	char q[1024];

	for (int k = 0; k < 3; k++)
		for (int s = 0; s < kinds[k]->nsorts; s++)
			for (int d = 0; d < 2; d++) {
				const char *key = kinds[k]->sorts[s].key;
				if (!strcmp(kinds[k]->sorts[s].name, "title"))
					key = "(SELECT t.key FROM catalog_titles t WHERE t.item_id = m.id"
					      " AND t.lang = 'en')";
				snprintf(q, sizeof(q),
					 "SELECT m.id FROM %s m WHERE $3::text IS NULL AND $2::text IS NOT NULL"
					 " AND $1::text IS NOT NULL ORDER BY %s %s, m.id %s",
					 tables[k], key, d ? "DESC" : "ASC", d ? "DESC" : "ASC");
				int nwant = reference(q, &w, want, 400);
				int ngot = walk(kinds[k], s, d, &w, 0, NULL, 5, NULL, got, 400);
				char label[64];
				snprintf(label, sizeof(label), "%s %s %d", kinds[k]->name,
					 kinds[k]->sorts[s].name, d);
				same_order(got, ngot, want, nwant, label);
			}
	/* the episodes of one season (a filter) */
	const char *fv[] = {NULL, "00000000-0000-0000-0000-000000000000", NULL, NULL};
	char *season = one("SELECT md5('season2-3')::uuid", 0, NULL);
	fv[1] = season;
	int n = walk(&catalog_episode, 0, false, &w, 1u << 1, fv, 4, NULL, got, 400);
	assert_int_equal(n, 6);
	free(season);
}

static void kept_columns_follow_their_sources(void **state)
{
	(void)state;
	char *v = one("SELECT min_ages::text FROM movies WHERE id = md5('movie4')::uuid", 0, NULL);
	assert_string_equal(v, "{\"US\": 17}");
	free(v);
	exec0("UPDATE movie_age_ratings SET min_age = 12, certification = 'PG-13' WHERE movie_id ="
	      " md5('movie4')::uuid");
	v = one("SELECT min_ages->>'US' FROM movies WHERE id = md5('movie4')::uuid", 0, NULL);
	assert_string_equal(v, "12");
	free(v);
	exec0("DELETE FROM movie_age_ratings WHERE movie_id = md5('movie4')::uuid");
	v = one("SELECT min_ages::text FROM movies WHERE id = md5('movie4')::uuid", 0, NULL);
	assert_string_equal(v, "{}");
	free(v);
	/* one trigger function serves every kind (migration 0011): series
	 * ratings inserted, moved to another series and deleted */
	v = one("SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_trigger t JOIN pg_proc p"
		" ON p.oid = t.tgfoid WHERE t.tgname ~ '^(movie|series)_ages_(ins|upd|del)$'", 0, NULL);
	assert_string_equal(v, "catalog_min_ages_sync,catalog_min_ages_sync,catalog_min_ages_sync,"
			       "catalog_min_ages_sync,catalog_min_ages_sync,catalog_min_ages_sync");
	free(v);
	exec0("INSERT INTO series_age_ratings (series_id, country, system, certification, min_age)"
	      " VALUES (md5('series3')::uuid, 'DE', 'FSK', '12', 12),"
	      " (md5('series3')::uuid, 'US', 'US TV', 'TV-?', NULL)");
	/* an unknown certification counts as the strictest age (0012) */
	v = one("SELECT min_ages::text FROM series WHERE id = md5('series3')::uuid", 0, NULL);
	assert_string_equal(v, "{\"DE\": 12, \"US\": 21}");
	free(v);
	exec0("UPDATE series_age_ratings SET series_id = md5('series4')::uuid WHERE series_id ="
	      " md5('series3')::uuid AND country = 'DE'");
	v = one("SELECT string_agg(min_ages::text, ';' ORDER BY title) FROM series WHERE id IN"
		" (md5('series3')::uuid, md5('series4')::uuid)", 0, NULL);
	assert_string_equal(v, "{\"US\": 21};{\"DE\": 12}");
	free(v);
	exec0("DELETE FROM series_age_ratings WHERE series_id = md5('series4')::uuid");
	v = one("SELECT min_ages::text FROM series WHERE id = md5('series4')::uuid", 0, NULL);
	assert_string_equal(v, "{}");
	free(v);
	v = one("SELECT min_ages::text FROM series WHERE id = md5('series1')::uuid", 0, NULL);
	assert_string_equal(v, "{\"US\": 16}");
	free(v);
	/* file_count: present files only, following moves and state */
	exec0("INSERT INTO media_files (id, library_id, path, rel_path, size, mtime_ns, movie_id)"
	      " VALUES (md5('f1')::uuid, " UID("open") ", '/srv/open/a.mkv', 'a.mkv', 1, 1,"
	      " md5('movie1')::uuid), (md5('f2')::uuid, " UID("open") ", '/srv/open/b.mkv', 'b.mkv',"
	      " 1, 1, md5('movie1')::uuid)");
	v = one("SELECT file_count FROM movies WHERE id = md5('movie1')::uuid", 0, NULL);
	assert_string_equal(v, "2");
	free(v);
	exec0("UPDATE media_files SET state = 'missing' WHERE id = md5('f1')::uuid");
	exec0("UPDATE media_files SET movie_id = md5('movie3')::uuid WHERE id = md5('f2')::uuid");
	v = one("SELECT string_agg(file_count::text, ',' ORDER BY title) FROM movies WHERE id IN"
		" (md5('movie1')::uuid, md5('movie3')::uuid)",
		0, NULL);
	assert_string_equal(v, "0,1");
	free(v);
	exec0("DELETE FROM media_files");
	v = one("SELECT sum(file_count) FROM movies", 0, NULL);
	assert_string_equal(v, "0");
	free(v);
	/* a deleted item takes its title keys along */
	exec0("DELETE FROM movies WHERE id = md5('movie59')::uuid");
	v = one("SELECT count(*) FROM catalog_titles WHERE item_id = md5('movie59')::uuid", 0, NULL);
	assert_string_equal(v, "0");
	free(v);
}

/* The count of an unfiltered offset page comes from catalog_counts
 * (migration 0016); it equals the rows each viewer sees, counted one by
 * one, for both kinds that keep counts. */
static void counts_equal_rows(const char *when)
{
	const struct who viewers[] = {{"adult", false, NULL}, {"child", false, NULL},
				      {"granted", false, NULL}, {"strict", false, NULL},
				      {"adult", true, NULL}};
	const struct catalog_kind *kinds[] = {&catalog_movie, &catalog_series};
	for (size_t k = 0; k < 2; k++)
		for (size_t w = 0; w < sizeof(viewers) / sizeof(viewers[0]); w++) {
			const char *p[CAT_NPARAMS];
			char uid[37], q[4096];
			struct catalog_shape s = {kinds[k], 0, false, false, true, 0};
			PGresult *r;
			viewer_params(&viewers[w], p, uid);
			assert_int_equal(db_query(db, arena, catalog_count_stmt(&s), p, &r), APP_OK);
			snprintf(q, sizeof(q), "%s SELECT count(*) FROM v, %s WHERE " CAT_VISIBLE("%s", "%s"),
				 CAT_VIEW_CTE, kinds[k]->from, kinds[k]->library, kinds[k]->ages);
			char *want = one(q, CAT_NPARAMS, p);
			if (strcmp(PQgetvalue(r, 0, 0), want) != 0)
				fail_msg("%s: %s as %s%s counts %s, its rows are %s", when, kinds[k]->name,
					 viewers[w].user, viewers[w].sees_all ? " (all)" : "",
					 PQgetvalue(r, 0, 0), want);
			free(want);
		}
}

static void kept_counts_follow_every_change(void **state)
{
	(void)state;
	counts_equal_rows("at first");
	/* one statement a movie: more than 64 rows of deltas, so writers fold */
	for (int i = 0; i < 60; i++) {
		char q[512];
		snprintf(q, sizeof(q),
			 "INSERT INTO movies (id, library_id, title, original_language) VALUES"
			 " (md5('counted%d')::uuid, %s, 'Counted %d', 'en')",
			 i, i % 3 ? UID("open") : UID("granted"), i);
		exec0(q);
		snprintf(q, sizeof(q),
			 "INSERT INTO movie_age_ratings (movie_id, country, system, certification,"
			 " min_age) VALUES (md5('counted%d')::uuid, 'US', 'MPAA', 'R', %d)",
			 i, i % 2 ? 17 : 6);
		exec0(q);
	}
	counts_equal_rows("after inserts");
	char *v = one("SELECT count(*) <= 64 FROM catalog_counts WHERE kind = 'movie' AND"
		      " library_id = " UID("open"),
		      0, NULL);
	assert_string_equal(v, "t");
	free(v);
	exec0("UPDATE movie_age_ratings SET min_age = 13 WHERE movie_id IN (SELECT md5('counted'"
	      " || i)::uuid FROM generate_series(0, 59, 4) i)");
	counts_equal_rows("after age changes");
	exec0("UPDATE movies SET library_id = " UID("granted") " WHERE id IN (SELECT md5('counted'"
	      " || i)::uuid FROM generate_series(1, 59, 5) i)");
	exec0("UPDATE movies SET popularity = 5 WHERE library_id = " UID("open"));
	counts_equal_rows("after moves");
	exec0("UPDATE series_age_ratings SET min_age = 18 WHERE series_id = md5('series2')::uuid");
	exec0("DELETE FROM series WHERE id = md5('series8')::uuid");
	exec0("DELETE FROM movies WHERE id IN (SELECT md5('counted' || i)::uuid FROM"
	      " generate_series(0, 59) i)");
	counts_equal_rows("after deletes");
}

/* Every GIN index reads without a pending list (migration 0015): a new
 * search index created with the default fastupdate would make each search
 * scan the rows written since the last vacuum. */
static void gin_indexes_have_no_pending_list(void **state)
{
	(void)state;
	char *v = one("SELECT (count(*) >= 5) || ':' || coalesce(string_agg(c.relname, ','"
		      " ORDER BY c.relname) FILTER (WHERE NOT coalesce(c.reloptions @>"
		      " '{fastupdate=off}', false)), '') FROM pg_class c JOIN pg_am a ON a.oid ="
		      " c.relam JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.amname = 'gin'"
		      " AND n.nspname = 'public'",
		      0, NULL);
	/* at least the movies' three search indexes, people's names and
	 * search_words; after the colon, those that still have a pending list */
	assert_string_equal(v, "true:");
	free(v);
}

/* The watch state's domain calls (catalog/watch.h) through the kind table,
 * with no request: a play counts once when a report crosses 90 %, a
 * position past the end is stored as the end, mark and unmark leave
 * history events, reset keeps the plays; a kind without a watch table is
 * refused and leaves no transaction open. */
static void watch_state_through_the_kind_table(void **state)
{
	char uid[37], mid[37];
	(void)state;

	char *u = one("SELECT " UID("adult") "::text", 0, NULL);
	char *m = one("SELECT md5('movie3')::uuid::text", 0, NULL);
	snprintf(uid, sizeof(uid), "%s", u);
	snprintf(mid, sizeof(mid), "%s", m);
	free(u);
	free(m);
	const char *p[] = {uid, mid};
#define ROW "SELECT position_seconds || '/' || coalesce(duration_seconds, 0) || '/' || watched" \
	    " || '/' || play_count FROM movie_watch WHERE user_id = $1::uuid AND movie_id = $2::uuid"
#define EVENTS "SELECT string_agg(event, ',' ORDER BY id) FROM movie_watch_history" \
	       " WHERE user_id = $1::uuid AND movie_id = $2::uuid"
	char *got;

	assert_int_equal(catalog_watch_report(db, arena, &catalog_movie, uid, mid, 100, 1000), APP_OK);
	assert_string_equal(got = one(ROW, 2, p), "100/1000/false/0");
	free(got);
	assert_int_equal(catalog_watch_report(db, arena, &catalog_movie, uid, mid, 950, 1000), APP_OK);
	assert_string_equal(got = one(ROW, 2, p), "950/1000/true/1");
	free(got);
	/* above the line again: not another play */
	assert_int_equal(catalog_watch_report(db, arena, &catalog_movie, uid, mid, 990, 1000), APP_OK);
	assert_string_equal(got = one(ROW, 2, p), "990/1000/true/1");
	free(got);
	/* back under it and across again: a second play; past the end: the end */
	assert_int_equal(catalog_watch_report(db, arena, &catalog_movie, uid, mid, 10, 1000), APP_OK);
	assert_int_equal(catalog_watch_report(db, arena, &catalog_movie, uid, mid, 5000, 1000), APP_OK);
	assert_string_equal(got = one(ROW, 2, p), "1000/1000/true/2");
	free(got);
	assert_int_equal(catalog_watch_reset(db, arena, &catalog_movie, uid, mid), APP_OK);
	assert_string_equal(got = one(ROW, 2, p), "0/1000/true/2");
	free(got);
	assert_int_equal(catalog_watch_set(db, arena, &catalog_movie, uid, mid, false), APP_OK);
	assert_string_equal(got = one(ROW, 2, p), "0/1000/false/0");
	free(got);
	assert_int_equal(catalog_watch_set(db, arena, &catalog_movie, uid, mid, true), APP_OK);
	assert_string_equal(got = one(ROW, 2, p), "0/1000/true/1");
	free(got);
	assert_string_equal(got = one(EVENTS, 2, p), "completed,completed,unmarked,marked");
	free(got);

	/* episodes keep their own state (migration 0021), with their series
	 * copied in; a movie id is no episode */
	char *eid = one("SELECT id FROM episodes ORDER BY id LIMIT 1", 0, NULL);
	const char *ep[] = {uid, eid};
	assert_int_equal(catalog_watch_report(db, arena, &catalog_episode, uid, eid, 950, 1000),
			 APP_OK);
	assert_string_equal(got = one("SELECT w.position_seconds || '/' || w.watched || '/'"
				      " || w.play_count || '/' || (w.series_id = e.series_id)"
				      " FROM episode_watch w JOIN episodes e ON e.id = w.episode_id"
				      " WHERE w.user_id = $1::uuid AND w.episode_id = $2::uuid", 2, ep),
			    "950/true/1/true");
	free(got);
	assert_int_equal(catalog_watch_set(db, arena, &catalog_episode, uid, eid, false), APP_OK);
	assert_string_equal(got = one("SELECT string_agg(event, ',' ORDER BY id) FROM"
				      " episode_watch_history WHERE user_id = $1::uuid AND"
				      " episode_id = $2::uuid", 2, ep),
			    "completed,unmarked");
	free(got);
	assert_int_not_equal(catalog_watch_report(db, arena, &catalog_episode, uid, mid, 1, 10),
			     APP_OK);
	free(eid);
	assert_int_equal(catalog_watch_report(db, arena, &catalog_movie, uid, mid, 20, 1000), APP_OK);
	assert_string_equal(got = one(ROW, 2, p), "20/1000/true/1");
	free(got);
#undef ROW
#undef EVENTS
}

/* Offset and cursor pages whose walk is capped by a constant (the shape's
 * rows, as requests build them) list exactly what the parameter-only
 * shape lists, in every order and both directions, and their unfiltered
 * count keeps one generic plan. */
static void capped_walks_list_the_same(void **state)
{
	(void)state;
	const struct who w = {"strict", false, "de"};
	const char *p[CAT_NPARAMS + 2];
	char uid[37], off[16];

	viewer_params(&w, p, uid);
	for (int sort = 0; sort < catalog_movie.nsorts; sort++)
		for (int desc = 0; desc < 2; desc++)
			for (int start = 0; start < 70; start += 9) {
				struct catalog_shape plain = {&catalog_movie, sort, desc, false, true, 0, 0};
				struct catalog_shape capped = plain;
				capped.rows = start + 4 <= 64 ? 64 : 128;
				const struct db_stmt *a = catalog_list_stmt(&plain);
				const struct db_stmt *b = catalog_list_stmt(&capped);
				PGresult *ra, *rb;
				assert_false(b->custom_plan);
				snprintf(off, sizeof(off), "%d", start);
				p[CAT_NPARAMS] = "4";
				p[CAT_NPARAMS + 1] = off;
				assert_int_equal(db_query(db, arena, a, p, &ra), APP_OK);
				assert_int_equal(db_query(db, arena, b, p, &rb), APP_OK);
				assert_int_equal(PQntuples(ra), PQntuples(rb));
				for (int i = 0; i < PQntuples(ra); i++) {
					assert_string_equal(PQgetvalue(ra, i, 2), PQgetvalue(rb, i, 2));
					assert_string_equal(PQgetvalue(ra, i, 0), PQgetvalue(rb, i, 0));
				}
			}
	struct catalog_shape counted = {&catalog_movie, 0, false, false, true, 0, 64};
	assert_false(catalog_count_stmt(&counted)->custom_plan);
	counted.filters = 1u << 2; /* year_min: counts its rows */
	assert_true(catalog_count_stmt(&counted)->custom_plan);
}

/* movies.genre_ids and series.genre_ids (migration 0018) against their
 * link tables, and the genre filter through them by id, name and a
 * translated name, against the link table. */
static void genre_ids_follow_links(void **state)
{
	(void)state;
	const struct who w = {"adult", true, NULL};
	static char got[100][37], want[100][37];
	const char *kept = "SELECT (SELECT count(*) FROM movies m WHERE m.genre_ids IS DISTINCT FROM"
			   " ARRAY(SELECT genre_id FROM movie_genres g WHERE g.movie_id = m.id ORDER BY 1))"
			   " + (SELECT count(*) FROM series s WHERE s.genre_ids IS DISTINCT FROM"
			   " ARRAY(SELECT genre_id FROM series_genres g WHERE g.series_id = s.id ORDER BY 1))";
	char *v;

	exec0("INSERT INTO genres (kind, tmdb_id, name, names_i18n) VALUES ('movie', 18, 'Drama',"
	      " '{\"de\": \"Drama\"}'), ('movie', 35, 'Comedy', '{\"de\": \"Komödie\"}'),"
	      " ('tv', 10765, 'Sci-Fi & Fantasy', '{}')");
	exec0("INSERT INTO movie_genres (movie_id, genre_id) SELECT md5('movie' || i)::uuid, g.id"
	      " FROM generate_series(1, 58) i, genres g WHERE g.kind = 'movie' AND (i % 3 = 0 AND"
	      " g.tmdb_id = 18 OR i % 4 = 0 AND g.tmdb_id = 35)");
	exec0("INSERT INTO series_genres (series_id, genre_id) SELECT md5('series' || i)::uuid, g.id"
	      " FROM generate_series(1, 4) i, genres g WHERE g.kind = 'tv'");
	v = one(kept, 0, NULL);
	assert_string_equal(v, "0");
	free(v);
	v = one("SELECT count(*) FROM movies WHERE cardinality(genre_ids) = 2", 0, NULL);
	assert_string_equal(v, "4"); /* 12, 24, 36, 48 */
	free(v);
	/* the store rewrites an item's genres as a whole; a genre goes */
	exec0("DELETE FROM movie_genres WHERE movie_id = md5('movie12')::uuid");
	exec0("INSERT INTO movie_genres (movie_id, genre_id) SELECT md5('movie12')::uuid, id FROM"
	      " genres WHERE tmdb_id = 35");
	exec0("UPDATE movie_genres SET movie_id = md5('movie13')::uuid WHERE movie_id ="
	      " md5('movie15')::uuid");
	v = one(kept, 0, NULL);
	assert_string_equal(v, "0");
	free(v);
	const char *names[] = {"Komödie", "comedy", NULL};
	for (int i = 0; names[i]; i++) {
		const char *fv[CATALOG_MAX_FILTERS] = {0};
		fv[1] = names[i];
		int ngot = walk(&catalog_movie, 0, false, &w, 1u << 1, fv, 7, NULL, got, 100);
		int nwant = reference("SELECT m.id FROM movies m JOIN catalog_titles t ON t.item_id = m.id"
				      " AND t.lang = 'en' WHERE EXISTS (SELECT 1 FROM movie_genres mg JOIN genres"
				      " g ON g.id = mg.genre_id WHERE mg.movie_id = m.id AND g.tmdb_id = 35)"
				      " AND $1::text = 'adult' AND $2::boolean AND $3::text IS NULL"
				      " ORDER BY t.key, t.item_id", &w, want, 100);
		assert_true(nwant >= 14);
		same_order(got, ngot, want, nwant, names[i]);
	}
	exec0("DELETE FROM genres WHERE tmdb_id = 18");
	v = one(kept, 0, NULL);
	assert_string_equal(v, "0");
	free(v);
	v = one("SELECT count(*) FROM series WHERE cardinality(genre_ids) = 1", 0, NULL);
	assert_string_equal(v, "4");
	free(v);
}

/* Past CATALOG_MAX_SHAPES kept shapes, a new one is built for the request
 * alone, sent with its values, and lists what a kept one lists. */
static void shapes_past_the_limit_are_built_per_request(void **state)
{
	(void)state;
	const struct who w = {"adult", true, NULL};
	const char *p[CAT_NPARAMS + 2];
	char uid[37];
	PGresult *ra, *rb;

	for (int rows = 2; rows < CATALOG_MAX_SHAPES + 4; rows++) {
		struct catalog_shape s = {&catalog_movie, 1, false, false, false, 0, rows};
		assert_non_null(catalog_list_stmt(&s));
	}
	struct catalog_shape kept = {&catalog_movie, 1, false, false, false, 0, 64};
	struct catalog_shape fresh = {&catalog_movie, 1, false, false, false, 1u << 6, 64};
	const struct db_stmt *a = catalog_list_stmt_in(&kept, false, arena);
	const struct db_stmt *b = catalog_list_stmt_in(&fresh, false, arena);
	assert_ptr_equal(a, catalog_list_stmt(&kept));
	assert_false(a->custom_plan);
	assert_true(b->custom_plan);
	assert_string_equal(b->name, "catalog_one_off");
	/* has_file=false: no fixture movie has a file now, so both list all */
	viewer_params(&w, p, uid);
	const char *pb[CAT_NPARAMS + 3];
	memcpy(pb, p, sizeof(p[0]) * CAT_NPARAMS);
	pb[CAT_NPARAMS] = "false";
	pb[CAT_NPARAMS + 1] = "20";
	pb[CAT_NPARAMS + 2] = "0";
	p[CAT_NPARAMS] = "20";
	p[CAT_NPARAMS + 1] = "0";
	assert_int_equal(db_query(db, arena, a, p, &ra), APP_OK);
	assert_int_equal(db_query(db, arena, b, pb, &rb), APP_OK);
	assert_int_equal(PQntuples(ra), 20);
	assert_int_equal(PQntuples(rb), 20);
	for (int i = 0; i < 20; i++)
		assert_string_equal(PQgetvalue(ra, i, 2), PQgetvalue(rb, i, 2));
}

/* Cards (migration 0017) that are missing or differ from what
 * rv_movie_card renders now, plus cards of movies that are gone. */
static int stale_cards(void)
{
	char *v = one("SELECT (SELECT count(*) FROM movies m CROSS JOIN catalog_languages l"
		      " LEFT JOIN catalog_cards c ON c.item_id = m.id AND c.lang = l.lang"
		      " WHERE c.card IS DISTINCT FROM rv_movie_card(m, l.lang)) + (SELECT count(*)"
		      " FROM catalog_cards c WHERE NOT EXISTS (SELECT 1 FROM movies m"
		      " WHERE m.id = c.item_id))", 0, NULL);
	int n = atoi(v);
	free(v);
	return n;
}

/* The list item of movie `name` (a fixture name) for viewer w: the
 * first page of 200 in title order, found by id; malloc'd. */
static char *item_of(const struct who *w, const char *name, int rows)
{
	const char *p[CAT_NPARAMS + 2];
	char uid[37], *out = NULL;
	struct catalog_shape s = {&catalog_movie, catalog_sort_index(&catalog_movie, "title"), false,
				  false, false, 0, rows};
	const char *nm[] = {name};
	char *id = one("SELECT md5($1)::uuid::text", 1, nm);
	PGresult *r;

	viewer_params(w, p, uid);
	p[CAT_NPARAMS] = "200";
	p[CAT_NPARAMS + 1] = "0";
	assert_int_equal(db_query(db, arena, catalog_list_stmt(&s), p, &r), APP_OK);
	for (int i = 0; i < PQntuples(r); i++)
		if (!strcmp(PQgetvalue(r, i, 2), id))
			out = strdup(PQgetvalue(r, i, 0));
	free(id);
	return out;
}

static void cards_follow_every_change(void **state)
{
	(void)state;
	const struct who adult = {"adult", false, NULL}, adult_de = {"adult", false, "de"},
			 adult_pt = {"adult", false, "pt"};
	char *v, *a, *b;
	cJSON *j;

	assert_int_equal(stale_cards(), 0);
	/* the item is the card, file_count, user_data and the brace: valid
	 * JSON with the members in the order they always had */
	a = item_of(&adult_de, "movie2", 201);
	assert_non_null(a);
	j = cJSON_Parse(a);
	assert_non_null(j);
	v = one("SELECT rv_title_in(titles_i18n, 'de', original_language, original_title, title)"
		" FROM movies WHERE id = md5('movie2')::uuid", 0, NULL);
	assert_string_equal(cJSON_GetObjectItem(j, "title")->valuestring, v);
	free(v);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "user_data")));
	assert_non_null(cJSON_GetObjectItem(j, "file_count"));
	assert_string_equal(j->child->string, "id");
	cJSON_Delete(j);
	assert_non_null(strstr(a, "\"added_at\" : \""));
	assert_non_null(strstr(a, ", \"file_count\" : 0, \"user_data\" : null}"));
	/* the parameter LIMIT shape and the constant one list the same */
	b = item_of(&adult_de, "movie2", 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* a language without cards renders the same text at read time as
	 * the English card (its fallback chain) */
	a = item_of(&adult, "movie2", 201);
	b = item_of(&adult_pt, "movie2", 201);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
	v = one("SELECT count(*) FROM catalog_cards WHERE lang = 'pt'", 0, NULL);
	assert_string_equal(v, "0");
	free(v);
	/* watch state is the viewer's, spliced in */
	exec0("INSERT INTO movie_watch (user_id, movie_id, position_seconds, watched, play_count)"
	      " VALUES (" UID("adult") ", md5('movie2')::uuid, 42, false, 1)");
	a = item_of(&adult, "movie2", 201);
	j = cJSON_Parse(a);
	assert_non_null(j);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "user_data"),
					     "position_seconds")->valueint, 42);
	cJSON_Delete(j);
	free(a);
	exec0("DELETE FROM movie_watch");
	/* a shown column changes: the card follows */
	exec0("UPDATE movies SET titles_i18n = titles_i18n || '{\"de\": \"Neuer Titel\"}',"
	      " overview = 'Changed.' WHERE id = md5('movie2')::uuid");
	assert_int_equal(stale_cards(), 0);
	a = item_of(&adult_de, "movie2", 201);
	assert_non_null(strstr(a, "\"title\" : \"Neuer Titel\""));
	assert_non_null(strstr(a, "\"overview\" : \"Changed.\""));
	free(a);
	/* file_count moves without rewriting a card */
	char *x0 = one("SELECT xmin::text FROM catalog_cards WHERE item_id = md5('movie2')::uuid"
		       " AND lang = 'en'", 0, NULL);
	exec0("INSERT INTO media_files (id, library_id, path, rel_path, size, mtime_ns, movie_id)"
	      " VALUES (md5('cf1')::uuid, " UID("open") ", '/srv/open/c.mkv', 'c.mkv', 1, 1,"
	      " md5('movie2')::uuid)");
	char *x1 = one("SELECT xmin::text FROM catalog_cards WHERE item_id = md5('movie2')::uuid"
		       " AND lang = 'en'", 0, NULL);
	assert_string_equal(x0, x1);
	free(x0);
	free(x1);
	a = item_of(&adult, "movie2", 201);
	assert_non_null(strstr(a, "\"file_count\" : 1,"));
	free(a);
	exec0("DELETE FROM media_files WHERE id = md5('cf1')::uuid");
	/* the poster: stored by the worker, failed, a local picture, dropped */
	exec0("UPDATE movies SET poster_path = '/card.jpg' WHERE id = md5('movie2')::uuid");
	exec0("INSERT INTO images (kind, provider_path, state) VALUES ('poster', '/card.jpg',"
	      " 'pending')");
	a = item_of(&adult, "movie2", 201);
	assert_non_null(strstr(a, "\"poster_url\" : null"));
	free(a);
	exec0("UPDATE images SET state = 'stored', storage_key = 'images/poster/card.jpg'"
	      " WHERE provider_path = '/card.jpg'");
	assert_int_equal(stale_cards(), 0);
	a = item_of(&adult, "movie2", 201);
	assert_non_null(strstr(a, "\"poster_url\" : \"/images/poster/card.jpg\""));
	free(a);
	exec0("UPDATE images SET state = 'failed' WHERE provider_path = '/card.jpg'");
	assert_int_equal(stale_cards(), 0);
	exec0("INSERT INTO images (kind, provider_path, state, storage_key, provider) VALUES"
	      " ('poster', '/local-card.jpg', 'stored', 'images/local/card.jpg', 'local')");
	exec0("UPDATE movies SET local_poster_id = (SELECT id FROM images WHERE provider_path ="
	      " '/local-card.jpg') WHERE id = md5('movie2')::uuid");
	a = item_of(&adult, "movie2", 201);
	assert_non_null(strstr(a, "\"poster_url\" : \"/images/local/card.jpg\""));
	free(a);
	exec0("DELETE FROM images WHERE provider_path = '/local-card.jpg'");
	assert_int_equal(stale_cards(), 0);
	a = item_of(&adult, "movie2", 201);
	assert_non_null(strstr(a, "\"poster_url\" : null"));
	free(a);
	/* a language added: every movie gets its card */
	exec0("SELECT catalog_languages_sync(ARRAY['it'])");
	assert_int_equal(stale_cards(), 0);
	v = one("SELECT count(*) = (SELECT count(*) FROM movies) FROM catalog_cards WHERE lang = 'it'",
		0, NULL);
	assert_string_equal(v, "t");
	free(v);
	/* inserted in bulk, deleted */
	exec0("INSERT INTO movies (id, library_id, title, original_language) SELECT"
	      " md5('cardmovie' || i)::uuid, " UID("open") ", 'Card ' || i, 'en'"
	      " FROM generate_series(1, 5) i");
	assert_int_equal(stale_cards(), 0);
	exec0("DELETE FROM movies WHERE title LIKE 'Card %'");
	assert_int_equal(stale_cards(), 0);
}

/* Title keys whose walked columns (migration 0022) differ from their
 * item's, plus items lacking a key in a catalog language. */
static int stale_walks(void)
{
	char *v = one("SELECT (SELECT count(*) FROM catalog_titles t LEFT JOIN movies m ON m.id ="
		      " t.item_id LEFT JOIN series s ON s.id = t.item_id WHERE (t.library_id,"
		      " t.min_ages, t.genre_ids, t.year, t.vote_average) IS DISTINCT FROM"
		      " (coalesce(m.library_id, s.library_id), coalesce(m.min_ages, s.min_ages),"
		      " coalesce(m.genre_ids, s.genre_ids), coalesce(m.year, s.year),"
		      " coalesce(m.vote_average, s.vote_average))) + (SELECT count(*) FROM movies m"
		      " CROSS JOIN catalog_languages l WHERE NOT EXISTS (SELECT 1 FROM catalog_titles t"
		      " WHERE t.item_id = m.id AND t.lang = l.lang))",
		      0, NULL);
	int n = atoi(v);
	free(v);
	return n;
}

static void title_walks_follow_their_items(void **state)
{
	(void)state;
	const struct who adult = {"adult", false, NULL}, granted = {"granted", false, NULL};
	static char got[200][37], want[200][37];
	int title = catalog_sort_index(&catalog_movie, "title");
	char *sql;

	assert_int_equal(stale_walks(), 0);
	/* library, year, rating, ages and genres of movies and series move */
	exec0("UPDATE movies SET library_id = " UID("granted") ", year = 1931, vote_average = 9.5"
	      " WHERE id IN (md5('movie5')::uuid, md5('movie6')::uuid)");
	exec0("INSERT INTO movie_age_ratings (movie_id, country, system, certification, min_age)"
	      " VALUES (md5('movie7')::uuid, 'DE', 'FSK', '16', 16)");
	exec0("INSERT INTO genres (kind, tmdb_id, name) VALUES ('movie', 27, 'Horror')");
	exec0("INSERT INTO movie_genres (movie_id, genre_id) SELECT md5('movie' || i)::uuid, g.id"
	      " FROM generate_series(1, 40) i, genres g WHERE g.tmdb_id = 27 AND i % 5 = 0");
	exec0("UPDATE movies SET library_id = " UID("open") " WHERE id IN (md5('movie10')::uuid,"
	      " md5('movie20')::uuid)");
	exec0("UPDATE series SET year = 1999, vote_average = 1.5 WHERE id = md5('series2')::uuid");
	assert_int_equal(stale_walks(), 0);
	/* new movies in one statement, a language added */
	exec0("INSERT INTO movies (id, library_id, title, original_language, year) SELECT"
	      " md5('walkmovie' || i)::uuid, " UID("open") ", 'Walk ' || i, 'en', 2001"
	      " FROM generate_series(1, 3) i");
	exec0("SELECT catalog_languages_sync(ARRAY['nl'])");
	assert_int_equal(stale_walks(), 0);

	/* a title page with only walked filters reads catalog_title_walk; a
	 * filter the walk does not hold (has_file) joins the movies */
	struct catalog_shape s = {&catalog_movie, title, false, false, false, 1u << 1, 64};
	sql = catalog_list_sql(&s, false);
	assert_non_null(strstr(sql, "FROM catalog_title_walk m WHERE m.kind = 'movie'"));
	assert_null(strstr(sql, "FROM movies m"));
	free(sql);
	s.filters = 1u << 6; /* has_file */
	sql = catalog_list_sql(&s, false);
	assert_null(strstr(sql, "catalog_title_walk"));
	assert_non_null(strstr(sql, "FROM movies m JOIN catalog_titles t"));
	free(sql);
	s.kind = &catalog_series; /* its item reads the whole row */
	s.sort = catalog_sort_index(&catalog_series, "title");
	s.filters = 0;
	sql = catalog_list_sql(&s, false);
	assert_null(strstr(sql, "catalog_title_walk"));
	free(sql);

	/* and lists what the movies say, for the moved, rated and genred rows */
	const char *fv[CATALOG_MAX_FILTERS] = {0};
	fv[1] = "Horror";
	for (int g = 0; g < 2; g++) {
		const struct who *w = g ? &granted : &adult;
		int ngot = walk(&catalog_movie, title, true, w, 1u << 1, fv, 3, NULL, got, 200);
		int nwant = reference("SELECT m.id" VISIBLE_MOVIES " AND EXISTS (SELECT 1 FROM"
				      " movie_genres mg JOIN genres g ON g.id = mg.genre_id WHERE"
				      " mg.movie_id = m.id AND g.tmdb_id = 27) ORDER BY (SELECT t.key FROM"
				      " catalog_titles t WHERE t.item_id = m.id AND t.lang = 'en') DESC,"
				      " m.id DESC",
				      w, want, 200);
		/* the horror movies are in the granted library, two moved out */
		assert_int_equal(nwant, g ? 8 : 2);
		same_order(got, ngot, want, nwant, g ? "horror as granted" : "horror as adult");
	}
	exec0("DELETE FROM movies WHERE title LIKE 'Walk %'");
	exec0("DELETE FROM catalog_languages WHERE lang = 'nl'");
	exec0("DELETE FROM catalog_titles WHERE lang = 'nl'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(movies_every_order_with_inserts),
	    cmocka_unit_test(movies_offsets_and_counts),
	    cmocka_unit_test(language_fallbacks_and_title_keys),
	    cmocka_unit_test(age_limits_and_grants_for_every_kind),
	    cmocka_unit_test(tv_kinds_in_every_order),
	    cmocka_unit_test(kept_columns_follow_their_sources),
	    cmocka_unit_test(watch_state_through_the_kind_table),
	    cmocka_unit_test(kept_counts_follow_every_change),
	    cmocka_unit_test(gin_indexes_have_no_pending_list),
	    cmocka_unit_test(cards_follow_every_change),
	    cmocka_unit_test(capped_walks_list_the_same),
	    cmocka_unit_test(genre_ids_follow_links),
	    cmocka_unit_test(shapes_past_the_limit_are_built_per_request),
	    cmocka_unit_test(title_walks_follow_their_items),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
