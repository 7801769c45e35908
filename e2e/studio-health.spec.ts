import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { artifactDir, expect, importShapes, test } from './studio';

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactDir, `health-${name}.png`), fullPage: true });

test('a run set up to let D win shows the health banner, and its remedy resumes the run with the change', async ({ page, fresh: studio }) => {
  test.setTimeout(5 * 60_000);
  await page.goto(studio.url);
  let data = '';

  await test.step('import 40 shapes and set up a run where D learns 1000× faster than G, five times per G step', async () => {
    data = await importShapes(page);
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-size').selectOption('32');
    for (const [name, value] of Object.entries({ width: '8', latent: '32', batch: '8', steps: '2000', k: '5', lrD: '0.01', lrG: '1e-5', sampleEvery: '10', checkpointEvery: '50' })) {
      await page.getByTestId(`field-${name}`).fill(value);
    }
    await expect(page.getByTestId('start-run')).toBeEnabled();
    await page.getByTestId('start-run').click();
  });

  await test.step('the banner says D has won and offers the remedy', async () => {
    const banner = page.getByTestId('health-banner');
    // 50 logged steps are the least the detector looks back on; sample grids come every 10.
    await expect(banner).toBeVisible({ timeout: 120_000 });
    await expect(banner).toHaveAttribute('data-kind', 'd-won');
    await expect(banner.getByTestId('health-message')).toContainText(/^D has won: over the last \d+ steps it scored real images [01]\.\d\d and generated ones 0\.\d\d/);
    await expect(banner.getByTestId('health-remedy')).toHaveText('Resume with k 5 → 1, Learning rate D 0.01 → 1e-5');
    await expect(page.getByTestId('health-note')).toHaveCount(0);
    // Let the charts show D's outputs pinned at 1 and 0 beside the banner.
    await expect(page.getByTestId('training-state')).toHaveText('Training');
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await shot(page, 'banner-dark');
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await shot(page, 'banner-light');
    await page.getByTestId('theme-toggle').click();
  });

  await test.step('one click stops the run and resumes it with k 1 and the slower D', async () => {
    await page.getByTestId('health-remedy').click();
    await expect(page.getByTestId('health-banner')).toHaveCount(0);
    await expect(page.getByTestId('training-state')).toHaveText('Training');
    await expect(page.getByTestId('view-training')).toContainText('k 1');
    await page.getByTestId('stop-button').click();
    await expect(page.getByTestId('training-state')).toHaveText('Stopped');
    await page.getByTestId('nav-runs').click();
    await expect(page.getByTestId('run-card')).toContainText('k 1');
    const [runId] = await readdir(join(studio.home, 'runs'));
    const config = JSON.parse(await readFile(join(studio.home, 'runs', runId, 'config.json'), 'utf8'));
    expect([config.k, config.lrD, config.lrG, config.width]).toEqual([1, 1e-5, 1e-5, 8]);
  });

  await test.step('with the hinge loss the view says "D has won" is not checked, and why', async () => {
    await page.getByTestId('nav-new-run').click();
    await page.getByText('Hinge', { exact: true }).click();
    await expect(page.getByTestId('loss-hinge')).toBeChecked();
    await page.getByTestId('field-steps').fill('20');
    await page.getByTestId('start-run').click();
    const note = page.getByTestId('health-note');
    await expect(note).toContainText('with Hinge D gives a raw score, not a probability, so "D has won"');
    await expect(page.getByTestId('training-state')).toHaveText('Finished');
    await shot(page, 'hinge-note');
  });
  await rm(data, { recursive: true, force: true });
});
