/*
 * auth/totp.h: HOTP against RFC 4226 Appendix D, TOTP (SHA-1) against RFC
 * 6238 Appendix B (the 8-digit values and their 6-digit truncation), base32
 * against RFC 4648 §10 and its refusals, the otpauth URL's encoding, and
 * the QR code's SVG read back module by module against libqrencode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <qrencode.h>

#include "auth/totp.h"

/* RFC 4226 Appendix D / RFC 6238 Appendix B: the ASCII of "1234567890"
 * twice is the SHA-1 seed */
static const unsigned char seed[] = "12345678901234567890";
#define SEED_LEN 20

static void hotp_rfc4226(void **state)
{
	static const long want[10] = {755224, 287082, 359152, 969429, 338314,
	                              254676, 287922, 162583, 399871, 520489};
	(void)state;
	for (uint64_t c = 0; c < 10; c++)
		assert_int_equal(hotp(seed, SEED_LEN, c, 6), want[c]);
	/* out of range digit counts */
	assert_int_equal(hotp(seed, SEED_LEN, 0, 5), -1);
	assert_int_equal(hotp(seed, SEED_LEN, 0, 10), -1);
}

static void totp_rfc6238(void **state)
{
	static const struct {
		int64_t t;
		uint64_t step;
		long eight;
		const char *six;
	} v[] = {
	    {59, 0x1, 94287082, "287082"},
	    {1111111109, 0x23523EC, 7081804, "081804"},
	    {1111111111, 0x23523ED, 14050471, "050471"},
	    {1234567890, 0x273EF07, 89005924, "005924"},
	    {2000000000, 0x3F940AA, 69279037, "279037"},
	    {20000000000, 0x27BC86AA, 65353130, "353130"},
	};
	char code[TOTP_DIGITS + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(totp_step(v[i].t), v[i].step);
		assert_int_equal(hotp(seed, SEED_LEN, totp_step(v[i].t), 8), v[i].eight);
		/* the 6-digit code is the same value modulo 10^6, zero-padded */
		assert_int_equal(totp_code(seed, SEED_LEN, totp_step(v[i].t), code), 0);
		assert_string_equal(code, v[i].six);
		assert_int_equal(v[i].eight % 1000000, strtol(v[i].six, NULL, 10));
	}
	assert_int_equal(totp_step(-5), 0);
	/* the window's neighbours differ from the step itself */
	char a[TOTP_DIGITS + 1], b[TOTP_DIGITS + 1];
	assert_int_equal(totp_code(seed, SEED_LEN, 1000, a), 0);
	assert_int_equal(totp_code(seed, SEED_LEN, 1001, b), 0);
	assert_string_not_equal(a, b);
}

static void base32_rfc4648(void **state)
{
	static const struct {
		const char *plain, *padded, *bare;
	} v[] = {
	    {"", "", ""},
	    {"f", "MY======", "MY"},
	    {"fo", "MZXQ====", "MZXQ"},
	    {"foo", "MZXW6===", "MZXW6"},
	    {"foob", "MZXW6YQ=", "MZXW6YQ"},
	    {"fooba", "MZXW6YTB", "MZXW6YTB"},
	    {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
	};
	char enc[64];
	unsigned char dec[64];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].plain);
		assert_int_equal(base32_encode(v[i].plain, n, enc), strlen(v[i].bare));
		assert_string_equal(enc, v[i].bare);
		/* padded, bare and lower case all decode */
		assert_int_equal(base32_decode(v[i].padded, strlen(v[i].padded), dec, sizeof(dec)),
		                 (long)n);
		assert_memory_equal(dec, v[i].plain, n);
		assert_int_equal(base32_decode(v[i].bare, strlen(v[i].bare), dec, sizeof(dec)),
		                 (long)n);
		char lower[64];
		for (size_t k = 0; k <= strlen(v[i].bare); k++)
			lower[k] = (char)(v[i].bare[k] >= 'A' && v[i].bare[k] <= 'Z'
			                      ? v[i].bare[k] - 'A' + 'a'
			                      : v[i].bare[k]);
		assert_int_equal(base32_decode(lower, strlen(lower), dec, sizeof(dec)), (long)n);
		assert_memory_equal(dec, v[i].plain, n);
	}
	/* grouped as people type it */
	assert_int_equal(base32_decode("MZXW 6YTB-OI", 12, dec, sizeof(dec)), 6);
	assert_memory_equal(dec, "foobar", 6);
	/* refusals: bad characters, impossible lengths, stray trailing bits,
	 * overflow */
	assert_int_equal(base32_decode("MZ1W", 4, dec, sizeof(dec)), -1);
	assert_int_equal(base32_decode("MZXW8", 5, dec, sizeof(dec)), -1);
	assert_int_equal(base32_decode("M", 1, dec, sizeof(dec)), -1);
	assert_int_equal(base32_decode("MZX", 3, dec, sizeof(dec)), -1);
	assert_int_equal(base32_decode("MZXW6Y", 6, dec, sizeof(dec)), -1);
	assert_int_equal(base32_decode("MY", 2, dec, sizeof(dec)), 1);
	assert_int_equal(base32_decode("MY======", 8, dec, sizeof(dec)), 1);
	assert_int_equal(base32_decode("MZ", 2, dec, sizeof(dec)), -1); /* non-zero tail bits */
	assert_int_equal(base32_decode("MZXW6YTB", 8, dec, 4), -1);
	assert_int_equal(base32_decode("MZ=X", 4, dec, sizeof(dec)), -1);
	/* a 160-bit secret is 32 characters and round-trips */
	unsigned char raw[TOTP_SECRET_LEN];
	for (int i = 0; i < TOTP_SECRET_LEN; i++)
		raw[i] = (unsigned char)(i * 37 + 11);
	assert_int_equal(base32_encode(raw, sizeof(raw), enc), TOTP_SECRET_B32);
	assert_int_equal(base32_decode(enc, strlen(enc), dec, sizeof(dec)), TOTP_SECRET_LEN);
	assert_memory_equal(dec, raw, sizeof(raw));
}

