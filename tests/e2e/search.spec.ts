import { expect, test, type Page } from '@playwright/test';

/**
 * Search (src/pages/search.astro on Pagefind): a result must hold the query's words (Pagefind alone
 * found six lessons for "asdfqwer" by its prefix "as", and Actors for "deadlock" by "dead letter"),
 * nonsense finds nothing and says so, and a result lands at the match, not the top of the lesson.
 */
const results = (page: Page) => page.locator('[data-search-results] li');
const status = (page: Page) => page.locator('[data-search-status]');

async function search(page: Page, q: string) {
  await page.goto(`/search/?q=${encodeURIComponent(q)}`);
  await expect(status(page)).not.toHaveText(/Searching|^$/);
}

test('nonsense finds nothing and says "No results for …"', async ({ page }) => {
  for (const q of ['asdfqwer', 'zzqxv wait']) {
    await search(page, q);
    await expect(status(page)).toHaveText(new RegExp(`^No results for “${q}”`));
    await expect(results(page)).toHaveCount(0);
  }
});

test('every result holds each word of the query, not a neighbour of it', async ({ page }) => {
  for (const q of ['deadlock', 'dead letter', 'microtask queue']) {
    await search(page, q);
    await expect(status(page)).toContainText('match');
    const n = await results(page).count();
    expect(n, q).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      const href = await results(page).nth(i).locator('a').getAttribute('href');
      const text = await page.request.get(href!.split('#')[0]).then((r) => r.text());
      const body = /<article[^>]*data-pagefind-body[\s\S]*<\/article>/.exec(text)?.[0] ?? '';
      for (const word of q.split(' ')) expect(body.toLowerCase(), `${href} for "${q}"`).toMatch(new RegExp(`(?<![a-z0-9])${word}`));
    }
  }
  // "deadlock" must not come from "dead letter": every excerpt marks the word itself
  await search(page, 'deadlock');
  const marks = await page.locator('[data-search-results] mark').allTextContents();
  expect(marks.length).toBeGreaterThan(0);
  for (const m of marks) expect(m.toLowerCase()).toMatch(/^deadlock/);
});

test('a result lands at the match: the section and the words, in view', async ({ page }) => {
  await search(page, 'deadlock');
  // lesson 7 is about deadlocks too; this follows the Actors result, wherever it ranks
  const link = results(page).locator('a[href^="/lessons/actors/"]').first();
  const href = (await link.getAttribute('href'))!;
  expect(href).toMatch(/^\/lessons\/actors\/#[\w-]*:~:text=deadlock/);
  await link.click();
  await expect(page).toHaveURL(/\/lessons\/actors\//);
  // the browser scrolled to the words: the paragraph holding them is in the viewport, the title is not
  const para = page.locator('article p', { hasText: 'deadlock on call cycles' }).first();
  await expect(para).toBeInViewport();
  await expect(page.locator('h1')).not.toBeInViewport();
});
