import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { artifactDir, expect, importShapes, test } from './studio';

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactDir, `experiment-${name}.png`), fullPage: true });

test('a tiny experiment started from the studio shows its curves, table and verdict, and opens its runs', async ({ page, fresh: studio }) => {
  test.setTimeout(10 * 60_000);
  await page.goto(studio.url);
  let data = '';

  await test.step('a small base run in New run: 32 px, narrow networks, batch 8, 64 images scored', async () => {
    data = await importShapes(page);
    await page.getByTestId('preset-quick').click();
    await page.getByTestId('field-size').selectOption('32');
    for (const [name, value] of Object.entries({ width: '8', latent: '32', batch: '8', evalSamples: '64' })) {
      await page.getByTestId(`field-${name}`).fill(value);
    }
    await expect(page.getByTestId('start-run')).toBeEnabled();
  });

  await test.step('the Experiments view offers the lecture’s questions on that dataset and those settings', async () => {
    await page.getByTestId('nav-experiments').click();
    await expect(page.getByTestId('view-experiments')).toBeVisible();
    await expect(page.getByTestId('experiments-empty')).toBeVisible();
    const panel = page.getByTestId('new-experiment');
    await expect(panel.getByTestId('experiment-base')).toContainText('32 px · width 8');
    await expect(panel.getByTestId('experiment-preset-prior')).toContainText('Which prior is better, normal or uniform?');
    await expect(panel.getByTestId('experiment-preset-prior')).toContainText('Latent prior: Normal vs Uniform');
    // Two variants × two seeds, 20 steps of 8 real images each.
    await panel.getByTestId('experiment-seeds').fill('2');
    await panel.getByTestId('experiment-images').fill('160');
    await expect(panel.getByTestId('experiment-preset-prior')).toContainText('4 runs · 20 steps each');
    // All four questions against one baseline: five variants, k = 5 with a fifth of the steps at the same images seen.
    const lecture = panel.getByTestId('experiment-preset-lecture');
    await expect(lecture).toContainText('All four questions, one shared baseline');
    await expect(lecture).toContainText('Baseline vs Uniform · MMGAN · k=5 · replay=0.5, one change each');
    await expect(lecture).toContainText('10 runs · 20 / 4 steps');
    await expect(panel.getByTestId('start-preset-lecture')).toBeEnabled();
    // A custom vary reads its values by the run schema.
    await panel.getByTestId('vary-option').selectOption('k');
    await panel.getByTestId('vary-values').fill('1, 0');
    await expect(panel.getByTestId('vary-error')).toContainText('at least 1');
    await expect(panel.getByTestId('start-custom')).toBeDisabled();
    await panel.getByTestId('vary-values').fill('1, 2');
    await expect(panel.getByTestId('start-custom')).toBeEnabled();
    await shot(page, 'new-dark');
    await page.getByTestId('theme-toggle').click();
    await shot(page, 'new-light');
    await page.getByTestId('theme-toggle').click();
  });

  await test.step('prior, normal vs uniform: four runs train, then the page shows curves, table and verdicts', async () => {
    await page.getByTestId('start-preset-prior').click();
    const experiment = page.getByTestId('experiment-page');
    await expect(experiment).toBeVisible();
    await expect(page.getByTestId('experiment-progress')).toContainText('/ 4 runs');
    await expect(page.getByTestId('experiment-status')).toHaveText('Done', { timeout: 8 * 60_000 });
    await expect(page.getByTestId('experiment-progress')).toHaveText('4 / 4 runs');

    // One line per variant on each chart, each with points (and its band) over images seen.
    for (const chart of ['experiment-chart-swd', 'experiment-chart-ndb', 'experiment-chart-flatness']) {
      await expect(experiment.getByTestId(chart)).not.toHaveAttribute('data-points', '0');
      await expect(experiment.getByTestId(chart).locator('.legend li')).toHaveCount(2);
    }
    const rows = experiment.getByTestId('experiment-row');
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText('2 / 2');
    await expect(rows.first()).toContainText('±');
    // Generator steps: 20 of 8 real images.
    await expect(rows.first().locator('td').nth(6)).toHaveText('20');
    // D's flatness at the end over the two seeds; D on real and generated images on hover.
    const flat = rows.first().getByTestId('experiment-flatness');
    await expect(flat).toContainText('±');
    await expect(flat).toHaveAttribute('title', /^D on held-out real images \S+ ± \S+ · on generated \S+ ± \S+ \(D\(x\), 0–1; 2 seeds\)/);
    // The verdict's text is the backend's; its value (significant or not) is not asserted.
    await expect(experiment.getByTestId('experiment-verdict').first()).toHaveText(/\w/);
    await expect(experiment.getByTestId('experiment-grid-cell')).toHaveCount(4);
    await expect(experiment.getByTestId('experiment-grid-cell').locator('img')).toHaveCount(4);
    await shot(page, 'page-dark');
    await page.getByTestId('theme-toggle').click();
    await shot(page, 'page-light');
    await page.getByTestId('theme-toggle').click();
  });

  await test.step('each run is a normal run folder: "open" shows it in Runs', async () => {
    expect(await readdir(join(studio.home, 'runs'))).toHaveLength(4);
    await page.getByTestId('experiment-open-run').first().click();
    await expect(page.getByTestId('view-runs')).toBeVisible();
    await expect(page.getByTestId('run-detail')).toBeVisible();
    await expect(page.getByTestId('run-detail').getByTestId('quality-chart')).not.toHaveAttribute('data-points', '0');
  });

  await test.step('the list shows the experiment done', async () => {
    await page.getByTestId('nav-experiments').click();
    const card = page.getByTestId('experiment-card');
    await expect(card).toHaveCount(1);
    await expect(card.getByTestId('experiment-card-progress')).toHaveText('4 / 4 runs');
    await shot(page, 'list');
    await card.getByTestId('open-experiment').click();
    await expect(page.getByTestId('experiment-row')).toHaveCount(2);
  });
  await rm(data, { recursive: true, force: true });
});
