/* arr_api: the Radarr/Sonarr API v3 client and the sync (see arr_api.h). */
#include "integrations/arr_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <openssl/crypto.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/log.h"
#include "db/sql.h"
#include "integrations/arr.h"
#include "jobs/jobs.h"
#include "version.h"

#define MAX_RESPONSE (64u * 1024 * 1024)

static const struct db_stmt q_conn = {
    "arr_conn", "SELECT base_url, api_key_sealed, path_map::text FROM integrations WHERE kind = $1",
    1, false};

enum app_err arr_conn_load(struct db *db, struct arena *a, const char *secret_key, const char *kind,
                           struct arr_conn *c, struct field_error *fe)
{
	const char *p[] = {kind};
	unsigned char key[32];
	PGresult *r;
	enum app_err e;

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if ((e = db_query(db, a, &q_conn, p, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "kind", "%s is not set up", kind);
	if (PQgetisnull(r, 0, 0))
		return field_fail(fe, APP_ERR_CONFLICT, "base_url", "is not set for %s", kind);
	if (PQgetisnull(r, 0, 1))
		return field_fail(fe, APP_ERR_CONFLICT, "api_key", "is not set for %s", kind);
	c->base_url = arena_strdup(a, PQgetvalue(r, 0, 0));
	c->map_owned = cJSON_Parse(PQgetvalue(r, 0, 2));
	c->path_map = c->map_owned;
	if (crypto_key_parse(secret_key, key))
		return field_fail(fe, APP_ERR_CONFLICT, "api_key",
		                  "cannot be read: auth.secret_key is not set on this server");
	char *aad = arena_printf(a, "integration:%s:api_key", kind);
	char *plain = aad ? crypto_open_text(key, aad, PQgetvalue(r, 0, 1)) : NULL;
	OPENSSL_cleanse(key, sizeof(key));
	if (!plain)
		return field_fail(fe, APP_ERR_CONFLICT, "api_key",
		                  "cannot be read (auth.secret_key changed?): set it again");
	c->api_key = arena_strdup(a, plain);
	OPENSSL_cleanse(plain, strlen(plain));
	free(plain);
	return c->api_key && c->base_url ? APP_OK : APP_ERR_NOMEM;
}

void arr_conn_wipe(struct arr_conn *c)
{
	/* a connection arr_conn_load zeroed first, whatever it returned */
	if (c->api_key)
		OPENSSL_cleanse(c->api_key, strlen(c->api_key));
	cJSON_Delete(c->map_owned);
	c->map_owned = NULL;
	c->path_map = NULL;
}

/* --- the client ---------------------------------------------------------------- */

static size_t collect(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	buf_append(b, p, size * n);
	return buf_ok(b) ? size * n : 0;
}

enum app_err arr_api_get(const struct arr_conn *c, const char *path, long timeout_ms, cJSON **out,
                         char *err, size_t errlen)
{
	char *url, *hdr;
	struct curl_slist *h = NULL;
	struct buf b;
	long status = 0;
	CURLcode rc;
	CURL *curl;
	enum app_err e = APP_OK;

	*out = NULL;
	err[0] = 0;
	if (!(curl = curl_easy_init()))
		return APP_ERR_NOMEM;
	size_t n = strlen(c->base_url);
	while (n && c->base_url[n - 1] == '/')
		n--;
	url = malloc(n + strlen(path) + 16);
	hdr = malloc(strlen(c->api_key) + 16);
	if (!url || !hdr) {
		free(url);
		free(hdr);
		curl_easy_cleanup(curl);
		return APP_ERR_NOMEM;
	}
	sprintf(url, "%.*s/api/v3/%s", (int)n, c->base_url, path);
	sprintf(hdr, "X-Api-Key: %s", c->api_key);
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Accept: application/json");
	buf_init(&b, MAX_RESPONSE);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "Revenge/" REVENGE_VERSION);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s at %.*s did not answer: %s", c->kind, (int)n, c->base_url,
		         curl_easy_strerror(rc));
		e = APP_ERR_UNAVAILABLE;
	} else if (status == 401 || status == 403) {
		snprintf(err, errlen, "%s refused the API key (HTTP %ld)", c->kind, status);
		e = APP_ERR_UNPROCESSABLE;
	} else if (status == 404) {
		snprintf(err, errlen, "%s has no %s", c->kind, path);
		e = APP_ERR_NOT_FOUND;
	} else if (status >= 500) {
		snprintf(err, errlen, "%s answered HTTP %ld", c->kind, status);
		e = APP_ERR_UNAVAILABLE;
	} else if (status != 200 || !buf_ok(&b)) {
		snprintf(err, errlen, "%s answered HTTP %ld", c->kind, status);
		e = APP_ERR_BAD_REQUEST;
	} else if (!(*out = cJSON_ParseWithLength(b.data ? b.data : "", b.len))) {
		snprintf(err, errlen, "%s answered something that is not JSON", c->kind);
		e = APP_ERR_BAD_REQUEST;
	}
	OPENSSL_cleanse(hdr, strlen(hdr));
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	buf_release(&b);
	free(url);
	free(hdr);
	return e;
}

