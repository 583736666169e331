/*
 * libFuzzer target for s3_error_code() (app/storage/s3_error.c): the error
 * document an S3-compatible server (or anything at the configured
 * endpoint) answers, read for its <Code>.
 *
 * fuzz-sources: app/storage/s3_error.c
 *
 * Oracles beyond "no crash, no sanitizer report" (the input is copied to
 * an exact-size allocation, so ASan catches a read past it):
 *   - the result is its length, shorter than the buffer, NUL-terminated;
 *   - a non-empty result is only letters, digits and . _ - and appears in
 *     the input right after "<Code>" and before "</Code>";
 *   - a one-byte buffer always gives "";
 *   - the answer is the same twice.
 *
 * fuzz-seed: <?xml version="1.0"
 * encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>x</Message></Error> fuzz-seed:
 * <Error><Code>SignatureDoesNotMatch</Code></Error> fuzz-seed: <Code></Code><Code>A</Code>
 * fuzz-seed: <Code>SlowDown
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char a[64], b[64], one[1];
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	size_t na = s3_error_code(copy, size, a, sizeof(a));
	size_t nb = s3_error_code(copy, size, b, sizeof(b));
	if (na != nb || strcmp(a, b) || na != strlen(a) || na >= sizeof(a))
		abort();
	if (s3_error_code(copy, size, one, sizeof(one)) != 0 || one[0])
		abort();
	if (na) {
		for (size_t i = 0; i < na; i++)
			if (!strchr(
			        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			        a[i]))
				abort();
		char *at = memmem(copy, size, "<Code>", 6);
		if (!at || (size_t)(at - copy) + 6 + na + 7 > size || memcmp(at + 6, a, na) ||
		    memcmp(at + 6 + na, "</Code>", 7))
			abort();
	}
	free(copy);
	return 0;
}
