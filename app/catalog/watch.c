#include "catalog/watch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "catalog/catalog.h"
#include "catalog/request.h"
#include "core/buf.h"
#include "db/sql.h"
#include "db/value.h"
#include "http/validators.h"

#define COMPLETE_PCT 90

/*
 * The statements of one kind, as templates over the kind table:
 *   {W} watch table   {H} history table   {K} the item's column in both
 *   {F} the kind's FROM (alias m)         {V} visible to the viewer
 *   {I} the list item json                {N} the kind's name
 *   {D} the duration basis in seconds
 */
enum {
	S_STATE,
	S_BASIS,
	S_OLD,
	S_PROGRESS,
	S_RESET,
	S_MARK,
	S_UNMARK,
	S_HISTORY_ADD,
	S_CONTINUE,
	S_CONTINUE_COUNT,
	S_HISTORY,
	S_HISTORY_COUNT,
	S_N
};

/* clang-format off */
#define CONTINUE_FROM                                                                              \
	" FROM v, {F} JOIN {W} w ON w.{K} = m.id WHERE w.user_id = $1::uuid"                        \
	" AND w.duration_seconds > 0 AND w.position_seconds * 100 >= w.duration_seconds * 5"       \
	" AND w.position_seconds * 100 <= w.duration_seconds * 90 AND {V}"
#define HISTORY_FROM " FROM v, {F} JOIN {H} h ON h.{K} = m.id WHERE h.user_id = $1::uuid AND {V}"

static const struct {
	const char *name, *sql;
	int nparams;
	bool idempotent;
} templates[S_N] = {
	/* the state of item $2 for user $1, defaults when never played */
	[S_STATE] = {"watch_state",
		"SELECT json_build_object('{K}', x.id, 'position_seconds', coalesce(w.position_seconds, 0),"
		" 'duration_seconds', w.duration_seconds, 'percent', CASE WHEN w.duration_seconds > 0"
		" THEN round(100.0 * w.position_seconds / w.duration_seconds, 1) END,"
		" 'watched', coalesce(w.watched, false), 'play_count', coalesce(w.play_count, 0),"
		" 'last_played_at', " SQL_TS("w.last_played_at") ", 'watched_at', " SQL_TS("w.watched_at")
		")::text FROM (VALUES ($2::uuid)) x(id)"
		" LEFT JOIN {W} w ON w.user_id = $1::uuid AND w.{K} = x.id", 2, true},
	[S_BASIS] = {"watch_basis",
		CAT_VIEW_CTE " SELECT {D} FROM v, {F} WHERE {V} AND m.id = $5::uuid",
		CAT_NPARAMS + 1, false},
	[S_OLD] = {"watch_old",
		"SELECT position_seconds, duration_seconds FROM {W}"
		" WHERE user_id = $1::uuid AND {K} = $2::uuid FOR UPDATE", 2, false},
	/* $3 position, $4 duration, $5 completes now (0/1) */
	[S_PROGRESS] = {"watch_progress",
		"INSERT INTO {W} AS w (user_id, {K}, position_seconds, duration_seconds,"
		" watched, play_count, last_played_at, watched_at) VALUES ($1::uuid, $2::uuid, $3::int,"
		" $4::int, $5::int = 1, $5::int, now(), CASE WHEN $5::int = 1 THEN now() END)"
		" ON CONFLICT (user_id, {K}) DO UPDATE SET position_seconds = EXCLUDED.position_seconds,"
		" duration_seconds = coalesce(EXCLUDED.duration_seconds, w.duration_seconds),"
		" watched = w.watched OR EXCLUDED.watched, play_count = w.play_count + $5::int,"
		" last_played_at = now(), watched_at = coalesce(EXCLUDED.watched_at, w.watched_at),"
		" updated_at = now()", 5, false},
	[S_RESET] = {"watch_reset",
		"UPDATE {W} SET position_seconds = 0, updated_at = now()"
		" WHERE user_id = $1::uuid AND {K} = $2::uuid", 2, false},
	[S_MARK] = {"watch_mark",
		"INSERT INTO {W} AS w (user_id, {K}, watched, play_count, last_played_at,"
		" watched_at) VALUES ($1::uuid, $2::uuid, true, 1, now(), now())"
		" ON CONFLICT (user_id, {K}) DO UPDATE SET watched = true, position_seconds = 0,"
		" play_count = w.play_count + 1, watched_at = now(), updated_at = now()", 2, false},
	/* an upsert, so updated_at (which keys the response cache) always moves */
	[S_UNMARK] = {"watch_unmark",
		"INSERT INTO {W} AS w (user_id, {K}) VALUES ($1::uuid, $2::uuid)"
		" ON CONFLICT (user_id, {K}) DO UPDATE SET watched = false, play_count = 0,"
		" position_seconds = 0, watched_at = NULL, updated_at = now()", 2, false},
	[S_HISTORY_ADD] = {"watch_history_add",
		"INSERT INTO {H} (user_id, {K}, event, position_seconds)"
		" VALUES ($1::uuid, $2::uuid, $3, $4::int)", 4, false},
	[S_CONTINUE] = {"watch_continue",
		CAT_VIEW_CTE " SELECT {I}, w.updated_at::text, m.id" CONTINUE_FROM
		" AND ($5::text IS NULL OR (w.updated_at, m.id) < ($5::timestamptz, $6::uuid))"
		" ORDER BY w.updated_at DESC, m.id DESC LIMIT $7 OFFSET $8", CAT_NPARAMS + 4, true},
	[S_CONTINUE_COUNT] = {"watch_continue_count",
		CAT_VIEW_CTE " SELECT count(*)" CONTINUE_FROM, CAT_NPARAMS, true},
	[S_HISTORY] = {"watch_history",
		CAT_VIEW_CTE " SELECT json_build_object('id', h.id, 'event', h.event, 'position_seconds',"
		" h.position_seconds, 'at', " SQL_TS("h.at") ", '{N}', {I}::json), h.id::text, h.id"
		HISTORY_FROM " AND ($5::text IS NULL OR (h.id, h.id) < ($5::bigint, $6::bigint))"
		" ORDER BY h.id DESC LIMIT $7 OFFSET $8", CAT_NPARAMS + 4, true},
	[S_HISTORY_COUNT] = {"watch_history_count",
		CAT_VIEW_CTE " SELECT count(*)" HISTORY_FROM, CAT_NPARAMS, true},
};
/* clang-format on */

