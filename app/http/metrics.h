/*
 * metrics: request counters and latency histograms summed over every child
 * of the pool.
 *
 * The master maps one shared anonymous region before forking; children add
 * to it with atomic operations, so totals survive child restarts and
 * recycling and any child can render the sum at /metrics. Slots are fixed:
 * (route index or "unmatched") x (status code class from a fixed list).
 */
#ifndef REVENGE_HTTP_METRICS_H
#define REVENGE_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/http.h"

struct metrics;

enum metric_counter {
	MC_CHILDREN_STARTED,
	MC_CHILDREN_CRASHED,
	MC_CHILDREN_RECYCLED,
	MC_DB_ERRORS,
	MC_REDIS_ERRORS,
	MC_RCACHE_HITS,   /* responses answered from the response cache (rcache) */
	MC_RCACHE_MISSES, /* cacheable responses not found there */
	MC__COUNT
};

/* Shared region sized for nroutes routes; NULL on failure. */
struct metrics *metrics_create(size_t nroutes);
void metrics_destroy(struct metrics *m);

/* Record one request. route_index < 0 means unmatched. */
void metrics_observe(struct metrics *m, int route_index, int status, int64_t duration_us);
void metrics_add(struct metrics *m, enum metric_counter c, uint64_t n);
/* Gauges written by the master. */
void metrics_set_children(struct metrics *m, int64_t n);

/* Prometheus text exposition format 0.0.4: every series of the shared
 * region (counters at 0 from the start; request series once seen) and
 * revenge_build_info{version,commit} 1. Each family has HELP and TYPE
 * (promtool check metrics passes). */
void metrics_render(const struct metrics *m, const struct route *routes, size_t nroutes,
		    struct buf *out);

/* Count of requests recorded for (route, status) — for tests. */
uint64_t metrics_count(const struct metrics *m, int route_index, int status);

#endif
