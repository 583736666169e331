/*
 * docs/openapi.yaml against the router table (app/routes.c), both ways.
 *
 * The YAML is read with a line scanner, not a YAML parser: the document
 * keeps a regular layout on purpose (paths at two spaces, methods at four,
 * operationId and x-permission first at six, parameters inline), and a
 * layout the scanner cannot follow is reported as a problem rather than
 * guessed at. Every problem names the route or the YAML line, and all of
 * them are listed before the test fails, so one run shows the whole drift.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "app.h"

#define YAML_PATH "docs/openapi.yaml"
#define MAX_OPS 1024
#define MAX_YPARAMS 32

struct yparam {
	char name[64];
	char in[16];
	int required; /* -1 when the line is missing */
	char type[16];
	char format[16];
	char enums[512]; /* the enum list as written, "[a, b]" */
	int line;
};

struct op {
	char method[16]; /* as written: get, post, ... */
	char path[256];
	char id[128];
	char perm[128];
	char summary[512];
	int line;     /* of the method key */
	int nkeys;    /* six-space keys seen so far, for the layout rule */
	int matched;  /* a route claimed it */
	int has_body; /* a requestBody key */
	char body_ref[128]; /* its schema, "X" of $ref '#/components/schemas/X' */
	struct yparam params[MAX_YPARAMS];
	int nparams;
};

static struct op *ops;
static int nops;

/* A schema of components/schemas: its property names and required list. */
#define MAX_SCHEMAS 512
#define MAX_PROPS 48
struct schema {
	char name[128];
	char props[MAX_PROPS][64];
	int nprops;
	char required[512]; /* "[a, b]" as written, "" when none */
	int line;
};
static struct schema *schemas;
static int nschemas;
static int problems;
static char layout[8192]; /* layout problems found while scanning */

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void problem(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("openapi: %s\n", msg);
	problems++;
}

/* Report the problems of one test and fail it when there were any. */
static void finish(void)
{
	int n = problems;

	problems = 0;
	if (n)
		fail_msg("%d problem(s), listed above", n);
}

static void layout_problem(int line, const char *what)
{
	size_t used = strlen(layout);

	snprintf(layout + used, sizeof(layout) - used, "openapi: %s:%d: %s\n", YAML_PATH, line,
	         what);
}

/* --- scanning -------------------------------------------------------------- */

static int indent_of(const char *s)
{
	int n = 0;

	while (s[n] == ' ')
		n++;
	return n;
}

/* Copy a scalar value into out: trimmed, quotes removed ("\"" and "\\"
 * escapes in double quotes, '' in single quotes), a trailing " # comment"
 * dropped from plain scalars. */
static void scalar(const char *v, char *out, size_t cap)
{
	size_t n = 0;

	while (*v == ' ')
		v++;
	if (*v == '"' || *v == '\'') {
		char q = *v++;

		for (; *v && n + 1 < cap; v++) {
			if (q == '"' && *v == '\\' && v[1])
				v++;
			else if (q == '\'' && *v == '\'' && v[1] == '\'')
				v++;
			else if (*v == q)
				break;
			out[n++] = *v;
		}
		out[n] = '\0';
		return;
	}
	for (; *v && n + 1 < cap; v++) {
		if (*v == '#' && n > 0 && out[n - 1] == ' ')
			break;
		out[n++] = *v;
	}
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
}

/* "key: value" at exactly this indent? Sets *val to the text after ':'. */
static int key_is(const char *line, int indent, const char *key, const char **val)
{
	size_t k = strlen(key);

	if (indent_of(line) != indent || strncmp(line + indent, key, k) || line[indent + k] != ':')
		return 0;
	*val = line + indent + k + 1;
	return 1;
}

static int is_method(const char *s, size_t n)
{
	static const char *const methods[] = {"get",  "put",     "post",  "delete", "patch",
	                                      "head", "options", "trace", NULL};

	for (int i = 0; methods[i]; i++)
		if (strlen(methods[i]) == n && !strncmp(methods[i], s, n))
			return 1;
	return 0;
}

