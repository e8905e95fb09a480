import { expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { E2ELab } from './labs';

/**
 * Every page of the built site that the tests visit: the fixed pages, one per lesson file in
 * content/lessons, and each lab's own and presenter page from src/widgets/registry.ts (see
 * labs.ts), so a new lesson or lab is visited without touching this list.
 */
export const PAGES = [
  '/',
  '/tracks/',
  '/search/',
  ...readdirSync(fileURLToPath(new URL('../../content/lessons', import.meta.url)))
    .filter((f) => /^\d+-.+\.mdx$/.test(f))
    .sort()
    .map((f) => `/lessons/${f.replace(/^\d+-/, '').replace(/\.mdx$/, '')}/`),
  ...(JSON.parse(process.env.E2E_LABS ?? '[]') as E2ELab[]).flatMap((lab) => [lab.href, lab.presentHref.replace(/\?.*$/, '')]),
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
 * theme changes colours and nothing else, so its pass needs only `color-contrast`. `include`
 * limits the check to one part of the page (a CSS selector).
 */
export async function expectNoAxeViolations(page: Page, only?: string[], include?: string) {
  // Legacy mode runs axe.run in the page (the site has no iframes), and only violations are
  // collected: the default runs axe per frame, then again in a blank page to merge every pass and
  // incomplete node it found, three to four times as long on a lesson with a dozen labs.
  const base = new AxeBuilder({ page }).setLegacyMode(true).options({ resultTypes: ['violations'] });
  const builder = include ? base.include(include) : base;
  const results = await (only ? builder.withRules(only) : builder.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])).analyze();
  const summary = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  expect(summary, summary.join('\n')).toEqual([]);
}

/**
 * Switches the theme in the open page as the header's toggle does (the `data-theme` attribute and
 * the stored choice), then waits for the colour transitions to end. A reader who toggles the theme
 * sees exactly this page: no reload, so widgets must follow the switch (and a check after it tests
 * that they do).
 */
export async function switchTheme(page: Page, theme: 'light' | 'dark') {
  await page.evaluate((t) => {
    document.documentElement.dataset.theme = t;
    try {
      localStorage.setItem('async-lab:theme', t);
    } catch {
      /* storage denied */
    }
  }, theme);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || !(a instanceof CSSTransition)));
}

/**
 * Axe in both themes on one page visit: every rule in the light theme, then colour contrast only
 * in the dark one (a theme changes colours and nothing else). The page must be in the light theme.
 */
export async function expectNoAxeViolationsInBothThemes(page: Page, include?: string) {
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expectNoAxeViolations(page, undefined, include);
  await switchTheme(page, 'dark');
  await expectNoAxeViolations(page, ['color-contrast'], include);
}

/**
 * Wait until the Astro island around `inner` has hydrated (Astro removes its `ssr` attribute
 * then). Before that, the server-rendered controls are visible but inert.
 */
export async function waitForHydration(page: Page, innerSelector: string) {
  await expect(page.locator(`astro-island:has(${innerSelector})`).first()).not.toHaveAttribute('ssr', /.*/, { timeout: 15_000 });
}

/**
 * Puts `lines` in a lab's code editor as one insertion (Monaco loads on the first click): much
 * faster than typing key by key, and immune to Monaco's auto-closing brackets, whatever it added
 * behind the caret is removed. Monaco indents new lines as typing would: give lines unindented.
 */
export async function replaceCode(page: Page, lab: Locator, lines: string[]) {
  const editor = lab.locator('[data-code-editor]');
  if ((await editor.getAttribute('data-editor-state')) === 'static') await editor.locator('.static').click();
  else await editor.locator('.monaco-editor .view-lines').click();
  await expect(editor).toHaveAttribute('data-editor-state', /ready|fallback/, { timeout: 15_000 });
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(lines.join('\n'));
  await page.keyboard.press('ControlOrMeta+Shift+End');
  await page.keyboard.press('Delete');
}
