#include "core/text.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t need;
		uint32_t cp, lowest;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			need = 1, cp = c & 0x1F, lowest = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			need = 2, cp = c & 0x0F, lowest = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			need = 3, cp = c & 0x07, lowest = 0x10000;
		} else {
			return false;
		}
		if (n - i <= need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < lowest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need + 1;
	}
	return true;
}

bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			return true;
	}
	return false;
}

int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char *p = s;
	int neg = 0;
	uint64_t v = 0, limit;

	if (*p == '+' || *p == '-')
		neg = (*p++ == '-');
	if (*p < '0' || *p > '9')
		return -1;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*p)
		return -1;
	int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
	if (r < min || r > max)
		return -1;
	*out = r;
	return 0;
}

bool path_segments_plain(const char *s)
{
	for (const char *seg = s;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);
		if (!n || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (!end)
			return true;
		seg = end + 1;
	}
}

bool ascii_ieq(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

static int64_t clock_us(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t now_mono_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

int64_t now_real_us(void)
{
	return clock_us(CLOCK_REALTIME);
}
