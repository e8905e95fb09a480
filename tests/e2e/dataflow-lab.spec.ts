/**
 * The dataflow lab against the built site: changing parallelism moves the bottleneck mark, skew and
 * backpressure as the lesson tells them, settings from the keyboard, learner code in the sandbox
 * (a filter that removes the bottleneck, a syntax error, an endless loop), permalinks with
 * settings, the presenter page of a named preset. The flows every lab shares (keyboard stepping,
 * step links, Copy link, presenter mode, axe once per theme) are in labTest.ts.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { waitForHydration, watchErrors, replaceCode } from './helpers';

const PAGE = '/labs/dataflow/';

// Four labs on one page and a machine shared with other test runs: allow more than the default.
test.describe.configure({ timeout: 60_000 });

async function openLab(page: Page, id: string, query = ''): Promise<Locator> {
  await page.goto(`${PAGE}${query}`);
  const lab = page.locator(`#${id}`);
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, `#${id}`);
  await expect(lab.getByTestId('df-graph')).toBeVisible();
  return lab;
}

const narration = (lab: Locator) => lab.getByTestId('lab-narration');
const scrub = (lab: Locator) => lab.getByTestId('lab-scrub');
const bottleneckNode = (lab: Locator) => lab.locator('[data-bottleneck="true"]');

async function toEnd(lab: Locator) {
  const max = await scrub(lab).getAttribute('max');
  await scrub(lab).fill(max!);
  await expect(scrub(lab)).toHaveValue(max!);
}

async function setInput(input: Locator, value: string) {
  await input.fill(value);
  await input.press('Enter');
}

test('raising the slow stage’s parallelism moves the bottleneck mark to the sink', async ({ page }) => {
  const lab = await openLab(page, 'bottleneck');
  await toEnd(lab);
  await expect(bottleneckNode(lab)).toHaveAttribute('data-testid', 'df-node-enrich');
  await expect(lab.getByTestId('df-why')).toContainText('"enrich" is busy 100%');
  await expect(lab.getByTestId('metric-throughput')).toContainText('250/s');

  await setInput(lab.getByTestId('input-par-enrich'), '2');
  await expect(lab.getByTestId('metric-throughput')).toContainText('500/s');
  await expect(bottleneckNode(lab)).toHaveAttribute('data-testid', 'df-node-enrich');
  await setInput(lab.getByTestId('input-par-enrich'), '3');
  await expect(lab.getByTestId('metric-throughput')).toContainText('750/s');

  await setInput(lab.getByTestId('input-par-enrich'), '4');
  await expect(lab.getByTestId('metric-throughput')).toContainText('800/s');
  await expect(bottleneckNode(lab)).toHaveAttribute('data-testid', 'df-node-store');
  await expect(lab.getByTestId('df-why')).toContainText('"store" is busy 100%');
  await expect(lab.getByTestId('lab-badge')).toHaveText('edited');

  // Out-of-range values are clamped with a note; restore brings the preset back.
  await setInput(lab.getByTestId('input-par-enrich'), '500');
  await expect(lab.getByTestId('clamp-note')).toContainText('parallelism of "enrich" was 500');
  await lab.getByTestId('df-restore').click();
  await expect(lab.getByTestId('input-par-enrich')).toHaveValue('1');
  await expect(lab.getByTestId('metric-throughput')).toContainText('250/s');
});

test('hot keys: more instances barely help, and the mark says skew', async ({ page }) => {
  const lab = await openLab(page, 'skew');
  await toEnd(lab);
  await expect(lab.getByTestId('df-bottleneck-tag')).toContainText('skew');
  const rateAt = async () => Number((await lab.getByTestId('metric-source-rate').textContent())!.replace(/[^\d]/g, ''));
  const four = await rateAt();
  await setInput(lab.getByTestId('input-par-count'), '16');
  await expect.poll(rateAt).not.toBe(four);
  const sixteen = await rateAt();
  expect(sixteen / four).toBeLessThan(1.25);
  // With even keys, the same 16 instances keep up with the whole input.
  await setInput(lab.getByTestId('input-skew'), '0');
  await expect.poll(rateAt).toBeGreaterThan(2900);
});

test('backpressure vs no limit: the burst piles up at the source, or in an unbounded buffer', async ({ page }) => {
  const lab = await openLab(page, 'burst');
  await toEnd(lab);
  const into = lab.getByTestId('df-edge-parse-process');
  await expect(lab.getByTestId('metric-backlog')).toContainText('0');
  // Mid-burst, the source holds records back and the buffer is at its limit.
  await scrub(lab).fill('75');
  await expect(narration(lab)).toContainText('A burst is on');
  await expect(narration(lab)).toContainText('records wait at the source');
  await expect(into).toContainText('16/16');
  await lab.getByTestId('input-unbounded').check();
  await expect(lab.getByTestId('lab-badge')).toHaveText('edited');
  await expect(into).toContainText('no limit');
  await expect(narration(lab)).not.toContainText('records wait at the source');
});

test('Tab reaches every setting, and typing a parallelism re-simulates', async ({ page }) => {
  const lab = await openLab(page, 'bottleneck');
  // Tab from the first input reaches every setting and control; typing changes parallelism.
  await lab.getByTestId('input-par-parse').focus();
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) {
    const tid = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    if (tid) seen.add(tid);
    if (tid === 'input-par-enrich') {
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type('4');
      await page.keyboard.press('Enter');
    }
    await page.keyboard.press('Tab');
  }
  for (const tid of ['input-par-enrich', 'input-ms-enrich', 'input-rate', 'input-buffer', 'input-unbounded', 'lab-play', 'lab-step', 'lab-back', 'lab-scrub']) {
    expect(seen.has(tid), `${tid} is reachable with Tab`).toBe(true);
  }
  await expect(lab.getByTestId('metric-throughput')).toContainText('800/s');
  await lab.getByTestId('lab-scrub').focus();
  await page.keyboard.press('End');
  await expect(bottleneckNode(lab)).toHaveAttribute('data-testid', 'df-node-store');
});

test('learner code: a never-returning function is stopped, the next run, a filter that drops half the records, removes the bottleneck; a failed run clears the one before it; errors are readable', async ({ page }) => {
  // the sandbox's budget is 5 s of real time: the endless loop waits that long, by design
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  const lab = await openLab(page, 'operator');
  await toEnd(lab);
  await expect(bottleneckNode(lab)).toHaveAttribute('data-testid', 'df-node-enrich');

  // code that never returns is stopped, and the next run works
  await replaceCode(page, lab, ['function keep(record) {', 'while (true) {}', '}']);
  await lab.getByTestId('df-run-code').click();
  await expect(lab.getByTestId('df-code-status')).toContainText('did not return', { timeout: 15_000 });

  await replaceCode(page, lab, ['function keep(record) {', 'return record.value < 500;', '}']);
  await lab.getByTestId('df-run-code').click();
  await expect(lab.getByTestId('df-code-status')).toContainText('ran in a Web Worker', { timeout: 15_000 });
  await toEnd(lab);
  await expect(bottleneckNode(lab)).toHaveCount(0);
  await expect(lab.getByTestId('df-why')).toContainText('No stage is saturated');
  const first = await lab.getByTestId('df-first-records').textContent();
  for (const m of first!.matchAll(/value: (\d+)/g)) expect(Number(m[1])).toBeLessThan(500);
  await expect.poll(() => page.url()).toContain('operator.code=');

  // a function that throws on a record: a readable error, and the lab's error box
  await replaceCode(page, lab, ['function keep(record) {', 'if (record.value > 900) throw new Error("too big");', 'return true;', '}']);
  await lab.getByTestId('df-run-code').click();
  await expect(lab.getByTestId('df-code-status')).toContainText('threw on the record', { timeout: 15_000 });
  await expect(lab.getByTestId('lab-error')).toBeVisible();

  // a syntax error: the run that failed before it is cleared (its error, graph and metrics)
  await replaceCode(page, lab, ['function keep(record) {', 'return record.value <;', '}']);
  await lab.getByTestId('df-run-code').click();
  await expect(lab.getByTestId('df-code-status')).toContainText('Syntax error on line 2');
  await expect(lab.getByTestId('lab-error')).toHaveCount(0);
  await expect(lab.getByTestId('df-graph')).toHaveCount(0);
  await expect(lab.getByTestId('df-placeholder')).toContainText('did not run');
  await expect(lab.getByTestId('lab-scrub')).toHaveAttribute('max', '0');
  expect(errors).toEqual([]);
});

test('the presenter page opens the preset its URL names', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/present/dataflow/?preset=batch');
  await expect(page.getByTestId('df-graph')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Batch');
  await page.keyboard.press('End');
  await expect(page.getByTestId('metric-makespan')).toContainText('5 s');
  await expect(page.getByTestId('lab-narration')).toContainText('The job is done after 5 s');
  expect(errors).toEqual([]);
});

test('lesson 6 embeds the labs its text walks through', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/lessons/dataflow/');
  for (const [id, title] of [
    ['pipeline', 'Three stages, one slow'],
    ['burst', 'A burst, absorbed by backpressure'],
    ['overload', 'No backpressure'],
    ['skew', 'Hot keys'],
    ['batch', 'Batch'],
    ['stream', 'Stream'],
    ['operator', 'Write an operator'],
  ]) {
    const lab = page.locator(`#${id}`);
    await lab.scrollIntoViewIfNeeded();
    await expect(lab.getByRole('heading').first()).toContainText(title);
    await waitForHydration(page, `#${id}`);
    await expect(lab.getByTestId('df-graph')).toBeVisible();
  }
  // The overload lab's buffer grows to the 1,500 records the text promises.
  const overload = page.locator('#overload');
  await overload.getByTestId('lab-scrub').focus();
  await page.keyboard.press('End');
  await expect(overload.getByTestId('df-edge-parse-process')).toContainText('1,500 · no limit');
  expect(errors).toEqual([]);
});

test('a malformed link shows the default lab and a one-line notice; the chaining switch (one task box with no buffer inside, 171/s instead of 250/s), a parallelism and the step are kept in the link', async ({ page, browser }) => {
  const lab = await openLab(page, 'bottleneck', '?bottleneck.p_enrich=lots');
  await expect(lab.getByTestId('link-notice')).toContainText('p_enrich=lots');
  await expect(lab.getByTestId('input-par-enrich')).toHaveValue('1');
  // the default lab, as a plain visit shows it: no chaining
  await expect(lab.getByTestId('df-task-0')).toHaveCount(0);
  await lab.getByTestId('input-chaining').check();
  await expect(lab.getByTestId('df-task-0')).toBeVisible();
  await expect(lab.getByTestId('df-edge-parse-enrich')).toHaveAttribute('data-chained', 'true');
  await toEnd(lab);
  await expect(lab.getByTestId('metric-throughput')).toContainText('171/s');
  await expect(lab.getByTestId('df-task-0')).toHaveAttribute('data-bottleneck', 'true');
  await expect.poll(() => page.url()).toContain('bottleneck.chaining=1');
  // a parallelism and a step go in the link too
  await setInput(lab.getByTestId('input-par-enrich'), '3');
  await expect.poll(() => page.url()).toContain('bottleneck.p_enrich=3');
  await scrub(lab).fill('38');
  await lab.getByTestId('lab-step').click();
  await lab.getByTestId('lab-step').click();
  const text = await narration(lab).textContent();
  await expect.poll(() => page.url()).toContain('bottleneck.step=40');
  expect(page.url()).toContain('bottleneck.chaining=1');
  expect(page.url()).toContain('bottleneck.p_enrich=3');
  const other = await browser.newPage();
  await other.goto(page.url());
  const again = other.locator('#bottleneck');
  await again.scrollIntoViewIfNeeded();
  await waitForHydration(other, '#bottleneck');
  await expect(again.getByTestId('input-chaining')).toBeChecked();
  await expect(again.getByTestId('df-task-0')).toBeVisible();
  await expect(again.getByTestId('input-par-enrich')).toHaveValue('3');
  await expect(scrub(again)).toHaveValue('40');
  await expect(narration(again)).toHaveText(text!);
  await other.close();
});
