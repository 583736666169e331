#include "settings/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/rbac.h"
#include "db/sql.h"
#include "settings/settings.h"

/* What a secret setting's value reads as, everywhere it leaves the server. */
#define MASKED "\"********\""

/* clang-format off */
static const struct db_stmt q_server_all = {
	"settings_server_all",
	"SELECT key, value::text, " SQL_TS("updated_at") " FROM server_settings", 0, true};
static const struct db_stmt q_server_one = {
	"settings_server_one",
	"SELECT value::text, " SQL_TS("updated_at") " FROM server_settings WHERE key = $1", 1,
	true};
static const struct db_stmt q_server_lock = {
	"settings_server_lock",
	"SELECT value::text FROM server_settings WHERE key = $1 FOR UPDATE", 1, false};
static const struct db_stmt q_server_upsert = {
	"settings_server_upsert",
	"INSERT INTO server_settings (key, value, updated_by) VALUES ($1, $2::jsonb, $3)"
	" ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(),"
	" updated_by = EXCLUDED.updated_by RETURNING value::text, " SQL_TS("updated_at"),
	3, false};

static const struct db_stmt q_user_all = {
	"settings_user_all",
	"SELECT key, value::text FROM user_settings WHERE user_id = $1 ORDER BY key", 1, true};
static const struct db_stmt q_user_one = {
	"settings_user_one",
	"SELECT value::text, " SQL_TS("updated_at")
	" FROM user_settings WHERE user_id = $1 AND key = $2",
	2, true};
/* Serialises one user's writes so the key cap holds under concurrency:
 * FOR NO KEY UPDATE conflicts only with itself (and stronger locks), not
 * with the KEY SHARE locks foreign-key checks elsewhere take. */
static const struct db_stmt q_user_lock = {
	"settings_user_lock",
	"SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE", 1, false};
static const struct db_stmt q_user_count = {
	"settings_user_count",
	"SELECT count(*), coalesce(bool_or(key = $2), false) FROM user_settings WHERE user_id = $1",
	2, false};
static const struct db_stmt q_user_upsert = {
	"settings_user_upsert",
	"INSERT INTO user_settings (user_id, key, value) VALUES ($1, $2, $3::jsonb)"
	" ON CONFLICT (user_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()"
	" RETURNING xmax = 0, value::text, " SQL_TS("updated_at"),
	3, false};
static const struct db_stmt q_user_delete = {
	"settings_user_delete",
	"DELETE FROM user_settings WHERE user_id = $1 AND key = $2 RETURNING 1", 2, false};
/* clang-format on */


static const char *type_name(enum setting_type t)
{
	switch (t) {
	case ST_BOOL:
		return "boolean";
	case ST_INT:
		return "integer";
	case ST_STRING:
		return "string";
	}
	return "unknown";
}

/* value: stored JSON text or NULL (then the default); updated_at may be NULL. */
static void setting_json(struct jw *w, const struct setting_def *d, const char *value,
                         const char *updated_at)
{
	const char *v = d->secret ? MASKED : value ? value : d->def;

	jw_obj_open(w);
	jw_kstr(w, "key", d->key);
	jw_key(w, "value");
	jw_raw(w, v, strlen(v));
	jw_kstr(w, "type", type_name(d->type));
	jw_kbool(w, "public", d->public);
	jw_kbool(w, "secret", d->secret);
	jw_kstr(w, "description", d->doc);
	jw_kstr(w, "updated_at", updated_at); /* NULL writes null */
	jw_obj_close(w);
}

/* Row of r (key, value, updated_at) holding key, or -1. */
static int find_row(const PGresult *r, const char *key)
{
	for (int i = 0; i < PQntuples(r); i++)
		if (!strcmp(PQgetvalue(r, i, 0), key))
			return i;
	return -1;
}