/* The value of placeholder c for kind k. */
static const char *hole(const struct catalog_kind *k, char c, struct buf *visible)
{
	switch (c) {
	case 'W':
		return k->watch;
	case 'H':
		return k->history;
	case 'K':
		return k->watch_id;
	case 'F':
		return k->from;
	case 'V':
		return visible->data;
	case 'I':
		return k->item;
	case 'N':
		return k->name;
	case 'D':
		return k->duration;
	default:
		return NULL;
	}
}

/* tmpl with its {X} placeholders filled from k, malloc'd; NULL when out of
 * memory. */
static char *fill(const struct catalog_kind *k, const char *tmpl)
{
	struct buf b, vis;
	char *out = NULL;

	buf_init(&b, 1 << 16);
	buf_init(&vis, 1024);
	buf_printf(&vis, CAT_VISIBLE("%s", "%s"), k->library, k->ages);
	for (const char *p = tmpl; *p; p++) {
		const char *v;
		if (p[0] == '{' && p[1] && p[2] == '}' && (v = hole(k, p[1], &vis))) {
			buf_puts(&b, v);
			p += 2;
		} else
			buf_putc(&b, *p);
	}
	if (buf_ok(&b) && buf_ok(&vis))
		out = buf_detach(&b, NULL);
	buf_release(&b);
	buf_release(&vis);
	return out;
}

/* --- the process's statements, per kind --------------------------------------- */

struct kind_stmts {
	const struct catalog_kind *kind;
	struct db_stmt st[S_N];
	char names[S_N][48];
	char *sql[S_N];
};

static pthread_mutex_t stmts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kind_stmts *built[8];

