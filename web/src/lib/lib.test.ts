import { describe, expect, it } from 'vitest';
import { matchPath, parseHash, href } from './router';
import { pickLang, register, setLang, t, formatDuration, missingKeys, LANGUAGES } from './i18n';
import { query, readCookie, ApiError } from './api';
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
