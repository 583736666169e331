import { describe, expect, it } from 'vitest';
import { adminKeys } from '../../messages/admin';
import { adminConnectKeys } from '../../messages/admin-connect';
import {
  CHANNEL_KINDS,
  channelBody,
  channelToForm,
  emptyChannelForm,
  emptyProviderForm,
  integrationBody,
  integrationToForm,
  mapToRows,
  NOTIFY_EVENTS,
  pathMapError,
  providerBody,
  providerToForm,
  redirectUri,
  roleMapRow,
  rowsToMap,
  secretLabel,
  splitAddresses,
  webhookAddress,
} from './forms';
import type { AuthProvider, Integration, NotificationChannel } from './types';

const provider: AuthProvider = {
  id: 'p1',
  slug: 'corp',
  display_name: 'Corp',
  issuer: 'https://id.example.com',
  client_id: 'revenge',
  has_secret: true,
  scopes: 'openid profile email',
  username_claim: 'preferred_username',
  email_claim: 'email',
  display_name_claim: 'name',
  roles_claim: 'groups',
  role_map: { admins: 'admin', family: 'user' },
  auto_create: true,
  enabled: true,
  is_default: false,
  created_at: '',
  updated_at: '',
};

describe('rows', () => {
  it('turn a map into rows and back, leaving blank rows out', () => {
    const rows = mapToRows({ a: '1', b: '2' });
    expect(rows).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    expect(rowsToMap([...rows, { key: ' ', value: '' }])).toEqual({ map: { a: '1', b: '2' } });
    expect(mapToRows(null)).toEqual([]);
  });
  it('name a half-filled row and a repeated key', () => {
    expect(rowsToMap([{ key: 'a', value: '' }])).toEqual({ row: 0, error: 'admin.rows.half' });
    expect(rowsToMap([{ key: 'a', value: '1' }, { key: '', value: '' }, { key: ' a', value: '2' }])).toEqual({ row: 2, error: 'admin.rows.duplicate' });
  });
});

describe('single sign-on provider form', () => {
  it('creates with the slug, defaults and no secret member when none is typed', () => {
    const f = { ...emptyProviderForm(), slug: 'corp', display_name: ' Corp ', issuer: 'https://id.example.com', client_id: 'x' };
    const b = providerBody(f);
    expect('body' in b && b.body).toMatchObject({
      slug: 'corp',
      display_name: 'Corp',
      scopes: 'openid profile email',
      roles_claim: null,
      role_map: {},
      enabled: true,
      is_default: false,
    });
    expect('body' in b && 'client_secret' in b.body).toBe(false);
  });
  it('never prefills the secret; sends it when typed and null when cleared; never the slug on update', () => {
    const f = providerToForm(provider);
    expect(f.client_secret).toBe('');
    expect(f.role_map).toEqual([
      { key: 'admins', value: 'admin' },
      { key: 'family', value: 'user' },
    ]);
    let b = providerBody(f, provider);
    expect('body' in b && b.body.slug).toBe(undefined);
    expect('body' in b && 'client_secret' in b.body).toBe(false);
    b = providerBody({ ...f, client_secret: 's3cret' }, provider);
    expect('body' in b && b.body.client_secret).toBe('s3cret');
    b = providerBody({ ...f, clear_secret: true }, provider);
    expect('body' in b && b.body.client_secret).toBe(null);
    b = providerBody({ ...f, roles_claim: ' ' }, provider);
    expect('body' in b && b.body.roles_claim).toBe(null);
  });
  it('refuses a half role-map row and finds the row a problem names', () => {
    const f = providerToForm(provider);
    expect(providerBody({ ...f, role_map: [{ key: 'x', value: '' }] })).toEqual({ row: 0, error: 'admin.rows.half' });
    expect(roleMapRow('role_map.family', f.role_map)).toBe(1);
    expect(roleMapRow('issuer', f.role_map)).toBe(null);
  });
  it('builds the redirect URI', () => {
    expect(redirectUri('https://media.example.com/', 'corp')).toBe('https://media.example.com/api/v1/auth/oidc/corp/callback');
    expect(redirectUri('https://m', '')).toBe('https://m/api/v1/auth/oidc/%3Cslug%3E/callback');
  });
});