static struct kind_stmts *build(const struct catalog_kind *k)
{
	struct kind_stmts *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return NULL;
	ks->kind = k;
	for (int i = 0; i < S_N; i++) {
		snprintf(ks->names[i], sizeof(ks->names[i]), "%s_%s", k->name, templates[i].name);
		ks->st[i].name = ks->names[i];
		ks->st[i].nparams = templates[i].nparams;
		ks->st[i].idempotent = templates[i].idempotent;
		if (!(ks->sql[i] = fill(k, templates[i].sql))) {
			while (i--)
				free(ks->sql[i]);
			free(ks);
			return NULL;
		}
		ks->st[i].sql = ks->sql[i];
	}
	return ks;
}

/* Statement s of kind k; NULL when k has no watch table or out of memory. */
static const struct db_stmt *stmt(const struct catalog_kind *k, int s)
{
	struct kind_stmts *ks = NULL;
	size_t i;

	if (!k->watch)
		return NULL;
	pthread_mutex_lock(&stmts_lock);
	for (i = 0; i < sizeof(built) / sizeof(built[0]) && built[i]; i++)
		if (built[i]->kind == k)
			break;
	if (i < sizeof(built) / sizeof(built[0])) {
		if (!built[i])
			built[i] = build(k);
		ks = built[i];
	}
	pthread_mutex_unlock(&stmts_lock);
	return ks ? &ks->st[s] : NULL;
}

/* --- domain functions ------------------------------------------------------------ */

static bool past_line(int64_t pos, int64_t dur)
{
	return dur > 0 && pos * 100 > dur * COMPLETE_PCT;
}

static enum app_err run(struct db *db, struct arena *a, const struct catalog_kind *k, int s,
                        const char *const *p, PGresult **r)
{
	const struct db_stmt *st = stmt(k, s);
	return st ? db_query(db, a, st, p, r) : APP_ERR_INTERNAL;
}

enum app_err catalog_watch_report(struct db *db, struct arena *a, const struct catalog_kind *k,
                                  const char *user_id, const char *id, int64_t pos, int64_t dur)
{
	int64_t old_pos = 0, old_dur = 0;
	bool had = false;
	PGresult *r;
	char ptxt[24], dtxt[24], ctxt[4];
	const char *kp[] = {user_id, id};
	enum app_err e;

	if (dur && pos > dur)
		pos = dur; /* a player's clock may run past the probed end */
	if ((e = db_begin(db)))
		return e;
	if ((e = run(db, a, k, S_OLD, kp, &r)))
		goto fail;
	if (PQntuples(r)) {
		had = true;
		if ((e = db_get_int64(r, 0, 0, &old_pos)) ||
		    (e = db_get_int64_or(r, 0, 1, dur, &old_dur)))
			goto fail;
	}
	bool crossed = past_line(pos, dur) && !(had && past_line(old_pos, old_dur));
	snprintf(ptxt, sizeof(ptxt), "%lld", (long long)pos);
	snprintf(dtxt, sizeof(dtxt), "%lld", (long long)dur);
	snprintf(ctxt, sizeof(ctxt), "%d", crossed);
	const char *up[] = {user_id, id, ptxt, dur ? dtxt : NULL, ctxt};
	const char *hp[] = {user_id, id, "completed", ptxt};
	if ((e = run(db, a, k, S_PROGRESS, up, NULL)) ||
	    (crossed && (e = run(db, a, k, S_HISTORY_ADD, hp, NULL))) || (e = db_commit(db)))
		goto fail;
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

enum app_err catalog_watch_set(struct db *db, struct arena *a, const struct catalog_kind *k,
                               const char *user_id, const char *id, bool mark)
{
	const char *kp[] = {user_id, id};
	const char *hp[] = {user_id, id, mark ? "marked" : "unmarked", NULL};
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = run(db, a, k, mark ? S_MARK : S_UNMARK, kp, NULL)) ||
	    (e = run(db, a, k, S_HISTORY_ADD, hp, NULL)) || (e = db_commit(db))) {
		db_rollback(db);
		return e;
	}
	return APP_OK;
}

enum app_err catalog_watch_reset(struct db *db, struct arena *a, const struct catalog_kind *k,
                                 const char *user_id, const char *id)
{
	const char *kp[] = {user_id, id};
	return run(db, a, k, S_RESET, kp, NULL);
}

/* --- request level ------------------------------------------------------------------ */

static const char *path_id(struct request *req)
{
	return req_path(req, "id")->str;
}

