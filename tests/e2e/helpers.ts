import { expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** Every page of the built site that the tests visit. Lesson pages are added as they are written. */
export const PAGES = [
  '/',
  '/tracks/',
  '/search/',
  '/lessons/concurrency-vs-parallelism/',
  '/lessons/the-event-loop/',
  '/lessons/callbacks-promises-async-await/',
  '/lessons/sync-vs-async-under-load/',
  '/lessons/actors/',
  '/lessons/dataflow/',
  '/labs/scheduler/',
  '/labs/event-loop/',
  '/labs/sync-async/',
  '/labs/actors/',
  '/labs/dataflow/',
  '/present/scheduler/',
  '/present/event-loop/',
  '/present/sync-async/',
  '/present/actors/',
  '/present/dataflow/',
  '/does-not-exist/',
];

/** Collect console errors and uncaught exceptions for the life of the page. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

export async function setTheme(page: Page, theme: 'light' | 'dark') {
  await page.addInitScript((t) => localStorage.setItem('async-lab:theme', t), theme);
}

/**
 * Axe with the WCAG 2.1 A/AA and best-practice rules. `only` runs just those rules: a second
 * theme changes colours and nothing else, so its pass needs only `color-contrast`.
 */
export async function expectNoAxeViolations(page: Page, only?: string[]) {
  const builder = new AxeBuilder({ page });
  const results = await (only ? builder.withRules(only) : builder.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])).analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  expect(summary, summary.join('\n')).toEqual([]);
}

/**
 * Wait until the Astro island around `inner` has hydrated (Astro removes its `ssr` attribute
 * then). Before that, the server-rendered controls are visible but inert.
 */
export async function waitForHydration(page: Page, innerSelector: string) {
  await expect(page.locator(`astro-island:has(${innerSelector})`).first()).not.toHaveAttribute('ssr', /.*/, { timeout: 15_000 });
}
