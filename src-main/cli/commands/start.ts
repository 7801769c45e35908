import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureBuilt, projectRoot, startBrowserMode } from '../browser-mode';
import { assertPortFree } from '../../server/port';
import { parsePort } from './serve';

/** node_modules/electron as this file resolves it, or null where the package is not installed. */
function electronPackageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * The Electron binary's path, or why there is none, found the way electron's own index.js finds it
 * but without requiring that file (it throws "Electron failed to install correctly, please delete
 * node_modules/electron…" where the binary is absent by design): node_modules/electron/path.txt
 * names the executable under dist/, or under ELECTRON_OVERRIDE_DIST_PATH when that is set. npm
 * writes path.txt only after downloading the binary, so ELECTRON_SKIP_BINARY_DOWNLOAD=1 at install
 * leaves it out. `missing` is a parenthesis for one line of output. `packageDir` is the electron
 * package's folder (tests give another).
 */
export function electronBinary(
  env: NodeJS.ProcessEnv = process.env,
  packageDir: string | null = electronPackageDir(),
): { path: string } | { missing: string } {
  if (packageDir === null) return { missing: '(the electron package is not installed)' };
  const pathFile = join(packageDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const path = join(override, executable || 'electron');
    return existsSync(path) ? { path } : { missing: `(nothing at ${path}, from ELECTRON_OVERRIDE_DIST_PATH)` };
  }
  if (!executable) return { missing: '(its download was skipped at install, e.g. ELECTRON_SKIP_BINARY_DOWNLOAD=1)' };
  const path = join(packageDir, 'dist', executable);
  return existsSync(path) ? { path } : { missing: `(its download left no ${join('node_modules', 'electron', 'dist', executable)})` };
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('open the desktop app; without Electron\'s binary, start browser mode instead')
    .option('--port <port>', 'browser-mode port if Electron is missing', process.env.GAN_STUDIO_PORT ?? '5780')
    .action(async (options: { port: string }) => {
      const electron = electronBinary();
      if ('missing' in electron) {
        const port = parsePort(options.port);
        // A running GAN Studio on the port is the whole story: say that alone (PortInUseError, one line).
        await assertPortFree(port);
        process.stderr.write(`Electron's binary is not installed here ${electron.missing}: starting GAN Studio in browser mode instead.\n`);
        const server = await startBrowserMode(port);
        process.stdout.write(`GAN Studio is running in browser mode: ${server.url}\n`);
        await new Promise(() => {});
        return;
      }
      ensureBuilt();
      const child = spawn(electron.path, ['.'], { cwd: projectRoot, stdio: 'inherit' });
      process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    });
}
