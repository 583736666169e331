/*
 * send: the work of a mail.send job (workers/mail_kinds.c;
 * docs/internals/mail.md) — one account mail for one token of
 * email_tokens, rendered (message.h) and sent over SMTP through the
 * notifications' transport (notify/send.h).
 */
#ifndef REVENGE_MAIL_SEND_H
#define REVENGE_MAIL_SEND_H

#include <stddef.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"

/* Take the [mail] keys, auth.secret_key, http.server_name and
 * notifications.ca_file from cfg (copied; thread-safe). Until called,
 * nothing can be sent. */
void mail_configure(const struct config *cfg);

enum mail_outcome {
	MAIL_SENT,   /* sent, or nothing to send: the token is gone, used,
	                revoked or expired, or (verification) the account's
	                address changed since */
	MAIL_AGAIN,  /* not sent, worth another attempt: no connection, a
	                timeout, SMTP 4xx, the database failed */
	MAIL_FAILED, /* not sent and never will be: SMTP 5xx, a login
	                refused, mail not configured, a sealed token that does
	                not open, an address SMTP cannot take */
};

/* Send the mail of token token_id, whose token is sealed (flows.h) in
 * sealed. err receives a short reason for anything but a mail sent; it
 * never holds the token. */
enum mail_outcome mail_send(struct db *db, struct arena *a, const char *token_id,
                            const char *sealed, char *err, size_t errlen);

#endif
