/*
 * err: the single mapping from enum app_err to HTTP. Adding an error means
 * adding one row here; test_err checks every row is filled in and that slugs
 * are unique, because clients match on them.
 */
#include "core/err.h"

struct err_info {
	int status;
	const char *title;
	const char *slug;
};

static const struct err_info err_table[APP_ERR__COUNT] = {
    [APP_OK] = {200, "OK", "ok"},
    [APP_ERR_BAD_REQUEST] = {400, "Bad Request", "bad-request"},
    [APP_ERR_VALIDATION] = {400, "Validation Failed", "validation"},
    [APP_ERR_UNAUTHORIZED] = {401, "Unauthorized", "unauthorized"},
    [APP_ERR_FORBIDDEN] = {403, "Forbidden", "forbidden"},
    [APP_ERR_NOT_FOUND] = {404, "Not Found", "not-found"},
    [APP_ERR_METHOD] = {405, "Method Not Allowed", "method-not-allowed"},
    [APP_ERR_NOT_ACCEPTABLE] = {406, "Not Acceptable", "not-acceptable"},
    [APP_ERR_CONFLICT] = {409, "Conflict", "conflict"},
    [APP_ERR_GONE] = {410, "Gone", "gone"},
    [APP_ERR_PRECONDITION] = {412, "Precondition Failed", "precondition-failed"},
    [APP_ERR_TOO_LARGE] = {413, "Content Too Large", "too-large"},
    [APP_ERR_UNSUPPORTED] = {415, "Unsupported Media Type", "unsupported-media-type"},
    [APP_ERR_RANGE] = {416, "Range Not Satisfiable", "range-not-satisfiable"},
    [APP_ERR_UNPROCESSABLE] = {422, "Unprocessable Content", "unprocessable"},
    [APP_ERR_LOCKED] = {423, "Locked", "locked"},
    [APP_ERR_RATE_LIMITED] = {429, "Too Many Requests", "rate-limited"},
    [APP_ERR_INTERNAL] = {500, "Internal Server Error", "internal"},
    /* Clients learn only that a limit was hit, not which allocation failed. */
    [APP_ERR_NOMEM] = {500, "Insufficient Resources", "resource-limit"},
    [APP_ERR_DB] = {503, "Database Unavailable", "database-unavailable"},
    [APP_ERR_CACHE] = {503, "Cache Unavailable", "cache-unavailable"},
    [APP_ERR_UNAVAILABLE] = {503, "Service Unavailable", "unavailable"},
};

/* An out-of-range value is a programming error; report it as internal
 * rather than reading past the table. A row left out of the table is not
 * papered over here: test_err sees its zero status and fails. */
static const struct err_info *err_lookup(enum app_err e)
{
	if ((unsigned)e >= APP_ERR__COUNT)
		return &err_table[APP_ERR_INTERNAL];
	return &err_table[e];
}

int app_err_status(enum app_err e)
{
	return err_lookup(e)->status;
}

const char *app_err_title(enum app_err e)
{
	return err_lookup(e)->title;
}

const char *app_err_slug(enum app_err e)
{
	return err_lookup(e)->slug;
}

const char *http_reason(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 101:
		return "Switching Protocols";
	case 102:
		return "Processing";
	case 103:
		return "Early Hints";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 203:
		return "Non-Authoritative Information";
	case 204:
		return "No Content";
	case 205:
		return "Reset Content";
	case 206:
		return "Partial Content";
	case 207:
		return "Multi-Status";
	case 208:
		return "Already Reported";
	case 226:
		return "IM Used";
	case 300:
		return "Multiple Choices";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 305:
		return "Use Proxy";
	case 307:
		return "Temporary Redirect";
	case 308:
		return "Permanent Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 402:
		return "Payment Required";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 406:
		return "Not Acceptable";
	case 407:
		return "Proxy Authentication Required";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 411:
		return "Length Required";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 416:
		return "Range Not Satisfiable";
	case 417:
		return "Expectation Failed";
	case 418:
		return "I'm a teapot";
	case 421:
		return "Misdirected Request";
	case 422:
		return "Unprocessable Content";
	case 423:
		return "Locked";
	case 424:
		return "Failed Dependency";
	case 425:
		return "Too Early";
	case 426:
		return "Upgrade Required";
	case 428:
		return "Precondition Required";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 451:
		return "Unavailable For Legal Reasons";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	case 505:
		return "HTTP Version Not Supported";
	case 506:
		return "Variant Also Negotiates";
	case 507:
		return "Insufficient Storage";
	case 508:
		return "Loop Detected";
	case 510:
		return "Not Extended";
	case 511:
		return "Network Authentication Required";
	default:
		return "Unknown";
	}
}
