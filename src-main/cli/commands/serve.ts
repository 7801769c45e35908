import type { Command } from 'commander';
import { startBrowserMode } from '../browser-mode';
import { UsageError } from '../usage-error';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${value}`);
  return port;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('browser mode: serve the app on 127.0.0.1 and print its URL (with a per-launch token)')
    .option('--port <port>', 'port to listen on (0 = any free port)', process.env.GAN_STUDIO_PORT ?? '5780')
    .action(async (options: { port: string }) => {
      const server = await startBrowserMode(parsePort(options.port));
      process.stdout.write(`GAN Studio is running in browser mode: ${server.url}\n`);
      await new Promise(() => {});
    });
}
