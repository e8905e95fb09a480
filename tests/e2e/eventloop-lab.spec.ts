import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectNoAxeViolations, expectNoAxeViolationsInBothThemes, replaceCode, setTheme, switchTheme, waitForHydration, watchErrors } from './helpers';
import { getExample } from '../../simulations/eventloop/examples';
import { runProgramSync } from '../../simulations/eventloop/run';
import { orphanCount, taskTree, taskTreeAt } from '../../simulations/eventloop/tasktree';

/**
 * The event-loop lab on its own page (/labs/event-loop/, instances #loop and #ticks): typing and
 * running a program, the queues at known steps, permalinks, the budgets that stop runaway code
 * without freezing the page, syntax errors, the editor from the keyboard. The flows every lab shares
 * (keyboard stepping, step links, Copy link, presenter, axe once per theme) are in labTest.ts.
 */
const PAGE = '/labs/event-loop/';

async function openLab(page: Page, id = 'loop', query = ''): Promise<Locator> {
  await page.goto(`${PAGE}${query}`);
  const lab = page.locator(`#${id}`);
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, `#${id}`);
  // the first run (of the example or the link's code) has come back from the worker
  await expect(lab.getByTestId('el-stats')).toBeVisible({ timeout: 15_000 });
  return lab;
}

const scrub = (lab: Locator) => lab.getByTestId('lab-scrub');
const narration = (lab: Locator) => lab.getByTestId('lab-narration');
const consoleLines = (lab: Locator) => lab.getByTestId('el-console').locator('li .text');
const frames = (lab: Locator) => lab.getByTestId('el-stack').locator('li');

/** Does `action` and waits until the lab shows the run it started. */
async function andWaitForRun(lab: Locator, action: () => Promise<void>) {
  const runs = Number(await lab.getByTestId('el-run').getAttribute('data-runs'));
  await action();
  await expect(lab.getByTestId('el-run')).toHaveAttribute('data-runs', String(runs + 1), { timeout: 15_000 });
  await expect(lab.getByTestId('el-run')).toHaveText(/Run$/);
}

/** Runs the editor's program and waits for the new run. */
async function run(lab: Locator) {
  await andWaitForRun(lab, () => lab.getByTestId('el-run').click());
  await expect(lab.getByTestId('el-status')).toBeEmpty();
}

/**
 * Steps forward with the Step button until the narration says `text` (at most `max` steps). The
 * clicks and the reads run in the page, each read once the scrub shows the new step: one round
 * trip per search instead of three to five per step, seconds on a busy machine. The step reached
 * is then checked by the caller's assertions as usual.
 */
async function stepUntil(lab: Locator, text: string | RegExp, max = 80) {
  const pattern = typeof text === 'string' ? { source: text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags: '' } : { source: text.source, flags: text.flags };
  const found = await lab.evaluate(async (el, { source, flags, max }) => {
    const re = new RegExp(source, flags);
    const said = () => el.querySelector('[data-testid="lab-narration"]')?.textContent ?? '';
    const at = () => (el.querySelector('[data-testid="lab-scrub"]') as HTMLInputElement).value;
    const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
    for (let i = 0; i < max; i++) {
      if (re.test(said())) return true;
      const before = at();
      (el.querySelector('[data-testid="lab-step"]') as HTMLButtonElement).click();
      // the lab has drawn the next step (or there is none: the last step was reached)
      for (let f = 0; f < 30 && at() === before; f++) await frame();
      await frame();
      if (at() === before) return re.test(said());
    }
    return re.test(said());
  }, { ...pattern, max });
  if (!found) throw new Error(`never reached a step saying ${text}`);
}

// A 1 ms timer: it waits in the Web APIs (a 0 ms timer's task is queued at once, as in Chromium).
const PROGRAM = [`setTimeout(() => console.log('t'), 1);`, `Promise.resolve().then(() => console.log('p'));`, `console.log('s');`];

