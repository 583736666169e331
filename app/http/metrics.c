#include "http/metrics.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "build_commit.h"
#include "version.h"

static const int statuses[] = {200, 201, 202, 204, 206, 301, 302, 304, 400, 401, 403, 404,
			       405, 406, 409, 410, 412, 413, 415, 416, 422, 423, 429, 500,
			       502, 503, 504};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* + "other" */

/* upper bounds in microseconds; the last bucket is +Inf */
static const int64_t bounds_us[] = {500,   1000,   2500,   5000,    10000,   25000,  50000,
				    100000, 250000, 500000, 1000000, 2500000, 5000000};
#define NBOUNDS (sizeof(bounds_us) / sizeof(bounds_us[0]))

struct slot {
	uint64_t count;
	uint64_t sum_us;
	uint64_t bucket[NBOUNDS]; /* non-cumulative; summed when rendered */
};

struct metrics {
	size_t size;
	size_t nroutes; /* + 1 for unmatched at index nroutes */
	uint64_t counters[MC__COUNT];
	int64_t children;
	struct slot slots[]; /* (nroutes + 1) * NSTATUS */
};

struct metrics *metrics_create(size_t nroutes)
{
	size_t size = sizeof(struct metrics) + (nroutes + 1) * NSTATUS * sizeof(struct slot);
	struct metrics *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				 -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	memset(m, 0, size);
	m->size = size;
	m->nroutes = nroutes;
	return m;
}

void metrics_destroy(struct metrics *m)
{
	if (m)
		munmap(m, m->size);
}

static size_t status_index(int status)
{
	for (size_t i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

static struct slot *slot_at(const struct metrics *m, int route_index, int status)
{
	size_t r = (route_index < 0 || (size_t)route_index >= m->nroutes) ? m->nroutes
									  : (size_t)route_index;
	return (struct slot *)(uintptr_t)&m->slots[r * NSTATUS + status_index(status)];
}

void metrics_observe(struct metrics *m, int route_index, int status, int64_t duration_us)
{
	struct slot *s;
	size_t b = 0;

	if (!m)
		return;
	s = slot_at(m, route_index, status);
	if (duration_us < 0)
		duration_us = 0;
	while (b < NBOUNDS && duration_us > bounds_us[b])
		b++;
	__atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->sum_us, (uint64_t)duration_us, __ATOMIC_RELAXED);
	if (b < NBOUNDS)
		__atomic_fetch_add(&s->bucket[b], 1, __ATOMIC_RELAXED);
}

void metrics_add(struct metrics *m, enum metric_counter c, uint64_t n)
{
	if (m && n)
		__atomic_fetch_add(&m->counters[c], n, __ATOMIC_RELAXED);
}

void metrics_set_children(struct metrics *m, int64_t n)
{
	if (m)
		__atomic_store_n(&m->children, n, __ATOMIC_RELAXED);
}

uint64_t metrics_count(const struct metrics *m, int route_index, int status)
{
	return __atomic_load_n(&slot_at(m, route_index, status)->count, __ATOMIC_RELAXED);
}

static void render_counter(struct buf *out, const char *name, const char *help, uint64_t v)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
		   (unsigned long long)v);
}

void metrics_render(const struct metrics *m, const struct route *routes, size_t nroutes,
		    struct buf *out)
{
	static const char *const counter_names[MC__COUNT][2] = {
		{"revenge_fcgi_children_started_total", "FastCGI children forked."},
		{"revenge_fcgi_children_crashed_total", "FastCGI children that died abnormally."},
		{"revenge_fcgi_children_recycled_total", "FastCGI children recycled after max_requests."},
		{"revenge_db_errors_total", "PostgreSQL connection and query failures."},
		{"revenge_redis_errors_total", "Redis connection and command failures."},
		{"revenge_http_response_cache_hits_total",
		 "Responses answered from the response cache in Redis."},
		{"revenge_http_response_cache_misses_total",
		 "Cacheable responses not found in the response cache (computed, then stored)."},
	};

	buf_puts(out, "# HELP revenge_http_requests_total HTTP requests by route and status.\n"
		      "# TYPE revenge_http_requests_total counter\n");
	for (size_t r = 0; r <= m->nroutes && r <= nroutes; r++) {
		const char *name = r < nroutes ? routes[r].name : "unmatched";
		for (size_t s = 0; s < NSTATUS; s++) {
			const struct slot *sl = &m->slots[r * NSTATUS + s];
			uint64_t c = __atomic_load_n(&sl->count, __ATOMIC_RELAXED);
			if (!c)
				continue;
			char status[16];
			if (s < NSTATUS - 1)
				snprintf(status, sizeof(status), "%d", statuses[s]);
			else
				snprintf(status, sizeof(status), "other");
			buf_printf(out, "revenge_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
				   name, status, (unsigned long long)c);
		}
	}
	buf_puts(out, "# HELP revenge_http_request_duration_seconds Time in the application per request.\n"
		      "# TYPE revenge_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r <= m->nroutes && r <= nroutes; r++) {
		const char *name = r < nroutes ? routes[r].name : "unmatched";
		for (size_t s = 0; s < NSTATUS; s++) {
			const struct slot *sl = &m->slots[r * NSTATUS + s];
			uint64_t c = __atomic_load_n(&sl->count, __ATOMIC_RELAXED), cum = 0;
			char status[16];
			if (!c)
				continue;
			if (s < NSTATUS - 1)
				snprintf(status, sizeof(status), "%d", statuses[s]);
			else
				snprintf(status, sizeof(status), "other");
			for (size_t b = 0; b < NBOUNDS; b++) {
				cum += __atomic_load_n(&sl->bucket[b], __ATOMIC_RELAXED);
				buf_printf(out,
					   "revenge_http_request_duration_seconds_bucket{route=\"%s\",status=\"%s\",le=\"%g\"} %llu\n",
					   name, status, (double)bounds_us[b] / 1e6,
					   (unsigned long long)cum);
			}
			buf_printf(out,
				   "revenge_http_request_duration_seconds_bucket{route=\"%s\",status=\"%s\",le=\"+Inf\"} %llu\n"
				   "revenge_http_request_duration_seconds_sum{route=\"%s\",status=\"%s\"} %.6f\n"
				   "revenge_http_request_duration_seconds_count{route=\"%s\",status=\"%s\"} %llu\n",
				   name, status, (unsigned long long)c, name, status,
				   (double)__atomic_load_n(&sl->sum_us, __ATOMIC_RELAXED) / 1e6,
				   name, status, (unsigned long long)c);
		}
	}
	for (int i = 0; i < MC__COUNT; i++)
		render_counter(out, counter_names[i][0], counter_names[i][1],
			       __atomic_load_n(&m->counters[i], __ATOMIC_RELAXED));
	buf_printf(out, "# HELP revenge_fcgi_children Live FastCGI children.\n"
			"# TYPE revenge_fcgi_children gauge\nrevenge_fcgi_children %lld\n",
		   (long long)__atomic_load_n(&m->children, __ATOMIC_RELAXED));
	buf_printf(out, "# HELP revenge_build_info The version and commit of the running binary.\n"
			"# TYPE revenge_build_info gauge\n"
			"revenge_build_info{version=\"%s\",commit=\"%s\"} 1\n",
		   REVENGE_VERSION, REVENGE_COMMIT);
}
