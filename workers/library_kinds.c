#include "library_kinds.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include <openssl/crypto.h>

#include "integrations/arr.h"
#include "integrations/arr_api.h"
#include "jobs/jobs.h"
#include "library/artwork.h"
#include "library/scan.h"
#include "metadata/identify.h"
#include "metadata/tmdb.h"
#include "notify/notify.h"
#include "storage/storage.h"
#include "stats.h"

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t scan_batch = 500, missing_grace_ms = 72LL * 3600 * 1000,
	       stale_ms = 168LL * 3600 * 1000, settle_ms = 10 * 1000;
static char sizes[4][17] = {"w780", "w1280", "w300", "w185"};
static char secret_key[65]; /* auth.secret_key, for integration API keys */

void library_kinds_configure(const struct config *cfg)
{
	tmdb_configure(cfg);
	identify_configure(cfg);
	storage_configure(cfg);
	pthread_mutex_lock(&cfg_lock);
	scan_batch = cfg->library_scan_batch;
	missing_grace_ms = cfg->library_missing_grace;
	stale_ms = cfg->metadata_stale_after;
	settle_ms = cfg->library_settle_seconds * 1000;
	snprintf(secret_key, sizeof(secret_key), "%s",
		 cfg->auth_secret_key ? cfg->auth_secret_key : "");
	snprintf(sizes[0], sizeof(sizes[0]), "%s", cfg->images_poster_size);
	snprintf(sizes[1], sizeof(sizes[1]), "%s", cfg->images_backdrop_size);
	snprintf(sizes[2], sizeof(sizes[2]), "%s", cfg->images_still_size);
	snprintf(sizes[3], sizeof(sizes[3]), "%s", cfg->images_profile_size);
	pthread_mutex_unlock(&cfg_lock);
}

static bool stop_cb(void *arg)
{
	return job_should_stop(arg);
}

/* --- one scan of a library at a time ---------------------------------------- */

/*
 * Two scans of one library running at once could both find a new file new:
 * both would probe it and queue a match job each (a watcher's scan of a
 * folder beside a settle follow-up of the same folder, or a full scan). So
 * a scan holds a session-level advisory lock keyed by its library on the
 * executor's connection while it runs; a scan that finds the lock taken is
 * snoozed (its unique key stays held, so a burst still makes one job) and
 * runs after the other, seeing what the other stored. The lock goes with
 * the session if the worker dies.
 */
#define SCAN_LOCK_CLASS "1381389123" /* 0x52565343, "RVSC" */
static const struct db_stmt q_scan_lock = {
    "kind_scan_lock", "SELECT pg_try_advisory_lock(" SCAN_LOCK_CLASS ", hashtext($1))", 1, false};
static const struct db_stmt q_scan_unlock = {
    "kind_scan_unlock", "SELECT pg_advisory_unlock(" SCAN_LOCK_CLASS ", hashtext($1))", 1, false};
#define SCAN_BUSY_SNOOZE_MS 1000

/* 1: locked; 0: another scan of the library runs; -1: database error. */
static int scan_lock(struct job_ctx *ctx, const char *library_id)
{
	const char *p[] = {library_id};
	PGresult *r;

	if (db_query(ctx->db, ctx->arena, &q_scan_lock, p, &r) || PQntuples(r) != 1)
		return -1;
	return PQgetvalue(r, 0, 0)[0] == 't';
}

static void scan_unlock(struct job_ctx *ctx, const char *library_id)
{
	const char *p[] = {library_id};

	/* a failure here means the session is gone, and the lock with it */
	(void)db_query(ctx->db, ctx->arena, &q_scan_unlock, p, NULL);
}

/* --- library.scan -------------------------------------------------------- */

/* Run the scan o describes (the pipeline's settings filled in here), count
 * it in the worker's stats and log its counts as what ("scan 12", "path
 * /srv/m/X"). */
