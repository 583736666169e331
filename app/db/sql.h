/*
 * sql: string macros for SQL fragments that several modules repeat. They
 * expand to string literals, so a statement stays one constant the
 * compiler joins: `"SELECT " SQL_TS("created_at") " FROM users"`.
 *
 * Arguments are SQL text pasted verbatim (a column, an expression or a $n
 * placeholder), never data: data always travels as $n parameters.
 */
#ifndef REVENGE_DB_SQL_H
#define REVENGE_DB_SQL_H

/* A timestamptz as UTC ISO-8601 with milliseconds ("2024-05-01T12:00:00.123Z"),
 * the form every timestamp leaves the API in. NULL stays NULL. */
/* SQL: the folders above the absolute path `path` (an SQL expression) as a
 * set of rows `dir` ("/a/b/c.mkv": "/a", "/a/b"), for equality joins on a
 * folder column that an index answers, where starts_with() would scan. */
#define SQL_PATH_ANCESTORS(path)                                                                   \
	"(SELECT array_to_string((string_to_array(" path ", '/'))[1:i], '/') AS dir"              \
	" FROM generate_series(2, cardinality(string_to_array(" path ", '/')) - 1) i)"

#define SQL_TS(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* The same with microseconds: a keyset pagination cursor must name a row
 * exactly, and PostgreSQL keeps microseconds. */
#define SQL_TS_US(col)                                                                             \
	"to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* A $n parameter holding a JSON array of strings, as text[] in the array's
 * order. */
#define SQL_TEXT_ARRAY(p)                                                                          \
	"ARRAY(SELECT t.v FROM jsonb_array_elements_text(" p "::jsonb) WITH ORDINALITY AS t(v, n)"  \
	" ORDER BY t.n)"

#endif
