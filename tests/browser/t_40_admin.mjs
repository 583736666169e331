// The administrators' pages against the real stack: a library made with the
// folder picker and scanned, a file matched by hand, a guest account with a
// parental limit that sees neither the admin pages nor a restricted
// library, the jobs and activity pages (with the export), the role grid,
// and deleting the library again.
//
// The tests run in order and hand their results on in ctx.state.
import { copyFileSync, existsSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assert, login, loginAdmin, pageApi, shot } from './lib.mjs';

const FOLDER = 'Browser Test Movies';
const LIB_NAME = 'Browser test movies';

/** The first .mkv under dir (the demo clips). */
function findClip(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      const inner = findClip(p);
      if (inner) return inner;
    } else if (name.endsWith('.mkv')) return p;
  }
  return null;
}

function placeFiles(stack) {
  const clip = findClip(join(stack, 'demo-media'));
  assert.ok(clip, 'a demo clip to copy');
  const root = join(stack, 'media', FOLDER);
  const files = [
    join(root, 'The Kid (1921)', 'The Kid (1921).mkv'),
    join(root, 'zzqx unknown 9999', 'zzqx.mkv'),
  ];
  for (const f of files) {
    mkdirSync(join(f, '..'), { recursive: true });
    if (!existsSync(f)) copyFileSync(clip, f);
  }
  return realpathSync(root);
}

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A library of an earlier run holds the folder (roots are unique): delete it. */
async function dropLeftovers(page, root) {
  const r = await pageApi(page, 'GET', '/libraries?limit=100');
  assert.equal(r.status, 200);
  for (const l of r.body.items) {
    if (l.paths.includes(root) || l.name.toLowerCase() === LIB_NAME.toLowerCase()) {
      assert.equal((await pageApi(page, 'DELETE', '/libraries/' + l.id)).status, 204);
    }
  }
}