test('a typed program runs, the queues hold what the event loop says at each step, and its link restores the code and the step in a new page', async ({ page, browser }) => {
  const errors = watchErrors(page);
  const lab = await openLab(page);
  await replaceCode(page, lab, PROGRAM);
  await expect(lab.getByTestId('el-status')).toContainText('changed the code');
  await run(lab);
  await expect(scrub(lab)).toHaveValue('0');
  await expect(lab.getByTestId('lab-badge')).toHaveText('edited');

  // the script's frame leaves the stack: the then handler is queued as a microtask, and the
  // 1 ms timer waits in the Web APIs (the event loop moves it to the task queue once it is due)
  await stepUntil(lab, 'The main script is done');
  const at = Number(await scrub(lab).inputValue());
  await expect(lab.getByTestId('el-stack')).toContainText('empty');
  await expect(lab.getByTestId('el-microtasks')).toContainText('then handler');
  await expect(lab.getByTestId('el-webapis')).toContainText('timer 1');
  await expect(lab.getByTestId('el-webapis')).toContainText('setTimeout');
  await expect(lab.getByTestId('el-tasks')).toContainText('empty');
  await expect(consoleLines(lab)).toHaveText(['s']);
  await expect(lab.getByTestId('el-clock')).toContainText('0');

  // one step back: the script's frame is on the stack again
  await lab.getByTestId('lab-back').click();
  await expect(scrub(lab)).toHaveValue(String(at - 1));
  await expect(frames(lab)).toHaveText([/\(main script\)/]);
  await lab.getByTestId('lab-step').click();
  await expect(frames(lab)).toHaveCount(0);

  // the next console line is the then handler's: it ran as a microtask before the timer's task
  await lab.getByTestId('el-next-log').click();
  await expect(consoleLines(lab)).toHaveText(['s', 'p']);
  await expect(lab.getByTestId('el-stack')).toContainText('line 2');
  await expect(lab.getByTestId('el-webapis')).toContainText('timer 1');

  // once the microtasks are drained the timer's callback is a task in the task queue
  await stepUntil(lab, /Timer 1 is due, so its task joins the task queue/);
  await expect(lab.getByTestId('el-tasks')).toContainText('setTimeout callback');
  await expect(lab.getByTestId('el-microtasks')).toContainText('empty');
  await expect(lab.getByTestId('el-webapis')).toContainText('no timers pending');

  // previous console line goes back to where 'p' was printed
  await lab.getByTestId('el-prev-log').click();
  await expect(consoleLines(lab)).toHaveText(['s', 'p']);
  await expect(lab.getByTestId('el-microtasks')).not.toContainText('then handler');

  // at the end: s, p, t
  await scrub(lab).focus();
  await page.keyboard.press('End');
  await expect(consoleLines(lab)).toHaveText(['s', 'p', 't']);
  await expect(narration(lab)).toContainText('The program is done');
  expect(errors).toEqual([]);

  // the link restores the typed code and the step in a new page (the same run: no second visit
  // to type it again); to step 9 from the keyboard, not nine clicks
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await expect(scrub(lab)).toHaveValue('9');
  const text = await narration(lab).textContent();
  await expect.poll(() => page.url()).toContain('loop.step=9');
  expect(page.url()).toContain('loop.code=');
  const url = page.url();

  const other = await browser.newPage();
  await other.goto(url);
  const again = other.locator('#loop');
  await again.scrollIntoViewIfNeeded();
  await waitForHydration(other, '#loop');
  await expect(scrub(again)).toHaveValue('9', { timeout: 15_000 });
  await expect(narration(again)).toHaveText(text!);
  await expect(again.locator('[data-code-editor]')).toContainText("console.log('s');");
  await expect(again.getByTestId('lab-badge')).toHaveText('edited');
  await again.getByTestId('lab-scrub').focus();
  await other.keyboard.press('End');
  await expect(consoleLines(again)).toHaveText(['s', 'p', 't']);
  // the other lab on the page is untouched
  const ticks = other.locator('#ticks');
  await ticks.scrollIntoViewIfNeeded();
  await waitForHydration(other, '#ticks');
  await expect(ticks.getByTestId('lab-scrub')).toHaveValue('0', { timeout: 15_000 });
  await other.close();
});

