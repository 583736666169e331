import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api';
import {
  authorizeUrl,
  avatarProblem,
  backupCodesFile,
  cleanCode,
  groupSecret,
  mfaRefusal,
  parseProviders,
  qrFromSvg,
} from './logic';
import { isChallenge } from '../../lib/session';

describe('login answers', () => {
  it('tells a challenge from a session', () => {
    expect(isChallenge({ mfa_required: true, mfa_token: 'rvm_x', expires_in: 300, methods: ['totp'] })).toBe(true);
    expect(isChallenge({ csrf_token: 'x', user: {} })).toBe(false);
    expect(isChallenge(undefined)).toBe(false);
    expect(isChallenge({ mfa_required: true })).toBe(false);
  });
  it('names why an MFA answer was refused, and when to start over', () => {
    expect(mfaRefusal(new ApiError(401, { field: 'code' }))).toEqual({ key: 'auth.mfa_wrong', restart: false });
    expect(mfaRefusal(new ApiError(401, { field: 'backup_code' }))).toEqual({ key: 'auth.mfa_wrong', restart: false });
    expect(mfaRefusal(new ApiError(400, { field: 'code' }))).toEqual({ key: 'auth.mfa_wrong', restart: false });
    expect(mfaRefusal(new ApiError(401, { field: 'mfa_token' }))).toEqual({ key: 'auth.mfa_expired', restart: true });
    expect(mfaRefusal(new ApiError(423, {}))).toEqual({ key: 'auth.mfa_locked', restart: true });
    expect(mfaRefusal(new ApiError(429, {})).key).toBe('login.too_many');
    expect(mfaRefusal(new Error('x')).key).toBe('');
  });
  it('cleans typed codes', () => {
    expect(cleanCode(' 123 456 ')).toBe('123456');
    expect(cleanCode('abcde-fghij')).toBe('abcdefghij');
  });
});

describe('single sign-on providers', () => {
  it('lists named providers, the default first', () => {
    const list = parseProviders({
      items: [
        { slug: 'corp', display_name: 'Corp SSO', is_default: false },
        { slug: 'home', display_name: ' ', is_default: true },
        { slug: '../x', display_name: 'bad' },
        { display_name: 'no slug' },
      ],
    });
    expect(list).toEqual([
      { slug: 'home', name: 'home' },
      { slug: 'corp', name: 'Corp SSO' },
    ]);
    expect(parseProviders({ items: [] })).toEqual([]);
    expect(parseProviders('<html>')).toEqual([]);
    expect(parseProviders(null)).toEqual([]);
  });
  it('builds the authorize URL with a local redirect only', () => {
    expect(authorizeUrl('corp')).toBe('/api/v1/auth/oidc/corp/authorize?redirect=%2F');
    expect(authorizeUrl('corp', '/#/movies')).toBe('/api/v1/auth/oidc/corp/authorize?redirect=%2F%23%2Fmovies');
    expect(authorizeUrl('corp', '//evil.example')).toBe('/api/v1/auth/oidc/corp/authorize?redirect=%2F');
    expect(authorizeUrl('corp', 'https://evil.example/')).toBe('/api/v1/auth/oidc/corp/authorize?redirect=%2F');
  });
});

describe('TOTP setup', () => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29" shape-rendering="crispEdges">' +
    '<rect width="29" height="29" fill="#fff"/><path fill="#000" d="M4 4h1v1h-1zM5 4h1v1h-1z"/></svg>';
  it('takes the QR code from the server SVG and nothing else', () => {
    expect(qrFromSvg(svg)).toEqual({ size: 29, d: 'M4 4h1v1h-1zM5 4h1v1h-1z' });
    expect(qrFromSvg(svg.replace('h-1z"', 'h-1z" onload="alert(1)"'))).toBeNull();
    expect(qrFromSvg(svg.replace('M5 4', '"/><script>alert(1)</script><path d="M5 4'))).toBeNull();
    expect(qrFromSvg(svg.replace('0 0 29 29', '0 0 29 30'))).toBeNull();
    expect(qrFromSvg('<img src=x onerror=alert(1)>')).toBeNull();
  });
  it('groups the secret and writes the codes file', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
    expect(backupCodesFile(['aaaaa-bbbbb', 'ccccc-ddddd'], 'Revenge')).toBe('Revenge\n\naaaaa-bbbbb\nccccc-ddddd\n');
  });
});

describe('avatars', () => {
  it('refuses other types and files over 2 MiB before sending', () => {
    expect(avatarProblem({ type: 'image/png', size: 1000 })).toBeNull();
    expect(avatarProblem({ type: 'image/webp', size: 2 * 1024 * 1024 })).toBeNull();
    expect(avatarProblem({ type: 'image/jpeg', size: 2 * 1024 * 1024 + 1 })).toBe('size');
    expect(avatarProblem({ type: 'image/gif', size: 10 })).toBe('type');
    expect(avatarProblem({ type: '', size: 10 })).toBe('type');
  });
});

describe('auth and account messages', () => {
  it('define every key the login steps, mail-link pages and account parts use', async () => {
    const { t, setLang } = await import('../../lib/i18n');
    await import('../../messages');
    const sources = import.meta.glob(['./*.tsx', '../login.tsx', '../play/profile.tsx', '../play/security.tsx'], {
      query: '?raw',
      import: 'default',
      eager: true,
    });
    const used = new Set<string>();
    for (const text of Object.values(sources) as string[]) {
      for (const m of text.matchAll(/t\('([a-z]+\.[a-z_.]+[a-z_])'/g)) used.add(m[1]);
    }
    // keys picked at run time
    ['auth.mfa_wrong', 'auth.mfa_expired', 'auth.mfa_locked', 'auth.reset_done', 'avatar.bad_type', 'avatar.too_big'].forEach((k) =>
      used.add(k),
    );
    expect(used.size).toBeGreaterThan(40);
    setLang('en');
    expect([...used].filter((k) => t(k) === k)).toEqual([]);
  });
});
