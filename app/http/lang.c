#include "http/lang.h"

#include <string.h>

#include "http/headers.h"

bool http_iso639_1(const char *s)
{
	return s && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z' && !s[2];
}

enum app_err http_language(struct request *req, const char *languages, struct http_lang *l,
			   struct field_error *fe)
{
	const struct param_value *lang = req_query(req, "language");
	char pick[3];

	l->param = l->pick = NULL;
	if (lang && !http_iso639_1(lang->str))
		return field_fail(fe, APP_ERR_VALIDATION, "language",
				  "must be an ISO 639-1 code: two lower-case letters");
	l->param = lang ? lang->str : NULL;
	http_accept_language(req_header(req, "Accept-Language"), languages, pick);
	if (pick[0] && !(l->pick = arena_strdup(req->arena, pick)))
		return APP_ERR_NOMEM;
	return APP_OK;
}