/* One line inside an operation's parameters block. */
static void scan_param_line(struct op *o, const char *line, int lineno)
{
	struct yparam *p = o->nparams ? &o->params[o->nparams - 1] : NULL;
	const char *v;

	if (key_is(line, 8, "- name", &v)) {
		if (o->nparams == MAX_YPARAMS) {
			layout_problem(lineno, "too many parameters for the scanner");
			return;
		}
		p = &o->params[o->nparams++];
		memset(p, 0, sizeof(*p));
		p->required = -1;
		p->line = lineno;
		scalar(v, p->name, sizeof(p->name));
		return;
	}
	if (indent_of(line) == 8 && line[8] == '-') {
		layout_problem(lineno, "parameters must start with \"- name:\" (no $ref)");
		return;
	}
	if (!p)
		return;
	if (key_is(line, 10, "in", &v)) {
		scalar(v, p->in, sizeof(p->in));
	} else if (key_is(line, 10, "required", &v)) {
		char b[16];

		scalar(v, b, sizeof(b));
		p->required = !strcmp(b, "true");
	} else if (key_is(line, 12, "type", &v)) {
		scalar(v, p->type, sizeof(p->type));
	} else if (key_is(line, 12, "format", &v)) {
		scalar(v, p->format, sizeof(p->format));
	} else if (key_is(line, 12, "enum", &v)) {
		scalar(v, p->enums, sizeof(p->enums));
	}
}

/* One line of components/schemas (indent 4 and deeper). */
static void scan_schema_line(const char *line, int lineno, int *in_props)
{
	int ind = indent_of(line);
	struct schema *sc = nschemas ? &schemas[nschemas - 1] : NULL;
	const char *v, *colon = strchr(line + ind, ':');

	if (ind == 4 && colon && !colon[1]) {
		*in_props = 0;
		if (nschemas == MAX_SCHEMAS) {
			layout_problem(lineno, "too many schemas for the scanner");
			return;
		}
		sc = &schemas[nschemas++];
		memset(sc, 0, sizeof(*sc));
		snprintf(sc->name, sizeof(sc->name), "%.*s", (int)(colon - line - 4), line + 4);
		sc->line = lineno;
		return;
	}
	if (!sc)
		return;
	if (ind == 6) {
		*in_props = key_is(line, 6, "properties", &v);
		if (key_is(line, 6, "required", &v))
			scalar(v, sc->required, sizeof(sc->required));
		return;
	}
	if (*in_props && ind == 8 && colon && !colon[1] && sc->nprops < MAX_PROPS)
		snprintf(sc->props[sc->nprops++], sizeof(sc->props[0]), "%.*s",
		         (int)(colon - line - 8), line + 8);
}

/* One six-space key of an operation. Returns 1 when it opens the
 * parameters block. */
static int scan_op_key(struct op *o, const char *line, int lineno)
{
	const char *v;
	int n = ++o->nkeys;

	if (key_is(line, 6, "operationId", &v)) {
		scalar(v, o->id, sizeof(o->id));
		if (n != 1)
			layout_problem(lineno,
			               "operationId must be the first key of the operation");
	} else if (key_is(line, 6, "x-permission", &v)) {
		scalar(v, o->perm, sizeof(o->perm));
		if (n != 2)
			layout_problem(lineno, "x-permission must directly follow operationId");
	} else if (key_is(line, 6, "summary", &v)) {
		scalar(v, o->summary, sizeof(o->summary));
	} else if (key_is(line, 6, "parameters", &v)) {
		return 1;
	} else if (key_is(line, 6, "requestBody", &v)) {
		o->has_body = 1;
	}
	return 0;
}