static enum app_err run_scan(struct job_ctx *ctx, const struct job *job, struct scan_opts *o,
			     const char *what, struct scan_stats *st, char *err, size_t errlen)
{
	pthread_mutex_lock(&cfg_lock);
	o->batch = scan_batch;
	o->grace_ms = missing_grace_ms;
	pthread_mutex_unlock(&cfg_lock);
	o->request_id = job->request_id;
	o->should_stop = stop_cb;
	o->stop_arg = ctx;
	/* one scan of a library at a time: APP_ERR_LOCKED when another runs */
	int locked = scan_lock(ctx, o->library_id);
	if (locked <= 0)
		return locked < 0 ? APP_ERR_DB : APP_ERR_LOCKED;
	int64_t t0 = now_mono_us();
	enum app_err e = scan_run(ctx->db, ctx->arena, o, st, err, errlen);
	scan_unlock(ctx, o->library_id);
	stats_scan(e == APP_OK, (now_mono_us() - t0) / 1000, st->seen, st->errors);
	log_info(o->path ? "scan.path" : "scan.done",
		 "library %s %s: %s seen=%lld added=%lld changed=%lld unchanged=%lld "
		 "missing=%lld removed=%lld unsettled=%lld errors=%lld",
		 o->library_id, what ? what : "-", e ? err : "ok", (long long)st->seen,
		 (long long)st->added, (long long)st->changed, (long long)st->unchanged,
		 (long long)st->missing, (long long)st->removed, (long long)st->unsettled,
		 (long long)st->errors);
	return e;
}

static const struct db_stmt q_scan_gone = {
    "kind_scan_gone",
    "UPDATE library_scans SET status = $2, message = $3, finished_at = now(),"
    " duration_ms = (extract(epoch FROM now() - coalesce(started_at, created_at)) * 1000)::bigint"
    " WHERE id = $1 AND status IN ('queued', 'running')",
    3, false};

static const struct db_stmt q_library_name = {
    "kind_library_name", "SELECT name FROM libraries WHERE id = $1", 1, true};

/* library.scan_finished or library.scan_failed (notify/notify.h) for a
 * scan that ended for good. Its own statement: the scan is recorded
 * already, and a notification that cannot be queued is logged, never a
 * reason to scan again. */
static void scan_event(struct job_ctx *ctx, const char *lib, int64_t scan_id, const char *type,
		       const struct scan_stats *st, const char *error)
{
	const char *p[] = {lib}, *name = lib;
	PGresult *r;
	struct arena *a = ctx->arena;

	if (!db_query(ctx->db, a, &q_library_name, p, &r) && PQntuples(r) == 1)
		name = PQgetvalue(r, 0, 0);
	const char *counts = arena_printf(
	    a, "%lld files seen: %lld added, %lld changed, %lld missing, %lld removed, %lld errors.",
	    (long long)st->seen, (long long)st->added, (long long)st->changed,
	    (long long)st->missing, (long long)st->removed, (long long)st->errors);
	const char *payload = notify_payload(
	    a, arena_printf(a, "Library scan %s: %s", error ? "failed" : "finished", name),
	    error ? arena_printf(a, "The %s scan of %s failed: %s", type, name, error)
	          : arena_printf(a, "The %s scan of %s finished. %s", type, name, counts),
	    (const char *const[]){"library_id", lib, "library_name", name, "scan_id",
	                          arena_printf(a, "%lld", (long long)scan_id), "scan_type", type,
	                          "error", error, "files_seen",
	                          arena_printf(a, "%lld", (long long)st->seen), "files_added",
	                          arena_printf(a, "%lld", (long long)st->added), "files_removed",
	                          arena_printf(a, "%lld", (long long)st->removed), "errors",
	                          arena_printf(a, "%lld", (long long)st->errors), NULL});
	if (notify_event(ctx->db, a, error ? "library.scan_failed" : "library.scan_finished",
	                 payload, NULL))
		log_warn("notify.event", "library %s scan %lld: the notification was not queued",
		         lib, (long long)scan_id);
}

