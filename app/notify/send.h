/*
 * send: the transports under notifications — one HTTP request or one SMTP
 * transaction through libcurl, with a time limit, no redirects, and TLS
 * verified against the system's CAs (or notifications.ca_file).
 *
 * Each call makes and frees its own curl handle: deliveries are rare and
 * go to many hosts, so there is no connection worth keeping. Thread-safe.
 *
 * What a result means for a delivery (enum notify_send):
 *   NOTIFY_SENT   the receiver took it (HTTP 2xx; SMTP 250)
 *   NOTIFY_RETRY  worth trying again later: no connection, a timeout, TLS
 *                 or transfer trouble, HTTP 5xx, 408 or 429, SMTP 4xx
 *   NOTIFY_GIVE_UP the receiver refused it and would again: HTTP 3xx or
 *                 4xx (but 408, 429), SMTP 5xx, a login refused, STARTTLS
 *                 required but not offered, a malformed address
 */
#ifndef REVENGE_NOTIFY_SEND_H
#define REVENGE_NOTIFY_SEND_H

#include <stddef.h>

enum notify_send { NOTIFY_SENT, NOTIFY_RETRY, NOTIFY_GIVE_UP };

struct notify_http {
	const char *method;         /* "POST", "PUT", "PATCH" */
	const char *url;            /* http:// or https:// */
	const char *const *headers; /* "Name: value" lines, NULL-terminated */
	const char *body;
	size_t body_len;
	long timeout_ms;
	const char *ca_file; /* NULL: the system's CAs */
};

/* Send one request. *status receives the HTTP status (0 when none came);
 * err a short reason when not sent ("HTTP 500: <start of the answer>",
 * "Couldn't connect to server"). Never follows a redirect. */
enum notify_send notify_http_send(const struct notify_http *r, long *status, char *err,
                                  size_t errlen);

/* How an SMTP connection is protected. */
enum notify_tls {
	NOTIFY_TLS_STARTTLS,          /* STARTTLS required (CURLUSESSL_ALL) */
	NOTIFY_TLS_STARTTLS_OPTIONAL, /* STARTTLS when offered (CURLUSESSL_TRY) */
	NOTIFY_TLS_IMPLICIT,          /* TLS from the first byte (smtps://) */
	NOTIFY_TLS_NONE,              /* plain text */
};

struct notify_smtp {
	const char *host; /* a host name or an IP address ([…] for IPv6) */
	int port;
	enum notify_tls tls;
	const char *username; /* NULL: no AUTH */
	const char *password;
	const char *from;
	const char *const *to; /* n addresses */
	int n;
	const char *message; /* the whole RFC 5322 message, CRLF line ends */
	size_t message_len;
	long timeout_ms;
	const char *ca_file;
};

/* One SMTP transaction. *status receives the server's last reply code (0
 * when none came), err a short reason when not sent. */
enum notify_send notify_smtp_send(const struct notify_smtp *s, long *status, char *err,
                                  size_t errlen);

#endif
