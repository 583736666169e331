/*
 * auth/jws: compact JWS parsing, JWK keys and the RS256/ES256 check, and
 * the claim checks of ID tokens. Keys are made here with OpenSSL and
 * exported as JWKs the way a provider publishes them; tokens are signed
 * here too, so every refusal is tested against a token that would pass
 * but for the one thing changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "auth/jws.h"
#include "core/crypto.h"

static EVP_PKEY *rsa, *ec, *rsa_small;
static char jwks_text[8192];

static void b64(const void *p, size_t n, char *out)
{
	base64url_encode(p, n, out);
}

/* The JWK members name=base64url(big-endian bn param) of key. */
static void bn_member(EVP_PKEY *key, const char *param, const char *name, size_t pad, char *out,
                      size_t cap)
{
	BIGNUM *bn = NULL;
	unsigned char raw[1024];
	char enc[1400];

	assert_int_equal(EVP_PKEY_get_bn_param(key, param, &bn), 1);
	int n = pad ? BN_bn2binpad(bn, raw, (int)pad) : BN_bn2bin(bn, raw);
	b64(raw, (size_t)n, enc);
	snprintf(out, cap, "\"%s\":\"%s\"", name, enc);
	BN_free(bn);
}

static char *rsa_jwk(EVP_PKEY *key, const char *kid)
{
	static char out[4][2048];
	static int turn;
	char n[1600], e[64];
	char *o = out[turn++ % 4];

	bn_member(key, OSSL_PKEY_PARAM_RSA_N, "n", 0, n, sizeof(n));
	bn_member(key, OSSL_PKEY_PARAM_RSA_E, "e", 0, e, sizeof(e));
	snprintf(o, 2048, "{\"kty\":\"RSA\",\"kid\":\"%s\",\"use\":\"sig\",%s,%s}", kid, n, e);
	return o;
}

static char *ec_jwk(EVP_PKEY *key, const char *kid)
{
	static char out[2][512];
	static int turn;
	char x[128], y[128];
	char *o = out[turn++ % 2];

	bn_member(key, OSSL_PKEY_PARAM_EC_PUB_X, "x", 32, x, sizeof(x));
	bn_member(key, OSSL_PKEY_PARAM_EC_PUB_Y, "y", 32, y, sizeof(y));
	snprintf(o, 512,
	         "{\"kty\":\"EC\",\"kid\":\"%s\",\"crv\":\"P-256\",\"alg\":\"ES256\",%s,%s}", kid,
	         x, y);
	return o;
}

/* A compact JWS of header and payload (JSON texts) signed with key (NULL:
 * an empty signature). The result is malloc'd. */
static char *sign_token(const char *header, const char *payload, EVP_PKEY *key, bool es)
{
	char *out = malloc(16384), *h = malloc(4096), *p = malloc(8192);
	unsigned char sig[600];
	size_t sl = sizeof(sig);

	b64(header, strlen(header), h);
	b64(payload, strlen(payload), p);
	snprintf(out, 16384, "%s.%s.", h, p);
	if (key) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		size_t n = strlen(out) - 1;
		assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
		assert_int_equal(EVP_DigestSign(md, sig, &sl, (unsigned char *)out, n), 1);
		EVP_MD_CTX_free(md);
		if (es) { /* DER to raw r||s */
			const unsigned char *d = sig;
			ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &d, (long)sl);
			unsigned char raw[64];
			BN_bn2binpad(ECDSA_SIG_get0_r(s), raw, 32);
			BN_bn2binpad(ECDSA_SIG_get0_s(s), raw + 32, 32);
			ECDSA_SIG_free(s);
			memcpy(sig, raw, 64);
			sl = 64;
		}
		b64(sig, sl, out + strlen(out));
	}
	free(h);
	free(p);
	return out;
}

static cJSON *jwks(void)
{
	cJSON *j = cJSON_Parse(jwks_text);
	assert_non_null(j);
	return j;
}

/* Parse and verify token against the test key set: the verdict, or -1
 * when it does not parse. */
static int check(const char *token, const char **why)
{
	struct jws j;
	cJSON *set = jwks();
	int v;

	if (jws_parse(token, strlen(token), &j, why)) {
		cJSON_Delete(set);
		return -1;
	}
	v = (int)jws_verify(&j, set, why);
	jws_release(&j);
	cJSON_Delete(set);
	return v;
}

#define CLAIMS "{\"iss\":\"https://idp.example\",\"aud\":\"rv\",\"sub\":\"u1\",\"nonce\":\"n1\"}"

