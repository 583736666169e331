#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/text.h"

#define MAX_SEGMENTS 12

enum seg_kind { SEG_LITERAL, SEG_UUID, SEG_INT, SEG_STR };

struct segment {
	enum seg_kind kind;
	const char *text; /* literal text or parameter name (owned) */
	size_t len;
};

struct compiled {
	struct segment seg[MAX_SEGMENTS];
	int nseg;
};

struct router {
	const struct route *routes;
	size_t n;
	struct compiled *c;
};

static const struct param_spec uuid_spec = {.type = PT_UUID};
static const struct param_spec int_spec = {.type = PT_INT, .min = 0, .max = INT64_MAX};
static const struct param_spec str_spec = {.type = PT_STRING, .min = 1, .max = 255};

static const struct param_spec *seg_spec(enum seg_kind k)
{
	return k == SEG_UUID ? &uuid_spec : k == SEG_INT ? &int_spec : &str_spec;
}

static int compile(const char *pattern, struct compiled *out)
{
	const char *p = pattern;

	if (*p != '/')
		return -1;
	out->nseg = 0;
	if (!strcmp(p, "/"))
		return 0;
	while (*p == '/') {
		const char *start = ++p, *end = start + strcspn(start, "/");
		struct segment *s;

		if (end == start || out->nseg == MAX_SEGMENTS)
			return -1;
		s = &out->seg[out->nseg++];
		if (*start == '{') {
			const char *colon = memchr(start, ':', (size_t)(end - start));
			if (end[-1] != '}' || !colon)
				return -1;
			const char *type = colon + 1;
			size_t tlen = (size_t)(end - 1 - type);
			if (tlen == 4 && !strncmp(type, "uuid", 4))
				s->kind = SEG_UUID;
			else if (tlen == 3 && !strncmp(type, "int", 3))
				s->kind = SEG_INT;
			else if (tlen == 3 && !strncmp(type, "str", 3))
				s->kind = SEG_STR;
			else
				return -1;
			s->text = strndup(start + 1, (size_t)(colon - start - 1));
		} else {
			s->kind = SEG_LITERAL;
			s->text = strndup(start, (size_t)(end - start));
		}
		if (!s->text)
			return -1;
		s->len = strlen(s->text);
		p = end;
	}
	return *p ? -1 : 0;
}

int http_method_parse(const char *s)
{
	static const struct {
		const char *name;
		int m;
	} map[] = {{"GET", HTTP_GET},     {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},
		   {"PUT", HTTP_PUT},     {"PATCH", HTTP_PATCH},   {"DELETE", HTTP_DELETE},
		   {"OPTIONS", HTTP_OPTIONS}};

	for (size_t i = 0; s && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].name, s))
			return map[i].m;
	return 0;
}

const char *http_method_name(int m)
{
	switch (m) {
	case HTTP_GET:
		return "GET";
	case HTTP_HEAD:
		return "HEAD";
	case HTTP_POST:
		return "POST";
	case HTTP_PUT:
		return "PUT";
	case HTTP_PATCH:
		return "PATCH";
	case HTTP_DELETE:
		return "DELETE";
	case HTTP_OPTIONS:
		return "OPTIONS";
	}
	return "UNKNOWN";
}

struct router *router_new(const struct route *routes, size_t n)
{
	struct router *r = calloc(1, sizeof(*r));

	if (!r || !(r->c = calloc(n ? n : 1, sizeof(*r->c)))) {
		free(r);
		return NULL;
	}
	r->routes = routes;
	r->n = n;
	for (size_t i = 0; i < n; i++) {
		if (compile(routes[i].pattern, &r->c[i]) < 0) {
			log_error("router.bad_pattern", "cannot compile route pattern %s",
				  routes[i].pattern);
			router_free(r);
			return NULL;
		}
	}
	return r;
}

void router_free(struct router *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		for (int k = 0; k < r->c[i].nseg; k++)
			free((char *)(uintptr_t)r->c[i].seg[k].text);
	free(r->c);
	free(r);
}