static void scan(FILE *f)
{
	char *line = NULL, path[256] = "";
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, in_paths = 0, in_params = 0, in_components = 0, in_schemas = 0;
	int in_props = 0, in_body = 0;
	struct op *o = NULL;

	while ((len = getline(&line, &cap, f)) >= 0) {
		int ind;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		ind = indent_of(line);
		if (!line[ind] || line[ind] == '#')
			continue;
		if (strchr(line, '\t'))
			layout_problem(lineno, "tab character (YAML indents with spaces)");
		if (ind == 0) {
			in_paths = !strcmp(line, "paths:");
			in_components = !strcmp(line, "components:");
			in_schemas = 0;
			o = NULL;
			continue;
		}
		if (in_components) {
			if (ind == 2)
				in_schemas = !strcmp(line, "  schemas:");
			else if (in_schemas)
				scan_schema_line(line, lineno, &in_props);
			continue;
		}
		if (!in_paths)
			continue;
		if (ind == 2) {
			o = NULL;
			if (line[2] != '/' || line[len - 1] != ':') {
				layout_problem(lineno, "expected a path such as \"  /healthz:\"");
				continue;
			}
			snprintf(path, sizeof(path), "%.*s", (int)(len - 3), line + 2);
			continue;
		}
		if (ind == 4) {
			const char *colon = strchr(line + 4, ':');

			o = NULL;
			if (!colon || colon[1] ||
			    !is_method(line + 4, (size_t)(colon - line - 4))) {
				layout_problem(lineno,
				               "only methods belong at four spaces under a path "
				               "(put parameters under each operation)");
				continue;
			}
			if (nops == MAX_OPS) {
				layout_problem(lineno, "too many operations for the scanner");
				continue;
			}
			o = &ops[nops++];
			memset(o, 0, sizeof(*o));
			snprintf(o->method, sizeof(o->method), "%.*s", (int)(colon - line - 4),
			         line + 4);
			snprintf(o->path, sizeof(o->path), "%s", path);
			o->line = lineno;
			in_params = 0;
			continue;
		}
		if (!o)
			continue;
		if (ind == 6) {
			in_params = scan_op_key(o, line, lineno);
			in_body = o->has_body && !strncmp(line + 6, "requestBody:", 12);
			continue;
		}
		if (in_body && strstr(line, "$ref: '#/components/schemas/")) {
			const char *n = strstr(line, "schemas/") + 8;
			snprintf(o->body_ref, sizeof(o->body_ref), "%.*s", (int)strcspn(n, "'"), n);
			continue;
		}
		if (in_params)
			scan_param_line(o, line, lineno);
	}
	free(line);
}

static int load_yaml(void **state)
{
	const char *root = getenv("TEST_ROOT");
	FILE *f = fopen(YAML_PATH, "r");
	char alt[1024];

	(void)state;
	if (!f && root) {
		snprintf(alt, sizeof(alt), "%s/%s", root, YAML_PATH);
		f = fopen(alt, "r");
	}
	if (!f) {
		print_error("openapi: cannot open %s (run from the repository root)\n", YAML_PATH);
		return -1;
	}
	ops = calloc(MAX_OPS, sizeof(*ops));
	schemas = calloc(MAX_SCHEMAS, sizeof(*schemas));
	if (!ops || !schemas) {
		fclose(f);
		return -1;
	}
	scan(f);
	fclose(f);
	return 0;
}

static int free_yaml(void **state)
{
	(void)state;
	free(ops);
	ops = NULL;
	free(schemas);
	schemas = NULL;
	return 0;
}

/* --- the route side ----------------------------------------------------------- */

/* SPEC §2.6, the full list of permissions a route may declare. */
static const char *const permissions[] = {
    "users:list",
    "users:get",
    "users:create",
    "users:update",
    "users:delete",
    "profile:read",
    "profile:update",
    "movies:list",
    "movies:get",
    "movies:create",
    "movies:update",
    "movies:delete",
    "tvshows:list",
    "tvshows:get",
    "tvshows:create",
    "tvshows:update",
    "tvshows:delete",
    "libraries:list",
    "libraries:get",
    "libraries:create",
    "libraries:update",
    "libraries:delete",
    "libraries:scan",
    "playback:stream",
    "playback:progress",
    "requests:list",
    "requests:get",
    "requests:create",
    "requests:approve",
    "requests:delete",
    "settings:read",
    "settings:write",
    "settings:user_read",
    "settings:user_write",
    "audit:read",
    "audit:export",
    "integrations:list",
    "integrations:get",
    "integrations:create",
    "integrations:update",
    "integrations:delete",
    "integrations:sync",
    "notifications:list",
    "notifications:get",
    "notifications:create",
    "notifications:update",
    "notifications:delete",
    "jobs:list",
    "jobs:get",
    "jobs:retry",
    "jobs:cancel",
    "admin:*",
    NULL,
};

static int known_permission(const char *p)
{
	if (!strcmp(p, PERM_PUBLIC))
		return 1;
	for (int i = 0; permissions[i]; i++)
		if (!strcmp(permissions[i], p))
			return 1;
	return 0;
}

