/*
 * jobrun: call a worker job handler directly from a test, as an executor
 * would (one attempt of five, a deadline two minutes away), on the test's
 * own database handle and arena.
 */
#ifndef REVENGE_TESTS_JOBRUN_H
#define REVENGE_TESTS_JOBRUN_H

#include "handler.h"

/* Run fn with args (a JSON object; the test fails when it does not parse)
 * on db, with cancel as the stop flag; res is cleared first. The arena is
 * reset afterwards. */
enum job_outcome jobrun(job_handler_fn fn, struct db *db, struct arena *a, const char *args,
			volatile int *cancel, struct job_result *res);

/* jobrun as attempt `attempt` of max_attempts (the last one when equal). */
enum job_outcome jobrun_attempt(job_handler_fn fn, struct db *db, struct arena *a,
				const char *args, int attempt, int max_attempts,
				struct job_result *res);

#endif
