/**
 * The flows every lab shares, registered for one lab page by `labTest(url, options)`:
 *
 *   - the page hydrates without console errors, and the lab is driven from the keyboard alone
 *     (Tab reaches the transport controls; arrows, Shift+arrows, Home, End, Space on the scrub)
 *   - a link with `<id>.step=N` opens the lab at step N (no clicking N times), and the value of
 *     "Copy link" opens the same state in a new page
 *   - presenter mode (same page visit): from the lab's Present button and back, and from the lab's
 *     /present/ URL
 *   - every presenter page (one per preset) fits a 1280×720 screen (also in the lab's
 *     `presentAfter` state, e.g. with results shown), passes the lab's `presentCheck` if it has
 *     one, and End neither scrolls it nor fails to reach the last step, wherever focus is
 *   - axe in both themes in one visit: every rule in the light theme, then colour contrast after
 *     an in-page switch to the dark one (a theme changes colours only), with the first lab at
 *     step N
 *
 * The URL must be a lab page of src/widgets/registry.ts (labs.spec.ts registers every one); its
 * presenter URL comes from there too. What a lab does differently from the others is in its own
 * spec. Selectors are the ones LabFrame and Controls render: `section[data-lab]`, the lab-*
 * test ids, the buttons' accessible names.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { expectNoAxeViolationsInBothThemes, setTheme, waitForHydration, watchErrors } from './helpers';
import type { E2ELab } from './labs';

export interface LabTestOptions {
  /** False for a lab without steps (a measurement): no transport controls, no step flows. */
  timeline?: boolean;
  /** The step the jump, permalink and axe flows go to (the default run must have more). */
  step?: number;
  /** Waits until the lab shows its first result; the default waits for a timeline with steps. */
  ready?: (lab: Locator) => Promise<void>;
  /** Runs before every test on a fresh page (e.g. to cut a network the lab must not reach). */
  setup?: (page: Page) => Promise<void>;
  /** Puts the lab in the state axe checks, after the default (step N); e.g. a measurement run. */
  beforeAxe?: (page: Page, lab: Locator) => Promise<void>;
  /**
   * On each presenter page, after the first fit check: puts the lab in a later state that must
   * fit the 1280×720 stage too (e.g. with a run's results shown); the page is measured again.
   */
  presentAfter?: (page: Page, lab: Locator) => Promise<void>;
  /** On each presenter page, first: a check of the lab's own (e.g. stageText.ts's text sizes). */
  presentCheck?: (page: Page, lab: Locator, href: string) => Promise<void>;
}

/** The labs of the registry, as playwright.config.ts loaded them (see labs.ts). */
function registryLab(url: string): E2ELab {
  const labs = JSON.parse(process.env.E2E_LABS ?? '[]') as E2ELab[];
  const lab = labs.find((l) => l.href === url);
  if (!lab) throw new Error(`labTest(${url}): not a lab page of src/widgets/registry.ts (${labs.map((l) => l.href).join(', ')})`);
  return lab;
}

const scrub = (lab: Locator) => lab.getByTestId('lab-scrub');
/** Presenter pages checked by one test (see the fit test). */
const PRESETS_PER_TEST = 6;
const narration = (lab: Locator) => lab.getByTestId('lab-narration');
const maxStep = async (lab: Locator) => Number(await scrub(lab).getAttribute('max'));

/** The default readiness: the island has hydrated, the first run is in, and nothing is running. */
async function timelineReady(lab: Locator) {
  await expect(scrub(lab)).toHaveAttribute('max', /^[1-9]\d*$/, { timeout: 20_000 });
  await expect(lab).not.toHaveAttribute('aria-busy', 'true');
}

/** The page is no taller and no wider than the viewport (the presenter stage). */
export async function expectFits(page: Page, what: string) {
  const size = await page.evaluate(() => ({
    h: document.documentElement.scrollHeight,
    w: document.documentElement.scrollWidth,
    vh: innerHeight,
    vw: innerWidth,
  }));
  expect(size.h, `${what}: the page is ${size.h - size.vh} px taller than the stage`).toBeLessThanOrEqual(size.vh);
  expect(size.w, `${what}: the page is ${size.w - size.vw} px wider than the stage`).toBeLessThanOrEqual(size.vw);
}