const NODE_PROGRAM = [
  `setImmediate(() => console.log('immediate'));`,
  `Promise.resolve().then(() => console.log('promise'));`,
  `process.nextTick(() => console.log('tick'));`,
  `console.log('script');`,
];

test('Node mode: the switch from the keyboard runs the code on Node’s loop, with its phases, nextTick first, and a reload keeps Node', async ({ page }) => {
  const errors = watchErrors(page);
  const lab = await openLab(page);
  await replaceCode(page, lab, NODE_PROGRAM);
  await expect(lab.getByTestId('el-node-loop')).toHaveCount(0);
  await expect(lab.getByTestId('el-runtime-browser')).toBeChecked();
  // Browser -> Node with the arrow keys (a radio group); switching runs the code again
  await andWaitForRun(lab, async () => {
    await lab.getByTestId('el-runtime-browser').focus();
    await page.keyboard.press('ArrowRight');
  });
  await expect(lab.getByTestId('el-runtime-node')).toBeChecked();
  // Node's panels replace the browser's: five phases, the next-tick queue, the promise queue
  await expect(lab.getByTestId('el-webapis')).toHaveCount(0);
  await expect(lab.getByTestId('el-tasks')).toHaveCount(0);
  for (const p of ['timers', 'pending', 'poll', 'check', 'close']) await expect(lab.getByTestId(`el-phase-${p}`)).toBeVisible();
  await expect(lab.getByTestId('el-ticks')).toBeVisible();
  await expect(lab.getByTestId('el-microtasks')).toContainText('Promise microtask queue');

  // after the script: the tick and the promise job wait in their own queues, the immediate in the check phase
  await stepUntil(lab, 'The main script is done: the call stack is empty');
  await expect(lab.getByTestId('el-ticks')).toContainText('tick 1');
  await expect(lab.getByTestId('el-microtasks')).toContainText('then handler');
  await expect(lab.getByTestId('el-phase-check')).toContainText('immediate 1');
  await expect(lab.locator('[aria-current="step"]')).toHaveCount(0);
  // the check phase is highlighted while it runs
  await stepUntil(lab, /check phase: the setImmediate/);
  await expect(lab.getByTestId('el-phase-check')).toHaveAttribute('aria-current', 'step');
  await expect(lab.getByTestId('el-phase-check')).toContainText('now');
  await expect(lab.getByTestId('el-phase-timers')).not.toHaveAttribute('aria-current', 'step');
  await expect(consoleLines(lab)).toHaveText(['script', 'tick', 'promise']);
  await scrub(lab).focus();
  await page.keyboard.press('End');
  await expect(consoleLines(lab)).toHaveText(['script', 'tick', 'promise', 'immediate']);
  await expect(lab.getByTestId('el-exit')).toHaveText('process exited with code 0');
  await expect(lab.getByTestId('el-nondeterministic')).toHaveCount(0);

  // the link says Node (and the last step); a reload shows the same run on Node's loop
  const last = await scrub(lab).getAttribute('max');
  await expect.poll(() => page.url()).toContain('loop.runtime=node');
  await expect.poll(() => page.url()).toContain(`loop.step=${last}`);
  await page.reload();
  const again = page.locator('#loop');
  await waitForHydration(page, '#loop');
  await expect(again.getByTestId('el-stats')).toBeVisible({ timeout: 15_000 });
  await expect(again.getByTestId('el-runtime-node')).toBeChecked();
  await expect(again.getByTestId('el-phase-poll')).toBeVisible();
  await expect(consoleLines(again)).toHaveText(['script', 'tick', 'promise', 'immediate']);
  expect(errors).toEqual([]);
});