/* --- the sync -------------------------------------------------------------------- */

/* clang-format off */
/* $1 the items [{folder, tmdb_id, imdb_id, tvdb_id, has_file}], $2 the
 * library type: each item with the enabled library holding its folder */
#define SYNC_ITEMS                                                                                 \
	"WITH xl AS (SELECT x.*, " ARR_LIBRARY_OF("x.folder", "$2") " AS library_id"               \
	" FROM jsonb_to_recordset($1::jsonb) AS x(folder text, tmdb_id int, imdb_id text,"         \
	" tvdb_id int, has_file boolean))"
/* the present files below each item's folder: every ancestor folder of a
 * file, joined to the items (one pass over the libraries' files) */
#define SYNC_FILES                                                                                 \
	", p AS (SELECT f.id, f.match_status, m.tmdb_id AS m_tmdb, s.tvdb_id AS s_tvdb,"           \
	" s.tmdb_id AS s_tmdb, xl.library_id, xl.folder, xl.tmdb_id, xl.tvdb_id FROM media_files f" \
	" CROSS JOIN LATERAL " SQL_PATH_ANCESTORS("f.path") " a"                                    \
	" JOIN xl ON xl.library_id = f.library_id AND xl.folder = a.dir"                            \
	" LEFT JOIN movies m ON m.id = f.movie_id LEFT JOIN series s ON s.id = f.series_id"        \
	" WHERE f.state = 'present' AND f.library_id IN (SELECT library_id FROM xl))"
/* clang-format on */

/* What the sync must do: files whose item disagrees with the ids
 * ("match", file id), and folders the *arr has files in that this server
 * knows none of ("scan", library id and folder). */
static const struct db_stmt q_sync_plan = {
    "arr_sync_plan",
    SYNC_ITEMS SYNC_FILES
    " SELECT 'match', p.id::text, NULL FROM p WHERE p.match_status <> 'manual' AND CASE WHEN"
    " $2 = 'movie' THEN p.tmdb_id IS NOT NULL AND p.m_tmdb IS DISTINCT FROM p.tmdb_id"
    " ELSE (p.tvdb_id IS NOT NULL AND p.s_tvdb IS DISTINCT FROM p.tvdb_id) OR (p.tvdb_id IS NULL"
    " AND p.tmdb_id IS NOT NULL AND p.s_tmdb IS DISTINCT FROM p.tmdb_id) END"
    " UNION ALL SELECT 'scan', xl.library_id::text, xl.folder FROM xl WHERE xl.library_id IS NOT"
    " NULL AND xl.has_file AND NOT EXISTS (SELECT 1 FROM p WHERE p.library_id = xl.library_id"
    " AND p.folder = xl.folder)"
    " UNION ALL SELECT 'count', count(*) FILTER (WHERE library_id IS NOT NULL)::text,"
    " count(*) FILTER (WHERE library_id IS NULL)::text FROM xl",
    2, false};
