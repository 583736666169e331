/*
 * libFuzzer target for multipart_single() (app/http/multipart.c): an
 * avatar upload's multipart/form-data body, from anyone with an account.
 * The first line of the input is the Content-Type, the rest the body.
 *
 * fuzz-sources: app/http/multipart.c app/http/headers.c app/core
 * fuzz-libs: -lcjson -lutf8proc -lcrypto -lm
 *
 * Oracles beyond "no crash, no sanitizer report" (the body is copied to an
 * exact-size allocation, so ASan catches a read past it):
 *   - an accepted part lies inside the body and ends right before a CRLF
 *     "--" boundary "--" closing delimiter;
 *   - its name is 1 to 64 bytes without control characters, its type at
 *     most 128;
 *   - a refusal has a reason and a zeroed part;
 *   - the answer is the same twice.
 *
 * fuzz-seed: multipart/form-data; boundary=q\n--q\r\nContent-Disposition: form-data; name="avatar";
 * filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\r\n--q--\r\n fuzz-seed:
 * multipart/form-data; boundary="a b"\n--a b\r\ncontent-disposition: form-data;
 * name=x\r\n\r\nDATA\r\n--a b\r\nContent-Disposition: form-data; name=y\r\n\r\nZ\r\n--a b--
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct multipart_part a, b;
	const char *wa = NULL, *wb = NULL;

	if (!nl)
		return 0;
	size_t ctl = (size_t)(nl - data), n = size - ctl - 1;
	char *ct = malloc(ctl + 1), *body = malloc(n ? n : 1);
	if (!ct || !body)
		goto out;
	memcpy(ct, data, ctl);
	ct[ctl] = '\0';
	if (n)
		memcpy(body, nl + 1, n);
	int ra = multipart_single(ct, body, n, &a, &wa);
	int rb = multipart_single(ct, body, n, &b, &wb);
	if (ra != rb || wa != wb || memcmp(&a, &b, sizeof(a)))
		abort();
	if (ra == 0) {
		size_t nl_ = strlen(a.name);
		if (wa || !a.data || a.data < body || a.data + a.len > body + n)
			abort();
		if (nl_ == 0 || nl_ > MULTIPART_NAME_MAX || strlen(a.type) > MULTIPART_TYPE_MAX)
			abort();
		for (size_t i = 0; i < nl_; i++)
			if ((unsigned char)a.name[i] < 0x20 || a.name[i] == 0x7f)
				abort();
		const char *after = a.data + a.len;
		size_t left = (size_t)(body + n - after);
		if (left < 6 || memcmp(after, "\r\n--", 4))
			abort();
	} else if (!wa || a.data || a.len || a.name[0] || a.type[0]) {
		abort();
	}
out:
	free(ct);
	free(body);
	return 0;
}
