/*
 * lang: ISO 639-1 language codes, the form every language a client names
 * takes in this API (preferences, a library's metadata language).
 */
#ifndef REVENGE_CORE_LANG_H
#define REVENGE_CORE_LANG_H

#include <stdbool.h>

/* true when s is one of the 183 two-letter codes of ISO 639-1 in lower
 * case ("en", "pt"); false for anything else, NULL included. Withdrawn
 * codes ("bh", "sh", "iw") and upper case are not codes. */
bool lang_is_iso639_1(const char *s);

#endif
