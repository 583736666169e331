// The viewer's browsing pages against the demo libraries: home rows, the
// movie grid (posters, sort in the hash, cursor paging), search with
// suggestions, the movie, series, season and episode pages, watched state
// and the narrow screen. Items are looked up by title: other tests' data
// may share the database.
import { assert, login, loginAdmin, pageApi as rawPageApi, shot } from './lib.mjs';

/**
 * pageApi, waiting out the server's rate limit (10 requests a second per
 * address by default): these tests and their pages share one address.
 */
async function pageApi(page, method, path, body) {
  for (let attempt = 0; ; attempt++) {
    const r = await rawPageApi(page, method, path, body);
    if (r.status !== 429 || attempt >= 4) return r;
    await page.waitForTimeout(1000 * (attempt + 1));
  }
}

const DEMO_BY_TITLE = ['Charade', 'The General', 'His Girl Friday', 'Night of the Living Dead', 'Nosferatu'];

async function findMovie(page, title, year) {
  const r = await pageApi(page, 'GET', '/search/movies?limit=20&q=' + encodeURIComponent(title));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const m = r.body.items.find((x) => x.title === title && (!year || x.year === year));
  assert.ok(m, `movie ${title} found`);
  return m;
}

async function findSeries(page, title) {
  const r = await pageApi(page, 'GET', '/search/tvshows?limit=20&q=' + encodeURIComponent(title));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const s = r.body.items.find((x) => x.title === title);
  assert.ok(s, `series ${title} found`);
  return s;
}

/** The titles of the grid's cards, in order. */
function gridTitles(page) {
  return page.locator('main .grid .card .card-title').allTextContents();
}

/** The demo titles among `titles`, in the order they appear. */
function demoOrder(titles) {
  return titles.filter((x) => DEMO_BY_TITLE.includes(x));
}

async function waitForDemoGrid(page) {
  await page.waitForFunction(
    (want) => {
      const got = [...document.querySelectorAll('main .grid .card .card-title')].map((e) => e.textContent);
      return want.every((w) => got.includes(w));
    },
    DEMO_BY_TITLE,
  );
}

