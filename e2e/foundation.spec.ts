import { join } from 'node:path';
import { artifactDir, expect, test } from './studio';

test('browser mode shows the backend report of the real trainer process', async ({ page, studio }) => {
  await page.goto(studio.url);
  // The server traded the token for a cookie and redirected: it is no longer in the address bar.
  expect(new URL(page.url()).search).toBe('');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveText(/^(GPU|CPU) · (tfjs-node-gpu|tfjs-node|wasm|cpu), \d+ threads?$/);
  // The full report opens from the badge (the studio's header keeps only the badge in view).
  await badge.click();
  const report = page.getByTestId('backend-report');
  await expect(report).toContainText('tfjs');
  // The pid shown is the trainer's, a process of its own, not the server's.
  const pidText = await report.getByText(/pid \d+/).textContent();
  const pid = Number(/pid (\d+)/.exec(pidText ?? '')?.[1]);
  expect(pid).toBeGreaterThan(0);
  expect(pid).not.toBe(studio.server.pid);
  await page.screenshot({ path: join(artifactDir, 'foundation-backend.png'), fullPage: true });
});

test('a request without the token is refused', async ({ page, studio }) => {
  const bare = new URL(studio.url);
  bare.search = '';
  const response = await page.request.get(bare.toString(), { headers: { cookie: '' } });
  expect(response.status()).toBe(401);
});
