#include "http/rcache.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cache/cache.h"
#include "core/crypto.h"
#include "http/metrics.h"
#include "http/validators.h"

bool rcache_hit(struct request *req, struct response *res, int64_t ttl_ms, const char *vary,
		struct rcache *c)
{
	unsigned char h[32];
	char hex[65];
	struct buf b;
	redisReply *rep;

	memset(c, 0, sizeof(*c));
	if (ttl_ms <= 0 || !vary || !req->app->cache || !cache_up(req->app->cache))
		return false;
	buf_init(&b, 16384);
	buf_printf(&b, "%s\n", req->route ? req->route->name : "-");
	for (int i = 0; i < req->npath; i++)
		buf_printf(&b, "%s=%s\n", req->path_params[i].name, req->path_params[i].str);
	buf_printf(&b, "%s\n%s", req->query, vary);
	crypto_sha256(b.data, b.len, h);
	bool ok = buf_ok(&b);
	buf_release(&b);
	if (!ok)
		return false;
	hex_encode(h, 32, hex);
	c->key = cache_key(req->app->cache, req->arena, arena_printf(req->arena, "rc:%s", hex));
	if (!c->key)
		return false;
	c->ttl_ms = ttl_ms;
	const char *argv[] = {"GET", c->key};
	if (cache_cmd(req->app->cache, req->arena, &rep, 2, argv, NULL) ||
	    rep->type != REDIS_REPLY_STRING) {
		metrics_add(req->app->metrics, MC_RCACHE_MISSES, 1);
		return false;
	}
	metrics_add(req->app->metrics, MC_RCACHE_HITS, 1);
	buf_append(&res->body, rep->str, rep->len);
	res_header(res, "X-Cache", "hit");
	http_validators(req, res);
	c->hit = true;
	return true;
}

void rcache_fill(struct request *req, struct response *res, const struct rcache *c)
{
	if (c->key && !c->hit && res->status == 200 && !res->body.failed && res->body.len) {
		char ttl[24];
		snprintf(ttl, sizeof(ttl), "%lld", (long long)c->ttl_ms);
		const char *argv[] = {"SET", c->key, res->body.data, "PX", ttl};
		const size_t len[] = {3, strlen(c->key), res->body.len, 2, strlen(ttl)};
		cache_cmd(req->app->cache, NULL, NULL, 5, argv, len);
		res_header(res, "X-Cache", "miss");
	}
	http_validators(req, res);
}
