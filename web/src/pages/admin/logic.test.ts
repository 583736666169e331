import { describe, expect, it } from 'vitest';
import {
  activeScan,
  activityParams,
  appendPage,
  breadcrumbs,
  dayStart,
  emptyLibraryForm,
  exportHref,
  filtersFromQuery,
  groupPermissions,
  isInside,
  jobActions,
  JOB_PRIORITIES,
  JOB_STATES,
  libraryCreateBody,
  libraryToForm,
  libraryUpdateBody,
  mergeScan,
  nextPollDelay,
  parentalBody,
  parseExtensions,
  parseSettingValue,
  permDiff,
  pickerUnavailable,
} from './logic';
import type { Library, Scan } from './types';
import { adminKeys } from '../../messages/admin';
import { adminConnectKeys } from '../../messages/admin-connect';

const lib: Library = {
  id: 'l1',
  name: 'Movies',
  type: 'movie',
  paths: ['/srv/media/Movies'],
  enabled: true,
  visibility: 'all',
  scan_interval_minutes: 360,
  metadata_language: 'en',
  extensions: null,
  exclude_patterns: [],
  last_scan_at: null,
  created_at: '',
  updated_at: '',
  counts: {},
  scanning: false,
};

function scan(id: number, status: Scan['status'], seen = 0): Scan {
  return {
    id,
    library_id: 'l1',
    scan_type: 'incremental',
    status,
    job_id: 1,
    files: { seen },
    error_count: 0,
    dirs_walked: 0,
    message: null,
    created_at: '',
    started_at: null,
    finished_at: null,
    duration_ms: null,
  };
}

describe('library form', () => {
  it('builds a create body without blank paths and with typed numbers', () => {
    const f = { ...emptyLibraryForm(), name: '  Films ', paths: [' /a/b ', '', '/c'], scan_interval_minutes: '0', exclude_patterns: 'sample\n\n*.part\n' };
    expect(libraryCreateBody(f)).toEqual({
      name: 'Films',
      type: 'movie',
      paths: ['/a/b', '/c'],
      enabled: true,
      visibility: 'all',
      metadata_language: 'en',
      exclude_patterns: ['sample', '*.part'],
      scan_interval_minutes: 0,
    });
  });
  it('reads extensions as the API wants them, or null for the default list', () => {
    expect(parseExtensions('.MKV, mp4;mkv  avi')).toEqual(['mkv', 'mp4', 'avi']);
    expect(parseExtensions('  , ')).toBeNull();
  });
  it('sends only what changed on update', () => {
    expect(libraryUpdateBody(lib, libraryToForm(lib))).toEqual({});
    const f = { ...libraryToForm(lib), visibility: 'granted' as const, paths: ['/srv/media/Movies', '/srv/more'] };
    expect(libraryUpdateBody(lib, f)).toEqual({ visibility: 'granted', paths: ['/srv/media/Movies', '/srv/more'] });
  });
  it('restores the default extensions with null and never sends the type', () => {
    const withExt = { ...lib, extensions: ['mkv'] };
    const f = { ...libraryToForm(withExt), extensions: '', type: 'tvshow' as const };
    expect(libraryUpdateBody(withExt, f)).toEqual({ extensions: null });
  });
});

describe('folder picker', () => {
  it('knows inside from a mere common prefix', () => {
    expect(isInside('/srv/media/A', '/srv/media')).toBe(true);
    expect(isInside('/srv/media', '/srv/media/')).toBe(true);
    expect(isInside('/srv/media2', '/srv/media')).toBe(false);
    expect(isInside('/anything', '/')).toBe(true);
  });
  it('makes breadcrumbs from the deepest allowed root down', () => {
    const roots = ['/tmp/s/media', '/tmp/s/media/Deep'];
    expect(breadcrumbs('/tmp/s/media/Deep/A B/C', roots, 'Roots')).toEqual([
      { label: 'Roots', path: null },
      { label: '/tmp/s/media/Deep', path: '/tmp/s/media/Deep' },
      { label: 'A B', path: '/tmp/s/media/Deep/A B' },
      { label: 'C', path: '/tmp/s/media/Deep/A B/C' },
    ]);
    expect(breadcrumbs(null, roots, 'Roots')).toEqual([{ label: 'Roots', path: null }]);
  });
  it('splits a path under no known root from /', () => {
    expect(breadcrumbs('/x/y/', [], 'R').map((c) => c.path)).toEqual([null, '/', '/x', '/x/y']);
  });
  it('tells a missing route from a missing folder', () => {
    expect(pickerUnavailable(404, undefined)).toBe(true);
    expect(pickerUnavailable(404, 'path')).toBe(false);
    expect(pickerUnavailable(403, 'path')).toBe(false);
  });
});

