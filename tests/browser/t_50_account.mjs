// The account's security and profile: two-step verification turned on from
// the security page and used at login (a code, then a backup code), a role
// that requires it, the picture, and the pages the account mails link to
// (forgotten password, reset, address confirmation). The stack sends no
// mail, so a reset token is written into email_tokens directly, as the
// mail job would have made it (only its SHA-256 is stored).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, login, loginAdmin, pageApi, shot } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// --- TOTP (RFC 6238: SHA-1, 6 digits, 30 s), as an authenticator app does

function base32(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const out = [];
  let bits = 0;
  let v = 0;
  for (const c of s.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error('not base32: ' + c);
    v = (v << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((v >> bits) & 0xff);
    }
    v &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);

function totp(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32(secret)).update(msg).digest();
  const o = h[19] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1e6).padStart(6, '0');
}

/**
 * A code the server takes after `used`: it accepts a step once and never
 * one before it, and allows the step after the current one.
 */
async function freshCode(secret, used) {
  for (;;) {
    const step = Math.max(stepNow(), used + 1);
    if (step <= stepNow() + 1) return { code: totp(secret, step), step };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// --- the stack's database (psql with the stack's environment)

function psql(ctx, sql) {
  const script = `eval "$(deploy/stack.sh env "$STACK")" && psql -v ON_ERROR_STOP=1 -qAt -c "$SQL"`;
  return execFileSync('bash', ['-c', script], { cwd: root, env: { ...process.env, STACK: ctx.stack, SQL: sql } })
    .toString()
    .trim();
}

/** A live mail token for the user, as forgot-password or verification makes it. */
function mailToken(ctx, userId, purpose, email) {
  const token = 'rvm_' + randomBytes(32).toString('base64url');
  const hash = createHash('sha256').update(token).digest('hex');
  psql(
    ctx,
    `INSERT INTO email_tokens (id, user_id, purpose, token_hash, email, expires_at)` +
      ` VALUES (gen_random_uuid(), '${userId}', '${purpose}', '${hash}', '${email}', now() + interval '1 hour')`,
  );
  return token;
}

// --- a real 16×16 PNG (the server reads its header; the browser draws it)

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function png(size = 16) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < size; y++) {
    rows.push(0);
    for (let x = 0; x < size; x++) rows.push(200, (x * 16) & 0xff, (y * 16) & 0xff);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A new account made by the admin, who logs out again. */
async function newUser(ctx, prefix, extra = {}) {
  const admin = await loginAdmin(ctx);
  const name = `${prefix}${Date.now().toString(36)}`;
  const password = `${prefix}-password-1`;
  const user = ok(
    await pageApi(admin, 'POST', '/admin/users', { username: name, email: `${name}@example.com`, password, role: 'user', ...extra }),
    'create user',
  );
  // the pages of a test share its cookies: the admin's session must end
  await logout(admin);
  await admin.close();
  return { ...user, name, password, email: `${name}@example.com` };
}

async function logout(page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: /log in/i }).waitFor();
}

/** The login form up to the point the server answers (a challenge or the shell). */
async function submitLogin(page, name, password) {
  await page.getByLabel(/username/i).fill(name);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole('button', { name: /log in/i }).click();
}

