import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from '@playwright/test';
import { artifactDir, expect, test } from './studio';


async function makeFolder(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gan-crash-'));
  for (let i = 0; i < count; i++) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="hsl(${i * 29},40%,30%)"/><circle cx="20" cy="20" r="${8 + (i % 6)}" fill="hsl(${i * 47},80%,60%)"/></svg>`;
    await sharp(Buffer.from(svg)).png().toFile(join(dir, `c-${i}.png`));
  }
  return dir;
}

async function trainerPid(page: Page): Promise<number> {
  await page.getByTestId('backend-badge').click();
  const text = await page.getByTestId('backend-report').getByText(/pid \d+/).textContent();
  await page.getByTestId('backend-badge').click();
  return Number(/pid (\d+)/.exec(text ?? '')?.[1]);
}

const stepOf = async (page: Page) => Number((await page.getByTestId('progress-step').textContent())?.split(' / ')[0]);

test('a trainer crash shows the error and resuming from the last checkpoint works', async ({ page, fresh: studio }) => {
  const data = await makeFolder(24);
  await page.goto(studio.url);
  await page.getByTestId('folder-path').fill(data);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('count-used')).toHaveText('24');
  await page.getByTestId('use-dataset').click();
  await page.getByTestId('preset-quick').click();
  await page.getByTestId('field-size').selectOption('32');
  await page.getByTestId('field-width').fill('8');
  await page.getByTestId('field-latent').fill('16');
  await page.getByTestId('field-batch').fill('8');
  await page.getByTestId('field-steps').fill('5000');
  await page.getByTestId('field-sampleEvery').fill('25');
  await page.getByTestId('field-checkpointEvery').fill('10');
  await page.getByTestId('start-run').click();

  await expect(page.getByTestId('training-state')).toHaveText('Training');
  await expect.poll(() => stepOf(page), { timeout: 120_000 }).toBeGreaterThan(25);
  const pid = await trainerPid(page);
  expect(pid).toBeGreaterThan(0);
  expect(pid).not.toBe(studio.server.pid);

  process.kill(pid, 'SIGKILL');
  const crash = page.getByTestId('trainer-crash');
  await expect(crash).toBeVisible();
  await expect(crash).toContainText('killed');
  await expect(page.getByTestId('training-state')).toHaveText('Failed');
  await page.screenshot({ path: join(artifactDir, 'studio-crash.png'), fullPage: true });

  const stepAtCrash = await stepOf(page);
  await crash.getByTestId('crash-resume').click();
  await expect(crash).toBeHidden();
  await expect(page.getByTestId('training-state')).toHaveText('Training');
  // It goes on from the last checkpoint (every 10 steps), not from scratch, and keeps going.
  await expect.poll(() => stepOf(page)).toBeGreaterThan(stepAtCrash);
  const newPid = await trainerPid(page);
  expect(newPid).not.toBe(pid);
  await page.screenshot({ path: join(artifactDir, 'studio-crash-resumed.png'), fullPage: true });

  await page.getByTestId('stop-button').click();
  await expect(page.getByTestId('training-state')).toHaveText('Stopped');
  await rm(data, { recursive: true, force: true });
});
