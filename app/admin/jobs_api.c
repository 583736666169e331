#include "admin/jobs_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "core/text.h"
#include "db/sql.h"
#include "http/page.h"
#include "jobs/jobs.h"

static const char *const states[] = {"available", "scheduled", "running",  "retryable",
				     "completed", "discarded", "cancelled", NULL};
static const char *const priorities[] = {"critical", "high", "default", "low", "bulk", NULL};

const struct param_spec jobs_list_query[] = {
	{.name = "kind", .type = PT_STRING, .min = 1, .max = 64, .doc = "Only jobs of this kind."},
	{.name = "state", .type = PT_ENUM, .choices = states, .doc = "Only jobs in this state."},
	{.name = "priority", .type = PT_ENUM, .choices = priorities,
	 .doc = "Only jobs of this priority."},
	PAGE_PARAMS,
	{0},
};

#define JOB_COLUMNS                                                                                \
	"id, kind, args::text, priority, state::text, attempt, max_attempts, " SQL_TS("run_at")    \
	", unique_key, request_id, errors::text, locked_by, " SQL_TS("lease_until")                \
	", cancel_requested, " SQL_TS("created_at") ", " SQL_TS("attempted_at") ", "               \
	SQL_TS("finalized_at")

/* newest first; the cursor is the last id shown */
#define LIST_WHERE                                                                                 \
	" WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR state = $2::job_state)"   \
	" AND ($3::smallint IS NULL OR priority = $3::smallint)"

static const struct db_stmt q_list = {
	"jobs_admin_list",
	"SELECT " JOB_COLUMNS " FROM jobs" LIST_WHERE
	" AND ($4::bigint IS NULL OR id < $4::bigint) ORDER BY id DESC LIMIT $5 OFFSET $6",
	6, true};
static const struct db_stmt q_count = {
	"jobs_admin_count", "SELECT count(*) FROM jobs" LIST_WHERE, 3, true};
static const struct db_stmt q_get = {
	"jobs_admin_get", "SELECT " JOB_COLUMNS " FROM jobs WHERE id = $1", 1, true};
static const struct db_stmt q_depth = {
	"jobs_admin_depth",
	"SELECT priority, state::text, count(*) FROM jobs GROUP BY 1, 2 ORDER BY 1, 2", 0, true};
static const struct db_stmt q_oldest = {
	"jobs_admin_oldest",
	"SELECT priority, extract(epoch FROM now() - min(run_at))::bigint FROM jobs"
	" WHERE state IN ('available', 'retryable', 'scheduled') AND run_at <= now() GROUP BY 1",
	0, true};

static void job_json(struct jw *w, const PGresult *r, int row)
{
	int prio = 0;

	if (db_get_int(r, row, 3, &prio))
		w->b->failed = 1; /* a 500, not a made-up priority */
	jw_obj_open(w);
	db_json_int(w, "id", r, row, 0);
	jw_kstr(w, "kind", PQgetvalue(r, row, 1));
	jw_key(w, "args");
	jw_raw(w, PQgetvalue(r, row, 2), (size_t)PQgetlength(r, row, 2));
	jw_kstr(w, "priority", job_priority_name(prio));
	jw_kstr(w, "state", PQgetvalue(r, row, 4));
	db_json_int(w, "attempt", r, row, 5);
	db_json_int(w, "max_attempts", r, row, 6);
	jw_kstr(w, "run_at", PQgetvalue(r, row, 7));
	db_json_str(w, "unique_key", r, row, 8);
	db_json_str(w, "request_id", r, row, 9);
	jw_key(w, "errors");
	jw_raw(w, PQgetvalue(r, row, 10), (size_t)PQgetlength(r, row, 10));
	db_json_str(w, "locked_by", r, row, 11);
	db_json_str(w, "lease_until", r, row, 12);
	jw_kbool(w, "cancel_requested", PQgetvalue(r, row, 13)[0] == 't');
	jw_kstr(w, "created_at", PQgetvalue(r, row, 14));
	db_json_str(w, "attempted_at", r, row, 15);
	db_json_str(w, "finalized_at", r, row, 16);
	jw_obj_close(w);
}

static void job_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	job_json(w, r, row);
}

enum app_err jobs_admin_list(struct request *req, struct response *res, struct field_error *fe)
{
	const struct param_value *kind = req_query(req, "kind"), *state = req_query(req, "state"),
				 *prio = req_query(req, "priority");
	static const struct page_list l = {.list = &q_list, .count = &q_count, .item = job_item,
					   .id_col = 0, .key_col = 0, .id_only = true};
	char pr[8];
	int64_t after = 0;
	struct page p;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)))
		return e;
	if (p.after && parse_int64(p.id, 1, INT64_MAX, &after) < 0)
		return field_fail(fe, APP_ERR_VALIDATION, "cursor", "is not a cursor this list issued");
	if (prio)
		snprintf(pr, sizeof(pr), "%lld", (long long)prio->num);
	const char *params[] = {kind ? kind->str : NULL, state ? state->str : NULL,
				prio ? pr : NULL, NULL, NULL, NULL};
	return page_run(req, res, &p, &l, params, 3, fe);
}

