// The admin pages for single sign-on providers, Radarr/Sonarr and
// notification channels against the real stack: a provider made through the
// form is listed and shows on the login page; Radarr set up with a path map
// shows its webhook secret once; a generic-webhook channel sends a test to a
// small HTTP receiver this test starts, and the delivery log shows it sent.
import { createServer } from 'node:http';
import { assert, loginAdmin, pageApi, shot } from './lib.mjs';

const SLUG = 'bt-sso';
const SSO_NAME = 'Browser Test SSO';
const CHANNEL = 'Browser test hook';

async function until(what, fn, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const tests = [
  [
    'the admin adds a single sign-on provider; it is listed and on the login page',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      await pageApi(page, 'DELETE', '/admin/auth/providers/' + SLUG);
      await page.goto(ctx.base + '/#/admin/sso');
      await page.getByRole('heading', { name: 'Single sign-on', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Add provider' }).click();
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'Add provider' }) });
      await form.getByRole('textbox', { name: /^Slug/ }).fill(SLUG);
      await form.getByLabel('Name', { exact: true }).fill(SSO_NAME);
      await form.getByLabel('Issuer', { exact: true }).fill('https://sso.invalid.example');
      await form.getByLabel('Client ID', { exact: true }).fill('revenge-browser-test');
      await form.getByLabel('Client secret').fill('browser-test-client-secret');
      // the redirect URI follows the slug
      assert.match(await form.getByRole('textbox', { name: 'Redirect URI', exact: true }).inputValue(), new RegExp(`/api/v1/auth/oidc/${SLUG}/callback$`));
      await form.getByText('Scopes, claims and roles').click();
      await form.getByLabel('Role claim (empty: none)', { exact: true }).fill('groups');
      await form.getByRole('button', { name: '+ Add a row' }).click();
      await form.getByLabel('Claim value, row 1', { exact: true }).fill('media-admins');
      // half a row is refused in place, before anything is sent
      await form.getByRole('button', { name: 'Create provider' }).click();
      await form.getByText('Fill in both sides of this row').waitFor();
      await form.getByLabel('Role, row 1', { exact: true }).fill('user');
      await shot(ctx, page, 'admin-sso-form');
      await form.getByRole('button', { name: 'Create provider' }).click();
      await page.getByRole('status').filter({ hasText: `Provider “${SSO_NAME}” saved` }).waitFor();
      const row = page.locator('tr', { has: page.getByText(SLUG, { exact: true }) });
      await row.getByText('Set (never shown)').waitFor();
      await row.getByText('https://sso.invalid.example').waitFor();
      const p = (await pageApi(page, 'GET', '/admin/auth/providers/' + SLUG)).body;
      assert.equal(p.has_secret, true);
      assert.equal(p.roles_claim, 'groups');
      assert.deepEqual(p.role_map, { 'media-admins': 'user' });

      // editing never shows the secret, and keeps it when left empty
      await row.getByRole('button', { name: `Edit ${SSO_NAME}` }).click();
      const edit = page.locator('form', { has: page.getByRole('heading', { name: `Provider ${SSO_NAME}` }) });
      assert.equal(await edit.getByLabel('Client secret').inputValue(), '');
      assert.equal(await edit.getByRole('textbox', { name: /^Slug/ }).isDisabled(), true);
      await edit.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: `Provider “${SSO_NAME}” saved` }).waitFor();
      assert.equal((await pageApi(page, 'GET', '/admin/auth/providers/' + SLUG)).body.has_secret, true);
      await shot(ctx, page, 'admin-sso');

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: /log in/i }).waitFor();
      await page.getByRole('link', { name: new RegExp(SSO_NAME) }).waitFor();

      // and delete it again through the page
      const again = await loginAdmin(ctx);
      await again.goto(ctx.base + '/#/admin/sso');
      const r2 = again.locator('tr', { has: again.getByText(SLUG, { exact: true }) });
      await r2.getByRole('button', { name: `Really delete provider “${SSO_NAME}”` }).click();
      await r2.getByRole('group').getByRole('button', { name: `Really delete provider “${SSO_NAME}”` }).click();
      await r2.waitFor({ state: 'detached' });
      assert.equal((await pageApi(again, 'GET', '/admin/auth/providers/' + SLUG)).status, 404);
    },
  ],
  [
    'the admin sets up Radarr with a path map and sees the webhook secret once',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      await pageApi(page, 'DELETE', '/admin/integrations/radarr');
      await page.goto(ctx.base + '/#/admin/integrations');
      const card = page.locator('section', { has: page.getByRole('heading', { name: /^Radarr/ }) });
      await card.getByText('Not set up').waitFor();
      await card.getByRole('button', { name: '+ Add a row' }).click();
      await card.getByLabel('Folder in Radarr, row 1', { exact: true }).fill('/movies');
      await card.getByLabel('Folder on this server, row 1', { exact: true }).fill('/srv/media/movies');
      await card.getByLabel('Sync every (minutes, 0 = only on demand)', { exact: true }).fill('0');
      await card.getByRole('button', { name: 'Set up Radarr' }).click();
      const once = card.locator('section.once');
      await once.getByText('it is shown only this once').waitFor();
      const secret = await once.getByRole('textbox', { name: 'Webhook secret (the password)', exact: true }).inputValue();
      assert.match(secret, /^[A-Za-z0-9_-]{40,}$/);
      assert.equal(await once.getByRole('textbox', { name: 'Webhook URL', exact: true }).inputValue(), ctx.base + '/api/v1/webhooks/radarr');
      await shot(ctx, page, 'admin-radarr-secret');
      const i = (await pageApi(page, 'GET', '/admin/integrations/radarr')).body;
      assert.deepEqual(i.path_map, [{ remote: '/movies', local: '/srv/media/movies' }]);
      assert.equal(i.sync_interval_minutes, 0);
      assert.equal(i.webhook_secret, undefined, 'never answered again');
      await once.getByRole('button', { name: 'I have copied it' }).click();
      await once.waitFor({ state: 'detached' });
      // the secret works: a test webhook with it is accepted
      const hook = await page.evaluate(async (s) => {
        const r = await fetch('/api/v1/webhooks/radarr', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + btoa('radarr:' + s) },
          body: JSON.stringify({ eventType: 'Test' }),
        });
        return r.status;
      }, secret);
      assert.ok(hook >= 200 && hook < 300, `the webhook with the secret answered ${hook}`);
      await page.reload();
      await card.getByText(/Last webhook/).waitFor();
      // a path-map row with one side is refused in place
      await card.getByRole('button', { name: '+ Add a row' }).click();
      await card.getByLabel('Folder in Radarr, row 2', { exact: true }).fill('/tv');
      await card.getByRole('button', { name: 'Save' }).click();
      await card.getByText('Fill in both sides of this row').waitFor();
      // removed through the page: the card is back to "not set up"
      await card.getByRole('button', { name: 'Remove Radarr' }).click();
      await card.getByRole('button', { name: /^Really remove Radarr/ }).click();
      await card.getByText('Not set up').waitFor();
      assert.equal((await pageApi(page, 'GET', '/admin/integrations/radarr')).status, 404);
    },
  ],
  [
    'the admin adds a webhook channel, sends a test and sees it delivered',
    async (ctx) => {
      const got = [];
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          got.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
          res.writeHead(204).end();
        });
      });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const port = server.address().port;
      try {
        const page = await loginAdmin(ctx);
        for (const c of (await pageApi(page, 'GET', '/admin/notifications')).body.items ?? []) {
          if (c.name === CHANNEL) await pageApi(page, 'DELETE', '/admin/notifications/' + c.id);
        }
        await page.goto(ctx.base + '/#/admin/notifications');
        await page.getByRole('button', { name: 'Add channel' }).click();
        const form = page.locator('form', { has: page.getByRole('heading', { name: 'Add channel' }) });
        await form.getByLabel('Name', { exact: true }).fill(CHANNEL);
        await form.getByLabel(/^Type/).selectOption('webhook');
        await form.getByLabel('URL', { exact: true }).fill(`http://127.0.0.1:${port}/hook`);
        await form.getByLabel(/^Authentication/).selectOption('bearer');
        await form.getByLabel(/^Token/).fill('browser-test-token');
        await form.getByLabel('Scan failed', { exact: true }).check();
        await form.getByLabel('Content added', { exact: true }).check();
        await form.getByRole('button', { name: 'Create channel' }).click();
        const edit = page.locator('form', { has: page.getByRole('heading', { name: `Channel ${CHANNEL}` }) });
        await edit.getByText('Set (never shown)').waitFor();
        assert.equal(await edit.getByLabel(/^Token/).inputValue(), '');
        const c = (await pageApi(page, 'GET', '/admin/notifications')).body.items.find((x) => x.name === CHANNEL);
        assert.ok(c, 'the channel exists');
        assert.deepEqual(c.events, ['content.added', 'library.scan_failed']);
        assert.equal(c.secret_set, true);

        const row = page.locator('tr', { has: page.getByText(CHANNEL, { exact: true }) });
        await row.getByRole('button', { name: `Send a test to ${CHANNEL}` }).click();
        await page.getByRole('status').filter({ hasText: /queued as job/ }).waitFor();
        await until('the test delivery', async () => got.length > 0);
        assert.equal(got[0].method, 'POST');
        assert.equal(got[0].url, '/hook');
        assert.equal(got[0].auth, 'Bearer browser-test-token');
        assert.match(got[0].body, /test/);
        const log = page.locator('section', { has: page.getByRole('heading', { name: 'Delivery log' }) });
        await until('the delivery shown as sent', async () => {
          await log.getByRole('button', { name: 'Refresh' }).click();
          return (await log.locator('tbody tr', { hasText: 'Sent' }).count()) > 0;
        });
        await shot(ctx, page, 'admin-notifications');
        assert.equal((await pageApi(page, 'DELETE', '/admin/notifications/' + c.id)).status, 204);
      } finally {
        server.close();
      }
    },
  ],
];
