#include "auth/rbac.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/text.h"
#include "db/sql.h"
#include "http/page.h"

const struct param_spec rbac_page_query[] = {PAGE_PARAMS, {0}};

/* clang-format off */
/* Columns role_fields() reads, from `roles r`. */
#define ROLE_COLUMNS                                                                               \
	"r.id, r.name, r.description, r.is_builtin, " SQL_TS("r.created_at") ", "                 \
	SQL_TS("r.updated_at") ","                                                                 \
	" (SELECT coalesce(json_agg(rp.permission ORDER BY rp.permission), '[]')::text"            \
	" FROM role_permissions rp WHERE rp.role_id = r.id),"                                      \
	" (SELECT count(*) FROM user_roles ur2 JOIN users u2 ON u2.id = ur2.user_id"               \
	" WHERE ur2.role_id = r.id AND u2.deleted_at IS NULL), r.mfa_required"
enum { RC_ID, RC_NAME, RC_DESC, RC_BUILTIN, RC_CREATED, RC_UPDATED, RC_PERMS, RC_USERS, RC_MFA,
       RC_N };

static const struct db_stmt q_lock = {
	"rbac_lock", "SELECT pg_advisory_xact_lock(" RBAC_LOCK_KEY ")", 0, false};

static const struct db_stmt q_roles_page = {
	"rbac_roles_page",
	"SELECT " ROLE_COLUMNS " FROM roles r WHERE ($1::text IS NULL OR r.name > $1)"
	" ORDER BY r.name LIMIT $2 OFFSET $3",
	3, true};
static const struct db_stmt q_roles_count = {"rbac_roles_count", "SELECT count(*) FROM roles", 0,
					     true};
static const struct db_stmt q_role = {
	"rbac_role", "SELECT " ROLE_COLUMNS " FROM roles r WHERE r.name = $1", 1, true};

static const struct db_stmt q_perms_page = {
	"rbac_perms_page",
	"SELECT name, description FROM permissions WHERE ($1::text IS NULL OR name > $1)"
	" ORDER BY name LIMIT $2 OFFSET $3",
	3, true};
static const struct db_stmt q_perms_count = {"rbac_perms_count",
					     "SELECT count(*) FROM permissions", 0, true};
static const struct db_stmt q_perm_names = {"rbac_perm_names", "SELECT name FROM permissions", 0,
					    true};

static const struct db_stmt q_user_roles_page = {
	"rbac_user_roles_page",
	"SELECT " ROLE_COLUMNS ", " SQL_TS("ur.granted_at") ", ur.granted_by"
	" FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" WHERE ur.user_id = $1 AND ($2::text IS NULL OR r.name > $2)"
	" ORDER BY r.name LIMIT $3 OFFSET $4",
	4, true};
static const struct db_stmt q_user_roles_count = {
	"rbac_user_roles_count", "SELECT count(*) FROM user_roles WHERE user_id = $1", 1, true};
static const struct db_stmt q_user_live = {
	"rbac_user_live", "SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL", 1, true};
static const struct db_stmt q_user_role_names = {
	"rbac_user_role_names",
	"SELECT coalesce(json_agg(r.name ORDER BY r.name), '[]')::text FROM user_roles ur"
	" JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = $1",
	1, true};

static const struct db_stmt q_role_insert = {
	"rbac_role_insert", "INSERT INTO roles (name, description) VALUES ($1, $2) RETURNING id", 2,
	false};
static const struct db_stmt q_role_perms_add = {
	"rbac_role_perms_add",
	"INSERT INTO role_permissions (role_id, permission)"
	" SELECT $1, p FROM jsonb_array_elements_text($2::jsonb) AS p",
	2, false};
static const struct db_stmt q_role_perms_clear = {
	"rbac_role_perms_clear", "DELETE FROM role_permissions WHERE role_id = $1", 1, false};
static const struct db_stmt q_role_touch = {
	"rbac_role_touch", "UPDATE roles SET updated_at = now() WHERE id = $1", 1, false};
static const struct db_stmt q_role_holders = {
	"rbac_role_holders", "SELECT user_id FROM user_roles WHERE role_id = $1", 1, false};
static const struct db_stmt q_role_delete = {
	"rbac_role_delete", "DELETE FROM roles WHERE id = $1 AND NOT is_builtin", 1, false};
