// Pure helpers of the login steps, the mail-link pages and the account's
// security page: what the server's answers mean, without a DOM.
import { ApiError } from '../../lib/api';

/** A single sign-on provider from GET /auth/providers. */
export interface Provider {
  slug: string;
  name: string;
}

/**
 * The providers a login page offers, the default first (the server's
 * order otherwise); anything that is not a list of named slugs is none.
 */
export function parseProviders(x: unknown): Provider[] {
  const items = (x as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return [];
  const out: (Provider & { first: boolean })[] = [];
  for (const it of items as Record<string, unknown>[]) {
    if (!it || typeof it.slug !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/i.test(it.slug)) continue;
    const name = typeof it.display_name === 'string' && it.display_name.trim() ? it.display_name.trim() : it.slug;
    out.push({ slug: it.slug, name, first: it.is_default === true });
  }
  return out
    .sort((a, b) => Number(b.first) - Number(a.first))
    .map(({ slug, name }) => ({ slug, name }));
}

/**
 * Where a provider's button goes: the server's authorize route, which
 * redirects to the provider and, after the callback set the session,
 * back to `back` (a path of this server; anything else is '/').
 */
export function authorizeUrl(slug: string, back = '/'): string {
  const local = back.startsWith('/') && !back.startsWith('//') && !back.includes('\\') ? back : '/';
  return `/api/v1/auth/oidc/${encodeURIComponent(slug)}/authorize?redirect=${encodeURIComponent(local)}`;
}

/** An authenticator code as typed ('123 456') as the server wants it. */
export function cleanCode(s: string): string {
  return s.replace(/[\s-]/g, '');
}

/** Why an MFA answer was refused, as a message key. */
export function mfaRefusal(e: unknown): { key: string; restart: boolean } {
  const st = e instanceof ApiError ? e.status : 0;
  if (st === 401 && e instanceof ApiError && e.field === 'mfa_token') return { key: 'auth.mfa_expired', restart: true };
  if (st === 409 && e instanceof ApiError && e.field === 'mfa_token') return { key: 'auth.mfa_expired', restart: true };
  if (st === 401 || (st === 400 && e instanceof ApiError && (e.field === 'code' || e.field === 'backup_code')))
    return { key: 'auth.mfa_wrong', restart: false };
  if (st === 423) return { key: 'auth.mfa_locked', restart: true };
  if (st === 429) return { key: 'login.too_many', restart: false };
  return { key: '', restart: false };
}

/**
 * The QR code of a TOTP setup, from the server's SVG: its side in modules
 * and the one path's data. Only the exact shape the server writes
 * (app/auth/totp.c: a viewBox, a white rect, one path of unit squares) is
 * taken, and the page draws its own <svg> from these two values, so
 * nothing of the text reaches the document as markup, and no data: or
 * blob: image is needed (the CSP allows images from 'self' only).
 */
export function qrFromSvg(svg: string): { size: number; d: string } | null {
  const box = /^<svg [^>]*viewBox="0 0 (\d{1,3}) \1"/.exec(svg);
  const path = /<path fill="#000" d="((?:M\d{1,3} \d{1,3}h1v1h-1z)+)"\/><\/svg>\s*$/.exec(svg);
  if (!box || !path) return null;
  return { size: Number(box[1]), d: path[1] };
}

/** The secret grouped by four for reading it out ('JBSW Y3DP …'). */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** Backup codes as a text file to keep. */
export function backupCodesFile(codes: string[], heading: string): string {
  return [heading, '', ...codes, ''].join('\n');
}

/** Types and size an avatar may have (POST /users/me/avatar). */
export const AVATAR_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Why a chosen file cannot be an avatar, before it is sent: 'type' or
 * 'size', else null (the server still checks the bytes themselves).
 */
export function avatarProblem(file: { type: string; size: number }): 'type' | 'size' | null {
  if (!AVATAR_TYPES.includes(file.type)) return 'type';
  if (file.size > AVATAR_MAX_BYTES) return 'size';
  return null;
}
