#include "users/admin.h"

#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/session.h"
#include "db/sql.h"
#include "http/page.h"
#include "users/avatar.h"
#include "users/change.h"
#include "users/user.h"

static const char *const sort_keys[] = {"created_at", "username", NULL};

const struct param_spec users_admin_list_query[] = {
    {.name = "q",
     .type = PT_STRING,
     .min = 1,
     .max = 100,
     .doc = "Substring of username, email or display name (any case)."},
    {.name = "is_active",
     .type = PT_BOOL,
     .doc = "Only enabled (true) or disabled (false) accounts."},
    {.name = "role", .type = PT_STRING, .min = 2, .max = 32, .doc = "Only holders of this role."},
    {.name = "sort",
     .type = PT_ENUM,
     .choices = sort_keys,
     .doc = "Sort key (default created_at); ties are broken by id."},
    PAGE_PARAMS,
    {0},
};

/* $1 q, $2 is_active, $3 role */
#define LIST_WHERE                                                                                 \
	" FROM users u WHERE u.deleted_at IS NULL"                                                 \
	" AND ($1::text IS NULL OR strpos(lower(u.username), lower($1::text)) > 0"                 \
	" OR strpos(lower(u.email), lower($1::text)) > 0"                                          \
	" OR strpos(lower(coalesce(u.display_name, '')), lower($1::text)) > 0)"                    \
	" AND ($2::boolean IS NULL OR u.is_active = $2::boolean)"                                  \
	" AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM user_roles ur JOIN roles r"               \
	" ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = $3::text))"

/* keyset after ($4 key, $5 id), or offset $7; $6 rows */
static const struct db_stmt q_list_created = {
    "users_admin_list_created",
    "SELECT " USER_COLUMNS ", " SQL_TS_US("u.created_at") LIST_WHERE
    " AND ($4::timestamptz IS NULL OR (u.created_at, u.id) > ($4::timestamptz, $5::uuid))"
    " ORDER BY u.created_at, u.id LIMIT $6::bigint OFFSET $7::bigint",
    7, true};
static const struct db_stmt q_list_username = {
    "users_admin_list_username",
    "SELECT " USER_COLUMNS ", lower(u.username)" LIST_WHERE
    " AND ($4::text IS NULL OR (lower(u.username), u.id) > ($4::text, $5::uuid))"
    " ORDER BY lower(u.username), u.id LIMIT $6::bigint OFFSET $7::bigint",
    7, true};
static const struct db_stmt q_list_count = {"users_admin_count", "SELECT count(*)" LIST_WHERE, 3,
                                            true};
static const struct db_stmt q_role_exists = {"users_role_exists",
                                             "SELECT 1 FROM roles WHERE name = $1", 1, true};

#define USER_KEY_COL 13 /* the sort key after USER_COLUMNS */

static enum app_err check_role_filter(struct request *req, const char *role, struct field_error *fe)
{
	const char *rp[] = {role};
	PGresult *r;
	enum app_err e;

	if (!role)
		return APP_OK;
	for (const char *p = role; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return field_fail(fe, APP_ERR_VALIDATION, "role", "is not a role name");
	if ((e = db_query(req->app->db, req->arena, &q_role_exists, rp, &r)))
		return e;
	if (PQntuples(r) == 0)
		return field_fail(fe, APP_ERR_VALIDATION, "role", "no role is named %s", role);
	return APP_OK;
}

static void user_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	user_json(w, r, row, true);
}

enum app_err users_admin_list(struct request *req, struct response *res, struct field_error *fe)
{
	const struct param_value *q = req_query(req, "q"), *active = req_query(req, "is_active"),
	                         *role = req_query(req, "role"), *sort = req_query(req, "sort");
	bool by_name = sort && sort->num == 1;
	/* the cursor carries its sort, so a cursor of one order is refused by the other */
	const char *tag = by_name ? "u:" : "c:";
	const struct page_list l = {.list = by_name ? &q_list_username : &q_list_created,
	                            .count = &q_list_count,
	                            .key_prefix = tag,
	                            .item = user_item,
	                            .key_col = USER_KEY_COL,
	                            .id_col = 0};
	struct page p;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)) ||
	    (e = check_role_filter(req, role ? role->str : NULL, fe)))
		return e;
	if (p.after) {
		if (strncmp(p.key, tag, 2))
			return field_fail(fe, APP_ERR_VALIDATION, "cursor",
			                  "belongs to another sort order");
		p.key += 2;
	}
	const char *params[] = {q ? q->str : NULL,
	                        active ? active->str : NULL,
	                        role ? role->str : NULL,
	                        NULL,
	                        NULL,
	                        NULL,
	                        NULL};
	return page_run(req, res, &p, &l, params, 3, fe);
}

