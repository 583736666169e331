/*
 * s3: the S3-compatible backend behind storage.h (internal to storage/).
 * Requests go out with libcurl, signed with AWS Signature V4
 * (storage/sigv4.h) for the "s3" service; the payload is always hashed
 * and signed (x-amz-content-sha256), never UNSIGNED-PAYLOAD.
 *
 * An object appears in S3 only when its PUT completes, so a put is atomic
 * the way the local backend's rename is: a request cut off mid-body leaves
 * nothing behind. Every failure (connection, timeout, any status but the
 * expected ones, bad credentials included) is APP_ERR_UNAVAILABLE: for a
 * job that is a retry; why is in s3_last_error().
 */
#ifndef REVENGE_STORAGE_S3_H
#define REVENGE_STORAGE_S3_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct s3_target {
	char endpoint[512]; /* "http://127.0.0.1:9000", no trailing "/" */
	char region[64];
	char bucket[64];
	char access_key[128];
	char secret_key[256];
	bool path_style;
	long timeout_ms;
};

/* PUT data[0..len) as key with content_type. APP_OK or APP_ERR_UNAVAILABLE. */
enum app_err s3_put(const struct s3_target *t, const char *key, const void *data, size_t len,
                    const char *content_type);

/* HEAD: 1 when the object exists, 0 on 404, -1 on any other answer. */
int s3_head(const struct s3_target *t, const char *key);

/* DELETE: APP_OK also when there was no object; APP_ERR_UNAVAILABLE. */
enum app_err s3_delete(const struct s3_target *t, const char *key);

/* The last failure of this thread ("PUT images/x.jpg: HTTP 403
 * SignatureDoesNotMatch", "…: Couldn't connect to server"); "" when none. */
const char *s3_last_error(void);

/*
 * The error code of an S3 error document: the text of the first <Code>
 * element of p[0..n) (untrusted: any bytes, not NUL-terminated), copied to
 * out (cap >= 1) when it is 1 to cap-1 bytes of letters, digits and
 * . _ -; otherwise out is "". Returns strlen(out). Not an XML parser: it
 * finds "<Code>" and the following "</Code>", which is all S3's
 * <Error><Code>NoSuchBucket</Code>… documents need.
 */
size_t s3_error_code(const char *p, size_t n, char *out, size_t cap);

#endif
