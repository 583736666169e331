/*
 * docs/configuration.md and deploy/revenge.conf.example against the key
 * table (config_keys()), both ways.
 *
 * configuration.md: every key has exactly one table row, under the
 * "### `[section]`" heading of its section, whose first cell is the key in
 * backticks and whose other cells give the environment variable, type,
 * default, bounds (or choices), secrecy and meaning (which starts with the
 * table's one-sentence doc). A `section.key` in backticks that names no key
 * fails: anywhere in a table's first cell, and anywhere else in the text
 * when its section is a real one. Fenced code blocks are not scanned.
 *
 * revenge.conf.example: every key appears as "key =" or "# key =" under
 * its [section]; a commented key shows the default; a key line naming no
 * key fails.
 *
 * Every problem is listed (naming the key and the line) before a test
 * fails, so one run shows the whole drift.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/config.h"

#define DOC_PATH "docs/configuration.md"
#define EXAMPLE_PATH "deploy/revenge.conf.example"
#define MAX_CELLS 12
#define NCOLS 7

static int problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void problem(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("config doc: %s\n", msg);
	problems++;
}

static void finish(void)
{
	int n = problems;

	problems = 0;
	if (n)
		fail_msg("%d problem(s), listed above", n);
}

/* --- files ---------------------------------------------------------------- */

/* A whole text file split into lines in place. */
struct text {
	char *data;
	char **lines;
	int n;
};

static int text_load(struct text *t, const char *rel)
{
	const char *root = getenv("TEST_ROOT");
	char alt[1024];
	FILE *f = fopen(rel, "r");
	long size;
	int cap = 64;

	memset(t, 0, sizeof(*t));
	if (!f && root) {
		snprintf(alt, sizeof(alt), "%s/%s", root, rel);
		f = fopen(alt, "r");
	}
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(t->data = malloc((size_t)size + 1)) ||
	    fread(t->data, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(t->data);
		t->data = NULL;
		return -1;
	}
	fclose(f);
	t->data[size] = '\0';
	t->lines = malloc((size_t)cap * sizeof(*t->lines));
	for (char *p = t->data; t->lines && *p;) {
		char *nl = strchr(p, '\n');

		if (t->n == cap) {
			char **more = realloc(t->lines, (size_t)cap * 2 * sizeof(*more));
			if (!more)
				break;
			t->lines = more;
			cap *= 2;
		}
		t->lines[t->n++] = p;
		if (!nl)
			break;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		p = nl + 1;
	}
	return t->lines ? 0 : -1;
}

static void text_release(struct text *t)
{
	free(t->lines);
	free(t->data);
	memset(t, 0, sizeof(*t));
}

static void must_load(struct text *t, const char *rel)
{
	if (text_load(t, rel) < 0)
		fail_msg("cannot read %s (tests run from the repository root)", rel);
}

/* --- the key table side ----------------------------------------------------- */

static const struct config_key *table(size_t *n)
{
	const struct config_key *k = config_keys(n);

	assert_non_null(k);
	assert_true(*n > 0);
	return k;
}

static const struct config_key *find_key(const char *section, const char *name)
{
	size_t n;
	const struct config_key *k = table(&n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(k[i].section, section) && !strcmp(k[i].name, name))
			return &k[i];
	return NULL;
}

static int known_section(const char *s, size_t len)
{
	size_t n;
	const struct config_key *k = table(&n);

	for (size_t i = 0; i < n; i++)
		if (strlen(k[i].section) == len && !strncmp(k[i].section, s, len))
			return 1;
	return 0;
}

static const char *type_name(enum config_type t)
{
	switch (t) {
	case CFG_STRING:
		return "string";
	case CFG_INT:
		return "int";
	case CFG_BOOL:
		return "bool";
	case CFG_SIZE:
		return "size";
	case CFG_DURATION:
		return "duration";
	case CFG_OCTAL:
		return "octal";
	case CFG_ENUM:
		return "enum";
	}
	return "?";
}

