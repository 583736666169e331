#include "users/me.h"

#include "app.h"
#include "auth/auth.h"
#include "auth/session.h"
#include "users/change.h"
#include "users/user.h"

const struct body_field users_update_me_body[] = {
    USER_FIELD_DISPLAY_NAME, USER_FIELD_EMAIL, USER_FIELD_LOCALE, USER_FIELD_TIMEZONE, {0}};

enum app_err users_me(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if (req->who->profile_json) {
		buf_puts(&res->body, req->who->profile_json);
		return APP_OK;
	}
	const char *gen = auth_generation(req, req->who->user_id); /* before the read */
	if ((e = user_load(req, req->who->user_id, &r)))
		return e;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, true);
	if (buf_ok(&res->body))
		session_cache_profile(req, req->who, res->body.data, gen);
	return APP_OK;
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
