#include "users/create.h"

#include "app.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "auth/rbac.h"
#include "settings/settings.h"
#include "users/user.h"

const struct body_field users_admin_create_body[] = {
    {.name = "username",
     .type = BT_STRING,
     .required = true,
     .min = 1,
     .max = 64,
     .check = user_check_username,
     .doc = "3 to 30 of letters, digits, _ . -"},
    {.name = "email",
     .type = BT_STRING,
     .required = true,
     .min = 1,
     .max = 254,
     .check = user_check_email},
    {.name = "password",
     .type = BT_STRING,
     .required = true,
     .min = PASSWORD_MIN,
     .max = PASSWORD_MAX},
    USER_FIELD_DISPLAY_NAME,
    {.name = "role",
     .type = BT_STRING,
     .min = 1,
     .max = 32,
     .doc = "The account's role (default: the auth.default_role setting)."},
    {0},
};

enum app_err users_admin_create(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *username = req_body_str(req, "username"), *email = req_body_str(req, "email"),
	           *password = req_body_str(req, "password"),
	           *display = req_body_str(req, "display_name"), *role = req_body_str(req, "role");
	char id[37];
	PGresult *r;
	struct jw w;
	enum app_err e;

	if (!role)
		role = settings_get_string(req, "auth.default_role", "user");
	if ((e = rbac_check_grantable(req, role, "role", fe)))
		return e;
	if ((e = db_begin(db)))
		return e;
	if ((e = user_create(req->app, req->arena, username, email, password, display, role, id,
	                     fe)))
		goto rollback;
	/* role passed rbac_check_grantable: a role name, nothing to escape */
	const char *v = arena_printf(req->arena, "{\"source\":\"api\",\"role\":\"%s\"}", role);
	struct audit_entry a = {NULL, "admin.user.create", "user", id, true, NULL, NULL, v};
	if ((e = audit_write(req, &a)) || (e = user_load(req, id, &r)) || (e = db_commit(db)))
		goto rollback;
	res->status = 201;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, true);
	return APP_OK;
rollback:
	db_rollback(db);
	return e;
}
