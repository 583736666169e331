// The admin pages' own logic, kept free of the DOM and of fetch so the
// unit tests (logic.test.ts) can drive it: request bodies and query
// strings from form state, the permission grid's diff, the folder picker's
// breadcrumbs, and how a scan's progress is followed.
import type { JobState, Library, LibraryType, Scan, ScanStatus, Visibility } from './types';

// --- library form ---------------------------------------------------------

/** What the library form edits, as the inputs hold it. */
export interface LibraryForm {
  name: string;
  type: LibraryType;
  paths: string[];
  enabled: boolean;
  visibility: Visibility;
  scan_interval_minutes: string;
  metadata_language: string;
  /** comma or space separated; empty: the server's default list */
  extensions: string;
  /** one pattern a line */
  exclude_patterns: string;
}

export function emptyLibraryForm(): LibraryForm {
  return {
    name: '',
    type: 'movie',
    paths: [''],
    enabled: true,
    visibility: 'all',
    scan_interval_minutes: '360',
    metadata_language: 'en',
    extensions: '',
    exclude_patterns: '',
  };
}

export function libraryToForm(l: Library): LibraryForm {
  return {
    name: l.name,
    type: l.type,
    paths: l.paths.length ? [...l.paths] : [''],
    enabled: l.enabled,
    visibility: l.visibility,
    scan_interval_minutes: String(l.scan_interval_minutes),
    metadata_language: l.metadata_language,
    extensions: (l.extensions ?? []).join(', '),
    exclude_patterns: l.exclude_patterns.join('\n'),
  };
}

function splitList(s: string, sep: RegExp): string[] {
  return s
    .split(sep)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Extensions as the API takes them: lower case, no dot; null for the default list. */
export function parseExtensions(s: string): string[] | null {
  const list = splitList(s, /[\s,;]+/).map((x) => x.replace(/^\./, '').toLowerCase());
  const unique = [...new Set(list.filter(Boolean))];
  return unique.length ? unique : null;
}

/** The POST /libraries body of a filled form. */
export function libraryCreateBody(f: LibraryForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: f.name.trim(),
    type: f.type,
    paths: f.paths.map((p) => p.trim()).filter(Boolean),
    enabled: f.enabled,
    visibility: f.visibility,
    metadata_language: f.metadata_language.trim().toLowerCase(),
    exclude_patterns: splitList(f.exclude_patterns, /\n/),
  };
  const interval = Number(f.scan_interval_minutes);
  if (f.scan_interval_minutes.trim() !== '' && Number.isInteger(interval)) body.scan_interval_minutes = interval;
  const ext = parseExtensions(f.extensions);
  if (ext) body.extensions = ext;
  return body;
}

