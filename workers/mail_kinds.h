/*
 * mail_kinds: the job kind that sends account mails (docs/internals/
 * mail.md). Thin: it reads its args and calls mail_send()
 * (app/mail/send.h).
 *
 *   mail.send  {token_id, token (sealed)}: the password reset or
 *              verification mail of one token. Sent, or nothing to send
 *              (token used, revoked, expired; address changed):
 *              completed. Refused for good (SMTP 5xx, a login refused,
 *              mail not configured on this worker, a token that does not
 *              open): discarded at once (JOB_FAIL). Anything else (no
 *              connection, a timeout, SMTP 4xx): retried with the queue's
 *              backoff (JOB_RETRY) up to the job's max_attempts (10).
 */
#ifndef REVENGE_WORKERS_MAIL_KINDS_H
#define REVENGE_WORKERS_MAIL_KINDS_H

#include "core/config.h"
#include "handler.h"

/* Take the mail settings from cfg (mail_configure). */
void mail_kinds_configure(const struct config *cfg);

enum job_outcome kind_mail_send(struct job_ctx *ctx, const struct job *job, struct job_result *res);

#endif
