// Playing in the browser (position saved and resumed, subtitles, watched
// marks, next up, files the browser cannot decode), preferences and
// sessions, against the demo libraries of the real stack.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, login, loginAdmin, pageApi, shot } from './lib.mjs';

/** Poll fn until it returns a truthy value (or fail after ms). */
async function until(fn, what, ms = 8000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

function ok(r, what) {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The demo movie Nosferatu and its file, with its watch state reset. */
async function nosferatu(page) {
  const found = ok(await pageApi(page, 'GET', '/movies/search?q=nosferatu&limit=20'), 'search');
  const movie = found.items.find((m) => m.title === 'Nosferatu' && m.year === 1922);
  assert.ok(movie, 'the demo movie Nosferatu (1922) is in the library');
  const files = ok(await pageApi(page, 'GET', `/movies/${movie.id}/files`), 'files');
  const file = files.items[0];
  assert.ok(file, 'Nosferatu has a file');
  ok(await pageApi(page, 'DELETE', `/movies/${movie.id}/watched`), 'unwatch');
  ok(await pageApi(page, 'DELETE', `/movies/${movie.id}/progress`), 'forget the position');
  return { movie, file, url: `#/play/movie/${movie.id}/${file.id}` };
}

async function videoTime(page) {
  return page.evaluate(() => document.querySelector('video')?.currentTime ?? -1);
}

/** At a phone's width (375 px) nothing may stick out sideways. */
async function narrow(ctx, page, name) {
  await page.setViewportSize({ width: 375, height: 760 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 375, `the page is ${wide} px wide at 375 px`);
  await shot(ctx, page, name);
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function demoSeries(page) {
  const found = ok(await pageApi(page, 'GET', '/tvshows/search?q=beverly%20hillbillies&limit=20'), 'search');
  const series = found.items.find((s) => s.title === 'The Beverly Hillbillies');
  assert.ok(series, 'the demo series is in the library');
  const eps = ok(await pageApi(page, 'GET', `/tvshows/${series.id}/episodes?limit=100`), 'episodes').items;
  const ep = (s, e) => eps.find((x) => x.season_number === s && x.episode_number === e);
  assert.ok(ep(1, 1) && ep(1, 2), 'S01E01 and S01E02 exist');
  return { series, e1: ep(1, 1), e2: ep(1, 2) };
}

/** A short HEVC clip made with ffmpeg, or null when this machine cannot encode one. */
function hevcClip() {
  const dir = mkdtempSync(join(tmpdir(), 'revenge-hevc-'));
  try {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=24:duration=2',
      '-f', 'lavfi', '-i', 'sine=duration=2', '-c:v', 'libx265', '-pix_fmt', 'yuv420p', '-c:a', 'aac', join(dir, 'c.mkv')], { stdio: 'ignore' });
    return readFileSync(join(dir, 'c.mkv'));
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const tests = [
  [
    'a movie plays, its position is saved on leaving, and reopening offers to resume',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const { movie, url } = await nosferatu(page);
      await page.goto(ctx.base + '/' + url);
      await page.getByRole('heading', { name: 'Nosferatu (1922)' }).waitFor();
      assert.equal(await page.getByRole('link', { name: /back/i }).getAttribute('href'), `#/movies/${movie.id}`);
      // Matroska with H.264 and AAC plays in Chromium: time runs
      await until(async () => (await videoTime(page)) >= 1.5, 'two seconds of playback', 10000);
      assert.ok(await page.evaluate(() => document.querySelector('video').videoWidth > 0), 'the picture decodes');
      await shot(ctx, page, 'player');
      // leaving the route reports the position (fetch keepalive)
      await page.evaluate(() => (location.hash = '#/'));
      const state = await until(async () => {
        const w = ok(await pageApi(page, 'GET', `/movies/${movie.id}/progress`), 'progress');
        return w.position_seconds > 1 ? w : null;
      }, 'the saved position');
      assert.ok(state.position_seconds > 1 && !state.watched, `saved ${JSON.stringify(state)}`);

      // back again: the player asks, and resuming starts there
      await page.goto(ctx.base + '/' + url);
      const resume = page.getByRole('button', { name: /resume from 0:0\d/i });
      await resume.waitFor();
      assert.equal(await resume.textContent(), `Resume from 0:0${state.position_seconds}`);
      await page.getByRole('button', { name: /start over/i }).waitFor();
      assert.ok((await videoTime(page)) < 0.5, 'nothing plays before the choice');
      await shot(ctx, page, 'player-resume');
      await resume.click();
      await until(async () => (await videoTime(page)) >= state.position_seconds - 0.25, 'playback from the saved position');
      assert.equal(await resume.count(), 0, 'the question is gone');
      await narrow(ctx, page, 'player-375');
    },
  ],
  [
    '?t= starts at the given second without asking, and the keyboard seeks',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const { movie, url } = await nosferatu(page);
      ok(await pageApi(page, 'PUT', `/movies/${movie.id}/progress`, { position_seconds: 2 }), 'a saved position');
      await page.goto(ctx.base + '/' + url + '?t=1');
      await until(async () => (await videoTime(page)) >= 1, 'playback from 1 s');
      assert.equal(await page.getByRole('button', { name: /resume from/i }).count(), 0);
      // space pauses, m mutes, ← goes back 10 s (to the start)
      await page.keyboard.press(' ');
      await until(() => page.evaluate(() => document.querySelector('video').paused), 'paused by space');
      await page.keyboard.press('m');
      assert.equal(await page.evaluate(() => document.querySelector('video').muted), true);
      await page.keyboard.press('ArrowLeft');
      await until(async () => (await videoTime(page)) === 0, 'back to the start');
    },
  ],
  [
    'the external subtitle loads as a text track',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const { file, url } = await nosferatu(page);
      const sub = file.subtitles[0];
      assert.ok(sub && sub.language === 'en', 'Nosferatu has an English .srt');
      await page.goto(ctx.base + '/' + url + '?t=0');
      const track = page.locator('video track');
      assert.equal(await track.getAttribute('src'), `${sub.url}?format=vtt`);
      assert.equal(await track.getAttribute('srclang'), 'en');
      assert.equal(await track.getAttribute('label'), 'English');
      await page.evaluate(() => {
        for (const t of document.querySelector('video').textTracks) t.mode = 'showing';
      });
      const text = await until(
        () =>
          page.evaluate(() => {
            const t = [...document.querySelector('video').textTracks].find((x) => x.label === 'English' && x.cues && x.cues.length);
            return t ? [...t.cues].map((c) => c.text).join(' | ') : null;
          }),
        'the subtitle cues',
      );
      assert.match(text, /Nosferatu, a symphony of horror/);
      // Whether the server converts to WebVTT itself (else the client parsed the SubRip)
      const vtt = await page.evaluate((u) => fetch(u).then(async (r) => ({ status: r.status, text: await r.text() })), `${sub.url}?format=vtt`);
      if (vtt.status === 400 && /format/.test(vtt.text)) {
        console.log('# note: the server refuses ?format=vtt (400 naming format); the player fell back to parsing the SubRip');
      } else {
        assert.equal(vtt.status, 200);
        assert.match(vtt.text, /^WEBVTT/);
        assert.equal(await page.evaluate(() => document.querySelector('video track')?.readyState), 2, 'the <track> loaded');
      }
    },
  ],
  [
    'marking watched and unwatched from the player is stored',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const { movie, url } = await nosferatu(page);
      await page.goto(ctx.base + '/' + url + '?t=0');
      await page.getByText('Not watched', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Mark watched' }).click();
      await page.getByText('Watched', { exact: true }).waitFor();
      let w = ok(await pageApi(page, 'GET', `/movies/${movie.id}/progress`), 'progress');
      assert.equal(w.watched, true);
      assert.ok(w.play_count >= 1);
      await page.getByRole('button', { name: 'Mark unwatched' }).click();
      await page.getByText('Not watched', { exact: true }).waitFor();
      w = ok(await pageApi(page, 'GET', `/movies/${movie.id}/progress`), 'progress');
      assert.equal(w.watched, false);
    },
  ],
  [
    'an episode played to its end is watched, next up moves to S01E02 and the player offers it',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const { series, e1, e2 } = await demoSeries(page);
      ok(await pageApi(page, 'POST', '/tvshows/episodes/bulk-watched', { series_id: series.id, watched: false }), 'unwatch the series');
      const nextUp = async () => ok(await pageApi(page, 'GET', '/tvshows/next-up?limit=100'), 'next up').items.find((x) => x.series_id === series.id);
      assert.equal(await nextUp(), undefined, 'nothing watched: the series is not in next up');
      const files = ok(await pageApi(page, 'GET', `/tvshows/episodes/${e1.id}/files`), 'files');
      await page.goto(`${ctx.base}/#/play/episode/${e1.id}/${files.items[0].id}`);
      await page.getByRole('heading', { name: 'The Beverly Hillbillies – S01E01 – Episode 1' }).waitFor();
      assert.equal(await page.getByRole('link', { name: /back/i }).getAttribute('href'), `#/tvshows/episodes/${e1.id}`);
      // the 2 s clip plays to its end; the last report completes the play
      const upNext = page.getByRole('region', { name: 'Up next' });
      await upNext.waitFor({ timeout: 15000 });
      await upNext.getByText(/S01E02/).waitFor();
      const link = upNext.getByRole('link');
      assert.match(await link.getAttribute('href'), new RegExp(`^#/play/episode/${e2.id}/`));
      await shot(ctx, page, 'player-up-next');
      const w = ok(await pageApi(page, 'GET', `/tvshows/episodes/${e1.id}/progress`), 'progress');
      assert.equal(w.watched, true, 'S01E01 watched');
      const next = await until(nextUp, 'the series in next up');
      assert.equal(next.id, e2.id, `next up names S01E02, not ${next.season_number}x${next.episode_number}`);
      // the autoplay preference (on by default) counts down to it; cancel stops it
      const cancel = upNext.getByRole('button', { name: 'Cancel' });
      if (await cancel.count()) await cancel.click();
      await page.getByRole('link', { name: 'Play the next episode' }).waitFor();
    },
  ],
  [
    'a file the browser cannot decode is offered as a download',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const { movie, file, url } = await nosferatu(page);
      const expectDownload = async (what) => {
        const alert = page.getByRole('alert').filter({ hasText: 'Your browser cannot play this file' });
        await alert.waitFor();
        if (what) assert.match(await alert.textContent(), what);
        assert.match(await alert.textContent(), /No transcoding yet/);
        const dl = alert.getByRole('link', { name: 'Download the file' });
        assert.equal(await dl.getAttribute('href'), file.stream_url);
        assert.equal(await dl.getAttribute('download'), 'Nosferatu (1922).mkv');
        return alert;
      };

      // 0. the stream answers 404: no download offered, but the status
      await page.route('**/stream', (r) => r.fulfill({ status: 404, contentType: 'application/problem+json', body: '{"status":404}' }));
      await page.goto(ctx.base + '/' + url + '?t=0');
      await page.getByRole('alert').filter({ hasText: 'The file could not be loaded (HTTP 404).' }).waitFor();
      await page.unroute('**/stream');
      await page.goto(ctx.base + '/#/');

      // 1. the stream is not a video at all: the video element's error
      await page.route('**/stream', (r) => r.fulfill({ status: 200, contentType: 'video/x-matroska', body: Buffer.alloc(4096, 0x5a) }));
      await page.goto(ctx.base + '/' + url + '?t=0');
      await expectDownload(null);
      await shot(ctx, page, 'player-cannot-play');
      await page.unroute('**/stream');

      // 2. the probe says HEVC: the check before playing refuses it
      const hevcFiles = async (r) => {
        const res = await r.fetch();
        const body = await res.json();
        for (const f of body.items) f.video_codec = 'hevc';
        await r.fulfill({ response: res, json: body });
      };
      await page.route(`**/api/v1/movies/${movie.id}/files?*`, hevcFiles);
      await page.goto(ctx.base + '/#/');
      await page.goto(ctx.base + '/' + url + '?t=0');
      await expectDownload(/\(HEVC video\)/);
      assert.equal(await page.locator('video').count(), 0, 'no player for it');

      // 3. real HEVC bytes tried anyway: Chromium plays the sound over no
      //    picture without an error, which the player notices
      const clip = hevcClip();
      if (!clip) {
        console.log('# note: no ffmpeg with libx265 here; the HEVC bytes case is skipped');
        return;
      }
      let served = 0;
      await page.route('**/stream', (r) => {
        served++;
        return r.fulfill({ status: 200, contentType: 'video/x-matroska', body: clip });
      });
      const tryAnyway = page.getByRole('button', { name: 'Try anyway' });
      await tryAnyway.click();
      await tryAnyway.waitFor({ state: 'detached' });
      await expectDownload(/\(HEVC video\)/);
      assert.ok(served > 0, 'the browser fetched the HEVC stream');
      assert.equal(await page.locator('video').count(), 0, 'the player gave up');
    },
  ],
  [
    'preferences: German switches the interface at once, the theme applies, and back',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      try {
        await page.goto(ctx.base + '/#/preferences');
        const nav = page.locator('header nav');
        await nav.getByRole('link', { name: 'Preferences' }).waitFor();
        await page.getByLabel('Interface language').selectOption('de');
        await nav.getByRole('link', { name: 'Einstellungen' }).waitFor();
        await nav.getByRole('button', { name: 'Abmelden' }).waitFor();
        await page.getByRole('heading', { name: 'Einstellungen', level: 1 }).waitFor();
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
        const prefs = ok(await pageApi(page, 'GET', '/users/me/preferences'), 'prefs');
        assert.equal(prefs.display_language, 'de');
        await page.getByLabel('Dunkel').check();
        await until(() => page.evaluate(() => document.documentElement.dataset.theme === 'dark'), 'the dark theme');
        await shot(ctx, page, 'preferences-de');
        // a reload keeps it (the server has it)
        await page.reload();
        await nav.getByRole('link', { name: 'Einstellungen' }).waitFor();
        await page.getByLabel('Sprache der Oberfläche').selectOption('en');
        await nav.getByRole('link', { name: 'Preferences' }).waitFor();
        await nav.getByRole('button', { name: 'Log out' }).waitFor();
        await page.getByLabel('Like the system').check();
        await until(() => page.evaluate(() => !('theme' in document.documentElement.dataset)), 'the system theme');
        await shot(ctx, page, 'preferences');
        await narrow(ctx, page, 'preferences-375');
      } finally {
        await pageApi(page, 'PUT', '/users/me/preferences', { display_language: 'en', theme: 'system' });
      }
    },
  ],
  [
    'a user sees locked parental limits read-only, password errors by their fields, and ends other sessions',
    async (ctx) => {
      const admin = await loginAdmin(ctx);
      const name = `kid${Date.now().toString(36)}`;
      const password = 'kid-password-1';
      const user = ok(await pageApi(admin, 'POST', '/admin/users', { username: name, email: `${name}@example.com`, password, role: 'user' }), 'create user');
      ok(await pageApi(admin, 'PUT', `/admin/users/${user.id}/parental`, { max_age_rating: 12, locked: true }), 'lock');
      await admin.getByRole('button', { name: 'Log out' }).click();
      await admin.getByRole('button', { name: /log in/i }).waitFor();
      await admin.close();

      const page = await login(ctx, name, password);
      await page.goto(ctx.base + '/#/preferences');
      const age = page.getByLabel('Age limit');
      // locked from the start (the preferences say so), not only after a refused change
      await page.getByText('These limits were set by an administrator').waitFor();
      assert.equal(await age.inputValue(), '12');
      assert.equal(await age.isDisabled(), true, 'read-only');
      assert.equal(
        await page.getByRole('region', { name: 'Parental controls' }).getByRole('button', { name: 'Save' }).count(),
        0,
        'no save button for limits the user cannot change',
      );
      const prefs = ok(await pageApi(page, 'GET', '/users/me/preferences'), 'prefs');
      assert.equal(prefs.max_age_rating, 12);
      await shot(ctx, page, 'preferences-locked');

      // the password form: a mismatch and a wrong current password, each by its field
      const pw = page.getByRole('region', { name: 'Password' });
      await pw.getByLabel('Current password').fill('not-it-at-all');
      await pw.getByLabel('New password', { exact: true }).fill('new-password-2');
      await pw.getByLabel('New password again').fill('new-password-3');
      await pw.getByRole('button', { name: 'Change password' }).click();
      await pw.getByRole('alert').filter({ hasText: 'The two new passwords differ.' }).waitFor();
      await pw.getByLabel('New password again').fill('new-password-2');
      await pw.getByRole('button', { name: 'Change password' }).click();
      const wrong = pw.getByRole('alert').filter({ hasText: 'The current password is wrong.' });
      await wrong.waitFor();
      // shown right under its field
      const follows = await page.evaluate(() => {
        const input = document.querySelector('input[name=current_password]');
        return input.closest('label').nextElementSibling?.textContent;
      });
      assert.equal(follows, 'The current password is wrong.');

      // a second session (another device), then "log out all other sessions"
      const other = ok(await pageApi(page, 'POST', '/auth/login', { username: name, password, device_name: 'Second device' }), 'second login');
      await page.goto(ctx.base + '/#/sessions');
      const items = page.locator('.session-list > li');
      await until(async () => (await items.count()) === 2, 'two sessions');
      const current = page.locator('.session-list > li[data-current=yes]');
      assert.equal(await current.count(), 1);
      assert.match(await current.textContent(), /This session/);
      assert.match(await current.textContent(), /Web \(Chromium\)/);
      await page.getByRole('listitem').filter({ hasText: 'Second device' }).waitFor();
      await shot(ctx, page, 'sessions');
      await narrow(ctx, page, 'sessions-375');
      await page.getByRole('button', { name: 'Log out all other sessions' }).click();
      await until(async () => (await items.count()) === 1, 'one session left');
      const left = ok(await pageApi(page, 'GET', '/sessions'), 'sessions').items;
      assert.deepEqual(left.map((s) => s.current), [true]);
      const status = await page.evaluate(
        (token) => fetch('/api/v1/users/me', { headers: { Authorization: `Bearer ${token}` }, credentials: 'omit' }).then((r) => r.status),
        other.access_token,
      );
      assert.equal(status, 401, 'the other session no longer works');
    },
  ],
  [
    'the sessions page lists and marks the current session',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      await page.goto(ctx.base + '/#/sessions');
      await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
      const current = page.locator('.session-list > li[data-current=yes]');
      await current.waitFor();
      assert.equal(await current.count(), 1);
      assert.match(await current.textContent(), /Web \(Chromium\)/);
      assert.match(await current.textContent(), /Chromium on Linux|Chrome on Linux/);
      assert.equal(await current.getByRole('button', { name: 'Log out this session' }).count(), 0, 'no revoke button for this one');
      const mine = ok(await pageApi(page, 'GET', '/sessions/current'), 'current');
      const listed = ok(await pageApi(page, 'GET', '/sessions?limit=100'), 'sessions').items.find((s) => s.current);
      assert.equal(listed.id, mine.id);
    },
  ],
];
