import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from '@playwright/test';
import { artifactDir, expect, makeShapesFolder, makeSimilarImagesFolder, test } from './studio';


const points = async (page: Page, testid: string) => Number(await page.getByTestId(testid).getAttribute('data-points'));
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactDir, `studio-${name}.png`), fullPage: true });

async function fillField(page: Page, name: string, value: string): Promise<void> {
  await page.getByTestId(`field-${name}`).fill(value);
}

test('a new user imports a folder, trains, pauses, stops, resumes and saves generated images', async ({ page, fresh: studio }) => {
  test.setTimeout(8 * 60_000);
  const data = await makeShapesFolder();
  await page.goto(studio.url);

  await test.step('first launch shows what to do', async () => {
    await expect(page.getByTestId('datasets-empty')).toBeVisible();
    await expect(page.getByTestId('demo-button')).toBeVisible();
    await expect(page.getByTestId('backend-badge')).toBeVisible();
    await shot(page, '1-datasets-empty');
  });

  await test.step('import the folder by typing its path', async () => {
    await page.getByTestId('folder-path').fill(data);
    await page.getByTestId('import-button').click();
    const report = page.getByTestId('dataset-report');
    await expect(report.getByTestId('count-used')).toHaveText('40');
    await expect(report.getByTestId('count-skipped')).toHaveText('1');
    await expect(report.getByTestId('skipped-list')).toContainText('broken.png');
    await expect(report.getByTestId('dataset-mosaic')).toHaveJSProperty('complete', true);
    expect(await report.getByTestId('dataset-mosaic').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await shot(page, '2-datasets-report');
  });

  await test.step('set up a tiny run: uniform prior, NSGAN, k = 2', async () => {
    await page.getByTestId('use-dataset').click();
    await expect(page.getByTestId('view-new-run')).toBeVisible();
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-size').selectOption('32');
    await fillField(page, 'width', '8');
    await fillField(page, 'latent', '32');
    await fillField(page, 'batch', '8');
    await fillField(page, 'steps', '300');
    await fillField(page, 'k', '2');
    await fillField(page, 'sampleEvery', '20');
    await fillField(page, 'checkpointEvery', '20');
    await page.getByText('Uniform', { exact: true }).click();
    await expect(page.getByTestId('prior-histogram')).toHaveAttribute('data-prior', 'uniform');
    await page.getByText('NSGAN', { exact: true }).click();
    await expect(page.getByTestId('loss-ns')).toBeChecked();
    await expect(page.getByTestId('start-run')).toBeEnabled();
    await shot(page, '3-new-run');
    await page.getByTestId('start-run').click();
  });

  await test.step('the grid and all three charts update while training', async () => {
    await expect(page.getByTestId('view-training')).toBeVisible();
    await expect(page.getByTestId('sample-grid')).toBeVisible();
    await expect.poll(() => points(page, 'chart-losses')).toBeGreaterThan(0);
    const before = await Promise.all(['chart-losses', 'chart-outputs', 'chart-jsd'].map((id) => points(page, id)));
    await expect.poll(async () => Number(await page.getByTestId('sample-timeline').getAttribute('data-count'))).toBeGreaterThanOrEqual(2);
    for (const [i, id] of ['chart-losses', 'chart-outputs', 'chart-jsd'].entries()) {
      await expect.poll(() => points(page, id)).toBeGreaterThan(before[i]);
    }
    await expect(page.getByTestId('progress-step')).toHaveText(/^\d+ \/ 300$/);
  });

  await test.step('pause, resume, stop', async () => {
    await page.getByTestId('pause-button').click();
    await expect(page.getByTestId('training-state')).toHaveText('Paused');
    // The step in flight when the pause arrived still completes; after it, nothing moves.
    await page.waitForTimeout(1000);
    const pausedAt = await page.getByTestId('progress-step').textContent();
    await page.waitForTimeout(1500);
    await expect(page.getByTestId('progress-step')).toHaveText(pausedAt ?? '');
    await shot(page, '4-training-paused');
    // Resuming by keyboard: the shortcut named in the button's tooltip.
    await expect(page.getByTestId('continue-button')).toHaveAttribute('title', /Alt\+P/);
    await page.keyboard.press('Alt+P');
    await expect(page.getByTestId('training-state')).toHaveText('Training');
    await expect(page.getByTestId('progress-step')).not.toHaveText(pausedAt ?? '');
    // Scrubbing back through the grids shows an earlier step.
    const slider = page.getByTestId('timeline-slider');
    await slider.focus();
    await page.keyboard.press('Home');
    await expect(page.getByTestId('timeline-step')).toHaveText('step 0');
    await page.getByTestId('stop-button').click();
    await expect(page.getByTestId('training-state')).toHaveText('Stopped');
    await page.getByTestId('timeline-slider').focus();
    await page.keyboard.press('End');
    await shot(page, '5-training-stopped');
  });

  await test.step('reopen the run from Runs and resume it', async () => {
    await page.getByTestId('nav-runs').click();
    const card = page.getByTestId('run-card');
    await expect(card).toHaveCount(1);
    await expect(card).toContainText('NSGAN · uniform prior · k 2');
    await shot(page, '6-runs');
    await card.getByTestId('open-run').click();
    await expect(page.getByTestId('run-detail')).toBeVisible();
    await expect.poll(() => points(page, 'chart-jsd')).toBeGreaterThan(0);
    await expect(page.getByTestId('run-timeline')).toBeVisible();
    await shot(page, '7-run-detail');
    await page.getByTestId('resume-run').click();
    await expect(page.getByTestId('view-training')).toBeVisible();
    await expect(page.getByTestId('training-state')).toHaveText(/Training|Finished/);
    await expect(page.getByTestId('training-state')).toHaveText('Finished', { timeout: 120_000 });
    await expect(page.getByTestId('progress-step')).toHaveText('300 / 300');
    await shot(page, '8-training-finished');
  });

  await test.step('generate 8 images and save them as PNG files', async () => {
    await page.getByTestId('nav-generate').click();
    await expect(page.getByTestId('generate-run')).toBeVisible();
    await page.getByTestId('generate-n').fill('8');
    await page.getByTestId('generate-seed').fill('42');
    await page.getByTestId('generate-button').click();
    await expect(page.getByTestId('generated-image')).toHaveCount(8);
    // Browser mode writes only inside the server's home folder, typed here as ~/….
    const out = join(studio.userHome, 'saved');
    await page.getByTestId('save-folder').fill('~/saved');
    await page.getByTestId('save-button').click();
    await expect(page.getByTestId('save-result')).toContainText('Saved 8 images');
    const files = (await readdir(out)).filter((name) => name.endsWith('.png'));
    expect(files).toHaveLength(8);
    for (const file of files) {
      const meta = await sharp(join(out, file)).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBe(32);
    }
    await shot(page, '9-generate');
  });

  await test.step('best by discriminator, the latent walk and the model export', async () => {
    await page.getByTestId('rank-by-d').check();
    await page.getByTestId('generate-button').click();
    await expect(page.getByTestId('generated-image')).toHaveCount(8);
    await expect(page.getByTestId('generated-score')).toHaveCount(8);
    await page.getByTestId('interpolate-button').click();
    const gif = page.getByTestId('interpolation-gif');
    await expect(gif).toBeVisible();
    await expect.poll(() => gif.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    const exportDir = join(studio.userHome, 'export');
    await page.getByTestId('save-folder').fill(exportDir);
    await page.getByTestId('export-model').click();
    await expect(page.getByTestId('export-result')).toContainText('model.json');
    expect(await readdir(exportDir)).toContain('model.json');
    // A second export to the same folder asks before it replaces the first.
    await page.getByTestId('export-model').click();
    await expect(page.getByTestId('export-conflict')).toContainText('already holds model.json and generator.weights.bin');
    await page.getByTestId('export-replace').click();
    await expect(page.getByTestId('export-result')).toContainText('model.json');
    await expect(page.getByTestId('export-conflict')).toHaveCount(0);
    await shot(page, '9b-generate-ranked');
  });

  await test.step('the playground and the light theme', async () => {
    await page.getByTestId('nav-playground').click();
    await expect(page.getByTestId('playground')).toBeVisible();
    await page.getByTestId('nav-training').click();
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await shot(page, '10-training-light');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await page.getByTestId('theme-toggle').click();
  });

  await test.step('delete the run after confirming', async () => {
    await page.getByTestId('nav-runs').click();
    const card = page.getByTestId('run-card');
    await card.getByTestId('delete-run').click();
    await card.getByTestId('cancel-delete').click();
    await expect(card).toHaveCount(1);
    await card.getByTestId('delete-run').click();
    await card.getByTestId('confirm-delete').click();
    await expect(page.getByTestId('runs-empty')).toBeVisible();
  });
  await rm(data, { recursive: true, force: true });
});

test('a folder typed as ~/… is the home folder, and a relative path is refused naming the field', async ({ page, studio }) => {
  const set = await makeSimilarImagesFolder(false, studio.userHome);
  await page.goto(studio.url);
  await page.getByTestId('folder-path').fill('relative/pictures');
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('import-error')).toHaveText('Folder of images: use an absolute path or ~/… (got "relative/pictures")');
  await page.getByTestId('folder-path').fill('~/similar');
  await page.getByTestId('import-button').click();
  const report = page.getByTestId('dataset-report');
  await expect(report.getByTestId('count-used')).toHaveText(String(set.distinct.length));
  await expect(report).toContainText(set.root);
  await expect(page.getByTestId('import-error')).toHaveCount(0);
});