/* $3 the source; changed hints only */
static const struct db_stmt q_sync_hints = {
    "arr_sync_hints",
    SYNC_ITEMS
    " , up AS (INSERT INTO path_hints AS h (library_id, path, source, tmdb_id, imdb_id, tvdb_id)"
    " SELECT library_id, folder, $3, tmdb_id, imdb_id, tvdb_id FROM xl WHERE library_id IS NOT NULL"
    " ON CONFLICT (library_id, path) DO UPDATE SET source = EXCLUDED.source,"
    " tmdb_id = EXCLUDED.tmdb_id, imdb_id = EXCLUDED.imdb_id, tvdb_id = EXCLUDED.tvdb_id,"
    " updated_at = now() WHERE (h.source, h.tmdb_id, h.imdb_id, h.tvdb_id) IS DISTINCT FROM"
    " (EXCLUDED.source, EXCLUDED.tmdb_id, EXCLUDED.imdb_id, EXCLUDED.tvdb_id) RETURNING 1)"
    " SELECT count(*) FROM up",
    3, false};
/* a full sync: the hints of items the *arr no longer has */
static const struct db_stmt q_sync_forget = {
    "arr_sync_forget",
    SYNC_ITEMS
    " , gone AS (DELETE FROM path_hints h WHERE h.source = $3 AND h.library_id IN (SELECT l.id"
    " FROM libraries l WHERE l.type = $2) AND NOT EXISTS (SELECT 1 FROM xl WHERE"
    " xl.library_id = h.library_id AND xl.folder = h.path) RETURNING 1) SELECT count(*) FROM gone",
    3, false};
static const struct db_stmt q_sync_done = {
    "arr_sync_done",
    "UPDATE integrations SET last_sync_at = now(), last_sync = $2::jsonb WHERE kind = $1", 2,
    false};

/* One item of the *arr's list as {folder, ids, has_file}, or nothing when
 * it names no folder that maps to a plain path. */
static void item_json(struct arena *a, struct jw *w, const struct arr_conn *c, const cJSON *it,
                      bool tv, struct arr_sync_stats *st)
{
	const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "path"));
	const char *folder = path ? arr_map_path(a, c->path_map, path) : NULL;
	const cJSON *v;

	st->items++;
	if (!folder) {
		st->outside++;
		return;
	}
	jw_obj_open(w);
	jw_kstr(w, "folder", folder);
	static const char *const ids[] = {"tmdbId", "tvdbId"};
	static const char *const keys[] = {"tmdb_id", "tvdb_id"};
	for (int i = 0; i < 2; i++) {
		v = cJSON_GetObjectItemCaseSensitive(it, ids[i]);
		if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 2147483647.0)
			jw_kint(w, keys[i], (int64_t)v->valuedouble);
	}
	const char *imdb = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "imdbId"));
	if (imdb && !strncmp(imdb, "tt", 2) && strlen(imdb) <= 15)
		jw_kstr(w, "imdb_id", imdb);
	bool has_file;
	if (tv) {
		const cJSON *stats = cJSON_GetObjectItemCaseSensitive(it, "statistics");
		v = cJSON_GetObjectItemCaseSensitive(stats, "episodeFileCount");
		has_file = cJSON_IsNumber(v) && v->valuedouble > 0;
	} else {
		has_file = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "hasFile"));
	}
	jw_kbool(w, "has_file", has_file);
	jw_obj_close(w);
}

