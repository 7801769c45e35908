import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { appPaths } from '../disk/app-paths';
import { createHost } from '../host/services';
import { endOnSignals } from '../host/shutdown';
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
 * SIGINT, SIGTERM and SIGHUP end it in order: a training run saves a checkpoint of its current
 * step (waited for up to 10 s), then the process exits with 128 + the signal's number. A crash
 * or SIGKILL of this process is covered by the trainer itself, which checkpoints when its IPC
 * channel closes. `renderer` serves another built renderer folder (tests) and skips the build.
 * A taken port fails first, in one line (PortInUseError: a running GAN Studio's URL, or advice).
 */
export async function startBrowserMode(port: number, options: { renderer?: string } = {}): Promise<BrowserServer> {
  await assertPortFree(port);
  if (!options.renderer) ensureBuilt();
  const trainer = new TrainerClient(nodeTrainerLauncher());
  const host = createHost({ paths: appPaths(), trainer, mode: 'browser', version: packageVersion() });
  let server: BrowserServer;
  try {
    server = await startBrowserServer({ host, rendererDir: options.renderer ?? rendererDir, port });
  } catch (error) {
    await host.dispose();
    throw error;
  }
  endOnSignals(process, {
    end: async () => {
      await Promise.allSettled([server.close(), host.dispose()]);
    },
    exit: (code) => process.exit(code),
    log: (line) => process.stderr.write(line),
  });
  return server;
}
