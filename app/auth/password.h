/*
 * password: Argon2id hashing (libargon2) with parameters from [auth].
 *
 * Hashes are stored in the PHC string format
 * ($argon2id$v=19$m=65536,t=3,p=1$salt$hash), which carries its own
 * parameters, so changing the configuration never breaks old hashes:
 * password_needs_rehash() tells the login path to upgrade them.
 */
#ifndef REVENGE_AUTH_PASSWORD_H
#define REVENGE_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/err.h"

#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024

/* Hash pw[0..len) into a malloc'd PHC string (caller frees). APP_ERR_NOMEM
 * or APP_ERR_INTERNAL on failure. Length limits are the caller's check. */
enum app_err password_hash(const struct config *cfg, const char *pw, size_t len, char **out);

/* true when pw matches encoded. Runs a full verification even for a
 * malformed hash, so timing does not tell a broken row from a wrong password. */
bool password_verify(const char *encoded, const char *pw, size_t len);

/* Verify against a hash of a random password made with the current
 * parameters: what a login for an unknown user spends, so it takes as long
 * as a wrong password. Always false. */
bool password_verify_dummy(const struct config *cfg, const char *pw, size_t len);

/* true when encoded was made with parameters other than the configured ones. */
bool password_needs_rehash(const struct config *cfg, const char *encoded);

#endif