static const struct db_stmt q_role_set_mfa = {
	"rbac_role_set_mfa",
	"UPDATE roles SET mfa_required = $2::boolean, updated_at = now() WHERE id = $1", 2, false};
static const struct db_stmt q_grant = {
	"rbac_grant", "INSERT INTO user_roles (user_id, role_id, granted_by) VALUES ($1, $2, $3)", 3,
	false};
static const struct db_stmt q_revoke = {
	"rbac_revoke", "DELETE FROM user_roles WHERE user_id = $1 AND role_id = $2 RETURNING 1", 2,
	false};
/* Rule 5: holders of the built-in admin role who can still log in. */
static const struct db_stmt q_admins = {
	"rbac_admins",
	"SELECT count(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" JOIN users u ON u.id = ur.user_id"
	" WHERE r.name = 'admin' AND r.is_builtin AND u.deleted_at IS NULL AND u.is_active",
	0, false};

/* clang-format on */

/* A set of permission names (strings owned by the arena or a cJSON tree). */
struct perm_set {
	const char **names;
	int n;
};

/* --- small helpers ---------------------------------------------------------- */

static void json_free(void *p)
{
	cJSON_Delete(p);
}

/* s as a JSON string literal in the arena. */
static const char *jstr(struct request *req, const char *s)
{
	struct buf b;
	char *out;

	buf_init(&b, 4096);
	buf_json_str(&b, s, strlen(s));
	out = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return out;
}

/* The set as a JSON array text in the arena. */
static const char *set_json(struct request *req, const struct perm_set *s)
{
	struct buf b;
	char *out;

	buf_init(&b, 16384);
	buf_putc(&b, '[');
	for (int i = 0; i < s->n; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_json_str(&b, s->names[i], strlen(s->names[i]));
	}
	buf_putc(&b, ']');
	out = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return out;
}

/* A JSON array of strings from the database into a set. */
static enum app_err set_from_json(struct request *req, const char *text, struct perm_set *out)
{
	cJSON *arr = cJSON_Parse(text);

	if (!arr)
		return APP_ERR_NOMEM; /* the database wrote it: only memory can fail */
	if (arena_defer(req->arena, json_free, arr) < 0)
		return APP_ERR_NOMEM;
	if (!cJSON_IsArray(arr))
		return APP_ERR_INTERNAL;
	out->n = 0;
	out->names =
	    arena_calloc(req->arena, (size_t)cJSON_GetArraySize(arr) + 1, sizeof(*out->names));
	if (!out->names)
		return APP_ERR_NOMEM;
	for (const cJSON *it = arr->child; it; it = it->next)
		if (cJSON_IsString(it))
			out->names[out->n++] = it->valuestring;
	return APP_OK;
}

static bool role_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 2 || n > 32 || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

static enum app_err check_new_role_name(const char *s, const char *field, struct field_error *fe)
{
	return role_name_ok(s) ? APP_OK
	                       : field_fail(fe, APP_ERR_VALIDATION, field,
	                                    "must be 2 to 32 of a-z 0-9 _ - starting with a letter");
}

static enum app_err check_role_name(const char *s, const char *field, struct field_error *fe)
{
	return role_name_ok(s) ? APP_OK
	                       : field_fail(fe, APP_ERR_VALIDATION, field, "is not a role name");
}

static const struct body_field permission_item = {.type = BT_STRING, .min = 1, .max = 64};
#define PERMISSIONS_FIELD(req)                                                                     \
	{.name = "permissions", .type = BT_ARRAY, .required = (req), .max = 100, .unique = true,   \
	 .items = &permission_item, .doc = "Permission names (GET /api/v1/rbac/permissions)."}

const struct body_field rbac_roles_create_body[] = {
    {.name = "name", .type = BT_STRING, .required = true, .min = 1, .max = 64,
     .check = check_new_role_name},
    {.name = "description", .type = BT_STRING, .max = 500, .text = true},
    PERMISSIONS_FIELD(false),
    {0},
};
const struct body_field rbac_roles_set_permissions_body[] = {PERMISSIONS_FIELD(true), {0}};
const struct body_field rbac_roles_set_mfa_body[] = {
    {.name = "mfa_required", .type = BT_BOOL, .required = true,
     .doc = "Whether every holder of the role must log in with a second factor."},
    {0},
};
const struct body_field rbac_user_roles_add_body[] = {
    {.name = "role", .type = BT_STRING, .required = true, .min = 1, .max = 64,
     .check = check_role_name},
    {0},
};

