import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { artifactDir, expect, test } from './studio';

/** A fingerprint of the plot's pixels, to see that training changes what is drawn. */
async function canvasSignature(page: Page): Promise<{ coloured: number; sum: number }> {
  return page.getByTestId('pg-canvas').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let coloured = 0;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) {
      // the empty plot is #12141a; the heatmap and the points are anything else
      if (Math.abs(data[i] - 0x12) + Math.abs(data[i + 1] - 0x14) + Math.abs(data[i + 2] - 0x1a) > 12) coloured++;
      sum += data[i] * 3 + data[i + 1] * 5 + data[i + 2] * 7;
    }
    return { coloured, sum };
  });
}

test('the playground trains a GAN on ring8 in the browser: heatmap, points and counters update', async ({ page, studio }) => {
  await page.goto(studio.url);
  await page.getByRole('button', { name: /playground/i }).first().click();
  await expect(page.getByTestId('playground')).toBeVisible();
  await expect(page.getByTestId('pg-distribution')).toHaveValue('ring8');
  await expect(page.getByTestId('pg-modes-gan')).toHaveText(/^\d \/ 8$/);

  const before = await canvasSignature(page);
  expect(before.coloured).toBeGreaterThan(1000);

  await page.getByTestId('pg-play').click();
  await expect.poll(async () => Number(await page.getByTestId('pg-iterations').textContent()), { timeout: 120_000 }).toBeGreaterThan(60);
  await page.getByTestId('pg-play').click();
  const after = await canvasSignature(page);
  expect(after.sum).not.toBe(before.sum);
  await expect(page.getByTestId('pg-jsd')).toHaveText(/^\d\.\d{3}$/);
  expect(Number(await page.getByTestId('pg-chart-losses').getAttribute('data-points'))).toBeGreaterThan(10);
  expect(Number(await page.getByTestId('pg-chart-reverse-kl').getAttribute('data-points'))).toBeGreaterThan(2);

  // one discriminator step moves only the D counter
  const dBefore = Number(await page.getByTestId('pg-iterations').textContent());
  await page.getByTestId('pg-step-d').click();
  await expect(page.getByTestId('pg-iterations')).toHaveText(String(dBefore));

  await page.getByTestId('pg-gmm-fit').click();
  await expect(page.getByTestId('pg-gmm-canvas')).toBeVisible();
  await page.screenshot({ path: join(artifactDir, 'playground-ring8.png'), fullPage: true });
  // the mixture's density is painted (amber), not only its samples
  const amberPixels = await page.getByTestId('pg-gmm-density').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 120 && data[i] - data[i + 2] > 80 && data[i + 1] < data[i]) count++;
    return count;
  });
  expect(amberPixels).toBeGreaterThan(40);
});

/** Pixels of the plot within a small distance of a colour, to see that a curve is drawn. */
async function pixelsNear(page: Page, [r, g, b]: [number, number, number]): Promise<number> {
  return page.getByTestId('pg-canvas').evaluate(
    (canvas: HTMLCanvasElement, [r, g, b]) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40) count++;
      return count;
    },
    [r, g, b],
  );
}

test('1-D mode draws P_data, P_G, D and D* and reports how far D is from the optimal D*', async ({ page, studio }) => {
  await page.goto(studio.url);
  await page.getByRole('button', { name: /playground/i }).first().click();
  await page.getByTestId('pg-distribution').selectOption('bimodal1d');
  await expect(page.getByText('D*(x) = P_data / (P_data + P_G)')).toBeVisible();
  await page.getByTestId('pg-play').click();
  await expect.poll(async () => Number(await page.getByTestId('pg-iterations').textContent()), { timeout: 120_000 }).toBeGreaterThan(40);
  await page.getByTestId('pg-play').click();
  const gap = Number(await page.getByTestId('pg-gap').textContent());
  expect(gap).toBeGreaterThanOrEqual(0);
  expect(gap).toBeLessThan(1);
  // the curves in their legend colours: P_data green, P_G blue, D yellow, D* orange
  for (const colour of [[0x4a, 0xde, 0x80], [0x60, 0xa5, 0xfa], [0xfa, 0xcc, 0x15], [0xf9, 0x73, 0x16]] as const) {
    expect(await pixelsNear(page, [...colour])).toBeGreaterThan(100);
  }
  await page.screenshot({ path: join(artifactDir, 'playground-1d.png'), fullPage: true });
});

test('a distribution drawn with the mouse becomes the real data the GAN trains on', async ({ page, studio }) => {
  await page.goto(studio.url);
  await page.getByRole('button', { name: /playground/i }).first().click();
  await page.getByTestId('pg-distribution').selectOption('drawn');
  await expect(page.getByTestId('pg-play')).toBeDisabled();
  const box = (await page.getByTestId('pg-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
  await page.mouse.down();
  for (let i = 1; i <= 30; i++) await page.mouse.move(box.x + box.width * (0.2 + 0.02 * i), box.y + box.height * (0.3 + 0.012 * i));
  await page.mouse.up();
  await page.getByTestId('pg-reset').click();
  await expect(page.getByTestId('pg-play')).toBeEnabled();
  await page.getByTestId('pg-play').click();
  await expect.poll(async () => Number(await page.getByTestId('pg-iterations').textContent()), { timeout: 120_000 }).toBeGreaterThan(20);
  await page.getByTestId('pg-play').click();
  await page.screenshot({ path: join(artifactDir, 'playground-drawn.png'), fullPage: true });
});
