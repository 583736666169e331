#include "users/me.h"

#include "app.h"
#include "auth/auth.h"
#include "auth/session.h"
#include "users/change.h"
#include "users/user.h"

const struct body_field users_update_me_body[] = {
    USER_FIELD_DISPLAY_NAME, USER_FIELD_EMAIL, USER_FIELD_LOCALE, USER_FIELD_TIMEZONE, {0}};

/* The caller's effective permissions close the account object, so a client
 * can show what the user may do. They come from the principal the route
 * check loaded, never from the cached account, which stays the account only
 * (a role change drops both; see auth_forget_permissions). */
static enum app_err me_permissions(struct request *req, struct buf *body)
{
	struct jw w;
	enum app_err e;

	if (!req->who->perms_loaded && (e = auth_load_permissions(req, req->who)))
		return e;
	if (!buf_ok(body) || !body->len || body->data[body->len - 1] != '}')
		return APP_ERR_INTERNAL;
	body->len--;
	buf_puts(body, ",\"permissions\":");
	jw_init(&w, body);
	jw_arr_open(&w);
	for (int i = 0; i < req->who->nperms; i++)
		jw_str(&w, req->who->perms[i]);
	jw_arr_close(&w);
	buf_puts(body, "}");
	return APP_OK;
}

enum app_err users_me(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if (req->who->profile_json) {
		buf_puts(&res->body, req->who->profile_json);
		return me_permissions(req, &res->body);
	}
	const char *gen = auth_generation(req, req->who->user_id); /* before the read */
	if ((e = user_load(req, req->who->user_id, &r)))
		return e;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, true);
	if (buf_ok(&res->body))
		session_cache_profile(req, req->who, res->body.data, gen);
	return me_permissions(req, &res->body);
}

enum app_err users_update_me(struct request *req, struct response *res, struct field_error *fe)
{
	struct user_change ch;

	user_change_read(req, &ch);
	return user_change_apply(req, res, req->who->user_id, &ch, "user.update", fe);
}

/* --- public profile ------------------------------------------------------ */

enum app_err users_get(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = user_load(req, req_path(req, "id")->str, &r)))
		return e == APP_ERR_NOT_FOUND ? field_fail(fe, e, "", "no such user") : e;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, false);
	return APP_OK;
}