static void role_fields(struct jw *w, const PGresult *r, int row)
{
	jw_kstr(w, "id", PQgetvalue(r, row, RC_ID));
	jw_kstr(w, "name", PQgetvalue(r, row, RC_NAME));
	jw_kstr(w, "description", PQgetvalue(r, row, RC_DESC));
	jw_kbool(w, "is_builtin", PQgetvalue(r, row, RC_BUILTIN)[0] == 't');
	jw_key(w, "permissions");
	jw_raw(w, PQgetvalue(r, row, RC_PERMS), (size_t)PQgetlength(r, row, RC_PERMS));
	db_json_int(w, "user_count", r, row, RC_USERS);
	jw_kbool(w, "mfa_required", PQgetvalue(r, row, RC_MFA)[0] == 't');
	jw_kstr(w, "created_at", PQgetvalue(r, row, RC_CREATED));
	jw_kstr(w, "updated_at", PQgetvalue(r, row, RC_UPDATED));
}

static void role_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	jw_obj_open(w);
	role_fields(w, r, row);
	jw_obj_close(w);
}

static void user_role_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	jw_obj_open(w);
	role_fields(w, r, row);
	jw_kstr(w, "granted_at", PQgetvalue(r, row, RC_N));
	jw_kstr(w, "granted_by",
	        PQgetisnull(r, row, RC_N + 1) ? NULL : PQgetvalue(r, row, RC_N + 1));
	jw_obj_close(w);
}

static void perm_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	jw_obj_open(w);
	jw_kstr(w, "name", PQgetvalue(r, row, 0));
	jw_kstr(w, "description", PQgetvalue(r, row, 1));
	jw_obj_close(w);
}

/* A refusal by the rules is worth a line in the activity log. */
static void audit_refusal(struct request *req, const char *action, const char *type, const char *id,
                          const struct field_error *fe)
{
	char *why =
	    arena_printf(req->arena, "%s%s%s", fe->field, fe->field[0] ? " " : "", fe->detail);
	struct audit_entry a = {NULL, action, type, id, false, why, NULL, NULL};
	enum app_err e;

	/* the refusal stands either way; a lost row is at least logged */
	if ((e = audit_write(req, &a)))
		log_error("audit.write_failed", "%s refusal not recorded: %s", action,
			  app_err_slug(e));
}

/* Rules 1 and 2 for granting or taking away `role` (may be NULL) whose
 * permissions are s. field names the input; with indexed, the failing
 * permission is named as field[i] instead. */
static enum app_err may_handle(const struct principal *who, const char *role,
                               const struct perm_set *s, const char *field, bool indexed,
                               struct field_error *fe)
{
	char at[64];

	for (int i = 0; i < s->n; i++) {
		const char *name = indexed ? at : field;

		snprintf(at, sizeof(at), "%s[%d]", field, i);
		if (!strcmp(s->names[i], "admin:*") && !who->admin)
			return field_fail(fe, APP_ERR_FORBIDDEN, name,
			                  "%s admin:*, which only its holders may grant, change or "
			                  "take away",
			                  indexed ? "is" : "carries");
		if (!auth_has(who, s->names[i]))
			return field_fail(fe, APP_ERR_FORBIDDEN, name,
			                  "%s %s, which you do not hold (you can manage only "
			                  "permissions you hold)",
			                  indexed ? "is" : "carries", s->names[i]);
	}
	if (role && !strcmp(role, "admin") && !who->admin)
		return field_fail(fe, APP_ERR_FORBIDDEN, field,
		                  "is the admin role, which only holders of admin:* may assign "
		                  "or unassign");
	return APP_OK;
}

/* The body's "permissions" (distinct strings, the table checked): each must
 * name a permission. */
static enum app_err body_permissions(struct request *req, struct perm_set *out,
                                     struct field_error *fe)
{
	const cJSON *arr = req_body(req, "permissions");
	PGresult *known;
	char field[32];
	int i = 0;
	enum app_err e;

	out->n = 0;
	out->names = NULL;
	if (!cJSON_IsArray(arr))
		return APP_OK;
	if ((e = db_query(req->app->db, req->arena, &q_perm_names, NULL, &known)))
		return e;
	out->names =
	    arena_calloc(req->arena, (size_t)cJSON_GetArraySize(arr) + 1, sizeof(*out->names));
	if (!out->names)
		return APP_ERR_NOMEM;
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		bool found = false;

