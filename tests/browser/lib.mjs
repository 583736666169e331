// Helpers the browser tests share.
import assert from 'node:assert/strict';
import { join } from 'node:path';

export { assert };

/** Log in through the login form; resolves when the shell shows. */
export async function login(ctx, username, password) {
  const page = await ctx.context.newPage();
  await page.goto(ctx.base + '/');
  await page.getByLabel(/username/i).fill(username);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole('button', { name: /log in/i }).click();
  await page.locator('header.top').waitFor();
  return page;
}

export function loginAdmin(ctx) {
  return login(ctx, 'admin', ctx.adminPassword);
}

export async function shot(ctx, page, name) {
  await page.screenshot({ path: join(ctx.shots, name + '.png'), fullPage: false });
}

/**
 * A call to the JSON API from inside the page, with its cookies and the
 * CSRF header, as the client makes it: for setting up and checking state.
 */
export async function pageApi(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const m = /(?:^|; )revenge_csrf=([^;]*)/.exec(document.cookie);
      const headers = { Accept: 'application/json' };
      if (m) headers['X-CSRF-Token'] = decodeURIComponent(m[1]);
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const r = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: r.status, body: json };
    },
    [method, path, body],
  );
}