enum app_err jobs_admin_stats(struct request *req, struct response *res, struct field_error *fe)
{
	int64_t depth[JOB_PRIORITIES][7] = {{0}}, oldest[JOB_PRIORITIES] = {0};
	PGresult *r, *o;
	struct jw w;
	enum app_err e;

	(void)fe;
	if ((e = db_query(req->app->db, req->arena, &q_depth, NULL, &r)) ||
	    (e = db_query(req->app->db, req->arena, &q_oldest, NULL, &o)))
		return e;
	for (int i = 0; i < PQntuples(r); i++) {
		int p;
		if ((e = db_get_int(r, i, 0, &p)))
			return e;
		for (int s = 0; states[s]; s++)
			if (p >= 0 && p < JOB_PRIORITIES && !strcmp(states[s], PQgetvalue(r, i, 1)) &&
			    (e = db_get_int64(r, i, 2, &depth[p][s])))
				return e;
	}
	for (int i = 0; i < PQntuples(o); i++) {
		int p;
		if ((e = db_get_int(o, i, 0, &p)))
			return e;
		if (p >= 0 && p < JOB_PRIORITIES && (e = db_get_int64(o, i, 1, &oldest[p])))
			return e;
	}
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "by_priority");
	jw_obj_open(&w);
	for (int p = 0; p < JOB_PRIORITIES; p++) {
		jw_key(&w, priorities[p]);
		jw_obj_open(&w);
		for (int s = 0; states[s]; s++)
			jw_kint(&w, states[s], depth[p][s]);
		/* how long the oldest due job has waited: the starvation signal */
		jw_kint(&w, "oldest_due_seconds", oldest[p]);
		jw_obj_close(&w);
	}
	jw_obj_close(&w);
	jw_key(&w, "by_state");
	jw_obj_open(&w);
	for (int s = 0; states[s]; s++) {
		int64_t sum = 0;
		for (int p = 0; p < JOB_PRIORITIES; p++)
			sum += depth[p][s];
		jw_kint(&w, states[s], sum);
	}
	jw_obj_close(&w);
	jw_obj_close(&w);
	return APP_OK;
}

static enum app_err load(struct request *req, const char *id, PGresult **r)
{
	const char *params[] = {id};
	enum app_err e = db_query(req->app->db, req->arena, &q_get, params, r);
	return e ? e : PQntuples(*r) == 1 ? APP_OK : APP_ERR_NOT_FOUND;
}

enum app_err jobs_admin_get(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = load(req, req_path(req, "id")->str, &r)))
		return e == APP_ERR_NOT_FOUND ? field_fail(fe, e, "", "no such job") : e;
	jw_init(&w, &res->body);
	job_json(&w, r, 0);
	return APP_OK;
}

/* retry or cancel, audited in the same transaction */
static enum app_err act(struct request *req, struct response *res, struct field_error *fe,
			bool retry)
{
	const struct param_value *id = req_path(req, "id");
	struct db *db = req->app->db;
	PGresult *before, *after;
	struct jw w;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = load(req, id->str, &before)))
		goto fail;
	e = retry ? job_retry(db, req->arena, id->num) : job_cancel(db, req->arena, id->num);
	if (e == APP_ERR_CONFLICT)
		e = field_fail(fe, e, "id", "the job is %s; %s", PQgetvalue(before, 0, 4),
			       retry ? "only discarded or cancelled jobs are retried"
				     : "it has already finished");
	if (e)
		goto fail;
	char *old = arena_printf(req->arena, "{\"state\":\"%s\"}", PQgetvalue(before, 0, 4));
	struct audit_entry a = {NULL, retry ? "admin.job.retry" : "admin.job.cancel", "job",
				id->str, true, NULL, old, NULL};
	if ((e = audit_write(req, &a)) || (e = load(req, id->str, &after)))
		goto fail;
	if ((e = db_commit(db)))
		return e;
	jw_init(&w, &res->body);
	job_json(&w, after, 0);
	return APP_OK;
fail:
	db_rollback(db);
	return e == APP_ERR_NOT_FOUND ? field_fail(fe, e, "", "no such job") : e;
}

enum app_err jobs_admin_retry(struct request *req, struct response *res, struct field_error *fe)
{
	return act(req, res, fe, true);
}

enum app_err jobs_admin_cancel(struct request *req, struct response *res, struct field_error *fe)
{
	return act(req, res, fe, false);
}