		snprintf(field, sizeof(field), "permissions[%d]", i);
		for (int k = 0; k < PQntuples(known) && !found; k++)
			found = !strcmp(PQgetvalue(known, k, 0), it->valuestring);
		if (!found)
			return field_fail(fe, APP_ERR_VALIDATION, field,
			                  "is not a permission (GET /api/v1/rbac/permissions)");
		out->names[out->n++] = it->valuestring;
	}
	return APP_OK;
}

/* One role by name (in or out of a transaction): *r and its permission
 * set; APP_ERR_NOT_FOUND naming field when there is none. */
static enum app_err load_role(struct request *req, const char *name, const char *field,
                              PGresult **r, struct perm_set *perms, struct field_error *fe)
{
	const char *params[] = {name};
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_role, params, r)))
		return e;
	if (PQntuples(*r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, field, "is not a role");
	return set_from_json(req, PQgetvalue(*r, 0, RC_PERMS), perms);
}

/* A name-sorted page of stmt, whose parameters are `lead` (when not NULL),
 * then after-name, limit and offset; count takes `lead` too. Rows are
 * written by item; key_col and id_col make the cursor. */
static enum app_err name_page(struct request *req, struct response *res, const struct db_stmt *stmt,
                              const struct db_stmt *count, const char *lead,
                              void (*item)(struct jw *, const PGresult *, int, const void *),
                              int key_col, int id_col, struct field_error *fe)
{
	const struct page_list l = {
	    .list = stmt, .count = count, .item = item, .key_col = key_col, .id_col = id_col};
	const char *params[4] = {lead};
	struct page p;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)))
		return e;
	return page_run(req, res, &p, &l, params, lead ? 1 : 0, fe);
}

/* --- reads ---------------------------------------------------------------- */

enum app_err rbac_roles_list(struct request *req, struct response *res, struct field_error *fe)
{
	return name_page(req, res, &q_roles_page, &q_roles_count, NULL, role_item, RC_NAME, RC_ID,
	                 fe);
}

enum app_err rbac_permissions_list(struct request *req, struct response *res,
                                   struct field_error *fe)
{
	return name_page(req, res, &q_perms_page, &q_perms_count, NULL, perm_item, 0, 0, fe);
}

enum app_err rbac_roles_get(struct request *req, struct response *res, struct field_error *fe)
{
	struct perm_set perms;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = load_role(req, req_path(req, "name")->str, "name", &r, &perms, fe)))
		return e;
	jw_init(&w, &res->body);
	role_item(&w, r, 0, NULL);
	return APP_OK;
}

static enum app_err live_user(struct request *req, const char *id, struct field_error *fe)
{
	const char *params[] = {id};
	PGresult *r;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_user_live, params, &r)))
		return e;
	return PQntuples(r) == 1 ? APP_OK
	                         : field_fail(fe, APP_ERR_NOT_FOUND, "id", "is not an account");
}

enum app_err rbac_user_roles_list(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = req_path(req, "id")->str;
	enum app_err e;

	if ((e = live_user(req, id, fe)))
		return e;
	return name_page(req, res, &q_user_roles_page, &q_user_roles_count, id, user_role_item,
	                 RC_NAME, RC_ID, fe);
}

/* --- role changes --------------------------------------------------------- */

/* Begin a change: transaction plus the RBAC lock. */
static enum app_err change_begin(struct request *req)
{
	enum app_err e;

	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_lock, NULL, NULL)))
		db_rollback(req->app->db);
	return e;
}

/* Roll back; refusals by the rules (403, 409) are audited as failures. */
static enum app_err change_fail(struct request *req, enum app_err e, const char *action,
                                const char *type, const char *id, const struct field_error *fe)
{
	db_rollback(req->app->db);
	if (e == APP_ERR_FORBIDDEN || e == APP_ERR_CONFLICT)
		audit_refusal(req, action, type, id, fe);
	return e;
}