test('a link to an example by id and step opens it there; Node mode says where real Node may print in another order, and a crash ends the process with code 1', async ({ page }) => {
  const lab = await openLab(page, 'loop', '?loop.preset=node-timer-1ms&loop.step=4');
  // the link names a Node example and a step: the lab opens on it, with no notice
  await expect(lab.getByTestId('el-preset')).toHaveValue('node-timer-1ms');
  await expect(scrub(lab)).toHaveValue('4');
  await expect(lab.getByTestId('link-notice')).toHaveCount(0);
  await expect(lab.getByTestId('el-runtime-node')).toBeChecked();
  // a Node preset switched to the browser is "edited", and the way back names the event loop
  await andWaitForRun(lab, () => lab.getByTestId('el-runtime').getByText('Browser').click());
  await expect(lab.getByTestId('lab-badge')).toHaveText('edited');
  await expect(lab.getByTestId('el-restore')).toHaveText('Back to the Node event loop');
  await andWaitForRun(lab, () => lab.getByTestId('el-restore').click());
  await expect(lab.getByTestId('el-runtime-node')).toBeChecked();
  await expect(lab.getByTestId('el-restore')).toHaveCount(0);
  await replaceCode(page, lab, [
    `setTimeout(() => console.log('timeout'), 0);`,
    `setImmediate(() => console.log('immediate'));`,
    `setTimeout(() => { throw new Error('boom'); }, 5);`,
    `setTimeout(() => console.log('never printed'), 10);`,
  ]);
  await run(lab);
  await scrub(lab).focus();
  await page.keyboard.press('End');
  await expect(consoleLines(lab)).toHaveText(['immediate', 'timeout', /^Error: boom/]);
  await expect(lab.getByTestId('el-exit')).toHaveText('process exited with code 1');
  await expect(lab.getByTestId('el-nondeterministic')).toContainText('Real Node may print these in another order:');
  await expect(lab.getByTestId('el-nondeterministic')).toContainText('setImmediate callback');
  // back in Browser mode the same code has neither
  await andWaitForRun(lab, () => lab.getByTestId('el-runtime').getByText('Browser').click());
  await expect(lab.getByTestId('el-nondeterministic')).toHaveCount(0);
  await expect(lab.getByTestId('el-exit')).toHaveCount(0);
  await expect(lab.getByTestId('el-webapis')).toBeVisible();
});

test('Node mode has no axe violations in either theme, in its check phase and at its exit', async ({ page }) => {
  test.setTimeout(90_000);
  await setTheme(page, 'light');
  const lab = await openLab(page, 'loop', '?loop.preset=node-immediate-vs-timeout-io');
  await stepUntil(lab, /check phase: the setImmediate/);
  await expect(lab.getByTestId('el-phase-check')).toHaveAttribute('aria-current', 'step');
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await expectNoAxeViolationsInBothThemes(page, '#loop');
  // the end: the exit line (in the dark theme now; then back to light for every rule)
  await scrub(lab).focus();
  await page.keyboard.press('End');
  await expect(lab.getByTestId('el-exit')).toBeVisible();
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await expectNoAxeViolations(page, ['color-contrast'], '#loop');
  await switchTheme(page, 'light');
  await expectNoAxeViolations(page, undefined, '#loop');
});

test('a malformed link shows the default lab with a notice', async ({ page }) => {
  let lab = await openLab(page, 'loop', '?loop.preset=no-such-example');
  await expect(lab.getByTestId('link-notice')).toContainText('could not be read (preset=no-such-example)');
  await expect(lab.getByTestId('el-preset')).toHaveValue('microtasks-before-timers');

  lab = await openLab(page, 'loop', '?loop.code=zz%21%21');
  await expect(lab.getByTestId('link-notice')).toContainText('could not be read (code=');
  await expect(lab.getByTestId('el-preset')).toHaveValue('microtasks-before-timers');
});

