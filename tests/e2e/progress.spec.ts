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
  // the repair is told once, on the first page that read the record...
  const notice = page.locator('[data-progress-notice]');
  await expect(notice).toBeVisible();
  await expect(notice.getByRole('status')).toHaveText(
    'Your saved progress in this browser was damaged and has been repaired: nothing in it could be read, so it starts afresh. A copy of the damaged record is kept in this browser’s storage.',
  );
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toBeHidden();
  // ...and not again, on this page after a reload or on the next page
  await page.reload();
  await expect(page.locator('ol.path > li')).toHaveCount(12);
  await expect(page.locator('[data-progress-notice]')).toBeHidden();
  await page.goto(LESSON);
  await expect(page.locator('[data-progress-notice]')).toBeHidden();
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
  await expect(page.locator('[data-progress-notice]')).toBeHidden(); // a migration loses nothing: no repair notice
  await page.goto(LESSON);
  await expect(page.locator('[data-complete-status]')).toHaveText('You completed this lesson.');
});

test('a record with some bad entries keeps the good ones and says how many, on the lesson page it was found on', async ({ page }) => {
  await page.addInitScript(() => {
    if (sessionStorage.getItem('seeded-partial')) return;
    sessionStorage.setItem('seeded-partial', '1');
    localStorage.setItem(
      'async-lab:progress',
      JSON.stringify({ version: 1, lessons: { 'concurrency-vs-parallelism': { completedAt: '2026-11-01T10:00:00Z' }, actors: 'yes' }, quizzes: [] }),
    );
  });
  await page.goto(LESSON);
  await expect(page.locator('[data-progress-notice]').getByRole('status')).toContainText('1 completed lesson and 0 quiz answers were kept');
  await expect(page.getByRole('button', { name: /Completed/ })).toHaveAttribute('aria-pressed', 'true');
  await page.goto('/');
  await expect(page.locator('[data-progress-notice]')).toBeHidden();
});
