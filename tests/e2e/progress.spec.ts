import { expect, test } from '@playwright/test';
import { waitForHydration, watchErrors } from './helpers';

const LESSON = '/lessons/concurrency-vs-parallelism/';

test('quiz answers are recorded and survive a reload; the home page shows progress', async ({ page }) => {
  await page.goto(LESSON);
  const quiz = page.getByTestId('quiz');
  await quiz.scrollIntoViewIfNeeded();
  await waitForHydration(page, '[data-testid=quiz]');
  const q1 = quiz.getByTestId('quiz-question').first();
  // pick the first choice, whatever it is, and check it
  await q1.getByRole('radio').first().check();
  await q1.getByRole('button', { name: 'Check answer' }).click();
  await expect(q1).toHaveAttribute('data-state', /right|wrong/);
  const state = await q1.getAttribute('data-state');
  await expect(quiz.getByTestId('quiz-score')).toHaveText(state === 'right' ? /1 of \d correct/ : /0 of \d correct/);

  await page.getByRole('button', { name: 'Mark lesson complete' }).click();
  await expect(page.getByRole('button', { name: /Completed/ })).toHaveAttribute('aria-pressed', 'true');

  await page.reload();
  await page.getByTestId('quiz').scrollIntoViewIfNeeded();
  await waitForHydration(page, '[data-testid=quiz]');
  await expect(page.getByTestId('quiz-question').first()).toHaveAttribute('data-state', state!);
  await expect(page.getByRole('button', { name: /Completed/ })).toHaveAttribute('aria-pressed', 'true');

  await page.goto('/');
  await expect(page.locator('[data-progress-summary]')).toContainText(/1 of \d+ available lessons completed/);
  await expect(page.locator('li[data-slug="concurrency-vs-parallelism"]')).toContainText('Completed');
});

test('a corrupted progress value is recovered without errors and unrelated storage is kept', async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    if (sessionStorage.getItem('seeded')) return;
    sessionStorage.setItem('seeded', '1');
    localStorage.setItem('async-lab:progress', '{"version":1,"lessons":{"concurrency-vs-parallelism":');
    localStorage.setItem('unrelated-app', 'still here');
  });
  await page.goto('/');
  await expect(page.locator('ol.path > li')).toHaveCount(12);
  await page.goto(LESSON);
  await page.getByRole('button', { name: 'Mark lesson complete' }).click();
  await expect(page.getByRole('button', { name: /Completed/ })).toBeVisible();
  const stored = await page.evaluate(() => ({
    progress: JSON.parse(localStorage.getItem('async-lab:progress') ?? 'null'),
    unrelated: localStorage.getItem('unrelated-app'),
  }));
  expect(stored.unrelated).toBe('still here');
  expect(Object.keys(stored.progress.lessons)).toEqual(['concurrency-vs-parallelism']);
  expect(errors).toEqual([]);
});

test('progress from before versioning: no "1/1/1970", no "0 of 0 quiz answers", and the lesson count comes from the curriculum', async ({ page }) => {
  await page.addInitScript(() => {
    if (sessionStorage.getItem('seeded-v0')) return;
    sessionStorage.setItem('seeded-v0', '1');
    localStorage.setItem('async-lab:progress', JSON.stringify({ completed: ['concurrency-vs-parallelism'] }));
  });
  await page.goto('/');
  const ready = await page.locator('ol.path > li.ready').count();
  const summary = page.locator('[data-progress-summary]');
  await expect(summary).toHaveText(`Your progress: 1 of ${ready} available lessons completed.`);
  await expect(page.locator('.hero .lede')).not.toContainText('Twelve lessons,');
  await expect(page.locator('.hero .lede')).toContainText(/lessons? so far, of twelve planned/);
  await page.goto(LESSON);
  await expect(page.locator('[data-complete-status]')).toHaveText('You completed this lesson.');
});