test('an infinite loop is stopped by its budget while the page keeps responding', async ({ page }) => {
  const lab = await openLab(page);
  await replaceCode(page, lab, ['console.log("before");', 'while (true) {}']);
  await run(lab);
  await expect(lab.getByTestId('el-error')).toContainText('Stopped after 1,000,000 loop iterations');
  await expect(lab.getByTestId('el-error')).toContainText('infinite loop');
  await scrub(lab).focus();
  await page.keyboard.press('End');
  await expect(consoleLines(lab)).toHaveText(['before']);
  const last = Number(await scrub(lab).inputValue());

  // a loop that is slow per iteration runs into the wall-time budget (2 s) instead; meanwhile
  // the page answers clicks at once
  await replaceCode(page, lab, ["let s = 'x';", "while (true) { s = s.split('').reverse().join('') + 'x'; }"]);
  await lab.getByTestId('el-run').click();
  await expect(lab.getByTestId('el-run')).toHaveText(/Running/);
  // the previous run stays on screen while the new one runs, and its controls answer at once
  await lab.getByTestId('lab-back').click();
  await expect(scrub(lab)).toHaveValue(String(last - 1), { timeout: 1_000 });
  // the main thread paints frames as usual
  const frameMs = await page.evaluate(
    () => new Promise<number>((resolve) => {
      const t = performance.now();
      requestAnimationFrame(() => resolve(performance.now() - t));
    }),
  );
  expect(frameMs).toBeLessThan(500);
  await expect(lab.getByTestId('el-run')).toHaveText(/Running/);
  await expect(lab.getByTestId('el-error')).toContainText('too long in real time', { timeout: 10_000 });
});

test('code that never yields to the budget is stopped by terminating the worker, and the next run, an example from the menu, works', async ({ page }) => {
  // the budget is 5 s of real time (the worker cannot be interrupted sooner): slow by design
  test.slow();
  const lab = await openLab(page);
  // catastrophic regex backtracking: one native call the engine cannot interrupt
  await replaceCode(page, lab, ["console.log(/(a+)+$/.test('a'.repeat(40) + 'b'));"]);
  await lab.getByTestId('el-run').click();
  await expect(lab.getByTestId('el-stop')).toBeVisible();
  await expect(lab.getByTestId('el-error')).toContainText('Stopped after 5 s of real time', { timeout: 15_000 });
  await expect(lab.getByTestId('el-run')).toHaveText(/Run$/);
  // the examples menu loads and runs an example in a new worker, in place of the edited code
  await andWaitForRun(lab, async () => {
    await lab.getByTestId('el-preset').selectOption('error-in-task');
  });
  await expect(lab.getByTestId('el-error')).toHaveCount(0);
  await expect(lab.getByTestId('el-stats')).toContainText('Web Worker');
  await expect(lab.locator('.lab-title')).toHaveText('An uncaught error ends its task, not the event loop');
  await expect(lab.locator('[data-code-editor]')).toContainText("throw new Error('boom')");
  await expect(scrub(lab)).toHaveValue('0');
  await scrub(lab).focus();
  await page.keyboard.press('End');
  const lines = lab.getByTestId('el-console').locator('li');
  await expect(lines).toHaveCount(3);
  // a runtime error is a console line, in the failed colour's row, with its line
  await expect(lines.nth(1)).toHaveAttribute('data-level', 'error');
  await expect(lines.nth(1)).toContainText('Uncaught Error: boom (line 3)');
  await expect(lab.getByTestId('el-error')).toHaveCount(0);
  await expect.poll(() => page.url()).toContain('loop.preset=error-in-task');
  expect(page.url()).not.toContain('loop.code=');
});

