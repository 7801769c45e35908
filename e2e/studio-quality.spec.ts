import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { artifactDir, expect, importShapes, test } from './studio';

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactDir, `quality-${name}.png`), fullPage: true });

test('a run scored every few steps shows its quality chart, live and on its page in Runs', async ({ page, fresh: studio }) => {
  test.setTimeout(5 * 60_000);
  await page.goto(studio.url);
  let data = '';

  await test.step('import 40 shapes and start a small run scored every 10 steps on 64 images', async () => {
    data = await importShapes(page);
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-size').selectOption('32');
    for (const [name, value] of Object.entries({ width: '8', latent: '32', batch: '8', steps: '30', sampleEvery: '10', checkpointEvery: '10', evalEvery: '10', evalSamples: '64' })) {
      await page.getByTestId(`field-${name}`).fill(value);
    }
    await expect(page.getByTestId('start-run')).toBeEnabled();
    await page.getByTestId('start-run').click();
  });

  await test.step('the chart gains a point per score, over images seen', async () => {
    const chart = page.getByTestId('quality-chart');
    await expect(chart).toBeVisible();
    await expect(page.getByTestId('training-state')).toHaveText('Finished', { timeout: 180_000 });
    await expect(chart).toHaveAttribute('data-points', '3');
    await expect(chart.getByTestId('chart-quality-swd')).toHaveAttribute('data-points', '3');
    await expect(chart.getByTestId('chart-quality-ndb')).toHaveAttribute('data-points', '3');
    await expect(chart.getByTestId('chart-quality-swd')).toContainText(/SWD ×10³\s*\d/);
    // The default held-out share, a tenth of the 40 images: never trained on, scored against.
    await expect(chart.getByTestId('quality-explain')).toContainText('64 generated images against 4 held-out images at 32 px');
    // D's landscape comes with each score: a column per score in each strip, and the flatness over images seen.
    const landscape = page.getByTestId('landscape-chart');
    await expect(landscape).toHaveAttribute('data-evaluations', '3');
    await expect(landscape.getByTestId('chart-landscape-flatness')).toHaveAttribute('data-points', '3');
    await expect(landscape.getByTestId('landscape-question')).toContainText('Does D go flat at the end?');
    // The scores are metrics.jsonl's eval lines: 10, 20 and 30 steps of 8 real images each.
    const [runId] = await readdir(join(studio.home, 'runs'));
    const lines = (await readFile(join(studio.home, 'runs', runId, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.eval).map((l) => l.imagesSeen)).toEqual([80, 160, 240]);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await shot(page, 'training-dark');
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await shot(page, 'training-light');
    await page.getByTestId('theme-toggle').click();
  });

  await test.step("the run's page in Runs shows the same chart", async () => {
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('open-run').first().click();
    await expect(page.getByTestId('run-detail').getByTestId('quality-chart')).toHaveAttribute('data-points', '3');
    await expect(page.getByTestId('run-detail').getByTestId('landscape-chart')).toHaveAttribute('data-evaluations', '3');
    await shot(page, 'run-page-dark');
  });

  await test.step("Generate, best by discriminator: D's ranking measured against as many images drawn at random", async () => {
    await page.getByTestId('nav-generate').click();
    await page.getByTestId('generate-n').fill('16');
    await page.getByTestId('rank-by-d').check();
    await page.getByTestId('generate-button').click();
    await expect(page.getByTestId('generated-image')).toHaveCount(16);
    const report = page.getByTestId('rank-check');
    await expect(report).toContainText(/D's top 16 of 64: SWD ×10³ \d+\.\d vs random \d+\.\d, NDB\/K [01]\.\d\d vs [01]\.\d\d \(lower is better; against 4 held-out images at 32 px\)/);
    await expect(report).toHaveAttribute('data-verdict', /^(helps|does-not-help|mixed)$/);
    await page.getByTestId('rank-by-d').uncheck();
  });

  await test.step('a run with scoring off says so where the chart would be', async () => {
    await page.getByTestId('nav-new-run').click();
    await page.getByTestId('field-steps').fill('3');
    await page.getByTestId('field-evalEvery').fill('0');
    await page.getByTestId('start-run').click();
    await expect(page.getByTestId('training-state')).toHaveText('Finished');
    const chart = page.getByTestId('quality-chart');
    await expect(chart).toHaveAttribute('data-points', '0');
    await expect(chart.getByTestId('chart-quality-swd')).toContainText('Scoring is off for this run');
  });
  await rm(data, { recursive: true, force: true });
});