/* A path parameter of a pattern: {name:type}. */
struct pparam {
	char name[64];
	char type[8];
};

/* "/a/{id:uuid}/b" -> "/a/{id}/b", collecting the parameters. Returns -1
 * when a segment is malformed. */
static int openapi_path(const char *pattern, char *out, size_t cap, struct pparam *pp, int *npp)
{
	size_t n = 0;

	*npp = 0;
	for (const char *p = pattern; *p; p++) {
		if (*p == '{') {
			const char *colon = strchr(p, ':'), *close = strchr(p, '}');

			if (!colon || !close || colon > close || *npp == MAX_PATH_PARAMS)
				return -1;
			snprintf(pp[*npp].name, sizeof(pp[*npp].name), "%.*s", (int)(colon - p - 1),
			         p + 1);
			snprintf(pp[*npp].type, sizeof(pp[*npp].type), "%.*s",
			         (int)(close - colon - 1), colon + 1);
			n += (size_t)snprintf(n < cap ? out + n : NULL, n < cap ? cap - n : 0,
			                      "{%s}", pp[*npp].name);
			(*npp)++;
			p = close;
			continue;
		}
		if (n + 1 < cap)
			out[n++] = *p;
	}
	if (n >= cap)
		return -1;
	out[n] = '\0';
	return 0;
}

static void route_label(const struct route *r, char *out, size_t cap)
{
	snprintf(out, cap, "route %s (%s %s)", r->name && *r->name ? r->name : "<unnamed>",
	         http_method_name(r->method), r->pattern ? r->pattern : "<no pattern>");
}

/* "GET" -> "get", as OpenAPI spells methods. */
static const char *lower_method(int m, char *out, size_t cap)
{
	const char *name = http_method_name(m);
	size_t i;

	for (i = 0; name[i] && i + 1 < cap; i++)
		out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	out[i] = '\0';
	return out;
}

static struct op *find_op(const struct route *r, const char *path)
{
	const char *m = http_method_name(r->method);

	for (int i = 0; i < nops; i++)
		if (!strcasecmp(ops[i].method, m) && !strcmp(ops[i].path, path))
			return &ops[i];
	return NULL;
}

static struct yparam *find_yparam(struct op *o, const char *name)
{
	for (int i = 0; i < o->nparams; i++)
		if (!strcmp(o->params[i].name, name))
			return &o->params[i];
	return NULL;
}

/* The enum list written as "[a, b, c]" against choices, in order. */
static int enum_matches(const char *written, const char *const *choices)
{
	char buf[512], item[128];
	const char *p;
	int i = 0;

	if (!choices || written[0] != '[')
		return 0;
	snprintf(buf, sizeof(buf), "%s", written + 1);
	if (!strchr(buf, ']'))
		return 0;
	*strchr(buf, ']') = '\0';
	for (p = buf; *p;) {
		size_t n = strcspn(p, ",");
		char raw[128];

		snprintf(raw, sizeof(raw), "%.*s", (int)n, p);
		scalar(raw, item, sizeof(item));
		if (!choices[i] || strcmp(choices[i], item))
			return 0;
		i++;
		p += n;
		if (*p == ',')
			p++;
	}
	return choices[i] == NULL;
}

static void check_schema(const char *label, const struct yparam *y, const char *type,
                         const char *format)
{
	if (strcmp(y->type, type))
		problem("%s: parameter %s (line %d) has type \"%s\", the route declares %s", label,
		        y->name, y->line, y->type, type);
	if (format && strcmp(y->format, format))
		problem("%s: parameter %s (line %d) has format \"%s\", the route declares %s",
		        label, y->name, y->line, y->format, format);
}

