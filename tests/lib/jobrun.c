#include "jobrun.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/text.h"

static enum job_outcome run(job_handler_fn fn, struct db *db, struct arena *a, const char *args,
			    volatile int *cancel, int attempt, int max_attempts,
			    struct job_result *res)
{
	struct json_limits lim = {1 << 16, 8};
	cJSON *j = NULL;
	struct job job = {0};
	struct job_ctx ctx = {0};
	enum job_outcome o;

	assert_int_equal(json_parse(args, strlen(args), &lim, &j, NULL), APP_OK);
	job.id = 1;
	job.kind = "test";
	job.args = j;
	job.attempt = attempt;
	job.max_attempts = max_attempts;
	job.deadline_us = now_mono_us() + 120 * 1000000LL;
	ctx.db = db;
	ctx.arena = a;
	ctx.cancel_requested = cancel;
	ctx.job = &job;
	ctx.worker_id = "test";
	memset(res, 0, sizeof(*res));
	o = fn(&ctx, &job, res);
	arena_reset(a);
	cJSON_Delete(j);
	return o;
}

enum job_outcome jobrun(job_handler_fn fn, struct db *db, struct arena *a, const char *args,
			volatile int *cancel, struct job_result *res)
{
	return run(fn, db, a, args, cancel, 1, 5, res);
}

enum job_outcome jobrun_attempt(job_handler_fn fn, struct db *db, struct arena *a,
				const char *args, int attempt, int max_attempts,
				struct job_result *res)
{
	return run(fn, db, a, args, NULL, attempt, max_attempts, res);
}
