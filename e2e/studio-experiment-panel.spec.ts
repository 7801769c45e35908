import { rm } from 'node:fs/promises';
import { expect, importShapes, test } from './studio';

// The New experiment panel as a new user meets it: no dataset yet, then a dataset and a tiny custom
// experiment that is cancelled and resumed. The page must raise no errors on the way (a Svelte effect that
// writes what it reads loops until Svelte stops it: effect_update_depth_exceeded).
test('the New experiment panel with no dataset, then a tiny custom experiment cancelled and resumed, raises no page errors', async ({ page, fresh: studio }) => {
  test.setTimeout(6 * 60_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(studio.url);

  await test.step('no dataset: the panel says to choose one, and nothing starts', async () => {
    await page.getByTestId('nav-experiments').click();
    const panel = page.getByTestId('new-experiment');
    await expect(panel.getByTestId('experiment-dataset')).toHaveText('none yet');
    await expect(panel.getByTestId('experiment-blocked')).toHaveText('Choose a dataset first (Datasets view).');
    await expect(panel.getByTestId('start-custom')).toBeDisabled();
    await expect(panel.getByTestId('start-preset-prior')).toBeDisabled();
  });

  const data = await importShapes(page);
  await test.step('a 32 px base run, then the panel: its plans and a custom k = 1, 2', async () => {
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-size').selectOption('32');
    for (const [name, value] of Object.entries({ width: '4', latent: '8', batch: '4', evalSamples: '8' })) await page.getByTestId(`field-${name}`).fill(value);
    await page.getByTestId('nav-experiments').click();
    const panel = page.getByTestId('new-experiment');
    await expect(panel.getByTestId('experiment-blocked')).toHaveCount(0);
    await panel.getByTestId('experiment-seeds').fill('1');
    await panel.getByTestId('experiment-images').fill('400');
    await panel.getByTestId('vary-option').selectOption('k');
    await panel.getByTestId('vary-values').fill('1, 2');
    await expect(panel.getByTestId('start-custom')).toBeEnabled();
    // The panel's speed figures settle (each measured once): let any loop of its effects show itself.
    await page.waitForTimeout(2000);
    expect(errors).toEqual([]);
    await panel.getByTestId('start-custom').click();
  });

  await test.step('cancel keeps it resumable; resume finishes it', async () => {
    await expect(page.getByTestId('experiment-status')).toHaveText('Running');
    await page.getByTestId('cancel-experiment').click();
    await expect(page.getByTestId('experiment-status')).toHaveText('Cancelled', { timeout: 60_000 });
    await page.getByTestId('resume-experiment').click();
    await expect(page.getByTestId('experiment-status')).toHaveText('Done', { timeout: 4 * 60_000 });
    await expect(page.getByTestId('experiment-progress')).toHaveText('2 / 2 runs');
  });
  expect(errors).toEqual([]);
  await rm(data, { recursive: true, force: true });
});
