import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, waitForHydration, watchErrors } from './helpers';

/**
 * The exercise Worker runner end to end (src/runners/exerciseWorker.ts + exerciseWorkerEntry.ts):
 * the preview page runs the io-db solution under sync and async in a real module Worker of the
 * built site. 20 ms of I/O per call and 10 clients: sync serves one request at a time (its two
 * blocking reads one after the other), async overlaps all ten clients' waits, so async throughput
 * should be many times sync's (about 20x here); the test asks for more than 3x to stay robust.
 */
test.describe('exercise Worker runner', () => {
  test('runs io-db under sync and async in a browser Worker', async ({ page }) => {
    test.setTimeout(45_000);
    const errors = watchErrors(page);
    await page.goto('/labs/sync-async/');
    await expect(page.getByRole('heading', { level: 1, name: 'Sync vs async runner (preview)' })).toBeVisible();
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);

    const run = page.getByRole('button', { name: 'Run io-db' });
    await waitForHydration(page, '[data-testid="probe-run"]');
    await run.click();

    const sync = page.getByTestId('probe-row-sync');
    const async_ = page.getByTestId('probe-row-async');
    await expect(sync).toBeVisible({ timeout: 20_000 });
    await expect(async_).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole('status')).toHaveText('Done.');
    await expect(page.getByTestId('probe-errors')).toHaveCount(0);

    for (const row of [sync, async_]) {
      await expect(row).toContainText('browser Worker');
      expect(Number(await row.getAttribute('data-errors'))).toBe(0);
    }
    const syncThroughput = Number(await sync.getAttribute('data-throughput'));
    const asyncThroughput = Number(await async_.getAttribute('data-throughput'));
    expect(syncThroughput).toBeGreaterThan(0);
    expect(asyncThroughput).toBeGreaterThan(3 * syncThroughput);

    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });

  test('the page has no axe violations before a run', async ({ page }) => {
    await page.goto('/labs/sync-async/');
    await waitForHydration(page, '[data-testid="probe-run"]');
    await expectNoAxeViolations(page);
  });
});
