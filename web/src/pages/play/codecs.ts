// Whether this browser can play a file, decided before playing from what
// the server's probe found (container, video codec, audio codecs) and the
// browser's own canPlayType. No transcoding exists yet, so a file the
// browser cannot decode is offered as a download instead.
//
// Why not only the video element's `error` event: Chromium plays a
// Matroska file with HEVC video as sound over a black picture and an AC-3
// track as a silent picture, without any error. The probe tells us first.

/** The streams of a file as GET …/files describes them. */
export interface ProbedFile {
  rel_path: string;
  container: string | null;
  video_codec: string | null;
  audio: { codec?: string | null; default?: boolean }[] | null;
}

/** canPlayType of an HTMLMediaElement: '', 'maybe' or 'probably'. */
export type CanPlay = (type: string) => string;

export interface Problem {
  kind: 'container' | 'video' | 'audio';
  /** a display name: 'HEVC', 'AC-3', 'AVI' */
  name: string;
}

/**
 * yes: every part is playable; maybe: something is unknown (try it);
 * audio: the picture plays but the audio track cannot (plays silent);
 * no: the container or the video cannot be played.
 */
export interface Playability {
  verdict: 'yes' | 'maybe' | 'audio' | 'no';
  problems: Problem[];
}

interface Codec {
  /** the RFC 6381 codecs string to ask canPlayType; null: no browser decodes it */
  id: string | null;
  name: string;
}

// ffprobe codec_name → what to ask the browser.
const VIDEO: Record<string, Codec> = {
  h264: { id: 'avc1.64001f', name: 'H.264' },
  hevc: { id: 'hvc1.1.6.L93.B0', name: 'HEVC' },
  h265: { id: 'hvc1.1.6.L93.B0', name: 'HEVC' },
  av1: { id: 'av01.0.08M.08', name: 'AV1' },
  vp9: { id: 'vp09.00.10.08', name: 'VP9' },
  vp8: { id: 'vp8', name: 'VP8' },
  theora: { id: 'theora', name: 'Theora' },
  mpeg4: { id: 'mp4v.20.8', name: 'MPEG-4 Part 2' },
  mpeg2video: { id: null, name: 'MPEG-2' },
  mpeg1video: { id: null, name: 'MPEG-1' },
  vc1: { id: null, name: 'VC-1' },
  wmv3: { id: null, name: 'WMV 9' },
  msmpeg4v3: { id: null, name: 'DivX 3' },
  prores: { id: null, name: 'ProRes' },
};

const AUDIO: Record<string, Codec> = {
  aac: { id: 'mp4a.40.2', name: 'AAC' },
  mp3: { id: 'mp3', name: 'MP3' },
  opus: { id: 'opus', name: 'Opus' },
  vorbis: { id: 'vorbis', name: 'Vorbis' },
  flac: { id: 'flac', name: 'FLAC' },
  ac3: { id: 'ac-3', name: 'AC-3' },
  eac3: { id: 'ec-3', name: 'E-AC-3' },
  dts: { id: 'dtsc', name: 'DTS' },
  truehd: { id: 'mlpa', name: 'TrueHD' },
  alac: { id: 'alac', name: 'ALAC' },
};

function extension(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/**
 * The MIME type to ask canPlayType for, from ffprobe's format_name (which
 * names Matroska and WebM alike, so the extension decides) and the file
 * name; null when neither is known. QuickTime files share MP4's demuxer.
 */
export function containerType(container: string | null, relPath: string): { type: string; name: string } | null {
  const ext = extension(relPath);
  const c = (container ?? '').toLowerCase();
  if (c.includes('matroska') || c === 'webm' || ['mkv', 'mk3d', 'webm'].includes(ext))
    return ext === 'webm' ? { type: 'video/webm', name: 'WebM' } : { type: 'video/x-matroska', name: 'Matroska' };
  if (c.includes('mp4') || c.includes('mov') || ['mp4', 'm4v', 'mov'].includes(ext)) return { type: 'video/mp4', name: 'MP4' };
  if (c === 'mpegts' || ['ts', 'm2ts', 'mts'].includes(ext)) return { type: 'video/mp2t', name: 'MPEG-TS' };
  if (c === 'avi' || ext === 'avi') return { type: 'video/x-msvideo', name: 'AVI' };
  if (c === 'ogg' || ext === 'ogv') return { type: 'video/ogg', name: 'Ogg' };
  if (c === 'asf' || ext === 'wmv') return { type: 'video/x-ms-wmv', name: 'WMV' };
  if (c === 'flv' || ext === 'flv') return { type: 'video/x-flv', name: 'FLV' };
  if (c === 'mpeg' || ['mpg', 'mpeg', 'vob'].includes(ext)) return { type: 'video/mpeg', name: 'MPEG-PS' };
  return null;
}

/** The codecs string of an ffprobe video codec name, or null when unknown or undecodable. */
export function videoCodecId(codec: string | null | undefined): string | null {
  return (codec && VIDEO[codec.toLowerCase()]?.id) || null;
}

export function audioCodecId(codec: string | null | undefined): string | null {
  return (codec && AUDIO[codec.toLowerCase()]?.id) || null;
}

/** A display name for a codec: 'HEVC' for hevc, the upper-cased name for one we do not know. */
export function codecName(codec: string, kind: 'video' | 'audio'): string {
  const table = kind === 'video' ? VIDEO : AUDIO;
  return table[codec.toLowerCase()]?.name ?? codec.toUpperCase();
}

/** The audio track a browser plays: the default one, else the first. */
function playedAudio(file: ProbedFile): string | null {
  const a = file.audio ?? [];
  return (a.find((x) => x.default) ?? a[0])?.codec ?? null;
}

/** Ask the browser about the file's container, video and played audio track. */
export function playability(file: ProbedFile, canPlay: CanPlay): Playability {
  const problems: Problem[] = [];
  let unknown = false;
  const ct = containerType(file.container, file.rel_path);
  if (!ct) unknown = true;
  else if (canPlay(ct.type) === '') return { verdict: 'no', problems: [{ kind: 'container', name: ct.name }] };
  const type = ct?.type ?? 'video/mp4';

  let videoBad = false;
  if (file.video_codec) {
    const known = VIDEO[file.video_codec.toLowerCase()];
    if (!known) unknown = true;
    else if (!known.id || canPlay(`${type}; codecs="${known.id}"`) === '') videoBad = true;
    if (videoBad) problems.push({ kind: 'video', name: codecName(file.video_codec, 'video') });
  }

  const audio = playedAudio(file);
  let audioBad = false;
  if (audio) {
    const known = AUDIO[audio.toLowerCase()];
    if (!known) unknown = true;
    else if (!known.id || canPlay(`${type}; codecs="${known.id}"`) === '') audioBad = true;
    if (audioBad) problems.push({ kind: 'audio', name: codecName(audio, 'audio') });
  }

  if (videoBad || (audioBad && !file.video_codec)) return { verdict: 'no', problems };
  if (audioBad) return { verdict: 'audio', problems };
  return { verdict: unknown ? 'maybe' : 'yes', problems };
}
