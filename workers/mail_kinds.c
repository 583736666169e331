#include "mail_kinds.h"

#include <string.h>

#include "core/json.h"
#include "mail/send.h"

void mail_kinds_configure(const struct config *cfg)
{
	mail_configure(cfg);
}

enum job_outcome kind_mail_send(struct job_ctx *ctx, const struct job *job, struct job_result *res)
{
	const char *id =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(job->args, "token_id"));
	const char *sealed =
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(job->args, "token"));
	char err[512];

	if (!id || !sealed || strlen(id) != 36)
		return job_error(res, JOB_FAIL, "args need a token_id and a token");
	switch (mail_send(ctx->db, ctx->arena, id, sealed, err, sizeof(err))) {
	case MAIL_SENT:
		return JOB_OK;
	case MAIL_FAILED:
		return job_error(res, JOB_FAIL, "%s", err);
	case MAIL_AGAIN:
	default:
		return job_error(res, JOB_RETRY, "%s", err);
	}
}