static void check_query_param(const char *label, struct op *o, const struct param_spec *s)
{
	struct yparam *y = find_yparam(o, s->name);

	if (!y) {
		problem("%s: query parameter %s is not documented", label, s->name);
		return;
	}
	if (strcmp(y->in, "query"))
		problem("%s: parameter %s (line %d) is \"in: %s\", the route takes it in the query",
		        label, s->name, y->line, y->in);
	if (y->required != (int)s->required)
		problem("%s: parameter %s (line %d) must say \"required: %s\"", label, s->name,
		        y->line, s->required ? "true" : "false");
	switch (s->type) {
	case PT_STRING:
		check_schema(label, y, "string", NULL);
		break;
	case PT_INT:
		check_schema(label, y, "integer", NULL);
		break;
	case PT_BOOL:
		check_schema(label, y, "boolean", NULL);
		break;
	case PT_UUID:
		check_schema(label, y, "string", "uuid");
		break;
	case PT_ENUM:
		check_schema(label, y, "string", NULL);
		if (!enum_matches(y->enums, s->choices))
			problem("%s: parameter %s (line %d): enum %s differs from the route's "
			        "choices",
			        label, s->name, y->line, y->enums[0] ? y->enums : "(missing)");
		break;
	}
}

static void check_path_param(const char *label, struct op *o, const struct pparam *pp)
{
	struct yparam *y = find_yparam(o, pp->name);

	if (!y) {
		problem("%s: path parameter %s is not documented", label, pp->name);
		return;
	}
	if (strcmp(y->in, "path"))
		problem("%s: parameter %s (line %d) must be \"in: path\"", label, pp->name,
		        y->line);
	if (y->required != 1)
		problem("%s: path parameter %s (line %d) must say \"required: true\"", label,
		        pp->name, y->line);
	if (!strcmp(pp->type, "uuid"))
		check_schema(label, y, "string", "uuid");
	else if (!strcmp(pp->type, "int"))
		check_schema(label, y, "integer", "int64");
	else
		check_schema(label, y, "string", NULL);
}

/* Every documented parameter is one the route accepts. */
static void check_no_extra_params(const char *label, const struct op *o, const struct route *r,
                                  const struct pparam *pp, int npp)
{
	for (int i = 0; i < o->nparams; i++) {
		const struct yparam *y = &o->params[i];
		int known = 0;

		for (int k = 0; k < npp; k++)
			known |= !strcmp(pp[k].name, y->name);
		for (int k = 0; r->query && r->query[k].name; k++)
			known |= !strcmp(r->query[k].name, y->name);
		if (!known)
			problem("%s: docs/openapi.yaml:%d documents parameter %s, which the route "
			        "does not accept",
			        label, y->line, y->name);
	}
}

/* --- tests ----------------------------------------------------------------- */

static void test_yaml_layout(void **state)
{
	(void)state;
	if (layout[0])
		print_error("%s", layout);
	for (int i = 0; i < nops; i++) {
		if (!ops[i].id[0])
			problem("%s:%d: %s %s has no operationId", YAML_PATH, ops[i].line,
			        ops[i].method, ops[i].path);
		if (!ops[i].perm[0])
			problem("%s:%d: %s %s has no x-permission", YAML_PATH, ops[i].line,
			        ops[i].method, ops[i].path);
		for (int j = 0; j < i; j++)
			if (ops[i].id[0] && !strcmp(ops[i].id, ops[j].id))
				problem("%s:%d: operationId %s is used again (first at line %d)",
				        YAML_PATH, ops[i].line, ops[i].id, ops[j].line);
	}
	if (nops == 0)
		problem("%s: no operations found under paths:", YAML_PATH);
	if (layout[0])
		problems++;
	finish();
}

static void test_route_table_sane(void **state)
{
	char label[512];

	(void)state;
	assert_true(app_routes_count > 0);
	for (size_t i = 0; i < app_routes_count; i++) {
		const struct route *r = &app_routes[i];

		route_label(r, label, sizeof(label));
		if (!r->name || !*r->name)
			problem("%s: empty name", label);
		if (!r->summary || !*r->summary)
			problem("%s: empty summary", label);
		if (!r->pattern || r->pattern[0] != '/')
			problem("%s: pattern must start with /", label);
		if (!r->handler)
			problem("%s: no handler", label);
		if (!r->permission || !known_permission(r->permission))
			problem("%s: permission \"%s\" is neither public nor a resource:action of "
			        "SPEC §2.6",
			        label, r->permission ? r->permission : "(null)");
		if (!strcmp(http_method_name(r->method), "UNKNOWN"))
			problem("%s: method is not one enum http_method", label);
		for (size_t j = 0; j < i; j++) {
			const struct route *o = &app_routes[j];

			if (r->name && o->name && !strcmp(r->name, o->name))
				problem("%s: name is also used by route %zu", label, j);
			if (r->pattern && o->pattern && r->method == o->method &&
			    !strcmp(r->pattern, o->pattern))
				problem("%s: same method and pattern as route %zu", label, j);
		}
	}
	finish();
}

