/*
 * crypto_seal / crypto_open (core/crypto.h): AES-256-GCM against a NIST
 * test vector (the raw cipher, through a fixed nonce), round trips, and
 * every way a sealed value must fail to open: another key, another aad, a
 * flipped bit anywhere, a cut, garbage text. Also the bearer tokens
 * (crypto_token) and the SHA-256 hex every stored token hash is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>

#include "core/crypto.h"

static unsigned char K[32], K2[32];

/* gcmEncryptExtIV256.rsp (NIST CAVP), Count 0 with a 128-bit plaintext:
 * the cipher crypto_seal uses, checked with the vector's own nonce. */
static void nist_vector(void **state)
{
	(void)state;
	unsigned char key[32], iv[12], pt[16], ct[16], tag[16], want_ct[16], want_tag[16];
	int len, fin;
	assert_int_equal(
	    hex_decode("31bdadd96698c204aa9ce1448ea94ae1fb4a9a0b3c9d773b51bb1822666b8f22", key, 32),
	    0);
	assert_int_equal(hex_decode("0d18e06c7c725ac9e362e1ce", iv, 12), 0);
	assert_int_equal(hex_decode("2db5168e932556f8089a0622981d017d", pt, 16), 0);
	assert_int_equal(hex_decode("fa4362189661d163fcd6a56d8bf0405a", want_ct, 16), 0);
	assert_int_equal(hex_decode("d636ac1bbedd5cc3ee727dc2ab4a9489", want_tag, 16), 0);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(c, ct, &len, pt, 16), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, ct + len, &fin), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag), 1);
	EVP_CIPHER_CTX_free(c);
	assert_memory_equal(ct, want_ct, 16);
	assert_memory_equal(tag, want_tag, 16);
	/* and crypto_open opens nonce || ct || tag made by it */
	unsigned char sealed[12 + 16 + 16], out[16];
	memcpy(sealed, iv, 12);
	memcpy(sealed + 12, want_ct, 16);
	memcpy(sealed + 28, want_tag, 16);
	assert_int_equal(crypto_open(key, NULL, sealed, sizeof(sealed), out, sizeof(out)), 16);
	assert_memory_equal(out, pt, 16);
}

static void round_trips(void **state)
{
	(void)state;
	static const char *const plains[] = {
	    "", "a", "radarr-api-key-0123456789abcdef",
	    "ünïcødé and a very long secret ................................"};
	for (size_t i = 0; i < sizeof(plains) / sizeof(plains[0]); i++) {
		char *a = crypto_seal_text(K, "integration:radarr:api_key", plains[i]);
		char *b = crypto_seal_text(K, "integration:radarr:api_key", plains[i]);
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(strncmp(a, "gcm1.", 5), 0);
		/* a fresh nonce each time: the same secret never looks the same */
		assert_string_not_equal(a, b);
		char *p = crypto_open_text(K, "integration:radarr:api_key", a);
		assert_non_null(p);
		assert_string_equal(p, plains[i]);
		free(p);
		free(a);
		free(b);
	}
}

static void refusals(void **state)
{
	(void)state;
	char *s = crypto_seal_text(K, "integration:radarr:api_key", "the-secret");
	size_t n = strlen(s);

	assert_null(crypto_open_text(K2, "integration:radarr:api_key", s));
	assert_null(crypto_open_text(K, "integration:sonarr:api_key", s));
	assert_null(crypto_open_text(K, NULL, s));
	for (size_t i = 5; i < n; i++) {
		char *t = strdup(s);
		t[i] = t[i] == 'A' ? 'B' : 'A'; /* another base64url digit */
		assert_null(crypto_open_text(K, "integration:radarr:api_key", t));
		free(t);
	}
	char *cut = strndup(s, n - 4);
	assert_null(crypto_open_text(K, "integration:radarr:api_key", cut));
	free(cut);
	assert_null(crypto_open_text(K, "x", "gcm1."));
	assert_null(crypto_open_text(K, "x", "gcm1.!!!!"));
	assert_null(crypto_open_text(K, "x", "plain text"));
	assert_null(crypto_open_text(K, "x", NULL));
	free(s);
	/* buffers too small */
	unsigned char out[8];
	assert_int_equal(crypto_seal(K, NULL, "0123456789", 10, out, sizeof(out)), -1);
	assert_int_equal(crypto_open(K, NULL, out, 4, out, sizeof(out)), -1);
	/* keys */
	unsigned char k[32];
	assert_int_equal(
	    crypto_key_parse("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", k),
	    0);
	assert_int_equal(k[31], 0xff);
	assert_int_equal(crypto_key_parse("0011", k), -1);
	assert_int_equal(
	    crypto_key_parse("zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", k),
	    -1);
	assert_int_equal(crypto_key_parse(NULL, k), -1);
}

/* SHA-256 of "abc" (FIPS 180-2, appendix B.1); a token's shape and hash */
static void tokens(void **state)
{
	char hex[65], tok[CRYPTO_TOKEN_LEN + 1], hash[65], tok2[CRYPTO_TOKEN_LEN + 1], hash2[65];

	(void)state;
	crypto_sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(crypto_token("rvx_", tok, hash), 0);
	assert_int_equal(strlen(tok), CRYPTO_TOKEN_LEN);
	assert_int_equal(strncmp(tok, "rvx_", 4), 0);
	assert_int_equal(
	    strspn(tok + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
	    43);
	crypto_sha256_hex(tok, strlen(tok), hex);
	assert_string_equal(hash, hex);
	assert_int_equal(crypto_token("rvx_", tok2, hash2), 0);
	assert_string_not_equal(tok, tok2);
	assert_string_not_equal(hash, hash2);
	/* a prefix is four characters */
	assert_int_equal(crypto_token("rv_", tok, hash), -1);
	assert_string_equal(tok, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(nist_vector),
	    cmocka_unit_test(round_trips),
	    cmocka_unit_test(refusals),
	    cmocka_unit_test(tokens),
	};
	memset(K, 7, sizeof(K));
	memset(K2, 8, sizeof(K2));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
