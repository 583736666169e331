import { afterEach, describe, expect, it, vi } from 'vitest';
import { matchPath, parseHash, href } from './router';
import { pickLang, register, setLang, t, formatDuration, missingKeys, LANGUAGES } from './i18n';
import { query, readCookie, ApiError, request, retryDelay, RETRIES } from './api';
import '../messages';

describe('router', () => {
  it('splits the hash into path and query', () => {
    const r = parseHash('#/movies?sort=title&order=asc');
    expect(r.path).toBe('/movies');
    expect(r.query.get('sort')).toBe('title');
    expect(parseHash('').path).toBe('/');
    expect(parseHash('#/tv/').path).toBe('/tv');
  });
  it('matches named segments and decodes them', () => {
    expect(matchPath('/movies/:id', '/movies/ab%20c')).toEqual({ id: 'ab c' });
    expect(matchPath('/movies/:id', '/movies')).toBeNull();
    expect(matchPath('/movies/:id', '/tvshows/1')).toBeNull();
    expect(matchPath('/x/:id', '/x/%E0%A4%A')).toBeNull();
  });
  it('builds hrefs without empty parameters', () => {
    expect(href('/movies', { sort: 'year', q: '', genre: undefined })).toBe('#/movies?sort=year');
  });
});

describe('i18n', () => {
  it('picks the preference, then the browser, then English', () => {
    expect(pickLang('de', ['fr-FR'])).toBe('de');
    expect(pickLang('xx', ['pt-BR', 'ja-JP'])).toBe('ja');
    expect(pickLang(null, ['pt-BR'])).toBe('en');
  });
  it('fills placeholders and falls back to English', () => {
    register({ en: { 'x.only_en': 'Hi {name}' }, de: {}, fr: {}, es: {}, ja: {} });
    setLang('de');
    expect(t('x.only_en', { name: 'Ana' })).toBe('Hi Ana');
    expect(t('nav.logout')).toBe('Abmelden');
    expect(t('no.such.key')).toBe('no.such.key');
    setLang('en');
  });
  it('has every message in every language', () => {
    const missing = missingKeys();
    for (const l of LANGUAGES) expect(missing[l].filter((k) => !k.startsWith('x.'))).toEqual([]);
  });
  it('formats durations', () => {
    expect(formatDuration(95)).toBe('1:35');
    expect(formatDuration(5400)).toBe('1:30:00');
    expect(formatDuration(-1)).toBe('');
  });
});

describe('api helpers', () => {
  it('leaves out empty query values', () => {
    expect(query({ a: 1, b: '', c: undefined, d: null, e: false })).toBe('?a=1&e=false');
    expect(query({})).toBe('');
  });
  it('reads one cookie among many', () => {
    expect(readCookie('revenge_csrf', 'a=1; revenge_csrf=x%2By; b=2')).toBe('x+y');
    expect(readCookie('revenge_csrf', 'revenge_csrfx=1')).toBeNull();
  });
  it('names the field a problem blames', () => {
    const e = new ApiError(400, { detail: 'name is required', field: 'name' });
    expect(e.field).toBe('name');
    expect(e.message).toBe('name is required');
  });
});