static void test_valid_signatures(void **state)
{
	const char *why = NULL;
	(void)state;

	char *t = sign_token("{\"alg\":\"RS256\",\"kid\":\"r1\"}", CLAIMS, rsa, false);
	assert_int_equal(check(t, &why), JWS_VALID);
	free(t);
	t = sign_token("{\"alg\":\"ES256\",\"kid\":\"e1\"}", CLAIMS, ec, true);
	assert_int_equal(check(t, &why), JWS_VALID);
	free(t);
	/* without a kid any key of the right type may sign */
	t = sign_token("{\"alg\":\"ES256\"}", CLAIMS, ec, true);
	assert_int_equal(check(t, &why), JWS_VALID);
	free(t);
}

static void test_refused_algorithms(void **state)
{
	const char *why = NULL;
	(void)state;

	char *t = sign_token("{\"alg\":\"none\"}", CLAIMS, NULL, false);
	assert_int_equal(check(t, &why), -1);
	assert_non_null(strstr(why, "alg none"));
	free(t);
	/* "none" with some signature bytes all the same */
	t = sign_token("{\"alg\":\"none\"}", CLAIMS, rsa, false);
	assert_int_equal(check(t, &why), -1);
	free(t);
	/* HS256 "signed" with anything: refused before any key is tried */
	t = sign_token("{\"alg\":\"HS256\",\"kid\":\"r1\"}", CLAIMS, rsa, false);
	assert_int_equal(check(t, &why), -1);
	assert_non_null(strstr(why, "other than RS256"));
	free(t);
	static const char *const others[] = {"RS512", "PS256", "ES384", "EdDSA", "rs256", ""};
	for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
		char h[64];
		snprintf(h, sizeof(h), "{\"alg\":\"%s\"}", others[i]);
		t = sign_token(h, CLAIMS, rsa, false);
		assert_int_equal(check(t, &why), -1);
		free(t);
	}
	t = sign_token("{\"alg\":256}", CLAIMS, rsa, false);
	assert_int_equal(check(t, &why), -1);
	free(t);
	t = sign_token("{\"alg\":\"RS256\",\"crit\":[\"exp\"]}", CLAIMS, rsa, false);
	assert_int_equal(check(t, &why), -1);
	free(t);
}

static void test_key_type_must_match(void **state)
{
	const char *why = NULL;
	(void)state;

	/* ES256 claimed, the kid of the RSA key: no key fits */
	char *t = sign_token("{\"alg\":\"ES256\",\"kid\":\"r1\"}", CLAIMS, ec, true);
	assert_int_equal(check(t, &why), JWS_NO_KEY);
	free(t);
	/* RS256 with the EC key's kid */
	t = sign_token("{\"alg\":\"RS256\",\"kid\":\"e1\"}", CLAIMS, rsa, false);
	assert_int_equal(check(t, &why), JWS_NO_KEY);
	free(t);
	/* an unknown kid: refetch */
	t = sign_token("{\"alg\":\"RS256\",\"kid\":\"gone\"}", CLAIMS, rsa, false);
	assert_int_equal(check(t, &why), JWS_NO_KEY);
	free(t);
	/* a key marked for encryption is not used to verify */
	t = sign_token("{\"alg\":\"RS256\",\"kid\":\"enc\"}", CLAIMS, rsa, false);
	assert_int_equal(check(t, &why), JWS_NO_KEY);
	free(t);
}

