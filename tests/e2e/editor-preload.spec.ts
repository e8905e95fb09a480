import { expect, test } from '@playwright/test';

/**
 * Monaco is fetched ahead of a click, in idle time after a code lab comes into view (issue: click
 * to an editable editor under 0.5 s), and never for a reader who does not scroll to one.
 */
test('Monaco is fetched once a code editor has been in view, not before', async ({ page }) => {
  const monaco: string[] = [];
  page.on('request', (r) => {
    if (/monaco-setup/.test(r.url())) monaco.push(r.url());
  });
  await page.goto('/lessons/the-event-loop/');
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(500);
  expect(monaco).toEqual([]); // the first code lab is below the fold
  const editor = page.locator('[data-code-editor]').first();
  await editor.scrollIntoViewIfNeeded();
  await expect(editor).toHaveAttribute('data-editor-preloaded', '', { timeout: 15_000 });
  expect(monaco.length).toBe(1);
  // the click now only has to create the editor
  await editor.locator('.static').click();
  await expect(editor).toHaveAttribute('data-editor-state', 'ready', { timeout: 5_000 });
});