describe('retrying over the rate limit', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
  const tooMany = (after?: string) =>
    new Response(JSON.stringify({ status: 429, detail: 'too many requests' }), {
      status: 429,
      headers: { 'Content-Type': 'application/problem+json', ...(after ? { 'Retry-After': after } : {}) },
    });
  const ok = () => new Response(JSON.stringify({ id: 'm1' }), { status: 200, headers: { 'Content-Type': 'application/json' } });

  it('waits what Retry-After says (bounded), else 1 s, 2 s, 4 s', () => {
    expect(retryDelay(0, '2')).toBe(2000);
    expect(retryDelay(2, '1')).toBe(1000);
    expect(retryDelay(0, '0')).toBe(250);
    expect(retryDelay(0, '3600')).toBe(10000);
    expect([0, 1, 2].map((a) => retryDelay(a, null))).toEqual([1000, 2000, 4000]);
    expect(retryDelay(1, 'Wed, 21 Oct 2015 07:28:00 GMT')).toBe(2000);
  });

  it('repeats a 429 after the wait and returns the answer that follows', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn().mockResolvedValueOnce(tooMany('1')).mockResolvedValueOnce(ok());
    vi.stubGlobal('fetch', fetch);
    const p = request<{ id: string }>('GET', '/movies/m1');
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).resolves.toEqual({ id: 'm1' });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('gives up after RETRIES more attempts with the 429 as the error', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn().mockImplementation(async () => tooMany('1'));
    vi.stubGlobal('fetch', fetch);
    const p = request<never>('GET', '/movies').catch((e: ApiError) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const e = await p;
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(429);
    expect(fetch).toHaveBeenCalledTimes(RETRIES + 1);
  });

  it('never holds back a keepalive report, and stops waiting when aborted', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn().mockImplementation(async () => tooMany('5'));
    vi.stubGlobal('fetch', fetch);
    vi.stubGlobal('document', { cookie: 'a=1; revenge_csrf=tok' });
    const e = await request<never>('PUT', '/movies/m1/progress', { position_ms: 1 }, { keepalive: true }).catch((x: ApiError) => x);
    expect(e.status).toBe(429);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][1].headers['X-CSRF-Token']).toBe('tok');
    expect(fetch.mock.calls[0][1].keepalive).toBe(true);

    const ctl = new AbortController();
    const p = request<never>('GET', '/movies', undefined, { signal: ctl.signal }).catch((x: ApiError) => x);
    await vi.advanceTimersByTimeAsync(100);
    ctl.abort();
    expect((await p).name).toBe('AbortError');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('does not repeat other failures', async () => {
    const fetch = vi.fn().mockImplementation(
      async () => new Response('{}', { status: 503, headers: { 'Content-Type': 'application/json' } }),
    );
    vi.stubGlobal('fetch', fetch);
    const e = await request<never>('GET', '/movies').catch((x: ApiError) => x);
    expect(e.status).toBe(503);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe('request bodies', () => {
  afterEach(() => vi.unstubAllGlobals());
  const reply = () => new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } });

  it('sends a file as it is, with its own type, and JSON otherwise', async () => {
    const fetch = vi.fn().mockImplementation(async () => reply());
    vi.stubGlobal('fetch', fetch);
    vi.stubGlobal('document', { cookie: 'revenge_csrf=tok' });
    const file = new Blob([new Uint8Array([0x89, 0x50])], { type: 'image/png' });
    await request('POST', '/users/me/avatar', file);
    expect(fetch.mock.calls[0][1].body).toBe(file);
    expect(fetch.mock.calls[0][1].headers['Content-Type']).toBe('image/png');
    expect(fetch.mock.calls[0][1].headers['X-CSRF-Token']).toBe('tok');
    await request('POST', '/users/me/avatar', new Blob([new Uint8Array([1])]));
    expect(fetch.mock.calls[1][1].headers['Content-Type']).toBe('application/octet-stream');
    await request('POST', '/auth/mfa', { code: '123456' });
    expect(fetch.mock.calls[2][1].body).toBe('{"code":"123456"}');
    expect(fetch.mock.calls[2][1].headers['Content-Type']).toBe('application/json');
  });

  it('does not repeat a 429 when told not to', async () => {
    const fetch = vi.fn().mockImplementation(
      async () => new Response('{"detail":"later"}', { status: 429, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '3600' } }),
    );
    vi.stubGlobal('fetch', fetch);
    vi.stubGlobal('document', { cookie: '' });
    const e = await request<never>('POST', '/auth/forgot-password', { email: 'a@b.c' }, { retries: 0 }).catch((x: ApiError) => x);
    expect(e.status).toBe(429);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