static void test_tampering(void **state)
{
	const char *why = NULL;
	(void)state;

	char *t = sign_token("{\"alg\":\"RS256\",\"kid\":\"r1\"}", CLAIMS, rsa, false);
	/* payload changed after signing */
	char *dot = strchr(t, '.') + 1;
	dot[3] = dot[3] == 'A' ? 'B' : 'A';
	assert_int_not_equal(check(t, &why), JWS_VALID);
	free(t);
	/* a flipped signature byte */
	t = sign_token("{\"alg\":\"ES256\",\"kid\":\"e1\"}", CLAIMS, ec, true);
	char *last = strrchr(t, '.') + 5;
	*last = *last == 'A' ? 'B' : 'A';
	assert_int_equal(check(t, &why), JWS_INVALID);
	free(t);
	/* an ES256 signature of the wrong length */
	t = sign_token("{\"alg\":\"ES256\",\"kid\":\"e1\"}", CLAIMS, ec, true);
	t[strlen(t) - 4] = 0;
	assert_int_not_equal(check(t, &why), JWS_VALID);
	free(t);
	/* signed by a key that merely has the published kid */
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	t = sign_token("{\"alg\":\"RS256\",\"kid\":\"r1\"}", CLAIMS, other, false);
	assert_int_equal(check(t, &why), JWS_INVALID);
	free(t);
	EVP_PKEY_free(other);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "abc",
	    "a.b",
	    "a.b.c.d",
	    "a.b.c.d.e",
	    "!!!.eyJ9.AAAA",
	    "eyJhbGciOiJSUzI1NiJ9..AAAA",               /* empty payload */
	    "eyJhbGciOiJSUzI1NiJ9.eyJ9.AAAA",           /* payload "{" */
	    "eyJhbGciOiJSUzI1NiJ9.WzFd.AAAA",           /* payload an array */
	    "eyJhbGciOiJSUzI1NiJ9.e30.",                /* no signature */
	    "eyJhbGciOiJSUzI1NiJ9.e30.A",               /* bad base64 length */
	    "eyJhbGciOiJSUzI1NiJ9.e30.AA+A",            /* not base64url */
	    "WyJSUzI1NiJd.e30.AAAA",                    /* header an array */
	    "e30.e30.AAAA",                             /* no alg */
	    "eyJhbGciOiJSUzI1NiIsImtpZCI6MX0.e30.AAAA", /* kid a number */
	};
	struct jws j;
	const char *why;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		assert_int_equal(jws_parse(bad[i], strlen(bad[i]), &j, &why), -1);
		assert_non_null(why);
		assert_null(j.header);
	}
	/* too long */
	char *big = malloc(JWS_MAX_TOKEN + 2);
	memset(big, 'A', JWS_MAX_TOKEN + 1);
	big[JWS_MAX_TOKEN + 1] = 0;
	big[10] = big[20] = '.';
	assert_int_equal(jws_parse(big, strlen(big), &j, &why), -1);
	/* a NUL inside */
	assert_int_equal(jws_parse("e30.e30\0.AAAA", 13, &j, &why), -1);
	free(big);
}

static void test_jwk_keys(void **state)
{
	const char *why;
	EVP_PKEY *k;
	cJSON *j;
	(void)state;

	j = cJSON_Parse(rsa_jwk(rsa, "x"));
	assert_non_null(k = jwk_to_pkey(j, &why));
	assert_int_equal(EVP_PKEY_get_bits(k), 2048);
	EVP_PKEY_free(k);
	cJSON_Delete(j);
	j = cJSON_Parse(ec_jwk(ec, "x"));
	assert_non_null(k = jwk_to_pkey(j, &why));
	EVP_PKEY_free(k);
	cJSON_Delete(j);

	static const char *const bad[] = {
	    "{\"kty\":\"oct\",\"k\":\"AAAA\"}",
	    "{\"kty\":\"RSA\",\"e\":\"AQAB\"}",
	    "{\"kty\":\"RSA\",\"n\":\"AAAA\",\"e\":\"AQAB\"}",
	    "{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":"
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
	    "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
	    /* (1, 1) is not on P-256 */
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
	    "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\","
	    "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"}",
	    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}",
	    "{\"kty\":1}",
	    "[]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		j = cJSON_Parse(bad[i]);
		assert_null(jwk_to_pkey(j, &why));
		assert_non_null(why);
		cJSON_Delete(j);
	}
	/* RSA keys under 2048 bits are refused */
	j = cJSON_Parse(rsa_jwk(rsa_small, "s"));
	assert_null(jwk_to_pkey(j, &why));
	assert_non_null(strstr(why, "2048"));
	cJSON_Delete(j);
}

static void test_ecdsa_der(void **state)
{
	unsigned char raw[64], der[80];
	(void)state;

	memset(raw, 0, 32);
	raw[31] = 1; /* r = 1 */
	memset(raw + 32, 0xff, 32);
	long n = jws_ecdsa_raw_to_der(raw, 64, der, sizeof(der));
	assert_true(n > 0);
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, n);
	assert_non_null(s);
	assert_true(BN_is_one(ECDSA_SIG_get0_r(s)));
	assert_int_equal(BN_num_bytes(ECDSA_SIG_get0_s(s)), 32);
	ECDSA_SIG_free(s);
	assert_int_equal(jws_ecdsa_raw_to_der(raw, 63, der, sizeof(der)), -1);
	assert_int_equal(jws_ecdsa_raw_to_der(raw, 64, der, 10), -1);
}

static int claims_ok(const char *json, long long now, const char **why)
{
	cJSON *c = cJSON_Parse(json);
	struct idtoken_expect x = {"https://idp.example", "rv", "n1", now};
	int r;

	assert_non_null(c);
	r = idtoken_check(c, &x, why);
	cJSON_Delete(c);
	return r;
}