enum job_outcome kind_library_scan(struct job_ctx *ctx, const struct job *job,
				   struct job_result *res)
{
	const char *lib = NULL, *type = "incremental";
	int64_t scan_id = 0;
	struct scan_stats st = {0};
	char err[256];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (json_get_str(job->args, "library_id", true, 36, 36, &lib, NULL) ||
	    json_get_int(job->args, "scan_id", true, 1, INT64_MAX, &scan_id, NULL) ||
	    json_get_str(job->args, "scan_type", false, 1, 16, &type, NULL) || scan_type_parse(type) < 0)
		return job_error(res, JOB_FAIL, "args need library_id, scan_id and a scan_type");
	struct scan_opts o = {.library_id = lib,
			      .scan_id = scan_id,
			      .type = (enum scan_type)scan_type_parse(type),
			      .threads = cores > 1 ? (int)cores : 1};
	enum app_err e = run_scan(ctx, job, &o, arena_printf(ctx->arena, "scan %lld", (long long)scan_id),
				  &st, err, sizeof(err));
	if (e == APP_ERR_LOCKED)
		return job_snooze(res, SCAN_BUSY_SNOOZE_MS);
	if (e == APP_OK) {
		if (job_should_stop(ctx))
			return job_error(res, JOB_CANCEL, "scan stopped");
		scan_event(ctx, lib, scan_id, type, &st, NULL);
		return JOB_OK;
	}
	if (e == APP_ERR_NOT_FOUND)
		return job_error(res, JOB_FAIL, "%s", err);
	if (e == APP_ERR_UNAVAILABLE) {
		/* recorded on the scan as failed */
		scan_event(ctx, lib, scan_id, type, &st, err);
		return job_error(res, JOB_FAIL, "%s", err);
	}
	if (job->attempt >= job->max_attempts) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)scan_id);
		const char *p[] = {id, "failed", err};
		db_query(ctx->db, ctx->arena, &q_scan_gone, p, NULL);
		scan_event(ctx, lib, scan_id, type, &st, err);
	}
	return job_error(res, JOB_RETRY, "%s", err);
}

/* --- library.scan_path ---------------------------------------------------- */

/* present files below the folder the scan did not queue (unchanged): their
 * item is identified again, for a webhook's re-sync */
static const struct db_stmt q_rematch = {
    "kind_scan_path_rematch",
    "INSERT INTO jobs (kind, args, priority, request_id)"
    " SELECT 'library.match', jsonb_build_object('file_id', id, 'refresh', true), 1, $4"
    " FROM media_files WHERE library_id = $1 AND (path = $2 OR starts_with(path, $2 || '/'))"
    " AND state = 'present' AND match_status <> 'manual' AND updated_at < $3::timestamptz",
    4, false};
static const struct db_stmt q_now = {"kind_scan_path_now", "SELECT now()::text", 0, false};

