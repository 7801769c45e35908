import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { ensureBuilt, projectRoot, startBrowserMode } from '../browser-mode';
import { parsePort } from './serve';

/** The Electron binary's path, or why there is none (its download is skipped or failed). */
export function electronBinary(): { path: string } | { missing: string } {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { missing: 'the Electron binary is not installed' };
  } catch (error) {
    return { missing: `the Electron binary is not installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('open the desktop app; without Electron\'s binary, start browser mode instead')
    .option('--port <port>', 'browser-mode port if Electron is missing', process.env.GAN_STUDIO_PORT ?? '5780')
    .action(async (options: { port: string }) => {
      const electron = electronBinary();
      if ('missing' in electron) {
        process.stderr.write(`${electron.missing}: starting browser mode instead.\n`);
        const server = await startBrowserMode(parsePort(options.port));
        process.stdout.write(`GAN Studio is running in browser mode: ${server.url}\n`);
        await new Promise(() => {});
        return;
      }
      ensureBuilt();
      const child = spawn(electron.path, ['.'], { cwd: projectRoot, stdio: 'inherit' });
      process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    });
}
