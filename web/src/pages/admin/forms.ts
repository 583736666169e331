// The pure parts of the single sign-on, Radarr/Sonarr and notification
// pages: a form's state from what the API answered, and the request body
// back from the form; rows (role map, path map, headers) to objects and the
// row an error names. Secrets are write-only: a form never holds a stored
// one, only what was typed (sent when not empty) or "clear it" (null).
import type { AuthProvider, ChannelKind, ChannelSettings, Integration, NotificationChannel, PathMapRule } from './types';

/** One row of a value → value map (role map, extra headers). */
export interface PairRow {
  key: string;
  value: string;
}

/** A bad row: its index and the message key saying what is wrong. */
export interface RowError {
  row: number;
  error: 'admin.rows.half' | 'admin.rows.duplicate';
}

export function mapToRows(map: Record<string, string> | null | undefined): PairRow[] {
  return Object.entries(map ?? {}).map(([key, value]) => ({ key, value }));
}

/**
 * An object from rows: blank rows are left out; a row with only one side
 * filled, or a key given twice, is an error naming the row.
 */
export function rowsToMap(rows: PairRow[]): { map: Record<string, string> } | RowError {
  const map: Record<string, string> = {};
  for (let i = 0; i < rows.length; i++) {
    const key = rows[i].key.trim();
    const value = rows[i].value.trim();
    if (!key && !value) continue;
    if (!key || !value) return { row: i, error: 'admin.rows.half' };
    if (Object.prototype.hasOwnProperty.call(map, key)) return { row: i, error: 'admin.rows.duplicate' };
    map[key] = value;
  }
  return { map };
}

/** What to send for a write-only secret: typed → it, cleared → null, else nothing. */
function secretMember(typed: string, clear: boolean): string | null | undefined {
  if (clear) return null;
  return typed !== '' ? typed : undefined;
}

// ---- single sign-on providers ----

export const SLUG_PATTERN = '[a-z0-9][a-z0-9\\-]{0,31}';

export interface ProviderForm {
  slug: string;
  display_name: string;
  issuer: string;
  client_id: string;
  /** typed only; never the stored one */
  client_secret: string;
  clear_secret: boolean;
  scopes: string;
  username_claim: string;
  email_claim: string;
  display_name_claim: string;
  roles_claim: string;
  role_map: PairRow[];
  auto_create: boolean;
  enabled: boolean;
  is_default: boolean;
}

export function emptyProviderForm(): ProviderForm {
  return {
    slug: '',
    display_name: '',
    issuer: 'https://',
    client_id: '',
    client_secret: '',
    clear_secret: false,
    scopes: 'openid profile email',
    username_claim: 'preferred_username',
    email_claim: 'email',
    display_name_claim: 'name',
    roles_claim: '',
    role_map: [],
    auto_create: false,
    enabled: true,
    is_default: false,
  };
}

export function providerToForm(p: AuthProvider): ProviderForm {
  return {
    slug: p.slug,
    display_name: p.display_name,
    issuer: p.issuer,
    client_id: p.client_id,
    client_secret: '',
    clear_secret: false,
    scopes: p.scopes,
    username_claim: p.username_claim,
    email_claim: p.email_claim,
    display_name_claim: p.display_name_claim,
    roles_claim: p.roles_claim ?? '',
    role_map: mapToRows(p.role_map),
    auto_create: p.auto_create,
    enabled: p.enabled,
    is_default: p.is_default,
  };
}

/**
 * The body of POST (no `existing`) or PUT: every member of the form (the
 * slug only on create), the secret only when typed or cleared, an empty
 * roles claim as null. A bad role-map row is returned instead.
 */
export function providerBody(f: ProviderForm, existing?: AuthProvider): { body: Record<string, unknown> } | RowError {
  const roles = rowsToMap(f.role_map);
  if (!('map' in roles)) return roles;
  const body: Record<string, unknown> = {
    display_name: f.display_name.trim(),
    issuer: f.issuer.trim(),
    client_id: f.client_id.trim(),
    scopes: f.scopes.trim().replace(/\s+/g, ' '),
    username_claim: f.username_claim.trim(),
    email_claim: f.email_claim.trim(),
    display_name_claim: f.display_name_claim.trim(),
    roles_claim: f.roles_claim.trim() || null,
    role_map: roles.map,
    auto_create: f.auto_create,
    enabled: f.enabled,
    is_default: f.is_default,
  };
  if (!existing) body.slug = f.slug.trim();
  const secret = secretMember(f.client_secret, !!existing && f.clear_secret);
  if (secret !== undefined) body.client_secret = secret;
  return { body };
}