/* A targeted scan of path in lib for job (see library.scan_path). */
static enum job_outcome path_scan(struct job_ctx *ctx, const struct job *job,
				  struct job_result *res, const char *lib, const char *path,
				  bool rematch, bool settle)
{
	struct scan_stats st = {0};
	char err[256];
	PGresult *r;

	if (db_query(ctx->db, ctx->arena, &q_now, NULL, &r))
		return job_error(res, JOB_RETRY, "database error");
	const char *started = arena_strdup(ctx->arena, PQgetvalue(r, 0, 0));
	pthread_mutex_lock(&cfg_lock);
	struct scan_opts o = {.library_id = lib,
			      .path = path,
			      .settle_ms = settle ? settle_ms : 0,
			      .type = SCAN_INCREMENTAL,
			      .threads = 1};
	pthread_mutex_unlock(&cfg_lock);
	enum app_err e = run_scan(ctx, job, &o, arena_printf(ctx->arena, "path %s", path), &st,
				  err, sizeof(err));
	if (e == APP_ERR_LOCKED)
		return job_snooze(res, SCAN_BUSY_SNOOZE_MS);
	if (e == APP_ERR_NOT_FOUND || e == APP_ERR_UNAVAILABLE)
		return job_error(res, JOB_FAIL, "%s", err);
	if (e)
		return job_error(res, JOB_RETRY, "%s", err);
	const char *pr[] = {lib, path, started, job->request_id};
	if (rematch && db_query(ctx->db, ctx->arena, &q_rematch, pr, NULL))
		return job_error(res, JOB_RETRY, "database error");
	if (st.unsettled) {
		/* a copy in progress: look again once its newest file settled;
		 * no unique key: one follow-up per run, so the chain stays one */
		char *args = arena_printf(ctx->arena, "{\"library_id\":\"%s\",\"settle\":true,\"path\":",
					  lib);
		struct buf b;
		struct jw w;
		buf_init(&b, 16 * 1024);
		jw_init(&w, &b);
		jw_str(&w, path);
		args = args && buf_ok(&b) ? arena_printf(ctx->arena, "%s%s}", args, b.data) : NULL;
		buf_release(&b);
		struct job_spec again = {.kind = "library.scan_path",
					 .args = args,
					 .priority = JOB_DEFAULT,
					 .delay_ms = st.settle_wait_ms + 500,
					 .request_id = job->request_id};
		int64_t id;
		if (!args || job_enqueue(ctx->db, ctx->arena, &again, &id, NULL))
			return job_error(res, JOB_RETRY, "database error");
	}
	return JOB_OK;
}

enum job_outcome kind_library_scan_path(struct job_ctx *ctx, const struct job *job,
					struct job_result *res)
{
	const char *lib = NULL, *path = NULL;
	bool rematch = false, settle = false;

	if (json_get_str(job->args, "library_id", true, 36, 36, &lib, NULL) ||
	    json_get_str(job->args, "path", true, 2, 4096, &path, NULL) ||
	    json_get_bool(job->args, "rematch", false, &rematch, NULL) ||
	    json_get_bool(job->args, "settle", false, &settle, NULL))
		return job_error(res, JOB_FAIL, "args need library_id and path (rematch, settle)");
	return path_scan(ctx, job, res, lib, path, rematch, settle);
}

/* --- integration.event ------------------------------------------------------- */

static const struct db_stmt q_forget = {
    "kind_integ_forget", "DELETE FROM path_hints WHERE library_id = $1 AND path = $2", 2, false};
static const struct db_stmt q_drop = {
    "kind_integ_drop",
    "DELETE FROM media_files WHERE library_id = $1 AND path IN (SELECT"
    " jsonb_array_elements_text($2::jsonb)) RETURNING path",
    2, false};

enum job_outcome kind_integration_event(struct job_ctx *ctx, const struct job *job,
					struct job_result *res)
{
	const char *lib = NULL, *folder = NULL, *scan = NULL, *source = "", *event = "";
	bool forget = false, rematch = false;
	const cJSON *drop = cJSON_GetObjectItemCaseSensitive(job->args, "drop"), *it;
	struct buf b;
	struct jw w;