enum app_err settings_server_list(struct request *req, struct response *res, struct field_error *fe)
{
	size_t n;
	const struct setting_def *defs = settings_defs(&n);
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if ((e = db_query(req->app->db, req->arena, &q_server_all, NULL, &r)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (size_t i = 0; i < n; i++) {
		int row = find_row(r, defs[i].key);
		setting_json(&w, &defs[i], row < 0 ? NULL : PQgetvalue(r, row, 1),
		             row < 0 ? NULL : PQgetvalue(r, row, 2));
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	return APP_OK;
}

static enum app_err declared(struct request *req, const struct setting_def **d,
                             struct field_error *fe)
{
	const struct param_value *key = req_path(req, "key");

	if (!key || !(*d = settings_find(key->str)))
		return field_fail(fe, APP_ERR_NOT_FOUND, "key", "is not a server setting");
	return APP_OK;
}

enum app_err settings_server_get(struct request *req, struct response *res, struct field_error *fe)
{
	const struct setting_def *d;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = declared(req, &d, fe)))
		return e;
	const char *params[] = {d->key};
	if ((e = db_query(req->app->db, req->arena, &q_server_one, params, &r)))
		return e;
	jw_init(&w, &res->body);
	setting_json(&w, d, PQntuples(r) ? PQgetvalue(r, 0, 0) : NULL,
	             PQntuples(r) ? PQgetvalue(r, 0, 1) : NULL);
	return APP_OK;
}

/* The serialized form of v in the arena (NULL when out of memory). A
 * number cJSON could only print as null (1e999) is refused by the callers
 * before this. */
static const char *serialize(struct request *req, const cJSON *v)
{
	char *text = cJSON_PrintUnformatted(v);
	const char *out;

	if (!text)
		return NULL;
	out = arena_strdup(req->arena, text);
	free(text);
	return out;
}

/* PUT bodies of both kinds: {"value": any JSON value, null included}; the
 * value's type per server setting is settings_validate's business. */
const struct body_field settings_put_body[] = {
    {.name = "value", .type = BT_ANY, .required = true, .null = BN_ALLOW,
     .doc = "The new value (for a server setting, of the setting's type)."},
    {0},
};

/* {"value": v} for the audit row, masked for secrets. */
static const char *audit_value(struct request *req, const struct setting_def *d, const char *v)
{
	const char *shown = d->secret ? MASKED : v;
	return arena_printf(req->arena, "{\"value\":%s}", shown);
}

enum app_err settings_server_put(struct request *req, struct response *res, struct field_error *fe)
{
	const struct setting_def *d;
	const cJSON *value = req_body(req, "value");
	const char *text, *old;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = declared(req, &d, fe)) || (e = settings_validate(d, value, fe)))
		return e;
	/* every account registration receives this role: setting it is granting it */
	if (!strcmp(d->key, "auth.default_role") &&
	    (e = rbac_check_grantable(req, value->valuestring, "value", fe)))
		return e;
	if (!(text = serialize(req, value)))
		return APP_ERR_NOMEM;
	const char *keyp[] = {d->key};
	const char *up[] = {d->key, text, req->who->user_id};
	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_server_lock, keyp, &r)))
		goto rollback;
	old = PQntuples(r) ? PQgetvalue(r, 0, 0) : d->def;
	if ((e = db_query(req->app->db, req->arena, &q_server_upsert, up, &r)))
		goto rollback;
	struct audit_entry a = {NULL,
	                        "settings.update",
	                        "setting",
	                        d->key,
	                        true,
	                        NULL,
	                        audit_value(req, d, old),
	                        audit_value(req, d, PQgetvalue(r, 0, 0))};
	if (!a.old_values || !a.new_values) {
		e = APP_ERR_NOMEM;
		goto rollback;
	}
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto rollback;
	jw_init(&w, &res->body);
	setting_json(&w, d, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	return APP_OK;
rollback:
	db_rollback(req->app->db);
	return e;
}