export function labTest(url: string, options: LabTestOptions = {}) {
  const entry = registryLab(url);
  const { timeline = true, step = 12, setup } = options;
  const ready = options.ready ?? (timeline ? timelineReady : async () => {});

  /** Opens `url` + `query` and returns the page's first lab once it is ready. */
  async function open(page: Page, query = '', target = url): Promise<Locator> {
    await page.goto(`${target}${query}`);
    const lab = page.locator('section[data-lab]').first();
    await expect(lab).toBeAttached({ timeout: 15_000 });
    await lab.scrollIntoViewIfNeeded();
    await waitForHydration(page, `#${await lab.getAttribute('id')}`);
    await ready(lab);
    return lab;
  }

  test.describe(`${entry.title} (${url}), flows every lab shares`, () => {
    // a flow opens a page of several labs two or three times: real waits, long on a busy machine
    test.describe.configure({ timeout: 60_000 });
    if (setup) test.beforeEach(async ({ page }) => setup(page));

    test('hydrates without console errors, is driven from the keyboard alone, and presents: from the lab and back, and from its /present/ URL', async ({ page }) => {
      const errors = watchErrors(page);
      const lab = await open(page);
      if (timeline) {
        // Tab from the lab's start reaches every transport control
        await lab.focus();
        const seen = new Set<string>();
        for (let i = 0; i < 40 && !seen.has('lab-scrub'); i++) {
          await page.keyboard.press('Tab');
          seen.add(await page.evaluate(() => document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? ''));
        }
        for (const id of ['lab-play', 'lab-back', 'lab-step', 'lab-scrub']) expect(seen.has(id), `${id} is reachable with Tab (saw ${[...seen].join(', ')})`).toBe(true);
        // a focused button works with Enter; on the scrub the lab's key map applies
        await lab.getByTestId('lab-step').focus();
        await page.keyboard.press('Enter');
        await expect(scrub(lab)).toHaveValue('1');
        await scrub(lab).focus();
        await page.keyboard.press('ArrowRight');
        await expect(scrub(lab)).toHaveValue('2');
        await page.keyboard.press('Shift+ArrowRight');
        await expect(scrub(lab)).toHaveValue('12');
        await page.keyboard.press('ArrowLeft');
        await expect(scrub(lab)).toHaveValue('11');
        await page.keyboard.press('End');
        await expect(scrub(lab)).toHaveValue(String(await maxStep(lab)));
        await page.keyboard.press('Home');
        await expect(scrub(lab)).toHaveValue('0');
        await expect(lab.getByRole('button', { name: 'Back to the start' })).toHaveAttribute('aria-disabled', 'true');
        // Space plays and pauses
        await page.keyboard.press('Space');
        await expect(lab.getByTestId('lab-play')).toHaveAccessibleName('Pause');
        await expect.poll(async () => Number(await scrub(lab).inputValue())).toBeGreaterThan(0);
        await page.keyboard.press('Space');
        await expect(lab.getByTestId('lab-play')).toHaveAccessibleName('Play');
        await page.keyboard.press('Home');
        await expect(scrub(lab)).toHaveValue('0');
      }
      // presenter mode from the lab's Present button, and back
      await lab.getByRole('button', { name: 'Present', exact: true }).click();
      await expect(lab).toHaveAttribute('data-presenting', 'true');
      if (timeline) {
        // focus is on the lab: the keys drive it
        await page.keyboard.press('ArrowRight');
        await expect(scrub(lab)).toHaveValue('1');
      }
      await lab.getByRole('button', { name: 'Exit', exact: true }).click();
      await expect(lab).not.toHaveAttribute('data-presenting', 'true');

      const present = await open(page, '', entry.presentHref);
      await expect(present).toHaveAttribute('data-presenting', 'true');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      // the bar lists the keys this lab answers to: no stepping keys for a lab without steps
      const keys = page.getByLabel('Keyboard');
      if (timeline) {
        await expect(keys).toContainText('ten steps');
        await page.keyboard.press('End');
        await expect(scrub(present)).toHaveValue(String(await maxStep(present)));
      } else await expect(keys).not.toContainText('step');
      expect(errors).toEqual([]);
    });

    test(`${timeline ? `a link to step ${step} opens there, and ` : ''}Copy link reopens the same state in a new page`, async ({ page, context }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      // the first lab's id (its URL namespace), from the page's HTML: no second page load
      const html = await (await page.request.get(url)).text();
      let id = /<section[^>]*\bid="([^"]+)"[^>]*\bdata-lab=/.exec(html)?.[1];
      let lab = timeline && id ? page.locator(`#${id}`) : await open(page);
      id ??= (await lab.getAttribute('id'))!;
      if (timeline) {
        lab = await open(page, `?${id}.step=${step}`);
        await expect(scrub(lab)).toHaveValue(String(step));
      }
      const text = await narration(lab).textContent();
      await lab.getByRole('button', { name: 'Copy link', exact: true }).click();
      await expect(lab.getByTestId('lab-copy-status')).toHaveText('Link copied');
      const link = await page.evaluate(() => navigator.clipboard.readText());
      expect(new URL(link).pathname).toBe(url);
      if (timeline) expect(link).toContain(`${id}.step=${step}`);

      const other = await context.newPage();
      if (setup) await setup(other);
      const again = await open(other, '', link);
      await expect(again).toHaveAttribute('id', id!);
      if (timeline) await expect(scrub(again)).toHaveValue(String(step));
      await expect(narration(again)).toHaveText(text!);
      await other.close();
    });

    // A test per few presets: one long test that starts last keeps the other worker idle.
    for (let from = 0; from < entry.presets.length; from += PRESETS_PER_TEST) {
      const presets = entry.presets.slice(from, from + PRESETS_PER_TEST);
      const which = entry.presets.length > PRESETS_PER_TEST ? ` (presets ${from + 1}–${from + presets.length} of ${entry.presets.length})` : '';
      test(`every presenter page (each preset) fits a 1280×720 stage${options.presentCheck ? `, passes ${options.presentCheck.name || 'its own check'}` : ''}, and End does not scroll it${which}`, async ({ page }) => {
        // a preset per page load: several seconds each on a busy machine
        test.setTimeout(30_000 + 15_000 * presets.length);
        const errors = watchErrors(page);
        await page.setViewportSize({ width: 1280, height: 720 });
        for (const preset of presets) {
          const href = entry.presentHref.replace(/\?.*$/, `?preset=${encodeURIComponent(preset)}`);
          const lab = await open(page, '', href);
          await expect(lab).toHaveAttribute('data-presenting', 'true');
          if (options.presentCheck) await options.presentCheck(page, lab, href);
          await expectFits(page, href);
          if (options.presentAfter) {
            await options.presentAfter(page, lab);
            await expectFits(page, `${href} (${options.presentAfter.name || 'after'})`);
          }
          // End with focus on the lab, and again after a click on the page outside it (focus on <body>)
          await page.keyboard.press('End');
          if (timeline) await expect(scrub(lab)).toHaveValue(String(await maxStep(lab)));
          expect(await page.evaluate(() => scrollY), `${href}: End scrolled the page`).toBe(0);
          await page.locator('.present-bar').click({ position: { x: 640, y: 5 } });
          if (timeline) await page.keyboard.press('Home');
          await page.keyboard.press('End');
          if (timeline) await expect(scrub(lab)).toHaveValue(String(await maxStep(lab)));
          expect(await page.evaluate(() => scrollY), `${href}: End scrolled the page`).toBe(0);
        }
        expect(errors).toEqual([]);
      });
    }

    test(`no axe violations in either theme${timeline ? `, with the lab at step ${step}` : ''}`, async ({ page }) => {
      // axe reads every node of the lab, twice: seconds of work, more on a busy machine
      test.setTimeout(90_000);
      await setTheme(page, 'light');
      const lab = await open(page);
      if (timeline) {
        await scrub(lab).focus();
        for (let k = 0; k < Math.floor(step / 10); k++) await page.keyboard.press('Shift+ArrowRight');
        for (let k = 0; k < step % 10; k++) await page.keyboard.press('ArrowRight');
        await expect(scrub(lab)).toHaveValue(String(step));
      }
      if (options.beforeAxe) await options.beforeAxe(page, lab);
      // items travel between panels (fading as they go): check the settled picture
      await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
      // The lab at step N, not the page: the page's chrome and the lab's other instances (other
      // presets, at rest) are checked where lessons embed them (site.spec.ts, both themes). The
      // dark pass follows an in-page switch, as a reader who toggles the theme sees it.
      await expectNoAxeViolationsInBothThemes(page, `#${await lab.getAttribute('id')}`);
    });
  });
}
