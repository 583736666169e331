/*
 * scan_bench: time the scanner (scan_run, the code the library.scan job
 * runs) on a library root: a full scan of a new library, then a rescan
 * with nothing changed. Prints the figures and the process's peak RSS;
 * asserts nothing. Usage: scan_bench DATABASE_URL ROOT [BATCH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/log.h"
#include "core/text.h"
#include "db/db.h"
#include "library/scan.h"

static long one(PGconn *pg, const char *sql, const char *a)
{
	const char *p[] = {a};
	PGresult *r = PQexecParams(pg, sql, a ? 1 : 0, NULL, p, NULL, NULL, 0);
	long v = PQntuples(r) ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "scan_bench: %s", PQerrorMessage(pg));
		exit(1);
	}
	PQclear(r);
	return v;
}

static double run(struct db *db, struct arena *a, PGconn *pg, const char *lib, int64_t batch,
		  struct scan_stats *st)
{
	char err[256];
	int64_t id = one(pg, "INSERT INTO library_scans (library_id, scan_type) VALUES ($1, 'full') RETURNING id", lib);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct scan_opts o = {.library_id = lib, .scan_id = id, .type = SCAN_INCREMENTAL,
			      .batch = batch, .grace_ms = 3600000, .threads = cores > 1 ? (int)cores : 1};
	int64_t t0 = now_mono_us();
	enum app_err e = scan_run(db, a, &o, st, err, sizeof(err));
	int64_t t1 = now_mono_us();
	arena_reset(a);
	if (e) {
		fprintf(stderr, "scan_bench: scan failed: %s\n", err);
		exit(1);
	}
	return (double)(t1 - t0) / 1e6;
}

int main(int argc, char **argv)
{
	struct scan_stats st;
	struct rusage ru;
	char lib[40];

	if (argc < 3) {
		fprintf(stderr, "usage: scan_bench DATABASE_URL ROOT [BATCH]\n");
		return 2;
	}
	log_setup(LL_ERROR, LOG_FMT_LOGFMT, 2);
	int64_t batch = argc > 3 ? strtoll(argv[3], NULL, 10) : 500;
	PGconn *pg = PQconnectdb(argv[1]);
	struct db *db = db_new(argv[1], 5000, 0);
	struct arena *a = arena_new(1 << 16, 256u << 20);
	if (PQstatus(pg) != CONNECTION_OK || !db || !a) {
		fprintf(stderr, "scan_bench: cannot connect\n");
		return 1;
	}
	PQclear(PQexec(pg, "DELETE FROM libraries WHERE name = 'bench-scan'"));
	const char *p[] = {argv[2]};
	PGresult *r = PQexecParams(pg, "INSERT INTO libraries (name, type, paths) VALUES ('bench-scan',"
				   " 'movie', ARRAY[$1]) RETURNING id", 1, NULL, p, NULL, NULL, 0);
	snprintf(lib, sizeof(lib), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);

	double full = run(db, a, pg, lib, batch, &st);
	printf("scan full:      %.2f s  (%lld files, %lld dirs, %lld errors, %.0f files/s)\n", full,
	       (long long)st.added, (long long)st.dirs, (long long)st.errors,
	       full > 0 ? (double)st.added / full : 0.0);
	double again = run(db, a, pg, lib, batch, &st);
	printf("scan no-change: %.2f s  (%lld unchanged, %lld added, %lld changed)\n", again,
	       (long long)st.unchanged, (long long)st.added, (long long)st.changed);
	getrusage(RUSAGE_SELF, &ru);
	printf("scan peak RSS:  %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	PQclear(PQexec(pg, "DELETE FROM libraries WHERE name = 'bench-scan'"));
	PQclear(PQexec(pg, "DELETE FROM jobs WHERE kind = 'library.match'"));
	arena_free(a);
	db_free(db);
	PQfinish(pg);
	return 0;
}
