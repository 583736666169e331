#include "http/lang.h"

#include <string.h>

#include "core/lang.h"
#include "http/headers.h"

enum app_err http_language(struct request *req, const char *languages, struct http_lang *l,
			   struct field_error *fe)
{
	const struct param_value *lang = req_query(req, "language");
	char pick[3];

	l->param = l->pick = NULL;
	if (lang && !lang_is_iso639_1(lang->str))
		return field_fail(fe, APP_ERR_VALIDATION, "language",
				  "must be an ISO 639-1 language code: two lower-case letters such as en");
	l->param = lang ? lang->str : NULL;
	http_accept_language(req_header(req, "Accept-Language"), languages, pick);
	if (pick[0] && !(l->pick = arena_strdup(req->arena, pick)))
		return APP_ERR_NOMEM;
	return APP_OK;
}
