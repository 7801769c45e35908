/**
 * A newcomer's walk through every view in browser mode, with a light and a dark screenshot of each, for a
 * person to look at (issue 14: "Screenshots of every view, light and dark, looked at"). It asserts only
 * what it needs to reach each view's state: the other specs test the behaviour.
 *
 * Runs only when SCREENS=1 (e2e/playwright.config.ts ignores it otherwise: it trains three small runs and
 * takes several minutes, so it stays out of `npm test`'s budget):
 *   SCREENS=1 GAN_SHOTS_DIR=/tmp/shots npx playwright test -c e2e/playwright.config.ts e2e/screens.spec.ts
 * The pictures land in GAN_SHOTS_DIR (default test-results/screens/themes), named `<view>-<theme>.png`.
 */
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { expect, makeShapesFolder, shotBothThemes, test } from './studio';

/** makeShapesFolder's 40 shapes and a broken file, plus an exact copy and a resized copy of two of them. */
async function makeFolderWithCopies(): Promise<string> {
  const dir = await makeShapesFolder();
  await copyFile(join(dir, 'shape-03.png'), join(dir, 'shape-03 copy.png'));
  await sharp(join(dir, 'shape-07.png')).resize(48, 48).toFile(join(dir, 'shape-07-small.png'));
  return dir;
}

/**
 * shotBothThemes with the window as tall as the page: sticky parts (the sidebar, New run's start bar) then
 * sit where a person sees them, not midway down a full-page picture.
 */
async function shoot(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1360, height: 880 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await shotBothThemes(page, name);
  await page.setViewportSize(viewport);
}

async function fill(page: Page, values: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(values)) await page.getByTestId(`field-${name}`).fill(value, { timeout: 20_000 });
}

async function stepReached(page: Page): Promise<number> {
  return Number((await page.getByTestId('progress-step').textContent())?.split(' / ')[0]);
}