describe('scan progress', () => {
  it('polls every second while active, backs off on errors, stops when over', () => {
    expect(nextPollDelay(undefined, 0)).toBe(1000);
    expect(nextPollDelay('queued', 0)).toBe(1000);
    expect(nextPollDelay('running', 2)).toBe(4000);
    expect(nextPollDelay('running', 9)).toBe(10000);
    expect(nextPollDelay('completed', 0)).toBeNull();
    expect(nextPollDelay('failed', 3)).toBeNull();
  });
  it('ignores a late answer that would move a scan backwards', () => {
    const done = scan(3, 'completed', 10);
    expect(mergeScan(done, scan(3, 'running', 5))).toBe(done);
    const mid = scan(3, 'running', 8);
    expect(mergeScan(mid, scan(3, 'running', 4))).toBe(mid);
    const later = scan(3, 'running', 9);
    expect(mergeScan(mid, later)).toBe(later);
    const other = scan(4, 'queued');
    expect(mergeScan(done, other)).toBe(other);
  });
  it('follows the newest scan still running', () => {
    expect(activeScan([scan(5, 'queued'), scan(4, 'completed')])?.id).toBe(5);
    expect(activeScan([scan(4, 'completed'), scan(3, 'failed')])).toBeUndefined();
  });
});

describe('roles', () => {
  it('lists added and removed permissions, sorted', () => {
    expect(permDiff(['b:x', 'a:y', 'c:z'], new Set(['c:z', 'd:w', 'a:a']))).toEqual({
      added: ['a:a', 'd:w'],
      removed: ['a:y', 'b:x'],
    });
    expect(permDiff(['a'], ['a'])).toEqual({ added: [], removed: [] });
  });
  it('groups permissions by what they act on', () => {
    const g = groupPermissions([{ name: 'users:list' }, { name: 'admin:*' }, { name: 'users:get' }, { name: 'jobs:list' }]);
    expect(g.map(([k, ps]) => [k, ps.map((p) => p.name)])).toEqual([
      ['admin', ['admin:*']],
      ['jobs', ['jobs:list']],
      ['users', ['users:get', 'users:list']],
    ]);
  });
});

describe('jobs', () => {
  it('offers retry for finished failures and cancel for unfinished jobs only', () => {
    expect(jobActions('discarded')).toEqual({ retry: true, cancel: false });
    expect(jobActions('cancelled')).toEqual({ retry: true, cancel: false });
    expect(jobActions('running')).toEqual({ retry: false, cancel: true });
    expect(jobActions('retryable')).toEqual({ retry: false, cancel: true });
    expect(jobActions('completed')).toEqual({ retry: false, cancel: false });
  });
});

