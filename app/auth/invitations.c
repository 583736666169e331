#include "auth/invitations.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/rbac.h"
#include "core/crypto.h"
#include "core/text.h"
#include "db/sql.h"
#include "http/page.h"
#include "settings/settings.h"
#include "users/user.h"

#define TOKEN_LEN CRYPTO_TOKEN_LEN /* "rvi_" + 43 */

/* clang-format off */
#define INV_COLUMNS                                                                                \
	"i.id, r.name, i.email, i.created_by, " SQL_TS("i.created_at") ", "                        \
	SQL_TS("i.expires_at") ", " SQL_TS("i.used_at") ", i.used_by, " SQL_TS("i.revoked_at") ","  \
	" CASE WHEN i.used_at IS NOT NULL THEN 'used' WHEN i.revoked_at IS NOT NULL THEN 'revoked'"  \
	" WHEN i.expires_at <= now() THEN 'expired' ELSE 'pending' END, "                           \
	SQL_TS_US("i.created_at")
/* clang-format on */
#define INV_SORT_COL 10
#define INV_PENDING " i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()"

static const struct db_stmt q_list = {
    "invitations_list",
    "SELECT " INV_COLUMNS " FROM invitations i JOIN roles r ON r.id = i.role_id"
    " WHERE ($1::timestamptz IS NULL OR (i.created_at, i.id) < ($1::timestamptz, $2::uuid))"
    " ORDER BY i.created_at DESC, i.id DESC LIMIT $3::bigint OFFSET $4::bigint",
    4, true};
static const struct db_stmt q_count = {"invitations_count", "SELECT count(*) FROM invitations", 0,
                                       true};
static const struct db_stmt q_insert = {
    "invitations_insert",
    "WITH i AS (INSERT INTO invitations (token_hash, role_id, email, created_by, expires_at)"
    " SELECT decode($1, 'hex'), id, $3, $4, now() + $5::integer * interval '1 hour'"
    " FROM roles WHERE name = $2 RETURNING *)"
    " SELECT " INV_COLUMNS " FROM i JOIN roles r ON r.id = i.role_id",
    5, false};
static const struct db_stmt q_revoke = {
    "invitations_revoke",
    "UPDATE invitations i SET revoked_at = now() WHERE i.id = $1 AND" INV_PENDING " RETURNING i.id",
    1, false};
static const struct db_stmt q_claim = {
    "invitations_claim",
    "SELECT i.id, r.name, i.email FROM invitations i JOIN roles r ON r.id = i.role_id"
    " WHERE i.token_hash = decode($1, 'hex') AND" INV_PENDING " FOR UPDATE OF i",
    1, false};
static const struct db_stmt q_consume = {
    "invitations_consume",
    "UPDATE invitations SET used_at = now(), used_by = $2 WHERE id = $1 AND used_at IS NULL", 2,
    false};

const struct param_spec invitations_list_query[] = {
    PAGE_PARAMS,
    {0},
};

const struct body_field invitations_create_body[] = {
    {.name = "role",
     .type = BT_STRING,
     .min = 1,
     .max = 32,
     .doc = "The role the new account gets (default: the auth.default_role setting)."},
    {.name = "expires_in_hours",
     .type = BT_INT,
     .min = 1,
     .max = INVITATION_MAX_HOURS,
     .doc = "How long the invitation stays valid (default 168)."},
    {.name = "email",
     .type = BT_STRING,
     .min = 1,
     .max = 254,
     .check = user_check_email,
     .doc = "When given, only this address may register with the invitation."},
    {0},
};

static void invitation_members(struct jw *w, const PGresult *r, int row)
{
	jw_kstr(w, "id", PQgetvalue(r, row, 0));
	jw_kstr(w, "role", PQgetvalue(r, row, 1));
	db_json_str(w, "email", r, row, 2);
	db_json_str(w, "created_by", r, row, 3);
	jw_kstr(w, "created_at", PQgetvalue(r, row, 4));
	jw_kstr(w, "expires_at", PQgetvalue(r, row, 5));
	db_json_str(w, "used_at", r, row, 6);
	db_json_str(w, "used_by", r, row, 7);
	db_json_str(w, "revoked_at", r, row, 8);
	jw_kstr(w, "state", PQgetvalue(r, row, 9));
}

static void token_hash_hex(const char *token, char out[65])
{
	crypto_sha256_hex(token, strlen(token), out);
}

