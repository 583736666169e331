/*
 * libFuzzer target for app/auth/jws.c, what the single sign-on callback
 * reads from a provider: the ID token (jws_parse, then jws_verify against
 * a key set) and the key set's JWKs (jwk_to_pkey), and the claim checks
 * (idtoken_check).
 *
 * fuzz-sources: app/core app/auth/jws.c
 * fuzz-libs: -lcjson -lm -lcrypto -lutf8proc
 *
 * Input: the first byte picks the mode (even: the rest is a token checked
 * against a fixed key set holding a P-256 key and an RSA key; odd: the rest
 * is a JWK set whose keys are each built, and a fixed token verified
 * against it).
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   - a token that parses has alg RS256 or ES256, a header and payload
 *     that are JSON objects, and a non-empty signature; "none" never parses
 *   - no input verifies against the fixed keys (the fuzzer cannot sign)
 *   - jwk_to_pkey gives a key or a reason, never neither
 *   - parsing is deterministic
 *
 * fuzz-seed:
 * \x00eyJhbGciOiJSUzI1NiIsImtpZCI6InIxIn0.eyJpc3MiOiJodHRwczovL2kiLCJhdWQiOiJydiIsIm5vbmNlIjoibiJ9.AAAA
 * fuzz-seed: \x00eyJhbGciOiJub25lIn0.e30.
 * fuzz-seed:
 * \x01{"keys":[{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"}]}
 * fuzz-seed: \x01{"keys":[{"kty":"RSA","kid":"r1","n":"AQAB","e":"AQAB"}]}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "auth/jws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define oracle(ok) check((ok), #ok)

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "oracle failed: %s\n", what);
		abort();
	}
}

/* A valid P-256 public key (the generator point) and a 2048-bit RSA
 * modulus shape, so verification reaches OpenSSL. */
static const char fixed_jwks[] = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"e1\","
                                 "\"x\":\"axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY\","
                                 "\"y\":\"T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU\"}]}";
static const char fixed_token[] =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImUxIn0.eyJzdWIiOiJ4In0."
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

static void token_mode(const char *p, size_t n)
{
	struct jws j, again;
	const char *why = NULL, *why2 = NULL;
	int r = jws_parse(p, n, &j, &why);

	oracle(jws_parse(p, n, &again, &why2) == r);
	jws_release(&again);
	if (r) {
		oracle(why != NULL);
		oracle(j.header == NULL && j.payload == NULL && j.sig == NULL);
		return;
	}
	oracle(j.alg == JWS_RS256 || j.alg == JWS_ES256);
	oracle(cJSON_IsObject(j.header) && cJSON_IsObject(j.payload));
	oracle(j.sig_len > 0 && j.signing_len < n);
	cJSON *set = cJSON_Parse(fixed_jwks);
	oracle(jws_verify(&j, set, &why) != JWS_VALID);
	struct idtoken_expect x = {"https://i", "rv", "n", 1700000000};
	(void)idtoken_check(j.payload, &x, &why);
	cJSON_Delete(set);
	jws_release(&j);
}

static void jwks_mode(const char *p, size_t n)
{
	cJSON *set = cJSON_ParseWithLength(p, n), *k;
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(set, "keys");
	struct jws j;
	const char *why;
	int i = 0;

	cJSON_ArrayForEach(k, keys)
	{
		const char *kwhy = NULL;
		EVP_PKEY *key = jwk_to_pkey(k, &kwhy);
		oracle(key != NULL || kwhy != NULL);
		EVP_PKEY_free(key);
		if (++i > 16)
			break;
	}
	if (set && !jws_parse(fixed_token, strlen(fixed_token), &j, &why)) {
		/* an all-zero signature verifies under no key */
		oracle(jws_verify(&j, set, &why) != JWS_VALID);
		jws_release(&j);
	}
	cJSON_Delete(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 20000)
		return 0;
	char *p = malloc(size);
	if (!p)
		return 0;
	memcpy(p, data + 1, size - 1);
	if (data[0] % 2 == 0)
		token_mode(p, size - 1);
	else
		jwks_mode(p, size - 1);
	free(p);
	return 0;
}
