#include "core/crypto.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

int crypto_random(void *buf, size_t n)
{
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

void crypto_sha256(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = 32;
	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

void crypto_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char h[32];

	crypto_sha256(p, n, h);
	hex_encode(h, sizeof(h), out);
}

int crypto_token(const char *prefix, char out[CRYPTO_TOKEN_LEN + 1], char hash_hex[65])
{
	unsigned char raw[32];

	out[0] = hash_hex[0] = '\0';
	if (strlen(prefix) != 4 || crypto_random(raw, sizeof(raw)) < 0)
		return -1;
	memcpy(out, prefix, 4);
	base64url_encode(raw, sizeof(raw), out + 4);
	OPENSSL_cleanse(raw, sizeof(raw));
	crypto_sha256_hex(out, CRYPTO_TOKEN_LEN, hash_hex);
	return 0;
}

void crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
			unsigned char out[32])
{
	unsigned int len = 32;
	HMAC(EVP_sha256(), key, (int)keylen, msg, n, out, &len);
}

bool crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void hex_encode(const void *p, size_t n, char *out)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = "0123456789abcdef"[b[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *s, void *out, size_t n)
{
	unsigned char *o = out;
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(s[2 * i]), lo = hi < 0 ? -1 : nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		o[i] = (unsigned char)(hi << 4 | lo);
	}
	return s[2 * n] == '\0' ? 0 : -1;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64url_encode(const void *p, size_t n, char *out)
{
	const unsigned char *b = p;
	size_t o = 0, i = 0;

	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)b[i] << 16;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8;
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
	}
	out[o] = '\0';
	return o;
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

long base64url_decode(const char *s, size_t len, void *out, size_t cap)
{
	unsigned char *o = out;
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = b64val(s[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			o[n++] = (unsigned char)(acc >> bits);
		}
	}
	/* leftover bits must be zero, or two encodings would decode alike */
	if (bits && (acc & ((1u << bits) - 1)))
		return -1;
	return (long)n;
}

int uuid_v4(char out[37])
{
	unsigned char b[16];
	char hex[33];

	if (crypto_random(b, sizeof(b)) < 0)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	hex_encode(b, 16, hex);
	memcpy(out, hex, 8);
	out[8] = '-';
	memcpy(out + 9, hex + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hex + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hex + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hex + 20, 12);
	out[36] = '\0';
	return 0;
}

/* --- sealed secrets ---------------------------------------------------------- */

static long gcm(bool seal, const unsigned char key[32], const char *aad,
		const unsigned char nonce[12], const unsigned char *in, size_t n,
		unsigned char *out, unsigned char tag[16])
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0, ok;

	if (!c || n > 1u << 30)
		goto fail;
	ok = seal ? EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce)
		  : EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce);
	if (ok != 1)
		goto fail;
	if (aad && (seal ? EVP_EncryptUpdate(c, NULL, &len, (const unsigned char *)aad,
					     (int)strlen(aad))
			 : EVP_DecryptUpdate(c, NULL, &len, (const unsigned char *)aad,
					     (int)strlen(aad))) != 1)
		goto fail;
	if ((seal ? EVP_EncryptUpdate(c, out, &len, in, (int)n)
		  : EVP_DecryptUpdate(c, out, &len, in, (int)n)) != 1)
		goto fail;
	if (seal) {
		if (EVP_EncryptFinal_ex(c, out + len, &fin) != 1 ||
		    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
			goto fail;
	} else if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1 ||
		   EVP_DecryptFinal_ex(c, out + len, &fin) != 1) {
		goto fail;
	}
	EVP_CIPHER_CTX_free(c);
	return (long)len + fin;
fail:
	EVP_CIPHER_CTX_free(c);
	return -1;
}

long crypto_seal(const unsigned char key[32], const char *aad, const void *p, size_t n,
		 unsigned char *out, size_t cap)
{
	if (cap < n + CRYPTO_SEAL_OVERHEAD || crypto_random(out, 12))
		return -1;
	long len = gcm(true, key, aad, out, p, n, out + 12, out + 12 + n);
	return len == (long)n ? (long)(n + CRYPTO_SEAL_OVERHEAD) : -1;
}

long crypto_open(const unsigned char key[32], const char *aad, const unsigned char *in, size_t n,
		 void *out, size_t cap)
{
	unsigned char tag[16];

	if (n < CRYPTO_SEAL_OVERHEAD || cap < n - CRYPTO_SEAL_OVERHEAD)
		return -1;
	size_t len = n - CRYPTO_SEAL_OVERHEAD;
	memcpy(tag, in + 12 + len, 16);
	return gcm(false, key, aad, in, in + 12, len, out, tag);
}

#define SEAL_PREFIX "gcm1."

char *crypto_seal_text(const unsigned char key[32], const char *aad, const char *plain)
{
	size_t n = strlen(plain), cap = n + CRYPTO_SEAL_OVERHEAD;
	unsigned char *raw = malloc(cap);
	char *out = malloc(sizeof(SEAL_PREFIX) + (cap + 2) / 3 * 4 + 1);
	long len;

	if (!raw || !out || (len = crypto_seal(key, aad, plain, n, raw, cap)) < 0) {
		free(raw);
		free(out);
		return NULL;
	}
	memcpy(out, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1);
	base64url_encode(raw, (size_t)len, out + sizeof(SEAL_PREFIX) - 1);
	free(raw);
	return out;
}

char *crypto_open_text(const unsigned char key[32], const char *aad, const char *sealed)
{
	size_t n;
	unsigned char *raw;
	char *out;
	long len, plain;

	if (!sealed || strncmp(sealed, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1))
		return NULL;
	sealed += sizeof(SEAL_PREFIX) - 1;
	n = strlen(sealed);
	raw = malloc(n + 1);
	out = malloc(n + 1);
	if (!raw || !out || (len = base64url_decode(sealed, n, raw, n + 1)) < 0 ||
	    (plain = crypto_open(key, aad, raw, (size_t)len, out, n)) < 0) {
		free(raw);
		free(out);
		return NULL;
	}
	free(raw);
	out[plain] = 0;
	if (strlen(out) != (size_t)plain) { /* a NUL inside: not a text we sealed */
		free(out);
		return NULL;
	}
	return out;
}

int crypto_key_parse(const char *hex, unsigned char key[32])
{
	return hex && strlen(hex) == 64 && hex_decode(hex, key, 32) == 0 ? 0 : -1;
}
