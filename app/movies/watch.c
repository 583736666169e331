/*
 * Watch state per user and movie (SPEC §4.2): the resume position, whether
 * it is watched, how many times it was played to the end, continue
 * watching and the history.
 *
 * A play completes when a reported position passes 90 % of the duration
 * (the file's probed duration, else the runtime, else what the client
 * sends); it counts once, when a position crosses that line, however many
 * reports follow above it. Continue watching lists the movies between 5 %
 * and 90 %, most recently played first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "movies/movies.h"
#include "movies/view.h"

#define COMPLETE_PCT 90
#define POSITION_MAX 1000000000

/* clang-format off */
/* the state of movie $2 for user $1, defaults when never played */
#define STATE_JSON                                                                                 \
	"json_build_object('movie_id', x.id, 'position_seconds', coalesce(w.position_seconds, 0),"  \
	" 'duration_seconds', w.duration_seconds, 'percent', CASE WHEN w.duration_seconds > 0"     \
	" THEN round(100.0 * w.position_seconds / w.duration_seconds, 1) END,"                     \
	" 'watched', coalesce(w.watched, false), 'play_count', coalesce(w.play_count, 0),"         \
	" 'last_played_at', " SQL_TS("w.last_played_at") ", 'watched_at', " SQL_TS("w.watched_at") ")"
static const struct db_stmt q_state = {
	"watch_state",
	"SELECT " STATE_JSON "::text FROM (VALUES ($2::uuid)) x(id)"
	" LEFT JOIN movie_watch w ON w.user_id = $1::uuid AND w.movie_id = x.id",
	2, true};

/* the duration basis of a visible movie: file, else runtime (seconds) */
static const struct db_stmt q_basis = {
	"watch_basis",
	MV_VIEW_CTE " SELECT coalesce((SELECT max(f.duration_ms) FROM media_files f"
	" WHERE f.movie_id = m.id AND f.state = 'present') / 1000, m.runtime * 60)::int"
	" FROM v, movies m WHERE " MV_VISIBLE("m") " AND m.id = $5::uuid",
	MV_NPARAMS + 1, false};
static const struct db_stmt q_old = {
	"watch_old",
	"SELECT position_seconds, duration_seconds FROM movie_watch"
	" WHERE user_id = $1::uuid AND movie_id = $2::uuid FOR UPDATE",
	2, false};
/* $3 position, $4 duration, $5 completes now (0/1) */
static const struct db_stmt q_progress = {
	"watch_progress",
	"INSERT INTO movie_watch AS w (user_id, movie_id, position_seconds, duration_seconds,"
	" watched, play_count, last_played_at, watched_at) VALUES ($1::uuid, $2::uuid, $3::int,"
	" $4::int, $5::int = 1, $5::int, now(), CASE WHEN $5::int = 1 THEN now() END)"
	" ON CONFLICT (user_id, movie_id) DO UPDATE SET position_seconds = EXCLUDED.position_seconds,"
	" duration_seconds = coalesce(EXCLUDED.duration_seconds, w.duration_seconds),"
	" watched = w.watched OR EXCLUDED.watched, play_count = w.play_count + $5::int,"
	" last_played_at = now(), watched_at = coalesce(EXCLUDED.watched_at, w.watched_at),"
	" updated_at = now()",
	5, false};
static const struct db_stmt q_reset = {
	"watch_reset",
	"UPDATE movie_watch SET position_seconds = 0, updated_at = now()"
	" WHERE user_id = $1::uuid AND movie_id = $2::uuid",
	2, false};
static const struct db_stmt q_mark = {
	"watch_mark",
	"INSERT INTO movie_watch AS w (user_id, movie_id, watched, play_count, last_played_at,"
	" watched_at) VALUES ($1::uuid, $2::uuid, true, 1, now(), now())"
	" ON CONFLICT (user_id, movie_id) DO UPDATE SET watched = true, position_seconds = 0,"
	" play_count = w.play_count + 1, watched_at = now(), updated_at = now()",
	2, false};
