import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { artifactDir, expect, test } from './studio';


async function makeFolder(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gan-form-'));
  for (let i = 0; i < count; i++) {
    await sharp({ create: { width: 48, height: 48, channels: 3, background: { r: (i * 53) % 256, g: (i * 97) % 256, b: (i * 31) % 256 } } })
      .png()
      .toFile(join(dir, `plain-${i}.png`));
  }
  return dir;
}

test('invalid settings show inline messages and the run cannot start', async ({ page, fresh: studio }) => {
  await page.goto(studio.url);

  // Without a dataset the form says where to get one and stays locked.
  await page.getByTestId('nav-new-run').click();
  // The form opens on a preset, shown as selected.
  await expect(page.getByTestId('preset-balanced')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('preset-quick')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('error-dataset')).toBeVisible();
  await expect(page.getByTestId('start-blocked')).toContainText('Choose a dataset');
  await expect(page.getByTestId('start-run')).toBeDisabled();

  const data = await makeFolder(10);
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('folder-path').fill(data);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('count-used')).toHaveText('10');
  await page.getByTestId('use-dataset').click();

  await page.getByTestId('field-batch').fill('8');
  await expect(page.getByTestId('start-run')).toBeEnabled();

  await page.getByTestId('field-k').fill('0');
  await page.getByTestId('field-batch').fill('64');
  await page.getByTestId('field-width').fill('abc');
  await page.getByTestId('field-lrD').fill('');
  await page.getByTestId('field-ema').fill('1.5');
  await page.getByTestId('field-steps').fill('10.5');

  await expect(page.getByTestId('error-k')).toContainText('at least 1');
  await expect(page.getByTestId('error-batch')).toContainText('larger than the dataset (10 images)');
  await expect(page.getByTestId('error-width')).toContainText('not a number');
  await expect(page.getByTestId('error-lrD')).toHaveText('Learning rate D is required');
  await expect(page.getByTestId('error-ema')).toContainText('[0, 1)');
  await expect(page.getByTestId('error-steps')).toContainText('whole number');
  await expect(page.getByTestId('field-k')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('start-blocked')).toHaveText('Fix 6 fields marked in red to start.');
  await expect(page.getByTestId('start-run')).toBeDisabled();
  await page.screenshot({ path: join(artifactDir, 'studio-form-errors.png'), fullPage: true });

  // The keyboard shortcut cannot start it either.
  await page.getByTestId('field-k').focus();
  await page.keyboard.press('Alt+Enter');
  await page.keyboard.press('Alt+4');
  await expect(page.getByTestId('runs-empty')).toBeVisible();
  await page.screenshot({ path: join(artifactDir, 'studio-runs-empty.png'), fullPage: true });
  await page.keyboard.press('Alt+3');
  await expect(page.getByTestId('training-empty')).toBeVisible();
  await page.keyboard.press('Alt+5');
  await expect(page.getByTestId('generate-empty')).toBeVisible();
  await page.screenshot({ path: join(artifactDir, 'studio-generate-empty.png'), fullPage: true });

  // Fixing every field unlocks the button again; the form kept what was typed.
  await page.keyboard.press('Alt+2');
  await expect(page.getByTestId('error-k')).toBeVisible();
  await page.getByTestId('field-k').fill('2');
  await page.getByTestId('field-batch').fill('10');
  await page.getByTestId('field-width').fill('8');
  await page.getByTestId('field-lrD').fill('2e-4');
  await page.getByTestId('field-ema').fill('0.99');
  await page.getByTestId('field-steps').fill('10');
  await expect(page.locator('[data-testid^="error-"]')).toHaveCount(0);
  await expect(page.getByTestId('start-run')).toBeEnabled();

  // Every loss the engine has is offered, each with the schema's label and help.
  for (const [loss, label] of [['mm', 'MMGAN'], ['ns', 'NSGAN'], ['hinge', 'Hinge'], ['ls', 'Least squares']]) {
    await page.getByTestId(`loss-${loss}`).check({ force: true });
    await expect(page.getByTestId('loss-text')).toContainText(label);
  }
  await page.getByTestId('loss-ns').check({ force: true });
  // The Advanced section holds the schema's generated fields too.
  await page.getByTestId('advanced').locator('summary').click();
  await expect(page.getByTestId('field-beta1')).toHaveValue('0.5');

  // Presets adapt to the 10-image folder: no preset asks for a batch larger than it.
  for (const preset of ['quick', 'balanced', 'quality']) {
    await page.getByTestId(`preset-${preset}`).click();
    expect(Number(await page.getByTestId('field-batch').inputValue())).toBeLessThanOrEqual(10);
    await expect(page.getByTestId(`preset-${preset}`)).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('start-run')).toBeEnabled();
  }
  await page.screenshot({ path: join(artifactDir, 'studio-form-dark.png'), fullPage: true });
  // What the window shows (not the whole page): the start bar stays in reach while scrolling.
  await page.getByTestId('theme-toggle').click();
  await page.mouse.wheel(0, 2000);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(artifactDir, 'studio-form-light.png') });
  await rm(data, { recursive: true, force: true });
});