enum app_err settings_public_get(struct request *req, struct response *res, struct field_error *fe)
{
	size_t n;
	const struct setting_def *defs = settings_defs(&n);
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if ((e = db_query(req->app->db, req->arena, &q_server_all, NULL, &r)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	for (size_t i = 0; i < n; i++) {
		/* a secret is never public, whatever the declaration says */
		if (!defs[i].public || defs[i].secret)
			continue;
		int row = find_row(r, defs[i].key);
		const char *v = row < 0 ? defs[i].def : PQgetvalue(r, row, 1);
		jw_key(&w, defs[i].key);
		jw_raw(&w, v, strlen(v));
	}
	jw_obj_close(&w);
	return APP_OK;
}

/* --- per-user settings ---------------------------------------------------- */

static enum app_err user_key(struct request *req, const char **out, struct field_error *fe)
{
	const struct param_value *pv = req_path(req, "key");
	const char *k = pv ? pv->str : "";
	size_t n = strlen(k);

	if (n < 1 || n > 64 || k[0] < 'a' || k[0] > 'z')
		goto bad;
	for (size_t i = 1; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			goto bad;
	}
	*out = k;
	return APP_OK;
bad:
	return field_fail(fe, APP_ERR_VALIDATION, "key",
	                  "must be 1 to 64 of a-z 0-9 _ . - starting with a letter");
}

enum app_err settings_user_list(struct request *req, struct response *res, struct field_error *fe)
{
	const char *params[] = {req->who->user_id};
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if ((e = db_query(req->app->db, req->arena, &q_user_all, params, &r)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	for (int i = 0; i < PQntuples(r); i++) {
		jw_key(&w, PQgetvalue(r, i, 0));
		jw_raw(&w, PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1));
	}
	jw_obj_close(&w);
	return APP_OK;
}

static void user_setting_json(struct jw *w, const char *key, const PGresult *r, int vcol)
{
	jw_obj_open(w);
	jw_kstr(w, "key", key);
	jw_key(w, "value");
	jw_raw(w, PQgetvalue(r, 0, vcol), (size_t)PQgetlength(r, 0, vcol));
	jw_kstr(w, "updated_at", PQgetvalue(r, 0, vcol + 1));
	jw_obj_close(w);
}

enum app_err settings_user_get(struct request *req, struct response *res, struct field_error *fe)
{
	const char *key;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = user_key(req, &key, fe)))
		return e;
	const char *params[] = {req->who->user_id, key};
	if ((e = db_query(req->app->db, req->arena, &q_user_one, params, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "key", "is not set");
	jw_init(&w, &res->body);
	user_setting_json(&w, key, r, 0);
	return APP_OK;
}

enum app_err settings_user_put(struct request *req, struct response *res, struct field_error *fe)
{
	const char *key, *text;
	const cJSON *value = req_body(req, "value");
	int64_t count;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = user_key(req, &key, fe)))
		return e;
	if (!(text = serialize(req, value)))
		return APP_ERR_NOMEM;
	if (strlen(text) > USER_SETTING_MAX_BYTES)
		return field_fail(fe, APP_ERR_TOO_LARGE, "value",
		                  "must serialize to at most %d bytes", USER_SETTING_MAX_BYTES);
	const char *idp[] = {req->who->user_id};
	const char *countp[] = {req->who->user_id, key};
	const char *up[] = {req->who->user_id, key, text};
	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_user_lock, idp, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = APP_ERR_NOT_FOUND;
		goto rollback;
	}
	if ((e = db_query(req->app->db, req->arena, &q_user_count, countp, &r)) ||
	    (e = db_get_int64(r, 0, 0, &count)))
		goto rollback;
	if (PQgetvalue(r, 0, 1)[0] != 't' && count >= USER_SETTINGS_MAX) {
		e = field_fail(fe, APP_ERR_CONFLICT, "key",
		               "is one setting too many: a user keeps at most %d",
		               USER_SETTINGS_MAX);
		goto rollback;
	}
	if ((e = db_query(req->app->db, req->arena, &q_user_upsert, up, &r))) {
		/* the table's own size check measures the stored (jsonb) form */
		if (e == APP_ERR_VALIDATION)
			e = field_fail(fe, APP_ERR_TOO_LARGE, "value", "is too large once stored");
		goto rollback;
	}
	if ((e = db_commit(req->app->db)))
		goto rollback;
	res->status = PQgetvalue(r, 0, 0)[0] == 't' ? 201 : 200;
	jw_init(&w, &res->body);
	user_setting_json(&w, key, r, 1);
	return APP_OK;
rollback:
	db_rollback(req->app->db);
	return e;
}

enum app_err settings_user_delete(struct request *req, struct response *res, struct field_error *fe)
{
	const char *key;
	PGresult *r;
	enum app_err e;

	if ((e = user_key(req, &key, fe)))
		return e;
	const char *params[] = {req->who->user_id, key};
	if ((e = db_query(req->app->db, req->arena, &q_user_delete, params, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "key", "is not set");
	res->status = 204;
	return APP_OK;
}
