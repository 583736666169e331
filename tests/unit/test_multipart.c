/* multipart: the one part of a multipart/form-data upload, and the bodies
 * it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/multipart.h"

#define CT "multipart/form-data; boundary=----WebKitFormBoundaryAbC123"
#define B "------WebKitFormBoundaryAbC123"

static int parse(const char *ct, const char *body, size_t n, struct multipart_part *p,
                 const char **why)
{
	return multipart_single(ct, body, n, p, why);
}

/* What a browser's FormData and curl -F send. */
static void test_one_part(void **state)
{
	static const char body[] = B "\r\n"
	                             "Content-Disposition: form-data; name=\"avatar\"; "
	                             "filename=\"me.png\"\r\n"
	                             "Content-Type: image/png\r\n"
	                             "\r\n"
	                             "\x89PNG\r\n\x1a\n\0\0bytes\r\n--not-the-boundary\r\n"
	                             "\r\n" B "--\r\n";
	struct multipart_part p;
	const char *why = "x";

	(void)state;
	assert_int_equal(parse(CT, body, sizeof(body) - 1, &p, &why), 0);
	assert_null(why);
	assert_string_equal(p.name, "avatar");
	assert_string_equal(p.type, "image/png");
	assert_ptr_equal(p.data, strstr(body, "\x89PNG"));
	/* the content keeps its CRLFs and NULs, up to the delimiter's CRLF */
	assert_int_equal(p.len, 8 + 2 + 5 + 2 + 18 + 2);
	assert_memory_equal(p.data + p.len - 20, "--not-the-boundary\r\n", 20);

	/* a quoted boundary, header names in any case, no type, an epilogue */
	static const char b2[] = "--xyz\r\ncontent-disposition: form-data; name=a\r\n"
	                         "X-Other: 1\r\n\r\nDATA\r\n--xyz--epilogue";
	assert_int_equal(parse("Multipart/Form-Data ; charset=utf-8; boundary=\"xyz\"", b2,
	                       sizeof(b2) - 1, &p, &why),
	                 0);
	assert_string_equal(p.name, "a");
	assert_string_equal(p.type, "");
	assert_int_equal(p.len, 4);
	assert_memory_equal(p.data, "DATA", 4);

	/* an empty file is an empty part (the caller refuses it) */
	static const char b3[] =
	    "--q\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\r\n--q--";
	assert_int_equal(parse("multipart/form-data;boundary=q", b3, sizeof(b3) - 1, &p, &why), 0);
	assert_int_equal(p.len, 0);
}

static void refused(const char *ct, const char *body, const char *want)
{
	struct multipart_part p;
	const char *why = NULL;

	memset(&p, 0x55, sizeof(p));
	if (multipart_single(ct, body, body ? strlen(body) : 0, &p, &why) != -1)
		fail_msg("accepted: %s", body ? body : "(null)");
	assert_non_null(why);
	if (!strstr(why, want))
		fail_msg("\"%s\" for %s, want \"%s\"", why, body ? body : "(null)", want);
	assert_null(p.data);
	assert_int_equal(p.len, 0);
	assert_string_equal(p.name, "");
}

static void test_refused(void **state)
{
	const char *ok_head = "--q\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n";
	char two[256], big[MULTIPART_HEADERS_MAX + 200];

	(void)state;
	refused("image/png", "x", "not multipart");
	refused(NULL, "x", "not multipart");
	refused("multipart/form-data", "--q\r\n", "boundary");
	refused("multipart/form-data; boundary=", "--\r\n", "boundary");
	refused("multipart/form-data; boundary=\"q", "--q\r\n", "boundary");
	refused("multipart/form-data; boundary=\"a\\b\"", "--a\\b\r\n", "boundary");
	refused("multipart/form-data; boundary=01234567890123456789012345678901234567890123456789"
	        "012345678901234567890",
	        "--x", "boundary");
	refused("multipart/form-data; boundary=q", NULL, "start");
	refused("multipart/form-data; boundary=q", "", "start");
	refused("multipart/form-data; boundary=q", "preamble\r\n--q\r\n", "start");
	refused("multipart/form-data; boundary=q", "--q--", "no part");
	refused("multipart/form-data; boundary=q", "--q", "no part");
	refused("multipart/form-data; boundary=q", "--q\r\nContent-Disposition: form-data",
	        "do not end");
	refused("multipart/form-data; boundary=q",
	        "--q\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--q--",
	        "not form-data");
	refused("multipart/form-data; boundary=q",
	        "--q\r\nContent-Disposition: form-datax; name=\"f\"\r\n\r\nx\r\n--q--",
	        "not form-data");
	refused("multipart/form-data; boundary=q",
	        "--q\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nx\r\n--q--",
	        "without a name");
	refused("multipart/form-data; boundary=q",
	        "--q\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--q--",
	        "without a name");
	refused("multipart/form-data; boundary=q",
	        "--q\r\nContent-Type: image/png\r\n\r\nx\r\n--q--", "without Content-Disposition");
	refused("multipart/form-data; boundary=q", "--q\r\nno colon here\r\n\r\nx\r\n--q--",
	        "colon");
	snprintf(two, sizeof(two), "%sx\r\n--q\r\n%sy\r\n--q--", ok_head, ok_head + 5);
	refused("multipart/form-data; boundary=q", two, "more than one part");
	snprintf(two, sizeof(two), "%sx\r\n--q", ok_head);
	refused("multipart/form-data; boundary=q", two, "more than one part");
	snprintf(two, sizeof(two), "%sx never ends", ok_head);
	refused("multipart/form-data; boundary=q", two, "does not end");
	/* headers past 8 KiB */
	memset(big, 'a', sizeof(big));
	memcpy(big, "--q\r\nX-Long: ", 13);
	memcpy(big + sizeof(big) - 12, "\r\n\r\nx\r\n--q--", 12);
	big[sizeof(big) - 1] = '\0';
	refused("multipart/form-data; boundary=q", big, "do not end");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_part),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