static void test_routes_documented(void **state)
{
	char label[512], path[256], method[16];
	struct pparam pp[MAX_PATH_PARAMS];
	int npp;

	(void)state;
	for (int i = 0; i < nops; i++)
		ops[i].matched = 0;
	for (size_t i = 0; i < app_routes_count; i++) {
		const struct route *r = &app_routes[i];
		struct op *o;

		route_label(r, label, sizeof(label));
		if (!r->pattern || openapi_path(r->pattern, path, sizeof(path), pp, &npp) < 0) {
			problem("%s: malformed pattern", label);
			continue;
		}
		if (!(o = find_op(r, path))) {
			problem("%s is missing from %s (expected \"  %s:\" / \"    %s:\")", label,
			        YAML_PATH, path, lower_method(r->method, method, sizeof(method)));
			continue;
		}
		o->matched = 1;
		if (strcmp(o->id, r->name ? r->name : ""))
			problem("%s: %s:%d has operationId \"%s\"", label, YAML_PATH, o->line,
			        o->id);
		if (strcmp(o->perm, r->permission ? r->permission : ""))
			problem("%s: %s:%d has x-permission \"%s\", the route needs \"%s\"", label,
			        YAML_PATH, o->line, o->perm, r->permission ? r->permission : "");
		if (strcmp(o->summary, r->summary ? r->summary : ""))
			problem("%s: %s:%d has summary \"%s\", the route table says \"%s\"", label,
			        YAML_PATH, o->line, o->summary, r->summary ? r->summary : "");
		if (r->body != BODY_NONE && !o->has_body)
			problem("%s: takes a body but %s:%d has no requestBody", label,
			        YAML_PATH, o->line);
		if (r->body == BODY_NONE && o->has_body)
			problem("%s: takes no body but %s:%d documents a requestBody", label,
			        YAML_PATH, o->line);
		for (int k = 0; k < npp; k++)
			check_path_param(label, o, &pp[k]);
		for (int k = 0; r->query && r->query[k].name; k++)
			check_query_param(label, o, &r->query[k]);
		check_no_extra_params(label, o, r, pp, npp);
	}
	finish();
}

static void test_no_undeclared_operations(void **state)
{
	char path[256];
	struct pparam pp[MAX_PATH_PARAMS];
	int npp;

	(void)state;
	for (int i = 0; i < nops; i++) {
		struct op *o = &ops[i];
		int found = 0;

		for (size_t k = 0; k < app_routes_count && !found; k++) {
			const struct route *r = &app_routes[k];

			if (!r->pattern ||
			    openapi_path(r->pattern, path, sizeof(path), pp, &npp) < 0)
				continue;
			found = !strcasecmp(o->method, http_method_name(r->method)) &&
			        !strcmp(o->path, path);
		}
		if (!found)
			problem("%s:%d: %s %s (operationId %s) is not in the route table "
			        "(app/routes.c)",
			        YAML_PATH, o->line, o->method, o->path, o->id[0] ? o->id : "-");
	}
	finish();
}

static const struct schema *find_schema(const char *name)
{
	for (int i = 0; i < nschemas; i++)
		if (!strcmp(schemas[i].name, name))
			return &schemas[i];
	return NULL;
}

/* Is name an item of a "[a, b]" list as written? */
static int listed(const char *list, const char *name)
{
	char buf[512], item[128];

	if (list[0] != '[')
		return 0;
	snprintf(buf, sizeof(buf), "%s", list + 1);
	for (char *p = strtok(buf, ",]"); p; p = strtok(NULL, ",]")) {
		scalar(p, item, sizeof(item));
		if (!strcmp(item, name))
			return 1;
	}
	return 0;
}

/* A route's declared body members against the schema its requestBody
 * names: the same member names, and required exactly where declared. */
