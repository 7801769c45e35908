import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { appPaths } from '../disk/app-paths';
import { createHost } from '../host/services';
import { nodeTrainerLauncher, TrainerClient } from '../host/trainer-client';
import { startBrowserServer, type BrowserServer } from '../server/browser-server';
import { assertPortFree } from '../server/port';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
export const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url));

/** Builds the app once when its bundles are missing (a fresh clone before `npm run build`). */
export function ensureBuilt(): void {
  if (existsSync(`${rendererDir}/index.html`)) return;
  process.stderr.write('Building the app once (electron-vite build)…\n');
  const result = spawnSync(process.execPath, [fileURLToPath(new URL('../../node_modules/electron-vite/bin/electron-vite.js', import.meta.url)), 'build'], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error('the build failed; run `npm run build` to see why');
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * Host services in this Node process, the trainer as a child, and the HTTP + WebSocket server.
 * A taken port fails first, in one line (PortInUseError: a running GAN Studio's URL, or advice).
 */
export async function startBrowserMode(port: number): Promise<BrowserServer> {
  await assertPortFree(port);
  ensureBuilt();
  const trainer = new TrainerClient(nodeTrainerLauncher());
  const host = createHost({ paths: appPaths(), trainer, mode: 'browser', version: packageVersion() });
  let server: BrowserServer;
  try {
    server = await startBrowserServer({ host, rendererDir, port });
  } catch (error) {
    await host.dispose();
    throw error;
  }
  const shutdown = () => {
    void Promise.allSettled([server.close(), host.dispose()]).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return server;
}
