// When the player reports the playback position, and where it starts.
// Pure functions over plain numbers so the rules are unit-tested; the
// player feeds them the video element's events.

/** A report at most this often while playing (ms). */
export const SAVE_INTERVAL_MS = 10_000;
/** The server counts a play as complete past this share of the duration. */
export const COMPLETE_SHARE = 0.9;

export type SaveReason = 'tick' | 'pause' | 'seeked' | 'leave' | 'ended';

export interface SaveState {
  /** playback has really started (a 'playing' event); before it nothing is saved */
  started: boolean;
  /** the last position reported, whole seconds; null before the first report */
  lastPosition: number | null;
  /** when it was reported (ms, any monotonic clock) */
  lastAt: number;
}

export function initialSaveState(): SaveState {
  return { started: false, lastPosition: null, lastAt: 0 };
}

/** The position the server stores: whole seconds, never negative. */
export function wholeSeconds(t: number): number {
  return Number.isFinite(t) && t > 0 ? Math.round(t) : 0;
}

/**
 * Whether to report `position` now. Nothing before playback started (a
 * page opened and left at 0 must not wipe the saved resume position);
 * the end always (it completes the play); a tick only every
 * SAVE_INTERVAL_MS and not at 0; otherwise only when the whole-second
 * position moved.
 */
export function shouldSave(reason: SaveReason, position: number, s: SaveState, now: number): boolean {
  if (!s.started) return false;
  if (reason === 'ended') return true;
  const moved = s.lastPosition === null || wholeSeconds(position) !== s.lastPosition;
  if (!moved) return false;
  // the first seconds of a play are no position worth a report of their own
  if (reason === 'tick') return wholeSeconds(position) > 0 && now - s.lastAt >= SAVE_INTERVAL_MS;
  return true;
}

export function afterSave(s: SaveState, position: number, now: number): SaveState {
  return { ...s, lastPosition: wholeSeconds(position), lastAt: now };
}

/**
 * The least position worth resuming from: 30 s, but a tenth of a short
 * file (a 4 s clip resumes from 0.4 s).
 */
export function resumeThreshold(duration: number | null | undefined): number {
  return duration && duration > 0 ? Math.min(30, duration * 0.1) : 30;
}

/**
 * The saved position to offer "Resume from …" for, or null: too close to
 * the start, or past the line where the server counted the play complete.
 */
export function resumeOffer(position: number | null | undefined, duration: number | null | undefined): number | null {
  if (!position || position <= 0) return null;
  if (position < resumeThreshold(duration)) return null;
  if (duration && duration > 0 && position >= duration * COMPLETE_SHARE) return null;
  return position;
}

/**
 * `?t=` as a start position in seconds: a non-negative number ('90',
 * '12.5'), else null (absent or malformed, so the saved position counts).
 */
export function parseStart(t: string | null | undefined): number | null {
  if (t == null || !/^\d+(\.\d+)?$/.test(t.trim())) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** S01E02; specials are season 0 (S00E01). */
export function episodeCode(season: number, episode: number): string {
  return `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`;
}