test('the editor from the keyboard: Tab in, Enter to edit, Ctrl+Enter runs, Escape and Tab out, then the arrows step; a syntax error is shown at its line, and nothing runs', async ({ page }) => {
  const lab = await openLab(page);
  // Tab reaches the editor (after the examples menu, the Browser | Node radio group and the Task tree toggle); Enter starts editing
  await lab.getByTestId('el-preset').focus();
  await page.keyboard.press('Tab');
  await expect(lab.getByTestId('el-runtime-browser')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(lab.getByTestId('el-tree-toggle')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(lab.locator('[data-code-editor] .static')).toBeFocused();
  await page.keyboard.press('Enter');
  const editor = lab.locator('[data-code-editor]');
  await expect(editor).toHaveAttribute('data-editor-state', 'ready', { timeout: 15_000 });
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type("console.log('one');");
  await page.keyboard.press('Enter');
  await page.keyboard.type("console.log('two');");
  // Ctrl+Enter runs from inside the editor
  await andWaitForRun(lab, () => page.keyboard.press('ControlOrMeta+Enter'));
  await expect(lab.getByTestId('el-status')).toBeEmpty();
  // Escape then Tab leaves the editor; then the arrows step
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  await expect(editor.locator('.monaco-editor textarea')).not.toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(scrub(lab)).toHaveValue('1');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(scrub(lab)).toHaveValue('11');
  await page.keyboard.press('ArrowLeft');
  await expect(scrub(lab)).toHaveValue('10');
  await page.keyboard.press('End');
  await expect(consoleLines(lab)).toHaveText(['one', 'two']);
  await page.keyboard.press('Home');
  await expect(scrub(lab)).toHaveValue('0');

  // a syntax error is shown at its line, and nothing runs
  await replaceCode(page, lab, ["console.log('a');", 'let x = ;']);
  await run(lab);
  await expect(lab.getByTestId('el-error')).toContainText('SyntaxError');
  await expect(lab.getByTestId('el-error')).toContainText('line 2');
  // the editor marks the line and lists the problem under it
  await expect(lab.locator('[data-code-editor] [data-severity="error"]')).toContainText('line 2');
  await expect(scrub(lab)).toHaveAttribute('max', '0');
  await expect(lab.getByTestId('el-console')).toContainText('nothing printed');
  await expect(narration(lab)).toContainText('Nothing runs');
});

test('the presenter page opens an example at a step', async ({ page }) => {
  await page.goto('/present/event-loop/?lab=loop&preset=sync-vs-timeout&loop.step=5');
  const lab = page.locator('#present');
  await expect(lab.getByTestId('lab-scrub')).toHaveAttribute('max', /^[1-9]\d*$/, { timeout: 15_000 });
  await expect(lab.getByTestId('el-stats')).toHaveCount(0); // the run's cost is not stage material
  await expect(lab.getByTestId('el-preset')).toHaveValue('sync-vs-timeout');
  await expect(lab.getByTestId('lab-scrub')).toHaveValue('5');
  await expect(lab).toHaveAttribute('data-presenting', 'true');
  await page.keyboard.press('ArrowRight');
  await expect(lab.getByTestId('lab-scrub')).toHaveValue('6');
});

test('the task tree: a toggle kept in the URL, nodes that follow the steps, and the orphans the engine counts', async ({ page }) => {
  const errors = watchErrors(page);
  // what the engine says of the preset (the lab runs the same engine in its Worker)
  const run = runProgramSync(getExample('orphans-race-all').source);
  const final = taskTree(run);
  const orphans = orphanCount(run);
  expect(orphans).toBeGreaterThan(0);
  const orphanedAt = Math.min(...final.orphans.map((id) => final.nodes[id].orphanedAt!));

  const lab = await openLab(page, 'loop', '?loop.preset=orphans-race-all');
  const tree = lab.getByTestId('el-tree');
  const nodes = tree.getByTestId('el-tree-node');
  const count = tree.getByTestId('el-tree-orphans');
  await expect(tree).toHaveCount(0); // off by default
  await lab.getByTestId('el-tree-toggle').focus();
  await page.keyboard.press('Space');
  await expect(lab.getByTestId('el-tree-toggle')).toBeChecked();
  await expect(tree).toBeVisible();
  await expect.poll(() => page.url()).toContain('loop.tree=1');
  // step 0: only the main script
  await expect(nodes).toHaveText([/\(main script\)/]);
  await expect(count).toHaveText('0 orphans');

  // nodes appear as they start: a step in the middle shows the engine's nodes of that step
  const mid = Math.floor(orphanedAt / 2);
  await scrub(lab).fill(String(mid));
  await expect(nodes).toHaveCount(taskTreeAt(run, mid).nodes.length);
  // the step before main() settles, nothing is an orphan yet; one step on, the orphans are marked
  await scrub(lab).fill(String(orphanedAt));
  await expect(count).toHaveText('0 orphans');
  await expect(tree.locator('[data-orphan]')).toHaveCount(0);
  await lab.getByTestId('lab-step').click();
  await expect(count).toHaveText(`${orphans} orphans`);
  await expect(tree.locator('[data-orphan]')).toHaveCount(orphans);

  // at the end they stay marked, settled (they ran to the end, nobody waiting), and the count holds
  await scrub(lab).focus();
  await page.keyboard.press('End');
  await expect(scrub(lab)).toHaveValue(String(run.trace.length));
  await expect(nodes).toHaveCount(final.nodes.length);
  await expect(count).toHaveText(`${orphans} orphans`);
  const marked = tree.locator('[data-orphan]');
  await expect(marked).toHaveCount(orphans);
  await expect(marked.locator('.name')).toHaveText(final.orphans.map((id) => final.nodes[id].label));
  for (let i = 0; i < orphans; i++) await expect(marked.nth(i)).toContainText('orphan');
  await expect(marked.first()).toHaveAttribute('data-state', final.nodes[final.orphans[0]].state);
  // the scrolling list is reachable from the keyboard
  await tree.getByRole('region').focus();
  await expect(tree.getByRole('region')).toBeFocused();
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await expectNoAxeViolations(page, undefined, '#loop');

  // a reload keeps the panel open (in the dark theme this time, for its contrast)
  await setTheme(page, 'dark');
  await page.reload();
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, '#loop');
  await expect(lab.getByTestId('el-stats')).toBeVisible({ timeout: 15_000 });
  await expect(lab.getByTestId('el-tree-toggle')).toBeChecked();
  await expect(tree).toBeVisible();
  await expect(count).toHaveText(`${orphans} orphans`);
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await expectNoAxeViolations(page, ['color-contrast'], '#loop');
  // and turning it off closes it and leaves the URL
  await lab.getByTestId('el-tree-toggle').click();
  await expect(tree).toHaveCount(0);
  await expect.poll(() => page.url()).not.toContain('loop.tree=');
  expect(errors).toEqual([]);
});

test('an example about the task tree opens it, and closing it is kept in the link', async ({ page }) => {
  const errors = watchErrors(page);
  const run = runProgramSync(getExample('scope-no-orphans').source);
  const lab = await openLab(page, 'loop', '?loop.preset=scope-no-orphans');
  const tree = lab.getByTestId('el-tree');
  await expect(lab.getByTestId('el-tree-toggle')).toBeChecked();
  await scrub(lab).focus();
  await page.keyboard.press('End');
  await expect(scrub(lab)).toHaveValue(String(run.trace.length));
  await expect(tree.getByTestId('el-tree-orphans')).toHaveText(`${orphanCount(run)} orphans`);
  await lab.getByTestId('el-tree-toggle').click();
  await expect(tree).toHaveCount(0);
  await expect.poll(() => page.url()).toContain('loop.tree=0');
  await page.reload();
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, '#loop');
  await expect(lab.getByTestId('el-stats')).toBeVisible({ timeout: 15_000 });
  await expect(lab.getByTestId('el-tree-toggle')).not.toBeChecked();
  await expect(tree).toHaveCount(0);
  expect(errors).toEqual([]);
});
