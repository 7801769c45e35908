import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactDir, expect, test } from './studio';

/** A complete run configuration, as the app writes it. */
const config = {
  arch: 'dcgan', size: 32, width: 8, latent: 16, steps: 40, batch: 8, loss: 'ns', k: 1, prior: 'normal',
  lrD: 2e-4, lrG: 2e-4, beta1: 0.5, beta2: 0.999, replay: 0, ema: 0.999, augment: [], seed: 1,
  sampleEvery: 10, checkpointEvery: 20,
  data: { folders: ['/data/faces'], settings: { size: 32, mode: 'crop', background: '#ffffff' } },
};

test('damaged run folders show up in Runs as broken runs with the reason; the good run beside them stays', async ({ page, fresh: studio }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const runs = join(studio.home, 'runs');
  const folder = async (id: string, configText: string) => {
    await mkdir(join(runs, id), { recursive: true });
    await writeFile(join(runs, id, 'config.json'), configText);
  };
  const text = JSON.stringify(config, null, 2);
  await folder('20240101-120000-good', text);
  await folder('20240102-120000-null', 'null');
  await folder('20240103-120000-cut', text.slice(0, 100));

  await page.goto(studio.url);
  await page.getByTestId('nav-runs').click();
  await expect(page.getByTestId('run-card')).toHaveCount(1);
  await expect(page.getByTestId('run-card')).toContainText('faces');
  const broken = page.getByTestId('broken-run-card');
  await expect(broken).toHaveCount(2);
  await expect(page.locator('[data-run-id="20240102-120000-null"]').getByTestId('broken-run-reason')).toHaveText(
    `${join(runs, '20240102-120000-null', 'config.json')} does not hold a run configuration (it holds null): restore it from a backup, or delete the run`,
  );
  await expect(page.locator('[data-run-id="20240103-120000-cut"]').getByTestId('broken-run-reason')).toContainText(
    'config.json is damaged (not valid JSON; it may have been cut short)',
  );
  await page.screenshot({ path: join(artifactDir, 'studio-runs-broken.png'), fullPage: true });

  // A broken run can be deleted; the rest stays.
  const nullCard = page.locator('[data-run-id="20240102-120000-null"]');
  await nullCard.getByTestId('delete-run').click();
  await nullCard.getByTestId('confirm-delete').click();
  await expect(broken).toHaveCount(1);
  await expect(page.getByTestId('run-card')).toHaveCount(1);
  expect((await readdir(runs)).sort()).toEqual(['20240101-120000-good', '20240103-120000-cut']);
  expect(errors).toEqual([]);
});
