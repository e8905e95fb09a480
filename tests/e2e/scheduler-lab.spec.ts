import { expect, test, type Locator, type Page } from '@playwright/test';
import { waitForHydration, watchErrors } from './helpers';

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

test('play advances the clock and pause stops it', async ({ page }) => {
  const errors = watchErrors(page);
  const lab = await openLab(page);
  const start = await scrub(lab).inputValue();
  await lab.getByTestId('lab-play').click();
  await expect.poll(async () => Number(await scrub(lab).inputValue())).toBeGreaterThan(Number(start) + 2);
  await lab.getByTestId('lab-play').click(); // pause
  const paused = await scrub(lab).inputValue();
  await page.waitForTimeout(600);
  expect(await scrub(lab).inputValue()).toBe(paused);
  expect(errors).toEqual([]);
});

test('step forward, step back and scrub show the state at that step', async ({ page }) => {
  const lab = await openLab(page);
  await expect(scrub(lab)).toHaveValue('0');
  await expect(lab.getByTestId('lab-reset')).toHaveAttribute('aria-disabled', 'true');
  const at0 = await narration(lab).textContent();
  await lab.getByTestId('lab-step').click();
  await lab.getByTestId('lab-step').click();
  const at2 = await narration(lab).textContent();
  expect(at2).not.toBe(at0);
  await expect(scrub(lab)).toHaveValue('2');
  await lab.getByTestId('lab-step').click();
  await lab.getByTestId('lab-back').click();
  await expect(narration(lab)).toHaveText(at2!);
  await expect(scrub(lab)).toHaveValue('2');

  // scrub to the end: every task has finished and the clock shows the makespan
  const max = await scrub(lab).getAttribute('max');
  await scrub(lab).fill(max!);
  await expect(clock(lab)).toContainText('92');
  await expect(lab.getByTestId('finished-count')).toContainText('4');
});

test('the lab is usable from the keyboard alone', async ({ page }) => {
  const lab = await openLab(page);
  // reach the lab from the page with Tab alone
  await page.locator('#io').getByRole('heading').first().scrollIntoViewIfNeeded();
  await lab.getByTestId('lab-step').focus();
  await page.keyboard.press('Enter'); // a focused button works with Enter
  await expect(scrub(lab)).toHaveValue('1');
  await page.keyboard.press('Home');
  await expect(scrub(lab)).toHaveValue('0');
  await page.keyboard.press('ArrowRight');
  await expect(scrub(lab)).toHaveValue('1');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(scrub(lab)).toHaveValue('11');
  await page.keyboard.press('ArrowLeft');
  await expect(scrub(lab)).toHaveValue('10');
  await page.keyboard.press('End');
  const max = await scrub(lab).getAttribute('max');
  await expect(scrub(lab)).toHaveValue(max!);
  await page.keyboard.press('Home');
  await expect(scrub(lab)).toHaveValue('0');
  // Space on a button activates that button; on the scrub slider it plays and pauses
  await scrub(lab).focus();
  await page.keyboard.press('Space');
  await expect.poll(async () => Number(await scrub(lab).inputValue())).toBeGreaterThan(0);
  await page.keyboard.press('Space');
  await expect(lab.getByTestId('lab-play')).toHaveAccessibleName(/play/i);

  // the controls are reachable with Tab, in order, starting from the lab's first input
  await lab.getByTestId('input-cores').focus();
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    if (id) seen.add(id);
  }
  for (const id of ['lab-play', 'lab-step', 'lab-back', 'lab-scrub', 'lab-speed']) {
    expect(seen.has(id), `${id} is reachable with Tab`).toBe(true);
  }
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
  await scrub(lab).fill('0');
  for (let i = 0; i < 7; i++) await lab.getByTestId('lab-step').click();
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

test('the presenter view opens from the lab and from a URL', async ({ page }) => {
  const lab = await openLab(page, 'hog');
  await lab.getByTestId('lab-present').click();
  await expect(page.locator('.is-presenting, :fullscreen').first()).toBeVisible();
  await page.keyboard.press('Escape');

  const errors = watchErrors(page);
  await page.goto('/present/scheduler/?preset=cooperative-hog');
  await expect(page.getByTestId('gantt')).toBeVisible();
  await page.keyboard.press('End');
  await expect(page.getByTestId('finished-count')).toContainText('4');
  expect(errors).toEqual([]);
});
