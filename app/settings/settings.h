/*
 * settings: typed server settings stored in server_settings (SPEC §2.8).
 *
 * Every server setting is declared in the table in settings.c with its
 * type, default, bounds and visibility; a value is written only after it
 * validates against its declaration. Public settings are readable without
 * logging in; secret ones are masked on every read.
 */
#ifndef REVENGE_SETTINGS_SETTINGS_H
#define REVENGE_SETTINGS_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/json.h"
#include "http/http.h"

enum setting_type { ST_BOOL, ST_INT, ST_STRING };

struct setting_def {
	const char *key;
	enum setting_type type;
	const char *def; /* default as JSON text */
	int64_t min, max; /* ST_INT bounds; ST_STRING length bounds in bytes */
	bool public;
	bool secret;
	const char *doc;
};

const struct setting_def *settings_defs(size_t *n);
const struct setting_def *settings_find(const char *key);

/* The current value of a declared setting as JSON text (the default when
 * unset), in the arena; NULL on a database error. */
const char *settings_get_json(struct request *req, const char *key);
/* Typed shorthands: the stored value, else the default, else def_value. */
bool settings_get_bool(struct request *req, const char *key, bool def_value);
const char *settings_get_string(struct request *req, const char *key, const char *def_value);

/* Validate value against the declaration of key: APP_ERR_NOT_FOUND for an
 * undeclared key, APP_ERR_VALIDATION naming "value" otherwise. */
enum app_err settings_validate(const struct setting_def *d, const cJSON *value,
			       struct field_error *fe);

#endif
