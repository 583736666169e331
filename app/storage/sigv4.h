/*
 * sigv4: AWS Signature Version 4 (header signing), pure: no I/O, no clock,
 * no allocation but the caller's capped buffers. The S3 backend
 * (storage/s3.c) signs every request with it; the AWS test suite
 * (tests/fixtures/sigv4) checks each step in tests/unit/test_sigv4.c.
 *
 * The three steps, each exposed so a test can compare it byte for byte:
 *   1. canonical request: method, canonical URI, canonical query, the
 *      signed headers as "name:value" lines, their names joined by ";",
 *      and the payload hash, separated by "\n";
 *   2. string to sign: "AWS4-HMAC-SHA256", the date-time, the scope
 *      (date/region/service/aws4_request) and the canonical request's
 *      SHA-256 in hex;
 *   3. signature: HMAC-SHA256 chain "AWS4"+secret → date → region →
 *      service → "aws4_request" gives the signing key, which signs the
 *      string to sign (hex).
 *
 * Encoding rules (the suite's, and S3's):
 *   - the path is taken as decoded bytes and every byte but the unreserved
 *     A-Z a-z 0-9 - . _ ~ and "/" becomes %XX (upper-case hex); with
 *     normalize, "." and ".." segments are resolved and empty segments
 *     dropped first (S3 wants normalize false: a key is taken literally);
 *   - the query is split on "&", each name and value percent-decoded and
 *     re-encoded (also "/" and "=" inside them), and the pairs sorted by
 *     encoded name, then value; "a" and "a=" both sign as "a=";
 *   - header names are lower-cased, values trimmed and inner runs of
 *     spaces or tabs (multi-line values included) folded to one space;
 *     repeated names are joined with "," in their given order; the lines
 *     are sorted by name.
 */
#ifndef REVENGE_STORAGE_SIGV4_H
#define REVENGE_STORAGE_SIGV4_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
/* the payload hash of a request whose body is not signed */
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SIGV4_MAX_HEADERS 32

struct sigv4_header {
	const char *name;  /* any case */
	const char *value; /* raw; trimmed and folded when signed */
};

struct sigv4_request {
	const char *method;                 /* "PUT" */
	const char *path;                   /* decoded, starts with "/" */
	const char *query;                  /* "a=1&b" as sent, NULL or "" when none */
	const struct sigv4_header *headers; /* every header to sign, host included */
	size_t nheaders;                    /* at most SIGV4_MAX_HEADERS */
	const char *payload_hash;           /* 64 hex digits or SIGV4_UNSIGNED_PAYLOAD */
	bool normalize;                     /* resolve dot segments (false for S3) */
};

struct sigv4_key {
	const char *access_key;
	const char *secret_key; /* never copied; its derived keys are wiped */
	const char *region;     /* "us-east-1" */
	const char *service;    /* "s3" */
	const char *amz_date;   /* "20150830T123600Z": 16 bytes, UTC */
};

/* Append the canonical request of r to out and, when signed is not NULL,
 * the signed-header list ("host;x-amz-date") to signed. 0, or -1 when the
 * input is unusable (no "/" at the start of path, too many headers, a
 * header name with a ":" or a control byte, a bad %XX in the query) or a
 * buffer hit its cap. */
int sigv4_canonical_request(const struct sigv4_request *r, struct buf *out, struct buf *signed_);

/* Append the string to sign for canonical (NUL-terminated) to out. 0, or
 * -1 for an amz_date not of the form YYYYMMDDTHHMMSSZ or a full buffer. */
int sigv4_string_to_sign(const struct sigv4_key *k, const char *canonical, struct buf *out);

/* The signature of string_to_sign as 64 hex digits and a NUL. 0 or -1 (as
 * sigv4_string_to_sign). */
int sigv4_signature(const struct sigv4_key *k, const char *string_to_sign, char hex[65]);

/* The whole Authorization header value of r ("AWS4-HMAC-SHA256
 * Credential=…, SignedHeaders=…, Signature=…") appended to out; 0 or -1. */
int sigv4_authorization(const struct sigv4_key *k, const struct sigv4_request *r, struct buf *out);

/* SHA-256 of p[0..n) as 64 hex digits and a NUL (x-amz-content-sha256). */
void sigv4_payload_hash(const void *p, size_t n, char hex[65]);

#endif