	if (json_get_str(job->args, "library_id", true, 36, 36, &lib, NULL) ||
	    json_get_str(job->args, "folder", true, 2, 8192, &folder, NULL) ||
	    json_get_str(job->args, "scan", true, 2, 8192, &scan, NULL) ||
	    json_get_str(job->args, "source", false, 1, 16, &source, NULL) ||
	    json_get_str(job->args, "event", false, 1, 64, &event, NULL) ||
	    json_get_bool(job->args, "forget", false, &forget, NULL) ||
	    json_get_bool(job->args, "rematch", false, &rematch, NULL) ||
	    (drop && !cJSON_IsArray(drop)))
		return job_error(res, JOB_FAIL, "args need library_id, folder and scan");
	/* the files it deleted go now (the folder's scan would only mark them
	 * missing), and a forgotten item's ids with them, in one transaction */
	buf_init(&b, 4u * 1024 * 1024);
	jw_init(&w, &b);
	jw_arr_open(&w);
	cJSON_ArrayForEach(it, drop)
	{
		if (cJSON_IsString(it))
			jw_str(&w, it->valuestring);
	}
	jw_arr_close(&w);
	char *list = buf_ok(&b) ? arena_strdup(ctx->arena, b.data) : NULL;
	buf_release(&b);
	const char *pf[] = {lib, folder};
	const char *pd[] = {lib, list};
	PGresult *gone = NULL;
	if (!list)
		return job_error(res, JOB_RETRY, "out of memory");
	if (db_begin(ctx->db) || (forget && db_query(ctx->db, ctx->arena, &q_forget, pf, NULL)) ||
	    db_query(ctx->db, ctx->arena, &q_drop, pd, &gone) || db_commit(ctx->db)) {
		db_rollback(ctx->db);
		return job_error(res, JOB_RETRY, "database error");
	}
	log_info("integration.event", "%s %s: %d file(s) dropped, scanning %s", source, event,
		 PQntuples(gone), scan);
	return path_scan(ctx, job, res, lib, scan, rematch, false);
}

/* --- integration.sync ------------------------------------------------------ */

enum job_outcome kind_integration_sync(struct job_ctx *ctx, const struct job *job,
				       struct job_result *res)
{
	const char *kind = NULL;
	int64_t item = 0;
	char key[65], err[256];
	struct arr_sync_stats st;

	if (json_get_str(job->args, "kind", true, 6, 6, &kind, NULL) || arr_kind_parse(kind) < 0 ||
	    json_get_int(job->args, "item_id", false, 1, 2147483647, &item, NULL))
		return job_error(res, JOB_FAIL, "args need kind (radarr|sonarr) and an optional item_id");
	pthread_mutex_lock(&cfg_lock);
	memcpy(key, secret_key, sizeof(key));
	pthread_mutex_unlock(&cfg_lock);
	enum app_err e = arr_sync(ctx->db, ctx->arena, key, kind, item, job->request_id, &st, err,
				  sizeof(err));
	OPENSSL_cleanse(key, sizeof(key));
	log_info("integration.sync",
		 "%s%s: %s items=%lld in_library=%lld outside=%lld hints_changed=%lld rematched=%lld "
		 "scans=%lld forgotten=%lld",
		 kind, item ? " (one item)" : "", e ? err : "ok", (long long)st.items,
		 (long long)st.in_library, (long long)st.outside, (long long)st.hinted,
		 (long long)st.changed, (long long)st.scans, (long long)st.forgotten);
	if (!e)
		return JOB_OK;
	/* not set up, a key that does not open or is refused: an admin must act */
	if (e == APP_ERR_NOT_FOUND || e == APP_ERR_CONFLICT || e == APP_ERR_UNPROCESSABLE)
		return job_error(res, JOB_FAIL, "%s", err);
	return job_error(res, JOB_RETRY, "%s", err[0] ? err : app_err_title(e));
}

/* integrations with an API key whose interval has passed since their last
 * sync get one (one queued at a time) */
static const struct db_stmt q_sync_due = {
    "kind_integ_sync_due",
    "INSERT INTO jobs (kind, args, priority, unique_key)"
    " SELECT 'integration.sync', jsonb_build_object('kind', kind), 3, 'integration.sync:' || kind"
    " FROM integrations WHERE enabled AND api_key_sealed IS NOT NULL AND base_url IS NOT NULL"
    " AND sync_interval_minutes > 0 AND (last_sync_at IS NULL OR last_sync_at < now()"
    " - sync_interval_minutes * interval '1 minute') ON CONFLICT DO NOTHING",
    0, false};

enum job_outcome kind_integration_sync_due(struct job_ctx *ctx, const struct job *job,
					   struct job_result *res)
{
	(void)job;
	if (db_query(ctx->db, ctx->arena, &q_sync_due, NULL, NULL))
		return job_error(res, JOB_RETRY, "database error");
	return JOB_OK;
}