static void invitation_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	jw_obj_open(w);
	invitation_members(w, r, row);
	jw_obj_close(w);
}

enum app_err invitations_list(struct request *req, struct response *res, struct field_error *fe)
{
	static const struct page_list l = {.list = &q_list, .count = &q_count,
	                                   .item = invitation_item, .key_col = INV_SORT_COL,
	                                   .id_col = 0};
	struct page p;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)))
		return e;
	const char *params[] = {NULL, NULL, NULL, NULL};
	return page_run(req, res, &p, &l, params, 0, fe);
}

enum app_err invitations_create(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *role = req_body_str(req, "role"), *email = req_body_str(req, "email");
	int64_t hours = INVITATION_DEFAULT_HOURS;
	char token[TOKEN_LEN + 1], hash[65], hours_text[24];
	PGresult *r;
	struct jw w;
	enum app_err e;

	if (!role)
		role = settings_get_string(req, "auth.default_role", "user");
	req_body_int(req, "expires_in_hours", &hours);
	snprintf(hours_text, sizeof(hours_text), "%lld", (long long)hours);
	/* whoever invites hands out the role: the rules of granting it apply */
	if ((e = rbac_check_grantable(req, role, "role", fe)))
		return e;
	if (crypto_token("rvi_", token, hash))
		return APP_ERR_INTERNAL;
	const char *params[] = {hash, role, email, req->who->user_id, hours_text};
	if ((e = db_begin(db)))
		goto out;
	if ((e = db_query(db, req->arena, &q_insert, params, &r)))
		goto rollback;
	if (PQntuples(r) != 1) { /* the role went away since the check */
		e = field_fail(fe, APP_ERR_VALIDATION, "role", "is not a role");
		goto rollback;
	}
	const char *v = arena_printf(req->arena, "{\"role\":\"%s\",\"expires_in_hours\":%lld}",
	                             role, (long long)hours);
	struct audit_entry a = {
	    NULL, "admin.invitation.create", "invitation", PQgetvalue(r, 0, 0), true, NULL, NULL,
	    v};
	if ((e = audit_write(req, &a)) || (e = db_commit(db)))
		goto rollback;
	res->status = 201;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	invitation_members(&w, r, 0);
	jw_kstr(&w, "token", token);
	jw_obj_close(&w);
	goto out;
rollback:
	db_rollback(db);
out:
	OPENSSL_cleanse(token, sizeof(token));
	return e;
}

enum app_err invitations_revoke(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *id = req_path(req, "id")->str;
	const char *params[] = {id};
	PGresult *r;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_revoke, params, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "", "no pending invitation has this id");
		goto rollback;
	}
	struct audit_entry a = {NULL, "admin.invitation.revoke", "invitation", id, true, NULL, NULL,
	                        NULL};
	if ((e = audit_write(req, &a)))
		goto rollback;
	if ((e = db_commit(db)))
		return e;
	res->status = 204;
	return APP_OK;
rollback:
	db_rollback(db);
	return e;
}

static bool token_shape(const char *t)
{
	if (strlen(t) != TOKEN_LEN || strncmp(t, "rvi_", 4))
		return false;
	for (const char *p = t + 4; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

enum app_err invitation_claim(struct request *req, const char *token, const char *email,
                              const char **id, const char **role, struct field_error *fe)
{
	char hash[65];
	PGresult *r;
	enum app_err e;

	if (!token_shape(token))
		return field_fail(fe, APP_ERR_FORBIDDEN, "invitation",
		                  "is not valid, has expired or was already used");
	token_hash_hex(token, hash);
	const char *params[] = {hash};
	if ((e = db_query(req->app->db, req->arena, &q_claim, params, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_FORBIDDEN, "invitation",
		                  "is not valid, has expired or was already used");
	if (!PQgetisnull(r, 0, 2) && strcasecmp(PQgetvalue(r, 0, 2), email))
		return field_fail(fe, APP_ERR_FORBIDDEN, "email",
		                  "is not the address this invitation was made for");
	*id = PQgetvalue(r, 0, 0);
	*role = PQgetvalue(r, 0, 1);
	return APP_OK;
}

enum app_err invitation_consume(struct request *req, const char *id, const char *user_id)
{
	const char *params[] = {id, user_id};

	return db_query(req->app->db, req->arena, &q_consume, params, NULL);
}
