#include "stats.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cache/cache.h"
#include "core/buf.h"
#include "jobs/jobs.h"
#include "kinds.h"
#include "metadata/tmdb.h"
#include "worker_int.h"

/* the outcome labels are app/jobs' (job_outcome_names), which /metrics
 * declares; the enum follows their order */
#define tally_names job_outcome_names

static atomic_ullong by_kind[KINDS_SLOTS][JT__COUNT];
static atomic_ullong scans_ok, scans_failed, scan_ms, scan_files, scan_errors;
static atomic_ullong watch_events, watch_scans;

const char *stats_tally_name(enum job_tally t)
{
	return tally_names[t];
}

void stats_count(struct worker *w, const char *kind, enum job_tally t)
{
	struct worker_stats *s = &w->stats;
	atomic_ullong *total[JT__COUNT] = {&s->completed, &s->retried, &s->discarded,
	                                   &s->cancelled, &s->snoozed, &s->released,
	                                   &s->lost};

	atomic_fetch_add(total[t], 1);
	atomic_fetch_add(&by_kind[kinds_slot(kind)][t], 1);
}

void stats_scan(bool ok, int64_t duration_ms, int64_t files, int64_t errors)
{
	atomic_fetch_add(ok ? &scans_ok : &scans_failed, 1);
	atomic_fetch_add(&scan_ms, (unsigned long long)(duration_ms > 0 ? duration_ms : 0));
	atomic_fetch_add(&scan_files, (unsigned long long)(files > 0 ? files : 0));
	atomic_fetch_add(&scan_errors, (unsigned long long)(errors > 0 ? errors : 0));
}

void stats_watch(int64_t events, int64_t scans)
{
	atomic_fetch_add(&watch_events, (unsigned long long)(events > 0 ? events : 0));
	atomic_fetch_add(&watch_scans, (unsigned long long)(scans > 0 ? scans : 0));
}

/* ---- flushing ------------------------------------------------------------ */

static const struct db_stmt q_totals = {
    "worker_counters",
    "INSERT INTO job_counters (name, value) SELECT * FROM unnest($1::text[], $2::bigint[])"
    " ON CONFLICT (name) DO UPDATE SET value = job_counters.value + EXCLUDED.value",
    2, false};

static const struct db_stmt q_kinds = {
    "worker_kind_counters",
    "INSERT INTO job_kind_counters (kind, outcome, value)"
    " SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])"
    " ON CONFLICT (kind, outcome) DO UPDATE SET value = job_kind_counters.value + EXCLUDED.value",
    3, false};

/* the job_counters names, in the order of totals() */
static const char *const total_names[] = {
    "started",
    "completed",
    "retried",
    "discarded",
    "cancelled",
    "snoozed",
    "released",
    "timeouts",
    "duration_ms",
    "scans_completed",
    "scans_failed",
    "scan_duration_ms",
    "scan_files",
    "scan_errors",
    "worker_db_errors",
    "worker_redis_errors",
    "worker_tmdb_errors",
    "watcher_events",
    "watcher_scans",
};
#define NTOTALS (sizeof(total_names) / sizeof(total_names[0]))

static void totals(struct worker *w, unsigned long long v[NTOTALS])
{
	struct worker_stats *s = &w->stats;
	unsigned long long now[NTOTALS] = {
	    atomic_load(&s->started),   atomic_load(&s->completed), atomic_load(&s->retried),
	    atomic_load(&s->discarded), atomic_load(&s->cancelled), atomic_load(&s->snoozed),
	    atomic_load(&s->released),  atomic_load(&s->timeouts),  atomic_load(&s->duration_ms),
	    atomic_load(&scans_ok),     atomic_load(&scans_failed), atomic_load(&scan_ms),
	    atomic_load(&scan_files),   atomic_load(&scan_errors),  db_error_total(),
	    cache_error_total(),        tmdb_requests_failed(),     atomic_load(&watch_events),
	    atomic_load(&watch_scans),
	};
	memcpy(v, now, sizeof(now));
}

/* what was flushed last (main thread only) */
static unsigned long long flushed_totals[NTOTALS];
static unsigned long long flushed_kinds[KINDS_SLOTS][JT__COUNT];

static void flush_totals(struct worker *w, struct db *db)
{
	unsigned long long now[NTOTALS];
	struct buf keys, vals;
	int n = 0;

	totals(w, now);
	buf_init(&keys, 4096);
	buf_init(&vals, 4096);
	buf_putc(&keys, '{');
	buf_putc(&vals, '{');
	for (size_t i = 0; i < NTOTALS; i++) {
		if (now[i] == flushed_totals[i])
			continue;
		buf_printf(&keys, "%s%s", n ? "," : "", total_names[i]);
		buf_printf(&vals, "%s%llu", n ? "," : "", now[i] - flushed_totals[i]);
		n++;
	}
	buf_putc(&keys, '}');
	buf_putc(&vals, '}');
	const char *params[] = {keys.data, vals.data};
	if (n && buf_ok(&keys) && buf_ok(&vals) && !db_query(db, NULL, &q_totals, params, NULL))
		memcpy(flushed_totals, now, sizeof(now));
	buf_release(&keys);
	buf_release(&vals);
}

static void flush_kinds(struct db *db)
{
	unsigned long long now[KINDS_SLOTS][JT__COUNT];
	struct buf kinds, outcomes, vals;
	int n = 0;

	buf_init(&kinds, 16384);
	buf_init(&outcomes, 16384);
	buf_init(&vals, 16384);
	buf_putc(&kinds, '{');
	buf_putc(&outcomes, '{');
	buf_putc(&vals, '{');
	for (int k = 0; k < KINDS_SLOTS; k++)
		for (int t = 0; t < JT__COUNT; t++) {
			now[k][t] = atomic_load(&by_kind[k][t]);
			if (now[k][t] == flushed_kinds[k][t])
				continue;
			/* kind names are [a-z0-9_.]: no quoting needed in an array literal */
			buf_printf(&kinds, "%s%s", n ? "," : "", kinds_slot_name(k));
			buf_printf(&outcomes, "%s%s", n ? "," : "", tally_names[t]);
			buf_printf(&vals, "%s%llu", n ? "," : "", now[k][t] - flushed_kinds[k][t]);
			n++;
		}
	buf_putc(&kinds, '}');
	buf_putc(&outcomes, '}');
	buf_putc(&vals, '}');
	const char *params[] = {kinds.data, outcomes.data, vals.data};
	if (n && buf_ok(&kinds) && buf_ok(&outcomes) && buf_ok(&vals) &&
	    !db_query(db, NULL, &q_kinds, params, NULL))
		memcpy(flushed_kinds, now, sizeof(now));
	buf_release(&kinds);
	buf_release(&outcomes);
	buf_release(&vals);
}

void stats_flush(struct worker *w, struct db *db)
{
	if (!db)
		return;
	flush_totals(w, db);
	flush_kinds(db);
}
