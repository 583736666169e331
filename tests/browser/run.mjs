// tests/browser/run.mjs BASE_URL STACK_DIR — the browser tests of the web
// client: Debian's Chromium (/usr/bin/chromium), headless, driven by
// playwright-core against the real stack (nginx, the FastCGI pool, the
// worker, PostgreSQL, Redis) that tests/run.sh started.
//
// Every t_*.mjs file here exports `tests`: [name, async (ctx) => {...}].
// Each test gets a fresh browser context (no cookies). A test fails by
// throwing; the output is TAP-like, one "ok"/"not ok" line per test, then
//   browser: N passed, M failed
// Screenshots go to BUILD/screenshots (BROWSER_SHOTS).
import { chromium } from 'playwright-core';
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [base, stack] = process.argv.slice(2);
if (!base || !stack) {
  console.error('usage: node tests/browser/run.mjs BASE_URL STACK_DIR');
  process.exit(2);
}
const shots = process.env.BROWSER_SHOTS || join(stack, '..', 'screenshots');
mkdirSync(shots, { recursive: true });
const only = process.env.BROWSER_TESTS ? new RegExp(process.env.BROWSER_TESTS) : null;

function adminPassword() {
  const text = readFileSync(join(stack, 'admin-credentials'), 'utf8');
  const m = /^password: (.*)$/m.exec(text);
  if (!m) throw new Error('no password in admin-credentials');
  return m[1].trim();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: [
    ...(process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : []),
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--autoplay-policy=no-user-gesture-required',
  ],
});

const shared = { base, stack, shots, adminPassword: adminPassword(), state: {} };
let passed = 0;
let failed = 0;
const files = readdirSync(here).filter((f) => /^t_.*\.mjs$/.test(f)).sort();
for (const f of files) {
  const mod = await import(join(here, f));
  for (const [name, fn] of mod.tests) {
    const full = `${f.replace(/\.mjs$/, '')}: ${name}`;
    if (only && !only.test(full)) continue;
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
    });
    const errors = [];
    context.on('page', (p) => p.on('pageerror', (e) => errors.push(String(e))));
    const started = Date.now();
    try {
      await fn({ ...shared, context, browser, errors });
      if (errors.length) throw new Error('uncaught errors in the page: ' + errors.join('; '));
      passed++;
      console.log(`ok - ${full} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${full}: ${String(e && e.stack ? e.stack : e).split('\n').slice(0, 6).join('\n    ')}`);
      const pages = context.pages();
      if (pages.length) {
        await pages[pages.length - 1]
          .screenshot({ path: join(shots, `FAILED-${full.replace(/[^a-z0-9]+/gi, '_')}.png`) })
          .catch(() => {});
      }
    } finally {
      await context.close();
    }
  }
}
await browser.close();
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
