#include "http/validators.h"

#include <stdio.h>
#include <string.h>

#include "core/crypto.h"

void http_json_compact(struct buf *b, const char *s, size_t n)
{
	bool in_str = false;
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			buf_append(b, s + from, i - from);
			from = i + 1;
		}
	}
	if (from < n)
		buf_append(b, s + from, n - from);
}

void jw_pg_json(struct jw *w, const char *json, size_t n)
{
	jw_raw(w, "", 0); /* the separator */
	http_json_compact(w->b, json, n);
}

/* Does an If-None-Match list name etag (weak comparison, RFC 9110 §13.1.2)? */
static bool none_match(const char *inm, const char *etag)
{
	const char *opaque = etag + 2; /* past W/ */
	size_t n = strlen(opaque);

	for (const char *p = inm; p && *p;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return true;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (!strncmp(p, opaque, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

void http_validators(struct request *req, struct response *res)
{
	unsigned char h[32];
	char hex[33], etag[40];

	if (res->body.failed || (res->status && res->status != 200))
		return;
	crypto_sha256(res->body.data, res->body.len, h);
	hex_encode(h, 16, hex);
	hex[32] = '\0';
	snprintf(etag, sizeof(etag), "W/\"%.32s\"", hex);
	res_header(res, "ETag", etag);
	res_header(res, "Cache-Control", "private, no-cache");
	res_header(res, "Vary", "Accept-Language, Authorization, Cookie");
	const char *inm = req_header(req, "If-None-Match");
	if (inm && none_match(inm, etag)) {
		res->status = 304;
		res->body.len = 0;
		if (res->body.cap)
			res->body.data[0] = '\0';
	}
}
