#include "core/image.h"

#include <stdint.h>
#include <string.h>

static unsigned be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[1] << 8 | p[0];
}

static uint32_t le24(const unsigned char *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static int png(const unsigned char *p, size_t n, struct image_info *o)
{
	/* signature, then the IHDR chunk: length 13, width, height (31 bits) */
	if (n < 33 || memcmp(p, "\x89PNG\r\n\x1a\n", 8) || be32(p + 8) != 13 ||
	    memcmp(p + 12, "IHDR", 4))
		return -1;
	uint32_t w = be32(p + 16), h = be32(p + 20);
	if (!w || !h || w > 0x7fffffffu || h > 0x7fffffffu)
		return -1;
	*o = (struct image_info){"png", "image/png", (unsigned)w, (unsigned)h};
	return 0;
}

/* Walk the markers up to a start-of-frame: SOF0..SOF15 but DHT (C4), JPG
 * (C8) and DAC (CC) carry precision, height and width. Scan data (SOS)
 * before any frame header, or the end of the bytes, is a refusal. */
static int jpeg(const unsigned char *p, size_t n, struct image_info *o)
{
	size_t i = 2;

	if (n < 4 || p[0] != 0xFF || p[1] != 0xD8)
		return -1;
	while (i + 4 <= n) {
		if (p[i] != 0xFF)
			return -1;
		unsigned char m = p[i + 1];
		if (m == 0xFF) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* no length */
			i += 2;
			continue;
		}
		if (m == 0xD8 || m == 0xD9 || m == 0xDA)
			return -1;
		unsigned len = be16(p + i + 2);
		if (len < 2)
			return -1;
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (len < 8 || i + 9 > n)
				return -1;
			unsigned h = be16(p + i + 5), w = be16(p + i + 7);
			if (!w || !h)
				return -1;
			*o = (struct image_info){"jpg", "image/jpeg", w, h};
			return 0;
		}
		i += 2 + (size_t)len;
	}
	return -1;
}

static int webp(const unsigned char *p, size_t n, struct image_info *o)
{
	unsigned w = 0, h = 0;

	if (n < 30 || memcmp(p, "RIFF", 4) || memcmp(p + 8, "WEBP", 4))
		return -1;
	if (!memcmp(p + 12, "VP8 ", 4)) {
		/* a key frame: 3 bytes of frame tag, the start code, 14-bit sizes */
		if ((p[20] & 1) || memcmp(p + 23, "\x9d\x01\x2a", 3))
			return -1;
		w = le16(p + 26) & 0x3fff;
		h = le16(p + 28) & 0x3fff;
	} else if (!memcmp(p + 12, "VP8L", 4)) {
		if (p[20] != 0x2f)
			return -1;
		uint32_t bits = (uint32_t)p[21] | (uint32_t)p[22] << 8 | (uint32_t)p[23] << 16 |
				(uint32_t)p[24] << 24;
		w = (bits & 0x3fff) + 1;
		h = ((bits >> 14) & 0x3fff) + 1;
	} else if (!memcmp(p + 12, "VP8X", 4)) {
		w = le24(p + 24) + 1;
		h = le24(p + 27) + 1;
	} else {
		return -1;
	}
	if (!w || !h)
		return -1;
	*o = (struct image_info){"webp", "image/webp", w, h};
	return 0;
}

int image_sniff(const void *data, size_t n, struct image_info *out)
{
	const unsigned char *p = data;

	memset(out, 0, sizeof(*out));
	if (!p)
		return -1;
	if (!png(p, n, out) || !jpeg(p, n, out) || !webp(p, n, out))
		return 0;
	memset(out, 0, sizeof(*out));
	return -1;
}
