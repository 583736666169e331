#include "auth/audit.h"

#include "app.h"
#include "auth/auth.h"

static const struct db_stmt q_insert = {
	"audit_insert",
	"INSERT INTO audit_log (user_id, action, resource_type, resource_id, success, error,"
	" ip, user_agent, request_id, old_values, new_values)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7::inet, left($8, 512), $9, $10::jsonb, $11::jsonb)",
	11, false};

enum app_err audit_record(struct db *db, struct arena *a, const struct principal *who,
			  const struct audit_origin *origin, const struct audit_entry *e)
{
	static const struct audit_origin none = {NULL, NULL, NULL};
	const struct audit_origin *o = origin ? origin : &none;
	const char *user = e->user_id;

	if (!user && who && who->user_id[0])
		user = who->user_id;
	const char *params[] = {user,
				e->action,
				e->resource_type,
				e->resource_id,
				e->success ? "true" : "false",
				e->error,
				o->ip && *o->ip ? o->ip : NULL,
				o->user_agent,
				o->request_id,
				e->old_values,
				e->new_values};
	return db_query(db, a, &q_insert, params, NULL);
}

enum app_err audit_write(struct request *req, const struct audit_entry *e)
{
	const struct audit_origin o = {req->remote_addr, req_header(req, "User-Agent"),
				       req->request_id};

	return audit_record(req->app->db, req->arena, req->who, &o, e);
}