enum app_err rbac_roles_create(struct request *req, struct response *res, struct field_error *fe)
{
	const char *name = req_body_str(req, "name"), *desc = req_body_str(req, "description"), *id;
	struct perm_set perms, unused;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if (!desc)
		desc = "";
	if ((e = body_permissions(req, &perms, fe)))
		return e;
	if ((e = may_handle(req->who, name, &perms, "permissions", true, fe))) {
		audit_refusal(req, "admin.role.create", "role", name, fe);
		return e;
	}
	const char *perms_text = set_json(req, &perms), *jname = jstr(req, name);
	const char *jdesc = jstr(req, desc);
	const char *values =
	    perms_text && jname && jdesc
	        ? arena_printf(req->arena, "{\"name\":%s,\"description\":%s,\"permissions\":%s}",
	                       jname, jdesc, perms_text)
	        : NULL;
	if (!values)
		return APP_ERR_NOMEM;
	if ((e = change_begin(req)))
		return e;
	const char *ip[] = {name, desc};
	if ((e = db_query(req->app->db, req->arena, &q_role_insert, ip, &r))) {
		if (e == APP_ERR_CONFLICT)
			field_fail(fe, e, "name", "is taken");
		return change_fail(req, e, "admin.role.create", "role", name, fe);
	}
	id = PQgetvalue(r, 0, 0);
	const char *pp[] = {id, perms_text};
	struct audit_entry a = {NULL, "admin.role.create", "role", name, true, NULL, NULL, values};
	if ((perms.n && (e = db_query(req->app->db, req->arena, &q_role_perms_add, pp, NULL))) ||
	    (e = audit_write(req, &a)) || (e = load_role(req, name, "name", &r, &unused, fe)) ||
	    (e = db_commit(req->app->db))) {
		db_rollback(req->app->db);
		return e;
	}
	res->status = 201;
	jw_init(&w, &res->body);
	role_item(&w, r, 0, NULL);
	return APP_OK;
}

enum app_err rbac_roles_delete(struct request *req, struct response *res, struct field_error *fe)
{
	const char *name = req_path(req, "name")->str;
	struct perm_set perms;
	PGresult *r, *holders;
	enum app_err e;

	if ((e = change_begin(req)))
		return e;
	if ((e = load_role(req, name, "name", &r, &perms, fe)))
		goto fail;
	if (PQgetvalue(r, 0, RC_BUILTIN)[0] == 't') {
		e = field_fail(fe, APP_ERR_CONFLICT, "name",
		               "is a built-in role, which cannot be deleted");
		goto fail;
	}
	if ((e = may_handle(req->who, name, &perms, "name", false, fe)))
		goto fail;
	const char *idp[] = {PQgetvalue(r, 0, RC_ID)};
	const char *jname = jstr(req, name), *jdesc = jstr(req, PQgetvalue(r, 0, RC_DESC));
	const char *old =
	    jname && jdesc
	        ? arena_printf(req->arena,
	                       "{\"name\":%s,\"description\":%s,\"permissions\":%s,"
	                       "\"user_count\":%s}",
	                       jname, jdesc, PQgetvalue(r, 0, RC_PERMS), PQgetvalue(r, 0, RC_USERS))
	        : NULL;
	struct audit_entry a = {NULL, "admin.role.delete", "role", name, true, NULL, old, NULL};
	if (!old) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	/* the holders, read before the cascade removes their grants */
	if ((e = db_query(req->app->db, req->arena, &q_role_holders, idp, &holders)) ||
	    (e = db_query(req->app->db, req->arena, &q_role_delete, idp, NULL)) ||
	    (e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto fail;
	for (int i = 0; i < PQntuples(holders); i++)
		auth_forget_permissions(req->app, req->arena, PQgetvalue(holders, i, 0), NULL);
	res->status = 204;
	return APP_OK;
fail:
	return change_fail(req, e, "admin.role.delete", "role", name, fe);
}

enum app_err rbac_roles_set_permissions(struct request *req, struct response *res,
                                        struct field_error *fe)
{
	const char *name = req_path(req, "name")->str;
	struct perm_set next, old;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = body_permissions(req, &next, fe)))
		return e;
	const char *next_text = set_json(req, &next);
	if (!next_text)
		return APP_ERR_NOMEM;
	if ((e = change_begin(req)))
		return e;
	if ((e = load_role(req, name, "name", &r, &old, fe)))
		goto fail;
	if (PQgetvalue(r, 0, RC_BUILTIN)[0] == 't') {
		e = field_fail(fe, APP_ERR_CONFLICT, "name",
		               "is a built-in role, whose permissions cannot be replaced");
		goto fail;
	}
	/* both what is taken away and what is put in must be the caller's */
	if ((e = may_handle(req->who, name, &old, "name", false, fe)) ||
	    (e = may_handle(req->who, name, &next, "permissions", true, fe)))
		goto fail;
	char *role_id = arena_strdup(req->arena, PQgetvalue(r, 0, RC_ID));
	const char *old_v =
	    arena_printf(req->arena, "{\"permissions\":%s}", PQgetvalue(r, 0, RC_PERMS));
	const char *new_v = arena_printf(req->arena, "{\"permissions\":%s}", next_text);
	if (!role_id || !old_v || !new_v) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	const char *idp[] = {role_id};
	const char *pp[] = {role_id, next_text};
	struct audit_entry a = {NULL, "admin.role.update", "role", name, true, NULL, old_v, new_v};
	if ((e = db_query(req->app->db, req->arena, &q_role_perms_clear, idp, NULL)) ||
	    (next.n && (e = db_query(req->app->db, req->arena, &q_role_perms_add, pp, NULL))) ||
	    (e = db_query(req->app->db, req->arena, &q_role_touch, idp, NULL)) ||
	    (e = audit_write(req, &a)) || (e = load_role(req, name, "name", &r, &old, fe)) ||
	    (e = db_commit(req->app->db)))
		goto fail;
	auth_forget_permissions(req->app, req->arena, NULL, role_id);
	jw_init(&w, &res->body);
	role_item(&w, r, 0, NULL);
	return APP_OK;
fail:
	return change_fail(req, e, "admin.role.update", "role", name, fe);
}

