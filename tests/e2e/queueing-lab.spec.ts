/**
 * The queueing lab against the built site, beyond the flows every lab shares (labTest.ts): the
 * sweep runs in its Worker with a progress bar, its grid shows the storm's threshold, and a
 * click on a cell loads that load and trigger into the main view (and its link); the lanes and
 * the grid pass axe.
 */
import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, waitForHydration, watchErrors } from './helpers';

test.describe.configure({ timeout: 90_000 });

test('the sweep runs in a Worker, a stuck cell loads into the main view, and the views pass axe', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/labs/queueing/?storm.view=sweep');
  const lab = page.locator('#storm');
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, '#storm');
  await lab.getByTestId('q-sweep-run').click();
  await expect(lab.getByTestId('q-sweep-grid')).toBeVisible({ timeout: 45_000 });
  // no trigger: every load recovers; a 2 s trigger at 90% load stays stuck
  const row0 = lab.locator('[data-testid^="q-cell-0-"]');
  await expect(row0).toHaveCount(9);
  for (const cell of await row0.all()) await expect(cell).toHaveClass(/recovered/);
  const stuck = lab.getByTestId('q-cell-4-8');
  await expect(stuck).toHaveClass(/stuck/);
  await expectNoAxeViolations(page, undefined, '#storm');

  await stuck.click();
  await expect(lab.getByTestId('q-view-time')).toBeChecked();
  await expect(lab.getByTestId('q-in-rate')).toHaveValue('360');
  await expect(lab.getByTestId('q-in-faultFor')).toHaveValue('2000');
  await expect(page).toHaveURL(/storm\.rate=360/);

  await lab.getByTestId('q-view-requests').check();
  await expect(lab.getByTestId('q-lanes')).toBeVisible();
  await lab.getByTestId('lab-scrub').focus();
  await page.keyboard.press('End');
  await expect(lab.getByTestId('q-lanes').locator('text.out.bad').first()).toBeVisible();
  await expectNoAxeViolations(page, undefined, '#storm');
  expect(errors).toEqual([]);
});

test('the Failures view counts duplicate charges and lists the calls behind a counter or a bar, by keyboard too', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/labs/queueing/?queue.preset=duplicates-no-keys');
  const lab = page.locator('#queue');
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, '#queue');
  await expect(lab.getByTestId('q-view-failures')).toBeChecked();
  await expect(lab.getByTestId('q-fail-summary')).toContainText(/\d[\d,]* calls made [\d,]+ attempts/);
  const dup = lab.getByTestId('q-fail-count-duplicate');
  await expect(dup).toContainText(/[1-9][\d,]* duplicate charges/);
  await dup.click();
  const list = lab.getByTestId('q-fail-calls');
  await expect(list).toContainText(/charged [23]×/);
  await expect(list).toContainText(/timed out \(its work finished later\)/);
  // keyboard: a histogram bar lists the calls that made that many attempts
  await lab.getByTestId('q-fail-bar-3').focus();
  await page.keyboard.press('Enter');
  await expect(list).toContainText(/Calls that made 3 attempts/);
  await expect(lab.getByTestId('q-fail-bar-3')).toHaveAttribute('aria-pressed', 'true');
  await expectNoAxeViolations(page, undefined, '#queue');
  // idempotency keys: no duplicate charge, the finishes are deduplicated instead
  await lab.getByTestId('q-in-keys').check();
  await expect(lab.getByTestId('q-fail-count-duplicate')).toContainText(/^0 duplicate/);
  await expect(lab.getByTestId('q-fail-count-deduplicated')).toContainText(/[1-9][\d,]* deduplicated/);
  await expect(page).toHaveURL(/queue\.keys=1/);
  expect(errors).toEqual([]);
});
