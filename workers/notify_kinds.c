#include "notify_kinds.h"

#include "core/json.h"
#include "notify/deliver.h"

void notify_kinds_configure(const struct config *cfg)
{
	notify_configure(cfg);
}

enum job_outcome kind_notify_deliver(struct job_ctx *ctx, const struct job *job,
                                     struct job_result *res)
{
	int64_t id = 0;
	char err[512];

	if (json_get_int(job->args, "delivery_id", true, 1, INT64_MAX, &id, NULL))
		return job_error(res, JOB_FAIL, "args need a delivery_id");
	switch (notify_deliver(ctx->db, ctx->arena, id, job->attempt >= job->max_attempts, err,
	                       sizeof(err))) {
	case NOTIFY_DONE:
		return JOB_OK;
	case NOTIFY_FAILED:
		return job_error(res, JOB_FAIL, "%s", err);
	case NOTIFY_AGAIN:
	case NOTIFY_DB:
	default:
		return job_error(res, JOB_RETRY, "%s", err);
	}
}