export const tests = [
  [
    'home shows continue watching with progress and the recently added demo movies',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const friday = await findMovie(page, 'His Girl Friday', 1940);
      // a position halfway through the 4-second demo clip puts it in "continue watching"
      const put = await pageApi(page, 'PUT', `/movies/${friday.id}/progress`, { position_seconds: 2, duration_seconds: 4 });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      // the home page showed before the position existed: load it again
      await page.reload();
      const recent = page.getByRole('region', { name: 'Recently added movies' });
      const nosferatu = recent.getByRole('link', { name: /Nosferatu/ });
      await nosferatu.waitFor();
      assert.match(await nosferatu.getAttribute('href'), /^#\/movies\/[0-9a-f-]{36}$/);
      const cont = page.getByRole('region', { name: 'Continue watching' });
      const card = cont.getByRole('link', { name: /His Girl Friday/ });
      await card.waitFor();
      // the list gives no duration: the bar's width comes from the progress route (40 %)
      const width = await card.locator('.progress > span').evaluate((e) => e.style.width);
      assert.match(width, /^(3\d|4\d|5\d)%$/, `progress bar width ${width}`);
      await page.getByRole('region', { name: 'Recently added TV shows' }).getByRole('link', { name: /Beverly Hillbillies/ }).waitFor();
      await page.locator('.poster').first().waitFor();
      await shot(ctx, page, 'home');
      await pageApi(page, 'DELETE', `/movies/${friday.id}/progress`);
    },
  ],
  [
    'the movie grid shows posters, sorts, and keeps the sort in the hash across reload and back',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      await page.getByRole('navigation').getByRole('link', { name: 'Movies' }).click();
      await page.getByRole('heading', { level: 1, name: 'Movies' }).waitFor();
      await waitForDemoGrid(page);
      const poster = page.locator('main .grid .card', { hasText: 'Nosferatu' }).locator('img.poster');
      const src = await poster.getAttribute('src');
      assert.match(src, /^\/images\/.+\.jpg$/);
      assert.equal(await poster.getAttribute('loading'), 'lazy');
      await poster.evaluate((img) => (img.complete ? null : new Promise((r) => img.addEventListener('load', r, { once: true }))));
      assert.ok(await poster.evaluate((img) => img.naturalWidth > 0), 'the poster loaded');
      await shot(ctx, page, 'movies-grid');
      const byAdded = demoOrder(await gridTitles(page));

      await page.getByLabel('Sort by').selectOption('title');
      await page.waitForFunction(() => location.hash.includes('sort=title'));
      await page.waitForFunction(
        (want) => {
          const got = [...document.querySelectorAll('main .grid .card .card-title')].map((e) => e.textContent).filter((x) => want.includes(x));
          return got.join('|') === want.join('|');
        },
        DEMO_BY_TITLE,
      );
      // title order ignores the leading "The"
      assert.deepEqual(demoOrder(await gridTitles(page)), DEMO_BY_TITLE);
      assert.notDeepEqual(byAdded, DEMO_BY_TITLE, 'the order changed with the sort');

      await page.reload();
      await waitForDemoGrid(page);
      assert.equal(await page.getByLabel('Sort by').inputValue(), 'title');
      assert.deepEqual(demoOrder(await gridTitles(page)), DEMO_BY_TITLE);

      await page.getByLabel('Order').selectOption('desc');
      await page.waitForFunction(() => location.hash.includes('order=desc'));
      await page.waitForFunction(
        (want) => {
          const got = [...document.querySelectorAll('main .grid .card .card-title')].map((e) => e.textContent).filter((x) => want.includes(x));
          return got.join('|') === want.join('|');
        },
        [...DEMO_BY_TITLE].reverse(),
      );
      // back undoes the direction, the sort stays
      await page.goBack();
      await page.waitForFunction(() => !location.hash.includes('order=desc') && location.hash.includes('sort=title'));
      await page.waitForFunction(
        (want) => {
          const got = [...document.querySelectorAll('main .grid .card .card-title')].map((e) => e.textContent).filter((x) => want.includes(x));
          return got.join('|') === want.join('|');
        },
        DEMO_BY_TITLE,
      );
      assert.equal(await page.getByLabel('Order').inputValue(), 'asc');

      // a year filter joins the sort in the hash and narrows the grid
      await page.locator('details.filters > summary').click();
      await page.getByLabel('To year').fill('1930');
      await page.getByLabel('To year').press('Tab');
      await page.waitForFunction(() => location.hash.includes('year_max=1930') && location.hash.includes('sort=title'));
      await page.waitForFunction(
        (want) => {
          const got = [...document.querySelectorAll('main .grid .card .card-title')].map((e) => e.textContent);
          return got.filter((x) => want.all.includes(x)).join('|') === want.only.join('|');
        },
        { all: DEMO_BY_TITLE, only: ['The General', 'Nosferatu'] },
      );
      assert.match(await page.locator('details.filters > summary').textContent(), /Filters \(1\)/);
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.waitForFunction(() => !location.hash.includes('year_max') && location.hash.includes('sort=title'));
      await waitForDemoGrid(page);
    },
  ],
  [
    'the grid loads the next cursor pages as its end scrolls into view',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const total = (await pageApi(page, 'GET', '/movies?offset=0&limit=1')).body.total;
      assert.ok(total >= 5, `at least the demo movies (${total})`);
      const calls = [];
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname === '/api/v1/movies') calls.push(u.searchParams);
      });
      await page.goto(ctx.base + '/#/movies?sort=title&limit=2');
      await waitForDemoGrid(page);
      await page.waitForFunction((n) => document.querySelectorAll('main .grid .card').length === n, total);
      await page.locator('main .sentinel[data-more="no"]').waitFor({ state: 'attached' });
      const titles = await gridTitles(page);
      assert.equal(new Set(titles).size, titles.length, 'no card twice');
      assert.equal(calls.length, Math.ceil(total / 2), 'one request per page of two');
      assert.equal(calls[0].get('cursor'), null);
      assert.ok(calls.slice(1).every((p) => p.get('cursor') && p.get('limit') === '2' && p.get('sort') === 'title'));
    },
  ],
  [
    'search suggests as you type, follows the keyboard, and opens the chosen movie',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      await page.getByRole('navigation').getByRole('link', { name: 'Search' }).click();
      const box = page.getByRole('combobox', { name: /search movies/i });
      await box.waitFor();
      // the page puts the focus in the box when there is no query yet
      await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'combobox');
      await box.pressSequentially('nosf', { delay: 40 });
      const option = page.getByRole('option', { name: /Nosferatu/ });
      await option.waitFor();
      assert.equal(await box.getAttribute('aria-expanded'), 'true');
      await shot(ctx, page, 'search-suggestions');
      await box.press('Escape');
      assert.equal(await box.getAttribute('aria-expanded'), 'false');
      assert.equal(await box.inputValue(), 'nosf', 'the first Escape only closes');
      await box.press('ArrowDown');
      assert.equal(await box.getAttribute('aria-expanded'), 'true');
      const active = await box.getAttribute('aria-activedescendant');
      assert.ok(active, 'an option is highlighted');
      assert.equal(await page.locator('#' + active).getAttribute('aria-selected'), 'true');
      assert.match(await page.locator('#' + active).textContent(), /Nosferatu/);
      await box.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Nosferatu' }).waitFor();
      assert.match(page.url(), /#\/movies\/[0-9a-f-]{36}$/);
    },
  ],
  [
    'search results are grouped by movies, TV shows and episodes',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      await page.goto(ctx.base + '/#/search');
      const box = page.getByRole('combobox', { name: /search movies/i });
      await box.fill('the');
      await box.press('Enter');
      await page.waitForFunction(() => location.hash === '#/search?q=the');
      const movies = page.getByRole('region', { name: 'Movies' });
      const shows = page.getByRole('region', { name: 'TV shows' });
      const episodes = page.getByRole('region', { name: 'Episodes' });
      await movies.getByRole('link', { name: /The General/ }).waitFor();
      await shows.getByRole('link', { name: /The Beverly Hillbillies/ }).waitFor();
      // the demo special "Behind the Scenes" is an episode hit
      await episodes.getByRole('link', { name: /Behind the Scenes/ }).waitFor();
      assert.equal(await shows.getByRole('link', { name: /The General/ }).count(), 0);
      await shot(ctx, page, 'search-results');
      // the results survive a reload (the query is in the hash)
      await page.reload();
      await page.getByRole('region', { name: 'TV shows' }).getByRole('link', { name: /The Beverly Hillbillies/ }).waitFor();
      assert.equal(await page.getByRole('combobox', { name: /search movies/i }).inputValue(), 'the');
    },
  ],
  [
    'a movie page lists both versions of Charade with a play link each',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const charade = await findMovie(page, 'Charade', 1963);
      const files = (await pageApi(page, 'GET', `/movies/${charade.id}/files`)).body.items;
      assert.equal(files.length, 2);
      await page.goto(ctx.base + `/#/movies/${charade.id}`);
      await page.getByRole('heading', { level: 1, name: 'Charade' }).waitFor();
      const list = page.getByRole('region', { name: 'Files and versions' });
      await list.locator('li.file').nth(1).waitFor();
      assert.equal(await list.locator('li.file').count(), 2);
      for (const f of files) {
        const item = list.locator('li.file', { hasText: f.version });
        assert.equal(await item.count(), 1, `version ${f.version} listed`);
        const play = item.getByRole('link', { name: `Play ${f.version}` });
        assert.equal(await play.getAttribute('href'), `#/play/movie/${charade.id}/${f.id}`);
      }
      await list.locator('li.file', { hasText: '720p' }).getByText('1280×720').waitFor();
      // the page's main Play button plays the first version
      const main = page.locator('.actions').getByRole('link', { name: 'Play', exact: true });
      assert.match(await main.getAttribute('href'), new RegExp(`^#/play/movie/${charade.id}/`));

      const nosferatu = await findMovie(page, 'Nosferatu', 1922);
      await page.goto(ctx.base + `/#/movies/${nosferatu.id}`);
      await page.getByRole('heading', { level: 1, name: 'Nosferatu' }).waitFor();
      await page.locator('.detail-art img.poster').waitFor();
      await page.locator('li.file').first().waitFor();
      await shot(ctx, page, 'movie');
    },
  ],
  [
    'the series, its season and an episode page with a play link',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      // nothing watched: the next episode is the first one
      const show = await findSeries(page, 'The Beverly Hillbillies');
      const reset = await pageApi(page, 'POST', '/tvshows/episodes/bulk-watched', { series_id: show.id, watched: false });
      assert.equal(reset.status, 200, JSON.stringify(reset.body));
      await page.getByRole('navigation').getByRole('link', { name: 'TV shows' }).click();
      await page.locator('main .grid').getByRole('link', { name: /The Beverly Hillbillies/ }).click();
      await page.getByRole('heading', { level: 1, name: 'The Beverly Hillbillies' }).waitFor();
      const seasons = page.getByRole('region', { name: 'Seasons' });
      for (const name of ['Specials', 'Season 1', 'Season 2']) await seasons.getByRole('link', { name: new RegExp(name) }).waitFor();
      const next = page.getByRole('region', { name: 'Next episode' });
      await next.getByText('S01E01').waitFor();
      const first = (await pageApi(page, 'GET', `/tvshows/${show.id}/episodes?season=1`)).body.items.find((e) => e.episode_number === 1);
      const firstFiles = (await pageApi(page, 'GET', `/tvshows/episodes/${first.id}/files`)).body.items;
      const nextPlay = page.locator('.actions').getByRole('link', { name: 'Play S01E01', exact: true });
      assert.equal(await nextPlay.getAttribute('href'), `#/play/episode/${first.id}/${firstFiles[0].id}`);
      await shot(ctx, page, 'series');

      await seasons.getByRole('link', { name: /Season 1/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Season 1' }).waitFor();
      const eps = page.getByRole('region', { name: 'Episodes' }).locator('li.episode');
      await eps.nth(1).waitFor();
      assert.equal(await eps.count(), 2);
      await shot(ctx, page, 'season');
      await eps.first().getByRole('link', { name: /Episode 1|^1\./ }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      assert.match(await page.locator('.ep-code').textContent(), /S01E01/);
      const m = /#\/tvshows\/episodes\/([0-9a-f-]{36})/.exec(page.url());
      assert.ok(m, page.url());
      const files = (await pageApi(page, 'GET', `/tvshows/episodes/${m[1]}/files`)).body.items;
      const play = page.getByRole('region', { name: 'Files and versions' }).getByRole('link', { name: /^Play/ }).first();
      assert.equal(await play.getAttribute('href'), `#/play/episode/${m[1]}/${files[0].id}`);
      // S01E01 links to S01E02
      await page.getByRole('link', { name: /Next episode/ }).click();
      await page.waitForFunction(() => /S01E02/.test(document.querySelector('.ep-code')?.textContent ?? ''));
      await page.getByRole('link', { name: /Previous episode/ }).waitFor();
      await shot(ctx, page, 'episode');
    },
  ],
  [
    'marking a movie and a season watched and unwatched reaches the server',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      const general = await findMovie(page, 'The General', 1926);
      await pageApi(page, 'DELETE', `/movies/${general.id}/watched`);
      await page.goto(ctx.base + `/#/movies/${general.id}`);
      const button = page.locator('.actions').getByRole('button', { name: /watched/i });
      await button.waitFor();
      assert.equal(await button.getAttribute('aria-pressed'), 'false');
      await button.click();
      await page.waitForFunction(() => document.querySelector('.actions .watched-toggle')?.getAttribute('aria-pressed') === 'true');
      let st = await pageApi(page, 'GET', `/movies/${general.id}/progress`);
      assert.equal(st.body.watched, true);
      await button.click();
      await page.waitForFunction(() => document.querySelector('.actions .watched-toggle')?.getAttribute('aria-pressed') === 'false');
      st = await pageApi(page, 'GET', `/movies/${general.id}/progress`);
      assert.equal(st.body.watched, false);

      const show = await findSeries(page, 'The Beverly Hillbillies');
      const detail = (await pageApi(page, 'GET', `/tvshows/${show.id}`)).body;
      const season2 = detail.seasons.find((s) => s.season_number === 2);
      await pageApi(page, 'POST', '/tvshows/episodes/bulk-watched', { season_id: season2.id, watched: false });
      await page.goto(ctx.base + `/#/tvshows/seasons/${season2.id}`);
      await page.getByRole('button', { name: 'Mark all watched' }).click();
      await page.getByRole('button', { name: 'Mark all unwatched' }).waitFor();
      let s2 = (await pageApi(page, 'GET', `/tvshows/seasons/${season2.id}`)).body;
      assert.equal(s2.watched_episodes, s2.episode_count);
      const toggle = page.locator('li.episode').first().getByRole('button');
      await page.waitForFunction(() => document.querySelector('li.episode button')?.getAttribute('aria-pressed') === 'true');
      // one episode back to unwatched with its own toggle
      await toggle.click();
      await page.waitForFunction(() => document.querySelector('li.episode button')?.getAttribute('aria-pressed') === 'false');
      s2 = (await pageApi(page, 'GET', `/tvshows/seasons/${season2.id}`)).body;
      assert.equal(s2.watched_episodes, s2.episode_count - 1);
      await page.getByRole('button', { name: 'Mark all watched' }).waitFor();
    },
  ],
  [
    'a 375 px wide screen shows the movie, episode and grid pages without sideways scrolling',
    async (ctx) => {
      const page = await loginAdmin(ctx);
      await page.setViewportSize({ width: 375, height: 740 });
      const charade = await findMovie(page, 'Charade', 1963);
      await page.goto(ctx.base + `/#/movies/${charade.id}`);
      await page.getByRole('heading', { level: 1, name: 'Charade' }).waitFor();
      await page.locator('li.file').nth(1).waitFor();
      let width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `movie page is ${width}px wide`);
      await shot(ctx, page, 'movie-375');

      await page.goto(ctx.base + '/#/movies');
      await waitForDemoGrid(page);
      width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `grid is ${width}px wide`);

      const show = await findSeries(page, 'The Beverly Hillbillies');
      const ep = (await pageApi(page, 'GET', `/tvshows/${show.id}/episodes?season=1`)).body.items[0];
      await page.goto(ctx.base + `/#/tvshows/episodes/${ep.id}`);
      await page.locator('li.file').first().waitFor();
      width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `episode page is ${width}px wide`);
      await page.goto(ctx.base + `/#/tvshows/seasons/${ep.season_id}`);
      await page.locator('li.episode').first().waitFor();
      width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `season page is ${width}px wide`);
    },
  ],
  [
    'a user who may browse but not play or keep progress sees no play links and no watched toggles',
    async (ctx) => {
      const admin = await loginAdmin(ctx);
      const tag = Date.now().toString(36);
      const role = `browse-only-${tag}`;
      const r = await pageApi(admin, 'POST', '/rbac/roles', {
        name: role,
        description: 'browse without playing (browser test)',
        permissions: ['movies:list', 'movies:get', 'tvshows:list', 'tvshows:get', 'profile:read'],
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const password = `Br0wse-only-${tag}-pw!`;
      const u = await pageApi(admin, 'POST', '/admin/users', { username: `browser${tag}`, email: `browser${tag}@example.com`, password, role });
      assert.equal(u.status, 201, JSON.stringify(u.body));
      const charade = await findMovie(admin, 'Charade', 1963);
      const show = await findSeries(admin, 'The Beverly Hillbillies');
      const season1 = (await pageApi(admin, 'GET', `/tvshows/${show.id}`)).body.seasons.find((x) => x.season_number === 1);
      await ctx.context.clearCookies();
      try {
        const page = await login(ctx, `browser${tag}`, password);
        await page.goto(ctx.base + `/#/movies/${charade.id}`);
        await page.getByRole('heading', { level: 1, name: 'Charade' }).waitFor();
        await page.locator('li.file').nth(1).waitFor();
        // the versions are listed, but nothing offers to play them or to mark them
        assert.equal(await page.locator('a[href^="#/play/"]').count(), 0);
        assert.equal(await page.getByRole('button', { name: /watched/i }).count(), 0);
        await page.goto(ctx.base + `/#/tvshows/seasons/${season1.id}`);
        await page.locator('li.episode').nth(1).waitFor();
        assert.equal(await page.getByRole('button', { name: /watched/i }).count(), 0);
        // browsing is still there
        const nav = page.getByRole('navigation');
        await nav.getByRole('link', { name: 'Movies' }).waitFor();
        await nav.getByRole('link', { name: 'TV shows' }).waitFor();
      } finally {
        await ctx.context.clearCookies();
        const again = await loginAdmin(ctx);
        await pageApi(again, 'DELETE', `/admin/users/${u.body.id}`);
        await pageApi(again, 'DELETE', `/rbac/roles/${role}`);
      }
    },
  ],
];