const struct route *router_routes(const struct router *r, size_t *n)
{
	*n = r->n;
	return r->routes;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *url_decode(struct arena *a, const char *s, size_t n, int plus_space)
{
	char *out = arena_alloc(a, n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return NULL;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return NULL;
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else if (plus_space && s[i] == '+') {
			*o++ = ' ';
		} else {
			if (!s[i])
				return NULL;
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static int uuid_normalise(const char *s, char *out)
{
	static const int dash[] = {8, 13, 18, 23};
	size_t k = 0;

	if (strlen(s) != 36)
		return -1;
	for (int i = 0; i < 36; i++) {
		if (k < 4 && i == dash[k]) {
			if (s[i] != '-')
				return -1;
			out[i] = '-';
			k++;
			continue;
		}
		int v = hexval((unsigned char)s[i]);
		if (v < 0)
			return -1;
		out[i] = "0123456789abcdef"[v];
	}
	out[36] = '\0';
	return 0;
}

enum app_err param_validate(const struct param_spec *spec, const char *text, struct arena *a,
			    const char *field, struct param_value *out, struct field_error *fe)
{
	size_t len = strlen(text);

	out->name = spec->name ? spec->name : field;
	out->num = 0;
	switch (spec->type) {
	case PT_STRING: {
		size_t max = spec->max > 0 ? (size_t)spec->max : 256;
		if (len < (size_t)spec->min || len > max)
			return field_fail(fe, APP_ERR_VALIDATION, field,
					  "must be %lld to %zu bytes long", (long long)spec->min,
					  max);
		if (!utf8_valid(text, len) || has_control(text, len))
			return field_fail(fe, APP_ERR_VALIDATION, field,
					  "must be UTF-8 text without control characters");
		out->str = text;
		return APP_OK;
	}
	case PT_INT:
		if (parse_int64(text, spec->min, spec->max, &out->num) < 0)
			return field_fail(fe, APP_ERR_VALIDATION, field,
					  "must be an integer from %lld to %lld",
					  (long long)spec->min, (long long)spec->max);
		out->str = text;
		return APP_OK;
	case PT_BOOL:
		if (!strcmp(text, "true") || !strcmp(text, "1"))
			out->num = 1, out->str = "true";
		else if (!strcmp(text, "false") || !strcmp(text, "0"))
			out->num = 0, out->str = "false";
		else
			return field_fail(fe, APP_ERR_VALIDATION, field, "must be true or false");
		return APP_OK;
	case PT_UUID: {
		char *norm = arena_alloc(a, 37);
		if (!norm)
			return APP_ERR_NOMEM;
		if (uuid_normalise(text, norm) < 0)
			return field_fail(fe, APP_ERR_VALIDATION, field, "must be a UUID");
		out->str = norm;
		return APP_OK;
	}
	case PT_ENUM:
		for (int i = 0; spec->choices && spec->choices[i]; i++) {
			if (!strcmp(spec->choices[i], text)) {
				out->num = i;
				out->str = spec->choices[i];
				return APP_OK;
			}
		}
		return field_fail(fe, APP_ERR_VALIDATION, field, "is not one of the allowed values");
	}
	return APP_ERR_INTERNAL;
}

/* Does `path` match compiled route c? 1 full match, 0 no, -1 every literal
 * and the segment count match but a typed parameter does not parse (fe
 * filled). Structure is checked before types, so "/movies/x/y/z" is a plain
 * mismatch for "/movies/{id:uuid}" rather than a bad id. */
static int match_one(const struct compiled *c, const char *path, struct request *req,
		     struct field_error *fe)
{
	const char *raw[MAX_SEGMENTS];
	size_t rawlen[MAX_SEGMENTS];
	const char *p = path;
	int k = 0;

	req->npath = 0;
	if (!strcmp(path, "/"))
		return c->nseg == 0;
	while (*p == '/' && p[1]) {
		const char *start = p + 1, *end = start + strcspn(start, "/");
		size_t len = (size_t)(end - start);
		const struct segment *s;

		if (k == c->nseg)
			return 0;
		s = &c->seg[k];
		if (s->kind == SEG_LITERAL && (len != s->len || memcmp(start, s->text, len)))
			return 0;
		raw[k] = start;
		rawlen[k++] = len;
		p = end;
	}
	if (*p != '\0' || k != c->nseg)
		return 0;
	for (k = 0; k < c->nseg; k++) {
		const struct segment *s = &c->seg[k];
		struct param_value *pv = &req->path_params[req->npath];
		char *val;

		if (s->kind == SEG_LITERAL)
			continue;
		val = url_decode(req->arena, raw[k], rawlen[k], 0);
		if (!val || !*val || req->npath == MAX_PATH_PARAMS) {
			field_fail(fe, APP_ERR_VALIDATION, s->text, "is not a valid value");
			return -1;
		}
		if (param_validate(seg_spec(s->kind), val, req->arena, s->text, pv, fe))
			return -1;
		pv->name = s->text;
		req->npath++;
	}
	return 1;
}

enum route_match router_match(const struct router *r, int method, const char *path,
			      struct request *req, int *allow, struct field_error *fe)
{
	int want = method == HTTP_HEAD ? HTTP_GET : method;
	int bad_param = -1;
	struct field_error first = {{0}, {0}};

	*allow = 0;
	for (size_t i = 0; i < r->n; i++) {
		int m = match_one(&r->c[i], path, req, &first);
		if (m == 0)
			continue;
		if (r->routes[i].method != want) {
			*allow |= r->routes[i].method;
			if (r->routes[i].method == HTTP_GET)
				*allow |= HTTP_HEAD;
			continue;
		}
		if (m < 0) {
			if (bad_param < 0) {
				if (fe)
					*fe = first;
				bad_param = (int)i;
			}
			continue;
		}
		req->route = &r->routes[i];
		req->route_index = (int)i;
		return ROUTE_FOUND;
	}
	req->npath = 0;
	if (bad_param >= 0) {
		/* the route stays known so the dispatcher can authenticate and
		 * rate-limit for it before telling anyone about the parameter */
		req->route = &r->routes[bad_param];
		req->route_index = bad_param;
		return ROUTE_BAD_PARAM;
	}
	return *allow ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

enum app_err query_parse(const struct param_spec *specs, const char *query, struct request *req,
			 struct field_error *fe)
{
	const char *p = query;
	unsigned long long seen = 0;

	req->nquery = 0;
	while (p && *p) {
		const char *end = p + strcspn(p, "&");
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *kend = eq ? eq : end;
		char *key, *val;
		int idx = -1;

		if (end == p) {
			p++;
			continue;
		}
		key = url_decode(req->arena, p, (size_t)(kend - p), 1);
		val = eq ? url_decode(req->arena, eq + 1, (size_t)(end - eq - 1), 1)
			 : arena_strdup(req->arena, "");
		if (!key)
			return field_fail(fe, APP_ERR_BAD_REQUEST, "query",
					  "malformed percent-encoding");
		if (!*key)
			return field_fail(fe, APP_ERR_VALIDATION, "query",
					  "has a parameter without a name");
		for (int i = 0; specs && specs[i].name; i++)
			if (!strcmp(specs[i].name, key))
				idx = i;
		if (idx < 0) {
			if (!utf8_valid(key, strlen(key)) || has_control(key, strlen(key)))
				return field_fail(fe, APP_ERR_VALIDATION, "query",
						  "unknown query parameter");
			return field_fail(fe, APP_ERR_VALIDATION, key, "unknown query parameter");
		}
		if (!val)
			return field_fail(fe, APP_ERR_BAD_REQUEST, specs[idx].name,
					  "malformed percent-encoding");
		if (idx < 64 && (seen & (1ull << idx)))
			return field_fail(fe, APP_ERR_VALIDATION, specs[idx].name,
					  "is given more than once");
		if (req->nquery == MAX_QUERY_PARAMS)
			return field_fail(fe, APP_ERR_VALIDATION, "query", "too many parameters");
		if (idx < 64)
			seen |= 1ull << idx;
		enum app_err e = param_validate(&specs[idx], val, req->arena, specs[idx].name,
						&req->query_params[req->nquery], fe);
		if (e)
			return e;
		req->nquery++;
		p = *end ? end + 1 : end;
	}
	for (int i = 0; specs && specs[i].name; i++)
		if (specs[i].required && (i >= 64 || !(seen & (1ull << i))))
			return field_fail(fe, APP_ERR_VALIDATION, specs[i].name, "is required");
	return APP_OK;
}

void http_allow_header(int allow, struct buf *out)
{
	static const int order[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,   HTTP_PUT,
				    HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS};
	int first = 1;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!(allow & order[i]))
			continue;
		if (!first)
			buf_puts(out, ", ");
		buf_puts(out, http_method_name(order[i]));
		first = 0;
	}
}
