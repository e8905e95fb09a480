// JavaScript a lesson page transfers before any interaction, gzipped, measured in Chromium
// against the built site served by scripts/serve.mjs. Builds the site first when dist/ is missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const PORT = 4391;
const PAGES = ['/lessons/concurrency-vs-parallelism/', '/lessons/the-event-loop/', '/lessons/callbacks-promises-async-await/', '/lessons/sync-vs-async-under-load/', '/lessons/actors/', '/lessons/dataflow/'];
/** Page whose first code editor is timed from click to an editable Monaco editor. */
const EDITOR_PAGE = '/lessons/the-event-loop/';
const BUDGET_KB = 60;

async function waitFor(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`preview server did not start at ${url}`);
}

/**
 * Time from a click on the static code to an editable Monaco editor (data-editor-state=ready),
 * in a fresh page each time (cold cache), median of 5. `settled`: the reader clicks once the lab
 * has been in view long enough for the idle-time preload to finish (data-editor-preloaded, at most
 * 10 s); otherwise at once after hydration (the worst case: nothing fetched yet).
 */
async function clickToEditor(browser, url, settled) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'networkidle' });
    const editor = page.locator('[data-editor-state]').first();
    await editor.scrollIntoViewIfNeeded();
    await page.locator('[data-editor-interactive]').first().waitFor({ timeout: 20_000 });
    if (settled) await page.locator('[data-editor-preloaded]').first().waitFor({ timeout: 10_000 }).catch(() => {});
    const surface = editor.locator('[data-editor-surface], [role="button"], pre, .static').first();
    const started = await page.evaluate(() => performance.now());
    await (await surface.count() ? surface : editor).click();
    await page.locator('[data-editor-state="ready"]').first().waitFor({ timeout: 30_000 });
    const ended = await page.evaluate(() => performance.now());
    times.push(ended - started);
    await context.close();
  }
  times.sort((a, b) => a - b);
  const when = settled ? 'after the lab has been in view' : 'at once after hydration';
  return {
    name: `click to an editable Monaco editor on ${new URL(url).pathname}, ${when} (cold, median of 5)`,
    value: times[2],
    unit: 'ms',
    ...(settled ? { budget: 500 } : {}),
    note: `runs ${times.map((t) => Math.round(t)).join(', ')} ms`,
  };
}

export async function measurePageWeight() {
  if (!existsSync('dist/index.html')) {
    console.log('  (building the site first)');
    const b = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
    if (b.status !== 0) throw new Error('build failed');
  }
  const server = spawn(process.execPath, ['scripts/serve.mjs', '--host', '127.0.0.1', '--port', String(PORT)], { stdio: 'ignore', detached: true });
  const figures = [];
  try {
    await waitFor(`http://127.0.0.1:${PORT}/`, 30_000);
    const browser = await chromium.launch({
      executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    for (const path of PAGES) {
      const page = await browser.newPage({ serviceWorkers: "block", viewport: { width: 1280, height: 800 } });
      const scripts = [];
      page.on('response', async (res) => {
        const type = res.headers()['content-type'] ?? '';
        if (res.request().resourceType() === 'script' || type.includes('javascript')) {
          scripts.push(res.body().then((b) => ({ url: res.url(), raw: b.length, gz: gzipSync(b).length })).catch(() => null));
        }
      });
      await page.goto(`http://127.0.0.1:${PORT}${path}`, { waitUntil: 'networkidle' });
      await page.waitForTimeout(500);
      const inline = await page.evaluate(() => [...document.querySelectorAll('script:not([src])')].map((s) => s.textContent ?? '').join('\n'));
      const inlineGz = gzipSync(Buffer.from(inline)).length;
      const sum = async () => {
        const got = (await Promise.all(scripts)).filter(Boolean);
        return { n: got.length, gz: got.reduce((s, x) => s + x.gz, 0) + inlineGz };
      };
      const before = await sum();
      figures.push({ name: `JS on load of ${path}, top of page (${before.n} files + inline, gzipped)`, value: before.gz / 1024, unit: 'KB', budget: BUDGET_KB });
      // Scrolling hydrates every client:visible island; report that too, as the honest upper figure.
      await page.evaluate(async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 400) {
          window.scrollTo(0, y);
          await new Promise((r) => setTimeout(r, 50));
        }
      });
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(500);
      const after = await sum();
      figures.push({ name: `JS after scrolling through ${path}, every lab hydrated (${after.n} files + inline, gzipped)`, value: after.gz / 1024, unit: 'KB', budget: BUDGET_KB });
      await page.close();
    }
    figures.push(await clickToEditor(browser, `http://127.0.0.1:${PORT}${EDITOR_PAGE}`, true));
    figures.push(await clickToEditor(browser, `http://127.0.0.1:${PORT}${EDITOR_PAGE}`, false));
    await browser.close();
  } finally {
    try {
      process.kill(-server.pid);
    } catch {
      server.kill();
    }
  }
  return figures;
}
