#include "users/me.h"

#include "app.h"
#include "auth/auth.h"
#include "auth/session.h"
#include "users/change.h"
#include "users/user.h"

static const char *const me_fields[] = {"display_name", "email", "locale", "timezone", NULL};

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
	enum app_err e;

	if ((e = user_change_parse(req->json, me_fields, &ch, fe)))
		return e;
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
