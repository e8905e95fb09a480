import { expect, test } from '@playwright/test';

/**
 * CONTENT.md, "Predict, then see": a code block's output stays hidden until the learner has
 * answered its Predict box. With JavaScript, locking in a prediction shows it (and keeps it shown
 * after a reload); without JavaScript, a keyboard-operable disclosure still reaches it.
 */
const LESSON = '/lessons/the-event-loop/';
const box = (page: import('@playwright/test').Page) => page.locator('[data-predict="the-event-loop/timeout"]');

test('the output is hidden until the learner locks in a prediction, and stays shown after a reload', async ({ page }) => {
  await page.goto(LESSON);
  const predict = box(page);
  const output = predict.locator('pre');
  await expect(predict.getByLabel('Your prediction')).toBeVisible();
  await expect(output).toBeHidden();

  // Locking in nothing is refused: the output stays hidden.
  await predict.getByRole('button', { name: 'Lock in and show the answer' }).click();
  await expect(predict.getByLabel('Your prediction')).toHaveAttribute('aria-invalid', 'true');
  await expect(output).toBeHidden();

  await predict.getByLabel('Your prediction').fill('start\ntimeout callback\nend');
  await predict.getByRole('button', { name: 'Lock in and show the answer' }).click();
  await expect(output).toBeVisible();
  await expect(output).toHaveText(/start\s+end\s+timeout callback/);
  await expect(predict.locator('[data-predict-mine-text]')).toHaveText('start\ntimeout callback\nend');
  // Other boxes on the page are untouched.
  await expect(page.locator('[data-predict="the-event-loop/microtasks"] pre')).toBeHidden();

  await page.reload();
  await expect(box(page).locator('pre')).toBeVisible();
  await expect(box(page).locator('[data-predict-mine-text]')).toHaveText('start\ntimeout callback\nend');
  await expect(box(page).getByLabel('Your prediction')).toBeHidden();
  await expect(page.locator('[data-predict="the-event-loop/microtasks"] pre')).toBeHidden();
});

test('skipping the prediction is a deliberate choice that is remembered too', async ({ page }) => {
  await page.goto(LESSON);
  const predict = page.locator('[data-predict="the-event-loop/microtasks"]');
  await expect(predict.locator('pre')).toBeHidden();
  await predict.getByText('Skip predicting: show the answer').click();
  await expect(predict.locator('pre')).toBeVisible();
  await page.reload();
  await expect(page.locator('[data-predict="the-event-loop/microtasks"] pre')).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the output is behind a disclosure that the keyboard opens', async ({ page }) => {
    await page.goto(LESSON);
    const predict = box(page);
    await expect(predict.locator('pre')).toBeHidden();
    await expect(predict.locator('textarea')).toBeHidden();
    const summary = predict.locator('summary');
    await expect(summary).toHaveText('Show the answer');
    await summary.focus();
    await page.keyboard.press('Enter');
    await expect(predict.locator('pre')).toBeVisible();
    await expect(predict.locator('pre')).toHaveText(/start\s+end\s+timeout callback/);
  });
});
