import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { artifactDir, expect, test } from './studio';

/** Pauses, and waits until the worker says it stopped (the chunk it was training may end after the click). */
async function pause(page: Page): Promise<void> {
  await expect(page.getByTestId('pg-play')).toHaveText('Pause');
  await page.getByTestId('pg-play').click();
  await expect(page.getByTestId('playground')).toHaveAttribute('data-training', 'idle');
}

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
  await pause(page);
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
  await page.getByTestId('pg-apply-reset').click();
  await expect(page.getByText('D*(x) = P_data / (P_data + P_G)')).toBeVisible();
  await page.getByTestId('pg-play').click();
  await expect.poll(async () => Number(await page.getByTestId('pg-iterations').textContent()), { timeout: 120_000 }).toBeGreaterThan(40);
  await pause(page);
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
  await page.getByTestId('pg-apply-reset').click();
  await expect(page.getByTestId('pg-play')).toBeDisabled();
  const box = (await page.getByTestId('pg-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
  await page.mouse.down();
  for (let i = 1; i <= 30; i++) await page.mouse.move(box.x + box.width * (0.2 + 0.02 * i), box.y + box.height * (0.3 + 0.012 * i));
  await page.mouse.up();
  await expect(page.getByTestId('pg-pending')).toContainText('Drawing');
  await page.getByTestId('pg-apply-reset').click();
  await expect(page.getByTestId('pg-play')).toBeEnabled();
  await page.getByTestId('pg-play').click();
  await expect.poll(async () => Number(await page.getByTestId('pg-iterations').textContent()), { timeout: 120_000 }).toBeGreaterThan(20);
  await pause(page);
  await page.screenshot({ path: join(artifactDir, 'playground-drawn.png'), fullPage: true });
});

async function openPlayground(page: Page): Promise<void> {
  await page.getByRole('button', { name: /playground/i }).first().click();
  await expect(page.getByTestId('playground')).toBeVisible();
}

async function iterations(page: Page): Promise<number> {
  return Number(await page.getByTestId('pg-iterations').textContent());
}

interface Responsiveness {
  /** Main-thread long tasks (PerformanceObserver 'longtask') that started after `since`, in ms. */
  longTasks: number[];
  /** Click to the next animation frame after the click was handled, per click, in ms. */
  latencies: number[];
}

/** Collects long tasks and click latencies from the page's start (added before navigation). */
function watchResponsiveness(): void {
  const state = { tasks: [] as Array<{ start: number; duration: number }>, latencies: [] as number[] };
  (window as unknown as { responsiveness: typeof state }).responsiveness = state;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) state.tasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  let pressed = 0;
  // event.timeStamp is when the input arrived: a busy main thread shows up as a late handler
  document.addEventListener('pointerdown', (event) => (pressed = event.timeStamp), true);
  document.addEventListener('click', () => {
    const at = pressed;
    requestAnimationFrame(() => state.latencies.push(performance.now() - at));
  });
}

async function responsiveness(page: Page, since: number): Promise<Responsiveness> {
  return page.evaluate((since) => {
    const state = (window as unknown as { responsiveness: { tasks: Array<{ start: number; duration: number }>; latencies: number[] } }).responsiveness;
    return { longTasks: state.tasks.filter((task) => task.start >= since).map((task) => task.duration), latencies: [...state.latencies] };
  }, since);
}

test('the toy GAN trains in a Web Worker: no main-thread task over 200 ms while it plays, clicks answered at once', async ({ page, studio }) => {
  await page.addInitScript(watchResponsiveness);
  await page.goto(studio.url);
  await openPlayground(page);
  // the worker's first message sets the flag; and the page has a worker running the toy GAN's script
  await expect(page.getByTestId('playground')).toHaveAttribute('data-worker', 'running');
  await expect.poll(() => page.workers().map((worker) => worker.url()).join(' ')).toMatch(/toy-worker[^/]*\.js/);
  await expect(page.getByTestId('pg-play')).toBeEnabled();
  // the heaviest setting: 40 iterations per frame
  await page.getByTestId('pg-speed').fill('40');

  const since = await page.evaluate(() => performance.now());
  await page.getByTestId('pg-play').click();
  await expect.poll(() => iterations(page), { timeout: 120_000 }).toBeGreaterThan(100);
  // clicks while it plays: a layer on and off, each drawn by the next frame
  const heatmap = page.getByLabel('D(x) heatmap');
  for (let i = 0; i < 6; i++) {
    await heatmap.scrollIntoViewIfNeeded();
    const box = (await heatmap.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect(heatmap).toBeChecked({ checked: i % 2 === 1 });
    await page.waitForTimeout(400);
  }
  await pause(page);
  const playedTo = await iterations(page);
  const { longTasks, latencies } = await responsiveness(page, since);
  const longest = Math.max(0, ...longTasks);
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `playground at 40 iterations/frame, ${playedTo} iterations: click latency median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, ` +
      `max ${sorted.at(-1)!.toFixed(0)} ms (${sorted.length} clicks); long tasks ${longTasks.length}, longest ${longest.toFixed(0)} ms`,
  );
  expect(longest, `main-thread long tasks while playing: ${longTasks.map((t) => t.toFixed(0)).join(', ')} ms`).toBeLessThan(200);
  expect(latencies.length).toBeGreaterThanOrEqual(7);
});