/** The redirect URI to register at the provider (docs/internals/oidc.md). */
export function redirectUri(origin: string, slug: string): string {
  return `${origin.replace(/\/+$/, '')}/api/v1/auth/oidc/${encodeURIComponent(slug || '<slug>')}/callback`;
}

/** The role-map row a problem names (`role_map.<value>`), if any. */
export function roleMapRow(field: string | undefined, rows: PairRow[]): number | null {
  if (!field?.startsWith('role_map.')) return null;
  const value = field.slice('role_map.'.length);
  const i = rows.findIndex((r) => r.key.trim() === value);
  return i < 0 ? null : i;
}

// ---- Radarr / Sonarr ----

export interface IntegrationForm {
  enabled: boolean;
  base_url: string;
  /** typed only; never the stored one */
  api_key: string;
  clear_api_key: boolean;
  sync_interval_minutes: string;
  path_map: PathMapRule[];
}

export function integrationToForm(i: Integration): IntegrationForm {
  return {
    enabled: i.configured ? i.enabled !== false : true,
    base_url: i.base_url ?? '',
    api_key: '',
    clear_api_key: false,
    sync_interval_minutes: String(i.sync_interval_minutes ?? 360),
    path_map: (i.path_map ?? []).map((r) => ({ ...r })),
  };
}

/**
 * The PUT body: the path map without blank rows (`rowOf[j]` is the form
 * row of rule j, to show a `path_map[j].remote` error at its row); a row
 * with one side only is an error.
 */
export function integrationBody(
  f: IntegrationForm,
): { body: Record<string, unknown>; rowOf: number[] } | { row: number; error: 'admin.rows.half' } {
  const rules: PathMapRule[] = [];
  const rowOf: number[] = [];
  for (let i = 0; i < f.path_map.length; i++) {
    const remote = f.path_map[i].remote.trim();
    const local = f.path_map[i].local.trim();
    if (!remote && !local) continue;
    if (!remote || !local) return { row: i, error: 'admin.rows.half' };
    rules.push({ remote, local });
    rowOf.push(i);
  }
  const body: Record<string, unknown> = {
    enabled: f.enabled,
    base_url: f.base_url.trim() || null,
    path_map: rules,
  };
  const n = Number(f.sync_interval_minutes);
  if (f.sync_interval_minutes.trim() !== '' && Number.isInteger(n)) body.sync_interval_minutes = n;
  const key = secretMember(f.api_key.trim(), f.clear_api_key);
  if (key !== undefined) body.api_key = key;
  return { body, rowOf };
}

/** The form row and side a problem names (`path_map[j].remote`), if any. */
export function pathMapError(field: string | undefined, rowOf: number[]): { row: number; side: 'remote' | 'local' | null } | null {
  const m = /^path_map\[(\d+)\](?:\.(remote|local))?$/.exec(field ?? '');
  if (!m) return null;
  const j = Number(m[1]);
  return { row: rowOf[j] ?? j, side: (m[2] as 'remote' | 'local' | undefined) ?? null };
}

/** The webhook address to paste into Radarr/Sonarr. */
export function webhookAddress(origin: string, path: string): string {
  return origin.replace(/\/+$/, '') + path;
}

// ---- notifications ----

/** The events a channel may send (NotificationChannelCreate.events). */
export const NOTIFY_EVENTS = [
  'content.added',
  'content.removed',
  'library.scan_finished',
  'library.scan_failed',
  'user.created',
  'auth.lockout',
  'auth.new_login',
  'system.worker_down',
  'system.tmdb_failing',
] as const;

export const CHANNEL_KINDS: ChannelKind[] = ['webhook', 'discord', 'gotify', 'email'];