/* Built-in roles too: requiring a second factor tightens a role, it does
 * not change what its holders may do; rules 1 and 2 still apply. */
enum app_err rbac_roles_set_mfa(struct request *req, struct response *res, struct field_error *fe)
{
	const char *name = req_path(req, "name")->str;
	bool required = false;
	struct perm_set perms;
	PGresult *r;
	struct jw w;
	enum app_err e;

	req_body_bool(req, "mfa_required", &required);
	if ((e = change_begin(req)))
		return e;
	if ((e = load_role(req, name, "name", &r, &perms, fe)) ||
	    (e = may_handle(req->who, name, &perms, "name", false, fe)))
		goto fail;
	const char *role_id = arena_strdup(req->arena, PQgetvalue(r, 0, RC_ID));
	const char *old_v = arena_printf(req->arena, "{\"mfa_required\":%s}",
	                                 PQgetvalue(r, 0, RC_MFA)[0] == 't' ? "true" : "false");
	const char *new_v =
	    arena_printf(req->arena, "{\"mfa_required\":%s}", required ? "true" : "false");
	if (!role_id || !old_v || !new_v) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	const char *params[] = {role_id, required ? "true" : "false"};
	struct audit_entry a = {NULL, "admin.role.update", "role", name, true, NULL, old_v, new_v};
	if ((e = db_query(req->app->db, req->arena, &q_role_set_mfa, params, NULL)) ||
	    (e = audit_write(req, &a)) || (e = load_role(req, name, "name", &r, &perms, fe)) ||
	    (e = db_commit(req->app->db)))
		goto fail;
	jw_init(&w, &res->body);
	role_item(&w, r, 0, NULL);
	return APP_OK;
fail:
	return change_fail(req, e, "admin.role.update", "role", name, fe);
}

/* --- assignments ---------------------------------------------------------- */

/* The role names an account holds, as JSON text. */
static enum app_err role_names(struct request *req, const char *user_id, const char **out)
{
	const char *params[] = {user_id};
	PGresult *r;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_user_role_names, params, &r)))
		return e;
	*out = PQgetvalue(r, 0, 0);
	return APP_OK;
}

static enum app_err not_self(struct request *req, const char *user_id, struct field_error *fe)
{
	if (strcmp(user_id, req->who->user_id))
		return APP_OK;
	return field_fail(fe, APP_ERR_FORBIDDEN, "id",
	                  "is your own account: nobody may change their own roles");
}

static const char *roles_values(struct request *req, const char *names)
{
	return arena_printf(req->arena, "{\"roles\":%s}", names);
}

