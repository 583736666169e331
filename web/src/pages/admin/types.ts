// Shapes of the admin API answers (docs/openapi.yaml, components/schemas),
// only the members the pages read.

export type LibraryType = 'movie' | 'tvshow';
export type Visibility = 'all' | 'granted';

export interface Library {
  id: string;
  name: string;
  type: LibraryType;
  paths: string[];
  enabled: boolean;
  visibility: Visibility;
  scan_interval_minutes: number;
  metadata_language: string;
  extensions: string[] | null;
  exclude_patterns: string[];
  last_scan_at: string | null;
  created_at: string;
  updated_at: string;
  counts: { files?: number; movies?: number; series?: number; unmatched?: number };
  scanning: boolean;
}

export type ScanStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface ScanFiles {
  seen?: number;
  added?: number;
  changed?: number;
  unchanged?: number;
  missing?: number;
  removed?: number;
}

export interface Scan {
  id: number;
  library_id: string;
  scan_type: 'full' | 'incremental' | 'metadata';
  status: ScanStatus;
  job_id: number | null;
  files: ScanFiles;
  error_count: number;
  dirs_walked: number;
  message: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /** GET /libraries/{id}/scans/{scan_id} only */
  errors?: { path: string; error: string }[];
  elapsed_ms?: number | null;
}

export interface ScanQueued {
  scan_id: number;
  job_id: number;
  status: 'queued';
}

export interface Grant {
  user_id: string;
  username: string;
  level: 'view' | 'download' | 'manage';
  granted_at: string;
}

export interface Candidate {
  tmdb_id: number;
  title: string;
  year: number | null;
  confidence: number;
}

export interface UnmatchedFile {
  id: string;
  path: string;
  parsed: { title?: string | null; year?: number | null; type?: string | null; season?: number | null; episode?: number | null };
  match_status: 'unmatched' | 'local' | 'error';
  match_confidence: number | null;
  match_candidates: Candidate[] | null;
}

/** GET /admin/directories (the folder picker). */
export interface DirectoryListing {
  path: string | null;
  parent: string | null;
  directories: { name: string; path: string }[];
  truncated: boolean;
}

export interface User {
  id: string;
  username: string;
  display_name: string | null;
  avatar_url?: string | null;
  email: string;
  is_active: boolean;
  email_verified: boolean;
  last_login_at: string | null;
  roles: string[];
  created_at: string;
  updated_at: string;
}

export interface Invitation {
  id: string;
  role: string;
  email: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
  state: 'pending' | 'used' | 'expired' | 'revoked';
  /** only in the answer to POST /admin/invitations */
  token?: string;
}

export interface Parental {
  user_id: string;
  max_age_rating: number | null;
  rating_country: string;
  allow_unrated: boolean;
  locked: boolean;
  updated_at: string;
}

export interface Role {
  id: string;
  name: string;
  description: string;
  is_builtin: boolean;
  permissions: string[];
  user_count: number;
  /** every holder must log in with a second factor */
  mfa_required?: boolean;
}

export interface Permission {
  name: string;
  description: string;
}

export type JobState = 'available' | 'scheduled' | 'running' | 'retryable' | 'completed' | 'discarded' | 'cancelled';
export type JobPriority = 'critical' | 'high' | 'default' | 'low' | 'bulk';

export interface Job {
  id: number;
  kind: string;
  args: Record<string, unknown>;
  priority: JobPriority;
  state: JobState;
  attempt: number;
  max_attempts: number;
  run_at: string;
  errors: { attempt: number; at: string; error: string }[];
  cancel_requested: boolean;
  created_at: string;
  attempted_at: string | null;
  finalized_at: string | null;
}

export interface JobStats {
  by_priority: Record<string, Record<string, number>>;
  by_state: Record<string, number>;
}

export interface AuditEntry {
  id: number;
  at: string;
  user_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  success: boolean;
  error: string | null;
  ip: string | null;
  user_agent: string | null;
  old_values: unknown;
  new_values: unknown;
}

export interface AuditStats {
  total: number;
  by_action: { action: string; count: number; failed: number }[];
}

export interface ServerSetting {
  key: string;
  value: unknown;
  type: 'boolean' | 'integer' | 'string';
  public: boolean;
  secret: boolean;
  description: string;
  updated_at: string | null;
}

/** A single sign-on provider (GET /admin/auth/providers); the secret never comes back. */
export interface AuthProvider {
  id: string;
  slug: string;
  display_name: string;
  issuer: string;
  client_id: string;
  has_secret: boolean;
  scopes: string;
  username_claim: string;
  email_claim: string;
  display_name_claim: string;
  roles_claim: string | null;
  role_map: Record<string, string>;
  auto_create: boolean;
  enabled: boolean;
  is_default: boolean;
  created_at: string;
  updated_at: string;
}

export interface PathMapRule {
  remote: string;
  local: string;
}

/** Radarr or Sonarr (GET /admin/integrations). */
export interface Integration {
  kind: 'radarr' | 'sonarr';
  configured: boolean;
  /** the path behind this server's address */
  webhook_url: string;
  enabled?: boolean;
  base_url?: string | null;
  path_map?: PathMapRule[];
  sync_interval_minutes?: number;
  api_key_set?: boolean;
  created_at?: string;
  updated_at?: string;
  last_webhook?: { event_type?: string; received_at?: string; job_id?: number | null } | null;
  last_sync_at?: string | null;
  /** counts of the last sync: items, in_library, outside, hints_changed, rematched, scans, forgotten */
  last_sync?: Record<string, number> | null;
  webhooks_24h?: number;
  /** only in the answer that generated it */
  webhook_secret?: string;
}

export interface IntegrationStatus {
  kind: string;
  reachable: boolean;
  app_name?: string | null;
  instance_name?: string | null;
  version?: string | null;
}

export interface RootFolder {
  id?: number;
  path: string;
  local_path: string | null;
  accessible: boolean;
  free_space: number | null;
  library_id: string | null;
}

export type ChannelKind = 'webhook' | 'discord' | 'gotify' | 'email';

export interface ChannelSettings {
  url?: string;
  method?: 'POST' | 'PUT' | 'PATCH';
  headers?: Record<string, string>;
  auth?: 'none' | 'bearer' | 'basic' | 'header';
  auth_header?: string;
  template?: string;
  username?: string;
  priority?: number;
  smtp_host?: string;
  smtp_port?: number;
  security?: 'starttls' | 'starttls_optional' | 'tls' | 'none';
  from?: string;
  to?: string[];
}

/** A notification channel (GET /admin/notifications); its secret never comes back. */
export interface NotificationChannel {
  id: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  events: string[];
  settings: ChannelSettings;
  secret_set: boolean;
  created_at: string;
  updated_at: string;
  last_delivery: { id: number; event: string; status: string; created_at: string; sent_at: string | null; last_error: string | null } | null;
}

export interface NotificationDelivery {
  id: number;
  event: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  job_id: number | null;
  response_status: number | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}
