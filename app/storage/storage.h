/*
 * storage: where user content and cached images live (SPEC §9). Only the
 * local directory backend exists so far; nginx serves its images/ folder.
 *
 * Keys are relative paths such as "images/poster/w780/abc.jpg", checked
 * strictly before any file access: ASCII letters, digits and _ . - /,
 * starting with a lower-case letter or a digit, no "..", no "//", at most 255 bytes.
 */
#ifndef REVENGE_STORAGE_STORAGE_H
#define REVENGE_STORAGE_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/err.h"

/* Take [storage] from cfg (copied; thread-safe). */
void storage_configure(const struct config *cfg);

/* The root directory (valid until the next storage_configure). */
const char *storage_root(void);

/* Whether key is acceptable (see above). */
bool storage_key_valid(const char *key);

/* Write data atomically under key (temporary file in the same directory,
 * fsync, rename; mode 0644; directories made 0755). APP_ERR_VALIDATION
 * for a bad key, APP_ERR_UNAVAILABLE when the write fails. */
enum app_err storage_put(const char *key, const void *data, size_t len);

bool storage_exists(const char *key);

/* APP_OK (also when it did not exist), APP_ERR_VALIDATION, APP_ERR_UNAVAILABLE. */
enum app_err storage_remove(const char *key);

#endif