static void otpauth_url(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(totp_otpauth_url(&b, "Revenge", "alice", "JBSWY3DPEHPK3PXP"), 0);
	assert_string_equal(b.data, "otpauth://totp/Revenge:alice?secret=JBSWY3DPEHPK3PXP"
	                            "&issuer=Revenge&algorithm=SHA1&digits=6&period=30");
	buf_reset(&b);
	/* spaces, ':', '&', '/', '?', '%', '#', '+' and UTF-8 are encoded;
	 * unreserved characters stay */
	assert_int_equal(
	    totp_otpauth_url(&b, "My Home: Media&Co", "a.b_c-d~e/f?g%h#i+j@k\xc3\xa9", "AB"), 0);
	assert_string_equal(b.data, "otpauth://totp/My%20Home%3A%20Media%26Co:"
	                            "a.b_c-d~e%2Ff%3Fg%25h%23i%2Bj%40k%C3%A9?secret=AB"
	                            "&issuer=My%20Home%3A%20Media%26Co&algorithm=SHA1&digits=6"
	                            "&period=30");
	buf_release(&b);
	/* a cap that is reached fails */
	buf_init(&b, 16);
	assert_int_equal(totp_otpauth_url(&b, "Revenge", "alice", "JBSWY3DPEHPK3PXP"), -1);
	buf_release(&b);
}

/* Read the SVG back: its viewBox, and the set of unit squares its one
 * path draws ("M x yh1v1h-1z" each). */
static int read_svg(const char *svg, int *size, unsigned char *grid, int cap)
{
	const char *p = strstr(svg, "viewBox=\"0 0 ");
	int w, h, n = 0;

	if (!p || sscanf(p, "viewBox=\"0 0 %d %d\"", &w, &h) != 2 || w != h || w > cap)
		return -1;
	*size = w;
	if (!strstr(svg, "<path") || strstr(strstr(svg, "<path") + 1, "<path"))
		return -1; /* one path, not none or several */
	p = strstr(svg, " d=\"");
	if (!p)
		return -1;
	p += 4;
	while (*p == 'M') {
		int x, y, used;
		if (sscanf(p, "M%d %dh1v1h-1z%n", &x, &y, &used) != 2 || x < 0 || y < 0 || x >= w ||
		    y >= w || grid[y * w + x])
			return -1;
		grid[y * w + x] = 1;
		n++;
		p += used;
	}
	return *p == '"' ? n : -1;
}

static void qr_svg_square(void **state)
{
	const char *url = "otpauth://totp/Revenge:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	                  "&issuer=Revenge&algorithm=SHA1&digits=6&period=30";
	static unsigned char grid[200 * 200];
	struct buf b;
	int modules = 0, size = 0, dark;

	(void)state;
	buf_init(&b, 512 * 1024);
	assert_int_equal(qr_svg(&b, url, &modules), 0);
	assert_non_null(strstr(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_int_equal(strncmp(b.data + b.len - 6, "</svg>", 6), 0);
	/* a QR symbol is 17 + 4 * version modules wide */
	assert_true(modules >= 21 && (modules - 17) % 4 == 0);
	dark = read_svg(b.data, &size, grid, 200);
	assert_true(dark > 0);
	assert_int_equal(size, modules + 8);
	/* exactly libqrencode's dark modules, shifted by the quiet zone of 4 */
	QRcode *qr = QRcode_encodeString8bit(url, 0, QR_ECLEVEL_M);
	assert_non_null(qr);
	assert_int_equal(qr->width, modules);
	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++) {
			bool in = x >= 4 && y >= 4 && x < modules + 4 && y < modules + 4;
			int want = in ? qr->data[(y - 4) * modules + (x - 4)] & 1 : 0;
			assert_int_equal(grid[y * size + x], want);
		}
	QRcode_free(qr);
	/* the finder pattern's outer ring, top left: dark */
	for (int i = 0; i < 7; i++) {
		assert_int_equal(grid[4 * size + 4 + i], 1);
		assert_int_equal(grid[(4 + i) * size + 4], 1);
	}
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hotp_rfc4226),   cmocka_unit_test(totp_rfc6238),
	    cmocka_unit_test(base32_rfc4648), cmocka_unit_test(otpauth_url),
	    cmocka_unit_test(qr_svg_square),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
