#include "cache/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/text.h"

#define BACKOFF_MS 1000

struct cache {
	struct cache_url url;
	int timeout_ms;
	char *prefix;
	redisContext *ctx;
	int64_t next_attempt_us;
	unsigned long errors;
};

void cache_url_release(struct cache_url *u)
{
	free(u->host);
	free(u->path);
	if (u->password)
		memset(u->password, 0, strlen(u->password));
	free(u->password);
	memset(u, 0, sizeof(*u));
}

static int parse_db(const char *s, int *db)
{
	int64_t v;
	if (parse_int64(s, 0, 1000, &v) < 0)
		return -1;
	*db = (int)v;
	return 0;
}

int cache_url_parse(const char *url, struct cache_url *u)
{
	memset(u, 0, sizeof(*u));
	u->port = 6379;
	if (!strncmp(url, "unix://", 7)) {
		const char *path = url + 7, *q = strchr(path, '?');
		if (*path != '/')
			return -1;
		u->path = q ? strndup(path, (size_t)(q - path)) : strdup(path);
		if (!u->path)
			return -1;
		if (q && (strncmp(q, "?db=", 4) || parse_db(q + 4, &u->db) < 0))
			goto bad;
		return 0;
	}
	if (strncmp(url, "redis://", 8))
		return -1;
	const char *p = url + 8, *at = strchr(p, '@'), *slash;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		const char *pw = colon ? colon + 1 : p;
		if (!(u->password = strndup(pw, (size_t)(at - pw))))
			goto bad;
		p = at + 1;
	}
	slash = strchr(p, '/');
	size_t hostlen = slash ? (size_t)(slash - p) : strlen(p);
	const char *colon = memchr(p, ':', hostlen);
	if (colon) {
		char port[8];
		int64_t v;
		size_t plen = hostlen - (size_t)(colon - p) - 1;
		if (plen == 0 || plen >= sizeof(port))
			goto bad;
		memcpy(port, colon + 1, plen);
		port[plen] = '\0';
		if (parse_int64(port, 1, 65535, &v) < 0)
			goto bad;
		u->port = (int)v;
		hostlen = (size_t)(colon - p);
	}
	if (hostlen == 0 || !(u->host = strndup(p, hostlen)))
		goto bad;
	if (slash && slash[1] && parse_db(slash + 1, &u->db) < 0)
		goto bad;
	return 0;
bad:
	cache_url_release(u);
	return -1;
}

struct cache *cache_new(const char *url, int timeout_ms, const char *prefix)
{
	struct cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (cache_url_parse(url, &c->url) < 0 || !(c->prefix = strdup(prefix))) {
		cache_url_release(&c->url);
		free(c);
		return NULL;
	}
	c->timeout_ms = timeout_ms;
	return c;
}

static void drop(struct cache *c)
{
	if (c->ctx)
		redisFree(c->ctx);
	c->ctx = NULL;
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	drop(c);
	cache_url_release(&c->url);
	free(c->prefix);
	free(c);
}

/* every handle's errors++, process-wide (cache_error_total) */
static unsigned long errors_total;

static void fail(struct cache *c, const char *what)
{
	c->errors++;
	__atomic_fetch_add(&errors_total, 1, __ATOMIC_RELAXED);
	log_warn("cache.error", "Redis %s: %s", what,
		 c->ctx && c->ctx->errstr[0] ? c->ctx->errstr : "failed");
	drop(c);
	c->next_attempt_us = now_mono_us() + BACKOFF_MS * 1000;
}

/* Send a command on a fresh connection during set-up (AUTH, SELECT). */
static int setup_cmd(struct cache *c, const char *fmt, const char *arg)
{
	redisReply *r = redisCommand(c->ctx, fmt, arg);
	int ok = r && r->type != REDIS_REPLY_ERROR;
	if (r)
		freeReplyObject(r);
	return ok ? 0 : -1;
}

static enum app_err ensure(struct cache *c)
{
	struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
	char db[16];