enum app_err users_admin_get(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = user_load(req, req_path(req, "id")->str, &r)))
		return e == APP_ERR_NOT_FOUND ? field_fail(fe, e, "", "no such user") : e;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, true);
	return APP_OK;
}

const struct body_field users_admin_update_body[] = {
    USER_FIELD_IS_ACTIVE, USER_FIELD_DISPLAY_NAME, USER_FIELD_EMAIL, {0}};

static const struct db_stmt q_target_perms = {
    "users_target_perms",
    "SELECT DISTINCT rp.permission FROM user_roles ur"
    " JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.user_id = $1",
    1, true};
static const struct db_stmt q_other_admins = {
    "users_other_admins",
    "SELECT (SELECT count(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
    "  JOIN users u ON u.id = ur.user_id WHERE r.name = 'admin' AND u.is_active"
    "  AND u.deleted_at IS NULL AND u.id <> $1),"
    " EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
    "  WHERE r.name = 'admin' AND ur.user_id = $1)",
    1, true};

/* Disabling or deleting an account is acting on everything it may do: the
 * caller must hold every permission the target holds (so users:update
 * alone cannot lock out an administrator), and the last active holder of
 * the built-in admin role stays. */
static enum app_err check_manageable(struct request *req, const char *id, struct field_error *fe)
{
	const char *idp[] = {id};
	PGresult *r;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_target_perms, idp, &r)))
		return e;
	for (int i = 0; i < PQntuples(r); i++)
		if (!auth_has(req->who, PQgetvalue(r, i, 0)))
			return field_fail(fe, APP_ERR_FORBIDDEN, "id",
			                  "belongs to an account holding %s, which you do not hold",
			                  PQgetvalue(r, i, 0));
	if ((e = db_query(req->app->db, req->arena, &q_other_admins, idp, &r)))
		return e;
	if (PQgetvalue(r, 0, 1)[0] == 't' && !strcmp(PQgetvalue(r, 0, 0), "0"))
		return field_fail(fe, APP_ERR_CONFLICT, "id", "is the last active administrator");
	return APP_OK;
}

enum app_err users_admin_update(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = req_path(req, "id")->str;
	struct user_change ch;
	enum app_err e;

	user_change_read(req, &ch);
	/* locking oneself out needs a second admin to undo */
	if (ch.active == 0 && !strcmp(id, req->who->user_id))
		return field_fail(fe, APP_ERR_CONFLICT, "is_active",
		                  "cannot be set to false on your own account; ask another admin");
	if (ch.active == 0 && (e = check_manageable(req, id, fe)))
		return e;
	return user_change_apply(req, res, id, &ch, "admin.user.update", fe);
}

static const struct db_stmt q_soft_delete = {
    "users_soft_delete",
    "UPDATE users u SET deleted_at = now(), avatar_path = NULL"
    " FROM (SELECT id, avatar_path FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE) o"
    " WHERE u.id = o.id"
    " RETURNING json_build_object('username', u.username, 'email', u.email)::text, o.avatar_path",
    1, false};
static const struct db_stmt q_revoke_keys = {
    "users_revoke_keys",
    "UPDATE api_keys SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", 1, false};

enum app_err users_admin_delete(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *id = req_path(req, "id")->str;
	const char *idp[] = {id};
	PGresult *r;
	enum app_err e;

	if (!strcmp(id, req->who->user_id))
		return field_fail(fe, APP_ERR_CONFLICT, "",
		                  "you cannot delete your own account; ask another admin");
	if ((e = check_manageable(req, id, fe)))
		return e;
	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_soft_delete, idp, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "", "no such user");
		goto rollback;
	}
	struct audit_entry a = {NULL,
	                        "admin.user.delete",
	                        "user",
	                        id,
	                        true,
	                        NULL,
	                        PQgetvalue(r, 0, 0),
	                        "{\"deleted\":true}"};
	user_cache_forget(req, id);
	if ((e = session_revoke_all(req, id, NULL, "account deleted", NULL)) ||
	    (e = db_query(db, req->arena, &q_revoke_keys, idp, NULL)) || (e = audit_write(req, &a)))
		goto rollback;
	/* the row is the avatar's only reference: copy its key before commit */
	const char *avatar = PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1);
	if ((e = db_commit(db)))
		return e;
	avatar_forget_object(avatar, id); /* after the commit, best effort */
	res->status = 204;
	return APP_OK;
rollback:
	db_rollback(db);
	return e;
}