enum app_err arr_sync(struct db *db, struct arena *a, const char *secret_key, const char *kind,
                      int64_t item_id, const char *request_id, struct arr_sync_stats *st, char *err,
                      size_t errlen)
{
	struct arr_conn c;
	struct field_error fe = {{0}, {0}};
	bool tv = !strcmp(kind, "sonarr");
	const char *type = tv ? "tvshow" : "movie";
	cJSON *list = NULL;
	PGresult *plan, *r;
	struct buf b;
	struct jw w;
	enum app_err e;

	memset(st, 0, sizeof(*st));
	err[0] = 0;
	if ((e = arr_conn_load(db, a, secret_key, kind, &c, &fe))) {
		snprintf(err, errlen, "%s %s", fe.field, fe.detail);
		arr_conn_wipe(&c);
		return e;
	}
	char *path = item_id
	                 ? arena_printf(a, "%s/%lld", tv ? "series" : "movie", (long long)item_id)
	                 : arena_strdup(a, tv ? "series" : "movie");
	e = path ? arr_api_get(&c, path, 120000, &list, err, errlen) : APP_ERR_NOMEM;
	if (e) {
		arr_conn_wipe(&c);
		return e;
	}
	buf_init(&b, 256u * 1024 * 1024);
	jw_init(&w, &b);
	jw_arr_open(&w);
	if (cJSON_IsArray(list)) {
		const cJSON *it;
		cJSON_ArrayForEach(it, list)
		{
			item_json(a, &w, &c, it, tv, st);
		}
	} else if (cJSON_IsObject(list)) {
		item_json(a, &w, &c, list, tv, st);
	}
	jw_arr_close(&w);
	cJSON_Delete(list);
	arr_conn_wipe(&c);
	if (!buf_ok(&b)) {
		buf_release(&b);
		return APP_ERR_NOMEM;
	}

	const char *p2[] = {b.data, type};
	const char *p3[] = {b.data, type, kind};
	if ((e = db_begin(db)))
		goto out;
	if ((e = db_query(db, a, &q_sync_plan, p2, &plan)))
		goto fail;
	int nspec = 0;
	struct job_spec *specs = arena_calloc(a, (size_t)PQntuples(plan) + 1, sizeof(*specs));
	if (!specs) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	for (int i = 0; i < PQntuples(plan); i++) {
		const char *what = PQgetvalue(plan, i, 0);
		struct job_spec *s = &specs[nspec];
		if (!strcmp(what, "count")) {
			st->in_library = strtoll(PQgetvalue(plan, i, 1), NULL, 10);
			st->outside += strtoll(PQgetvalue(plan, i, 2), NULL, 10);
			continue;
		}
		struct buf jb;
		struct jw jj;
		buf_init(&jb, 64 * 1024);
		jw_init(&jj, &jb);
		jw_obj_open(&jj);
		if (!strcmp(what, "match")) {
			jw_kstr(&jj, "file_id", PQgetvalue(plan, i, 1));
			jw_kbool(&jj, "refresh", true);
			s->kind = "library.match";
			st->changed++;
		} else {
			jw_kstr(&jj, "library_id", PQgetvalue(plan, i, 1));
			jw_kstr(&jj, "path", PQgetvalue(plan, i, 2));
			jw_kbool(&jj, "rematch", true);
			s->kind = "library.scan_path";
			st->scans++;
		}
		jw_obj_close(&jj);
		s->args = buf_ok(&jb) ? arena_strdup(a, jb.data) : NULL;
		buf_release(&jb);
		s->priority = JOB_LOW;
		s->request_id = request_id;
		if (!s->args) {
			e = APP_ERR_NOMEM;
			goto fail;
		}
		nspec++;
	}
	if ((e = db_query(db, a, &q_sync_hints, p3, &r)))
		goto fail;
	st->hinted = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	if (!item_id) {
		if ((e = db_query(db, a, &q_sync_forget, p3, &r)))
			goto fail;
		st->forgotten = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	}
	if (nspec && (e = job_enqueue_bulk(db, a, specs, (size_t)nspec, NULL)))
		goto fail;
	const char *summary = arena_printf(
	    a,
	    "{\"ok\":true,\"item_id\":%lld,\"items\":%lld,\"in_library\":%lld,\"outside\":%lld,"
	    "\"hints_changed\":%lld,\"rematched\":%lld,\"scans\":%lld,\"forgotten\":%lld}",
	    (long long)item_id, (long long)st->items, (long long)st->in_library,
	    (long long)st->outside, (long long)st->hinted, (long long)st->changed,
	    (long long)st->scans, (long long)st->forgotten);
	const char *pd[] = {kind, summary};
	if (!summary) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	if ((e = db_query(db, a, &q_sync_done, pd, NULL)) || (e = db_commit(db)))
		goto fail;
	goto out;
fail:
	db_rollback(db);
out:
	buf_release(&b);
	return e;
}
