/*
 * libFuzzer target for the request-line parsers of app/http/router.c:
 * url_decode(), router_match() and query_parse(), against a route table of
 * its own that uses every path parameter type (uuid, int, str) and query
 * schemas with every parameter type (enum, int, bool, string, uuid, a
 * required one), and a long string shaped like the folder picker's ?path.
 *
 * Input: byte 0 picks the method, byte 1 the query schema and the
 * url_decode mode; the rest is "path?query" as nginx passes REQUEST_URI
 * (cut at the first NUL, which FastCGI cannot carry either).
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   url_decode    an accepted string has no NUL inside, is no longer than
 *                 its input, and re-encoded byte by byte decodes to itself
 *   router_match  a found route has the method asked for (HEAD finds GET)
 *                 and one valid value per typed segment; 405 reports an
 *                 Allow set that lacks the method asked for; 400 names one
 *                 of the parameters of a route whose literals match; the
 *                 same path matches the same way twice
 *   query_parse   every accepted value satisfies its spec, no name is
 *                 taken twice, required names are present; a refusal
 *                 names a field that is valid UTF-8 without control bytes
 *                 (it is echoed in the problem body)
 *
 * Seeds (byte 0: 1 GET, 2 HEAD, 3 POST, 4 PUT, 6 DELETE, 7 OPTIONS; byte 1:
 * schema 0 list, 1 required, 2 none, +0x10 for '+' as space):
 * fuzz-seed: \x01\x00/api/v1/movies?sort=title&limit=10&offset=0&q=caf%C3%A9&verbose=true&after=0123ABCD-89ef-4567-89ab-cdef01234567&note=n
 * fuzz-seed: \x01\x01/api/v1/tv/1/seasons/2/episodes/3?page=-5&mode=added
 * fuzz-seed: \x06\x12/api/v1/movies/0123abcd-89ef-4567-89ab-cdef01234567
 * fuzz-seed: \x02\x10/api/v1/libraries/42/files/a%20b.mkv?q=a+b&limit=100
 * fuzz-seed: \x07\x02/p/a/b/c/9
 * fuzz-seed: \x04\x00/api/v1/libraries/7
 * fuzz-seed: \x03\x00/api/v1/users/me?verbose=1
 * fuzz-seed: \x01\x00/api/v1/movies?path=%2Fsrv%2Fmedia%2F..%2F..%2Fetc%00x&path=/a
 * fuzz-seed: \x01\x00/api/v1/movies?path=media/Movies&path=&path=%C3%28%2F%7F
 *
 * fuzz-sources: app/core app/http/router.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/text.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sort_choices[] = {"title", "year", "added", NULL};

static const struct param_spec list_query[] = {
	{.name = "sort", .type = PT_ENUM, .choices = sort_choices},
	{.name = "limit", .type = PT_INT, .min = 1, .max = 100},
	{.name = "offset", .type = PT_INT, .min = 0, .max = INT64_MAX},
	{.name = "q", .type = PT_STRING, .min = 1, .max = 64},
	{.name = "verbose", .type = PT_BOOL},
	{.name = "after", .type = PT_UUID},
	{.name = "note", .type = PT_STRING}, /* max 0: the default 256 */
	/* the shape of the folder picker's ?path (library/dirs.c) */
	{.name = "path", .type = PT_STRING, .min = 1, .max = 4096},
	{0},
};

static const struct param_spec required_query[] = {
	{.name = "page", .type = PT_INT, .required = true, .min = -5, .max = 5},
	{.name = "mode", .type = PT_ENUM, .required = true, .choices = sort_choices},
	{0},
};

static const struct param_spec *const schemas[] = {list_query, required_query, NULL};
#define NSCHEMAS 3

