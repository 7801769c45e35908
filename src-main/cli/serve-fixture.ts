/**
 * Test fixture: browser mode exactly as `gan-studio serve --port 0` starts it (host, trainer child,
 * signal handling), serving the renderer folder given as the first argument instead of the build.
 * Prints one JSON line: { url, port, token }.
 */
import { startBrowserMode } from './browser-mode';

const renderer = process.argv[2];
if (!renderer) throw new Error('usage: serve-fixture.ts RENDERER_DIR');
const server = await startBrowserMode(0, { renderer });
process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, token: server.token })}\n`);
