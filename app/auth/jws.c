/* jws: compact JWS parsing and RS256/ES256 verification (see jws.h). */
#include "auth/jws.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include "core/crypto.h"
#include "core/json.h"

static const struct json_limits jws_json = {JWS_MAX_TOKEN, 16};

void jws_release(struct jws *j)
{
	cJSON_Delete(j->header);
	cJSON_Delete(j->payload);
	free(j->signing_input);
	free(j->sig);
	memset(j, 0, sizeof(*j));
}

/* Decode base64url part s[0..n) into a new buffer (NUL-terminated for
 * JSON); NULL on a bad character or length. */
static unsigned char *b64_part(const char *s, size_t n, size_t *out_len)
{
	unsigned char *p = malloc(n + 1);
	long got;

	if (!p)
		return NULL;
	if ((got = base64url_decode(s, n, p, n)) < 0) {
		free(p);
		return NULL;
	}
	p[got] = 0;
	*out_len = (size_t)got;
	return p;
}

static cJSON *json_part(const char *s, size_t n)
{
	size_t len;
	unsigned char *p = b64_part(s, n, &len);
	cJSON *o = NULL;

	if (!p)
		return NULL;
	if (json_parse((const char *)p, len, &jws_json, &o, NULL) || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	free(p);
	return o;
}

static int fail(struct jws *j, const char **why, const char *reason)
{
	jws_release(j);
	*why = reason;
	return -1;
}

int jws_parse(const char *token, size_t len, struct jws *j, const char **why)
{
	const char *dot1, *dot2;
	const cJSON *alg, *kid;

	memset(j, 0, sizeof(*j));
	if (!token || len == 0 || len > JWS_MAX_TOKEN)
		return fail(j, why, "is empty or too long");
	if (memchr(token, 0, len))
		return fail(j, why, "is not a compact JWS");
	dot1 = memchr(token, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
	if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
		return fail(j, why, "is not three parts (a JWE or not a JWS)");
	if (!(j->header = json_part(token, (size_t)(dot1 - token))))
		return fail(j, why, "has a malformed header");
	alg = cJSON_GetObjectItemCaseSensitive(j->header, "alg");
	if (!cJSON_IsString(alg))
		return fail(j, why, "has no alg");
	if (!strcmp(alg->valuestring, "RS256"))
		j->alg = JWS_RS256;
	else if (!strcmp(alg->valuestring, "ES256"))
		j->alg = JWS_ES256;
	else if (!strcmp(alg->valuestring, "none"))
		return fail(j, why, "is unsigned (alg none is refused)");
	else
		return fail(j, why, "uses an algorithm other than RS256 or ES256");
	/* a critical extension we do not understand must not be ignored */
	if (cJSON_GetObjectItemCaseSensitive(j->header, "crit"))
		return fail(j, why, "names critical extensions");
	kid = cJSON_GetObjectItemCaseSensitive(j->header, "kid");
	if (kid && !cJSON_IsString(kid))
		return fail(j, why, "has a kid that is not a string");
	j->kid = kid ? kid->valuestring : NULL;
	if (!(j->payload = json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1))))
		return fail(j, why, "has a malformed payload");
	if (!(j->sig = b64_part(dot2 + 1, len - (size_t)(dot2 + 1 - token), &j->sig_len)) ||
	    j->sig_len == 0)
		return fail(j, why, "has a malformed signature");
	j->signing_len = (size_t)(dot2 - token);
	if (!(j->signing_input = malloc(j->signing_len + 1)))
		return fail(j, why, "is too large");
	memcpy(j->signing_input, token, j->signing_len);
	j->signing_input[j->signing_len] = 0;
	return 0;
}

