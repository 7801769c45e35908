import { copyFile, mkdir, readdir, realpath } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { AppPaths } from '../disk/app-paths';
import { withTargetPath } from '../disk/atomic-write';
import { HostError, type HostHandlers } from './dispatch';
import { isInside } from './local-files';
import type { RunStore } from './runs';
import type { TrainerClient } from './trainer-client';

type GenerationMethod = 'generate.images' | 'generate.interpolation' | 'generate.save' | 'generate.exportModel';

/**
 * Images, latent walks and model exports from a run's checkpoint (done by the trainer, into
 * <data>/generated/<runId>/ or the folder the user names), and copying generated images out.
 */
export function generationHandlers(paths: AppPaths, trainer: TrainerClient, runs: RunStore): Pick<HostHandlers, GenerationMethod> {
  return {
    'generate.images': async ({ runId, n, seed, rankByD }) => {
      const outDir = join(paths.root, 'generated', runId, `${Date.now()}`);
      return trainer.request('generate.images', { runDir: runs.dirOf(runId), outDir, n, seed, rankByD });
    },
    'generate.interpolation': async ({ runId, frames, seed }) => {
      const gifPath = join(paths.root, 'generated', runId, `walk-${Date.now()}.gif`);
      await trainer.request('generate.interpolation', { runDir: runs.dirOf(runId), outFile: gifPath, frames, seed });
      return { gifPath };
    },
    'generate.save': async ({ paths: files, folder }) => {
      const generatedRoot = join(paths.root, 'generated');
      const target = resolve(folder);
      await mkdir(target, { recursive: true });
      const existing = new Set(await readdir(target));
      const saved: string[] = [];
      for (const file of files) {
        const source = await realpath(file);
        if (!isInside(source, await realpath(generatedRoot))) throw new HostError(`not a generated image: ${file}`);
        const ext = extname(source);
        let name = basename(source, ext);
        for (let i = 1; existing.has(`${name}${ext}`); i++) name = `${basename(source, ext)}-${i}`;
        existing.add(`${name}${ext}`);
        const destination = join(target, `${name}${ext}`);
        await copyFile(source, destination).catch((error: unknown) => {
          throw withTargetPath(error, destination);
        });
        saved.push(destination);
      }
      return { saved };
    },
    'generate.exportModel': async ({ runId, folder }) => {
      const outDir = resolve(folder);
      await trainer.request('generate.exportModel', { runDir: runs.dirOf(runId), outDir });
      return { modelJson: join(outDir, 'model.json') };
    },
  };
}