static enum app_err state_body(struct request *req, struct response *res,
                               const struct catalog_kind *k)
{
	const char *p[] = {req->who->user_id, path_id(req)};
	PGresult *r;
	enum app_err e;

	if ((e = run(req->app->db, req->arena, k, S_STATE, p, &r)))
		return e;
	http_json_compact(&res->body, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
	return APP_OK;
}

enum app_err catalog_watch_basis(struct request *req, const struct catalog_kind *k, int64_t *basis,
                                 struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 1];
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	p[CAT_NPARAMS] = path_id(req);
	if ((e = run(req->app->db, req->arena, k, S_BASIS, p, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "id", "%s", k->missing);
	return db_get_int64_or(r, 0, 0, 0, basis);
}

enum app_err catalog_progress_get(struct request *req, struct response *res,
                                  const struct catalog_kind *k, struct field_error *fe)
{
	int64_t basis;
	enum app_err e;

	if ((e = catalog_watch_basis(req, k, &basis, fe)))
		return e;
	return state_body(req, res, k);
}

const struct body_field catalog_progress_body[] = {
    {.name = "position_seconds",
     .type = BT_INT,
     .required = true,
     .min = 0,
     .max = WATCH_POSITION_MAX,
     .doc = "Playback position in seconds."},
    {.name = "duration_seconds",
     .type = BT_INT,
     .min = 1,
     .max = WATCH_POSITION_MAX,
     .doc = "The duration the player knows, used when the server knows none."},
    {0}};

enum app_err catalog_progress_put(struct request *req, struct response *res,
                                  const struct catalog_kind *k, struct field_error *fe)
{
	const cJSON *pos = cJSON_GetObjectItemCaseSensitive(req->json, "position_seconds");
	const cJSON *sent = cJSON_GetObjectItemCaseSensitive(req->json, "duration_seconds");
	int64_t basis;
	enum app_err e;

	/* the body spec checked both: integers in range, the position present */
	if ((e = catalog_watch_basis(req, k, &basis, fe)) ||
	    (e = catalog_watch_report(req->app->db, req->arena, k, req->who->user_id, path_id(req),
	                              (int64_t)pos->valuedouble,
	                              basis                  ? basis
	                              : cJSON_IsNumber(sent) ? (int64_t)sent->valuedouble
	                                                     : 0)))
		return e;
	return state_body(req, res, k);
}

enum app_err catalog_progress_delete(struct request *req, struct response *res,
                                     const struct catalog_kind *k, struct field_error *fe)
{
	int64_t basis;
	enum app_err e;

	if ((e = catalog_watch_basis(req, k, &basis, fe)) ||
	    (e = catalog_watch_reset(req->app->db, req->arena, k, req->who->user_id, path_id(req))))
		return e;
	res->status = 204;
	return APP_OK;
}

enum app_err catalog_watched(struct request *req, struct response *res,
                             const struct catalog_kind *k, bool mark, struct field_error *fe)
{
	int64_t basis;
	enum app_err e;

	if ((e = catalog_watch_basis(req, k, &basis, fe)) ||
	    (e = catalog_watch_set(req->app->db, req->arena, k, req->who->user_id, path_id(req),
	                           mark)))
		return e;
	return state_body(req, res, k);
}

static enum app_err watch_page(struct request *req, struct response *res,
                               const struct catalog_kind *k, int list, int count,
                               struct field_error *fe)
{
	const struct db_stmt *l = stmt(k, list), *c = stmt(k, count);
	const char *p[CAT_NPARAMS + 4];
	struct page pg;
	enum app_err e;

	if (!l || !c)
		return APP_ERR_INTERNAL;
	if ((e = catalog_viewer(req, p, fe)) || (e = page_start(req, "", &pg, fe)))
		return e;
	return catalog_cached_page(req, res, &pg, l, c, p, CAT_NPARAMS, "", fe);
}

enum app_err catalog_continue(struct request *req, struct response *res,
                              const struct catalog_kind *k, struct field_error *fe)
{
	return watch_page(req, res, k, S_CONTINUE, S_CONTINUE_COUNT, fe);
}

enum app_err catalog_history(struct request *req, struct response *res,
                             const struct catalog_kind *k, struct field_error *fe)
{
	return watch_page(req, res, k, S_HISTORY, S_HISTORY_COUNT, fe);
}