export const tests = [
  [
    'two-step verification: set up from the security page, then a code and a backup code at login, then off',
    async (ctx) => {
      const u = await newUser(ctx, 'mfa');
      const page = await login(ctx, u.name, u.password);
      await page.goto(ctx.base + '/#/security');
      await page.getByText('Off. With it on').waitFor();
      await page.getByRole('button', { name: 'Set up' }).click();
      // the QR code is drawn by the page from the server's path (no data: image)
      const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
      await qr.waitFor();
      assert.match(await qr.locator('path').getAttribute('d'), /^(M\d+ \d+h1v1h-1z)+$/);
      const secret = await page.locator('code.secret').getAttribute('data-secret');
      assert.match(secret, /^[A-Z2-7]{32}$/);
      await shot(ctx, page, 'mfa-setup');

      // a wrong code first: refused, nothing enabled
      await page.getByLabel('Code', { exact: true }).fill(totp(secret, stepNow() - 5));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
      let used = stepNow();
      let c = await freshCode(secret, used - 1);
      used = c.step;
      await page.getByLabel('Code', { exact: true }).fill(c.code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
      const codes = await page.locator('ul.codes code').allTextContents();
      assert.equal(codes.length, 10);
      codes.forEach((x) => assert.match(x, /^[a-z2-7]{5}-[a-z2-7]{5}$/i));
      await page.getByText('On since').waitFor();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByText('Backup codes left: 10.').waitFor();

      // logging in again asks for a code; a wrong one is refused, a fresh one lets in
      await logout(page);
      await submitLogin(page, u.name, u.password);
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      assert.equal(await page.getByLabel('Code', { exact: true }).getAttribute('autocomplete'), 'one-time-code');
      await page.getByLabel('Code', { exact: true }).fill(totp(secret, stepNow() - 10));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
      c = await freshCode(secret, used);
      used = c.step;
      await page.getByLabel('Code', { exact: true }).fill(c.code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('header.top').waitFor();
      assert.ok((await ctx.context.cookies()).find((x) => x.name === 'revenge_session'), 'session cookie');

      // and once with a backup code (case and the dash do not matter)
      await logout(page);
      await submitLogin(page, u.name, u.password);
      await page.getByRole('button', { name: 'Use a backup code' }).click();
      await page.getByLabel('Backup code').fill(codes[0].toUpperCase());
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('header.top').waitFor();
      assert.equal(ok(await pageApi(page, 'GET', '/mfa/status'), 'status').backup_codes_remaining, 9);

      // a used backup code does not work twice
      await logout(page);
      await submitLogin(page, u.name, u.password);
      await page.getByRole('button', { name: 'Use a backup code' }).click();
      await page.getByLabel('Backup code').fill(codes[0]);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
      await page.getByLabel('Backup code').fill(codes[1]);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('header.top').waitFor();

      // new backup codes, then off, both confirmed with the password
      await page.goto(ctx.base + '/#/security');
      await page.getByRole('button', { name: 'New backup codes' }).click();
      await page.getByRole('radio', { name: 'Your password' }).check();
      await page.getByLabel('Password', { exact: true }).fill('not-it');
      await page.locator('form.confirm-form').getByRole('button', { name: 'New backup codes' }).click();
      await page.getByRole('alert').filter({ hasText: 'That code or password is not right' }).waitFor();
      await page.getByLabel('Password', { exact: true }).fill(u.password);
      await page.locator('form.confirm-form').getByRole('button', { name: 'New backup codes' }).click();
      await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
      const fresh = await page.locator('ul.codes code').allTextContents();
      assert.equal(fresh.length, 10);
      assert.ok(!fresh.includes(codes[2]), 'new codes');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Turn off' }).click();
      await page.getByRole('radio', { name: 'Your password' }).check();
      await page.getByLabel('Password', { exact: true }).fill(u.password);
      await page.locator('form.confirm-form').getByRole('button', { name: 'Turn off' }).click();
      await page.getByRole('status').filter({ hasText: 'Two-step verification is off.' }).waitFor();
      assert.equal(ok(await pageApi(page, 'GET', '/mfa/status'), 'status').enabled, false);
    },
  ],
  [
    'a role that requires two-step verification makes its holder set it up at login',
    async (ctx) => {
      const admin = await loginAdmin(ctx);
      const role = 'bt-mfa-' + Date.now().toString(36).slice(-6);
      const perms = ok(await pageApi(admin, 'GET', '/rbac/roles/user'), 'user role').permissions;
      ok(await pageApi(admin, 'POST', '/rbac/roles', { name: role, description: 'browser test', permissions: perms }), 'create role');
      // the switch on the roles page
      await admin.goto(ctx.base + '/#/admin/roles');
      const sw = admin.getByRole('switch', { name: `Require two-step verification of ${role}` });
      await sw.check();
      await admin.getByRole('status').filter({ hasText: `Holders of ${role} must now use two-step verification.` }).waitFor();
      assert.equal(ok(await pageApi(admin, 'GET', `/rbac/roles/${role}`), 'role').mfa_required, true);
      await logout(admin);
      await admin.close();

      const u = await newUser(ctx, 'mfarole', { role });
      const page = await ctx.context.newPage();
      await page.goto(ctx.base + '/');
      await submitLogin(page, u.name, u.password);
      await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
      const secret = await page.locator('code.secret').getAttribute('data-secret');
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      const c = await freshCode(secret, stepNow() - 1);
      await page.getByLabel('Code', { exact: true }).fill(c.code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { name: 'Your backup codes' }).waitFor();
      assert.equal(await page.locator('ul.codes code').count(), 10);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.locator('header.top').waitFor();
      const st = ok(await pageApi(page, 'GET', '/mfa/status'), 'status');
      assert.equal(st.enabled, true);
      assert.equal(st.required_by_role, true);
      // required: the page offers no way to turn it off
      await page.goto(ctx.base + '/#/security');
      await page.getByText('A role of your account requires it').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Turn off' }).count(), 0);
      await logout(page);
      await page.close();

      const again = await loginAdmin(ctx);
      await again.goto(ctx.base + '/#/admin/roles');
      await again.getByRole('switch', { name: `Require two-step verification of ${role}` }).uncheck();
      await again.getByRole('status').filter({ hasText: `Holders of ${role} no longer need` }).waitFor();
    },
  ],
  [
    'single sign-on buttons come from the providers the server lists, and none while it has none',
    async (ctx) => {
      const page = await ctx.context.newPage();
      // this server has no providers route yet (or none enabled): no buttons
      await page.goto(ctx.base + '/');
      await page.getByRole('button', { name: /log in/i }).waitFor();
      await page.waitForLoadState('networkidle');
      assert.equal(await page.getByRole('link', { name: /^Continue with/ }).count(), 0);
      // a server with providers (the answer as the SSO branch gives it)
      await page.route('**/api/v1/auth/providers', (route) =>
        route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({
            items: [
              { slug: 'corp', display_name: 'Corp SSO', is_default: false, authorize_url: '/api/v1/auth/oidc/corp/authorize' },
              { slug: 'home', display_name: 'Home ID', is_default: true, authorize_url: '/api/v1/auth/oidc/home/authorize' },
            ],
          }),
        }),
      );
      await page.reload();
      const links = page.getByRole('link', { name: /^Continue with/ });
      await links.first().waitFor();
      assert.deepEqual(await links.allTextContents(), ['Continue with Home ID', 'Continue with Corp SSO']);
      assert.equal(await links.first().getAttribute('href'), '/api/v1/auth/oidc/home/authorize?redirect=%2F');
      await shot(ctx, page, 'login-sso');
    },
  ],
  [
    'the picture: uploaded as the raw file and shown, a non-image refused with the server detail, removed',
    async (ctx) => {
      const u = await newUser(ctx, 'pic');
      const page = await login(ctx, u.name, u.password);
      await page.goto(ctx.base + '/#/preferences');
      const section = page.getByRole('region', { name: 'Picture' });
      await section.getByRole('img', { name: 'No picture yet' }).waitFor();
      await section.getByLabel('Upload a picture').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png() });
      await section.getByRole('status').filter({ hasText: 'Picture saved.' }).waitFor();
      const img = section.getByRole('img', { name: 'Your picture' });
      await img.waitFor();
      assert.match(await img.getAttribute('src'), /^\/images\/avatars\//);
      // really served and drawn (nginx under /images/, allowed by the CSP)
      await page.waitForFunction(() => {
        const i = document.querySelector('img.avatar-large');
        return i && i.complete && i.naturalWidth === 16;
      });
      const header = page.locator('header.top img.avatar');
      assert.equal(await header.getAttribute('src'), await img.getAttribute('src'));
      const me = ok(await pageApi(page, 'GET', '/users/me'), 'me');
      assert.equal(me.avatar_url, await img.getAttribute('src'));
      await shot(ctx, page, 'avatar');

      // the bytes decide: text typed as a PNG is refused, with the server's words
      await section
        .getByLabel('Upload a picture')
        .setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
      const alert = section.getByRole('alert');
      await alert.waitFor();
      assert.ok((await alert.textContent()).length > 5, 'a detail from the server');
      // a type the client knows the server refuses is not sent at all
      await section.getByLabel('Upload a picture').setInputFiles({ name: 'a.gif', mimeType: 'image/gif', buffer: Buffer.from('GIF89a') });
      await section.getByRole('alert').filter({ hasText: 'Choose a JPEG, PNG or WebP image.' }).waitFor();

      await section.getByRole('button', { name: 'Remove the picture' }).click();
      await section.getByRole('status').filter({ hasText: 'Picture removed.' }).waitFor();
      await section.getByRole('img', { name: 'No picture yet' }).waitFor();
      assert.equal(ok(await pageApi(page, 'GET', '/users/me'), 'me').avatar_url, null);
    },
  ],
  [
    'forgot password answers neutrally; a reset link with a bad token says so, a good one sets the password',
    async (ctx) => {
      const u = await newUser(ctx, 'reset');
      const page = await ctx.context.newPage();
      await page.goto(ctx.base + '/');
      await page.getByRole('button', { name: 'Forgot password?' }).click();
      await page.getByLabel('E-mail address').fill(u.email);
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByRole('status').filter({ hasText: 'If an account has this address' }).waitFor();
      await page.getByRole('button', { name: 'Back to login' }).click();
      await page.getByRole('button', { name: /log in/i }).waitFor();

      await page.goto(ctx.base + '/#/reset-password?token=rvm_not-a-real-token');
      await page.getByLabel('New password', { exact: true }).fill('brand-new-password-1');
      await page.getByLabel('New password again').fill('brand-new-password-1');
      await page.getByRole('button', { name: 'Set the password' }).click();
      await page.getByRole('alert').filter({ hasText: 'This link has expired or was used already' }).waitFor();

      const token = mailToken(ctx, u.id, 'password_reset', u.email);
      await page.goto(ctx.base + '/#/reset-password?token=' + encodeURIComponent(token));
      await page.getByLabel('New password', { exact: true }).fill('brand-new-password-1');
      await page.getByLabel('New password again').fill('brand-new-password-1');
      await page.getByRole('button', { name: 'Set the password' }).click();
      await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
      await submitLogin(page, u.name, 'brand-new-password-1');
      await page.locator('header.top').waitFor();
      await logout(page);

      // the link works once
      await page.goto(ctx.base + '/#/reset-password?token=' + encodeURIComponent(token));
      await page.getByLabel('New password', { exact: true }).fill('another-password-2');
      await page.getByLabel('New password again').fill('another-password-2');
      await page.getByRole('button', { name: 'Set the password' }).click();
      await page.getByRole('alert').filter({ hasText: 'This link has expired or was used already' }).waitFor();
    },
  ],
  [
    'the confirmation link confirms the address, and the preferences page shows it',
    async (ctx) => {
      const u = await newUser(ctx, 'verify');
      const page = await login(ctx, u.name, u.password);
      await page.goto(ctx.base + '/#/preferences');
      await page.getByText('This address is not confirmed yet.').waitFor();
      await page.goto(ctx.base + '/#/verify-email?token=rvm_forged');
      await page.getByRole('alert').filter({ hasText: 'This link has expired' }).waitFor();
      const token = mailToken(ctx, u.id, 'verify_email', u.email);
      await page.goto(ctx.base + '/#/verify-email?token=' + encodeURIComponent(token));
      await page.getByRole('status').filter({ hasText: 'Your e-mail address is confirmed.' }).waitFor();
      await page.getByRole('link', { name: 'Continue' }).click();
      await page.goto(ctx.base + '/#/preferences');
      await page.getByText('Confirmed', { exact: true }).waitFor();
      assert.equal(ok(await pageApi(page, 'GET', '/users/me'), 'me').email_verified, true);
    },
  ],
];
