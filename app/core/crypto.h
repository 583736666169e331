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

/* SHA-256 of p[0..n) as 64 lower-case hex digits (NUL-terminated). */
void crypto_sha256_hex(const void *p, size_t n, char out[65]);

/* A bearer token as the server hands them out: prefix (4 characters,
 * "rvs_", "rvi_", …) and 256 random bits in 43 base64url characters, into
 * out (CRYPTO_TOKEN_LEN + 1 bytes); hash_hex receives the SHA-256 of the
 * whole token, the only form stored. 0, or -1 when no randomness (out is
 * then empty). */
#define CRYPTO_TOKEN_LEN 47
int crypto_token(const char *prefix, char out[CRYPTO_TOKEN_LEN + 1], char hash_hex[65]);

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

/*
 * Secrets kept at rest (API keys of integrations, notification passwords):
 * AES-256-GCM under a 32-byte key from the configuration
 * (security.secret_key), a fresh 96-bit nonce per seal, and aad naming
 * where the value belongs ("integration:radarr:api_key"), so a sealed
 * value copied into another row or column does not open. As text:
 * "gcm1." + base64url(nonce || ciphertext || tag).
 */
#define CRYPTO_SEAL_OVERHEAD (12 + 16)
/* Seal p[0..n) into out (n + CRYPTO_SEAL_OVERHEAD bytes); its length or -1. */
long crypto_seal(const unsigned char key[32], const char *aad, const void *p, size_t n,
		 unsigned char *out, size_t cap);
/* Open in[0..n) into out (cap bytes); the plaintext length, or -1 when it
 * was tampered with, sealed under another key or aad, or does not fit. */
long crypto_open(const unsigned char key[32], const char *aad, const unsigned char *in, size_t n,
		 void *out, size_t cap);
/* The text form of a seal of the NUL-terminated plain (malloc'd), or NULL. */
char *crypto_seal_text(const unsigned char key[32], const char *aad, const char *plain);
/* The plaintext of a sealed text (malloc'd, NUL-terminated), or NULL. */
char *crypto_open_text(const unsigned char key[32], const char *aad, const char *sealed);
/* The 32-byte key of 64 hex digits; 0, or -1 when it is not one. */
int crypto_key_parse(const char *hex, unsigned char key[32]);

/* A UUID v4 in canonical lower-case text (37 bytes with the NUL). */
int uuid_v4(char out[37]);

#endif
