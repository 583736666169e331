#include "metadata/identify.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "metadata/match.h"
#include "metadata/store.h"
#include "metadata/tmdb.h"

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static int threshold = 70;
static bool images_on = true;

void identify_configure(const struct config *cfg)
{
	pthread_mutex_lock(&cfg_lock);
	threshold = (int)cfg->metadata_match_threshold;
	images_on = cfg->images_enabled;
	pthread_mutex_unlock(&cfg_lock);
}

static const struct db_stmt q_file = {
    "identify_file",
    "SELECT f.library_id, l.type, f.parsed::text, coalesce(f.nfo::text, 'null'),"
    " f.sidecars::text, f.match_status, coalesce(m.tmdb_id, s.tmdb_id),"
    " coalesce(m.identified_by, s.identified_by)"
    " FROM media_files f JOIN libraries l ON l.id = f.library_id"
    " LEFT JOIN movies m ON m.id = f.movie_id LEFT JOIN series s ON s.id = f.series_id"
    " WHERE f.id = $1 AND f.state = 'present'",
    1, true};
static const struct db_stmt q_same_movie = {
    "identify_same_movie",
    "SELECT tmdb_id FROM movies WHERE library_id = $1 AND identified_by = 'provider'"
    " AND tmdb_id IS NOT NULL AND (lower(title) = lower($2) OR lower(original_title) = lower($2))"
    " AND ($3::int IS NULL OR year BETWEEN $3::int - 1 AND $3::int + 1)"
    " ORDER BY year IS NOT DISTINCT FROM $3::int DESC LIMIT 1",
    3, true};
static const struct db_stmt q_same_series = {
    "identify_same_series",
    "SELECT tmdb_id FROM series WHERE library_id = $1 AND identified_by = 'provider'"
    " AND tmdb_id IS NOT NULL AND (lower(title) = lower($2) OR lower(original_title) = lower($2))"
    " AND ($3::int IS NULL OR year IS NULL OR year = $3::int) LIMIT 1",
    3, true};
static const struct db_stmt q_mark = {
    "identify_mark",
    "UPDATE media_files SET match_status = $2, match_candidates = $3::jsonb, updated_at = now()"
    " WHERE id = $1 AND match_status <> 'manual'",
    3, false};

struct file_facts {
	const char *library_id;
	bool tv;
	cJSON *parsed, *nfo, *sidecars;
	const char *status;
	int64_t linked_tmdb; /* the provider id of the item it is linked to */
	char title[512];
	int year;
	int season;
	char episodes[160]; /* "{1,2}" */
	char episode_title[256];
	int64_t id_tmdb;    /* from name or NFO */
	char imdb[16];
	int64_t tvdb;
};

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static int64_t jint(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e12 ? (int64_t)v->valuedouble
										 : 0;
}

static cJSON *parse_deferred(struct arena *a, const char *text)
{
	cJSON *j = cJSON_Parse(text);
	if (j && arena_defer(a, (void (*)(void *))cJSON_Delete, j) < 0) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static void facts_from(struct file_facts *f)
{
	const cJSON *tvshow = cJSON_GetObjectItemCaseSensitive(f->sidecars, "tvshow");
	const cJSON *ep = cJSON_GetObjectItemCaseSensitive(f->parsed, "episode");
	const char *t;
	size_t o;

	/* the NFO names the item better than the file name */
	if (f->tv)
		t = jstr(tvshow, "title") ? jstr(tvshow, "title") : jstr(f->parsed, "title");
	else
		t = jstr(f->nfo, "title") ? jstr(f->nfo, "title") : jstr(f->parsed, "title");
	snprintf(f->title, sizeof(f->title), "%s", t ? t : "");
	f->year = (int)(f->tv ? jint(tvshow, "year") : jint(f->nfo, "year"));
	if (!f->year)
		f->year = (int)jint(f->parsed, "year");
	f->id_tmdb = f->tv ? jint(tvshow, "tmdb_id") : jint(f->nfo, "tmdb_id");
	if (!f->id_tmdb)
		f->id_tmdb = jint(f->parsed, "tmdb_id");
	t = f->tv ? jstr(tvshow, "imdb_id") : jstr(f->nfo, "imdb_id");
	if (!t && !f->tv)
		t = jstr(f->parsed, "imdb_id");
	snprintf(f->imdb, sizeof(f->imdb), "%s", t ? t : "");
	f->tvdb = f->tv ? jint(tvshow, "tvdb_id") : 0;

	f->season = -1;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(f->parsed, "season");
	if (cJSON_IsNumber(s))
		f->season = (int)s->valuedouble;
	else if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(f->nfo, "season")))
		f->season = (int)jint(f->nfo, "season");
	o = (size_t)snprintf(f->episodes, sizeof(f->episodes), "{");
	if (cJSON_IsNumber(ep)) {
		o += (size_t)snprintf(f->episodes + o, sizeof(f->episodes) - o, "%d",
				      (int)ep->valuedouble);
	} else if (cJSON_IsArray(ep)) {
		const cJSON *it;
		bool first = true;
		cJSON_ArrayForEach(it, ep)
		{
			if (cJSON_IsNumber(it) && o + 12 < sizeof(f->episodes)) {
				o += (size_t)snprintf(f->episodes + o, sizeof(f->episodes) - o, "%s%d",
						      first ? "" : ",", (int)it->valuedouble);
				first = false;
			}
		}
	}
	snprintf(f->episodes + o, sizeof(f->episodes) - o, "}");
	/* absolute numbering without a season: the first season */
	if (f->season < 0 && strcmp(f->episodes, "{}"))
		f->season = 1;
	t = jstr(f->parsed, "episode_title");
	snprintf(f->episode_title, sizeof(f->episode_title), "%s", t ? t : "");
}

