import { _electron as electron } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';

function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();

test('the real Electron app opens its window and shows the trainer backend', async () => {
  const reason = "Electron's binary is not installed here (its download is skipped on machines without access to it)";
  if (!binary) console.log(`skipped the real-Electron launch: ${reason}`);
  test.skip(!binary, reason);
  const app = await electron.launch({
    executablePath: binary!,
    args: [join(import.meta.dirname, '..'), '--no-sandbox'],
    env: { ...process.env, GAN_STUDIO_HOME: await mkdtemp(join(tmpdir(), 'gan-electron-')) },
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('backend-badge')).toHaveText(/(GPU|CPU) · /);
    const isolated = await window.evaluate(() => typeof (globalThis as { require?: unknown }).require === 'undefined');
    expect(isolated).toBe(true);
  } finally {
    await app.close();
  }
});
