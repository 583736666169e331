#include "auth/audit.h"

#include "app.h"
#include "auth/auth.h"

static const struct db_stmt q_insert = {
	"audit_insert",
	"INSERT INTO audit_log (user_id, action, resource_type, resource_id, success, error,"
	" ip, user_agent, request_id, old_values, new_values)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7::inet, left($8, 512), $9, $10::jsonb, $11::jsonb)",
	11, false};

enum app_err audit_write(struct request *req, const struct audit_entry *e)
{
	const char *user = e->user_id;
	const char *ip = req->remote_addr && *req->remote_addr ? req->remote_addr : NULL;

	if (!user && req->who && req->who->user_id[0])
		user = req->who->user_id;
	const char *params[] = {user,
				e->action,
				e->resource_type,
				e->resource_id,
				e->success ? "true" : "false",
				e->error,
				ip,
				req_header(req, "User-Agent"),
				req->request_id,
				e->old_values,
				e->new_values};
	return db_query(req->app->db, req->arena, &q_insert, params, NULL);
}
