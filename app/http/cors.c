#include "http/cors.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "http/router.h"

/* Longest origin accepted: scheme, a DNS name of 253 bytes and a port. */
#define ORIGIN_MAX 300

static bool is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-';
}

/* Is s[0..n) one origin "scheme://host[:port]"? why says what is wrong. */
static bool origin_valid(const char *s, size_t n, const char **why)
{
	size_t i;

	if (n >= 7 && !strncasecmp(s, "http://", 7)) {
		i = 7;
	} else if (n >= 8 && !strncasecmp(s, "https://", 8)) {
		i = 8;
	} else {
		*why = "must start with http:// or https://";
		return false;
	}
	size_t host = i;
	if (i < n && s[i] == '[') {
		for (i++; i < n && (isxdigit((unsigned char)s[i]) || s[i] == ':' || s[i] == '.');)
			i++;
		if (i >= n || s[i] != ']' || i == host + 1) {
			*why = "has a malformed IPv6 address";
			return false;
		}
		i++;
	} else {
		while (i < n && is_host_char(s[i]))
			i++;
		if (i == host || s[host] == '.' || s[host] == '-' || s[i - 1] == '.' ||
		    s[i - 1] == '-') {
			*why = "needs a host name";
			return false;
		}
	}
	if (i < n && s[i] == ':') {
		long port = 0;
		size_t digits = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - digits < 5)
			port = port * 10 + (s[i++] - '0');
		if (i == digits || port < 1 || port > 65535) {
			*why = "has a port outside 1..65535";
			return false;
		}
	}
	if (i != n) {
		*why = "must be scheme://host[:port] without a path (no trailing /)";
		return false;
	}
	if (n > ORIGIN_MAX) {
		*why = "is too long";
		return false;
	}
	return true;
}

/* Calls fn on each item of a comma-separated list, blanks trimmed; stops
 * when fn returns false and then returns false too. */
static bool each_item(const char *list, bool (*fn)(const char *, size_t, void *), void *ctx)
{
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");
		const char *item = p;
		size_t len = n;
		while (len && (*item == ' ' || *item == '\t'))
			item++, len--;
		while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
			len--;
		if (!fn(item, len, ctx))
			return false;
		p += n;
		p += *p == ',';
	}
	return true;
}

struct check_ctx {
	char *why;
	size_t whylen;
	int items;
};

static bool check_item(const char *item, size_t n, void *vctx)
{
	struct check_ctx *c = vctx;
	const char *what = NULL;

	c->items++;
	if (n == 1 && *item == '*')
		what = "is not allowed: list each origin (credentials are sent)";
	else if (n == 0)
		what = "is empty";
	if (!what && origin_valid(item, n, &what))
		return true;
	snprintf(c->why, c->whylen, "origin %d (\"%.*s\") %s", c->items, (int)(n > 64 ? 64 : n),
	         item, what);
	return false;
}

int cors_origins_check(const char *list, char *why, size_t whylen)
{
	struct check_ctx c = {why, whylen, 0};

	if (whylen)
		why[0] = '\0';
	if (!list)
		return 0;
	return each_item(list, check_item, &c) ? 0 : -1;
}

struct match_ctx {
	const char *origin;
	size_t len;
	bool found;
};

static bool match_item(const char *item, size_t n, void *vctx)
{
	struct match_ctx *m = vctx;

	if (n == m->len && !strncasecmp(item, m->origin, n))
		m->found = true;
	return !m->found;
}

bool cors_origin_listed(const char *list, const char *origin)
{
	struct match_ctx m = {origin, origin ? strlen(origin) : 0, false};

	/* an empty Origin, or "null" (sandboxed pages, file:) never matches:
	 * neither is a valid item */
	if (!list || !origin || !*origin)
		return false;
	each_item(list, match_item, &m);
	return m.found;
}

/* The methods routes at req->path take, as the router reports them for a
 * method none of them has. 0 when nothing is at the path. */
static int path_methods(struct request *req)
{
	struct field_error fe = {{0}, {0}};
	int allow = 0;

	if (router_match(req->app->router, HTTP_OPTIONS, req->path, req, &allow, &fe) ==
	    ROUTE_FOUND) {
		/* a route for OPTIONS itself; the dispatcher matches again */
		allow |= HTTP_OPTIONS;
		req->route = NULL;
		req->route_index = -1;
		req->npath = 0;
	}
	return allow;
}

static bool preflight(struct request *req, struct response *res, const char *origin)
{
	const struct config *cfg = req->app->cfg;
	int want = http_method_parse(req_header(req, "Access-Control-Request-Method"));
	int allow = path_methods(req);
	char age[24];
	struct buf methods;

	if (!want || !(allow & want))
		return false;
	buf_init(&methods, 128);
	http_allow_header(allow, &methods);
	snprintf(age, sizeof(age), "%lld", (long long)(cfg->http_cors_max_age / 1000));
	res->status = 204;
	buf_reset(&res->body);
	res_header(res, "Access-Control-Allow-Origin", origin);
	res_header(res, "Access-Control-Allow-Credentials", "true");
	res_header(res, "Access-Control-Allow-Methods", methods.data);
	res_header(res, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
	res_header(res, "Access-Control-Max-Age", age);
	res_header(res, "Vary",
	           "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
	buf_release(&methods);
	return true;
}

bool http_cors(struct request *req, struct response *res)
{
	const char *list = req->app->cfg->http_cors_origins;
	const char *origin = req_header(req, "Origin");

	if (!list)
		return false;
	if (cors_origin_listed(list, origin)) {
		if (req->method == HTTP_OPTIONS &&
		    req_header(req, "Access-Control-Request-Method") && preflight(req, res, origin))
			return true;
		/* the origin is echoed as sent: it matched a listed one whole,
		 * so it holds no CR/LF (res_header refuses those anyway) */
		res_header(res, "Access-Control-Allow-Origin", origin);
		res_header(res, "Access-Control-Allow-Credentials", "true");
		res_header(res, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
	}
	res_header(res, "Vary", "Origin");
	return false;
}