/* A big-endian unsigned integer member of a JWK as a BIGNUM. */
static BIGNUM *jwk_bn(const cJSON *jwk, const char *name, size_t max, size_t exact)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(jwk, name);
	unsigned char buf[1100];
	long n;

	if (!cJSON_IsString(v) || strlen(v->valuestring) > 4 * sizeof(buf) / 3)
		return NULL;
	n = base64url_decode(v->valuestring, strlen(v->valuestring), buf, sizeof(buf));
	if (n <= 0 || (size_t)n > max || (exact && (size_t)n != exact))
		return NULL;
	return BN_bin2bn(buf, (int)n, NULL);
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld, bool ec)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	if (pkey && ec) {
		/* fromdata takes the point as given: make sure it is on the curve */
		EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
		if (!chk || EVP_PKEY_public_check(chk) != 1) {
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		EVP_PKEY_CTX_free(chk);
	}
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *rsa_key(const cJSON *jwk, const char **why)
{
	BIGNUM *n = jwk_bn(jwk, "n", 1024, 0), *e = jwk_bn(jwk, "e", 8, 0);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *pkey = NULL;

	*why = "is an RSA key without a usable n or e";
	if (n && e && bld && !BN_is_zero(e) && BN_is_odd(e) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		pkey = from_params("RSA", bld, false);
	if (pkey && (EVP_PKEY_get_bits(pkey) < 2048 || EVP_PKEY_get_bits(pkey) > 8192)) {
		*why = "is an RSA key shorter than 2048 bits";
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

static EVP_PKEY *ec_key(const cJSON *jwk, const char **why)
{
	const cJSON *crv = cJSON_GetObjectItemCaseSensitive(jwk, "crv"),
	            *x = cJSON_GetObjectItemCaseSensitive(jwk, "x"),
	            *y = cJSON_GetObjectItemCaseSensitive(jwk, "y");
	unsigned char point[65];
	OSSL_PARAM_BLD *bld;
	EVP_PKEY *pkey = NULL;

	*why = "is an EC key that is not a point of P-256";
	if (!cJSON_IsString(crv) || strcmp(crv->valuestring, "P-256") || !cJSON_IsString(x) ||
	    !cJSON_IsString(y) || strlen(x->valuestring) != 43 || strlen(y->valuestring) != 43)
		return NULL;
	point[0] = 0x04; /* uncompressed */
	if (base64url_decode(x->valuestring, 43, point + 1, 32) != 32 ||
	    base64url_decode(y->valuestring, 43, point + 33, 32) != 32)
		return NULL;
	if (!(bld = OSSL_PARAM_BLD_new()))
		return NULL;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
		pkey = from_params("EC", bld, true);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

EVP_PKEY *jwk_to_pkey(const cJSON *jwk, const char **why)
{
	const cJSON *kty = cJSON_GetObjectItemCaseSensitive(jwk, "kty");

	*why = "is not a JWK";
	if (!cJSON_IsObject(jwk) || !cJSON_IsString(kty))
		return NULL;
	if (!strcmp(kty->valuestring, "RSA"))
		return rsa_key(jwk, why);
	if (!strcmp(kty->valuestring, "EC"))
		return ec_key(jwk, why);
	*why = "is of a key type other than RSA or EC";
	return NULL;
}

long jws_ecdsa_raw_to_der(const unsigned char *raw, size_t n, unsigned char *out, size_t cap)
{
	ECDSA_SIG *s;
	BIGNUM *r, *sv;
	unsigned char *p = out;
	int len;

	if (n != 64 || cap < 72)
		return -1;
	r = BN_bin2bn(raw, 32, NULL);
	sv = BN_bin2bn(raw + 32, 32, NULL);
	if (!r || !sv || !(s = ECDSA_SIG_new())) {
		BN_free(r);
		BN_free(sv);
		return -1;
	}
	if (!ECDSA_SIG_set0(s, r, sv)) {
		BN_free(r);
		BN_free(sv);
		ECDSA_SIG_free(s);
		return -1;
	}
	len = i2d_ECDSA_SIG(s, NULL);
	if (len <= 0 || (size_t)len > cap)
		len = -1;
	else
		len = i2d_ECDSA_SIG(s, &p);
	ECDSA_SIG_free(s);
	return len;
}

/* Does key entry k fit j (kid, key type, use, alg)? */
static bool key_fits(const struct jws *j, const cJSON *k)
{
	const cJSON *kid = cJSON_GetObjectItemCaseSensitive(k, "kid"),
	            *kty = cJSON_GetObjectItemCaseSensitive(k, "kty"),
	            *use = cJSON_GetObjectItemCaseSensitive(k, "use"),
	            *alg = cJSON_GetObjectItemCaseSensitive(k, "alg");
	const char *want = j->alg == JWS_RS256 ? "RSA" : "EC";

	if (!cJSON_IsString(kty) || strcmp(kty->valuestring, want))
		return false;
	if (j->kid && (!cJSON_IsString(kid) || strcmp(kid->valuestring, j->kid)))
		return false;
	if (use && (!cJSON_IsString(use) || strcmp(use->valuestring, "sig")))
		return false;
	if (alg && (!cJSON_IsString(alg) ||
	            strcmp(alg->valuestring, j->alg == JWS_RS256 ? "RS256" : "ES256")))
		return false;
	return true;
}

static bool verify_with(const struct jws *j, EVP_PKEY *pkey)
{
	unsigned char der[80];
	const unsigned char *sig = j->sig;
	size_t sig_len = j->sig_len;
	EVP_MD_CTX *md;
	bool ok;

	if (j->alg == JWS_ES256) {
		long n = jws_ecdsa_raw_to_der(j->sig, j->sig_len, der, sizeof(der));
		if (n < 0)
			return false;
		sig = der;
		sig_len = (size_t)n;
	}
	if (!(md = EVP_MD_CTX_new()))
		return false;
	ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
	     EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)j->signing_input,
	                      j->signing_len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

enum jws_verdict jws_verify(const struct jws *j, const cJSON *jwks, const char **why)
{
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(jwks, "keys"), *k;
	int tried = 0;

	if (!cJSON_IsArray(keys)) {
		*why = "cannot be checked: the provider's key set has no keys";
		return JWS_NO_KEY;
	}
	cJSON_ArrayForEach(k, keys)
	{
		const char *kwhy;
		EVP_PKEY *pkey;

		if (!key_fits(j, k) || !(pkey = jwk_to_pkey(k, &kwhy)))
			continue;
		bool ok = verify_with(j, pkey);
		EVP_PKEY_free(pkey);
		tried++;
		if (ok)
			return JWS_VALID;
	}
	if (!tried) {
		*why = "is signed with a key the provider does not publish";
		return JWS_NO_KEY;
	}
	*why = "has a signature that does not verify";
	return JWS_INVALID;
}

static bool num_claim(const cJSON *c, const char *k, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, k);

	if (!cJSON_IsNumber(v))
		return false;
	*out = v->valuedouble;
	return true;
}

int idtoken_check(const cJSON *claims, const struct idtoken_expect *x, const char **why)
{
	const cJSON *iss = cJSON_GetObjectItemCaseSensitive(claims, "iss"),
	            *aud = cJSON_GetObjectItemCaseSensitive(claims, "aud"),
	            *azp = cJSON_GetObjectItemCaseSensitive(claims, "azp"),
	            *nonce = cJSON_GetObjectItemCaseSensitive(claims, "nonce"),
	            *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub"), *a;
	double exp, iat, nbf;
	bool ours = false;
	int n = 0;

	if (!cJSON_IsString(iss) || strcmp(iss->valuestring, x->issuer))
		return *why = "was issued by another issuer", -1;
	if (cJSON_IsString(aud)) {
		ours = !strcmp(aud->valuestring, x->client_id);
		n = 1;
	} else if (cJSON_IsArray(aud)) {
		cJSON_ArrayForEach(a, aud)
		{
			n++;
			if (cJSON_IsString(a) && !strcmp(a->valuestring, x->client_id))
				ours = true;
		}
	}
	if (!ours)
		return *why = "is meant for another audience", -1;
	if ((n > 1 && !azp) ||
	    (azp && (!cJSON_IsString(azp) || strcmp(azp->valuestring, x->client_id))))
		return *why = "was issued to another party (azp)", -1;
	if (!num_claim(claims, "exp", &exp) || !num_claim(claims, "iat", &iat))
		return *why = "lacks exp or iat", -1;
	if (exp + JWS_LEEWAY_S <= (double)x->now)
		return *why = "has expired", -1;
	if (iat > (double)(x->now + JWS_LEEWAY_S) || iat < (double)(x->now - 86400))
		return *why = "has an issue time (iat) out of range", -1;
	if (cJSON_GetObjectItemCaseSensitive(claims, "nbf") &&
	    (!num_claim(claims, "nbf", &nbf) || nbf > (double)(x->now + JWS_LEEWAY_S)))
		return *why = "is not valid yet (nbf)", -1;
	if (!cJSON_IsString(nonce) || strlen(nonce->valuestring) != strlen(x->nonce) ||
	    !crypto_equal(nonce->valuestring, x->nonce, strlen(x->nonce)))
		return *why = "carries another nonce (a replayed or injected token)", -1;
	if (!cJSON_IsString(sub) || !*sub->valuestring || strlen(sub->valuestring) > 255)
		return *why = "has no usable subject (sub)", -1;
	return 0;
}