/* --- library.match ------------------------------------------------------- */

/* system.tmdb_failing (notify/notify.h): TMDb failed an identification
 * after its own retries. While the failure lasts every file's match says
 * so; a channel hears of it once an hour. */
static void tmdb_failing(struct job_ctx *ctx, const char *err)
{
	struct arena *a = ctx->arena;
	const char *payload = notify_payload(
	    a, "TMDb is failing",
	    arena_printf(a,
	                 "Identifying files with TMDb fails: %s. Files wait and are identified "
	                 "again later.",
	                 err),
	    (const char *const[]){"error", err, NULL});

	if (notify_event_throttled(ctx->db, a, "system.tmdb_failing", payload, 3600, NULL))
		log_warn("notify.event", "system.tmdb_failing was not queued");
}

enum job_outcome kind_library_match(struct job_ctx *ctx, const struct job *job,
				    struct job_result *res)
{
	struct identify_args a = {0};
	struct identify_result r;
	char err[256];

	if (json_get_str(job->args, "file_id", true, 36, 36, &a.file_id, NULL) ||
	    json_get_int(job->args, "tmdb_id", false, 1, 2147483647, &a.tmdb_id, NULL) ||
	    json_get_bool(job->args, "manual", false, &a.manual, NULL) ||
	    json_get_bool(job->args, "refresh", false, &a.refresh, NULL))
		return job_error(res, JOB_FAIL, "args need a file_id (and optional tmdb_id, manual, refresh)");
	if (a.manual && !a.tmdb_id)
		return job_error(res, JOB_FAIL, "a manual match needs a tmdb_id");
	enum app_err e = identify_file(ctx->db, ctx->arena, &a, &r, err, sizeof(err));
	if (e)
		return job_error(res, JOB_RETRY, "identify: %s", err[0] ? err : app_err_title(e));
	/* pictures next to the file, for the item it is linked to now */
	if (artwork_enqueue(ctx->db, ctx->arena, a.file_id, a.refresh, job->request_id))
		return job_error(res, JOB_RETRY, "database error");
	if (r.retry) {
		tmdb_failing(ctx, err);
		return job_error(res, JOB_RETRY, "provider: %s", err);
	}
	return JOB_OK;
}

/* --- image.local ----------------------------------------------------------- */

enum job_outcome kind_image_local(struct job_ctx *ctx, const struct job *job,
				  struct job_result *res)
{
	const char *movie = NULL, *series = NULL;
	struct artwork_result r;
	char err[200];

	if (json_get_str(job->args, "movie_id", false, 36, 36, &movie, NULL) ||
	    json_get_str(job->args, "series_id", false, 36, 36, &series, NULL) || !movie == !series)
		return job_error(res, JOB_FAIL, "args need a movie_id or a series_id");
	enum app_err e = artwork_ingest(ctx->db, ctx->arena, movie, series, &r, err, sizeof(err));
	if (e == APP_ERR_NOT_FOUND)
		return JOB_OK; /* the item went meanwhile */
	if (e == APP_ERR_VALIDATION)
		return job_error(res, JOB_FAIL, "%s", err);
	if (e)
		return job_error(res, JOB_RETRY, "local artwork: %s", err);
	log_info("artwork.done", "%s %s: poster=%s backdrop=%s stored=%d refused=%d",
		 movie ? "movie" : "series", movie ? movie : series, r.poster ? "local" : "none",
		 r.backdrop ? "local" : "none", r.stored, r.refused);
	return JOB_OK;
}

/* --- image.fetch --------------------------------------------------------- */

static const struct db_stmt q_image = {
    "kind_image", "SELECT kind, provider_path, state FROM images WHERE id = $1", 1, true};
static const struct db_stmt q_image_done = {
    "kind_image_done",
    "UPDATE images SET state = $2, storage_key = $3, bytes = $4::int, error = $5,"
    " attempts = attempts + 1, fetched_at = CASE WHEN $2 = 'stored' THEN now() END WHERE id = $1",
    5, false};

