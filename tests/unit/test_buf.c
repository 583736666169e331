#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"

static void test_empty_is_terminated(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 16);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	assert_true(buf_ok(&b));
	buf_release(&b);
	assert_non_null(b.data);
	assert_int_equal(b.max, 16);
}

static void test_cap_refuses_and_keeps_content(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "abcde"), 0);
	assert_int_equal(buf_puts(&b, "fghi"), -1); /* 9 > 8 */
	assert_string_equal(b.data, "abcde");
	assert_int_equal(b.len, 5);
	assert_false(buf_ok(&b));
	/* a later append that fits still works, but failed stays set */
	assert_int_equal(buf_puts(&b, "fgh"), 0);
	assert_string_equal(b.data, "abcdefgh");
	assert_false(buf_ok(&b));
	assert_int_equal(buf_putc(&b, 'x'), -1);
	assert_int_equal(b.len, 8);
	buf_reset(&b);
	assert_true(buf_ok(&b));
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_release(&b);
}

static void test_exact_max(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 3);
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	assert_true(buf_ok(&b));
	assert_int_equal(b.data[3], '\0');
	buf_release(&b);

	buf_init(&b, 0);
	assert_int_equal(buf_putc(&b, 'a'), -1);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_string_equal(b.data, "");
	buf_release(&b);
}

static void test_binary_safe(void **state)
{
	static const char bin[] = {'a', '\0', 'b', '\0', '\0', 'c'};
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_append(&b, bin, sizeof(bin)), 0);
	assert_int_equal(buf_append(&b, bin, sizeof(bin)), 0);
	assert_int_equal(b.len, 12);
	assert_memory_equal(b.data, bin, sizeof(bin));
	assert_memory_equal(b.data + 6, bin, sizeof(bin));
	assert_int_equal(b.data[12], '\0');
	buf_release(&b);
}

static void test_growth_keeps_terminator(void **state)
{
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 100000);
	for (i = 0; i < 10000; i++) {
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
		assert_int_equal(b.data[b.len], '\0');
	}
	assert_int_equal(b.len, 10000);
	assert_int_equal(strlen(b.data), 10000);
	assert_true(b.cap <= b.max);
	buf_release(&b);
}

static void test_printf_growth(void **state)
{
	struct buf b;
	char big[3000];

	(void)state;
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 10000);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(b.data, "42-x");
	/* forces the second pass after growing */
	assert_int_equal(buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 4 + 2 + strlen(big));
	assert_int_equal(b.data[4], '[');
	assert_int_equal(b.data[b.len - 1], ']');
	assert_int_equal(b.data[b.len], '\0');
	assert_true(buf_ok(&b));
	buf_release(&b);
}

static void test_printf_refused_past_max(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "ab"), 0);
	/* the first attempt writes into spare room; the terminator must be restored */
	assert_int_equal(buf_printf(&b, "%s", "0123456789"), -1);
	assert_string_equal(b.data, "ab");
	assert_int_equal(b.len, 2);
	assert_false(buf_ok(&b));
	buf_release(&b);
}

static void test_truncate(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 64);
	buf_truncate(&b, 0); /* empty, never allocated */
	buf_puts(&b, "hello world");
	buf_truncate(&b, 100);
	assert_string_equal(b.data, "hello world");
	buf_truncate(&b, 5);
	assert_string_equal(b.data, "hello");
	assert_int_equal(b.len, 5);
	buf_release(&b);
}

static void test_detach(void **state)
{
	struct buf b;
	size_t n = 99;
	char *s;

	(void)state;
	buf_init(&b, 64);
	s = buf_detach(&b, &n);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(n, 0);
	free(s);

	buf_puts(&b, "owned");
	s = buf_detach(&b, &n);
	assert_string_equal(s, "owned");
	assert_int_equal(n, 5);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_true(b.data != s);
	/* the buffer is reusable and independent of the detached string */
	buf_puts(&b, "new");
	assert_string_equal(s, "owned");
	free(s);
	buf_release(&b);

	/* failed survives detach so the caller can check once at the end */
	buf_init(&b, 2);
	buf_puts(&b, "abc");
	s = buf_detach(&b, NULL);
	assert_false(buf_ok(&b));
	free(s);
	buf_release(&b);
}

static void test_json_str(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 256);
	assert_int_equal(buf_json_str(&b, "a\"b\\c\n\t\r\b\f\x01\x1f\x7f", 13), 0);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\"");
	buf_reset(&b);
	assert_int_equal(buf_json_str(&b, "x\0y", 3), 0);
	assert_string_equal(b.data, "\"x\\u0000y\"");
	buf_reset(&b);
	assert_int_equal(buf_json_str(&b, "\xc3\xa9t\xc3\xa9", 5), 0);
	assert_string_equal(b.data, "\"\xc3\xa9t\xc3\xa9\"");
	buf_reset(&b);
	assert_int_equal(buf_json_str(&b, "", 0), 0);
	assert_string_equal(b.data, "\"\"");
	buf_release(&b);
}

static void test_json_str_all_or_nothing(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 12);
	buf_puts(&b, "[");
	/* "\u0001..." needs more than the 11 bytes left */
	assert_int_equal(buf_json_str(&b, "ab\x01\x02", 4), -1);
	assert_string_equal(b.data, "[");
	assert_false(buf_ok(&b));
	buf_release(&b);
}

static void test_utf8_seq_len(void **state)
{
	(void)state;
	assert_int_equal(buf_utf8_seq_len("a", 1), 1);
	assert_int_equal(buf_utf8_seq_len("\xc3\xa9", 2), 2);
	assert_int_equal(buf_utf8_seq_len("\xe2\x82\xac", 3), 3);
	assert_int_equal(buf_utf8_seq_len("\xf0\x9f\x98\x80", 4), 4);
	assert_int_equal(buf_utf8_seq_len("\xc3\xa9", 1), 0);         /* cut short */
	assert_int_equal(buf_utf8_seq_len("\x80", 1), 0);             /* stray continuation */
	assert_int_equal(buf_utf8_seq_len("\xc0\xaf", 2), 0);         /* overlong '/' */
	assert_int_equal(buf_utf8_seq_len("\xe0\x80\xaf", 3), 0);     /* overlong */
	assert_int_equal(buf_utf8_seq_len("\xed\xa0\x80", 3), 0);     /* surrogate */
	assert_int_equal(buf_utf8_seq_len("\xf4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	assert_int_equal(buf_utf8_seq_len("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_is_terminated),
	    cmocka_unit_test(test_cap_refuses_and_keeps_content),
	    cmocka_unit_test(test_exact_max),
	    cmocka_unit_test(test_binary_safe),
	    cmocka_unit_test(test_growth_keeps_terminator),
	    cmocka_unit_test(test_printf_growth),
	    cmocka_unit_test(test_printf_refused_past_max),
	    cmocka_unit_test(test_truncate),
	    cmocka_unit_test(test_detach),
	    cmocka_unit_test(test_json_str),
	    cmocka_unit_test(test_json_str_all_or_nothing),
	    cmocka_unit_test(test_utf8_seq_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