describe('Radarr / Sonarr form', () => {
  const radarr: Integration = {
    kind: 'radarr',
    configured: true,
    webhook_url: '/api/v1/webhooks/radarr',
    enabled: true,
    base_url: 'http://radarr:7878',
    path_map: [{ remote: '/movies', local: '/srv/media/movies' }],
    sync_interval_minutes: 60,
    api_key_set: true,
  };
  it('a new one starts enabled with an empty path map', () => {
    const f = integrationToForm({ kind: 'sonarr', configured: false, webhook_url: '/api/v1/webhooks/sonarr' });
    expect(f).toMatchObject({ enabled: true, base_url: '', api_key: '', path_map: [], sync_interval_minutes: '360' });
  });
  it('sends the path map without blank rows and remembers which row each rule came from', () => {
    const f = integrationToForm(radarr);
    f.path_map = [{ remote: '', local: '' }, ...f.path_map, { remote: ' /tv ', local: '/srv/tv' }];
    const b = integrationBody(f);
    expect('body' in b && b.body).toEqual({
      enabled: true,
      base_url: 'http://radarr:7878',
      sync_interval_minutes: 60,
      path_map: [
        { remote: '/movies', local: '/srv/media/movies' },
        { remote: '/tv', local: '/srv/tv' },
      ],
    });
    expect('rowOf' in b && b.rowOf).toEqual([1, 2]);
    expect(pathMapError('path_map[1].local', [1, 2])).toEqual({ row: 2, side: 'local' });
    expect(pathMapError('base_url', [1, 2])).toBe(null);
  });
  it('sends the API key only when typed or cleared, and an empty base URL as null', () => {
    const f = integrationToForm(radarr);
    let b = integrationBody({ ...f, api_key: ' k3y ', base_url: ' ' });
    expect('body' in b && b.body.api_key).toBe('k3y');
    expect('body' in b && b.body.base_url).toBe(null);
    b = integrationBody({ ...f, clear_api_key: true });
    expect('body' in b && b.body.api_key).toBe(null);
  });
  it('refuses a path-map row with one side', () => {
    expect(integrationBody({ ...integrationToForm(radarr), path_map: [{ remote: '/movies', local: '' }] })).toEqual({ row: 0, error: 'admin.rows.half' });
  });
  it('builds the webhook address', () => {
    expect(webhookAddress('https://m.example/', '/api/v1/webhooks/radarr')).toBe('https://m.example/api/v1/webhooks/radarr');
  });
});

describe('notification channel form', () => {
  const hook: NotificationChannel = {
    id: 'c1',
    name: 'Hook',
    kind: 'webhook',
    enabled: true,
    events: ['library.scan_failed', 'content.added'],
    settings: { url: 'https://h.example/x', method: 'POST', headers: { 'X-A': '1' }, auth: 'bearer', template: '{{payload}}' },
    secret_set: true,
    created_at: '',
    updated_at: '',
    last_delivery: null,
  };
  it('sends only the settings of its kind', () => {
    const base = { ...emptyChannelForm(), name: 'x', url: 'https://g', smtp_host: 'smtp', from: 'a@b.c', to: 'x@y.z, q@r.s', username: 'u', priority: '7' };
    const settings = (kind: (typeof CHANNEL_KINDS)[number]) => {
      const b = channelBody({ ...base, kind });
      return 'body' in b ? b.body.settings : null;
    };
    expect(settings('webhook')).toEqual({ url: 'https://g', method: 'POST', auth: 'none' });
    expect(settings('discord')).toEqual({ username: 'u' });
    expect(settings('gotify')).toEqual({ url: 'https://g', priority: 7 });
    expect(settings('email')).toEqual({ smtp_host: 'smtp', security: 'starttls', from: 'a@b.c', to: ['x@y.z', 'q@r.s'], username: 'u' });
  });
  it('round-trips a channel: events in the documented order, no kind and no secret on update', () => {
    const f = channelToForm(hook);
    expect(f.template).toBe('');
    expect(f.secret).toBe('');
    const b = channelBody(f, hook);
    expect('body' in b && b.body).toEqual({
      name: 'Hook',
      enabled: true,
      events: ['content.added', 'library.scan_failed'],
      settings: { url: 'https://h.example/x', method: 'POST', headers: { 'X-A': '1' }, auth: 'bearer' },
    });
    const c = channelBody({ ...f, clear_secret: true }, hook);
    expect('body' in c && c.body.secret).toBe(null);
    const n = channelBody({ ...f, secret: 'tok' });
    expect('body' in n && n.body).toMatchObject({ kind: 'webhook', secret: 'tok' });
  });
  it('sends auth_header only with header auth and names a bad header row', () => {
    const f = { ...channelToForm(hook), auth: 'header' as const, auth_header: 'X-Token ' };
    const b = channelBody(f, hook);
    expect('body' in b && (b.body.settings as { auth_header?: string }).auth_header).toBe('X-Token');
    expect(channelBody({ ...f, headers: [{ key: '', value: 'v' }] }, hook)).toEqual({ row: 0, error: 'admin.rows.half' });
  });
  it('splits addresses and names the secret of each kind', () => {
    expect(splitAddresses(' a@b.c;d@e.f\ng@h.i ,')).toEqual(['a@b.c', 'd@e.f', 'g@h.i']);
    expect(secretLabel({ kind: 'webhook', auth: 'none' })).toBe(null);
    expect(secretLabel({ kind: 'webhook', auth: 'basic' })).toBe('admin.notify.secret.basic');
  });
});

describe('messages of the new admin pages', () => {
  it('define the keys built from values', () => {
    const known = new Set([...adminKeys, ...adminConnectKeys]);
    const keys = [
      'admin.rows.half',
      'admin.rows.duplicate',
      ...CHANNEL_KINDS.map((k) => 'admin.notify.kind.' + k),
      ...NOTIFY_EVENTS.map((e) => 'admin.notify.event.' + e.replace('.', '_')),
      ...['none', 'bearer', 'basic', 'header'].map((a) => 'admin.notify.auth.' + a),
      ...['starttls', 'starttls_optional', 'tls', 'none'].map((s) => 'admin.notify.security.' + s),
      ...['pending', 'sent', 'failed'].map((s) => 'admin.notify.status.' + s),
      ...['bearer', 'basic', 'header', 'discord', 'gotify', 'email'].map((k) => 'admin.notify.secret.' + k),
      ...['items', 'in_library', 'outside', 'hints_changed', 'rematched', 'scans', 'forgotten'].map((k) => 'admin.arr.count.' + k),
    ];
    expect(keys.filter((k) => !known.has(k))).toEqual([]);
  });
});