static char *languages_literal(struct arena *a)
{
	int n;
	const char *const *l = tmdb_languages(&n);
	struct buf b;
	char *out;

	buf_init(&b, 256);
	buf_putc(&b, '{');
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", l[i]);
	if (!n)
		buf_puts(&b, "en");
	buf_putc(&b, '}');
	out = arena_strdup(a, buf_ok(&b) ? b.data : "{en}");
	buf_release(&b);
	return out;
}

static char *print_json(struct arena *a, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	char *out;
	if (!s)
		return NULL;
	out = arena_strdup(a, s);
	cJSON_free(s);
	return out;
}

/* The tmdb id the provider's /find answer gives for an external id. */
static int64_t find_id(struct arena *a, const char *ext, const char *source, bool tv,
		       enum app_err *e, char *err, size_t errlen)
{
	cJSON *r;
	*e = tmdb_find(a, ext, source, &r, err, errlen);
	if (*e)
		return 0;
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r, tv ? "tv_results" : "movie_results");
	return jint(cJSON_GetArrayItem(arr, 0), "id");
}

/* Search by title and year, then title alone; the best candidate's id. */
static int64_t search_id(struct arena *a, const struct file_facts *f, int *conf,
			 const char **strategy, char **candidates, enum app_err *e, char *err,
			 size_t errlen)
{
	cJSON *r;
	int best = -1;
	struct buf cb;

	*conf = 0;
	buf_init(&cb, 64 * 1024);
	for (int pass = 0; pass < 2; pass++) {
		int y = pass ? 0 : f->year;
		if (pass && !f->year)
			break;
		*e = f->tv ? tmdb_search_tv(a, f->title, y, &r, err, errlen)
			   : tmdb_search_movie(a, f->title, y, &r, err, errlen);
		if (*e)
			break;
		const cJSON *results = cJSON_GetObjectItemCaseSensitive(r, "results");
		buf_reset(&cb);
		int c = match_pick(results, f->title, f->year, f->tv, &best, &cb);
		if (best >= 0 && c > *conf) {
			*conf = c;
			*strategy = pass ? "title" : "search";
			*candidates = buf_ok(&cb) ? arena_strdup(a, cb.data) : NULL;
			int64_t id = jint(cJSON_GetArrayItem(results, best), "id");
			if (c >= threshold) {
				buf_release(&cb);
				return id;
			}
		}
	}
	buf_release(&cb);
	return 0;
}

static enum app_err store_local(struct db *db, struct arena *a, struct file_facts *f,
				struct store_link *l, struct identify_result *res)
{
	const char *title = f->title[0] ? f->title : "Unknown";
	char *nfo = f->nfo && cJSON_IsObject(f->nfo) ? print_json(a, f->nfo) : NULL;

	snprintf(res->status, sizeof(res->status), "%s", l->status);
	snprintf(res->strategy, sizeof(res->strategy), "local");
	l->strategy = "local";
	if (f->tv)
		return store_local_series(db, a, l, title, f->year, f->season, f->episodes,
					  f->episode_title, res->item_id);
	return store_local_movie(db, a, l, title, f->year, nfo, res->item_id);
}

enum app_err identify_file(struct db *db, struct arena *a, const struct identify_args *args,
			   struct identify_result *res, char *err, size_t errlen)
{
	const char *pf[] = {args->file_id};
	PGresult *r;
	struct file_facts f;
	struct store_link l;
	enum app_err e;
	int64_t id = 0;
	int conf = 0;
	const char *strategy = NULL;
	char *candidates = NULL;
	char perr[256] = "";

	memset(res, 0, sizeof(*res));
	memset(&f, 0, sizeof(f));
	snprintf(err, errlen, "%s", "");
	if ((e = db_query(db, a, &q_file, pf, &r)))
		return e;
	if (PQntuples(r) != 1)
		return APP_OK; /* removed or missing since: nothing to identify */
	f.library_id = PQgetvalue(r, 0, 0);
	f.tv = !strcmp(PQgetvalue(r, 0, 1), "tvshow");
	f.parsed = parse_deferred(a, PQgetvalue(r, 0, 2));
	f.nfo = parse_deferred(a, PQgetvalue(r, 0, 3));
	f.sidecars = parse_deferred(a, PQgetvalue(r, 0, 4));
	f.status = PQgetvalue(r, 0, 5);
	if ((e = db_get_int64_or(r, 0, 6, 0, &f.linked_tmdb)))
		return e;
	facts_from(&f);

