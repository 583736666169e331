/*
 * message: the account mails (docs/internals/mail.md) as RFC 5322 text —
 * the pure part of the mail.send job: no I/O, no clock, no randomness
 * (the date, Message-ID and MIME boundary come in), so it is unit-tested
 * (tests/unit/test_mail_message.c) and fuzzed (tests/fuzz/
 * fuzz_mail_message.c).
 *
 * A message is multipart/alternative with a text/plain and a text/html
 * part, both UTF-8 in base64 (no line-length or 8-bit trouble on any
 * relay), in the account's display language when there is a translation
 * (en, de, fr), else English. The Subject and a non-ASCII sender name are
 * RFC 2047 encoded words; every value put into the HTML (the name, the
 * link) is HTML-escaped. The link carries the token: it is the only place
 * the token appears.
 */
#ifndef REVENGE_MAIL_MESSAGE_H
#define REVENGE_MAIL_MESSAGE_H

#include <stdbool.h>

#include "core/buf.h"

enum mail_kind {
	MAIL_PASSWORD_RESET, /* "reset your password", valid 1 h */
	MAIL_VERIFY_EMAIL,   /* "confirm your address", valid 24 h */
	MAIL_KINDS
};

/* The kind named "password_reset" / "verify_email" (the purpose column of
 * email_tokens), or -1. */
int mail_kind_parse(const char *name);
const char *mail_kind_name(enum mail_kind k);

/* The language a message for lang is written in: lang when translated
 * ("en", "de", "fr"), else "en". Never NULL. */
const char *mail_language(const char *lang);

struct mail_msg {
	enum mail_kind kind;
	const char *lang;      /* ISO 639-1; NULL or untranslated: English */
	const char *name;      /* whom to greet: display name or username */
	const char *link;      /* the whole URL, token included */
	const char *from;      /* bare addresses (notify_email_ok) */
	const char *from_name; /* may be NULL or empty: no display name */
	const char *to;
	const char *date;       /* as RFC 5322 writes it */
	const char *message_id; /* without angle brackets */
	const char *boundary;   /* 1..60 of [A-Za-z0-9=_.-], starting "=_" */
};

/* Append the whole message (CRLF line ends) to out. -1 when a member is
 * missing or malformed (kind, addresses, boundary) or out's cap is
 * passed; 0 otherwise. */
int mail_render(const struct mail_msg *m, struct buf *out);

/* The subject of kind in lang (mail_language), UTF-8. */
const char *mail_subject(enum mail_kind k, const char *lang);

/* Append s HTML-escaped (& < > " ' as entities) to out. */
void mail_html_escape(struct buf *out, const char *s);

#endif
