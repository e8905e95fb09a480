import { expect, test, type Locator, type Page } from '@playwright/test';
import { replaceCode, waitForHydration, watchErrors } from './helpers';
import { asyncLevelById, asyncPickIndices, explore, exploreProgramSync, levelById, levelProgram, threadsSystem } from '../../simulations/interleavings/index';

/**
 * The interleavings lab ("play the scheduler", /labs/interleavings/, instance #play): pick a level,
 * run threads by clicking their cards (and by number keys) until the engine says the bug is found,
 * which survives a reload (the schedule is in the URL, the milestone in the progress store); then
 * Explore the fixed code (0 failing of the engine's own count of schedules) and the buggy code
 * (failing schedules, a counterexample that Replay loads into the lanes), Stop on a program too
 * large to finish, and a syntax error with its line and column. The flows every lab shares are in
 * labTest.ts (run from labs.spec.ts).
 */
const PAGE = '/labs/interleavings/';
test.describe.configure({ timeout: 90_000 });

async function openLab(page: Page, query = ''): Promise<Locator> {
  await page.goto(`${PAGE}${query}`);
  const lab = page.locator('#play');
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, '#play');
  await expect(lab.getByTestId('il-lanes')).toBeVisible({ timeout: 20_000 });
  await expect(lab).not.toHaveAttribute('aria-busy', 'true');
  return lab;
}

const steps = (lab: Locator) => lab.getByTestId('lab-scrub');

async function pick(lab: Locator, n: number) {
  const before = Number(await steps(lab).getAttribute('max'));
  await lab.getByTestId(`il-card-${n}`).click();
  await expect(steps(lab)).toHaveAttribute('max', String(before + 1));
}

test('find the bug: cards and number keys build a schedule, the engine says found, and a reload keeps it', async ({ page }) => {
  const errors = watchErrors(page);
  let lab = await openLab(page);
  await lab.getByTestId('il-level').selectOption('counter');
  await expect(lab.getByTestId('il-card-1')).toBeVisible();
  await expect(steps(lab)).toHaveAttribute('max', '0');
  await expect(lab.getByTestId('il-found')).toHaveCount(0);

  // A reads, B reads (both saw 0)...
  await pick(lab, 1);
  await expect(lab.getByTestId('il-lane-1')).toContainText('read x');
  // each lane shows the line its thread is at (the engine's: the yield* that does x++)
  await expect(lab.getByTestId('il-line-2')).toHaveText(/^line \d+ yield\* increment\('x'\);$/);
  await lab.getByTestId('il-card-2').focus();
  await page.keyboard.press('Enter'); // a card is a button: Tab / Enter work
  await expect(steps(lab)).toHaveAttribute('max', '2');
  // ...A writes 1 (number key 1), B writes 1 (number key 2): the lost update
  await page.keyboard.press('1');
  await expect(steps(lab)).toHaveAttribute('max', '3');
  await expect(lab.getByTestId('il-var-x')).toHaveText('1');
  await page.keyboard.press('2');
  await expect(lab.getByTestId('il-found')).toContainText('Bug found');
  await expect(lab.getByTestId('il-found')).toContainText('two increments should make x 2');
  await expect(lab.getByTestId('il-phase-find')).toContainText('✓');
  await expect(lab.getByTestId('lab-narration')).toContainText('The run failed');

  // Undo takes back the last step; the win goes with it
  await lab.getByTestId('il-undo').click();
  await expect(steps(lab)).toHaveAttribute('max', '3');
  await expect(lab.getByTestId('il-found')).toHaveCount(0);
  await pick(lab, 2);
  await expect(lab.getByTestId('il-found')).toBeVisible();

  // the schedule is in the URL: a reload shows the same failing run, the milestone stays
  await expect(page).toHaveURL(/play\.ch=1212/);
  lab = await openLab(page, new URL(page.url()).search);
  await expect(lab.getByTestId('il-found')).toContainText('Bug found');
  await expect(steps(lab)).toHaveValue('4');
  await expect(lab.getByTestId('il-phase-find')).toContainText('✓');
  // another level, back: the level picker marks it found
  await expect(lab.getByTestId('il-level').locator('option[value="counter"]')).toHaveText(/✓$/);
  expect(errors).toEqual([]);
});

