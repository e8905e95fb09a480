import { expect, test } from '@playwright/test';
import { PAGES, expectNoAxeViolationsInBothThemes, setTheme, watchErrors } from './helpers';

/**
 * Lab pages get axe once per theme elsewhere, with a lab part-way through a run (a stricter check
 * than a page at rest): every lab of the registry in labTest.ts, the editor demo in editor.spec.ts.
 * Here they get the console and isolation check only.
 */
const axeElsewhere = (path: string) => path.startsWith('/labs/');

/** Scroll through the page so client:visible islands hydrate, then back to the top. */
/**
 * The page and what it loads at once (the islands in view on load hydrate then). The lessons'
 * labs are `client:visible` and below the fold: they stay as the server rendered them, which is
 * what axe checks here (and what a reader sees before scrolling to them); each lab is checked
 * hydrated, in both themes, on its own page (labTest.ts). A scroll through the page used to come
 * first, meant to hydrate them: measured on every page, it hydrated none, and cost ~1 s a page.
 */
async function settle(page: import('@playwright/test').Page) {
  await page.waitForLoadState('networkidle');
}

for (const path of PAGES) {
  const axe = !axeElsewhere(path);
  // one visit checks the console, the isolation headers, and axe in both themes (the dark pass
  // after an in-page switch, as a reader who toggles the theme sees it: colour contrast only)
  test(`${path} loads without console errors and is cross-origin isolated${axe ? '; no axe violations in either theme' : ''}`, async ({ page }) => {
    // axe reads every node of a long lesson twice: seconds of work, more on a busy machine
    test.setTimeout(90_000);
    await setTheme(page, 'light');
    const errors = watchErrors(page);
    const response = await page.goto(path);
    expect(response, 'a response').not.toBeNull();
    expect(response!.status()).toBe(path === '/does-not-exist/' ? 404 : 200);
    const headers = response!.headers();
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await settle(page);
    // the browser logs the 404 status of the missing page itself; nothing else may fail
    const expected = path === '/does-not-exist/' ? [/status of 404/] : [];
    expect(errors.filter((e) => !expected.some((re) => re.test(e)))).toEqual([]);
    if (axe) await expectNoAxeViolationsInBothThemes(page);
  });
}

test('the theme toggle switches theme and is remembered across a reload', async ({ page }) => {
  await setTheme(page, 'light');
  await page.goto('/');
  const toggle = page.getByRole('button', { name: 'Dark theme' });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // addInitScript would re-set "light" on reload, so use a fresh page in the same context
  const again = await page.context().newPage();
  await again.goto('/tracks/');
  await expect(again.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('the theme follows the system when nothing is stored', async ({ browser }) => {
  const ctx = await browser.newContext({ colorScheme: 'dark' });
  const page = await ctx.newPage();
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await ctx.close();
});

test('the home page lists all twelve lessons, unwritten ones marked coming', async ({ page }) => {
  await page.goto('/');
  const steps = page.locator('ol.path > li');
  await expect(steps).toHaveCount(12);
  await expect(steps.nth(0).getByRole('link', { name: 'Concurrency vs parallelism' })).toBeVisible();
  await expect(steps.nth(11)).toContainText('Claims lab');
  await expect(steps.nth(11)).toContainText('Coming');
});

test('the skip link moves focus to the main content', async ({ page }) => {
  await page.goto('/lessons/concurrency-vs-parallelism/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#main$/);
  await expect(page.locator('main')).toBeFocused();
});

test('search finds lesson 1', async ({ page }) => {
  await page.goto('/search/?q=Amdahl');
  const first = page.locator('[data-search-results] li a').first();
  await expect(first).toHaveText(/Concurrency vs parallelism/);
  await first.click();
  await expect(page).toHaveURL(/\/lessons\/concurrency-vs-parallelism\//);
});

test('search from the form updates the URL and says when nothing matches', async ({ page }) => {
  await page.goto('/search/');
  await page.getByLabel('Search lessons').fill('zzqxv');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('status')).toContainText('No results for “zzqxv”');
  await expect(page).toHaveURL(/q=zzqxv/);
});

test('the site works at phone width without horizontal scrolling', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await ctx.newPage();
  for (const path of ['/', '/tracks/', '/lessons/concurrency-vs-parallelism/']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
  }
  await ctx.close();
});

test('the code editor demo (/labs/editor/) is a developer page, not part of the built site', async ({ page }) => {
  test.skip(process.env.DEV_PAGES === '1', 'this build includes the developer pages (DEV_PAGES=1)');
  const response = await page.goto('/labs/editor/');
  expect(response!.status()).toBe(404);
});

test('the presenter key legend has spaces around its separators', async ({ page }) => {
  await page.goto('/present/scheduler/');
  const legend = (await page.locator('.present-bar .keys').textContent())!.replace(/\s+/g, ' ').trim();
  expect(legend).toContain('step · ');
  expect(legend).not.toMatch(/\S·|·\S/);
});