	if (c->ctx && !c->ctx->err)
		return APP_OK;
	if (c->ctx)
		drop(c);
	if (now_mono_us() < c->next_attempt_us)
		return APP_ERR_CACHE;
	c->ctx = c->url.path ? redisConnectUnixWithTimeout(c->url.path, tv)
			     : redisConnectWithTimeout(c->url.host, c->url.port, tv);
	if (!c->ctx || c->ctx->err) {
		fail(c, "connect");
		return APP_ERR_CACHE;
	}
	redisSetTimeout(c->ctx, tv);
	if (c->url.password && setup_cmd(c, "AUTH %s", c->url.password) < 0) {
		fail(c, "AUTH");
		return APP_ERR_CACHE;
	}
	snprintf(db, sizeof(db), "%d", c->url.db);
	if (c->url.db && setup_cmd(c, "SELECT %s", db) < 0) {
		fail(c, "SELECT");
		return APP_ERR_CACHE;
	}
	return APP_OK;
}

static void free_reply(void *p)
{
	freeReplyObject(p);
}

enum app_err cache_cmd(struct cache *c, struct arena *a, redisReply **out, int argc,
		       const char **argv, const size_t *argvlen)
{
	redisReply *r;

	if (ensure(c))
		return APP_ERR_CACHE;
	r = redisCommandArgv(c->ctx, argc, argv, argvlen);
	if (!r) {
		/* a connection that worked may just be stale (Redis restarted):
		 * reconnect at once and try once more; only a failed connect
		 * starts the back-off */
		drop(c);
		if (ensure(c))
			return APP_ERR_CACHE;
		r = redisCommandArgv(c->ctx, argc, argv, argvlen);
	}
	if (!r) {
		fail(c, argv[0]);
		return APP_ERR_CACHE;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		c->errors++;
		__atomic_fetch_add(&errors_total, 1, __ATOMIC_RELAXED);
		log_warn("cache.error", "Redis %s: %.*s", argv[0], (int)r->len, r->str);
		freeReplyObject(r);
		return APP_ERR_CACHE;
	}
	if (!out) {
		freeReplyObject(r);
		return APP_OK;
	}
	if (a && arena_defer(a, free_reply, r) < 0)
		return APP_ERR_NOMEM;
	*out = r;
	return APP_OK;
}

enum app_err cache_set_guarded(struct cache *c, const char *guard_key, const char *guard,
			       const char *key, const char *value, long long ttl_ms, int *stored)
{
	static const char script[] =
		"if (redis.call('GET', KEYS[1]) or '0') == ARGV[1] then"
		" redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) return 1 end return 0";
	char ttl[24];
	redisReply *r = NULL;
	enum app_err e;

	snprintf(ttl, sizeof(ttl), "%lld", ttl_ms > 0 ? ttl_ms : 1);
	const char *argv[] = {"EVAL", script, "2", guard_key, key, guard, value, ttl};
	if (stored)
		*stored = 0;
	if ((e = cache_cmd(c, NULL, &r, 8, argv, NULL)))
		return e;
	if (stored)
		*stored = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
	freeReplyObject(r);
	return APP_OK;
}

enum app_err cache_ping(struct cache *c)
{
	const char *argv[] = {"PING"};
	redisReply *r = NULL;
	enum app_err e = cache_cmd(c, NULL, &r, 1, argv, NULL);
	if (e)
		return e;
	e = (r->type == REDIS_REPLY_STATUS && !strcmp(r->str, "PONG")) ? APP_OK : APP_ERR_CACHE;
	freeReplyObject(r);
	return e;
}

char *cache_key(struct cache *c, struct arena *a, const char *name)
{
	return arena_printf(a, "%s%s", c->prefix, name);
}

bool cache_up(const struct cache *c)
{
	return now_mono_us() >= c->next_attempt_us;
}

unsigned long cache_error_total(void)
{
	return __atomic_load_n(&errors_total, __ATOMIC_RELAXED);
}

unsigned long cache_error_count(const struct cache *c)
{
	return c->errors;
}
