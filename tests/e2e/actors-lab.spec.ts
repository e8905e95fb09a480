import { expect, test, type Locator, type Page } from '@playwright/test';
import { waitForHydration, watchErrors, replaceCode } from './helpers';

/**
 * The actor lab on its own page (/labs/actors/, instances #system and #crash): the presets play
 * and step both ways, a learner-written behaviour runs, a thrown error shows as a crash and a
 * restart (and at its line in the editor), the view switch from the keyboard, permalinks with a
 * preset. The flows every lab shares (keyboard stepping, step links, Copy link, presenter, axe
 * once per theme) are in labTest.ts.
 */
const PAGE = '/labs/actors/';

// Stepping through a run re-renders the graph on every click; on a busy 2-core machine a test
// that steps to a crash needs more than the default 30 s.
test.describe.configure({ timeout: 60_000 });

async function openLab(page: Page, id = 'system', query = ''): Promise<Locator> {
  await page.goto(`${PAGE}${query}`);
  const lab = page.locator(`#${id}`);
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, `#${id}`);
  // the first run has come back from the worker
  await expect(lab.getByTestId('actors-stats')).toBeVisible({ timeout: 15_000 });
  return lab;
}

const scrub = (lab: Locator) => lab.getByTestId('lab-scrub');
const narration = (lab: Locator) => lab.getByTestId('lab-narration');
const ledger = (lab: Locator, key: string) => lab.getByTestId(`ledger-${key}`).locator('td');

async function runAndWait(lab: Locator, action: () => Promise<void>) {
  const runs = Number(await lab.getByTestId('actors-run').getAttribute('data-runs'));
  await action();
  await expect(lab.getByTestId('actors-run')).toHaveAttribute('data-runs', String(runs + 1), { timeout: 15_000 });
  await expect(lab.getByTestId('actors-run')).toHaveText(/Run$/);
}

async function stepUntil(lab: Locator, text: string | RegExp, max = 200) {
  for (let i = 0; i < max; i++) {
    const now = (await narration(lab).textContent()) ?? '';
    if (typeof text === 'string' ? now.includes(text) : text.test(now)) return;
    await lab.getByTestId('lab-step').click();
  }
  throw new Error(`never reached a step saying ${text}`);
}

test('a malformed link shows the default lab, the lost-update preset, with a notice; it ends with the shared count far behind and the actor at 1,000', async ({ page }) => {
  const lab = await openLab(page, 'system', '?system.threads=lots');
  await expect(lab.getByTestId('link-notice')).toBeVisible();
  await expect(lab.getByTestId('actors-preset')).toHaveValue('lost-updates');
  await scrub(lab).focus();
  await page.keyboard.press('End');
  await expect(lab.getByTestId('watch-shared-count').locator('dd')).toHaveText('21');
  await expect(lab.getByTestId('actor-counter')).toContainText('{ count: 1000 }');
  await expect(ledger(lab, 'sent')).toHaveText('3,000');
});

test('the overflow preset shows full mailboxes of 5, drops, and the blocked producer held back', async ({ page }) => {
  const lab = await openLab(page, 'system', '?system.p=overflow&system.step=300');
  await expect(lab.getByTestId('actor-slow/block')).toHaveAttribute('data-mailbox', '5');
  await expect(lab.getByTestId('actor-fast/block')).toHaveAttribute('data-status', 'blocked');
  await expect(lab.getByTestId('actor-slow/drop-newest')).toContainText('dropped');
  // (that no mailbox ever exceeds its bound, at every step, is unit-tested: actors-ledger.test.ts)
  for (const name of ['slow/drop-newest', 'slow/drop-oldest']) await expect(lab.getByTestId(`actor-${name}`)).toHaveAttribute('data-mailbox', /^[0-5]$/);
});

test('a learner-written behaviour runs; a syntax error is shown at its line and nothing runs', async ({ page }) => {
  const errors = watchErrors(page);
  const lab = await openLab(page);
  await replaceCode(page, lab, [
    `const greet = (name, ctx) => { ctx.state.greeted += 1; ctx.log('hello ' + name); };`,
    `actor('greeter', { init: () => ({ greeted: 0 }), receive: greet });`,
    `send('greeter', 'Ada');`,
    `send('greeter', 'Grace', { at: 5 });`,
  ]);
  await expect(lab.getByTestId('actors-status')).toContainText('press Run');
  await runAndWait(lab, () => lab.getByTestId('actors-run').click());
  await expect(lab.getByTestId('lab-badge')).toHaveText('edited');
  await expect(lab.getByTestId('actors-preset')).toHaveValue('');
  await scrub(lab).focus();
  await page.keyboard.press('End');
  await expect(lab.getByTestId('actor-greeter')).toContainText('{ greeted: 2 }');
  await expect(lab.getByTestId('actor-log')).toContainText('hello Grace');
  await expect(ledger(lab, 'processed')).toHaveText('2');
  expect(errors).toEqual([]);

  // a syntax error is shown at its line, and nothing runs
  await replaceCode(page, lab, [`// one comma missing`, `actor('a', { receive(m, ctx) { ctx.send('b' 1); } });`]);
  await runAndWait(lab, () => lab.getByTestId('actors-run').click());
  await expect(lab.getByTestId('actors-error')).toContainText('SyntaxError');
  await expect(lab.getByTestId('actors-error')).toContainText('line 2');
  await expect(narration(lab)).toContainText('Nothing ran');
});

