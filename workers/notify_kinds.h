/*
 * notify_kinds: the job kind that sends notifications (SPEC §8;
 * docs/internals/notifications.md). Thin: it reads its args and calls
 * notify_deliver() (app/notify/deliver.h).
 *
 *   notify.deliver  {delivery_id}: send one queued notification. Sent, or
 *                   nothing left to do: completed. Refused for good (HTTP
 *                   4xx, SMTP 5xx, a secret that does not open): discarded
 *                   at once (JOB_FAIL), the delivery `failed`. Anything
 *                   else (no connection, a timeout, HTTP 5xx/429, SMTP
 *                   4xx): retried with the queue's backoff (JOB_RETRY) up
 *                   to NOTIFY_MAX_ATTEMPTS, the last failure marking the
 *                   delivery `failed`.
 */
#ifndef REVENGE_WORKERS_NOTIFY_KINDS_H
#define REVENGE_WORKERS_NOTIFY_KINDS_H

#include "core/config.h"
#include "handler.h"

/* Take the notification settings from cfg (notify_configure). */
void notify_kinds_configure(const struct config *cfg);

enum job_outcome kind_notify_deliver(struct job_ctx *ctx, const struct job *job,
                                     struct job_result *res);

#endif
