// Pure helpers of the preferences and sessions pages.
import { ApiError } from '../../lib/api';

/** The preferences whose change an administrator can lock. */
export const PARENTAL_FIELDS = ['max_age_rating', 'rating_country', 'allow_unrated'] as const;

/** Age limits offered (the API takes 0 to 21; null is no limit). */
export const AGE_LIMITS = [0, 6, 7, 10, 12, 13, 14, 15, 16, 17, 18, 21];

/**
 * Whether an answer to a preferences change says an administrator locked
 * the parental limits: a 403 naming one of them. (GET /users/me/preferences
 * does not tell, so the page learns it from the refusal.)
 */
export function isParentalLock(e: unknown): boolean {
  return e instanceof ApiError && e.status === 403 && (PARENTAL_FIELDS as readonly string[]).includes(e.field ?? '');
}

/** The fields of `next` that differ from `prev` (for a partial PUT). */
export function changed<T extends object>(prev: T, next: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(next) as (keyof T)[]) {
    const a = prev[k];
    const b = next[k];
    if (JSON.stringify(a) !== JSON.stringify(b)) out[k] = b;
  }
  return out;
}

/** A two-letter country code as the API wants it, or null when it is not one. */
export function countryCode(s: string): string | null {
  const c = s.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(c) ? c : null;
}

/** Toggle a language in an ordered list without duplicates. */
export function toggleLanguage(list: string[], code: string, on: boolean): string[] {
  const rest = list.filter((x) => x !== code);
  return on ? [...rest, code] : rest;
}

/**
 * A short description of a browser from its User-Agent: 'Firefox on
 * Linux', 'Chrome on Android'; the order of the tests matters (Edge and
 * Opera say Chrome too, Chrome says Safari).
 */
export function describeAgent(ua: string | null | undefined): { browser: string | null; os: string | null } {
  if (!ua) return { browser: null, os: null };
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chromium\//.test(ua)
          ? 'Chromium'
          : /Chrome\//.test(ua)
            ? 'Chrome'
            : /Safari\//.test(ua)
              ? 'Safari'
              : /^curl\//.test(ua)
                ? 'curl'
                : null;
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null;
  return { browser, os };
}