test('a thrown error shows as a crash, a restart, and a mark at its line', async ({ page }) => {
  const lab = await openLab(page);
  await replaceCode(page, lab, [
    `// a worker that cannot do bad jobs`,
    `const check = (job) => { if (job === 'bad') throw new Error('cannot do ' + job); };`,
    `actor('worker', { init: () => ({ n: 0 }), receive(job, ctx) { ctx.state.n += 1; check(job); } });`,
    `send('worker', 'good');`,
    `send('worker', 'bad', { at: 5 });`,
    `send('worker', 'good', { at: 10 });`,
  ]);
  await runAndWait(lab, () => lab.getByTestId('actors-run').click());
  await stepUntil(lab, '✕ worker crashes');
  await expect(narration(lab)).toContainText('cannot do bad (line 2)');
  const node = lab.getByTestId('actor-worker');
  await expect(node).toHaveAttribute('data-status', 'crashed');
  await expect(node).toHaveAttribute('data-crashes', '1');
  await expect(lab.locator('[data-code-editor]')).toContainText('line 2');
  await lab.getByTestId('lab-step').click();
  await expect(narration(lab)).toContainText('system restarts worker with fresh state { n: 0 }');
  await expect(node).toHaveAttribute('data-restarts', '1');
  // the supervision tree shows the restart too
  await lab.getByTestId('actors-view-supervision').check();
  await expect(lab.getByTestId('tree-worker')).toHaveAttribute('data-restarts', '1');
  // stepping back undoes the restart
  await lab.getByTestId('lab-back').click();
  await expect(lab.getByTestId('tree-worker')).toHaveAttribute('data-restarts', '0');
  await expect(ledger(lab, 'crashed')).toHaveText('1');
});

test('an infinite loop in a behaviour is stopped by the time budget while the page keeps responding', async ({ page }) => {
  const lab = await openLab(page);
  await replaceCode(page, lab, [`actor('spin', { receive() { while (true) {} } });`, `send('spin', 1);`]);
  await runAndWait(lab, () => lab.getByTestId('actors-run').click());
  await expect(lab.getByTestId('actors-error')).toContainText('real time');
  // the page stayed responsive: the other lab still steps
  const other = page.locator('#crash');
  await other.scrollIntoViewIfNeeded();
  await expect(other.getByTestId('actors-stats')).toBeVisible({ timeout: 15_000 });
  await other.getByTestId('lab-step').click();
  await expect(other.getByTestId('lab-scrub')).toHaveValue('1');
});

test('the view switch is a radio group: arrows change the view, not the step; Tab reaches the settings; the link keeps the preset and the step', async ({ page, browser }) => {
  const lab = await openLab(page, 'system', '?system.p=supervisor&system.step=11');
  await expect(scrub(lab)).toHaveValue('11');
  // the view switch is a radio group: arrow keys move between views and do not step the timeline
  const at = await scrub(lab).inputValue();
  await lab.getByTestId('actors-view-messages').focus();
  await page.keyboard.press('ArrowRight');
  await expect(lab.getByTestId('actors-view-supervision')).toBeChecked();
  await expect(lab.getByTestId('actor-tree')).toBeVisible();
  expect(await scrub(lab).inputValue()).toBe(at);

  // every control is reachable with Tab
  await lab.getByTestId('actors-preset').focus();
  const seen = new Set<string>();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? '');
    if (id) seen.add(id);
  }
  for (const id of ['actors-threads', 'lab-play', 'lab-step', 'lab-back', 'lab-scrub', 'actors-run']) {
    expect(seen.has(id), `${id} is reachable with Tab (saw ${[...seen].join(', ')})`).toBe(true);
  }

  // the page's URL follows the step, and reproduces the preset and the step in a new page
  await scrub(lab).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(scrub(lab)).toHaveValue('10');
  const text = await narration(lab).textContent();
  await expect.poll(() => page.url()).toContain('system.step=10');
  const other = await browser.newPage();
  await other.goto(page.url());
  const again = other.locator('#system');
  await again.scrollIntoViewIfNeeded();
  await waitForHydration(other, '#system');
  await expect(again.getByTestId('actors-stats')).toBeVisible({ timeout: 15_000 });
  await expect(again.getByTestId('actors-preset')).toHaveValue('supervisor');
  await expect(scrub(again)).toHaveValue('10');
  await expect(narration(again)).toHaveText(text!);
  await other.close();
});

test('threads: one thread for the whole system makes the run longer', async ({ page }) => {
  const lab = await openLab(page, 'system', '?system.p=overflow');
  const before = await lab.getByTestId('actors-stats').textContent();
  await runAndWait(lab, async () => {
    await lab.getByTestId('actors-threads').selectOption('1');
  });
  const after = await lab.getByTestId('actors-stats').textContent();
  const end = (s: string | null) => Number(/ends at t = ([\d,.]+) ms/.exec(s ?? '')![1].replace(/,/g, ''));
  expect(end(after)).toBeGreaterThan(end(before));
});
