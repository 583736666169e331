// The shapes of the catalogue answers the viewer's pages read, as
// docs/openapi.yaml describes them (only the fields the pages use).

export interface UserData {
  position_seconds: number;
  watched: boolean;
  play_count: number;
  last_played_at: string | null;
}

export interface MovieItem {
  id: string;
  title: string;
  original_title?: string | null;
  year: number | null;
  release_date?: string | null;
  runtime: number | null;
  overview?: string | null;
  vote_average?: number | null;
  vote_count?: number | null;
  poster_url: string | null;
  added_at?: string;
  file_count?: number;
  user_data: UserData | null;
}

export interface NamedRef {
  id: number | string;
  name: string;
}

export interface Version {
  file_id: string;
  label: string | null;
  stream_url: string;
}

export interface MovieDetail extends MovieItem {
  tagline: string | null;
  backdrop_url: string | null;
  age_rating: { certification: string; country: string; min_age: number | null } | null;
  collection: { id: string; name: string } | null;
  genres: NamedRef[];
  directors: { person_id: string; name: string }[];
  versions: Version[];
}

export interface Credit {
  person_id: string;
  name: string;
  character: string | null;
  job: string | null;
  department: string | null;
  profile_url: string | null;
}

export interface Collection {
  id: string;
  name: string;
  overview: string | null;
  poster_url: string | null;
  movie_count: number;
}

export interface AudioStream {
  codec: string | null;
  channels: number | null;
  layout: string | null;
  language: string | null;
}

export interface MediaFile {
  id: string;
  size: number;
  container: string | null;
  duration_ms: number | null;
  video_codec: string | null;
  width: number | null;
  height: number | null;
  resolution: '2160p' | '1080p' | '720p' | 'sd' | null;
  dynamic_range: string | null;
  audio: AudioStream[] | null;
  embedded_subtitles: { language: string | null }[] | null;
  subtitles: { language: string | null }[];
  version: string | null;
}

export interface SeriesItem {
  id: string;
  title: string;
  year: number | null;
  first_air_date?: string | null;
  status?: string | null;
  overview?: string | null;
  vote_average?: number | null;
  poster_url: string | null;
  file_count?: number;
}

export interface SeasonItem {
  id: string;
  series_id?: string;
  season_number: number;
  name: string | null;
  overview?: string | null;
  air_date: string | null;
  poster_url?: string | null;
  episode_count: number;
}

export interface SeriesDetail extends SeriesItem {
  tagline: string | null;
  backdrop_url: string | null;
  age_rating: { certification: string } | null;
  genres: NamedRef[];
  networks: NamedRef[];
  seasons: SeasonItem[];
  episode_count: number;
  user_data: { watched_episodes: number; last_played_at: string | null };
}

export interface SeasonDetail extends SeasonItem {
  series: { id: string; title: string; poster_url: string | null };
  watched_episodes: number;
}

export interface EpisodeItem {
  id: string;
  series_id: string;
  series_title: string;
  season_id: string;
  season_number: number;
  episode_number: number;
  title: string | null;
  overview: string | null;
  air_date: string | null;
  runtime: number | null;
  still_url: string | null;
  series_poster_url: string | null;
  vote_average?: number | null;
  has_file: boolean;
  user_data: UserData | null;
}

export interface EpisodeDetail extends EpisodeItem {
  season: { id: string; season_number: number; name: string | null };
  previous_id: string | null;
  next_id: string | null;
  versions: Version[];
  /** as TMDb gave them: no person pages, no photos */
  guest_stars?: { tmdb_id: number | null; name: string; character: string | null }[];
}

export interface WatchState {
  position_seconds: number;
  duration_seconds: number | null;
  percent: number | null;
  watched: boolean;
}

export interface Genre {
  id: number;
  name: string;
  movie_count?: number;
}

export type MultiHit =
  | { type: 'movie'; score: number; item: MovieItem }
  | { type: 'series'; score: number; item: SeriesItem }
  | { type: 'episode'; score: number; item: EpisodeItem };

export interface Suggestion {
  id: string;
  title: string;
  year: number | null;
  poster_url: string | null;
}
