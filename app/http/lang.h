/*
 * lang: the language a request asks for, chosen once per request
 * (SPEC §1.3): ?language, validated as ISO 639-1, and the Accept-Language
 * pick among the languages the server keeps. The user's own preference
 * sits between the two and is applied where the data is read (catalog.h).
 */
#ifndef REVENGE_HTTP_LANG_H
#define REVENGE_HTTP_LANG_H

#include "http/http.h"

struct http_lang {
	const char *param; /* ?language, an ISO 639-1 code (core/lang.h), or NULL */
	const char *pick;  /* Accept-Language pick among `languages`, or NULL */
};

/* Fill l from req (strings in the request's arena). APP_ERR_VALIDATION
 * naming `language` when ?language is not ISO 639-1; APP_ERR_NOMEM. */
enum app_err http_language(struct request *req, const char *languages, struct http_lang *l,
			   struct field_error *fe);

#endif