describe('activity filters', () => {
  it('turns local days into an inclusive range of instants', () => {
    const p = activityParams({ from: '2026-03-01', to: '2026-03-01', action: ' library.create ', success: 'maybe', user_id: '' });
    expect(p.action).toBe('library.create');
    expect(p.success).toBeUndefined();
    expect(p.user_id).toBeUndefined();
    expect(new Date(p.to).getTime() - new Date(p.from).getTime()).toBe(24 * 3600 * 1000);
    expect(new Date(p.from).getDate()).toBe(1);
    expect(new Date(p.from).getHours()).toBe(0);
  });
  it('rejects days that are not days', () => {
    expect(dayStart('2026-3-1')).toBeUndefined();
    expect(dayStart('yesterday')).toBeUndefined();
    expect(activityParams({ from: 'x' })).toEqual({});
  });
  it('builds the export link with the same filters', () => {
    const h = exportHref({ action: 'library.create', success: 'true' }, 'csv');
    const u = new URL(h, 'https://x');
    expect(u.pathname).toBe('/api/v1/admin/activity/export');
    expect(u.searchParams.get('format')).toBe('csv');
    expect(u.searchParams.get('action')).toBe('library.create');
    expect(u.searchParams.get('success')).toBe('true');
  });
  it('reads the filters back from the address', () => {
    const f = filtersFromQuery(new URLSearchParams('action=a.b&from=2026-01-02'));
    expect(f.action).toBe('a.b');
    expect(f.from).toBe('2026-01-02');
    expect(f.user_id).toBe('');
  });
});

describe('settings and users', () => {
  it('parses a setting by its type', () => {
    expect(parseSettingValue('integer', ' 42 ')).toEqual({ value: 42 });
    expect(parseSettingValue('integer', '4.2')).toEqual({ error: 'integer' });
    expect(parseSettingValue('integer', '')).toEqual({ error: 'integer' });
    expect(parseSettingValue('boolean', true)).toEqual({ value: true });
    expect(parseSettingValue('boolean', 'false')).toEqual({ value: false });
    expect(parseSettingValue('string', ' x ')).toEqual({ value: ' x ' });
  });
  it('builds parental limits and names a bad field', () => {
    expect(parentalBody({ max_age_rating: '12', rating_country: 'de', allow_unrated: false, locked: true })).toEqual({
      body: { max_age_rating: 12, rating_country: 'DE', allow_unrated: false, locked: true },
    });
    expect(parentalBody({ max_age_rating: '', rating_country: 'US', allow_unrated: true, locked: false })).toEqual({
      body: { max_age_rating: null, rating_country: 'US', allow_unrated: true, locked: false },
    });
    expect(parentalBody({ max_age_rating: '22', rating_country: 'US', allow_unrated: true, locked: false })).toEqual({ field: 'max_age_rating' });
    expect(parentalBody({ max_age_rating: '', rating_country: 'USA', allow_unrated: true, locked: false })).toEqual({ field: 'rating_country' });
  });
  it('appends a page without repeating rows', () => {
    expect(appendPage([{ id: 1 }, { id: 2 }], [{ id: 2 }, { id: 3 }], (x) => x.id)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });
});

describe('admin messages', () => {
  it('define every key the admin pages use, including the ones built from API values', () => {
    const sources = import.meta.glob(['./*.ts', './*.tsx', '!./*.test.ts'], { query: '?raw', import: 'default', eager: true });
    const used = new Set<string>();
    for (const text of Object.values(sources) as string[]) {
      for (const m of text.matchAll(/t\('(admin\.[a-z_.]+[a-z_])'/g)) used.add(m[1]);
    }
    const dynamic = [
      ...['queued', 'running', 'completed', 'failed', 'cancelled'].map((s) => 'admin.scan.status.' + s),
      ...['full', 'incremental', 'metadata'].map((s) => 'admin.scan.type.' + s),
      ...JOB_STATES.map((s) => 'admin.jobs.state.' + s),
      ...JOB_PRIORITIES.map((s) => 'admin.jobs.priority.' + s),
      ...['pending', 'used', 'expired', 'revoked'].map((s) => 'admin.invite.state.' + s),
      ...['unmatched', 'local', 'error'].map((s) => 'admin.unmatched.status.' + s),
      ...['view', 'download', 'manage'].map((s) => 'admin.grants.level.' + s),
      ...['movie', 'tvshow'].map((s) => 'admin.lib.type.' + s),
    ];
    const known = new Set([...adminKeys, ...adminConnectKeys]);
    expect([...used, ...dynamic].filter((k) => !known.has(k))).toEqual([]);
    expect(used.size).toBeGreaterThan(100);
  });
});
