#include "metadata/identify.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "db/sql.h"
#include "metadata/episodes.h"
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
    " coalesce(m.identified_by, s.identified_by),"
    /* what Radarr/Sonarr said the file's folder holds (migration 0023) */
    " (SELECT jsonb_build_object('tmdb_id', h.tmdb_id, 'imdb_id', h.imdb_id, 'tvdb_id',"
    " h.tvdb_id)::text FROM path_hints h WHERE h.library_id = f.library_id"
    " AND h.path IN " SQL_PATH_ANCESTORS("f.path") " ORDER BY length(h.path) DESC LIMIT 1)"
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
	struct episode_want want; /* season -1 with numbers: absolute numbering */
	char episode_title[256];
	int64_t id_tmdb;    /* from name or NFO */
	char imdb[16];
	int64_t tvdb;
	bool hinted; /* the ids came from a Radarr/Sonarr path hint */
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

/* The numbers of a parsed "episode" (a number or an array of numbers). */
static int numbers_of(const cJSON *ep, int *out, int max)
{
	const cJSON *it;
	int n = 0;

	if (cJSON_IsNumber(ep) && ep->valuedouble >= 0 && ep->valuedouble < 1e6) {
		out[n++] = (int)ep->valuedouble;
	} else if (cJSON_IsArray(ep)) {
		cJSON_ArrayForEach(it, ep)
		{
			if (n < max && cJSON_IsNumber(it) && it->valuedouble >= 0 && it->valuedouble < 1e6)
				out[n++] = (int)it->valuedouble;
		}
	}
	return n;
}

/*
 * Season, episodes and air date: the name first (it includes its season
 * folder, and Specials/ as season 0: see scan_walk.c), then the file's
 * episode NFO (<season>, <episode>, <aired>, <title>).
 */
static void episode_facts(struct file_facts *f)
{
	struct episode_want *w = &f->want;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(f->parsed, "season");
	bool nfo_ep = !strcmp(jstr(f->nfo, "kind") ? jstr(f->nfo, "kind") : "", "episode");
	const char *t;

	memset(w, 0, sizeof(*w));
	w->season = -1;
	if (cJSON_IsNumber(s) && s->valuedouble >= 0 && s->valuedouble <= 10000)
		w->season = (int)s->valuedouble;
	w->n = numbers_of(cJSON_GetObjectItemCaseSensitive(f->parsed, "episode"), w->numbers,
			  EPISODES_MAX);
	t = jstr(f->parsed, "date");
	if (t && strlen(t) == 10)
		memcpy(w->date, t, 11);
	if (nfo_ep && !w->date[0]) {
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(f->nfo, "season");
		int nfo_season = cJSON_IsNumber(ns) && ns->valuedouble >= 0 &&
					 ns->valuedouble <= 10000
				     ? (int)ns->valuedouble
				     : -1;
		int nums[EPISODES_MAX];
		int nn = numbers_of(cJSON_GetObjectItemCaseSensitive(f->nfo, "episode"), nums,
				    EPISODES_MAX);
		/* the NFO's season and episode win over numbers without a season
		 * (absolute or bare); a season in the name wins over the NFO */
		if (w->season < 0 && nfo_season >= 0 && (nn || !w->n)) {
			w->season = nfo_season;
			if (nn) {
				memcpy(w->numbers, nums, sizeof(nums));
				w->n = nn;
			}
		} else if (w->season >= 0 && !w->n && nfo_season == w->season) {
			memcpy(w->numbers, nums, sizeof(nums));
			w->n = nn;
		}
		t = jstr(f->nfo, "premiered");
		if (w->season < 0 && !w->n && t && strlen(t) == 10)
			memcpy(w->date, t, 11); /* a dated episode NFO of a daily show */
	}
	t = jstr(f->parsed, "episode_title");
	if (!t && nfo_ep)
		t = jstr(f->nfo, "title");
	snprintf(f->episode_title, sizeof(f->episode_title), "%s", t ? t : "");
}

static void facts_from(struct file_facts *f)
{
	const cJSON *tvshow = cJSON_GetObjectItemCaseSensitive(f->sidecars, "tvshow");
	const char *t;

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

	episode_facts(f);
}

/* "{1,2}" of n numbers (arena). */
static char *numbers_literal(struct arena *a, const int *numbers, int n)
{
	struct buf b;
	char *out;

	buf_init(&b, 16 * 12 + 4);
	buf_putc(&b, '{');
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s%d", i ? "," : "", numbers[i]);
	buf_putc(&b, '}');
	out = arena_strdup(a, buf_ok(&b) ? b.data : "{}");
	buf_release(&b);
	return out;
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
	if (f->tv) {
		/* without the provider: absolute numbers stay in season 1, a
		 * date links the series only */
		const struct episode_want *w = &f->want;
		struct store_episodes ep = {
		    .season = w->season >= 0 ? w->season : w->n ? 1 : -1,
		    .numbers = numbers_literal(a, w->numbers, w->n),
		    .title = f->episode_title};
		return store_local_series(db, a, l, title, f->year, &ep, res->item_id);
	}
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
	if (!PQgetisnull(r, 0, 8)) {
		/* Radarr's or Sonarr's ids for the folder win over the NFO's and
		 * the name's: it is the user's own decision */
		cJSON *h = parse_deferred(a, PQgetvalue(r, 0, 8));
		const char *imdb = jstr(h, "imdb_id");
		if (jint(h, "tmdb_id"))
			f.id_tmdb = jint(h, "tmdb_id");
		if (imdb)
			snprintf(f.imdb, sizeof(f.imdb), "%s", imdb);
		if (jint(h, "tvdb_id"))
			f.tvdb = jint(h, "tvdb_id");
		f.hinted = f.id_tmdb || f.imdb[0] || f.tvdb;
	}

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
	if (!id && f.hinted && f.id_tmdb && f.id_tmdb != f.linked_tmdb) {
		/* the folder's ids say another item than the one linked */
		id = f.id_tmdb;
		strategy = "id";
		conf = 100;
	}
	if (!id && f.linked_tmdb && !(f.hinted && !f.id_tmdb)) {
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
	cJSON *details = NULL;
	if (id && !e) {
		e = f.tv ? tmdb_tv(a, id, &details, perr, sizeof(perr))
			 : tmdb_movie(a, id, &details, perr, sizeof(perr));
		if (e == APP_ERR_NOT_FOUND) {
			snprintf(perr, sizeof(perr), "provider has no item %lld", (long long)id);
			id = 0;
			e = APP_OK;
		}
	}
	struct episode_place place = {.season = -1};
	if (id && !e && f.tv)
		e = episodes_place(a, id, details, &f.want, &place, perr, sizeof(perr));
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
	if (f.tv) {
		struct store_episodes ep = {
		    .season = place.season,
		    .numbers = numbers_literal(a, place.numbers, place.n),
		    .details = place.details ? print_json(a, place.details) : NULL,
		    .translations = place.translations,
		    .absolute = place.absolute,
		    .title = place.n == 1 ? f.episode_title : NULL};
		log_debug("identify.episodes", "file %s: season %d, episodes %s (%s)", args->file_id,
			  place.season, ep.numbers, place.how);
		e = store_series(db, a, &l, details, &ep, res->item_id);
	} else {
		e = store_movie(db, a, &l, details, res->item_id);
	}
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