static void test_claims(void **state)
{
	const long long now = 1700000000;
	const char *why;
	(void)state;

#define T(extra, aud)                                                                              \
	"{\"iss\":\"https://idp.example\",\"aud\":" aud ",\"sub\":\"u1\",\"nonce\":\"n1\"" extra "}"
#define TIMES ",\"iat\":1699999990,\"exp\":1700000300"
	assert_int_equal(claims_ok(T(TIMES, "\"rv\""), now, &why), 0);
	assert_int_equal(claims_ok(T(TIMES, "[\"rv\"]"), now, &why), 0);
	assert_int_equal(claims_ok(T(TIMES ",\"azp\":\"rv\"", "[\"rv\",\"api\"]"), now, &why), 0);
	/* several audiences need azp naming us */
	assert_int_equal(claims_ok(T(TIMES, "[\"rv\",\"api\"]"), now, &why), -1);
	assert_int_equal(claims_ok(T(TIMES ",\"azp\":\"api\"", "[\"rv\",\"api\"]"), now, &why), -1);
	assert_int_equal(claims_ok(T(TIMES ",\"azp\":\"api\"", "\"rv\""), now, &why), -1);
	assert_int_equal(claims_ok(T(TIMES, "\"other\""), now, &why), -1);
	assert_non_null(strstr(why, "audience"));
	assert_int_equal(claims_ok(T(TIMES, "[]"), now, &why), -1);
	assert_int_equal(claims_ok(T(TIMES, "1"), now, &why), -1);
	/* expiry, with 60 s of leeway */
	assert_int_equal(
	    claims_ok(T(",\"iat\":1699999000,\"exp\":1699999970", "\"rv\""), now, &why), 0);
	assert_int_equal(
	    claims_ok(T(",\"iat\":1699999000,\"exp\":1699999940", "\"rv\""), now, &why), -1);
	assert_non_null(strstr(why, "expired"));
	assert_int_equal(claims_ok(T(",\"exp\":1700000300", "\"rv\""), now, &why), -1);
	assert_int_equal(
	    claims_ok(T(",\"iat\":1699999990,\"exp\":\"1700000300\"", "\"rv\""), now, &why), -1);
	/* issued in the future, or long ago */
	assert_int_equal(
	    claims_ok(T(",\"iat\":1700000100,\"exp\":1700000300", "\"rv\""), now, &why), -1);
	assert_int_equal(
	    claims_ok(T(",\"iat\":1699900000,\"exp\":1700000300", "\"rv\""), now, &why), -1);
	assert_int_equal(claims_ok(T(TIMES ",\"nbf\":1700000200", "\"rv\""), now, &why), -1);
	/* issuer, nonce, subject */
	assert_int_equal(
	    claims_ok("{\"iss\":\"https://idp.example/\",\"aud\":\"rv\",\"sub\":\"u1\","
	              "\"nonce\":\"n1\"" TIMES "}",
	              now, &why),
	    -1);
	assert_int_equal(claims_ok("{\"iss\":\"https://idp.example\",\"aud\":\"rv\",\"sub\":\"u1\","
	                           "\"nonce\":\"n2\"" TIMES "}",
	                           now, &why),
	                 -1);
	assert_non_null(strstr(why, "nonce"));
	assert_int_equal(
	    claims_ok("{\"iss\":\"https://idp.example\",\"aud\":\"rv\",\"sub\":\"u1\"" TIMES "}",
	              now, &why),
	    -1);
	assert_int_equal(claims_ok("{\"iss\":\"https://idp.example\",\"aud\":\"rv\",\"sub\":\"\","
	                           "\"nonce\":\"n1\"" TIMES "}",
	                           now, &why),
	                 -1);
#undef T
#undef TIMES
}

static int setup(void **state)
{
	(void)state;
	rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	rsa_small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!rsa || !ec || !rsa_small)
		return -1;
	char *enc = rsa_jwk(rsa, "enc");
	char encfix[2048];
	/* the same RSA key once more, marked for encryption */
	snprintf(encfix, sizeof(encfix), "%s", enc);
	char *use = strstr(encfix, "\"use\":\"sig\"");
	memcpy(use, "\"use\":\"enc\"", 11);
	snprintf(jwks_text, sizeof(jwks_text), "{\"keys\":[%s,%s,%s]}", encfix, rsa_jwk(rsa, "r1"),
	         ec_jwk(ec, "e1"));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(rsa_small);
	EVP_PKEY_free(ec);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_signatures),    cmocka_unit_test(test_refused_algorithms),
	    cmocka_unit_test(test_key_type_must_match), cmocka_unit_test(test_tampering),
	    cmocka_unit_test(test_malformed),           cmocka_unit_test(test_jwk_keys),
	    cmocka_unit_test(test_ecdsa_der),           cmocka_unit_test(test_claims),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
