// Logging in and out, and what an anonymous visitor sees.
import { assert, login, loginAdmin, shot } from './lib.mjs';

export const tests = [
  [
    'a wrong password is refused with a message and no session',
    async (ctx) => {
      const page = await ctx.context.newPage();
      await page.goto(ctx.base + '/');
      await page.getByLabel(/username/i).fill('admin');
      await page.getByLabel(/password/i).fill('not-the-password');
      await page.getByRole('button', { name: /log in/i }).click();
      await page.getByRole('alert').filter({ hasText: /wrong username or password/i }).waitFor();
      const cookies = await ctx.context.cookies();
      assert.equal(cookies.find((c) => c.name === 'revenge_session'), undefined);
      await shot(ctx, page, 'login');
    },
  ],
  [
    'the admin logs in, sees the home page, and logs out',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const cookies = await ctx.context.cookies();
      const session = cookies.find((c) => c.name === 'revenge_session');
      assert.ok(session, 'session cookie set');
      assert.equal(session.httpOnly, true);
      await page.getByRole('button', { name: /log out/i }).click();
      await page.getByRole('button', { name: /log in/i }).waitFor();
      // the server forgot the session: /users/me is 401 again
      const r = await page.evaluate(() => fetch('/api/v1/users/me').then((x) => x.status));
      assert.equal(r, 401);
    },
  ],
];

export { login };
