/* image: formats recognised by their bytes, dimensions from the headers,
 * and refusals of everything else (including truncated headers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/image.h"

/* A baseline JPEG's start: SOI, an APP0 (JFIF) segment, then SOF0 with
 * precision 8, height 0x0180 (384) and width 0x0100 (256). */
static const unsigned char jpeg_head[] = {
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x80, 0x01, 0x00, 0x03, 0x01,
    0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01};

/* The PNG signature and an IHDR of 300 x 450. */
static const unsigned char png_head[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0, 0, 0x01, 0x2C, 0, 0, 0x01, 0xC2, 8, 2, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};

/* RIFF/WEBP with a lossy VP8 key frame of 640 x 360. */
static const unsigned char webp_vp8[] = {
    'R', 'I', 'F', 'F', 0x24, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' ', 0x18, 0, 0, 0,
    0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68, 0x01, 0, 0};

/* VP8L: signature 0x2f, then 14 bits width-1 (99) and 14 bits height-1 (49). */
static const unsigned char webp_vp8l[] = {
    'R', 'I', 'F', 'F', 0x1A, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 0x0D, 0, 0, 0,
    0x2F, 0x63, 0x40, 0x0C, 0x00, 0, 0, 0, 0, 0};

/* VP8X: flags and reserved bytes, then canvas width-1 (1919) and height-1
 * (1079) in 24 bits each. */
static const unsigned char webp_vp8x[] = {
    'R', 'I', 'F', 'F', 0x1E, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X', 0x0A, 0, 0, 0,
    0x10, 0, 0, 0, 0x7F, 0x07, 0x00, 0x37, 0x04, 0x00};

static void formats_and_sizes(void **state)
{
	struct image_info i;
	(void)state;

	assert_int_equal(image_sniff(jpeg_head, sizeof(jpeg_head), &i), 0);
	assert_string_equal(i.ext, "jpg");
	assert_string_equal(i.mime, "image/jpeg");
	assert_int_equal(i.width, 256);
	assert_int_equal(i.height, 384);
	assert_int_equal(image_sniff(png_head, sizeof(png_head), &i), 0);
	assert_string_equal(i.ext, "png");
	assert_int_equal(i.width, 300);
	assert_int_equal(i.height, 450);
	assert_int_equal(image_sniff(webp_vp8, sizeof(webp_vp8), &i), 0);
	assert_string_equal(i.ext, "webp");
	assert_int_equal(i.width, 640);
	assert_int_equal(i.height, 360);
	assert_int_equal(image_sniff(webp_vp8l, sizeof(webp_vp8l), &i), 0);
	assert_int_equal(i.width, 100);
	assert_int_equal(i.height, 50);
	assert_int_equal(image_sniff(webp_vp8x, sizeof(webp_vp8x), &i), 0);
	assert_int_equal(i.width, 1920);
	assert_int_equal(i.height, 1080);
}

/* Every prefix of a valid header that stops before the dimensions is
 * refused, and nothing is read past the end (ASan runs this too). */
static void truncated_headers(void **state)
{
	struct image_info i;
	(void)state;

	for (size_t n = 0; n < 29; n++)
		assert_int_equal(image_sniff(jpeg_head, n, &i), -1);
	for (size_t n = 0; n < 24; n++)
		assert_int_equal(image_sniff(png_head, n, &i), -1);
	for (size_t n = 0; n < 30; n++)
		assert_int_equal(image_sniff(webp_vp8, n, &i), -1);
	assert_null(i.ext);
	assert_int_equal(i.width, 0);
}

static void refusals(void **state)
{
	static const char html[] = "<html><body>404 Not Found</body></html>";
	static const char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00";
	unsigned char bad[sizeof(png_head)], zero[sizeof(jpeg_head)];
	struct image_info i;
	(void)state;

	assert_int_equal(image_sniff(NULL, 10, &i), -1);
	assert_int_equal(image_sniff(html, sizeof(html) - 1, &i), -1);
	assert_int_equal(image_sniff(gif, sizeof(gif) - 1, &i), -1);
	/* only the magic: no frame header before the scan data */
	assert_int_equal(image_sniff("\xFF\xD8\xFF\xDA\x00\x08\x01\x01\x00\x00\x3f\x00", 12, &i), -1);
	/* the magic followed by text (what a renamed file often is) */
	assert_int_equal(image_sniff("\xFF\xD8\xFF\xE0 not really a jpeg at all", 31, &i), -1);
	/* PNG with a zero width, or a chunk other than IHDR first */
	memcpy(bad, png_head, sizeof(bad));
	memset(bad + 16, 0, 4);
	assert_int_equal(image_sniff(bad, sizeof(bad), &i), -1);
	memcpy(bad, png_head, sizeof(bad));
	memcpy(bad + 12, "IDAT", 4);
	assert_int_equal(image_sniff(bad, sizeof(bad), &i), -1);
	/* JPEG whose frame says 0 x 0 */
	memcpy(zero, jpeg_head, sizeof(zero));
	memset(zero + 25, 0, 4);
	assert_int_equal(image_sniff(zero, sizeof(zero), &i), -1);
	/* a RIFF that is not WebP (WAVE) */
	unsigned char wav[sizeof(webp_vp8)];
	memcpy(wav, webp_vp8, sizeof(wav));
	memcpy(wav + 8, "WAVE", 4);
	assert_int_equal(image_sniff(wav, sizeof(wav), &i), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(formats_and_sizes),
	    cmocka_unit_test(truncated_headers),
	    cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
