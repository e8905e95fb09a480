import { expect, test, type Locator, type Page } from '@playwright/test';
import { waitForHydration, watchErrors, replaceCode } from './helpers';

/**
 * The sync/async lab (SyncAsyncLab) in the built site: runtime fallback with the network cut,
 * a learner's handler run under every variant with results labelled by runtime, a handler stuck
 * in a loop stopped at the budget while the page stays responsive, syntax errors, clamping,
 * permalinks that carry results, keyboard use. Axe (with results shown), Copy link and the
 * presenter view are the flows every lab shares, in labTest.ts (options in labs.spec.ts).
 *
 * "Network cut": this machine has no route to StackBlitz, and every test also aborts requests to
 * it, so the WebContainer cannot boot here or on a machine that has internet. The real boot is
 * tested by the last test, only with WEBCONTAINER_E2E=1.
 */
const LAB_PAGE = '/labs/sync-async/';
const LESSON = '/lessons/sync-vs-async-under-load/';

/** StackBlitz's hosts, where the WebContainer runtime comes from (not our own chunks, whose names may say "webcontainer"). */
const STACKBLITZ = /^https?:\/\/([^/]*\.)?(stackblitz\.(com|io)|webcontainer(-api)?\.io)\//;

async function cutStackBlitz(page: Page) {
  await page.route(STACKBLITZ, (route) => route.abort('internetdisconnected'));
}

async function openLab(page: Page, url: string, id: string): Promise<Locator> {
  await page.goto(url);
  const lab = page.locator(`#${id}`);
  await lab.scrollIntoViewIfNeeded();
  await waitForHydration(page, `#${id}`);
  await expect(lab.getByTestId('sa-run')).toBeEnabled({ timeout: 15_000 });
  return lab;
}

/** Run and wait until every ticked variant has a row in the results table. */
async function runAndWait(lab: Locator, timeout = 45_000) {
  const runs = Number(await lab.getByTestId('sa-run').getAttribute('data-runs'));
  await lab.getByTestId('sa-run').click();
  await expect(lab.getByTestId('sa-run')).toHaveAttribute('data-runs', String(runs + 1), { timeout });
  await expect(lab.getByTestId('sa-run')).toBeEnabled();
}

async function setNumber(lab: Locator, name: string, value: string) {
  const input = lab.getByTestId(`sa-param-${name}`);
  await input.fill(value);
  await input.press('Tab');
}

test.beforeEach(async ({ page }) => {
  await cutStackBlitz(page);
});

test('offline, the lesson falls back to the browser Worker at once, says why, and its other labs never wait for the WebContainer', async ({ page }) => {
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  const lab = await openLab(page, LESSON, 'io');
  const status = lab.getByTestId('sa-runtime-status');
  await expect(status).toContainText('The first Run starts the WebContainer');
  await setNumber(lab, 'requests', '30');
  const started = Date.now();
  await lab.getByTestId('sa-run').click();
  // StackBlitz cannot be reached: no 30 s wait, the Worker takes over at once, with the reason
  await expect(status).toHaveAttribute('data-phase', 'ready', { timeout: 5_000 });
  expect(Date.now() - started).toBeLessThan(5_000);
  await expect(status).toContainText('Runs in the browser Worker. The WebContainer cannot start offline');
  await expect(lab.getByTestId('sa-run')).toBeEnabled({ timeout: 30_000 });
  for (const v of ['sync', 'async']) {
    const row = lab.getByTestId(`sa-row-${v}`);
    await expect(row).toHaveAttribute('data-runner', 'worker');
    await expect(row).toContainText('browser worker');
  }
  // a second run does not wait for the WebContainer again: the fallback is kept
  const again = Date.now();
  await runAndWait(lab);
  expect(Date.now() - again).toBeLessThan(12_000);
  // another lab on the page: already on the Worker, it says so before any Run
  const cpu = page.locator('#cpu');
  await cpu.scrollIntoViewIfNeeded();
  await waitForHydration(page, '#cpu');
  await expect(cpu.getByTestId('sa-runtime-status')).toContainText('Runs in the browser Worker. The WebContainer cannot start offline');
  // the failed requests to StackBlitz are the only noise allowed
  expect(errors.filter((e) => !/stackblitz|ERR_INTERNET_DISCONNECTED|Failed to load resource/i.test(e))).toEqual([]);
});