export const tests = [
  [
    'the admin creates a library with the folder picker, scans it and sees the movie',
    async (ctx) => {
      const root = placeFiles(ctx.stack);
      const page = await loginAdmin(ctx);
      await dropLeftovers(page, root);
      const probe = await pageApi(page, 'GET', '/admin/directories');
      const pickerOnServer = probe.status === 200;

      await page.goto(ctx.base + '/#/admin/libraries');
      await page.getByRole('button', { name: 'Add library' }).click();
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'Add library' }) });
      await form.getByLabel('Name').fill(LIB_NAME);
      await form.getByLabel('Type').selectOption('movie');
      await form.getByRole('button', { name: 'Browse…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Choose a folder' });
      await dialog.waitFor();
      if (pickerOnServer) {
        // roots first (written in full), then the folder by its name
        const media = realpathSync(join(ctx.stack, 'media'));
        await dialog.getByRole('button', { name: media, exact: true }).click();
        await dialog.getByRole('button', { name: FOLDER, exact: true }).click();
        await dialog.getByText(root, { exact: true }).waitFor();
        await shot(ctx, page, 'admin-folder-picker');
        await dialog.getByRole('button', { name: 'Choose this folder' }).click();
        await dialog.waitFor({ state: 'detached' });
        assert.equal(await form.getByLabel('Folder 1').inputValue(), root);
      } else {
        // a server without GET /admin/directories: the picker says so and the path is typed
        await dialog.getByText(/cannot list its folders/).waitFor();
        await shot(ctx, page, 'admin-folder-picker');
        console.log('# t_40: GET /api/v1/admin/directories is not on this server; the path was typed');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await form.getByLabel('Folder 1').fill(root);
      }
      await form.getByRole('button', { name: 'Create library' }).click();
      await page.getByRole('status').filter({ hasText: `Library “${LIB_NAME}” created` }).waitFor();

      const lib = (await pageApi(page, 'GET', '/libraries?limit=100')).body.items.find((l) => l.name === LIB_NAME);
      assert.ok(lib, 'the library exists');
      assert.deepEqual(lib.paths, [root]);
      assert.equal(lib.type, 'movie');
      ctx.state.adminLib = lib;

      const card = page.locator('section.lib-card', { has: page.getByRole('heading', { name: LIB_NAME }) });
      await card.getByText('Never scanned').waitFor();
      await card.getByRole('button', { name: `Scan ${LIB_NAME} now` }).click();
      // the progress line follows the scan to its end, then the card's counts are reloaded
      const progress = card.locator('.scan-progress[data-status="completed"]');
      await progress.waitFor({ timeout: 30000 });
      assert.match(await progress.innerText(), /2 seen · 2 added/);
      // the card's counts are read again when the scan ends: its files are there at once
      await card.getByText('2 files').waitFor();
      await shot(ctx, page, 'admin-libraries');

      // the items come from the match jobs the scan queued, a moment later
      const movies = await until('the scanned movie', async () => {
        const r = await pageApi(page, 'GET', `/movies?library_id=${lib.id}&limit=100`);
        return r.body.items?.find((m) => m.title === 'The Kid') && r.body.items.length === 2 ? r.body.items : null;
      });
      assert.equal(movies.find((m) => m.title === 'The Kid').year, 1921);
      await page.reload();
      await card.getByText('2 movies').waitFor();
      await card.getByText('2 unmatched').waitFor();

      // the library's own page lists the scan in its history
      await card.getByRole('link', { name: LIB_NAME }).click();
      const history = page.locator('section', { has: page.getByRole('heading', { name: 'Scan history' }) });
      await history.locator('tbody tr').first().waitFor();
      assert.match(await history.locator('tbody tr').first().innerText(), /Completed/);
    },
  ],
  [
    'an unmatched file is matched by hand with a TMDb id',
    async (ctx) => {
      const lib = ctx.state.adminLib;
      assert.ok(lib, 'the library of the first test');
      const page = await loginAdmin(ctx);
      const file = await until('zzqx in the unmatched list', async () => {
        const r = await pageApi(page, 'GET', `/libraries/${lib.id}/unmatched?limit=100`);
        return r.body.items?.find((f) => f.path === 'zzqx unknown 9999/zzqx.mkv');
      });
      await page.goto(ctx.base + `/#/admin/libraries/${lib.id}/unmatched`);
      const item = page.locator('li.unmatched', { hasText: 'zzqx unknown 9999/zzqx.mkv' });
      await item.waitFor();
      await item.getByLabel('TMDb id').fill('10098');
      await shot(ctx, page, 'admin-unmatched');
      await item.getByRole('button', { name: 'Match' }).click();
      await page.getByRole('status').filter({ hasText: 'is matched to TMDb id 10098' }).waitFor();
      await item.waitFor({ state: 'detached' });

      const r = await pageApi(page, 'GET', `/libraries/${lib.id}/unmatched?limit=100`);
      assert.equal(r.status, 200);
      assert.equal(r.body.items.find((f) => f.id === file.id), undefined, 'no longer unmatched');
      // a fresh load of the page agrees
      await page.reload();
      await page.locator('li.unmatched', { hasText: 'The Kid (1921)' }).waitFor();
      assert.equal(await page.locator('li.unmatched', { hasText: 'zzqx.mkv' }).count(), 0);
    },
  ],
  [
    'the admin creates a guest account with a locked parental limit',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const username = 'bt_guest_' + Date.now().toString(36);
      const password = 'guest-pass-' + Math.random().toString(36).slice(2, 10);
      await page.goto(ctx.base + '/#/admin/users');
      await page.getByRole('button', { name: 'New user' }).click();
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'New user' }) });
      await form.getByLabel('Username').fill(username);
      await form.getByLabel('E-mail').fill(username + '@example.com');
      await form.getByLabel('Password').fill(password);
      await form.getByLabel('Display name').fill('Browser Guest');
      await form.getByLabel('Role').selectOption('guest');
      await form.getByRole('button', { name: 'Create user' }).click();
      await page.getByRole('heading', { name: `Browser Guest (${username})` }).waitFor();
      await page.getByRole('status').filter({ hasText: `Account ${username} created` }).waitFor();
      const id = /#\/admin\/users\/([0-9a-f-]{36})/.exec(page.url())[1];

      const parental = page.locator('form', { has: page.getByRole('heading', { name: 'Parental limits' }) });
      await parental.getByLabel('Highest age rating').selectOption('12');
      await parental.getByLabel(/Rating country/).fill('us');
      await parental.getByLabel(/Locked/).check();
      await parental.getByRole('button', { name: 'Save limits' }).click();
      await parental.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

      const p = await pageApi(page, 'GET', `/admin/users/${id}/parental`);
      assert.equal(p.body.max_age_rating, 12);
      assert.equal(p.body.rating_country, 'US');
      assert.equal(p.body.locked, true);
      assert.equal(p.body.allow_unrated, true);
      const u = await pageApi(page, 'GET', `/admin/users/${id}`);
      assert.deepEqual(u.body.roles, ['guest']);
      assert.equal(u.body.is_active, true);

      // the list finds the account by a part of its name
      await page.goto(ctx.base + '/#/admin/users');
      await page.getByRole('searchbox', { name: 'Search' }).fill(username.slice(3));
      const rows = page.locator('table.users tbody tr');
      await rows.filter({ hasText: username }).waitFor();
      await until('the search to settle', async () => (await rows.count()) === 1);
      assert.match(await rows.first().innerText(), /guest/);
      await shot(ctx, page, 'admin-users');
      ctx.state.guest = { id, username, password };
    },
  ],
  [
    'an invitation shows its token once and is revoked; an account is disabled and enabled again',
    async (ctx) => {
      const guest = ctx.state.guest;
      assert.ok(guest, 'the guest of the earlier test');
      const page = await loginAdmin(ctx);
      await page.goto(ctx.base + '/#/admin/users');
      await page.getByRole('button', { name: 'Invite' }).click();
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'Invite' }) });
      await form.getByLabel('Role').selectOption('guest');
      await form.getByLabel(/Valid for/).fill('2');
      await form.getByRole('button', { name: 'Create invitation' }).click();
      const token = await page.getByLabel('Invitation token').inputValue();
      assert.match(token, /^rvi_[A-Za-z0-9_-]{43}$/);
      const list = page.locator('section', { has: page.getByRole('heading', { name: 'Invitations' }) });
      const row = list.locator('tbody tr').first();
      await row.getByText('Pending').waitFor();
      assert.match(await row.innerText(), /guest/);
      await page.getByRole('button', { name: 'Done' }).click();
      assert.equal(await page.getByLabel('Invitation token').count(), 0, 'the token is gone once closed');
      await row.getByRole('button', { name: 'Revoke' }).click();
      await row.getByRole('button', { name: 'Really revoke' }).click();
      await row.getByText('Revoked').waitFor();
      const inv = await pageApi(page, 'GET', '/admin/invitations?limit=1');
      assert.equal(inv.body.items[0].state, 'revoked');

      await page.goto(ctx.base + `/#/admin/users/${guest.id}`);
      await page.getByRole('button', { name: 'Disable account' }).click();
      await page.getByRole('button', { name: 'Enable account' }).waitFor();
      assert.equal((await pageApi(page, 'GET', `/admin/users/${guest.id}`)).body.is_active, false);
      await page.goto(ctx.base + '/#/admin/users');
      await page.getByLabel('Status').selectOption('false');
      await until('only disabled accounts listed', async () => {
        const rows = await page.locator('table.users tbody tr').allInnerTexts();
        return rows.length > 0 && rows.every((r) => /Disabled/.test(r)) && rows.some((r) => r.includes(guest.username));
      });
      await page.goto(ctx.base + `/#/admin/users/${guest.id}`);
      await page.getByRole('button', { name: 'Enable account' }).click();
      await page.getByRole('button', { name: 'Disable account' }).waitFor();
      assert.equal((await pageApi(page, 'GET', `/admin/users/${guest.id}`)).body.is_active, true);
    },
  ],
  [
    'a guest sees no admin pages and nothing of a restricted library',
    async (ctx) => {
      const lib = ctx.state.adminLib;
      const guest = ctx.state.guest;
      assert.ok(lib && guest, 'the library and the guest of the earlier tests');
      const admin = await loginAdmin(ctx);
      // restrict the library on its page
      await admin.goto(ctx.base + `/#/admin/libraries/${lib.id}`);
      const form = admin.locator('form', { has: admin.getByRole('heading', { name: 'Library settings' }) });
      await form.getByLabel('Who sees it').selectOption('granted');
      await form.getByRole('button', { name: 'Save' }).click();
      await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.equal((await pageApi(admin, 'GET', `/libraries/${lib.id}`)).body.visibility, 'granted');
      await admin.getByText('Only these accounts (and administrators) see this library.').waitFor();

      const other = await ctx.browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 375, height: 800 }, locale: 'en-US' });
      try {
        const page = await login({ ...ctx, context: other }, guest.username, guest.password);
        page.on('pageerror', (e) => ctx.errors.push(String(e)));
        await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('button', { name: 'Log out' }).waitFor();
        assert.equal(await page.getByText('Administration').count(), 0, 'no Administration menu');
        for (const path of ['/admin/users', '/admin/libraries', `/admin/libraries/${lib.id}/unmatched`, '/admin/jobs']) {
          await page.goto(ctx.base + '/#' + path);
          await page.getByRole('heading', { name: 'You are not allowed to see this.' }).waitFor();
        }
        assert.equal((await pageApi(page, 'GET', '/admin/users')).status, 403);
        assert.equal((await pageApi(page, 'GET', `/libraries/${lib.id}`)).status, 404);

        const movies = await pageApi(page, 'GET', '/movies?limit=100');
        assert.equal(movies.status, 200);
        assert.ok(movies.body.items.some((m) => m.title === 'Nosferatu'), 'the guest still sees the demo library');
        assert.equal(movies.body.items.filter((m) => m.library_id === lib.id).length, 0, 'nothing of the restricted library');
        const found = await pageApi(page, 'GET', '/search/movies?q=' + encodeURIComponent('The Kid'));
        assert.equal(found.status, 200);
        assert.equal(found.body.items.filter((m) => (m.item ?? m).library_id === lib.id).length, 0);

        // the movies page, where the viewer's pages are part of the build
        await page.goto(ctx.base + '/#/movies');
        const notFound = page.getByRole('heading', { name: 'Not found.' });
        const card = page.locator('.card', { hasText: 'Nosferatu' });
        // whichever shows first; the other wait is dropped (and must not reject unhandled)
        await Promise.race([notFound.waitFor().catch(() => {}), card.first().waitFor().catch(() => {})]);
        if (await card.count()) {
          assert.equal(await page.locator('.card', { hasText: 'The Kid' }).count(), 0);
        } else {
          assert.equal(await notFound.count(), 1, 'the movies page shows Nosferatu, or this build has no movies page');
          console.log('# t_40: no #/movies page in this build; checked through the API only');
        }
        // the admin still sees it
        const mine = await pageApi(admin, 'GET', `/movies?library_id=${lib.id}`);
        assert.ok(mine.body.items.some((m) => m.title === 'The Kid'));

        // a grant on the library's page lets the guest in; revoking it shuts the door again
        const access = admin.locator('section', { has: admin.getByRole('heading', { name: 'Access' }) });
        await access.getByLabel('Username').fill(guest.username);
        await access.getByLabel('Access level').selectOption('view');
        await access.getByRole('button', { name: 'Grant access' }).click();
        await access.locator('li', { hasText: guest.username }).waitFor();
        const seen = await pageApi(page, 'GET', `/movies?library_id=${lib.id}`);
        assert.equal(seen.status, 200);
        assert.ok(seen.body.items.some((m) => m.title === 'The Kid'), 'the granted guest sees the movie');
        await access.getByRole('button', { name: `Revoke access of ${guest.username}` }).click();
        await access.getByRole('button', { name: `Revoke access of ${guest.username}` }).click();
        await access.locator('li', { hasText: guest.username }).waitFor({ state: 'detached' });
        assert.equal((await pageApi(page, 'GET', `/libraries/${lib.id}`)).status, 404);
      } finally {
        await other.close();
      }
    },
  ],
  [
    'the jobs page shows the scan jobs and the activity log lists and exports the library creation',
    async (ctx) => {
      const lib = ctx.state.adminLib;
      assert.ok(lib, 'the library of the first test');
      const page = await loginAdmin(ctx);
      const scans = await pageApi(page, 'GET', `/libraries/${lib.id}/scans`);
      const jobId = scans.body.items[0].job_id;
      assert.ok(jobId, 'the scan has a job');

      await page.goto(ctx.base + '/#/admin/jobs');
      await page.getByRole('heading', { name: 'Queue depth' }).waitFor();
      await page.locator('table.job-stats tbody tr').first().waitFor();
      await page.getByLabel('Kind').fill('library.scan');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/kind=library\.scan/);
      // the filtered list replaces the whole one
      await until('only scan jobs listed', async () => {
        const kinds = await page.locator('table.jobs tbody tr code').allInnerTexts();
        return kinds.length > 0 && kinds.every((k) => k === 'library.scan');
      });
      const row = page.locator('table.jobs tbody tr', { has: page.locator('td.num', { hasText: new RegExp(`^${jobId}$`) }) });
      await row.waitFor();
      assert.match(await row.innerText(), /library\.scan[\s\S]*Completed/);
      await shot(ctx, page, 'admin-jobs');

      await page.goto(ctx.base + '/#/admin/activity');
      await page.getByLabel('Action').fill('library.create');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/action=library\.create/);
      await until('only library.create listed', async () => {
        const actions = await page.locator('table.activity tbody tr td code').allInnerTexts();
        return actions.length > 0 && actions.every((a) => a === 'library.create');
      });
      const entry = page.locator('table.activity tbody tr', { hasText: lib.id });
      await entry.waitFor();
      assert.equal(await entry.count(), 1);
      await shot(ctx, page, 'admin-activity');

      for (const [label, type] of [
        ['CSV', 'text/csv'],
        ['JSON Lines', 'application/x-ndjson'],
      ]) {
        const link = page.getByRole('link', { name: label, exact: true });
        const hrefValue = await link.getAttribute('href');
        assert.match(hrefValue, /^\/api\/v1\/admin\/activity\/export\?/);
        assert.match(hrefValue, /action=library\.create/);
        // a plain GET with the session cookie, as the browser makes for the link
        const r = await page.evaluate(async (u) => {
          const res = await fetch(u);
          return { status: res.status, type: res.headers.get('Content-Type'), disposition: res.headers.get('Content-Disposition'), body: await res.text() };
        }, hrefValue);
        assert.equal(r.status, 200);
        assert.ok(r.type.startsWith(type), `${label}: ${r.type}`);
        assert.match(r.disposition, /attachment/);
        assert.ok(r.body.includes(lib.id), `${label} export holds the library`);
        assert.ok(!r.body.includes('user.login'), `${label} export is filtered`);
      }
    },
  ],
  [
    'a custom role gets its permissions through the grid; built-in roles stay read-only',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const name = 'bt-role-' + Date.now().toString(36).slice(-6);
      await page.goto(ctx.base + '/#/admin/roles');
      await page.getByRole('checkbox', { name: 'guest: movies:list' }).waitFor();
      assert.equal(await page.getByRole('checkbox', { name: 'guest: movies:list' }).isDisabled(), true);
      const create = page.locator('form', { has: page.getByRole('heading', { name: 'New role' }) });
      await create.getByLabel('Name').fill(name);
      await create.getByLabel('Description').fill('made by the browser test');
      await create.getByRole('button', { name: 'Create role' }).click();
      await page.getByRole('status').filter({ hasText: `Role ${name} created` }).waitFor();
      await page.getByRole('checkbox', { name: `${name}: movies:list` }).check();
      await page.getByRole('checkbox', { name: `${name}: jobs:list` }).check();
      await page.getByText('+2 / −0').waitFor();
      await page.getByRole('button', { name: `Save the permissions of ${name}` }).click();
      await page.getByRole('status').filter({ hasText: `Permissions of ${name} saved.` }).waitFor();
      let r = await pageApi(page, 'GET', `/rbac/roles/${name}`);
      assert.deepEqual(r.body.permissions, ['jobs:list', 'movies:list']);

      await page.getByRole('checkbox', { name: `${name}: jobs:list` }).uncheck();
      await page.getByText('+0 / −1').waitFor();
      await page.getByRole('button', { name: `Save the permissions of ${name}` }).click();
      await until('the saved set', async () => {
        r = await pageApi(page, 'GET', `/rbac/roles/${name}`);
        return r.body.permissions.length === 1;
      });
      assert.deepEqual(r.body.permissions, ['movies:list']);

      await page.getByRole('button', { name: `Delete role ${name}` }).click();
      await page.getByRole('button', { name: `Really delete ${name}` }).click();
      await page.getByRole('status').filter({ hasText: `Role ${name} deleted.` }).waitFor();
      assert.equal((await pageApi(page, 'GET', `/rbac/roles/${name}`)).status, 404);
    },
  ],
  [
    'a server setting is changed by its type and the library is deleted after a confirmation',
    async (ctx) => {
      const lib = ctx.state.adminLib;
      assert.ok(lib, 'the library of the first test');
      const page = await loginAdmin(ctx);
      await page.goto(ctx.base + '/#/admin/settings');
      const motd = page.locator('form.setting', { hasText: 'server.motd' });
      const before = (await pageApi(page, 'GET', '/settings/server/server.motd')).body.value;
      await motd.getByRole('textbox').fill('Hello from the browser test');
      await motd.getByRole('button', { name: 'Save server.motd' }).click();
      await motd.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      assert.equal((await pageApi(page, 'GET', '/settings/public')).body['server.motd'], 'Hello from the browser test');
      const interval = page.locator('form.setting', { hasText: 'library.scan_interval_minutes' });
      assert.equal(await interval.locator('input[type=number]').count(), 1, 'an integer setting edits as a number');
      assert.equal(await page.locator('form.setting', { hasText: 'metadata.tmdb_api_key' }).locator('input[type=password]').count(), 1);
      await shot(ctx, page, 'admin-settings');
      assert.equal((await pageApi(page, 'PUT', '/settings/server/server.motd', { value: before })).status, 200);

      await page.goto(ctx.base + `/#/admin/libraries/${lib.id}`);
      await page.getByRole('button', { name: 'Delete library' }).click();
      await page.getByRole('button', { name: `Really delete “${LIB_NAME}”` }).click();
      await page.getByRole('heading', { name: 'Libraries', exact: true }).waitFor();
      assert.equal((await pageApi(page, 'GET', `/libraries/${lib.id}`)).status, 404);
      assert.equal(await page.getByRole('heading', { name: LIB_NAME }).count(), 0);
    },
  ],
];
