/*
 * libFuzzer target for the text parsers and encoders of app/auth/totp.c:
 * base32_decode() (secrets as people type them) and the percent-encoding
 * of totp_otpauth_url().
 *
 * fuzz-sources: app/auth/totp.c app/core
 * fuzz-libs: -lcjson -lm -lcrypto -lutf8proc -lqrencode
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   base32_decode  an accepted input re-encodes (base32_encode) to the
 *                  input upper-cased without spaces, '-' and trailing '=';
 *                  the length never exceeds the capacity
 *   otpauth URL    issuer and account (the input cut in two at the first
 *                  NUL) come back byte for byte by percent-decoding, and
 *                  the URL holds only unreserved characters, '%', and the
 *                  URL's own punctuation
 *
 * fuzz-seed: MZXW6YTBOI======
 * fuzz-seed: mzxw 6ytb-oi
 * fuzz-seed: JBSWY3DPEHPK3PXP
 * fuzz-seed: My Home\x00al ice@example.com
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_base32(const char *s, size_t n)
{
	unsigned char out[256];
	char norm[1024], enc[1024];
	size_t k = 0, end = n;
	long got = base32_decode(s, n, out, sizeof(out));

	if (got < 0)
		return;
	if ((size_t)got > sizeof(out))
		abort();
	while (end > 0 && s[end - 1] == '=')
		end--;
	for (size_t i = 0; i < end && k < sizeof(norm) - 1; i++)
		if (s[i] != ' ' && s[i] != '-')
			norm[k++] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
	norm[k] = '\0';
	base32_encode(out, (size_t)got, enc);
	if (strcmp(enc, norm))
		abort();
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decode p up to a byte in stop into out; returns the end. */
static const char *unescape(const char *p, const char *stop, char *out, size_t *n)
{
	*n = 0;
	for (; *p && !strchr(stop, *p); p++) {
		if (*p == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			if (lo < 0)
				abort();
			out[(*n)++] = (char)(hi * 16 + lo);
			p += 2;
		} else {
			out[(*n)++] = *p;
		}
	}
	return p;
}

static void check_url(const char *issuer, const char *account)
{
	struct buf b;
	char got[4096];
	size_t n;

	buf_init(&b, 64 * 1024);
	if (totp_otpauth_url(&b, issuer, account, "AB") || strncmp(b.data, "otpauth://totp/", 15))
		abort();
	for (const char *p = b.data; *p; p++)
		if (!strchr(
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%:/?&=",
		        *p))
			abort();
	const char *p = unescape(b.data + 15, ":", got, &n);
	if (*p != ':' || n != strlen(issuer) || memcmp(got, issuer, n))
		abort();
	p = unescape(p + 1, "?", got, &n);
	if (*p != '?' || n != strlen(account) || memcmp(got, account, n))
		abort();
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[1024];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = '\0';
	check_base32(s, n);
	const char *account = s + strlen(s) < s + n ? s + strlen(s) + 1 : "";
	check_url(s, account);
	return 0;
}