#define R(m, p) {.method = (m), .pattern = (p), .name = (p), .permission = PERM_PUBLIC}
static const struct route routes[] = {
	R(HTTP_GET, "/"),
	R(HTTP_GET, "/healthz"),
	R(HTTP_GET, "/api/v1/movies"),
	R(HTTP_POST, "/api/v1/movies"),
	R(HTTP_GET, "/api/v1/movies/{id:uuid}"),
	R(HTTP_DELETE, "/api/v1/movies/{id:uuid}"),
	R(HTTP_PATCH, "/api/v1/movies/{id:uuid}"),
	R(HTTP_GET, "/api/v1/users/me"),
	R(HTTP_GET, "/api/v1/users/{id:uuid}"),
	R(HTTP_GET, "/api/v1/libraries/{lib:int}/files/{name:str}"),
	R(HTTP_PUT, "/api/v1/libraries/{lib:int}"),
	R(HTTP_GET, "/api/v1/tv/{show:int}/seasons/{season:int}/episodes/{ep:int}"),
	R(HTTP_GET, "/p/{a:str}/{b:str}/{c:str}/{d:int}"),
	R(HTTP_OPTIONS, "/p/{a:str}/{b:str}/{c:str}/{d:int}"),
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const int methods[] = {0,          HTTP_GET,   HTTP_HEAD,   HTTP_POST,
			      HTTP_PUT,   HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS};

static struct router *router;
static struct arena *arena;

/* An oracle failed: say which before libFuzzer records the input. */
static void broken(const char *what)
{
	fprintf(stderr, "fuzz_query: oracle failed: %s\n", what);
	abort();
}

/* The typed segments of a pattern, in order: names and kinds ('u', 'i', 's'). */
struct typed {
	char name[16][32];
	char kind[16];
	int n;
};

static void typed_segments(const char *pattern, struct typed *t)
{
	const char *p = pattern;

	t->n = 0;
	while ((p = strchr(p, '{')) != NULL) {
		const char *colon = strchr(p, ':'), *close = strchr(p, '}');
		size_t len = (size_t)(colon - p - 1);
		if (!colon || !close || len >= sizeof(t->name[0]) || t->n == 16)
			abort(); /* the table above is wrong */
		memcpy(t->name[t->n], p + 1, len);
		t->name[t->n][len] = '\0';
		t->kind[t->n++] = colon[1];
		p = close;
	}
}

static int is_uuid_lower(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

static int clean_text(const char *s)
{
	size_t n = strlen(s);
	return utf8_valid(s, n) && !has_control(s, n);
}

static void check_decode(const char *s, size_t n, int plus_space)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = url_decode(arena, s, n, plus_space), *enc, *again;
	size_t len;

	if (!out)
		return;
	len = strlen(out);
	if (len > n)
		broken("url_decode output longer than its input");
	/* no NUL inside: the decoded length is what the escapes allow */
	size_t want = 0;
	for (size_t i = 0; i < n; i++, want++)
		if (s[i] == '%')
			i += 2;
	if (len != want)
		broken("url_decode output has a NUL inside");
	enc = arena_alloc(arena, 3 * len + 1);
	if (!enc)
		return;
	for (size_t i = 0; i < len; i++) {
		enc[3 * i] = '%';
		enc[3 * i + 1] = hex[(unsigned char)out[i] >> 4];
		enc[3 * i + 2] = hex[(unsigned char)out[i] & 15];
	}
	enc[3 * len] = '\0';
	again = url_decode(arena, enc, 3 * len, plus_space);
	if (again && strcmp(again, out))
		broken("url_decode of the re-encoded output differs");
}

static void check_path_value(const struct param_value *v, char kind)
{
	int64_t num;

	switch (kind) {
	case 'u':
		if (!is_uuid_lower(v->str))
			broken("uuid path value not in canonical lower case");
		break;
	case 'i':
		if (parse_int64(v->str, 0, INT64_MAX, &num) < 0 || num != v->num)
			broken("int path value does not parse back to its number");
		break;
	case 's':
		if (strlen(v->str) < 1 || strlen(v->str) > 255 || !clean_text(v->str))
			broken("str path value empty, too long, bad UTF-8 or with control bytes");
		break;
	default:
		broken("unknown segment kind");
	}
}

static void check_match(int method, const char *path)
{
	struct request req, again;
	struct field_error fe = {{0}, {0}}, fe2 = {{0}, {0}};
	int allow = 0, allow2 = 0, want = method == HTTP_HEAD ? HTTP_GET : method;
	enum route_match m, m2;

	memset(&req, 0, sizeof(req));
	req.arena = arena;
	req.route_index = -1;
	m = router_match(router, method, path, &req, &allow, &fe);

	memset(&again, 0, sizeof(again));
	again.arena = arena;
	again.route_index = -1;
	m2 = router_match(router, method, path, &again, &allow2, &fe2);
	if (m != m2 || allow != allow2 || strcmp(fe.field, fe2.field))
		broken("the same path matched differently twice");

	switch (m) {
	case ROUTE_FOUND: {
		struct typed t;
		if (!req.route || req.route_index < 0 || (size_t)req.route_index >= NROUTES ||
		    req.route != &routes[req.route_index] || req.route->method != want ||
		    again.route != req.route)
			broken("found route is not the table's entry for the method");
		typed_segments(req.route->pattern, &t);
		if (req.npath != t.n)
			broken("path value count differs from the typed segments");
		for (int i = 0; i < req.npath; i++) {
			if (strcmp(req.path_params[i].name, t.name[i]))
				broken("path value named differently from its segment");
			check_path_value(&req.path_params[i], t.kind[i]);
			if (strcmp(req.path_params[i].str, again.path_params[i].str))
				broken("path value differs between two matches");
		}
		break;
	}
	case ROUTE_BAD_METHOD:
		if (!allow || (allow & want) || (method && (allow & method)))
			broken("405 with an Allow set that is empty or has the method");
		break;
	case ROUTE_NOT_FOUND:
		if (allow)
			broken("404 with methods allowed");
		break;
	case ROUTE_BAD_PARAM: {
		/* the field is a parameter name of some route */
		int named = 0;
		for (size_t i = 0; i < NROUTES && !named; i++) {
			struct typed t;
			typed_segments(routes[i].pattern, &t);
			for (int k = 0; k < t.n; k++)
				named |= !strcmp(t.name[k], fe.field);
		}
		if (!named)
			broken("400 naming no route parameter");
		break;
	}
	default:
		broken("unknown router_match result");
	}
}

static const struct param_spec *spec_named(const struct param_spec *specs, const char *name)
{
	for (int i = 0; specs[i].name; i++)
		if (specs[i].name == name) /* param_validate keeps the spec's pointer */
			return &specs[i];
	return NULL;
}

static void check_value(const struct param_spec *s, const struct param_value *v)
{
	int64_t num;
	size_t len = strlen(v->str), max = s->max > 0 ? (size_t)s->max : 256;

	switch (s->type) {
	case PT_STRING:
		if (len < (size_t)s->min || len > max || !clean_text(v->str))
			broken("accepted string query value breaks its bounds or is not clean text");
		break;
	case PT_INT:
		if (v->num < s->min || v->num > s->max ||
		    parse_int64(v->str, s->min, s->max, &num) < 0 || num != v->num)
			broken("accepted int query value out of bounds or not its text");
		break;
	case PT_BOOL:
		if (!((v->num == 1 && !strcmp(v->str, "true")) ||
		      (v->num == 0 && !strcmp(v->str, "false"))))
			broken("accepted bool query value not normalised");
		break;
	case PT_UUID:
		if (!is_uuid_lower(v->str))
			broken("accepted uuid query value not canonical");
		break;
	case PT_ENUM:
		if (v->num < 0 || v->num > 2 || strcmp(v->str, s->choices[v->num]))
			broken("accepted enum query value is not its choice");
		break;
	default:
		broken("unknown parameter type");
	}
}

static void check_query(const struct param_spec *specs, const char *query)
{
	struct request req;
	struct field_error fe = {{0}, {0}};
	enum app_err e;

	memset(&req, 0, sizeof(req));
	req.arena = arena;
	e = query_parse(specs, query, &req, &fe);
	if (e != APP_OK) {
		if (e == APP_ERR_NOMEM)
			return;
		if (e != APP_ERR_VALIDATION && e != APP_ERR_BAD_REQUEST)
			broken("query_parse failed with an unexpected error");
		if (!fe.field[0])
			broken("query_parse refused without naming a field");
		if (!clean_text(fe.field))
			broken("query_parse names a field that is not clean UTF-8 text");
		return;
	}
	if (req.nquery < 0 || req.nquery > MAX_QUERY_PARAMS || (!specs && req.nquery))
		broken("query value count out of range");
	for (int i = 0; i < req.nquery; i++) {
		const struct param_spec *s = spec_named(specs, req.query_params[i].name);
		if (!s)
			broken("accepted query value for an undeclared name");
		for (int k = 0; k < i; k++)
			if (req.query_params[k].name == req.query_params[i].name)
				broken("query name accepted twice");
		check_value(s, &req.query_params[i]);
	}
	for (int i = 0; specs && specs[i].name; i++) {
		int present = 0;
		for (int k = 0; k < req.nquery; k++)
			present |= req.query_params[k].name == specs[i].name;
		if (specs[i].required && !present)
			broken("required query parameter missing yet accepted");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *uri, *q;
	size_t n;
	int method, plus_space;
	const struct param_spec *specs;

	if (!router) {
		router = router_new(routes, NROUTES);
		arena = arena_new(16 * 1024, 1 << 20);
		if (!router || !arena)
			abort();
	}
	if (size < 2)
		return 0;
	method = methods[data[0] % 8];
	specs = schemas[data[1] % NSCHEMAS];
	plus_space = (data[1] >> 4) & 1;
	data += 2;
	size -= 2;

	n = strnlen((const char *)data, size);
	uri = malloc(n + 1);
	if (!uri)
		return 0;
	memcpy(uri, data, n);
	uri[n] = '\0';

	check_decode(uri, n, plus_space);

	q = strchr(uri, '?');
	if (q)
		*q++ = '\0';
	check_match(method, uri);
	check_query(specs, q ? q : "");

	arena_reset(arena);
	free(uri);
	return 0;
}
