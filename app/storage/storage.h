/*
 * storage: where user content and cached images live (SPEC §9). Only the
 * local directory backend exists so far; nginx serves its images/ folder
 * at /images/ (nginx/revenge.conf.in), so what is stored under images/ is
 * public to anyone who can reach nginx.
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

#include "core/config.h"
#include "core/err.h"

#define STORAGE_KEY_MAX 255

/* Use cfg->storage_path as the root from now on (copied; a NULL path keeps
 * the current root, initially "/var/lib/revenge/storage"). The root need
 * not exist yet: storage_put() creates it. Call it at start-up and on
 * reload; puts running at the same time finish under the old root. */
void storage_configure(const struct config *cfg);

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
 * Returns APP_OK; APP_ERR_VALIDATION for a bad key or a path past PATH_MAX;
 * APP_ERR_UNAVAILABLE when the file system refuses (no space, permissions,
 * a file where a directory should be); nothing is left behind on error. */
enum app_err storage_put(const char *key, const void *data, size_t len);

/* Whether key names a stored regular file. False for a bad key. */
bool storage_exists(const char *key);

/* Remove key's object. APP_OK also when there was none;
 * APP_ERR_VALIDATION for a bad key; APP_ERR_UNAVAILABLE when unlink fails.
 * Emptied directories are left in place. */
enum app_err storage_remove(const char *key);

#endif