test('leaving the Playground and coming back keeps the session: model, iterations, charts and plot', async ({ page, studio }) => {
  await page.goto(studio.url);
  await openPlayground(page);
  await page.getByTestId('pg-play').click();
  await expect.poll(() => iterations(page), { timeout: 120_000 }).toBeGreaterThan(40);
  // leave while it plays: it pauses, and nothing is lost
  await page.getByTestId('nav-runs').click();
  await expect(page.getByTestId('playground')).toHaveCount(0);
  await openPlayground(page);
  await expect(page.getByTestId('pg-play')).toHaveText('Play');
  await expect(page.getByTestId('playground')).toHaveAttribute('data-training', 'idle');
  const kept = await iterations(page);
  expect(kept).toBeGreaterThan(40);
  expect(Number(await page.getByTestId('pg-chart-losses').getAttribute('data-points'))).toBeGreaterThan(40);
  expect((await canvasSignature(page)).coloured).toBeGreaterThan(1000);
  // and it trains on from there
  await page.getByTestId('pg-play').click();
  await expect.poll(() => iterations(page), { timeout: 120_000 }).toBeGreaterThan(kept + 10);
  await pause(page);
});

test('settings apply when changed: the loss live at the next step, the distribution and network size with Apply and reset', async ({ page, studio }) => {
  await page.goto(studio.url);
  await openPlayground(page);
  await expect(page.getByTestId('pg-loss-in-effect')).toHaveText('NSGAN');
  await page.getByTestId('pg-play').click();
  await expect.poll(() => iterations(page), { timeout: 120_000 }).toBeGreaterThan(20);

  // a live setting: in effect while it plays, nothing reset
  await page.getByTestId('pg-loss').selectOption('mm');
  await expect(page.getByTestId('pg-loss-in-effect')).toHaveText('MMGAN');
  await expect(page.getByTestId('pg-pending')).toHaveCount(0);
  const afterSwitch = await iterations(page);
  await expect.poll(() => iterations(page), { timeout: 120_000 }).toBeGreaterThan(afterSwitch + 10);
  await pause(page);

  // the distribution waits for Apply and reset, and says so
  await page.getByTestId('pg-distribution').selectOption('moons');
  await expect(page.getByTestId('pg-pending')).toContainText('Distribution');
  await expect(page.getByTestId('pg-pending')).toContainText('Two moons');
  await expect(page.getByTestId('pg-modes')).toBeVisible();
  expect(await iterations(page)).toBeGreaterThan(30);
  await page.getByTestId('pg-apply-reset').click();
  await expect(page.getByTestId('pg-pending')).toHaveCount(0);
  await expect(page.getByTestId('pg-iterations')).toHaveText('0');
  // moons has no modes: no mode table; the loss picked before is the one in effect
  await expect(page.getByTestId('pg-modes')).toHaveCount(0);
  await expect(page.getByTestId('pg-loss-in-effect')).toHaveText('MMGAN');

  // network size too
  await page.getByLabel(/^G width/).fill('64');
  await page.getByLabel(/^G width/).press('Tab');
  await expect(page.getByTestId('pg-pending')).toContainText('G width 128 → 64');
  await page.getByTestId('pg-apply-reset').click();
  await expect(page.getByTestId('pg-pending')).toHaveCount(0);

  // a bad value is refused, with a message, not silently dropped
  await page.getByLabel(/^lr D/).fill('0');
  await page.getByLabel(/^lr D/).press('Tab');
  await expect(page.getByTestId('pg-settings-error')).toContainText('lr D');
  await expect(page.getByTestId('pg-in-effect')).toContainText('lr D 0.002');
});

test('1-D readouts: KS distance and histogram JSD, no mode table', async ({ page, studio }) => {
  await page.goto(studio.url);
  await openPlayground(page);
  await page.getByTestId('pg-distribution').selectOption('gaussian1d');
  await page.getByTestId('pg-apply-reset').click();
  await expect(page.getByTestId('pg-ks')).toHaveText(/^[01]\.\d{3}$/);
  await expect(page.getByTestId('pg-hist-jsd')).toHaveText(/^0\.\d{3}$/);
  await expect(page.getByTestId('pg-modes')).toHaveCount(0);
  await expect(page.getByTestId('pg-gmm-fit')).toHaveCount(0);
  await page.getByTestId('pg-play').click();
  await expect.poll(() => iterations(page), { timeout: 120_000 }).toBeGreaterThan(60);
  await pause(page);
  const ks = Number(await page.getByTestId('pg-ks').textContent());
  expect(ks).toBeGreaterThanOrEqual(0);
  expect(ks).toBeLessThanOrEqual(1);
  expect(Number(await page.getByTestId('pg-chart-distance-1d').getAttribute('data-points'))).toBeGreaterThan(2);
  await expect(page.getByTestId('pg-modes')).toHaveCount(0);
});
