/*
 * jws: compact JWS (RFC 7515) parsing and the signature check of OpenID
 * Connect ID tokens against a JWK set (RFC 7517, 7518), on OpenSSL 3.
 *
 * Only RS256 and ES256 are accepted. "none", the HMAC algorithms (a
 * server that accepted HS256 could be handed a token "signed" with the
 * public key or the client secret) and every other algorithm are refused
 * before any key is looked at, and the key must be of the type the
 * algorithm needs (RSA for RS256, EC P-256 for ES256): the header chooses
 * nothing else. Everything here is pure (no I/O) and bounded: a token of
 * at most JWS_MAX_TOKEN bytes, JSON nested at most 16 deep.
 */
#ifndef REVENGE_AUTH_JWS_H
#define REVENGE_AUTH_JWS_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>

#define JWS_MAX_TOKEN (16u * 1024)

enum jws_alg { JWS_RS256 = 1, JWS_ES256 };

struct jws {
	cJSON *header;  /* the protected header (owned) */
	cJSON *payload; /* the claims (owned) */
	enum jws_alg alg;
	const char *kid;     /* into header; NULL when absent */
	char *signing_input; /* "header.payload" as received (owned) */
	size_t signing_len;
	unsigned char *sig; /* the decoded signature (owned) */
	size_t sig_len;
};

/* Parse token[0..len) into j (zeroed first). 0, or -1 with *why set to a
 * short static reason ("not three parts", "alg none is refused", …) and j
 * released. The signature is not checked here. */
int jws_parse(const char *token, size_t len, struct jws *j, const char **why);

/* Free what j owns; j may be zeroed or already released. */
void jws_release(struct jws *j);

/* The public key of one JWK: kty RSA (n, e; 2048 to 8192 bits) or kty EC
 * with crv P-256 (x, y; a point on the curve). A new key the caller frees
 * (EVP_PKEY_free), or NULL with *why. Private members are ignored. */
EVP_PKEY *jwk_to_pkey(const cJSON *jwk, const char **why);

enum jws_verdict {
	JWS_VALID = 0, /* signed by a key of the set */
	JWS_NO_KEY,    /* the set has no usable key for this kid/alg: refetch it once */
	JWS_INVALID,   /* a key matched and the signature is wrong, or malformed */
};

/* Check j's signature with the keys of jwks ({"keys": [...]}): the key
 * whose kid equals the header's (any key of the right type when the header
 * has no kid), of the algorithm's key type, not marked for another use
 * ("use" other than "sig") or another alg. *why is set unless JWS_VALID. */
enum jws_verdict jws_verify(const struct jws *j, const cJSON *jwks, const char **why);

/* Raw r||s (2 × 32 bytes, the JWS form of ES256) to a DER ECDSA-Sig-Value
 * in out (cap ≥ 72); its length, or -1. */
long jws_ecdsa_raw_to_der(const unsigned char *raw, size_t n, unsigned char *out, size_t cap);

/*
 * The claims of an ID token (OpenID Connect Core §3.1.3.7), once its
 * signature verified: iss equals the issuer; aud is the client id or an
 * array holding it, and with several audiences azp names the client (an
 * azp present must always name it); exp lies in the future and iat not
 * (both within JWS_LEEWAY_S of now), iat at most a day old, nbf (when
 * present) passed; nonce equals the flow's (compared in constant time);
 * sub is a string of 1 to 255 bytes.
 */
#define JWS_LEEWAY_S 60
struct idtoken_expect {
	const char *issuer;
	const char *client_id;
	const char *nonce;
	long long now; /* seconds since the epoch */
};
/* 0, or -1 with *why a short static reason. */
int idtoken_check(const cJSON *claims, const struct idtoken_expect *x, const char **why);

#endif