/* an upsert, so updated_at (which keys the response cache) always moves */
static const struct db_stmt q_unmark = {
	"watch_unmark",
	"INSERT INTO movie_watch AS w (user_id, movie_id) VALUES ($1::uuid, $2::uuid)"
	" ON CONFLICT (user_id, movie_id) DO UPDATE SET watched = false, play_count = 0,"
	" position_seconds = 0, watched_at = NULL, updated_at = now()",
	2, false};
static const struct db_stmt q_history_add = {
	"watch_history_add",
	"INSERT INTO movie_watch_history (user_id, movie_id, event, position_seconds)"
	" VALUES ($1::uuid, $2::uuid, $3, $4::int)",
	4, false};

#define CONTINUE_FROM                                                                              \
	" FROM v, movie_watch w JOIN movies m ON m.id = w.movie_id WHERE w.user_id = $1::uuid"     \
	" AND w.duration_seconds > 0 AND w.position_seconds * 100 >= w.duration_seconds * 5"       \
	" AND w.position_seconds * 100 <= w.duration_seconds * " "90" " AND " MV_VISIBLE("m")
static const struct db_stmt q_continue = {
	"watch_continue",
	MV_VIEW_CTE " SELECT " MV_ITEM("m") ", w.updated_at::text, m.id" CONTINUE_FROM
	" AND ($5::text IS NULL OR (w.updated_at, m.id) < ($5::timestamptz, $6::uuid))"
	" ORDER BY w.updated_at DESC, m.id DESC LIMIT $7 OFFSET $8",
	MV_NPARAMS + 4, true};
static const struct db_stmt q_continue_count = {
	"watch_continue_count", MV_VIEW_CTE " SELECT count(*)" CONTINUE_FROM, MV_NPARAMS, true};

#define HISTORY_FROM                                                                               \
	" FROM v, movie_watch_history h JOIN movies m ON m.id = h.movie_id"                        \
	" WHERE h.user_id = $1::uuid AND " MV_VISIBLE("m")
static const struct db_stmt q_history = {
	"watch_history",
	MV_VIEW_CTE " SELECT json_build_object('id', h.id, 'event', h.event, 'position_seconds',"
	" h.position_seconds, 'at', " SQL_TS("h.at") ", 'movie', " MV_ITEM("m") "), h.id::text, h.id"
	HISTORY_FROM " AND ($5::text IS NULL OR (h.id, h.id) < ($5::bigint, $6::bigint))"
	" ORDER BY h.id DESC LIMIT $7 OFFSET $8",
	MV_NPARAMS + 4, true};
static const struct db_stmt q_history_count = {
	"watch_history_count", MV_VIEW_CTE " SELECT count(*)" HISTORY_FROM, MV_NPARAMS, true};
/* clang-format on */

static const char *const progress_fields[] = {"position_seconds", "duration_seconds", NULL};

static enum app_err state_body(struct request *req, struct response *res, const char *id)
{
	const char *p[] = {req->who->user_id, id};
	PGresult *r;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_state, p, &r)))
		return e;
	mv_body_json(res, r);
	return APP_OK;
}

/* The movie is visible; *basis receives its duration basis (0: unknown). */
static enum app_err visible_basis(struct request *req, int64_t *basis, struct field_error *fe)
{
	const char *p[MV_NPARAMS + 1];
	PGresult *r;
	enum app_err e;

	if ((e = mv_viewer(req, p, fe)) ||
	    (e = mv_by_path_id(req, p, &q_basis, "is not a movie", &r, fe)))
		return e;
	*basis = PQgetisnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	return APP_OK;
}

enum app_err movies_progress_get(struct request *req, struct response *res, struct field_error *fe)
{
	int64_t basis;
	enum app_err e;

	if ((e = visible_basis(req, &basis, fe)) || (e = state_body(req, res, mv_path_id(req))))
		return e;
	return APP_OK;
}

