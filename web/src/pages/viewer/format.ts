// How the viewer's pages name and describe things: episodes without a
// title, seasons without a name, watch progress, a file's technical line.
import { formatBytes, formatDuration, lang, t } from '../../lib/i18n';
import { episodeCode } from './search-logic';
import type { EpisodeItem, MediaFile, SeasonItem, UserData } from './types';

export { episodeCode };

/** The episode's title, else 'Episode 3'. */
export function episodeTitle(e: Pick<EpisodeItem, 'title' | 'episode_number'>): string {
  return e.title || t('viewer.episode_n', { n: e.episode_number });
}

/** The season's name, else 'Season 2' or 'Specials' for season 0. */
export function seasonName(s: Pick<SeasonItem, 'name' | 'season_number'>): string {
  if (s.name) return s.name;
  return s.season_number === 0 ? t('viewer.specials') : t('viewer.season_n', { n: s.season_number });
}

/**
 * How far the user got, 0..1, or undefined when unknown or not started.
 * The lists' user_data carries the position but no duration, so the
 * duration comes from the runtime (minutes) or a separate progress answer.
 */
export function progressOf(position: number | null | undefined, durationSeconds: number | null | undefined): number | undefined {
  if (!position || position <= 0 || !durationSeconds || durationSeconds <= 0) return undefined;
  return Math.min(1, position / durationSeconds);
}

/** A resume point worth offering: started, and not watched to the end. */
export function resumePosition(u: UserData | null | undefined): number | undefined {
  if (!u || u.watched || !u.position_seconds || u.position_seconds < 1) return undefined;
  return u.position_seconds;
}

/** '7.5' in the locale's digits, or '' without a rating. */
export function ratingText(vote: number | null | undefined): string {
  if (vote == null || !(vote > 0)) return '';
  return new Intl.NumberFormat(lang(), { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(vote);
}

const RES_LABEL: Record<string, string> = { '2160p': '4K', '1080p': '1080p', '720p': '720p', sd: 'SD' };

/** The parts of a file's technical description, each '' when unknown. */
export function fileFacts(f: MediaFile): { resolution: string; video: string; audio: string; subtitles: string; size: string; duration: string } {
  const res = f.resolution ? RES_LABEL[f.resolution] ?? f.resolution : '';
  const dims = f.width && f.height ? `${f.width}×${f.height}` : '';
  const video = [f.video_codec?.toUpperCase(), f.dynamic_range && f.dynamic_range !== 'SDR' ? f.dynamic_range : '']
    .filter(Boolean)
    .join(' ');
  const audio = (f.audio ?? [])
    .map((a) => [a.codec?.toUpperCase(), a.layout ?? (a.channels ? `${a.channels} ch` : ''), a.language ? `(${a.language})` : '']
      .filter(Boolean)
      .join(' '))
    .join(', ');
  const subs = [...(f.embedded_subtitles ?? []), ...f.subtitles].map((s) => s.language ?? '?');
  return {
    resolution: [res, dims && `(${dims})`].filter(Boolean).join(' '),
    video,
    audio,
    subtitles: [...new Set(subs)].join(', '),
    size: formatBytes(f.size),
    duration: f.duration_ms ? formatDuration(Math.round(f.duration_ms / 1000)) : '',
  };
}

/** The name of a version: its label, else the resolution, else 'Version 2'. */
export function versionName(label: string | null | undefined, resolution: string | null | undefined, index: number): string {
  if (label) return label;
  if (resolution) return RES_LABEL[resolution] ?? resolution;
  return t('viewer.version_n', { n: index + 1 });
}