static void env_name(const struct config_key *k, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "REVENGE_%s_%s", k->section, k->name);

	for (size_t i = 0; i < n && i < cap; i++)
		if (out[i] >= 'a' && out[i] <= 'z')
			out[i] = (char)(out[i] - 'a' + 'A');
}

/* A bound as the doc writes it: the largest unit that divides it exactly
 * (1048576 -> "1m", 3600000 ms -> "1h"), "0" for zero, octal with a
 * leading 0. */
static void fmt_bound(enum config_type t, int64_t v, char *out, size_t cap)
{
	static const struct {
		int64_t mult;
		const char *suffix;
	} sizes[] = {{1024LL * 1024 * 1024, "g"}, {1024LL * 1024, "m"}, {1024, "k"}},
	  durs[] = {{3600000, "h"}, {60000, "m"}, {1000, "s"}};

	if (v == 0) {
		snprintf(out, cap, "0");
		return;
	}
	if (t == CFG_OCTAL) {
		snprintf(out, cap, "0%llo", (unsigned long long)v);
		return;
	}
	if (t == CFG_SIZE || t == CFG_DURATION) {
		for (int i = 0; i < 3; i++) {
			int64_t m = t == CFG_SIZE ? sizes[i].mult : durs[i].mult;

			if (v % m == 0) {
				snprintf(out, cap, "%lld%s", (long long)(v / m),
				         t == CFG_SIZE ? sizes[i].suffix : durs[i].suffix);
				return;
			}
		}
		snprintf(out, cap, "%lld%s", (long long)v, t == CFG_DURATION ? "ms" : "");
		return;
	}
	snprintf(out, cap, "%lld", (long long)v);
}

/* --- markdown ----------------------------------------------------------------- */

/* s[0..n) looks like section.key: [a-z][a-z0-9_]* '.' [a-z][a-z0-9_]* */
static int key_like(const char *s, size_t n, size_t *dot)
{
	size_t i = 0;

	for (int part = 0; part < 2; part++) {
		size_t start = i;

		if (i >= n || s[i] < 'a' || s[i] > 'z')
			return 0;
		while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		                 s[i] == '_'))
			i++;
		if (i == start)
			return 0;
		if (part == 0) {
			if (i >= n || s[i] != '.')
				return 0;
			*dot = i++;
		}
	}
	return i == n;
}

/* Trimmed copy of s[0..n). */
static void trimmed(const char *s, size_t n, char *out, size_t cap)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	snprintf(out, cap, "%.*s", (int)n, s);
}

/* Split a table row "| a | b |" into trimmed cells; returns how many. */
static int split_row(const char *line, char cells[][1024], int max)
{
	const char *p = strchr(line, '|');
	int n = 0;

	if (!p)
		return 0;
	p++;
	while (*p && n < max) {
		size_t len = strcspn(p, "|");

		if (!p[len] && len == strspn(p, " \t"))
			break; /* what follows the closing pipe */
		trimmed(p, len, cells[n++], sizeof(cells[0]));
		p += len;
		if (*p == '|')
			p++;
	}
	return n;
}

static int is_separator_row(char cells[][1024], int n)
{
	for (int i = 0; i < n; i++)
		if (strspn(cells[i], "-: ") != strlen(cells[i]))
			return 0;
	return n > 0;
}

/* "### `[server]`" -> "server"; any other heading -> "". */
static void heading_section(const char *line, char *out, size_t cap)
{
	const char *open = strstr(line, "`[");
	const char *close = open ? strstr(open, "]`") : NULL;

	if (open && close)
		snprintf(out, cap, "%.*s", (int)(close - open - 2), open + 2);
	else
		snprintf(out, cap, "%s", "");
}

/* The cell without backticks. */
static void unticked(const char *cell, char *out, size_t cap)
{
	size_t n = 0;

	for (; *cell && n + 1 < cap; cell++)
		if (*cell != '`')
			out[n++] = *cell;
	out[n] = '\0';
}

/* Does cell contain `word`? */
static int has_ticked(const char *cell, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strchr(cell, '`'); p; p = strchr(p + 1, '`'))
		if (!strncmp(p + 1, word, n) && p[1 + n] == '`')
			return 1;
	return 0;
}