test('while the WebContainer is starting, the lab counts down, and picking the browser Worker runs there at once', async ({ page }) => {
  // StackBlitz answers nothing at all (a stalled network): the boot waits for its timeout
  await page.unroute(STACKBLITZ);
  await page.route(STACKBLITZ, () => {});
  const lab = await openLab(page, LAB_PAGE, 'lab');
  for (const v of ['sync', 'sync-batch', 'parallel']) await lab.getByTestId(`sa-variant-${v}`).uncheck();
  await setNumber(lab, 'requests', '20');
  await lab.getByTestId('sa-run').click();
  const status = lab.getByTestId('sa-runtime-status');
  await expect(status).toHaveAttribute('data-phase', 'starting');
  await expect(status).toContainText(/Starting the WebContainer .*… (30|29|28) s left before the browser Worker takes over/);
  await expect(status).toContainText(/… (2[0-8]) s left/, { timeout: 5_000 });
  const picked = Date.now();
  await lab.getByTestId('sa-runtime-worker').check();
  await expect(lab.getByTestId('sa-row-async')).toHaveAttribute('data-runner', 'worker', { timeout: 10_000 });
  expect(Date.now() - picked).toBeLessThan(10_000); // not the 30 s boot timeout
  await expect(status).toHaveText('Runs in the browser Worker.');
});

test('back from the back/forward cache (its container torn down on pagehide), the next run chooses its runtime again and still runs', async ({ page }) => {
  const lab = await openLab(page, LAB_PAGE, 'lab');
  for (const v of ['sync', 'sync-batch', 'parallel']) await lab.getByTestId(`sa-variant-${v}`).uncheck();
  await setNumber(lab, 'requests', '20');
  await runAndWait(lab);
  const status = lab.getByTestId('sa-runtime-status');
  await expect(status).toContainText('Runs in the browser Worker.');
  await page.evaluate(() => {
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
  });
  await expect(status).toHaveAttribute('data-phase', 'idle');
  await runAndWait(lab);
  await expect(lab.getByTestId('sa-row-async')).toHaveAttribute('data-status', 'ok');
  await expect(status).toContainText('Runs in the browser Worker. The WebContainer cannot start offline');
});

test('lesson 4 shows code in its prerequisites as code, not as backticks', async ({ page }) => {
  await page.goto(LESSON);
  const prereq = page.locator('section[aria-labelledby="prereq-h"]');
  await expect(prereq.locator('code', { hasText: 'Promise.all' })).toBeVisible();
  await expect(prereq).not.toContainText('`');
});