function sameList(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * The PUT /libraries/{id} body: only what the form changed (the type never
 * changes). Empty when nothing did.
 */
export function libraryUpdateBody(original: Library, f: LibraryForm): Record<string, unknown> {
  const next = libraryCreateBody(f);
  const out: Record<string, unknown> = {};
  if (next.name !== original.name) out.name = next.name;
  if (!sameList(next.paths, original.paths)) out.paths = next.paths;
  if (next.enabled !== original.enabled) out.enabled = next.enabled;
  if (next.visibility !== original.visibility) out.visibility = next.visibility;
  if (next.metadata_language !== original.metadata_language) out.metadata_language = next.metadata_language;
  if (!sameList(next.exclude_patterns, original.exclude_patterns)) out.exclude_patterns = next.exclude_patterns;
  if (next.scan_interval_minutes !== undefined && next.scan_interval_minutes !== original.scan_interval_minutes)
    out.scan_interval_minutes = next.scan_interval_minutes;
  const ext = (next.extensions as string[] | undefined) ?? null;
  if (!sameList(ext, original.extensions)) out.extensions = ext;
  return out;
}

// --- folder picker --------------------------------------------------------

export interface Crumb {
  label: string;
  /** null: the list of allowed roots */
  path: string | null;
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Whether path is root or lies inside it (by whole segments). */
export function isInside(path: string, root: string): boolean {
  const p = trimSlash(path);
  const r = trimSlash(root);
  return p === r || (r === '/' ? p.startsWith('/') : p.startsWith(r + '/'));
}

/**
 * The breadcrumbs of a folder: the roots list, then the allowed root that
 * holds it (as one crumb, written in full), then each folder below it. A
 * path under no known root is split from '/'.
 */
export function breadcrumbs(path: string | null, roots: string[], rootsLabel: string): Crumb[] {
  const out: Crumb[] = [{ label: rootsLabel, path: null }];
  if (!path) return out;
  const p = trimSlash(path);
  const root = roots
    .map(trimSlash)
    .filter((r) => isInside(p, r))
    .sort((a, b) => b.length - a.length)[0];
  let base: string;
  let rest: string[];
  if (root) {
    out.push({ label: root, path: root });
    base = root;
    rest = p.slice(root.length).split('/').filter(Boolean);
  } else {
    out.push({ label: '/', path: '/' });
    base = '';
    rest = p.split('/').filter(Boolean);
  }
  for (const seg of rest) {
    base = base === '/' ? '/' + seg : base + '/' + seg;
    out.push({ label: seg, path: base });
  }
  return out;
}

/**
 * Whether a 404 from GET /admin/directories means the server has no such
 * route (older server: the picker falls back to typing the path) rather
 * than a folder that does not exist (a problem naming `path`).
 */
export function pickerUnavailable(status: number, field: string | undefined): boolean {
  return status === 404 && field !== 'path';
}

// --- scans ----------------------------------------------------------------

export function scanActive(status: ScanStatus | undefined): boolean {
  return status === 'queued' || status === 'running';
}

/**
 * How long to wait before asking for a scan again: every second while it
 * is queued or running, backing off (2, 4, 8 s, at most 10) after failed
 * requests; null once the scan is over.
 */
export function nextPollDelay(status: ScanStatus | undefined, failures: number): number | null {
  if (status !== undefined && !scanActive(status)) return null;
  if (failures <= 0) return 1000;
  return Math.min(10000, 1000 * 2 ** failures);
}

/** The scan a library page should follow: the newest one still running, if any. */
export function activeScan(history: Scan[]): Scan | undefined {
  return history.find((s) => scanActive(s.status));
}

/**
 * Fold a fresh answer into what the page shows: counts never go backwards
 * while a scan runs (an answer that arrives late from an earlier request
 * must not undo a newer one), and a final status sticks.
 */
export function mergeScan(prev: Scan | undefined, next: Scan): Scan {
  if (!prev || prev.id !== next.id) return next;
  if (!scanActive(prev.status) && scanActive(next.status)) return prev;
  if (scanActive(next.status) && (next.files.seen ?? 0) < (prev.files.seen ?? 0)) return prev;
  return next;
}

// --- roles ----------------------------------------------------------------

/** Which permissions a role gains and loses, each sorted. */
export function permDiff(before: readonly string[], after: Iterable<string>): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return {
    added: [...a].filter((p) => !b.has(p)).sort(),
    removed: [...b].filter((p) => !a.has(p)).sort(),
  };
}

/** Permissions grouped by what they act on ('users:list' → 'users'), groups and members sorted. */
export function groupPermissions<T extends { name: string }>(perms: T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const p of perms) {
    const g = p.name.includes(':') ? p.name.slice(0, p.name.indexOf(':')) : p.name;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(p);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([g, list]) => [g, list.sort((x, y) => x.name.localeCompare(y.name))]);
}

// --- jobs -----------------------------------------------------------------

export const JOB_STATES: JobState[] = ['available', 'scheduled', 'running', 'retryable', 'completed', 'discarded', 'cancelled'];
export const JOB_PRIORITIES = ['critical', 'high', 'default', 'low', 'bulk'] as const;