	pthread_mutex_lock(&cfg_lock);
	bool images = images_on;
	pthread_mutex_unlock(&cfg_lock);
	l = (struct store_link){.library_id = f.library_id,
				.file_id = args->file_id,
				.status = "matched",
				.confidence = -1,
				.manual = args->manual,
				.languages = languages_literal(a),
				.images = images};

	bool was_manual = !strcmp(f.status, "manual");
	if (was_manual && !args->manual) {
		/* an admin's choice stands; a refresh only re-reads its data */
		if (!args->refresh || !f.linked_tmdb)
			return APP_OK;
		id = f.linked_tmdb;
		strategy = "manual";
		conf = 100;
		l.status = "manual";
	} else if (args->manual && args->tmdb_id) {
		id = args->tmdb_id;
		strategy = "manual";
		conf = 100;
		l.status = "manual";
	}
	if (!tmdb_enabled()) {
		if (was_manual || args->manual)
			return APP_OK; /* no provider: keep what is there */
		l.status = "local";
		return store_local(db, a, &f, &l, res);
	}
	e = APP_OK;
	if (!id && f.linked_tmdb) {
		id = f.linked_tmdb;
		strategy = "existing";
		conf = 100;
	}
	if (!id && f.id_tmdb) {
		id = f.id_tmdb;
		strategy = "id";
		conf = 100;
	}
	if (!id && f.imdb[0]) {
		id = find_id(a, f.imdb, "imdb_id", f.tv, &e, perr, sizeof(perr));
		strategy = "id";
		conf = 100;
	}
	if (!id && !e && f.tvdb) {
		id = find_id(a, arena_printf(a, "%lld", (long long)f.tvdb), "tvdb_id", true, &e, perr,
			     sizeof(perr));
		strategy = "id";
		conf = 100;
	}
	if (!id && !e && f.title[0]) {
		const char *pq[] = {f.library_id, f.title, f.year ? arena_printf(a, "%d", f.year) : NULL};
		PGresult *same;
		if ((e = db_query(db, a, f.tv ? &q_same_series : &q_same_movie, pq, &same)))
			return e;
		if (PQntuples(same)) {
			if ((e = db_get_int64(same, 0, 0, &id)))
				return e;
			strategy = "local";
			conf = 95;
		}
	}
	if (!id && !e && f.title[0])
		id = search_id(a, &f, &conf, &strategy, &candidates, &e, perr, sizeof(perr));

	/* the details (and for an episode its season) */
	cJSON *details = NULL, *season = NULL;
	if (id && !e) {
		e = f.tv ? tmdb_tv(a, id, &details, perr, sizeof(perr))
			 : tmdb_movie(a, id, &details, perr, sizeof(perr));
		if (e == APP_ERR_NOT_FOUND) {
			snprintf(perr, sizeof(perr), "provider has no item %lld", (long long)id);
			id = 0;
			e = APP_OK;
		}
	}
	if (id && !e && f.tv && f.season >= 0) {
		enum app_err se = tmdb_season(a, id, f.season, &season, perr, sizeof(perr));
		if (se && se != APP_ERR_NOT_FOUND) {
			e = se;
		} else if (se) {
			season = NULL;
		}
	}
	if (e) {
		/* the provider failed: the file is still browsable, and the job is
		 * retried later when the failure may pass */
		snprintf(err, errlen, "%s", perr[0] ? perr : "provider error");
		res->retry = e == APP_ERR_UNAVAILABLE || e == APP_ERR_UNPROCESSABLE;
		log_warn("identify.provider", "file %s: %s", args->file_id, err);
		if (was_manual || args->manual)
			return APP_OK;
		l.status = e == APP_ERR_UNPROCESSABLE || e == APP_ERR_UNAUTHORIZED ? "error" : "local";
		return store_local(db, a, &f, &l, res);
	}
	if (!id) {
		/* below the threshold: listed for manual matching, browsable meanwhile */
		l.status = "unmatched";
		l.candidates = candidates;
		enum app_err le = store_local(db, a, &f, &l, res);
		const char *pm[] = {args->file_id, "unmatched", candidates};
		if (!le)
			le = db_query(db, a, &q_mark, pm, NULL);
		res->confidence = conf;
		return le;
	}
	l.strategy = strategy;
	l.confidence = conf;
	l.candidates = candidates;
	if (f.tv)
		e = store_series(db, a, &l, details, f.season, season ? print_json(a, season) : NULL,
				 f.episodes, res->item_id);
	else
		e = store_movie(db, a, &l, details, res->item_id);
	if (e == APP_ERR_UNPROCESSABLE) {
		snprintf(err, errlen, "provider details have no id");
		l.status = "error";
		return store_local(db, a, &f, &l, res);
	}
	if (e)
		return e;
	snprintf(res->status, sizeof(res->status), "%s", l.status);
	snprintf(res->strategy, sizeof(res->strategy), "%s", strategy);
	res->confidence = conf;
	return APP_OK;
}
