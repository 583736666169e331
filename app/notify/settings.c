/* settings: what a notification channel's settings and secret must be (see settings.h). */
#include "notify/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "notify/template.h"

#define MAX_HEADERS 20

const char *const notify_kind_choices[] = {"webhook", "discord", "gotify", "email", NULL};
/* what a channel may subscribe to: every event but "test" */
static const char *const event_choices[] = {"content.added",         "content.removed",
                                            "library.scan_finished", "library.scan_failed",
                                            "user.created",          "auth.lockout",
                                            "auth.new_login",        "system.worker_down",
                                            "system.tmdb_failing",   NULL};
static const char *const method_choices[] = {"POST", "PUT", "PATCH", NULL};
static const char *const auth_choices[] = {"none", "bearer", "basic", "header", NULL};
static const char *const security_choices[] = {"starttls", "starttls_optional", "tls", "none",
                                               NULL};

static enum app_err check_url(const char *v, const char *field, struct field_error *fe)
{
	const char *host = !strncmp(v, "https://", 8)  ? v + 8
	                   : !strncmp(v, "http://", 7) ? v + 7
	                                               : NULL;

	if (!host || !host[0] || host[0] == '/' || strpbrk(v, " \t"))
		return field_fail(fe, APP_ERR_VALIDATION, field,
		                  "must be an http:// or https:// address");
	return APP_OK;
}

static enum app_err check_email(const char *v, const char *field, struct field_error *fe)
{
	return notify_email_ok(v) ? APP_OK
	                          : field_fail(fe, APP_ERR_VALIDATION, field,
	                                       "must be an e-mail address (name@domain)");
}

/* a host name, an IPv4 address or a bracketed IPv6 address */
static enum app_err check_host(const char *v, const char *field, struct field_error *fe)
{
	size_t n = strlen(v);
	bool v6 = v[0] == '[';

	if (v6 && (n < 3 || v[n - 1] != ']' || strspn(v + 1, "0123456789abcdefABCDEF:.") != n - 2))
		return field_fail(fe, APP_ERR_VALIDATION, field, "is not a bracketed IPv6 address");
	if (!v6 &&
	    (v[0] == '-' || v[0] == '.' ||
	     strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n))
		return field_fail(fe, APP_ERR_VALIDATION, field,
		                  "must be a host name or an IP address");
	return APP_OK;
}

/* an HTTP token that curl and the receiver leave to us */
static enum app_err check_header_name(const char *v, const char *field, struct field_error *fe)
{
	static const char *const reserved[] = {"host",       "content-length", "transfer-encoding",
	                                       "connection", "expect",         "upgrade",
	                                       "te",         "trailer"};
	size_t n = strlen(v);

	if (!n || n > 64 ||
	    strspn(
	        v,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~") !=
	        n)
		return field_fail(fe, APP_ERR_VALIDATION, field, "is not a header name");
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcasecmp(v, reserved[i]))
			return field_fail(fe, APP_ERR_VALIDATION, field,
			                  "is a header the HTTP client sets itself");
	return APP_OK;
}

const struct body_field notify_event_item = {.type = BT_ENUM, .choices = event_choices};
static const struct body_field address_item = {
    .type = BT_STRING, .min = 3, .max = 254, .check = check_email};

const struct body_field notify_settings_fields[] = {
    {.name = "url",
     .type = BT_STRING,
     .min = 8,
     .max = 2048,
     .text = true,
     .check = check_url,
     .doc = "webhook: where to send; gotify: the server's address."},
    {.name = "method", .type = BT_ENUM, .choices = method_choices, .doc = "webhook: POST."},
    {.name = "headers",
     .type = BT_OBJECT,
     .doc = "webhook: extra headers, {name: value} (no secrets: use auth)."},
    {.name = "auth",
     .type = BT_ENUM,
     .choices = auth_choices,
     .doc = "webhook: how the secret is sent (none)."},
    {.name = "auth_header",
     .type = BT_STRING,
     .min = 1,
     .max = 64,
     .check = check_header_name,
     .doc = "webhook: the header carrying the secret with auth header."},
    {.name = "template",
     .type = BT_STRING,
     .min = 1,
     .max = NOTIFY_TEMPLATE_MAX,
     .doc = "webhook: the JSON body with {{placeholders}} ({{payload}})."},
    {.name = "username",
     .type = BT_STRING,
     .min = 1,
     .max = 254,
     .text = true,
     .doc = "discord: the name posts appear under; email: the SMTP login."},
    {.name = "priority", .type = BT_INT, .min = 0, .max = 10, .doc = "gotify: 0..10 (5)."},
    {.name = "smtp_host", .type = BT_STRING, .min = 1, .max = 253, .check = check_host},
    {.name = "smtp_port", .type = BT_INT, .min = 1, .max = 65535},
    {.name = "security", .type = BT_ENUM, .choices = security_choices},
    {.name = "from", .type = BT_STRING, .min = 3, .max = 254, .check = check_email},
    {.name = "to", .type = BT_ARRAY, .min = 1, .max = 20, .unique = true, .items = &address_item},
    {0},
};

/* --- settings by kind --------------------------------------------------------------- */

struct kind_rule {
	const char *kind;
	const char *const *keys;     /* the settings it takes */
	const char *const *required; /* of which these must be given */
};

static const char *const webhook_keys[] = {"url",         "method",   "headers", "auth",
                                           "auth_header", "template", NULL};
static const char *const url_required[] = {"url", NULL};
static const char *const discord_keys[] = {"username", NULL};
static const char *const gotify_keys[] = {"url", "priority", NULL};
static const char *const email_keys[] = {"smtp_host", "smtp_port", "security", "from",
                                         "to",        "username",  NULL};
