#include "auth/totp.h"

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <qrencode.h>

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

long hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	long mod = 1;

	if (digits < 6 || digits > 9)
		return -1;
	for (int i = 7; i >= 0; i--, counter >>= 8)
		msg[i] = (unsigned char)(counter & 0xff);
	if (!HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac, &maclen) || maclen != 20)
		return -1;
	/* RFC 4226 §5.3: the low nibble of the last byte picks four bytes */
	unsigned off = mac[19] & 0x0f;
	unsigned long bin = ((unsigned long)(mac[off] & 0x7f) << 24) |
	                    ((unsigned long)mac[off + 1] << 16) |
	                    ((unsigned long)mac[off + 2] << 8) | (unsigned long)mac[off + 3];
	OPENSSL_cleanse(mac, sizeof(mac));
	for (int i = 0; i < digits; i++)
		mod *= 10;
	return (long)(bin % (unsigned long)mod);
}

uint64_t totp_step(int64_t t)
{
	return t < 0 ? 0 : (uint64_t)t / TOTP_PERIOD;
}

int totp_code(const unsigned char *key, size_t keylen, uint64_t step, char out[TOTP_DIGITS + 1])
{
	long v = hotp(key, keylen, step, TOTP_DIGITS);

	if (v < 0)
		return -1;
	for (int i = TOTP_DIGITS - 1; i >= 0; i--, v /= 10)
		out[i] = (char)('0' + v % 10);
	out[TOTP_DIGITS] = '\0';
	return 0;
}

size_t base32_encode(const void *p, size_t n, char *out)
{
	const unsigned char *s = p;
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | s[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32_alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

static int b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

long base32_decode(const char *s, size_t len, void *out, size_t cap)
{
	unsigned char *o = out;
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0, chars = 0, end = len;

	while (end > 0 && s[end - 1] == '=')
		end--;
	for (size_t i = 0; i < end; i++) {
		int v;
		if (s[i] == ' ' || s[i] == '-')
			continue;
		if ((v = b32_value(s[i])) < 0)
			return -1;
		chars++;
		acc = ((acc << 5) | (unsigned)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			if (n == cap)
				return -1;
			o[n++] = (unsigned char)((acc >> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	/* RFC 4648 §6: a final quantum of 2, 4, 5 or 7 characters; the bits
	 * left over are zero in a canonical encoding */
	switch (chars % 8) {
	case 1:
	case 3:
	case 6:
		return -1;
	default:
		break;
	}
	if (bits > 0 && (acc & ((1u << bits) - 1)))
		return -1;
	return (long)n;
}

/* RFC 3986 unreserved characters stay; every other byte is %XX. */
static void put_encoded(struct buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			buf_putc(out, (char)c);
		else
			buf_printf(out, "%%%02X", c);
	}
}

int totp_otpauth_url(struct buf *out, const char *issuer, const char *account,
                     const char *secret_b32)
{
	buf_puts(out, "otpauth://totp/");
	put_encoded(out, issuer);
	buf_putc(out, ':');
	put_encoded(out, account);
	buf_puts(out, "?secret=");
	put_encoded(out, secret_b32);
	buf_puts(out, "&issuer=");
	put_encoded(out, issuer);
	buf_printf(out, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_PERIOD);
	return buf_ok(out) ? 0 : -1;
}

int qr_svg(struct buf *out, const char *text, int *modules)
{
	QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	int w, size;

	if (!qr)
		return -1;
	w = qr->width;
	size = w + 8;
	buf_printf(out,
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
	           " shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\""
	           " fill=\"#fff\"/><path fill=\"#000\" d=\"",
	           size, size, size, size);
	/* bit 0 of each byte of qr->data is the module's colour (dark = 1) */
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (qr->data[y * w + x] & 1)
				buf_printf(out, "M%d %dh1v1h-1z", x + 4, y + 4);
	buf_puts(out, "\"/></svg>");
	QRcode_free(qr);
	if (modules)
		*modules = w;
	return buf_ok(out) ? 0 : -1;
}
