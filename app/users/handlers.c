#include "users/handlers.h"

#include "app.h"
#include "auth/auth.h"
#include "users/user.h"

enum app_err users_me(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if ((e = user_load(req, req->who->user_id, &r)))
		return e;
	jw_init(&w, &res->body);
	user_json(&w, r, 0, true);
	return APP_OK;
}