static void check_bounds_cell(const struct config_key *k, const char *cell, int line)
{
	char lo[64], hi[64];

	switch (k->type) {
	case CFG_INT:
	case CFG_SIZE:
	case CFG_DURATION:
	case CFG_OCTAL:
		fmt_bound(k->type, k->min, lo, sizeof(lo));
		fmt_bound(k->type, k->max, hi, sizeof(hi));
		if (!has_ticked(cell, lo) || !has_ticked(cell, hi))
			problem("%s:%d: %s.%s: bounds must read `%s` – `%s` (the table's min and "
			        "max), not \"%s\"",
			        DOC_PATH, line, k->section, k->name, lo, hi, cell);
		break;
	case CFG_ENUM:
		for (int i = 0; k->choices && k->choices[i]; i++)
			if (!has_ticked(cell, k->choices[i]))
				problem("%s:%d: %s.%s: choice `%s` is not listed", DOC_PATH, line,
				        k->section, k->name, k->choices[i]);
		break;
	case CFG_BOOL:
		if (!has_ticked(cell, "true") || !has_ticked(cell, "false"))
			problem("%s:%d: %s.%s: a bool lists `true` and `false`", DOC_PATH, line,
			        k->section, k->name);
		break;
	case CFG_STRING:
		if (!cell[0])
			problem("%s:%d: %s.%s: say what a valid value is", DOC_PATH, line,
			        k->section, k->name);
		break;
	}
}

/* The cells of one key's row against its table entry. */
static void check_row(const struct config_key *k, char cells[][1024], int n, int line)
{
	char want[256], meaning[2048];

	if (n != NCOLS) {
		problem("%s:%d: %s.%s: the row has %d cells, expected %d (key, environment, type, "
		        "default, accepted, secret, meaning)",
		        DOC_PATH, line, k->section, k->name, n, NCOLS);
		return;
	}
	env_name(k, want, sizeof(want));
	if (!has_ticked(cells[1], want) || strlen(cells[1]) != strlen(want) + 2)
		problem("%s:%d: %s.%s: environment must be `%s`, not \"%s\"", DOC_PATH, line,
		        k->section, k->name, want, cells[1]);
	if (strcmp(cells[2], type_name(k->type)))
		problem("%s:%d: %s.%s: type is %s, not \"%s\"", DOC_PATH, line, k->section, k->name,
		        type_name(k->type), cells[2]);
	/* a string whose default is "" is unset until given */
	if (!k->def[0] ? strcmp(cells[3], "(unset)")
	               : !has_ticked(cells[3], k->def) || strlen(cells[3]) != strlen(k->def) + 2)
		problem("%s:%d: %s.%s: default is `%s`, not \"%s\"", DOC_PATH, line, k->section,
		        k->name, k->def, cells[3]);
	check_bounds_cell(k, cells[4], line);
	if (strcmp(cells[5], (k->flags & CFG_SECRET) ? "yes" : "no"))
		problem("%s:%d: %s.%s: secret must say %s, not \"%s\"", DOC_PATH, line, k->section,
		        k->name, (k->flags & CFG_SECRET) ? "yes" : "no", cells[5]);
	unticked(cells[6], meaning, sizeof(meaning));
	if (strncmp(meaning, k->doc, strlen(k->doc)))
		problem("%s:%d: %s.%s: the meaning must start with the table's sentence \"%s\"",
		        DOC_PATH, line, k->section, k->name, k->doc);
}

/* Every `section.key` in backticks on the line names a key. In a table's
 * first cell any key-looking token counts; elsewhere only those whose
 * section exists (so `revenge.conf` in prose is not a key). */
static void check_tokens(const char *s, int line, int any_section)
{
	const char *p = s;

	while ((p = strchr(p, '`'))) {
		const char *end = strchr(p + 1, '`');
		size_t len, dot;
		char sec[64], name[64];

		if (!end)
			break;
		len = (size_t)(end - p - 1);
		if (key_like(p + 1, len, &dot) && (any_section || known_section(p + 1, dot))) {
			snprintf(sec, sizeof(sec), "%.*s", (int)dot, p + 1);
			snprintf(name, sizeof(name), "%.*s", (int)(len - dot - 1), p + 1 + dot + 1);
			if (!find_key(sec, name))
				problem("%s:%d: `%s.%s` is not a configuration key (stale?)",
				        DOC_PATH, line, sec, name);
		}
		p = end + 1;
	}
}