test('prove it: Explore on the fixed code shows 0 failing of every schedule; on the buggy code a counterexample replays', async ({ page }) => {
  const errors = watchErrors(page);
  const lab = await openLab(page, '?play.preset=check-then-act&play.ch=121212');
  await expect(lab.getByTestId('il-found')).toBeVisible();

  // the buggy code: failing schedules, and the counterexample replays into the lanes
  await lab.getByTestId('il-explore').click();
  const result = lab.getByTestId('il-explore-result');
  await expect(result).toBeVisible({ timeout: 30_000 });
  const level = levelById('check-then-act');
  const buggy = explore(threadsSystem(levelProgram(level, level.buggy)));
  await expect(lab.getByTestId('il-count-schedules')).toHaveText(buggy.schedules!.toLocaleString('en'));
  await expect(lab.getByTestId('il-count-failing')).toHaveText(String(buggy.failing));
  expect(buggy.failing).toBeGreaterThan(0);
  await expect(lab.getByTestId('il-histogram').locator('li')).toHaveCount(buggy.histogram.length);
  await lab.getByTestId('il-replay').click();
  await expect(steps(lab)).toHaveAttribute('max', String(buggy.counterexample!.steps));
  await expect(steps(lab)).toHaveValue(String(buggy.counterexample!.steps));
  await expect(lab.getByTestId('il-found')).toBeVisible();

  // a fix: 0 failing of N, N the engine's own count, and the level is proved
  await lab.getByTestId('il-show-fix').click();
  await expect(lab.getByTestId('il-restore')).toBeVisible();
  await lab.getByTestId('il-explore').click();
  const fixed = explore(threadsSystem(levelProgram(level, level.fixed)));
  await expect(lab.getByTestId('il-explore-verdict')).toContainText(`0 failing of ${fixed.schedules!.toLocaleString('en')} schedules`, { timeout: 30_000 });
  await expect(lab.getByTestId('il-explore-verdict')).toContainText('every schedule explored');
  await expect(lab.getByTestId('il-proved')).toContainText('Proved');
  await expect(lab.getByTestId('il-phase-prove')).toContainText('✓');
  await page.reload();
  const again = await openLab(page, new URL(page.url()).search);
  await expect(again.getByTestId('il-phase-prove')).toContainText('✓');
  expect(errors).toEqual([]);
});

test('Stop ends an exploration too large to finish, and says it proves nothing; code that does not parse names its line and column', async ({ page }) => {
  const lab = await openLab(page, '?play.preset=counter');
  await replaceCode(page, lab, [
    'shared({ x: 0 });',
    "function* work() { for (let i = 0; i < 8; i++) yield atomicAdd('x', 1); }",
    "thread('A', work); thread('B', work); thread('C', work); thread('D', work);",
  ]);
  await lab.getByTestId('il-explore').click();
  const progress = lab.getByTestId('il-explore-progress');
  await expect(progress).toContainText(/[1-9][\d,]* schedules/, { timeout: 20_000 });
  await lab.getByTestId('il-explore-stop').click();
  await expect(lab.getByTestId('il-explore-stopped')).toContainText('proves nothing');
  await expect(lab.getByTestId('il-explore')).toBeEnabled();
  await expect(progress).toHaveCount(0);
  // the lab still answers: the cards run the edited code after Run
  await lab.getByTestId('il-run').click();
  await expect(lab.getByTestId('il-card-4')).toBeVisible();

  // code that does not parse: the error names its line and column, in the lab and the editor
  await replaceCode(page, lab, ['shared({ x: 0 });', "thread('A', function* () {", "  yield read('x';", '});']);
  await lab.getByTestId('il-run').click();
  await expect(lab.getByTestId('il-error')).toContainText(/Syntax error on line 3, column \d+/);
  await expect(lab.getByTestId('il-placeholder')).toContainText('did not compile');
});

test('presenter 1280×720: Explore with the code section open folds the code, and the results fit the stage', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/present/interleavings/?preset=check-then-act');
  const lab = page.locator('section[data-lab]').first();
  await waitForHydration(page, `#${await lab.getAttribute('id')}`);
  await expect(lab.getByTestId('il-lanes')).toBeVisible({ timeout: 20_000 });
  const code = lab.getByTestId('il-code-more');
  await code.locator('summary').click();
  await expect(code).toHaveAttribute('open', '');
  await lab.getByTestId('il-explore').click();
  await expect(lab.getByTestId('il-explore-result')).toBeVisible({ timeout: 30_000 });
  await expect(lab.getByTestId('il-counterexample')).toBeVisible();
  await expect(code).not.toHaveAttribute('open', '');
  const size = await page.evaluate(() => ({ h: document.documentElement.scrollHeight, w: document.documentElement.scrollWidth }));
  expect(size.h, `the page is ${size.h - 720} px taller than the stage`).toBeLessThanOrEqual(720);
  expect(size.w).toBeLessThanOrEqual(1280);
  // every control of the result is on the stage, not below it
  const box = await lab.getByTestId('il-replay').boundingBox();
  expect(box!.y + box!.height).toBeLessThanOrEqual(720);
  expect(errors).toEqual([]);
});

