#include "auth/ratelimit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/crypto.h"
#include "core/text.h"

/* KEYS[1] bucket; ARGV[1] rate per second, ARGV[2] burst.
 * Returns {allowed (0/1), retry_after_ms}. */
static const char bucket_lua[] =
	"local t = redis.call('TIME')\n"
	"local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
	"local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
	"local b = redis.call('HMGET', KEYS[1], 't', 'ts')\n"
	"local tokens, ts = tonumber(b[1]), tonumber(b[2])\n"
	"if tokens == nil or ts == nil then tokens, ts = burst, now end\n"
	"tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)\n"
	"local allowed, retry = 0, 0\n"
	"if tokens >= 1 then tokens = tokens - 1; allowed = 1\n"
	"else retry = math.ceil((1 - tokens) * 1000 / rate) end\n"
	"redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', now)\n"
	"redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)\n"
	"return {allowed, retry}\n";

/* The per-process fallback: a small table indexed by a hash of the IP;
 * two addresses that collide share a bucket, which errs on the strict side. */
#define LOCAL_BUCKETS 512
struct local_bucket {
	double tokens;
	int64_t ts_us;
	int used;
};
static struct local_bucket local_table[2][LOCAL_BUCKETS];

static int local_take(int which, const char *ip, double rate, double burst, int *retry_ms)
{
	unsigned char h[32];
	struct local_bucket *b;
	int64_t now = now_mono_us();

	crypto_sha256(ip, strlen(ip), h);
	b = &local_table[which][(h[0] | h[1] << 8) % LOCAL_BUCKETS];
	if (!b->used) {
		b->used = 1;
		b->tokens = burst;
		b->ts_us = now;
	}
	b->tokens = fmin(burst, b->tokens + (double)(now - b->ts_us) * rate / 1e6);
	b->ts_us = now;
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return 1;
	}
	*retry_ms = (int)ceil((1 - b->tokens) * 1000 / rate);
	return 0;
}

/* 1 allowed, 0 limited (retry_ms set). */
static int take(struct request *req, int which, const char *ip, int64_t rate, int64_t burst,
		int *retry_ms)
{
	char r[24], bu[24];
	redisReply *rep = NULL;
	const char *key = arena_printf(req->arena, "%srl:%s:%s", req->app->cfg->redis_prefix,
				       which ? "auth" : "all", ip);

	snprintf(r, sizeof(r), "%lld", (long long)rate);
	snprintf(bu, sizeof(bu), "%lld", (long long)burst);
	const char *argv[] = {"EVAL", bucket_lua, "1", key, r, bu};
	if (key && !cache_cmd(req->app->cache, req->arena, &rep, 6, argv, NULL) &&
	    rep->type == REDIS_REPLY_ARRAY && rep->elements == 2) {
		if (rep->element[0]->integer == 1)
			return 1;
		*retry_ms = (int)rep->element[1]->integer;
		return 0;
	}
	return local_take(which, ip, (double)rate, (double)burst, retry_ms);
}

enum app_err ratelimit_check(struct request *req, int *retry_after_s)
{
	const struct config *cfg = req->app->cfg;
	const char *ip = req->remote_addr && *req->remote_addr ? req->remote_addr : "-";
	int retry_ms = 0;

	*retry_after_s = 0;
	if (!cfg->ratelimit_enabled || strncmp(req->path, "/api/", 5))
		return APP_OK; /* probes and metrics are never limited */
	bool own = req->route && (req->route->flags & ROUTE_OWN_LIMIT);
	if ((!own && !take(req, 0, ip, cfg->ratelimit_rate, cfg->ratelimit_burst, &retry_ms)) ||
	    (req->route && (req->route->flags & ROUTE_AUTH_LIMIT) &&
	     !take(req, 1, ip, cfg->ratelimit_auth_rate, cfg->ratelimit_auth_burst, &retry_ms))) {
		*retry_after_s = retry_ms <= 0 ? 1 : (retry_ms + 999) / 1000;
		return APP_ERR_RATE_LIMITED;
	}
	return APP_OK;
}

enum app_err ratelimit_failure(struct request *req, int *retry_after_s)
{
	const struct config *cfg = req->app->cfg;
	const char *ip = req->remote_addr && *req->remote_addr ? req->remote_addr : "-";
	int retry_ms = 0;

	*retry_after_s = 0;
	if (!cfg->ratelimit_enabled ||
	    take(req, 1, ip, cfg->ratelimit_auth_rate, cfg->ratelimit_auth_burst, &retry_ms))
		return APP_OK;
	*retry_after_s = retry_ms <= 0 ? 1 : (retry_ms + 999) / 1000;
	return APP_ERR_RATE_LIMITED;
}
