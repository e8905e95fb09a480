/**
 * Graph text on the presenter stage (1280×720), read from the back of a room: the main labels
 * (core names, task letters, operator names and their parallelism) are drawn at 16 px or more, and
 * the secondary lines (axis ticks, the kind and time lines of an operator, the channels' rates and
 * counts, a task's caption) at 13 px or more. The size measured is the rendered one: the text's
 * computed font size times the SVG's scale on screen (getScreenCTM), at the first step and at the
 * last (where the task letters are in the bars).
 *
 * labTest.ts runs the check on every preset's presenter page, in the same visit as its fit check
 * (labs.spec.ts says which labs have one, with their selectors).
 */
import { expect, type Locator, type Page } from '@playwright/test';

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

/** A presenter-page check: `graph` is the SVG's test id, `main` and `secondary` CSS selectors in it. */
export function stageTextCheck(graph: string, main: string, secondary: string) {
  return async function stageText(page: Page, lab: Locator, href: string) {
    await expect(page.getByTestId(graph)).toBeVisible({ timeout: 20_000 });
    const scrub = lab.getByTestId('lab-scrub');
    for (const at of ['start', 'end'] as const) {
      if (at === 'end') {
        await page.keyboard.press('End');
        await expect(scrub).toHaveValue(String(await scrub.getAttribute('max')));
        // the cursor travels to the end (a tween): wait until the bars are drawn there
        await page.waitForTimeout(600);
      } else {
        await page.keyboard.press('Home');
        await expect(scrub).toHaveValue('0');
      }
      const mains = await sizes(page, graph, main);
      expect(mains.length, `${href} (${at}): main labels found`).toBeGreaterThan(0);
      for (const t of mains) expect(t.px, `${href} (${at}): "${t.text}" is ${t.px.toFixed(1)} px`).toBeGreaterThanOrEqual(16);
      for (const t of await sizes(page, graph, secondary))
        expect(t.px, `${href} (${at}): "${t.text}" is ${t.px.toFixed(1)} px`).toBeGreaterThanOrEqual(13);
    }
  };
}
