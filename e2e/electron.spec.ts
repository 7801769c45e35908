import { _electron as electron } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { electronBinary } from '../src-main/cli/commands/start';

// The same detection as `gan-studio start`: Electron's path.txt and dist, never electron's index.js.
const found = electronBinary();
const binary = 'path' in found ? found.path : null;

test('the real Electron app opens its window and shows the trainer backend', async () => {
  const reason = `Electron's binary is not installed here ${'missing' in found ? found.missing : ''}`;
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
