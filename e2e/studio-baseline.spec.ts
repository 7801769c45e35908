import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { artifactDir, expect, makeShapesFolder, test } from './studio';

const shot = (page: Page, name: string) => page.getByTestId('baseline-card').screenshot({ path: join(artifactDir, `baseline-${name}.png`) });

/** A score as the table shows it: a plain decimal. */
const SCORE = /^\d+\.\d{2,3}$/;

test('the Datasets view fits a GMM baseline, shows its samples and scores, keeps them, and sets them beside a GAN run', async ({ page, fresh: studio }) => {
  test.setTimeout(5 * 60_000);
  const data = await makeShapesFolder();
  await page.goto(studio.url);

  await test.step('import 40 shapes at 32 px', async () => {
    await page.getByTestId('folder-path').fill(data);
    await page.getByTestId('import-size').selectOption('32');
    await page.getByTestId('import-button').click();
    await expect(page.getByTestId('dataset-report').getByTestId('count-used')).toHaveText('40');
  });

  const card = page.getByTestId('baseline-card');
  await test.step('fit K 4 in 16 PCA dimensions: progress while it runs, then the samples and their scores', async () => {
    await expect(card.getByTestId('baseline-result')).toHaveCount(0);
    await expect(card.getByTestId('field-gmm-components')).toHaveValue('10');
    await card.getByTestId('field-gmm-components').fill('41');
    await card.getByTestId('baseline-fit').click();
    await expect(card.getByTestId('error-gmm-components')).toHaveText('Components (K) must be at most 40, the number of images in the set');

    await card.getByTestId('field-gmm-components').fill('4');
    await card.getByTestId('field-gmm-pca').fill('16');
    await expect(card.getByTestId('field-gmm-covariance')).toHaveValue('diag');
    // The fit may be over between two polls: a DOM observer sees the progress block whenever it shows.
    await page.evaluate(() => {
      const seen = window as unknown as { progressSeen?: boolean };
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="baseline-progress"]')) seen.progressSeen = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await card.getByTestId('baseline-fit').click();
    const grid = card.getByTestId('baseline-grid');
    await expect(grid).toBeVisible({ timeout: 120_000 });
    expect(await page.evaluate(() => (window as unknown as { progressSeen?: boolean }).progressSeen)).toBe(true);
    expect(await grid.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const gmmScores = card.getByTestId('score-gmm');
    await expect(gmmScores).toHaveCount(5);
    for (const score of await gmmScores.all()) await expect(score).toHaveText(SCORE);
    await expect(card.getByTestId('score-gan')).toHaveText(['—', '—', '—', '—', '—']);
    await expect(card.getByTestId('baseline-no-gan')).toContainText('No GAN run trained on this dataset yet.');
    await expect(card.getByTestId('baseline-explain')).toContainText('What to look for:');
    await expect(card.getByTestId('baseline-facts')).toContainText('Scored against 40 training images at 32 px (this dataset has no held-out split), 40 samples each');
    await expect(card.getByTestId('baseline-error')).toHaveCount(0);
    const folders = await readdir(join(studio.home, 'baselines'));
    expect(folders).toHaveLength(1);
    expect((await readdir(join(studio.home, 'baselines', folders[0]))).sort()).toEqual(['grid.png', 'samples', 'scores.json']);
    expect(await readdir(join(studio.home, 'baselines', folders[0], 'samples'))).toHaveLength(64);
  });

  const firstScores = await card.getByTestId('score-gmm').allTextContents();
  await test.step('reopening the page shows the last fit and its settings', async () => {
    await page.reload();
    await expect(card.getByTestId('baseline-grid')).toBeVisible();
    await expect(card.getByTestId('score-gmm')).toHaveText(firstScores);
    await expect(card.getByTestId('field-gmm-components')).toHaveValue('4');
    await expect(card.getByTestId('field-gmm-pca')).toHaveValue('16');
  });

  await test.step('train a short GAN run on the set, then fit again: its latest grid and scores stand beside the mixture', async () => {
    await page.getByTestId('use-dataset').click();
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-size').selectOption('32');
    for (const [name, value] of Object.entries({ width: '8', latent: '32', batch: '8', steps: '20', sampleEvery: '10', checkpointEvery: '10' })) {
      await page.getByTestId(`field-${name}`).fill(value);
    }
    await page.getByTestId('start-run').click();
    await expect(page.getByTestId('training-state')).toHaveText('Finished', { timeout: 120_000 });
    await page.getByTestId('nav-datasets').click();
    await expect(card.getByTestId('baseline-unscored')).toHaveText('1 run on this set not scored yet: fit again to compare.');
    await card.getByTestId('baseline-fit').click();
    await expect(card.getByTestId('baseline-gan-grid')).toBeVisible({ timeout: 120_000 });
    await expect(card.getByTestId('baseline-gan-run')).toContainText('step 20');
    for (const score of await card.getByTestId('score-gan').all()) await expect(score).toHaveText(SCORE);
    await expect(card.getByTestId('baseline-unscored')).toHaveCount(0);
    await expect(card.getByTestId('score-gmm')).toHaveText(firstScores);
  });

  await test.step('screenshots of the comparison, dark and light', async () => {
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await shot(page, 'dark');
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await shot(page, 'light');
  });
  await rm(data, { recursive: true, force: true });
});
