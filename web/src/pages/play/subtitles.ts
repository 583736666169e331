// External subtitles: the <track> URL, a label per track, and a fallback
// for a server that does not convert to WebVTT yet (`?format=vtt` refused):
// the SubRip text is parsed here and its cues added through the TextTrack
// API, which needs no URL (CSP allows no blob: or data: sources).

export interface SubtitleFile {
  index: number;
  language: string | null;
  forced: boolean;
  format: string | null;
  url: string;
}

export interface Cue {
  start: number;
  end: number;
  text: string;
}

/** The WebVTT form of a subtitle file's URL. */
export function vttUrl(url: string): string {
  return url + (url.includes('?') ? '&' : '?') + 'format=vtt';
}

/** '00:01:02,500' or '01:02.5' → seconds; NaN when malformed. */
export function parseTimestamp(s: string): number {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$/.exec(s.trim());
  if (!m) return NaN;
  const [, h, min, sec, frac] = m;
  return (h ? Number(h) * 3600 : 0) + Number(min) * 60 + Number(sec) + (frac ? Number(frac.padEnd(3, '0')) / 1000 : 0);
}

/**
 * The cues of a SubRip (or WebVTT) text: blocks separated by blank lines,
 * each with a `start --> end` line and the text after it. Markup tags
 * (<i>, {\an8}) are dropped; blocks without a valid timing are skipped.
 */
export function parseSubRip(text: string): Cue[] {
  const cues: Cue[] = [];
  const blocks = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n');
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0) continue;
    const [a, b] = lines[at].split('-->');
    const start = parseTimestamp(a);
    const end = parseTimestamp(b.trim().split(/\s+/)[0] ?? '');
    if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) continue;
    const body = lines
      .slice(at + 1)
      .map((l) => l.replace(/<[^>]*>/g, '').replace(/\{\\[^}]*\}/g, ''))
      .join('\n')
      .trim();
    if (body) cues.push({ start, end, text: body });
  }
  return cues;
}

/** The language's name in the interface language ('en' in German: 'Englisch'). */
export function languageName(code: string | null, uiLang: string): string | null {
  if (!code) return null;
  try {
    return new Intl.DisplayNames([uiLang], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * A label per subtitle: its language's name, numbered when several share
 * one ('English', 'English 2'); `unknown` for those without a language.
 */
export function subtitleLabels(subs: SubtitleFile[], uiLang: string, unknown: string, forced: string): string[] {
  const seen = new Map<string, number>();
  return subs.map((s) => {
    let base = languageName(s.language, uiLang) ?? unknown;
    if (s.forced) base = `${base} (${forced})`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n > 1 ? `${base} ${n}` : base;
  });
}