export interface ChannelForm {
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  events: string[];
  url: string;
  method: NonNullable<ChannelSettings['method']>;
  headers: PairRow[];
  auth: NonNullable<ChannelSettings['auth']>;
  auth_header: string;
  template: string;
  username: string;
  priority: string;
  smtp_host: string;
  smtp_port: string;
  security: NonNullable<ChannelSettings['security']>;
  from: string;
  /** addresses, separated by commas or lines */
  to: string;
  /** typed only; never the stored one */
  secret: string;
  clear_secret: boolean;
}

export function emptyChannelForm(kind: ChannelKind = 'webhook'): ChannelForm {
  return {
    name: '',
    kind,
    enabled: true,
    events: [],
    url: '',
    method: 'POST',
    headers: [],
    auth: 'none',
    auth_header: '',
    template: '',
    username: '',
    priority: '5',
    smtp_host: '',
    smtp_port: '',
    security: 'starttls',
    from: '',
    to: '',
    secret: '',
    clear_secret: false,
  };
}

export function channelToForm(c: NotificationChannel): ChannelForm {
  const s = c.settings ?? {};
  const f = emptyChannelForm(c.kind);
  return {
    ...f,
    name: c.name,
    enabled: c.enabled,
    events: [...c.events],
    url: s.url ?? '',
    method: s.method ?? 'POST',
    headers: mapToRows(s.headers),
    auth: s.auth ?? 'none',
    auth_header: s.auth_header ?? '',
    template: s.template && s.template !== '{{payload}}' ? s.template : '',
    username: s.username ?? '',
    priority: s.priority === undefined ? '5' : String(s.priority),
    smtp_host: s.smtp_host ?? '',
    smtp_port: s.smtp_port === undefined ? '' : String(s.smtp_port),
    security: s.security ?? 'starttls',
    from: s.from ?? '',
    to: (s.to ?? []).join(', '),
  };
}

/** The addresses of the "to" field. */
export function splitAddresses(s: string): string[] {
  return s
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** The settings the channel's kind takes, and no other (the server refuses those). */
export function channelSettings(f: ChannelForm): { settings: ChannelSettings } | RowError {
  const s: ChannelSettings = {};
  switch (f.kind) {
    case 'webhook': {
      const headers = rowsToMap(f.headers);
      if (!('map' in headers)) return headers;
      s.url = f.url.trim();
      s.method = f.method;
      if (Object.keys(headers.map).length) s.headers = headers.map;
      s.auth = f.auth;
      if (f.auth === 'header') s.auth_header = f.auth_header.trim();
      if (f.template.trim()) s.template = f.template;
      break;
    }
    case 'discord':
      if (f.username.trim()) s.username = f.username.trim();
      break;
    case 'gotify':
      s.url = f.url.trim();
      if (f.priority.trim() !== '') s.priority = Number(f.priority);
      break;
    case 'email':
      s.smtp_host = f.smtp_host.trim();
      if (f.smtp_port.trim() !== '') s.smtp_port = Number(f.smtp_port);
      s.security = f.security;
      s.from = f.from.trim();
      s.to = splitAddresses(f.to);
      if (f.username.trim()) s.username = f.username.trim();
      break;
  }
  return { settings: s };
}

/** The body of POST (no `existing`: with the kind) or PUT (settings replaced whole). */
export function channelBody(f: ChannelForm, existing?: NotificationChannel): { body: Record<string, unknown> } | RowError {
  const s = channelSettings(f);
  if (!('settings' in s)) return s;
  const body: Record<string, unknown> = {
    name: f.name.trim(),
    enabled: f.enabled,
    events: NOTIFY_EVENTS.filter((e) => f.events.includes(e)),
    settings: s.settings,
  };
  if (!existing) body.kind = f.kind;
  const secret = secretMember(f.secret, !!existing && f.clear_secret);
  if (secret !== undefined) body.secret = secret;
  return { body };
}

/** Whether the kind has a secret, and which message key names it. */
export function secretLabel(f: Pick<ChannelForm, 'kind' | 'auth'>): string | null {
  switch (f.kind) {
    case 'webhook':
      return f.auth === 'none' ? null : 'admin.notify.secret.' + f.auth;
    case 'discord':
      return 'admin.notify.secret.discord';
    case 'gotify':
      return 'admin.notify.secret.gotify';
    case 'email':
      return 'admin.notify.secret.email';
  }
}
