import { expect, test, type Locator, type Page } from '@playwright/test';
import { waitForHydration, watchErrors } from './helpers';

/**
 * Every number field of every lab is a NumberField: a typed value commits on Enter and on Tab
 * (blur), reaches the run and the URL, an empty field puts the current value back, and an
 * out-of-range value is clamped with a note. None of it throws.
 */
test.describe.configure({ timeout: 60_000 });

async function open(page: Page, path: string, id: string, ready: string): Promise<Locator> {
  await page.goto(path);
  const lab = page.locator(`#${id}`);
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, `#${id}`);
  await expect(lab.getByTestId(ready)).toBeVisible({ timeout: 15_000 });
  return lab;
}

test('a typed seed reaches the run and the URL (Enter and Tab), empty restores it, out of range is clamped', async ({ page }) => {
  const errors = watchErrors(page);
  const lab = await open(page, '/labs/actors/', 'system', 'actors-stats');
  const seed = lab.getByTestId('lab-seed');

  await seed.fill('4242');
  await seed.press('Enter');
  await expect.poll(() => page.url()).toContain('system.seed=4242');
  await expect(seed).toHaveValue('4242');

  await seed.fill('77');
  await seed.press('Tab');
  await expect.poll(() => page.url()).toContain('system.seed=77');

  await seed.fill('');
  await seed.press('Tab');
  await expect(seed).toHaveValue('77');
  expect(page.url()).toContain('system.seed=77');

  await seed.fill('-5');
  await seed.press('Enter');
  await expect(lab.getByTestId('clamp-note')).toContainText('seed');
  await expect(seed).not.toHaveValue('-5');
  expect(errors).toEqual([]);
});

test('scheduler and dataflow number fields commit on Enter and Tab, restore when empty, clamp with a note', async ({ page }) => {
  const errors = watchErrors(page);
  const lab = await open(page, '/lessons/concurrency-vs-parallelism/', 'amdahl', 'gantt');
  const cores = lab.getByTestId('input-cores');
  await cores.fill('16');
  await cores.press('Tab');
  await expect(lab.getByTestId('metric-speedup')).toContainText('6.4');
  await expect.poll(() => page.url()).toContain('amdahl.cores=16');
  await cores.fill('');
  await cores.press('Tab');
  await expect(cores).toHaveValue('16');
  await cores.fill('500');
  await cores.press('Enter');
  await expect(lab.getByTestId('clamp-note')).toContainText('64');
  await expect(cores).toHaveValue('64');
  // Out of range again, to the value it already has: still clamped on screen, still a note.
  await cores.fill('900');
  await cores.press('Tab');
  await expect(cores).toHaveValue('64');
  await expect(lab.getByTestId('clamp-note')).toContainText('64');

  const df = await open(page, '/labs/dataflow/', 'bottleneck', 'df-graph');
  const buffer = df.getByTestId('input-buffer');
  const before = await buffer.inputValue();
  await buffer.fill('');
  await buffer.press('Tab');
  await expect(buffer).toHaveValue(before);
  await buffer.fill('7');
  await buffer.press('Enter');
  await expect.poll(() => page.url()).toContain('bottleneck.buffer=7');
  expect(errors).toEqual([]);
});
