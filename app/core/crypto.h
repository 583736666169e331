/*
 * crypto: the few primitives the application needs, on OpenSSL 3.
 * Secrets handled here are wiped (OPENSSL_cleanse) by their owners.
 */
#ifndef REVENGE_CORE_CRYPTO_H
#define REVENGE_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fill buf with n cryptographically random bytes; 0 or -1. */
int crypto_random(void *buf, size_t n);

/* SHA-256 of p[0..n) into out[32]. */
void crypto_sha256(const void *p, size_t n, unsigned char out[32]);

/* HMAC-SHA-256 of msg with key into out[32]. */
void crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
			unsigned char out[32]);

/* Constant-time equality of two n-byte regions. */
bool crypto_equal(const void *a, const void *b, size_t n);

/* Lower-case hex of p[0..n) into out (2n + 1 bytes, NUL-terminated). */
void hex_encode(const void *p, size_t n, char *out);
/* Decode exactly 2n hex digits from s into out[n]; 0 or -1. */
int hex_decode(const char *s, void *out, size_t n);

/* Unpadded base64url of p[0..n) into out (needs 4*ceil(n/3)+1 bytes);
 * returns the length written. */
size_t base64url_encode(const void *p, size_t n, char *out);
/* Decode unpadded base64url s[0..len) into out (cap bytes); returns the
 * decoded length or -1 on a bad character, bad length or overflow. */
long base64url_decode(const char *s, size_t len, void *out, size_t cap);

/* A UUID v4 in canonical lower-case text (37 bytes with the NUL). */
int uuid_v4(char out[37]);

#endif