test('every view, light and dark', async ({ page, fresh: studio }) => {
  test.setTimeout(30 * 60_000);
  const data = await makeFolderWithCopies();
  await page.goto(studio.url);
  await expect(page.getByTestId('backend-badge')).toBeVisible();

  await test.step('first launch: every view empty', async () => {
    await expect(page.getByTestId('datasets-empty')).toBeVisible();
    await shoot(page, '01-datasets-empty');
    await page.getByTestId('nav-new-run').click();
    await shoot(page, '02-new-run-no-dataset');
    await page.getByTestId('nav-training').click();
    await shoot(page, '03-training-empty');
    await page.getByTestId('nav-runs').click();
    await shoot(page, '04-runs-empty');
    await page.getByTestId('nav-generate').click();
    await shoot(page, '05-generate-empty');
    await page.getByTestId('backend-badge').click();
    await expect(page.getByTestId('backend-report')).toBeVisible();
    await shoot(page, '06-backend-panel');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('backend-report')).toHaveCount(0);
  });

  await test.step('Datasets: a folder with a broken file and two copies, then the GMM baseline', async () => {
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('folder-path').fill(data);
    await page.getByTestId('import-size').selectOption('32');
    await page.getByTestId('import-button').click();
    await expect(page.getByTestId('dataset-report').getByTestId('count-used')).toHaveText('40');
    await expect(page.getByTestId('duplicate-review')).toBeVisible();
    await shoot(page, '07-datasets-imported');
    const card = page.getByTestId('baseline-card');
    await card.getByTestId('field-gmm-components').fill('4');
    await card.getByTestId('field-gmm-pca').fill('16');
    await card.getByTestId('baseline-fit').click();
    await expect(card.getByTestId('baseline-grid')).toBeVisible({ timeout: 180_000 });
    await shoot(page, '08-datasets-baseline');
  });

  await test.step('New run: presets with their estimates, then Advanced and the recipe options', async () => {
    await page.getByTestId('use-dataset').click();
    await expect(page.getByTestId('view-new-run')).toBeVisible();
    // The presets are measured one after another; a slow machine gets its picture while it measures.
    await expect(page.getByTestId('preset-estimate-quality')).toHaveText(/img\/s$/, { timeout: 240_000 }).catch(() => undefined);
    await shoot(page, '09-new-run');
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-size').selectOption('32');
    // At the page's end the sticky start bar sits below the form, not over Advanced.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.getByTestId('advanced').locator('summary').click({ timeout: 20_000 });
    await fill(page, { width: '8', latent: '32', batch: '8', steps: '80', sampleEvery: '10', checkpointEvery: '20', evalEvery: '20', evalSamples: '64', ada: '0.6', adaImages: '1000' });
    await shoot(page, '10-new-run-advanced');
  });

  await test.step('Training: running, then finished with the quality and adaptive-augmentation charts', async () => {
    await page.getByTestId('start-run').click();
    await expect(page.getByTestId('view-training')).toBeVisible();
    await expect.poll(() => stepReached(page), { timeout: 240_000 }).toBeGreaterThanOrEqual(30);
    await shoot(page, '11-training-running');
    await expect(page.getByTestId('training-state')).toHaveText('Finished', { timeout: 300_000 });
    await expect(page.getByTestId('quality-chart')).toBeVisible();
    await shoot(page, '12-training-finished');
  });

  await test.step('Runs: the list and a run’s page', async () => {
    await page.getByTestId('nav-runs').click();
    await expect(page.getByTestId('run-card')).toHaveCount(1);
    await shoot(page, '13-runs-list');
    await page.getByTestId('open-run').first().click();
    await expect(page.getByTestId('run-detail')).toBeVisible();
    await shoot(page, '14-run-page');
  });

  await test.step('Generate: images ranked by D, and a walk', async () => {
    await page.getByTestId('nav-generate').click();
    await page.getByTestId('generate-n').fill('8');
    await page.getByTestId('rank-by-d').check();
    await page.getByTestId('generate-button').click();
    await expect(page.getByTestId('generated-image')).toHaveCount(8, { timeout: 120_000 });
    await page.getByTestId('interpolate-button').click();
    await expect(page.getByTestId('interpolation-gif')).toBeVisible({ timeout: 120_000 });
    await shoot(page, '15-generate');
  });

  await test.step('Training with the health banner: D wins', async () => {
    await page.getByTestId('nav-new-run').click();
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-size').selectOption('32');
    await fill(page, { width: '8', latent: '32', batch: '8', steps: '2000', k: '5', lrD: '0.01', lrG: '1e-5', sampleEvery: '10', checkpointEvery: '50', evalEvery: '0' });
    await page.getByTestId('start-run').click();
    await expect(page.getByTestId('health-banner')).toBeVisible({ timeout: 240_000 });
    await shoot(page, '16-training-health');
    await page.getByTestId('stop-button').click();
    await expect(page.getByTestId('training-state')).toHaveText('Stopped', { timeout: 120_000 });
    await shoot(page, '17-training-stopped');
    await page.getByTestId('nav-runs').click();
    await expect(page.getByTestId('run-card')).toHaveCount(2);
    await shoot(page, '18-runs-two');
  });

  await test.step('Playground: 2-D with the GMM, then 1-D', async () => {
    await page.getByTestId('nav-playground').click();
    await expect(page.getByTestId('playground')).toBeVisible();
    await shoot(page, '19-playground-start');
    await page.getByTestId('pg-play').click();
    await expect.poll(async () => Number(await page.getByTestId('pg-iterations').textContent()), { timeout: 120_000 }).toBeGreaterThan(150);
    await page.getByTestId('pg-play').click();
    await expect(page.getByTestId('playground')).toHaveAttribute('data-training', 'idle');
    await page.getByTestId('pg-gmm-fit').click();
    await expect(page.getByTestId('pg-gmm-canvas')).toBeVisible();
    await shoot(page, '20-playground-2d');
    await page.getByTestId('pg-distribution').selectOption('bimodal1d');
    await shoot(page, '21-playground-pending');
    await page.getByTestId('pg-apply-reset').click();
    await page.getByTestId('pg-play').click();
    await expect.poll(async () => Number(await page.getByTestId('pg-iterations').textContent()), { timeout: 120_000 }).toBeGreaterThan(150);
    await page.getByTestId('pg-play').click();
    await expect(page.getByTestId('playground')).toHaveAttribute('data-training', 'idle');
    await shoot(page, '22-playground-1d');
  });

  await test.step('Experiments: the new-experiment panel, a tiny experiment’s page, the list', async () => {
    await page.getByTestId('nav-new-run').click();
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-size').selectOption('32');
    await fill(page, { width: '8', latent: '32', batch: '8', k: '1', lrD: '2e-4', lrG: '2e-4', evalSamples: '64' });
    await page.getByTestId('nav-experiments').click();
    await expect(page.getByTestId('experiments-empty')).toBeVisible();
    await shoot(page, '23-experiments-new');
    await page.getByTestId('experiment-seeds').fill('2');
    await page.getByTestId('experiment-images').fill('320');
    await page.getByTestId('start-preset-loss').click();
    await expect(page.getByTestId('experiment-page')).toBeVisible();
    await expect(page.getByTestId('experiment-status')).toHaveText('Done', { timeout: 600_000 });
    await expect(page.getByTestId('experiment-grid-cell').locator('img')).toHaveCount(4);
    await shoot(page, '24-experiment-page');
    await page.getByTestId('back-to-experiments').click();
    await expect(page.getByTestId('experiment-card')).toHaveCount(1);
    await shoot(page, '25-experiments-list');
  });
  await rm(data, { recursive: true, force: true });
});
