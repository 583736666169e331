#include "auth/password.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <argon2.h>
#include <openssl/crypto.h>

#include "core/crypto.h"

#define SALT_LEN 16
#define HASH_LEN 32

static uint32_t m_kib(const struct config *cfg)
{
	return (uint32_t)(cfg->auth_argon2_memory / 1024);
}

enum app_err password_hash(const struct config *cfg, const char *pw, size_t len, char **out)
{
	unsigned char salt[SALT_LEN];
	uint32_t t = (uint32_t)cfg->auth_argon2_iterations, m = m_kib(cfg),
		 p = (uint32_t)cfg->auth_argon2_parallelism;
	size_t enclen = argon2_encodedlen(t, m, p, SALT_LEN, HASH_LEN, Argon2_id);
	char *enc = malloc(enclen);

	*out = NULL;
	if (!enc)
		return APP_ERR_NOMEM;
	if (crypto_random(salt, sizeof(salt)) < 0 ||
	    argon2id_hash_encoded(t, m, p, pw, len, salt, SALT_LEN, HASH_LEN, enc, enclen) !=
		    ARGON2_OK) {
		free(enc);
		return APP_ERR_INTERNAL;
	}
	*out = enc;
	return APP_OK;
}

bool password_verify(const char *encoded, const char *pw, size_t len)
{
	return encoded && argon2id_verify(encoded, pw, len) == ARGON2_OK;
}

bool password_verify_dummy(const struct config *cfg, const char *pw, size_t len)
{
	/* one per process, made lazily with the parameters in force; a reload
	 * replaces children, so parameters cannot change under it */
	static char *dummy;

	if (!dummy) {
		unsigned char rnd[24];
		char junk[33];
		crypto_random(rnd, sizeof(rnd));
		base64url_encode(rnd, sizeof(rnd), junk);
		if (password_hash(cfg, junk, strlen(junk), &dummy))
			return false;
		OPENSSL_cleanse(junk, sizeof(junk));
	}
	(void)password_verify(dummy, pw, len);
	return false;
}

bool password_needs_rehash(const struct config *cfg, const char *encoded)
{
	char want[64];

	snprintf(want, sizeof(want), "$argon2id$v=19$m=%u,t=%u,p=%u$", m_kib(cfg),
		 (unsigned)cfg->auth_argon2_iterations, (unsigned)cfg->auth_argon2_parallelism);
	return !encoded || strncmp(encoded, want, strlen(want)) != 0;
}
