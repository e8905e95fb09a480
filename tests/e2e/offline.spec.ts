import { expect, test, type Page } from '@playwright/test';
import { PAGES, waitForHydration, watchErrors } from './helpers';

/**
 * The service worker (src/offline/sw.js, built into dist/sw.js):
 *   - a static host that sends no headers (serve.mjs --no-headers, on the port after the main
 *     one) still gets a cross-origin isolated site after the first load, and a lab that needs
 *     SharedArrayBuffer runs there;
 *   - after one visit and "Prepare for offline", with the browser offline, every lesson, lab and
 *     presenter page loads from the cache and the labs on the lab pages run (the exercise lab on
 *     the Worker, saying the WebContainer cannot start offline).
 * Every other spec blocks service workers (playwright.config.ts).
 */
test.use({ serviceWorkers: 'allow' });

const PORT = Number(process.env.E2E_PORT ?? 4329);
const PLAIN = `http://127.0.0.1:${PORT + 1}`;
const STACKBLITZ = /^https?:\/\/([^/]*\.)?(stackblitz\.(com|io)|webcontainer(-api)?\.io)\//;

async function prepareOffline(page: Page, base = '') {
  await page.goto(`${base}/tracks/`);
  const status = page.getByTestId('offline-status');
  await page.getByTestId('offline-prepare').click();
  await expect(page.locator('[data-offline]')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(status).toContainText(/^Ready offline: all \d+ files \([\d.]+ MB\) are stored/);
}

test('a host that sends no isolation headers: the site becomes cross-origin isolated after the first load, and the Worker variants run', async ({ page }) => {
  test.setTimeout(90_000);
  await page.route(STACKBLITZ, (route) => route.abort('internetdisconnected'));
  const first = await page.goto(`${PLAIN}/labs/sync-async/`);
  expect(first?.headers()['cross-origin-embedder-policy']).toBeUndefined();
  // the worker takes over, the page reloads once, and its responses carry the headers
  await page.waitForFunction(() => window.crossOriginIsolated === true, null, { timeout: 30_000 });
  expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
  const lab = page.locator('#lab');
  await waitForHydration(page, '#lab');
  await lab.getByTestId('sa-runtime-worker').check();
  for (const v of ['sync-batch', 'parallel']) await lab.getByTestId(`sa-variant-${v}`).uncheck();
  const requests = lab.getByTestId('sa-param-requests');
  await requests.fill('20');
  await requests.press('Tab');
  await lab.getByTestId('sa-run').click();
  await expect(lab.getByTestId('sa-run')).toHaveAttribute('data-runs', '1', { timeout: 45_000 });
  for (const v of ['sync', 'async']) await expect(lab.getByTestId(`sa-row-${v}`)).toHaveAttribute('data-status', 'ok');
  // another page of the site is isolated from its first response
  await page.goto(`${PLAIN}/lessons/the-event-loop/`);
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
});

test('offline after one visit: every lesson, lab and presenter page and the files they name come from the cache, and the labs run', async ({ page, context }) => {
  test.setTimeout(180_000);
  await prepareOffline(page);
  await context.setOffline(true);
  const errors = watchErrors(page);
  const labs = JSON.parse(process.env.E2E_LABS ?? '[]') as { id: string; href: string; presentHref: string }[];
  // every page, and every file its HTML names (scripts, styles, island components and renderers,
  // images), comes from the cache: fetched from the page, through the service worker
  const pages = [...PAGES.filter((p) => p !== '/does-not-exist/'), ...labs.map((l) => l.presentHref)];
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  const missing = await page.evaluate(async (paths) => {
    const bad: string[] = [];
    const seen = new Set<string>();
    for (const path of paths) {
      const r = await fetch(path);
      const html = await r.text();
      if (!r.ok || !/<main[\s>]/.test(html)) {
        bad.push(`${path}: ${r.status}`);
        continue;
      }
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const refs = [
        ...[...doc.querySelectorAll('script[src], img[src]')].map((e) => e.getAttribute('src')),
        ...[...doc.querySelectorAll('link[href]')].filter((e) => /stylesheet|modulepreload|icon|preload/.test(e.getAttribute('rel') ?? '')).map((e) => e.getAttribute('href')),
        ...[...doc.querySelectorAll('astro-island')].flatMap((e) => [e.getAttribute('component-url'), e.getAttribute('renderer-url')]),
      ];
      for (const ref of refs) {
        if (!ref) continue;
        const url = new URL(ref, new URL(path, location.href));
        if (url.origin !== location.origin || seen.has(url.href)) continue;
        seen.add(url.href);
        const f = await fetch(url);
        if (!f.ok) bad.push(`${path} → ${url.pathname}: ${f.status}`);
      }
    }
    return { bad, files: seen.size };
  }, pages);
  expect(missing.bad, `pages or files missing offline:\n${missing.bad.join('\n')}`).toEqual([]);
  expect(missing.files, 'files the pages name').toBeGreaterThan(20);
  // a lesson and a presenter page load whole, their labs included
  for (const path of ['/lessons/the-event-loop/', labs[0].presentHref]) {
    expect((await page.goto(path))?.status(), path).toBe(200);
    await expect(page.locator('main, #main').first(), path).toBeVisible();
    for (const island of await page.locator('section[data-lab]').all()) await expect(island, path).not.toHaveAttribute('aria-busy', 'true', { timeout: 20_000 });
  }
  // the lab pages' labs run offline: each engine lab's Worker comes from the cache
  for (const lab of labs.filter((l) => l.id !== 'sync-async')) {
    await page.goto(lab.href);
    const section = page.locator('section[data-lab]').first();
    await waitForHydration(page, 'section[data-lab]');
    // its first run came from the cache (the Worker and the engine chunk); a Run runs it again
    await expect(section.getByTestId('lab-scrub'), lab.id).toHaveAttribute('max', /^[1-9]\d*$/, { timeout: 20_000 });
    const run = section.getByRole('button', { name: /^Run$/ }).first();
    if (await run.count()) {
      await run.click();
      await expect(section, lab.id).not.toHaveAttribute('aria-busy', 'true', { timeout: 20_000 });
      await expect(section.getByTestId('lab-scrub'), lab.id).toHaveAttribute('max', /^[1-9]\d*$/);
    }
    await expect(section.getByTestId('lab-error'), lab.id).toHaveCount(0);
  }
  // the exercise lab: the WebContainer cannot start offline, the Worker runs, and the lab says so
  await page.goto('/labs/sync-async/');
  const lab = page.locator('#lab');
  await waitForHydration(page, '#lab');
  for (const v of ['sync-batch', 'parallel']) await lab.getByTestId(`sa-variant-${v}`).uncheck();
  const requests = lab.getByTestId('sa-param-requests');
  await requests.fill('20');
  await requests.press('Tab');
  await lab.getByTestId('sa-run').click();
  await expect(lab.getByTestId('sa-runtime-status')).toContainText('Runs in the browser Worker. The WebContainer cannot start offline', { timeout: 10_000 });
  await expect(lab.getByTestId('sa-run')).toHaveAttribute('data-runs', '1', { timeout: 45_000 });
  for (const v of ['sync', 'async']) await expect(lab.getByTestId(`sa-row-${v}`)).toHaveAttribute('data-runner', 'worker');
  expect(errors.filter((e) => !/stackblitz|ERR_INTERNET_DISCONNECTED|Failed to load resource/i.test(e))).toEqual([]);
});

test('a new version is announced once, on the first visit it serves', async ({ page }) => {
  await page.goto('/');
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready) && navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
  // this browser saw an older version before
  await page.evaluate(() => localStorage.setItem('under-the-await:site-version', 'an-older-one'));
  await page.goto('/tracks/');
  await expect(page.getByTestId('site-updated')).toContainText('The site was updated since your last visit.');
  await page.getByTestId('site-updated').getByRole('button', { name: 'OK' }).click();
  await expect(page.getByTestId('site-updated')).toHaveCount(0);
  await page.goto('/');
  await page.waitForLoadState('load');
  await page.waitForTimeout(500);
  await expect(page.getByTestId('site-updated')).toHaveCount(0);
});