test('async mode: the switch and the URL keep it; clicking completions into the failing order finds the lost update; Explore on the buggy code replays a counterexample, on the fix shows 0 failing', async ({ page }) => {
  const errors = watchErrors(page);
  const lab = await openLab(page, '?play.preset=counter');
  await lab.getByTestId('il-mode').getByText('Async').click();
  await expect(lab.getByTestId('il-mode-async')).toBeChecked();
  await lab.getByTestId('il-level').selectOption('async-lost-update');
  await expect(page).toHaveURL(/play\.mode=async/);
  await expect(lab.getByTestId('il-card-1')).toContainText('db.set("balance", 100)');
  await expect(lab.getByTestId('il-card-2')).toHaveCount(0);
  await expect(lab.getByTestId('il-card-1').getByTestId('il-card-who')).toHaveText(/^awaited by main at line \d+$/);

  // the order the explorer calls shortest, as the cards the learner clicks
  const level = asyncLevelById('lost-update');
  const ce = exploreProgramSync(level.buggy).counterexample!;
  const picks = asyncPickIndices(level.buggy, ce.choices);
  for (const [k, i] of picks.entries()) {
    if (k === 2) await expect(lab.getByTestId('il-db-balance')).toHaveText('100');
    await pick(lab, i + 1);
  }
  await expect(lab.getByTestId('il-found')).toContainText('Bug found');
  await expect(lab.getByTestId('il-found')).toContainText(/balance is 1(25|50), not 175/);
  await expect(lab.getByTestId('il-db-balance')).toHaveText(String(ce.run.db.balance));
  await expect(lab.getByTestId('il-phase-find')).toContainText('✓');
  await lab.getByText('Event loop so far').click();
  await expect(lab.getByTestId('il-loop')).toContainText('deposit awaits db.get');

  // a reload keeps the mode, the level and the schedule (cards as their numbers)
  await expect(page).toHaveURL(new RegExp(`play\\.ch=${picks.map((i) => i + 1).join('')}`));
  await page.reload();
  const again = await openLab(page, new URL(page.url()).search);
  await expect(again.getByTestId('il-mode-async')).toBeChecked();
  await expect(again.getByTestId('il-found')).toContainText('Bug found');

  // Explore on the buggy code counts failing orders, and its counterexample replays as cards
  await again.getByTestId('il-explore').click();
  const buggy = exploreProgramSync(level.buggy);
  await expect(again.getByTestId('il-count-schedules')).toHaveText(buggy.schedules.toLocaleString('en'), { timeout: 30_000 });
  await expect(again.getByTestId('il-count-failing')).toHaveText(String(buggy.failing));
  // every run on the fast runtime (its failures are asserts), timed in the Worker
  await expect(again.getByTestId('il-explore-speed')).toHaveText(new RegExp(`^${buggy.schedules} runs of the code in \\d+ ms`));
  await expect(again.getByTestId('il-explore-speed')).not.toContainText('full event-loop engine');
  await expect(again.getByTestId('il-counterexample')).toContainText('db.get("balance")');
  await again.getByTestId('il-replay').click();
  await expect(steps(again)).toHaveAttribute('max', String(buggy.counterexample!.steps));
  await expect(again.getByTestId('il-found')).toBeVisible();

  // prove it: the fix explores to 0 failing of the engine's own count
  await again.getByTestId('il-show-fix').click();
  await again.getByTestId('il-explore').click();
  const fixed = exploreProgramSync(level.fixed);
  expect(fixed.failing).toBe(0);
  await expect(again.getByTestId('il-explore-verdict')).toContainText(`0 failing of ${fixed.schedules.toLocaleString('en')} schedules`, { timeout: 30_000 });
  await expect(again.getByTestId('il-proved')).toContainText('Proved');
  await expect(again.getByTestId('il-phase-prove')).toContainText('✓');

  // a program estimated at 200,000 schedules or more is searched in parts over several Workers
  // (369,600: 12!/(3!)^4); Stop in the middle stops every one of them
  await replaceCode(page, again, ['async function task(id) {', '  for (let i = 0; i < 3; i++) await delay(10 * id, i);', '}', 'task(1);', 'task(2);', 'task(3);', 'task(4);']);
  await again.getByTestId('il-explore').click();
  await expect(again.getByTestId('il-explore-progress')).toContainText(/[1-9]\d*,\d{3} schedules/, { timeout: 20_000 });
  await again.getByTestId('il-explore-stop').click();
  await expect(again.getByTestId('il-explore-stopped')).toContainText('proves nothing');
  await expect(again.getByTestId('il-explore')).toBeEnabled();
  expect(errors).toEqual([]);
});
