import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import sharp from 'sharp';
import { buildSimilarImagesFolder, type SimilarImagesFolder } from '../src-main/data/similar-fixtures';

export interface Studio {
  /** The URL printed by `gan-studio serve`, token included. */
  url: string;
  /** GAN_STUDIO_HOME of this server: its runs, caches and uploads (inside `userHome`). */
  home: string;
  /** HOME of this server: browser mode saves and exports only below it. */
  userHome: string;
  server: ChildProcess;
}

/** Screenshots a person should look at land here (a CI artefact). */
export const artifactDir = join(import.meta.dirname, '..', 'test-results', 'screens');

/** 40 small PNGs of coloured shapes and one file that only claims to be a PNG. */
export async function makeShapesFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gan-shapes-'));
  for (let i = 0; i < 40; i++) {
    const hue = (i * 37) % 360;
    const fill = `hsl(${hue},70%,55%)`;
    const shape =
      i % 3 === 0
        ? `<circle cx="32" cy="32" r="${14 + (i % 5) * 2}" fill="${fill}"/>`
        : i % 3 === 1
          ? `<rect x="${12 + (i % 4) * 2}" y="14" width="34" height="30" fill="${fill}"/>`
          : `<polygon points="32,8 56,54 8,54" fill="${fill}"/>`;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="hsl(${(hue + 180) % 360},30%,${20 + (i % 4) * 8}%)"/>${shape}</svg>`;
    await sharp(Buffer.from(svg)).png().toFile(join(dir, `shape-${String(i).padStart(2, '0')}.png`));
  }
  await writeFile(join(dir, 'broken.png'), 'this is not a PNG');
  return dir;
}

/**
 * A folder of distinct but similar pictures (keycaps 0–9, flags, faces, clocks: see
 * src-main/data/similar-fixtures.ts), with a resized and a JPEG quality 80 copy when `copies`.
 * Made inside `parent` (default: a new temporary folder).
 */
export async function makeSimilarImagesFolder(copies: boolean, parent?: string): Promise<SimilarImagesFolder> {
  const root = parent ? join(parent, copies ? 'similar-with-copies' : 'similar') : await mkdtemp(join(tmpdir(), 'gan-similar-'));
  return buildSimilarImagesFolder(root, { copies });
}

/** Starts the real browser-mode server as a child process, exactly as a user would. */
export async function startStudio(): Promise<Studio> {
  const userHome = await mkdtemp(join(tmpdir(), 'gan-e2e-'));
  const home = join(userHome, '.gan-studio');
  const server = spawn(process.execPath, ['src-main/cli/gan-studio.mjs', 'serve', '--port', '0'], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, HOME: userHome, GAN_STUDIO_HOME: home },
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

/** Ends the server with SIGTERM and waits for it: a run in training checkpoints into home first. */
export async function stopStudio(studio: Studio): Promise<void> {
  if (studio.server.exitCode === null && studio.server.signalCode === null) {
    const exited = new Promise((resolve) => studio.server.once('exit', resolve));
    studio.server.kill('SIGTERM');
    await exited;
  }
  await rm(studio.userHome, { recursive: true, force: true });
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
      await stopStudio(studio);
    },
    { scope: 'worker' },
  ],
  fresh: async ({}, use) => {
    const studio = await startStudio();
    await use(studio);
    await stopStudio(studio);
  },
});

/** Screenshots in both themes for a person to look at; GAN_SHOTS_DIR moves them. */
export const shotsDir = process.env.GAN_SHOTS_DIR ?? join(artifactDir, 'themes');

/** Full-page screenshots of the current view in both themes, named `<name>-light.png` and `<name>-dark.png`. */
export async function shotBothThemes(page: Page, name: string): Promise<void> {
  await mkdir(shotsDir, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    // Animations off: the theme's colour transitions end before the picture is taken.
    await page.screenshot({ path: join(shotsDir, `${name}-${theme}.png`), fullPage: true, animations: 'disabled' });
  }
}

/** Imports makeShapesFolder's 40 images through the Datasets view and chooses them for a new run (New run opens); returns the folder, for the caller to remove. */
export async function importShapes(page: Page): Promise<string> {
  const data = await makeShapesFolder();
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('folder-path').fill(data);
  await page.getByTestId('import-button').click();
  await expect(page.getByTestId('dataset-report').getByTestId('count-used')).toHaveText('40');
  await page.getByTestId('use-dataset').click();
  await expect(page.getByTestId('view-new-run')).toBeVisible();
  return data;
}

export { expect };