enum app_err rbac_user_roles_add(struct request *req, struct response *res, struct field_error *fe)
{
	const char *user_id = req_path(req, "id")->str, *role = req_body_str(req, "role"), *before,
	           *after;
	struct perm_set perms;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = not_self(req, user_id, fe))) {
		audit_refusal(req, "admin.role.assign", "user", user_id, fe);
		return e;
	}
	if ((e = change_begin(req)))
		return e;
	if ((e = live_user(req, user_id, fe)))
		goto fail;
	if ((e = load_role(req, role, "role", &r, &perms, fe))) {
		if (e == APP_ERR_NOT_FOUND)
			e = field_fail(fe, APP_ERR_VALIDATION, "role", "is not a role");
		goto fail;
	}
	if ((e = may_handle(req->who, role, &perms, "role", false, fe)) ||
	    (e = role_names(req, user_id, &before)))
		goto fail;
	const char *gp[] = {user_id, PQgetvalue(r, 0, RC_ID), req->who->user_id};
	if ((e = db_query(req->app->db, req->arena, &q_grant, gp, NULL))) {
		if (e == APP_ERR_CONFLICT)
			field_fail(fe, e, "role", "is already held by this account");
		goto fail;
	}
	if ((e = role_names(req, user_id, &after)))
		goto fail;
	struct audit_entry a = {NULL,
	                        "admin.role.assign",
	                        "user",
	                        user_id,
	                        true,
	                        NULL,
	                        roles_values(req, before),
	                        roles_values(req, after)};
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto fail;
	auth_forget_permissions(req->app, req->arena, user_id, NULL);
	res->status = 201;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "user_id", user_id);
	jw_key(&w, "roles");
	jw_raw(&w, after, strlen(after));
	jw_obj_close(&w);
	return APP_OK;
fail:
	return change_fail(req, e, "admin.role.assign", "user", user_id, fe);
}

static enum app_err admin_count(struct request *req, int64_t *n)
{
	PGresult *r;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_admins, NULL, &r)))
		return e;
	return db_get_int64(r, 0, 0, n);
}

enum app_err rbac_user_roles_remove(struct request *req, struct response *res,
                                    struct field_error *fe)
{
	const char *user_id = req_path(req, "id")->str, *role = req_path(req, "role")->str;
	const char *before, *after;
	struct perm_set perms;
	int64_t admins_before = 0, admins_after = 0;
	bool admin_role;
	PGresult *r;
	enum app_err e;

	if ((e = not_self(req, user_id, fe))) {
		audit_refusal(req, "admin.role.unassign", "user", user_id, fe);
		return e;
	}
	if ((e = change_begin(req)))
		return e;
	if ((e = live_user(req, user_id, fe)) || (e = load_role(req, role, "role", &r, &perms, fe)))
		goto fail;
	admin_role = !strcmp(role, "admin") && PQgetvalue(r, 0, RC_BUILTIN)[0] == 't';
	if ((e = may_handle(req->who, role, &perms, "role", false, fe)) ||
	    (e = role_names(req, user_id, &before)) ||
	    (admin_role && (e = admin_count(req, &admins_before))))
		goto fail;
	const char *rp[] = {user_id, PQgetvalue(r, 0, RC_ID)};
	if ((e = db_query(req->app->db, req->arena, &q_revoke, rp, &r)))
		goto fail;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "role", "is not held by this account");
		goto fail;
	}
	if (admin_role && (e = admin_count(req, &admins_after)))
		goto fail;
	if (admins_before > 0 && admins_after == 0 && admin_role) {
		e = field_fail(fe, APP_ERR_CONFLICT, "role",
		               "is admin, and this account is its last active holder");
		goto fail;
	}
	if ((e = role_names(req, user_id, &after)))
		goto fail;
	struct audit_entry a = {NULL,
	                        "admin.role.unassign",
	                        "user",
	                        user_id,
	                        true,
	                        NULL,
	                        roles_values(req, before),
	                        roles_values(req, after)};
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto fail;
	auth_forget_permissions(req->app, req->arena, user_id, NULL);
	res->status = 204;
	return APP_OK;
fail:
	return change_fail(req, e, "admin.role.unassign", "user", user_id, fe);
}

enum app_err rbac_check_grantable(struct request *req, const char *role, const char *field,
                                  struct field_error *fe)
{
	struct perm_set perms;
	PGresult *r;
	enum app_err e = load_role(req, role, field, &r, &perms, fe);

	if (e == APP_ERR_NOT_FOUND)
		return field_fail(fe, APP_ERR_VALIDATION, field, "is not a role");
	if (e)
		return e;
	return may_handle(req->who, role, &perms, field, false, fe);
}