static bool past_line(int64_t pos, int64_t dur)
{
	return dur > 0 && pos * 100 > dur * COMPLETE_PCT;
}

enum app_err movies_progress_put(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = mv_path_id(req), *uid = req->who->user_id;
	struct db *db = req->app->db;
	int64_t pos = 0, sent = 0, basis = 0, old_pos = 0, old_dur = 0;
	bool had = false;
	PGresult *r;
	char ptxt[24], dtxt[24], ctxt[4];
	enum app_err e;

	if ((e = json_reject_unknown(req->json, progress_fields, fe)) ||
	    (e = json_get_int(req->json, "position_seconds", true, 0, POSITION_MAX, &pos, fe)) ||
	    (e = json_get_int(req->json, "duration_seconds", false, 1, POSITION_MAX, &sent, fe)) ||
	    (e = visible_basis(req, &basis, fe)))
		return e;
	int64_t dur = basis ? basis : sent;
	if (dur && pos > dur)
		pos = dur; /* a player's clock may run past the probed end */
	const char *kp[] = {uid, id};
	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_old, kp, &r)))
		goto fail;
	if (PQntuples(r)) {
		had = true;
		old_pos = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		old_dur = PQgetisnull(r, 0, 1) ? dur : strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	}
	bool crossed = past_line(pos, dur) && !(had && past_line(old_pos, old_dur));
	snprintf(ptxt, sizeof(ptxt), "%lld", (long long)pos);
	snprintf(dtxt, sizeof(dtxt), "%lld", (long long)dur);
	snprintf(ctxt, sizeof(ctxt), "%d", crossed);
	const char *up[] = {uid, id, ptxt, dur ? dtxt : NULL, ctxt};
	const char *hp[] = {uid, id, "completed", ptxt};
	if ((e = db_query(db, req->arena, &q_progress, up, NULL)) ||
	    (crossed && (e = db_query(db, req->arena, &q_history_add, hp, NULL))) ||
	    (e = db_commit(db)))
		goto fail;
	return state_body(req, res, id);
fail:
	db_rollback(db);
	return e;
}

enum app_err movies_progress_delete(struct request *req, struct response *res,
                                    struct field_error *fe)
{
	const char *kp[] = {req->who->user_id, mv_path_id(req)};
	int64_t basis;
	enum app_err e;

	if ((e = visible_basis(req, &basis, fe)) ||
	    (e = db_query(req->app->db, req->arena, &q_reset, kp, NULL)))
		return e;
	res->status = 204;
	return APP_OK;
}

/* Mark (true) or unmark: the state row and a history event, together. */
static enum app_err set_watched(struct request *req, struct response *res, bool mark,
                                struct field_error *fe)
{
	const char *id = mv_path_id(req), *kp[] = {req->who->user_id, id};
	const char *hp[] = {req->who->user_id, id, mark ? "marked" : "unmarked", NULL};
	struct db *db = req->app->db;
	int64_t basis;
	enum app_err e;

	if ((e = visible_basis(req, &basis, fe)) || (e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, mark ? &q_mark : &q_unmark, kp, NULL)) ||
	    (e = db_query(db, req->arena, &q_history_add, hp, NULL)) || (e = db_commit(db))) {
		db_rollback(db);
		return e;
	}
	return state_body(req, res, id);
}

enum app_err movies_watched_add(struct request *req, struct response *res, struct field_error *fe)
{
	return set_watched(req, res, true, fe);
}

enum app_err movies_watched_remove(struct request *req, struct response *res,
                                   struct field_error *fe)
{
	return set_watched(req, res, false, fe);
}

enum app_err movies_continue(struct request *req, struct response *res, struct field_error *fe)
{
	return mv_list(req, res, &q_continue, &q_continue_count, fe);
}

enum app_err movies_history(struct request *req, struct response *res, struct field_error *fe)
{
	return mv_list(req, res, &q_history, &q_history_count, fe);
}