static const char *const email_required[] = {"smtp_host", "from", "to", NULL};
static const char *const none[] = {NULL};

static const struct kind_rule rules[] = {
    {"webhook", webhook_keys, url_required},
    {"discord", discord_keys, none},
    {"gotify", gotify_keys, url_required},
    {"email", email_keys, email_required},
};

static bool listed(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static const struct kind_rule *rule_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(rules[i].kind, kind))
			return &rules[i];
	return NULL;
}

static void set_default(cJSON *s, const char *key, cJSON *v)
{
	if (!cJSON_GetObjectItemCaseSensitive(s, key))
		cJSON_AddItemToObject(s, key, v);
	else
		cJSON_Delete(v);
}

static enum app_err check_headers(struct arena *a, const cJSON *headers, struct field_error *fe)
{
	const cJSON *h;
	int n = 0;
	enum app_err e;

	cJSON_ArrayForEach(h, headers)
	{
		const char *field = arena_printf(a, "settings.headers.%.40s", h->string);
		if (++n > MAX_HEADERS)
			return field_fail(fe, APP_ERR_VALIDATION, "settings.headers",
			                  "has more than %d headers", MAX_HEADERS);
		if ((e = check_header_name(h->string, field, fe)))
			return e;
		if (!cJSON_IsString(h) || strlen(h->valuestring) > 1024 ||
		    has_control(h->valuestring, strlen(h->valuestring)))
			return field_fail(fe, APP_ERR_VALIDATION, field,
			                  "must be a string of at most 1024 bytes without control "
			                  "characters");
	}
	return APP_OK;
}

/* A made-up event a template must render to JSON for: quotes, a
 * backslash and a line break where they would break a careless one. */
static enum app_err check_template(const char *tmpl, struct field_error *fe)
{
	cJSON *data = cJSON_Parse("{\"library_id\":\"6f1c2d3e-0000-4000-8000-000000000001\","
	                          "\"count\":3,\"name\":\"Films \\\"HD\\\"\"}");
	struct notify_msg m = {"test", "Test \"notification\"", "line one\\\nline two",
	                       "2025-01-01T00:00:00.000Z", data};
	struct buf out;
	char why[160];
	int rc;

	buf_init(&out, NOTIFY_RENDER_MAX);
	rc = notify_render_check(tmpl, &m, &out, why, sizeof(why));
	buf_release(&out);
	cJSON_Delete(data);
	if (rc)
		return field_fail(fe, APP_ERR_VALIDATION, "settings.template", "%s", why);
	return APP_OK;
}

/*
 * Check settings (a copy the caller owns) against kind and fill in its
 * defaults; has_secret: the channel will have a secret. The failing member
 * in fe.
 */
enum app_err notify_settings_check(struct arena *a, const char *kind, cJSON *s, bool has_secret,
                                   const char *secret, struct field_error *fe)
{
	const struct kind_rule *k = rule_of(kind);
	const cJSON *it;
	enum app_err e;

	if (!k)
		return field_fail(fe, APP_ERR_VALIDATION, "kind", "is not a channel kind");
	cJSON_ArrayForEach(it, s)
	{
		if (!listed(k->keys, it->string))
			return field_fail(fe, APP_ERR_VALIDATION,
			                  arena_printf(a, "settings.%s", it->string),
			                  "is not a setting of a %s channel", kind);
	}
	for (const char *const *r = k->required; *r; r++)
		if (!cJSON_GetObjectItemCaseSensitive(s, *r))
			return field_fail(fe, APP_ERR_VALIDATION,
			                  arena_printf(a, "settings.%s", *r),
			                  "is required for a %s channel", kind);
	if (!strcmp(kind, "webhook")) {
		set_default(s, "method", cJSON_CreateString("POST"));
		set_default(s, "auth", cJSON_CreateString("none"));
		const char *auth = cJSON_GetStringValue(cJSON_GetObjectItem(s, "auth"));
		const char *tmpl = cJSON_GetStringValue(cJSON_GetObjectItem(s, "template"));
		bool named = cJSON_GetObjectItemCaseSensitive(s, "auth_header") != NULL;
		if (auth && !strcmp(auth, "header") && !named)
			return field_fail(fe, APP_ERR_VALIDATION, "settings.auth_header",
			                  "is required with auth header");
		if (named && (!auth || strcmp(auth, "header")))
			return field_fail(fe, APP_ERR_VALIDATION, "settings.auth_header",
			                  "is only used with auth header");
		if (auth && strcmp(auth, "none") && !has_secret)
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "is required with auth %s", auth);
		if (auth && !strcmp(auth, "basic") && secret && !strchr(secret, ':'))
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "must be user:password with auth basic");
		if ((e = check_headers(a, cJSON_GetObjectItem(s, "headers"), fe)) ||
		    (tmpl && (e = check_template(tmpl, fe))))
			return e;
	} else if (!strcmp(kind, "discord")) {
		if (!has_secret)
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "is required: the Discord webhook URL");
		if (secret && (e = check_url(secret, "secret", fe)))
			return e;
	} else if (!strcmp(kind, "gotify")) {
		set_default(s, "priority", cJSON_CreateNumber(5));
		if (!has_secret)
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "is required: the Gotify application token");
	} else {
		set_default(s, "security", cJSON_CreateString("starttls"));
		const char *sec = cJSON_GetStringValue(cJSON_GetObjectItem(s, "security"));
		set_default(s, "smtp_port",
		            cJSON_CreateNumber(sec && !strcmp(sec, "tls") ? 465 : 587));
		if (cJSON_GetObjectItemCaseSensitive(s, "username") && !has_secret)
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "is required with settings.username: the SMTP password");
	}
	return APP_OK;
}