static void test_request_bodies_documented(void **state)
{
	char label[512], path[256];
	struct pparam pp[MAX_PATH_PARAMS];
	int npp;

	(void)state;
	for (size_t i = 0; i < app_routes_count; i++) {
		const struct route *r = &app_routes[i];
		const struct schema *sc;
		struct op *o;

		if (!r->body_spec || openapi_path(r->pattern, path, sizeof(path), pp, &npp) < 0 ||
		    !(o = find_op(r, path)))
			continue; /* test_routes_documented reports these */
		route_label(r, label, sizeof(label));
		if (!o->body_ref[0] || !(sc = find_schema(o->body_ref))) {
			problem("%s: %s:%d: the requestBody names no schema of components/schemas",
			        label, YAML_PATH, o->line);
			continue;
		}
		for (const struct body_field *f = r->body_spec; f->name; f++) {
			int found = 0;
			for (int k = 0; k < sc->nprops; k++)
				found |= !strcmp(sc->props[k], f->name);
			if (!found)
				problem("%s: body member %s is not a property of schema %s (%s:%d)",
				        label, f->name, sc->name, YAML_PATH, sc->line);
			if (listed(sc->required, f->name) != (int)f->required)
				problem("%s: schema %s (%s:%d) must %slist %s under required", label,
				        sc->name, YAML_PATH, sc->line, f->required ? "" : "not ",
				        f->name);
		}
		for (int k = 0; k < sc->nprops; k++) {
			const struct body_field *f = r->body_spec;
			while (f->name && strcmp(f->name, sc->props[k]))
				f++;
			if (!f->name)
				problem("%s: schema %s (%s:%d) documents %s, which the route's body "
				        "table does not declare",
				        label, sc->name, YAML_PATH, sc->line, sc->props[k]);
		}
	}
	finish();
}

/* The helpers the comparison rests on must themselves be right. */
static void test_helpers(void **state)
{
	char out[256];
	struct pparam pp[MAX_PATH_PARAMS];
	int n;

	(void)state;
	assert_int_equal(openapi_path("/api/v1/movies/{id:uuid}/files/{file_id:uuid}/stream", out,
	                              sizeof(out), pp, &n),
	                 0);
	assert_string_equal(out, "/api/v1/movies/{id}/files/{file_id}/stream");
	assert_int_equal(n, 2);
	assert_string_equal(pp[0].name, "id");
	assert_string_equal(pp[0].type, "uuid");
	assert_string_equal(pp[1].name, "file_id");
	assert_int_equal(openapi_path("/api/v1/rbac/roles/{name:str}", out, sizeof(out), pp, &n),
	                 0);
	assert_string_equal(out, "/api/v1/rbac/roles/{name}");
	assert_string_equal(pp[0].type, "str");
	assert_int_equal(openapi_path("/healthz", out, sizeof(out), pp, &n), 0);
	assert_string_equal(out, "/healthz");
	assert_int_equal(n, 0);
	assert_int_equal(openapi_path("/x/{broken", out, sizeof(out), pp, &n), -1);

	assert_true(known_permission("public"));
	assert_true(known_permission("libraries:scan"));
	assert_true(known_permission("settings:user_write"));
	assert_false(known_permission("libraries:destroy"));
	assert_false(known_permission("libraries"));
	assert_false(known_permission(""));

	assert_true(enum_matches("[json, logfmt]", (const char *const[]){"json", "logfmt", NULL}));
	assert_true(enum_matches("['a b', \"c\"]", (const char *const[]){"a b", "c", NULL}));
	assert_false(enum_matches("[json]", (const char *const[]){"json", "logfmt", NULL}));
	assert_false(enum_matches("[logfmt, json]", (const char *const[]){"json", "logfmt", NULL}));
	assert_false(enum_matches("", (const char *const[]){"json", NULL}));

	assert_true(listed("[name, type, paths]", "type"));
	assert_true(listed("[value]", "value"));
	assert_false(listed("[name, types]", "type"));
	assert_false(listed("", "name"));
	assert_non_null(find_schema("UserUpdate"));
	assert_true(find_schema("UserUpdate")->nprops >= 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_helpers),
	    cmocka_unit_test(test_yaml_layout),
	    cmocka_unit_test(test_route_table_sane),
	    cmocka_unit_test(test_routes_documented),
	    cmocka_unit_test(test_no_undeclared_operations),
	    cmocka_unit_test(test_request_bodies_documented),
	};

	return cmocka_run_group_tests(tests, load_yaml, free_yaml);
}
