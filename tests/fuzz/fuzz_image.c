/*
 * libFuzzer target for the picture sniffer of app/core/image.c:
 * image_sniff() on bytes from outside (a poster.jpg next to the media, a
 * provider's answer).
 *
 * fuzz-sources: app/core/image.c
 * fuzz-libs: -lm
 *
 * Oracles beyond "no crash, no sanitizer report" (ASan catches any read
 * past the input, which is copied to an exact-size allocation):
 *   - an accepted input names one of the three formats, with the matching
 *     MIME type and both dimensions >= 1;
 *   - its magic bytes are those of that format;
 *   - a refused input leaves the result zeroed;
 *   - the answer is the same twice.
 *
 * fuzz-seed: \xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xC0\x00\x11\x08\x01\x80\x01\x00\x03
 * fuzz-seed: \x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR\x00\x00\x01\x2C\x00\x00\x01\xC2\x08\x02\x00\x00\x00
 * fuzz-seed: RIFF\x24\x00\x00\x00WEBPVP8X\x0A\x00\x00\x00\x10\x00\x00\x00\x7F\x07\x00\x37\x04\x00
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_info a, b;
	unsigned char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	int ra = image_sniff(copy, size, &a), rb = image_sniff(copy, size, &b);
	if (ra != rb || memcmp(&a, &b, sizeof(a)))
		abort();
	if (ra == 0) {
		if (!a.width || !a.height || !a.ext || !a.mime)
			abort();
		if (!strcmp(a.ext, "jpg") && (strcmp(a.mime, "image/jpeg") || copy[0] != 0xFF ||
					      copy[1] != 0xD8))
			abort();
		if (!strcmp(a.ext, "png") && (strcmp(a.mime, "image/png") || memcmp(copy, "\x89PNG", 4)))
			abort();
		if (!strcmp(a.ext, "webp") &&
		    (strcmp(a.mime, "image/webp") || memcmp(copy, "RIFF", 4) || memcmp(copy + 8, "WEBP", 4)))
			abort();
	} else if (a.ext || a.mime || a.width || a.height) {
		abort();
	}
	free(copy);
	return 0;
}