enum job_outcome kind_image_fetch(struct job_ctx *ctx, const struct job *job,
				  struct job_result *res)
{
	static const char *const kinds[] = {"poster", "backdrop", "still", "profile"};
	int64_t id = 0;
	char ids[24], size[17] = "original", err[200] = "";
	const char *want = NULL;
	PGresult *r;
	struct buf b;

	if (json_get_int(job->args, "image_id", true, 1, INT64_MAX, &id, NULL))
		return job_error(res, JOB_FAIL, "args need an image_id");
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	const char *p[] = {ids};
	if (db_query(ctx->db, ctx->arena, &q_image, p, &r))
		return job_error(res, JOB_RETRY, "database error");
	if (PQntuples(r) != 1 || !strcmp(PQgetvalue(r, 0, 2), "stored"))
		return JOB_OK;
	const char *kind = PQgetvalue(r, 0, 0), *path = PQgetvalue(r, 0, 1);
	pthread_mutex_lock(&cfg_lock);
	for (int i = 0; i < 4; i++)
		if (!strcmp(kind, kinds[i]))
			want = sizes[i];
	if (want)
		memcpy(size, want, sizeof(size));
	pthread_mutex_unlock(&cfg_lock);
	buf_init(&b, 21u * 1024 * 1024);
	enum app_err e = tmdb_image(size, path, &b, err, sizeof(err));
	char *key = arena_printf(ctx->arena, "images/%s/%s%s", kind, size, path);
	if (!e)
		e = storage_put(key, b.data, b.len);
	char len[24];
	snprintf(len, sizeof(len), "%zu", b.len);
	buf_release(&b);
	/* a failed image never fails its item: it is recorded and retried a
	 * few times, then left as failed */
	bool last = job->attempt >= 3 || e == APP_ERR_NOT_FOUND || e == APP_ERR_VALIDATION;
	const char *pd[] = {ids, e ? (last ? "failed" : "pending") : "stored", e ? NULL : key,
			    e ? NULL : len, e ? (err[0] ? err : app_err_title(e)) : NULL};
	if (db_query(ctx->db, ctx->arena, &q_image_done, pd, NULL))
		return job_error(res, JOB_RETRY, "database error");
	if (e && !last)
		return job_error(res, JOB_RETRY, "image %s: %s", path, err[0] ? err : app_err_title(e));
	return JOB_OK;
}

/* --- periodic ------------------------------------------------------------ */

/* every enabled library whose interval has passed since its last scan
 * gets an incremental scan (skipped while one is queued or running) */
static const struct db_stmt q_due = {
    "kind_scan_due",
    "WITH due AS (SELECT l.id AS library_id, nextval('library_scans_id_seq') AS scan_id"
    " FROM libraries l WHERE l.enabled AND l.scan_interval_minutes > 0"
    " AND (l.last_scan_at IS NULL OR l.last_scan_at < now() - l.scan_interval_minutes * interval '1 minute')"
    " AND NOT EXISTS (SELECT 1 FROM library_scans s WHERE s.library_id = l.id"
    "  AND s.status IN ('queued', 'running'))"
    " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.unique_key = 'library.scan:' || l.id"
    "  AND j.state IN ('available', 'scheduled', 'running', 'retryable'))"
    " FOR UPDATE OF l SKIP LOCKED),"
    " jb AS (INSERT INTO jobs (kind, args, priority, unique_key)"
    " SELECT 'library.scan', jsonb_build_object('library_id', library_id, 'scan_id', scan_id,"
    " 'scan_type', 'incremental'), 2, 'library.scan:' || library_id FROM due"
    " ON CONFLICT DO NOTHING RETURNING id, (args->>'scan_id')::bigint AS scan_id)"
    /* a scan row only for the jobs actually added */
    " INSERT INTO library_scans (id, library_id, scan_type, job_id)"
    " SELECT d.scan_id, d.library_id, 'incremental', jb.id FROM due d JOIN jb ON jb.scan_id = d.scan_id"
    " ON CONFLICT DO NOTHING",
    0, false};

