/**
 * Duplicates that are duplicates (issue 14): a folder of distinct but similar pictures imports whole;
 * a resized and a re-encoded copy show in the review beside their originals, and keeping one (or all)
 * imports again with the image counted.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { artifactDir, expect, makeSimilarImagesFolder, test } from './studio';

/** Screenshots for people to look at: the CI artefacts, and SHOTS_DIR when set. */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifactDir, `duplicates-${name}.png`), fullPage: true });
  if (process.env.SHOTS_DIR) {
    await mkdir(process.env.SHOTS_DIR, { recursive: true });
    await page.screenshot({ path: join(process.env.SHOTS_DIR, `duplicates-${name}.png`), fullPage: true });
  }
}

async function importFolder(page: Page, folder: string): Promise<void> {
  await page.getByTestId('folder-path').fill(folder);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('import-progress')).toHaveCount(0);
  await expect(page.getByTestId('dataset-report')).toBeVisible();
}

test('a folder of similar but distinct pictures loses none of them', async ({ page, studio }) => {
  const set = await makeSimilarImagesFolder(false);
  await page.goto(studio.url);
  await page.getByTestId('import-size').selectOption('32');
  await importFolder(page, set.root);
  const report = page.getByTestId('dataset-report');
  await expect(report.getByTestId('count-used')).toHaveText(String(set.distinct.length));
  await expect(report.getByTestId('count-duplicates')).toHaveText('0');
  await expect(page.getByTestId('duplicate-review')).toHaveCount(0);
  await rm(set.root, { recursive: true, force: true });
});

test('a resized and a re-encoded copy show in the review, side by side, and keeping them counts them', async ({ page, studio }) => {
  const set = await makeSimilarImagesFolder(true);
  const distinct = set.distinct.length;
  await page.goto(studio.url);
  await page.getByTestId('import-size').selectOption('32');
  await importFolder(page, set.root);
  const report = page.getByTestId('dataset-report');
  await expect(report.getByTestId('count-used')).toHaveText(String(distinct));
  await expect(report.getByTestId('count-duplicates')).toHaveText('2');

  const review = page.getByTestId('duplicate-review');
  const pairs = review.getByTestId('duplicate-pair');
  await expect(pairs).toHaveCount(2);
  // Each pair: the original, then the copy, with their names.
  for (const [index, [copy, original]] of Object.entries(set.copies).sort().entries()) {
    const pair = pairs.nth(index);
    await expect(pair.locator('figcaption')).toHaveText([original, copy]);
    await expect(pair.getByTestId('duplicate-state')).toHaveText('Left out');
    const thumbs = pair.getByTestId('duplicate-thumb');
    await expect(thumbs).toHaveCount(2);
    for (let i = 0; i < 2; i++) await expect.poll(() => thumbs.nth(i).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  }
  await review.scrollIntoViewIfNeeded();
  await shot(page, 'review-dark');
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await shot(page, 'review-light');
  await page.getByTestId('theme-toggle').click();

  await test.step('keep one pair: imported again with it', async () => {
    await pairs.nth(0).getByTestId('duplicate-keep').click();
    await expect(report.getByTestId('count-used')).toHaveText(String(distinct + 1));
    await expect(pairs.nth(0)).toHaveAttribute('data-kept', 'true');
    await expect(pairs.nth(0).getByTestId('duplicate-state')).toHaveText('Kept');
    await expect(pairs.nth(0).getByTestId('duplicate-keep')).toHaveText('Leave out');
    await expect(pairs.nth(1)).toHaveAttribute('data-kept', 'false');
    await shot(page, 'review-one-kept');
  });

  await test.step('keep all, then leave them out again', async () => {
    await review.getByTestId('duplicates-keep-all').click();
    await expect(report.getByTestId('count-used')).toHaveText(String(distinct + 2));
    await expect(pairs.nth(1)).toHaveAttribute('data-kept', 'true');
    await review.getByTestId('duplicates-drop-all').click();
    // Back to the per-pair keeps alone.
    await expect(report.getByTestId('count-used')).toHaveText(String(distinct + 1));
  });

  await test.step('New run trains on the images kept', async () => {
    await page.getByTestId('use-dataset').click();
    await expect(page.getByTestId('run-dataset')).toContainText(`${distinct + 1} images`);
  });
  await rm(set.root, { recursive: true, force: true });
});
