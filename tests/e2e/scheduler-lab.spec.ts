import { expect, test, type Locator, type Page } from '@playwright/test';
import { waitForHydration } from './helpers';

/**
 * The scheduler lab in lesson 1 (three instances): its presets' figures, inputs that re-simulate,
 * a permalink with settings, a malformed link. The flows every lab shares (keyboard, step links,
 * Copy link, presenter, axe) are in labTest.ts, run for /labs/scheduler/ by labs.spec.ts.
 */
const LESSON = '/lessons/concurrency-vs-parallelism/';

async function openLab(page: Page, id = 'io', query = ''): Promise<Locator> {
  await page.goto(`${LESSON}${query}`);
  const lab = page.locator(`#${id}`);
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, `#${id}`);
  await expect(lab.getByTestId('lab-play')).toBeEnabled();
  await expect(lab.getByTestId('gantt')).toBeVisible();
  return lab;
}

const narration = (lab: Locator) => lab.getByTestId('lab-narration');
const clock = (lab: Locator) => lab.getByTestId('lab-clock');
const scrub = (lab: Locator) => lab.getByTestId('lab-scrub');

test('the lesson embeds three scheduler labs with their presets', async ({ page }) => {
  await page.goto(LESSON);
  for (const id of ['io', 'amdahl', 'hog']) {
    const lab = page.locator(`#${id}`);
    await lab.scrollIntoViewIfNeeded();
    await expect(lab.getByTestId('gantt')).toBeVisible();
  }
  const amdahl = page.locator('#amdahl');
  await amdahl.getByTestId('lab-scrub').scrollIntoViewIfNeeded();
  await expect(amdahl.getByTestId('metric-makespan')).toContainText('212.5');
  await expect(amdahl.getByTestId('metric-speedup')).toContainText('4.71');
  await expect(amdahl.getByTestId('speedup-chart')).toBeVisible();
});

test('changing an input re-simulates, and out-of-range values are clamped with a note', async ({ page }) => {
  const lab = await openLab(page, 'amdahl');
  const cores = lab.getByTestId('input-cores');
  await cores.fill('200');
  await cores.press('Enter');
  await expect(lab.getByTestId('clamp-note')).toContainText('64');
  await cores.fill('16');
  await cores.press('Enter');
  await expect(lab.getByTestId('metric-speedup')).toContainText('6.4');
});

test('a permalink reproduces the same lab at the same step', async ({ page, browser }) => {
  const lab = await openLab(page, 'amdahl');
  await lab.getByTestId('input-cores').fill('4');
  await lab.getByTestId('input-cores').press('Enter');
  // to step 7 from the keyboard (the shared flows in labTest.ts check each key)
  await scrub(lab).focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+ArrowRight');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowLeft');
  await expect(scrub(lab)).toHaveValue('7');
  const text = await narration(lab).textContent();
  const time = await clock(lab).textContent();
  const makespan = await lab.getByTestId('metric-makespan').textContent();
  await expect.poll(() => page.url()).toContain('amdahl.step=7');
  const url = page.url();

  const other = await browser.newPage();
  await other.goto(url);
  const again = other.locator('#amdahl');
  await again.scrollIntoViewIfNeeded();
  await waitForHydration(other, '#amdahl');
  await expect(narration(again)).toHaveText(text!);
  await expect(clock(again)).toHaveText(time!);
  await expect(again.getByTestId('metric-makespan')).toHaveText(makespan!);
  await expect(scrub(again)).toHaveValue('7');
  // and the other labs on the page are untouched by amdahl's settings
  const io = other.locator('#io');
  await io.scrollIntoViewIfNeeded();
  await waitForHydration(other, '#io');
  await expect(io.getByTestId('metric-makespan')).toContainText('92');
  await other.close();
});

test('a malformed link shows the default lab and a one-line notice', async ({ page }) => {
  const lab = await openLab(page, 'io', '?io.cores=abc&io.policy=nonsense');
  await expect(lab.getByTestId('link-notice')).toBeVisible();
  await expect(lab.getByTestId('metric-makespan')).toContainText('92');
});