/* --- tests ------------------------------------------------------------------ */

static void test_helpers(void **state)
{
	char b[64];
	size_t dot = 0;

	(void)state;
	fmt_bound(CFG_SIZE, 1024, b, sizeof(b));
	assert_string_equal(b, "1k");
	fmt_bound(CFG_SIZE, 1024LL * 1024 * 1024, b, sizeof(b));
	assert_string_equal(b, "1g");
	fmt_bound(CFG_SIZE, 1500, b, sizeof(b));
	assert_string_equal(b, "1500");
	fmt_bound(CFG_DURATION, 3600000, b, sizeof(b));
	assert_string_equal(b, "1h");
	fmt_bound(CFG_DURATION, 10, b, sizeof(b));
	assert_string_equal(b, "10ms");
	fmt_bound(CFG_DURATION, 0, b, sizeof(b));
	assert_string_equal(b, "0");
	fmt_bound(CFG_OCTAL, 0777, b, sizeof(b));
	assert_string_equal(b, "0777");
	fmt_bound(CFG_INT, 65535, b, sizeof(b));
	assert_string_equal(b, "65535");

	assert_true(key_like("server.pool_size", 16, &dot));
	assert_int_equal(dot, 6);
	assert_true(key_like("revenge.conf", 12, &dot));
	assert_false(key_like("server", 6, &dot));
	assert_false(key_like("server.", 7, &dot));
	assert_false(key_like("0.1.0", 5, &dot));
	assert_false(key_like("a.b.c", 5, &dot));
	assert_false(key_like("app/core/config.c", 17, &dot));
	assert_false(key_like("Server.x", 8, &dot));

	{
		const struct config_key *k = find_key("server", "pool_size");

		assert_non_null(k);
		env_name(k, b, sizeof(b));
		assert_string_equal(b, "REVENGE_SERVER_POOL_SIZE");
	}
}

/* Both directions for the reference: rows name real keys and match them;
 * every key has exactly one row under its section's heading. */
static void test_doc_matches_table(void **state)
{
	static char cells[MAX_CELLS][1024];
	struct text t;
	size_t nkeys;
	const struct config_key *keys = table(&nkeys);
	int *rows = calloc(nkeys, sizeof(*rows));
	char section[64] = "";
	int fenced = 0;

	(void)state;
	assert_non_null(rows);
	must_load(&t, DOC_PATH);
	for (int i = 0; i < t.n; i++) {
		const char *line = t.lines[i];
		int n;

		if (!strncmp(line, "```", 3)) {
			fenced = !fenced;
			continue;
		}
		if (fenced)
			continue;
		if (line[0] == '#') {
			heading_section(line, section, sizeof(section));
			continue;
		}
		if (line[0] != '|') {
			check_tokens(line, i + 1, 0);
			continue;
		}
		n = split_row(line, cells, MAX_CELLS);
		if (n == 0 || is_separator_row(cells, n))
			continue;
		for (int c = 1; c < n; c++)
			check_tokens(cells[c], i + 1, 0);
		check_tokens(cells[0], i + 1, 1);

		/* a key row: the first cell is exactly one `section.key` */
		size_t len = strlen(cells[0]), dot;
		char sec[64], name[64];
		const struct config_key *k;

		if (len < 3 || cells[0][0] != '`' || cells[0][len - 1] != '`' ||
		    !key_like(cells[0] + 1, len - 2, &dot))
			continue;
		snprintf(sec, sizeof(sec), "%.*s", (int)dot, cells[0] + 1);
		snprintf(name, sizeof(name), "%.*s", (int)(len - 2 - dot - 1), cells[0] + dot + 2);
		if (!(k = find_key(sec, name)))
			continue; /* reported by check_tokens */
		rows[k - keys]++;
		if (rows[k - keys] > 1)
			problem("%s:%d: %s.%s has more than one row", DOC_PATH, i + 1, sec, name);
		if (strcmp(section, sec))
			problem("%s:%d: %s.%s belongs under the heading `[%s]`, not \"%s\"",
			        DOC_PATH, i + 1, sec, name, sec, section[0] ? section : "(none)");
		check_row(k, cells, n, i + 1);
	}
	if (fenced)
		problem("%s: a ``` code fence is not closed", DOC_PATH);
	for (size_t i = 0; i < nkeys; i++)
		if (!rows[i])
			problem("%s.%s has no row `%s.%s` in %s", keys[i].section, keys[i].name,
			        keys[i].section, keys[i].name, DOC_PATH);
	free(rows);
	text_release(&t);
	finish();
}

