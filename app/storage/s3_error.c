/*
 * s3_error: the code of an S3 error document (s3.h), apart from the
 * client so the fuzz target (tests/fuzz/fuzz_s3_error.c) needs nothing
 * else.
 */
#include <string.h>

#include "storage/s3.h"

static bool code_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

size_t s3_error_code(const char *p, size_t n, char *out, size_t cap)
{
	static const char open_tag[] = "<Code>", close_tag[] = "</Code>";
	const char *s = p ? memmem(p, n, open_tag, sizeof(open_tag) - 1) : NULL;
	const char *e;
	size_t len;

	out[0] = '\0';
	if (!s)
		return 0;
	s += sizeof(open_tag) - 1;
	e = memmem(s, n - (size_t)(s - p), close_tag, sizeof(close_tag) - 1);
	if (!e || e == s || (len = (size_t)(e - s)) >= cap)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!code_char(s[i]))
			return 0;
	memcpy(out, s, len);
	out[len] = '\0';
	return len;
}
