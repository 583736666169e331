#include "handler.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "core/text.h"

#define SLEEP_STEP_MS 10

bool job_should_stop(const struct job_ctx *ctx)
{
	if (ctx->cancel_requested && __atomic_load_n(ctx->cancel_requested, __ATOMIC_RELAXED))
		return true;
	return ctx->job && now_mono_us() >= ctx->job->deadline_us;
}

int64_t job_remaining_ms(const struct job_ctx *ctx)
{
	int64_t left = ctx->job ? ctx->job->deadline_us - now_mono_us() : 0;

	return left > 0 ? left / 1000 : 0;
}

int job_sleep(const struct job_ctx *ctx, int64_t ms)
{
	int64_t end = now_mono_us() + ms * 1000;

	for (;;) {
		if (job_should_stop(ctx))
			return -1;
		int64_t left = end - now_mono_us();
		if (left <= 0)
			return 0;
		if (left > SLEEP_STEP_MS * 1000)
			left = SLEEP_STEP_MS * 1000;
		struct timespec ts = {0, (long)left * 1000};
		nanosleep(&ts, NULL);
	}
}

enum job_outcome job_error(struct job_result *res, enum job_outcome o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	return o;
}

enum job_outcome job_snooze(struct job_result *res, int64_t ms)
{
	res->snooze_ms = ms;
	return JOB_SNOOZE;
}