/* The value after '=' as config.c reads it: quoted with \" \\ escapes, or
 * bare up to a '#'/';' that follows a blank. */
static void conf_value(const char *v, char *out, size_t cap)
{
	size_t n = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '"') {
		for (v++; *v && *v != '"' && n + 1 < cap; v++) {
			if (*v == '\\' && v[1])
				v++;
			out[n++] = *v;
		}
		out[n] = '\0';
		return;
	}
	for (size_t i = 0; v[i] && n + 1 < cap; i++) {
		if ((v[i] == '#' || v[i] == ';') && i > 0 && (v[i - 1] == ' ' || v[i - 1] == '\t'))
			break;
		out[n++] = v[i];
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
}

/* "key = v" or "# key = v": 1 with name/value filled, 0 for other lines. */
static int conf_key_line(const char *line, char *name, size_t ncap, char *value, size_t vcap,
                         int *commented)
{
	const char *p = line;
	size_t len;

	*commented = *p == '#';
	if (*commented)
		p++;
	while (*p == ' ' || *p == '\t')
		p++;
	len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (!len || p[0] < 'a' || p[0] > 'z')
		return 0;
	snprintf(name, ncap, "%.*s", (int)len, p);
	p += len;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=')
		return 0;
	conf_value(p + 1, value, vcap);
	return 1;
}

static void test_example_matches_table(void **state)
{
	struct text t;
	size_t nkeys;
	const struct config_key *keys = table(&nkeys);
	int *seen = calloc(nkeys, sizeof(*seen));
	char section[64] = "";

	(void)state;
	assert_non_null(seen);
	must_load(&t, EXAMPLE_PATH);
	for (int i = 0; i < t.n; i++) {
		const char *line = t.lines[i];
		char name[64], value[512];
		const struct config_key *k;
		int commented;

		if (line[0] == '[') {
			const char *close = strchr(line, ']');

			snprintf(section, sizeof(section), "%.*s",
			         close ? (int)(close - line - 1) : 0, line + 1);
			if (!close || !known_section(section, strlen(section)))
				problem("%s:%d: [%s] is not a configuration section", EXAMPLE_PATH,
				        i + 1, section);
			continue;
		}
		if (!section[0] ||
		    !conf_key_line(line, name, sizeof(name), value, sizeof(value), &commented))
			continue;
		if (!(k = find_key(section, name))) {
			problem("%s:%d: %s.%s is not a configuration key (stale?)", EXAMPLE_PATH,
			        i + 1, section, name);
			continue;
		}
		seen[k - keys]++;
		if (commented && strcmp(value, k->def))
			problem("%s:%d: %s.%s is shown with \"%s\" but its default is \"%s\"",
			        EXAMPLE_PATH, i + 1, section, name, value, k->def);
	}
	for (size_t i = 0; i < nkeys; i++)
		if (!seen[i])
			problem("%s.%s is missing from %s (as \"%s =\" or \"# %s =\" under [%s])",
			        keys[i].section, keys[i].name, EXAMPLE_PATH, keys[i].name,
			        keys[i].name, keys[i].section);
	free(seen);
	text_release(&t);
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_helpers),
	    cmocka_unit_test(test_doc_matches_table),
	    cmocka_unit_test(test_example_matches_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
