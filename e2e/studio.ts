import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';

export interface Studio {
  /** The URL printed by `gan-studio serve`, token included. */
  url: string;
  /** GAN_STUDIO_HOME of this server: its runs, caches and uploads. */
  home: string;
  /** HOME of this server: browser mode saves and exports only inside it. */
  userHome: string;
  server: ChildProcess;
}

/** Screenshots a person should look at land here (a CI artefact). */
export const artifactDir = join(import.meta.dirname, '..', 'test-results', 'screens');

/** Starts the real browser-mode server as a child process, exactly as a user would. */
export async function startStudio(): Promise<Studio> {
  const home = await mkdtemp(join(tmpdir(), 'gan-e2e-'));
  const userHome = await mkdtemp(join(tmpdir(), 'gan-e2e-home-'));
  const server = spawn(process.execPath, ['src-main/cli/gan-studio.mjs', 'serve', '--port', '0'], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, GAN_STUDIO_HOME: home, HOME: userHome },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
      if (match) resolve(match[1]);
    });
    server.once('exit', (code) => reject(new Error(`gan-studio serve exited with code ${code}: ${output}`)));
  });
  return { url, home, userHome, server };
}

/**
 * `studio`: one server for a whole spec file. `fresh`: a server of the test's own, for tests that
 * must see the app as a new user would (no runs or datasets left by other tests).
 */
export const test = base.extend<{ fresh: Studio }, { studio: Studio }>({
  studio: [
    async ({}, use) => {
      const studio = await startStudio();
      await use(studio);
      studio.server.kill('SIGTERM');
      await rm(studio.home, { recursive: true, force: true });
      await rm(studio.userHome, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  fresh: async ({}, use) => {
    const studio = await startStudio();
    await use(studio);
    studio.server.kill('SIGTERM');
    await rm(studio.home, { recursive: true, force: true });
    await rm(studio.userHome, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