enum job_outcome kind_library_scan_due(struct job_ctx *ctx, const struct job *job,
				       struct job_result *res)
{
	(void)job;
	if (db_query(ctx->db, ctx->arena, &q_due, NULL, NULL))
		return job_error(res, JOB_RETRY, "database error");
	return JOB_OK;
}

/* files identified only locally, or whose item has not been refreshed
 * for metadata.stale_after, are identified again (low priority) */
static const struct db_stmt q_stale = {
    "kind_refresh_stale",
    "INSERT INTO jobs (kind, args, priority)"
    " SELECT 'library.match', jsonb_build_object('file_id', f.id, 'refresh', true), 3"
    " FROM media_files f LEFT JOIN movies m ON m.id = f.movie_id"
    " LEFT JOIN series s ON s.id = f.series_id"
    " WHERE f.state = 'present' AND (f.match_status IN ('local', 'error', 'pending')"
    " OR coalesce(m.metadata_refreshed_at, s.metadata_refreshed_at) < now() - $1::bigint * interval '1 millisecond')"
    " AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'library.match'"
    "  AND j.args->>'file_id' = f.id::text AND j.state IN ('available', 'scheduled', 'retryable'))"
    " LIMIT 10000",
    1, false};

enum job_outcome kind_metadata_refresh_stale(struct job_ctx *ctx, const struct job *job,
					     struct job_result *res)
{
	char ms[24];
	(void)job;
	if (!tmdb_enabled())
		return JOB_OK; /* nothing can upgrade without a provider */
	pthread_mutex_lock(&cfg_lock);
	snprintf(ms, sizeof(ms), "%lld", (long long)stale_ms);
	pthread_mutex_unlock(&cfg_lock);
	const char *p[] = {ms};
	if (db_query(ctx->db, ctx->arena, &q_stale, p, NULL))
		return job_error(res, JOB_RETRY, "database error");
	return JOB_OK;
}

/* --- metadata.refresh ------------------------------------------------------ */

/* the files of one movie, series, season or episode, identified again with
 * a fresh provider fetch (a manual match keeps its choice and re-reads it) */
static const struct db_stmt q_refresh = {
    "kind_refresh",
    "INSERT INTO jobs (kind, args, priority, request_id)"
    " SELECT DISTINCT 'library.match', jsonb_build_object('file_id', f.id, 'refresh', true), 2, $5"
    " FROM media_files f"
    " WHERE f.state = 'present' AND (f.movie_id = $1::uuid OR f.series_id = $2::uuid"
    " OR f.id IN (SELECT fe.file_id FROM media_file_episodes fe JOIN episodes e"
    "  ON e.id = fe.episode_id WHERE e.season_id = $3::uuid OR e.id = $4::uuid))",
    5, false};

enum job_outcome kind_metadata_refresh(struct job_ctx *ctx, const struct job *job,
				       struct job_result *res)
{
	static const char *const keys[] = {"movie_id", "series_id", "season_id", "episode_id"};
	const char *p[5] = {NULL, NULL, NULL, NULL, job->request_id};
	int given = 0;

	for (int i = 0; i < 4; i++) {
		if (json_get_str(job->args, keys[i], false, 36, 36, &p[i], NULL))
			return job_error(res, JOB_FAIL, "args.%s must be a UUID", keys[i]);
		given += p[i] != NULL;
	}
	if (given != 1)
		return job_error(res, JOB_FAIL, "args need one of movie_id, series_id, season_id, episode_id");
	enum app_err e = db_query(ctx->db, ctx->arena, &q_refresh, p, NULL);
	if (e == APP_ERR_VALIDATION)
		return job_error(res, JOB_FAIL, "not a UUID");
	if (e)
		return job_error(res, JOB_RETRY, "database error");
	return JOB_OK;
}
