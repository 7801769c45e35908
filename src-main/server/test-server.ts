/**
 * Tests only: browser mode in a process of its own, so a test can see whether a client takes it
 * down (an uncaught exception ends this process, not the test). Env: GAN_STUDIO_HOME (the app data
 * folder), GAN_TEST_RENDERER (a folder with an index.html), GAN_TEST_PORT (default 0),
 * GAN_TEST_UPLOAD_FILE_BYTES and GAN_TEST_UPLOAD_TOTAL_BYTES (upload caps, both or neither). Prints one JSON line:
 * {"port", "token"}; SIGTERM closes it.
 */
import { appPaths } from '../disk/app-paths';
import { createHost } from '../host/services';
import { nodeTrainerLauncher, TrainerClient } from '../host/trainer-client';
import { startBrowserServer } from './browser-server';

const root = process.env.GAN_STUDIO_HOME;
const rendererDir = process.env.GAN_TEST_RENDERER;
if (!root || !rendererDir) throw new Error('test-server needs GAN_STUDIO_HOME and GAN_TEST_RENDERER');
const trainer = new TrainerClient(nodeTrainerLauncher());
const host = createHost({
  paths: appPaths(root),
  trainer,
  mode: 'browser',
  version: '0.0.0-test',
  uploadLimits:
    process.env.GAN_TEST_UPLOAD_FILE_BYTES && process.env.GAN_TEST_UPLOAD_TOTAL_BYTES
      ? { fileBytes: Number(process.env.GAN_TEST_UPLOAD_FILE_BYTES), totalBytes: Number(process.env.GAN_TEST_UPLOAD_TOTAL_BYTES) }
      : undefined,
});
const server = await startBrowserServer({ host, rendererDir, port: Number(process.env.GAN_TEST_PORT ?? 0) });
process.stdout.write(`${JSON.stringify({ port: server.port, token: server.token })}\n`);
process.once('SIGTERM', () => {
  void Promise.allSettled([server.close(), host.dispose()]).then(() => process.exit(0));
});
