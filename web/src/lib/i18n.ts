// Interface languages: the same set as metadata (en, de, fr, es, ja).
// Each area of the client registers its own messages (src/messages/*.ts),
// so pages can be added without touching one shared dictionary. English is
// the fallback for a missing key; a key missing everywhere shows itself.

export const LANGUAGES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type Lang = (typeof LANGUAGES)[number];
export type Dict = Record<string, string>;
export type Messages = Record<Lang, Dict>;

const dicts: Record<Lang, Dict> = { en: {}, de: {}, fr: {}, es: {}, ja: {} };
let current: Lang = 'en';
const listeners = new Set<() => void>();

export function register(messages: Messages): void {
  for (const l of LANGUAGES) Object.assign(dicts[l], messages[l]);
}

export function isLang(x: unknown): x is Lang {
  return typeof x === 'string' && (LANGUAGES as readonly string[]).includes(x);
}

/**
 * The interface language: the user's display_language when it is one of
 * ours, else the first of the browser's languages we have, else English.
 */
export function pickLang(preferred: string | null | undefined, browser: readonly string[]): Lang {
  if (preferred && isLang(preferred)) return preferred;
  for (const b of browser) {
    const base = b.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

export function setLang(l: Lang): void {
  if (l === current) return;
  current = l;
  if (typeof document !== 'undefined') document.documentElement.lang = l;
  listeners.forEach((fn) => fn());
}

export function lang(): Lang {
  return current;
}

export function onLangChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The message for key, with {name} placeholders filled from vars. */
export function t(key: string, vars?: Record<string, string | number>): string {
  const s = dicts[current][key] ?? dicts.en[key] ?? key;
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Every key some language defines but another lacks (for the unit test). */
export function missingKeys(): Record<Lang, string[]> {
  const all = new Set<string>();
  for (const l of LANGUAGES) Object.keys(dicts[l]).forEach((k) => all.add(k));
  const out = {} as Record<Lang, string[]>;
  for (const l of LANGUAGES) out[l] = [...all].filter((k) => !(k in dicts[l]));
  return out;
}

// --- locale formatting -----------------------------------------------------

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(current).format(n);
}

export function formatDate(iso: string | null | undefined, opts: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }): string {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? iso + 'T00:00:00' : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(current, opts).format(d);
}

export function formatDateTime(iso: string | null | undefined): string {
  return formatDate(iso, { dateStyle: 'medium', timeStyle: 'short' });
}

/** 5400 → '1:30:00', 95 → '1:35'. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.floor(seconds % 60);
  const m = Math.floor((seconds / 60) % 60);
  const h = Math.floor(seconds / 3600);
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return (h > 0 ? `${h}:` : '') + `${mm}:${String(s).padStart(2, '0')}`;
}

/** Runtime in minutes as the locale writes it: '1 h 42 min'. */
export function formatRuntime(minutes: number | null | undefined): string {
  if (!minutes) return '';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? t('common.runtime_hm', { h, m }) : t('common.runtime_m', { m });
}

export function formatBytes(n: number | null | undefined): string {
  if (n == null) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(current, { maximumFractionDigits: i ? 1 : 0 }).format(v)} ${units[i]}`;
}
