/**
 * Graph text on the presenter stage (1280×720), read from the back of a room: for every preset of
 * the scheduler and dataflow labs, the main labels (core names, task letters, operator names and
 * their parallelism) are drawn at 16 px or more, and the secondary lines (axis ticks, the kind and
 * time lines of an operator, the channels' rates and counts, a task's caption) at 13 px or more.
 * The size measured is the rendered one: the text's computed font size times the SVG's scale on
 * screen (getScreenCTM), at the first step and at the last (where the task letters are in the bars).
 * That the pages still fit the stage is labTest.ts's "fits" check.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitForHydration } from './helpers';
import type { E2ELab } from './labs';

const LABS = JSON.parse(process.env.E2E_LABS ?? '[]') as E2ELab[];

const SELECTORS: Record<string, { graph: string; main: string; secondary: string }> = {
  scheduler: {
    graph: 'gantt',
    main: '.lane-label, .row-label, .bar-label',
    secondary: '.axis text, .section',
  },
  dataflow: {
    graph: 'df-graph',
    main: '.node .label, .node .par',
    secondary: '.node .kind, .node .split, .edge .rate, .edge .count, .task .caption, .tag text',
  },
};

/** Rendered font sizes (px) of the texts matching `selector` inside the graph. */
async function sizes(page: Page, graph: string, selector: string) {
  return page.getByTestId(graph).evaluate((root, sel) => {
    return [...root.querySelectorAll<SVGTextElement>(sel)]
      .filter((t) => (t.textContent ?? '').trim() !== '')
      .map((t) => {
        const m = t.getScreenCTM()!;
        return { text: t.textContent!.trim(), px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b) };
      });
  }, selector);
}

for (const labId of Object.keys(SELECTORS)) {
  test(`${labId}: presenter graph text is 16 px or more (main labels), 13 px or more (the rest), on every preset`, async ({ page }) => {
    const lab = LABS.find((l) => l.id === labId);
    expect(lab, `${labId} is in the registry`).toBeTruthy();
    const sel = SELECTORS[labId];
    test.setTimeout(30_000 + 15_000 * lab!.presets.length);
    await page.setViewportSize({ width: 1280, height: 720 });
    for (const preset of lab!.presets) {
      const href = lab!.presentHref.replace(/\?.*$/, `?preset=${encodeURIComponent(preset)}`);
      await page.goto(href);
      const section = page.locator('section[data-lab]').first();
      await waitForHydration(page, `#${await section.getAttribute('id')}`);
      await expect(page.getByTestId(sel.graph)).toBeVisible({ timeout: 20_000 });
      for (const at of ['start', 'end'] as const) {
        if (at === 'end') {
          await page.keyboard.press('End');
          await expect(section.getByTestId('lab-scrub')).toHaveValue(String(await section.getByTestId('lab-scrub').getAttribute('max')));
          // the cursor travels to the end (a tween): wait until the bars are drawn there
          await page.waitForTimeout(600);
        }
        const main = await sizes(page, sel.graph, sel.main);
        expect(main.length, `${href} (${at}): main labels found`).toBeGreaterThan(0);
        for (const t of main) expect(t.px, `${href} (${at}): "${t.text}" is ${t.px.toFixed(1)} px`).toBeGreaterThanOrEqual(16);
        for (const t of await sizes(page, sel.graph, sel.secondary))
          expect(t.px, `${href} (${at}): "${t.text}" is ${t.px.toFixed(1)} px`).toBeGreaterThanOrEqual(13);
      }
    }
  });
}