/** The API retries only discarded and cancelled jobs, and cancels only unfinished ones. */
export function jobActions(state: JobState): { retry: boolean; cancel: boolean } {
  return {
    retry: state === 'discarded' || state === 'cancelled',
    cancel: state === 'available' || state === 'scheduled' || state === 'running' || state === 'retryable',
  };
}

// --- activity -------------------------------------------------------------

export interface ActivityFilters {
  user_id?: string;
  action?: string;
  resource_type?: string;
  /** 'true' | 'false' | '' */
  success?: string;
  /** yyyy-mm-dd, local days, both inclusive */
  from?: string;
  to?: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The RFC 3339 instant a local calendar day starts at (plus `days`). */
export function dayStart(day: string, days = 0): string | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  if (Number.isNaN(d.getTime())) return undefined;
  return d.toISOString();
}

/**
 * The query parameters of GET /admin/activity (and its export) for the
 * filters: `from` at the start of its day, `to` at the start of the day
 * after (the API's `to` is exclusive, the form's inclusive).
 */
export function activityParams(f: ActivityFilters): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => {
    const s = v?.trim();
    if (s) out[k] = s;
  };
  put('user_id', f.user_id);
  put('action', f.action);
  put('resource_type', f.resource_type);
  if (f.success === 'true' || f.success === 'false') out.success = f.success;
  const from = f.from ? dayStart(f.from) : undefined;
  const to = f.to ? dayStart(f.to, 1) : undefined;
  if (from) out.from = from;
  if (to) out.to = to;
  return out;
}

/** The link that downloads the filtered log (the session cookie authenticates it). */
export function exportHref(f: ActivityFilters, format: 'csv' | 'jsonl'): string {
  const q = new URLSearchParams({ format, ...activityParams(f) });
  return `/api/v1/admin/activity/export?${q.toString()}`;
}

/** The filters a hash query holds (#/admin/activity?action=…). */
export function filtersFromQuery(q: URLSearchParams): ActivityFilters {
  const get = (k: string) => q.get(k) ?? '';
  return {
    user_id: get('user_id'),
    action: get('action'),
    resource_type: get('resource_type'),
    success: get('success'),
    from: get('from'),
    to: get('to'),
  };
}

// --- settings -------------------------------------------------------------

/** A setting's input parsed by its declared type; error names the problem. */
export function parseSettingValue(
  type: 'boolean' | 'integer' | 'string',
  raw: string | boolean,
): { value: unknown } | { error: 'integer' } {
  if (type === 'boolean') return { value: raw === true || raw === 'true' };
  if (type === 'integer') {
    const s = String(raw).trim();
    if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) return { error: 'integer' };
    return { value: Number(s) };
  }
  return { value: String(raw) };
}

// --- users ----------------------------------------------------------------

export interface ParentalForm {
  /** '' for no limit */
  max_age_rating: string;
  rating_country: string;
  allow_unrated: boolean;
  locked: boolean;
}

/** The PUT /admin/users/{id}/parental body, or the name of the bad field. */
export function parentalBody(f: ParentalForm): { body: Record<string, unknown> } | { field: string } {
  const country = f.rating_country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) return { field: 'rating_country' };
  let age: number | null = null;
  if (f.max_age_rating.trim() !== '') {
    age = Number(f.max_age_rating);
    if (!Number.isInteger(age) || age < 0 || age > 21) return { field: 'max_age_rating' };
  }
  return { body: { max_age_rating: age, rating_country: country, allow_unrated: f.allow_unrated, locked: f.locked } };
}

/** Append a page to a list, leaving out items already there (a list that changed between pages). */
export function appendPage<T>(old: T[], page: T[], key: (x: T) => string | number): T[] {
  const seen = new Set(old.map(key));
  return [...old, ...page.filter((x) => !seen.has(key(x)))];
}