test('an edited handler runs under every variant, with results, charts and a reading per variant; one whose every request fails is neither ranked nor drawn as a result', async ({ page }) => {
  // two runs of four variants in the Worker (60 requests, then 20)
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  const lab = await openLab(page, LAB_PAGE, 'lab');
  await lab.getByTestId('sa-runtime-worker').check();
  await expect(lab.getByTestId('sa-runtime-status')).toHaveText('Runs in the browser Worker.');
  await setNumber(lab, 'requests', '60');
  await setNumber(lab, 'clients', '20');
  // the handler: both reads at once, and one request in ten fails
  await replaceCode(page, lab, [
    'export async function handle(req, ctx) {',
    'if (req.userId % 10 === 0) throw new Error("user " + req.userId + " is banned");',
    'const [user, cart] = await Promise.all([ctx.db.get(`user:${req.userId}`), ctx.db.get(`cart:${req.cartId}`)]);',
    'return { user: user.id, total: cart.totalCents };',
    '}',
  ]);
  await expect(lab.locator('[data-code-editor]')).toContainText('is banned');
  await lab.getByTestId('sa-run').click();
  await expect(lab.getByTestId('sa-error')).toHaveCount(0);
  await expect(lab.getByTestId('lab-badge')).toHaveText('edited');
  await expect(lab.getByTestId('sa-run')).toHaveAttribute('data-runs', '1', { timeout: 60_000 });

  const table = lab.getByTestId('sa-table');
  const throughput: Record<string, number> = {};
  for (const v of ['sync', 'async', 'sync-batch', 'parallel']) {
    const row = table.getByTestId(`sa-row-${v}`);
    await expect(row).toHaveAttribute('data-status', 'ok');
    await expect(row).toHaveAttribute('data-runner', 'worker');
    throughput[v] = Number(await row.getAttribute('data-throughput'));
    expect(throughput[v]).toBeGreaterThan(0);
    // the thrown errors are errored requests, not a failed run
    expect(Number(await row.getAttribute('data-errors'))).toBeGreaterThan(0);
  }
  // the contrasts the lesson teaches, with wide margins (a shared CI machine)
  expect(throughput.async).toBeGreaterThan(5 * throughput.sync);
  expect(throughput['sync-batch']).toBeGreaterThan(3 * throughput.sync);
  // both charts show a mark per variant, and say on the chart that requests failed
  await expect(lab.getByTestId('sa-bars').locator('g[data-variant]')).toHaveCount(4);
  for (const v of ['sync', 'async']) await expect(lab.getByTestId(`sa-bars-value-${v}`)).toContainText(/✕ \d+ of 60 failed/);
  await expect(lab.getByTestId('sa-cdf').locator('.legend')).toContainText(/async \(✕ \d+ of 60 failed/);
  await expect(lab.getByTestId('sa-cdf').locator('path[data-variant]')).toHaveCount(4);
  const reading = lab.getByTestId('lab-narration');
  await expect(reading).toContainText(/Async served \d+× the requests per second of sync/);
  await expect(reading).toContainText('Little’s law on your');
  await expect(reading).toContainText(/Errored requests: \d+ under sync/);
  await expect(reading).toContainText('is banned');
  expect(errors).toEqual([]);

  // the link carries config, code and results: a fresh page shows the same numbers, labelled as the link's
  // the URL is written at most every 400 ms, and the results only once the run is complete: wait
  // for them there, not for a fixed time
  await expect.poll(() => page.url()).toContain('lab.res=');
  const url = page.url();
  expect(url).toContain('lab.code=');
  const other = await page.context().newPage();
  await cutStackBlitz(other);
  const copy = await openLab(other, url.replace(/^https?:\/\/[^/]+/, ''), 'lab');
  await expect(copy.getByTestId('sa-link-results')).toContainText('measured by whoever shared it, in browser worker');
  await expect(copy.getByTestId('lab-badge')).toHaveText('edited');
  await expect(copy.getByTestId('sa-param-requests')).toHaveValue('60');
  const shared = Number(await copy.getByTestId('sa-row-async').getAttribute('data-throughput'));
  expect(Math.abs(shared - throughput.async) / throughput.async).toBeLessThan(0.01); // 3 significant digits
  await other.close();

  // the same lab, a handler whose every request fails: no variant is ranked or drawn as a result,
  // and the charts say why
  await setNumber(lab, 'requests', '20');
  await replaceCode(page, lab, ['export async function handle(req, ctx) {', 'throw new Error("down for maintenance");', '}']);
  await expect(lab.locator('[data-code-editor]')).toContainText('maintenance');
  await lab.getByTestId('sa-run').click();
  await expect(lab.getByTestId('sa-run')).toHaveAttribute('data-runs', '2', { timeout: 60_000 });
  const bars = lab.getByTestId('sa-bars');
  await expect(bars.locator('g[data-variant]')).toHaveCount(4);
  // a thrown error answers fast: each variant's (error) throughput is high, but none is a filled, ranked bar
  await expect(bars.locator('rect.bar:not(.failed-all)')).toHaveCount(0);
  await expect(bars.locator('rect.failed-all')).toHaveCount(4);
  await expect(bars).not.toContainText('fastest');
  await expect(bars).not.toContainText('× sync');
  for (const v of ['sync', 'async', 'sync-batch', 'parallel']) await expect(lab.getByTestId(`sa-bars-value-${v}`)).toHaveText('✕ all 20 requests failed');
  await expect(lab.getByTestId('sa-cdf-failed')).toContainText('no latency of a served request to draw');
  await expect(lab.getByTestId('sa-cdf').locator('path[data-variant]')).toHaveCount(0);
  await expect(lab.getByTestId('lab-narration')).toContainText('Every request failed under sync, async, sync + batching and parallel pool (Error: down for maintenance), so they are not compared.');
  expect(errors).toEqual([]);
});


test('a handler stuck in a loop is stopped at the budget, the next variant still runs, and the page stays responsive', async ({ page }) => {
  test.setTimeout(60_000);
  const lab = await openLab(page, LAB_PAGE, 'lab');
  await lab.getByTestId('sa-runtime-worker').check();
  for (const v of ['sync-batch', 'parallel']) await lab.getByTestId(`sa-variant-${v}`).uncheck();
  await setNumber(lab, 'budget', '3');
  await setNumber(lab, 'requests', '20');
  // a synchronous loop: the async variant cannot escape it either
  await replaceCode(page, lab, ['export async function handle(req, ctx) {', 'for (;;) {}', '}']);
  await lab.getByTestId('sa-run').click();
  const sync = lab.getByTestId('sa-progress-sync');
  await expect(sync).toHaveAttribute('data-state', 'running');
  // while the Worker spins, the page answers: a click lands and a frame is painted quickly
  const before = Date.now();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  expect(Date.now() - before).toBeLessThan(500);
  await page.locator('[data-theme-toggle]').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark', { timeout: 1_000 });
  await expect(sync).toHaveAttribute('data-state', 'timedOut', { timeout: 8_000 });
  await expect(sync).toContainText('Stopped at the time budget (3 s of real time)');
  await expect(lab.getByTestId('sa-progress-async')).toHaveAttribute('data-state', 'timedOut', { timeout: 8_000 });
  await expect(lab.getByTestId('sa-run')).toBeEnabled();
  await expect(lab.getByTestId('sa-row-sync')).toHaveAttribute('data-status', 'timedOut');
  await expect(lab.getByTestId('lab-narration')).toHaveText('No variant finished, so there is nothing to compare yet.');
});

test('the handler cannot reach the network, storage or the page, in the main Worker or a pool thread', async ({ page }) => {
  test.setTimeout(60_000);
  const lab = await openLab(page, LAB_PAGE, 'lab');
  await lab.getByTestId('sa-runtime-worker').check();
  for (const v of ['sync', 'sync-batch']) await lab.getByTestId(`sa-variant-${v}`).uncheck();
  await setNumber(lab, 'requests', '8');
  await replaceCode(page, lab, [
    'export async function handle(req, ctx) {',
    "const reachable = ['fetch', 'XMLHttpRequest', 'WebSocket', 'indexedDB', 'caches', 'importScripts', 'postMessage', 'Worker', 'navigator', 'document', 'localStorage'].filter((n) => typeof globalThis[n] !== 'undefined');",
    "if (reachable.length) throw new Error('reachable: ' + reachable.join(' '));",
    'return 1;',
    '}',
  ]);
  await runAndWait(lab);
  for (const v of ['async', 'parallel']) {
    const row = lab.getByTestId(`sa-row-${v}`);
    await expect(row).toHaveAttribute('data-status', 'ok');
    await expect(row, await lab.getByTestId('lab-narration').textContent() ?? '').toHaveAttribute('data-errors', '0');
  }
});

test('a bad link shows the default lab and says so; there, a syntax error is shown at its line and nothing runs, and out-of-range settings are clamped with a note', async ({ page }) => {
  const lab = await openLab(page, `${LAB_PAGE}?lab.v=sync,turbo`, 'lab');
  await expect(lab.getByTestId('link-notice')).toContainText("This link's lab settings could not be read (v=sync,turbo)");
  await expect(lab.getByTestId('sa-variant-sync')).toBeChecked();
  await expect(lab.getByTestId('sa-variant-parallel')).toBeChecked();

  await replaceCode(page, lab, ['export async function handle(req, ctx) {', 'const x = ;', '}']);
  await lab.getByTestId('sa-run').click();
  await expect(lab.getByTestId('sa-error')).toHaveText('SyntaxError: Unexpected token (line 2, column 13). Nothing ran: fix the handler and run again.');
  await expect(lab.getByTestId('sa-progress')).toHaveCount(0);
  await expect(lab.locator('[data-code-editor]')).toContainText('Unexpected token');

  await setNumber(lab, 'clients', '9999');
  await expect(lab.getByTestId('sa-param-clients')).toHaveValue('500');
  await expect(lab.getByTestId('clamp-note')).toHaveText('Concurrent clients: 9999 is above the most this exercise allows; using 500.');
  await setNumber(lab, 'budget', '0.5');
  await expect(lab.getByTestId('sa-param-budget')).toHaveValue('2');
  await expect(lab.getByTestId('clamp-note')).toContainText('Time budget: 0.5 s is outside 2–120 s; using 2 s.');
});

test('keyboard only: reach the settings, pick the runtime, run with Ctrl+Enter from the editor', async ({ page }) => {
  test.setTimeout(60_000);
  const lab = await openLab(page, LAB_PAGE, 'lab');
  await lab.getByTestId('sa-param-requests').focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('20');
  await page.keyboard.press('Tab');
  await lab.getByTestId('sa-runtime-auto').focus();
  await page.keyboard.press('ArrowRight'); // radio group: Auto -> Browser Worker
  await expect(lab.getByTestId('sa-runtime-worker')).toBeChecked();
  for (const v of ['sync', 'sync-batch', 'parallel']) {
    await lab.getByTestId(`sa-variant-${v}`).focus();
    await page.keyboard.press('Space');
    await expect(lab.getByTestId(`sa-variant-${v}`)).not.toBeChecked();
  }
  const editor = lab.locator('[data-code-editor]');
  await editor.locator('.static').focus();
  await page.keyboard.press('Enter');
  await expect(editor).toHaveAttribute('data-editor-state', 'ready', { timeout: 15_000 });
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(lab.getByTestId('sa-run')).toHaveAttribute('data-runs', '1', { timeout: 20_000 });
  await expect(lab.getByTestId('sa-row-async')).toHaveAttribute('data-status', 'ok');
});

test('real WebContainer: runs every variant in Node, or says why a variant is disabled there (needs internet; WEBCONTAINER_E2E=1)', async ({ page }) => {
  test.skip(!process.env.WEBCONTAINER_E2E, 'Set WEBCONTAINER_E2E=1 on a machine with internet: the WebContainer runtime loads from StackBlitz.');
  test.setTimeout(240_000);
  await page.unroute(STACKBLITZ);
  const lab = await openLab(page, LAB_PAGE, 'lab');
  await lab.getByTestId('sa-runtime-webcontainer').check();
  await expect(lab.getByTestId('sa-runtime-status')).toHaveText('Runs in the WebContainer (Node).', { timeout: 60_000 });
  await setNumber(lab, 'requests', '40');
  await runAndWait(lab, 180_000);
  for (const v of ['sync', 'async', 'sync-batch', 'parallel']) {
    const row = lab.getByTestId(`sa-row-${v}`);
    await expect(row).toHaveAttribute('data-runner', 'webcontainer');
    // a variant whose shared memory is not enforced there is refused, never measured
    const text = (await row.textContent()) ?? '';
    if (/disabled in this WebContainer/.test(text)) continue;
    await expect(row).toHaveAttribute('data-status', 'ok');
    await expect(row).toContainText(/node v\d+/);
  }
  // Stop ends a handler stuck in a loop (the process may ignore kill: then the container restarts)
  await replaceCode(page, lab, ['export async function handle() {', 'for (;;) {}', '}']);
  await lab.getByTestId('sa-run').click();
  await page.waitForTimeout(3_000);
  await lab.getByTestId('sa-stop').click();
  await expect(lab.getByTestId('sa-run')).toBeEnabled({ timeout: 10_000 });
});
