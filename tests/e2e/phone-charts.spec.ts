import { expect, test, type Locator, type Page } from '@playwright/test';
import { waitForHydration, watchErrors } from './helpers';

/**
 * On a 390 px phone: the actor graph fits the screen (scaled to the width, not cut off or scrolled
 * sideways), a chart's y-axis label at a large value ("1,000,000" records per second) is drawn
 * whole inside its chart, and a number field shows every digit of its largest value.
 */
test.use({ viewport: { width: 390, height: 844 } });
test.describe.configure({ timeout: 60_000 });

async function open(page: Page, path: string, id: string, ready: string): Promise<Locator> {
  await page.goto(path);
  const lab = page.locator(`#${id}`);
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, `#${id}`);
  await expect(lab.getByTestId(ready).first()).toBeVisible({ timeout: 15_000 });
  return lab;
}

test('the actor graph fits a 390 px screen, every preset', async ({ page }) => {
  const errors = watchErrors(page);
  for (const preset of ['lost-updates', 'supervisor', 'overflow', 'ask-timeout']) {
    const id = preset;
    const lab = await open(page, `/labs/actors/?system.preset=${preset}`, 'system', 'actor-graph');
    // the end of the run draws every actor
    await lab.getByTestId('lab-scrub').focus();
    await page.keyboard.press('End');
    const svg = lab.getByTestId('actor-graph').locator('svg').first();
    const box = (await svg.boundingBox())!;
    expect(box.x, `${id}: the graph starts off the left edge`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${id}: the graph runs ${Math.round(box.x + box.width - 390)} px past the right edge`).toBeLessThanOrEqual(390);
    // every node is inside the drawing's box (nothing clipped by a scroller)
    const nodes = await svg.locator('text').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ l: r.left, r: r.right })));
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) {
      expect(n.l).toBeGreaterThanOrEqual(-1);
      expect(n.r).toBeLessThanOrEqual(391);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }
  expect(errors).toEqual([]);
});

test('a y-axis label at 1,000,000 records/s is drawn whole inside its chart, and the rate field shows all its digits', async ({ page }) => {
  const errors = watchErrors(page);
  // a million records a second with no backpressure: the rate into the graph is 1,000,000/s
  const lab = await open(page, '/labs/dataflow/?bottleneck.unbounded=1', 'bottleneck', 'df-graph');
  const rate = lab.getByTestId('input-rate');
  await rate.fill('1000000');
  await rate.press('Tab');
  await expect.poll(() => page.url(), { timeout: 20_000 }).toContain('rate=1000000');
  // the field is wide enough for "1000000": its text fits its content box
  expect(await rate.evaluate((el: HTMLInputElement) => el.scrollWidth <= el.clientWidth)).toBe(true);
  const chart = lab.getByTestId('df-throughput-chart');
  await expect(chart.locator('text.tick', { hasText: /^1,\d{3},000$/ }).first()).toBeAttached({ timeout: 30_000 });
  const svg = (await chart.locator('svg[role=img]').boundingBox())!;
  const labels = await chart.locator('.axis text.tick').evaluateAll((els) => els.map((e) => ({ text: e.textContent, ...e.getBoundingClientRect().toJSON() })));
  const big = labels.filter((l) => /^\d{1,3}(,\d{3}){2}$/.test(l.text ?? ''));
  expect(big.length, `labels: ${labels.map((l) => l.text).join(' ')}`).toBeGreaterThan(0);
  for (const l of big) {
    expect(l.left, `"${l.text}" starts ${Math.round(svg.x - l.left)} px left of its chart`).toBeGreaterThanOrEqual(svg.x - 0.5);
    expect(l.right).toBeLessThanOrEqual(svg.x + svg.width + 0.5);
  }
  expect(errors).toEqual([]);
});
