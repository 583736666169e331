/*
 * ratelimit: token buckets per client IP (SPEC §1.5), shared by every
 * child of every host through Redis (one Lua script, atomic, using Redis's
 * clock), with a per-process table as the fallback while Redis is down.
 * Two buckets: the global one for every /api request, and a stricter one
 * for the authentication routes (ROUTE_AUTH_LIMIT). A route flagged
 * ROUTE_OWN_LIMIT (the webhooks, which Radarr and Sonarr send in bursts and
 * never resend) skips the global bucket; its handler charges the strict one
 * for each failed authentication (ratelimit_failure).
 */
#ifndef REVENGE_AUTH_RATELIMIT_H
#define REVENGE_AUTH_RATELIMIT_H

#include "http/http.h"

/* APP_OK, or APP_ERR_RATE_LIMITED with *retry_after_s set (≥ 1). */
enum app_err ratelimit_check(struct request *req, int *retry_after_s);

/* One failed authentication from req's address, charged to the strict
 * bucket: APP_OK, or APP_ERR_RATE_LIMITED with *retry_after_s set. */
enum app_err ratelimit_failure(struct request *req, int *retry_after_s);

#endif
