/*
 * storage: where user content and cached images live (SPEC §9), in one of
 * two backends chosen by storage.backend:
 *   local  a directory (storage.path); nginx serves its images/ folder at
 *          /images/ (nginx/revenge.conf.in);
 *   s3     a bucket of an S3-compatible service (storage/s3.h, signed with
 *          AWS Signature V4); nginx proxies /images/ to the bucket and
 *          caches what it got (docs/internals/storage.md).
 * Either way what is stored under images/ is public to anyone who can
 * reach nginx, and the same key gives the same URL (/images/…), so
 * switching the backend changes no stored key or URL.
 *
 * Keys are relative paths such as "images/poster/w780/abc.jpg", checked
 * before any file access:
 *   - 1 to 255 bytes of ASCII letters, digits and _ . - /;
 *   - the first byte a lower-case letter or a digit (so never "/", never
 *     an upper-case top-level folder);
 *   - no "..", no "//", no trailing "/", and no segment starting with "."
 *     (hidden and temporary files are never keys).
 * Letters after the first may be upper case because provider file names
 * are ("images/poster/w780/pB8BM7pd.jpg"); the file system is
 * case-sensitive, so "a.jpg" and "A.jpg" are different keys.
 *
 * Every function is thread-safe. Nothing here logs: callers log with the
 * key (keys are never secret).
 */
#ifndef REVENGE_STORAGE_STORAGE_H
#define REVENGE_STORAGE_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"

#define STORAGE_KEY_MAX 255

enum { STORAGE_LOCAL = 0, STORAGE_S3 = 1 }; /* storage.backend's values */

/* Use cfg's backend from now on: for local, cfg->storage_path as the root
 * (copied; a NULL path keeps the current root, initially
 * "/var/lib/revenge/storage"; it need not exist yet: storage_put() creates
 * it); for s3, the storage.s3_* settings (copied; check them first with
 * storage_config_check). Call it at start-up and on reload; operations
 * running at the same time finish with the old settings. */
void storage_configure(const struct config *cfg);

/* 0 when cfg's storage settings can be used; -1 with a sentence appended
 * to err (when not NULL) otherwise: with backend s3, an endpoint that is
 * not http(s)://host[:port], a bucket name S3 would refuse, missing keys. */
int storage_config_check(const struct config *cfg, struct buf *err);

/* Whether the S3 backend is the configured one. */
bool storage_is_s3(void);

/* The Content-Type an object is stored (S3) or served (nginx) with, from
 * the key's extension: image/jpeg for .jpg/.jpeg, image/png, image/webp,
 * image/avif, image/gif; application/octet-stream otherwise. Static. */
const char *storage_content_type(const char *key);

/* Why this thread's last S3 operation failed, for a log line ("PUT
 * images/a.jpg: HTTP 403 SignatureDoesNotMatch"); "" after a success or
 * with the local backend. Never holds a secret. */
const char *storage_last_error(void);

/* The root directory, without a trailing "/". The string is static storage
 * that the next storage_configure() with a different path overwrites, so
 * copy it when that can happen concurrently. */
const char *storage_root(void);

/* Whether key is acceptable (see above). NULL is not. */
bool storage_key_valid(const char *key);

/* Store data[0..len) under key, atomically: readers (nginx) see either the
 * old object or the whole new one, never a part. Written to a hidden
 * temporary file in the same directory, fsync'ed, renamed over the key and
 * the directory fsync'ed. The file is mode 0644 and missing directories are
 * made 0755 whatever the umask, so nginx's user can read them.
 * data may be NULL when len is 0.
 *
 * With S3 the object is one PUT with storage_content_type(key); S3 shows
 * an object only once its upload completed, which gives the same promise.
 *
 * Returns APP_OK; APP_ERR_VALIDATION for a bad key or a path past PATH_MAX;
 * APP_ERR_UNAVAILABLE when the file system refuses (no space, permissions,
 * a file where a directory should be) or S3 does (unreachable, timeout,
 * bad credentials, any error status: storage_last_error says which);
 * nothing is left behind on error. */
enum app_err storage_put(const char *key, const void *data, size_t len);

/* Whether key names a stored regular file (S3: a HEAD answered 2xx).
 * False for a bad key, and with S3 also when the server cannot say. */
bool storage_exists(const char *key);

/* Remove key's object. APP_OK also when there was none;
 * APP_ERR_VALIDATION for a bad key; APP_ERR_UNAVAILABLE when unlink or the
 * S3 DELETE fails.
 * Emptied directories are left in place. */
enum app_err storage_remove(const char *key);

#endif
