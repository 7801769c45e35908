import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, readdir, realpath } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { AppPaths } from '../disk/app-paths';
import { withTargetPath } from '../disk/atomic-write';
import { isInside, realpathInsideAny, realpathNearest, resolveInside, typedPath } from '../disk/inside';
import { existingExportFiles, MODEL_EXPORT_FILES } from '../disk/model-export';
import { assertSafeId } from '../shared/ids';
import { HostError, type HostHandlers } from './dispatch';
import type { RunStore } from './runs';
import type { TrainerClient } from './trainer-client';

type GenerationMethod = 'generate.images' | 'generate.rankCheck' | 'generate.interpolation' | 'generate.save' | 'generate.exportModel';

/**
 * The real path of a folder a client named to write into (generate.save, exportModel), after checking it
 * against `writeRoots` (null: anywhere); the folder need not exist yet. `~` is `home`; relative paths
 * (TypedPathError, disk/inside.ts typedPath) and the app's own data folder are refused with one line
 * naming the folder.
 */
async function clientWritableFolder(folder: unknown, dataRoot: string, writeRoots: readonly string[] | null, home: string): Promise<string> {
  // Defence in depth: dispatch checked the parameters already.
  if (typeof folder !== 'string') throw new HostError('folder: type the full path of the folder to write into');
  const typed = typedPath(folder, 'Save to folder', { home });
  const real = await realpathNearest(typed);
  if (isInside(real, await realpathNearest(dataRoot))) {
    throw new HostError(`folder: ${typed} is inside GAN Studio's data folder (${dataRoot}); choose a folder of your own`);
  }
  if (writeRoots && !(await realpathInsideAny(real, writeRoots))) {
    throw new HostError(`folder: ${typed} is outside ${writeRoots.join(', ')}; browser mode writes only inside your home folder`);
  }
  return real;
}

/**
 * Images, latent walks and model exports from a run's checkpoint (done by the trainer, into
 * <data>/generated/<runId>/ or the folder the user names), and copying generated images out.
 * Saving and exporting never replace an existing file without an explicit choice.
 */
export function generationHandlers(
  paths: AppPaths,
  trainer: TrainerClient,
  runs: RunStore,
  writeRoots: readonly string[] | null,
  home: string,
): Pick<HostHandlers, GenerationMethod> {
  return {
    'generate.images': async ({ runId, n, seed, rankByD }) => {
      const runDir = runs.dirOf(runId);
      const outDir = resolveInside(paths.generated, assertSafeId('run id', runId), `${Date.now()}`);
      return trainer.request('generate.images', { runDir, outDir, n, seed, rankByD });
    },
    'generate.rankCheck': async ({ runId, n, seed }) => {
      const runDir = runs.dirOf(runId);
      return trainer.request('generate.rankCheck', { runDir, n, seed, dataDir: paths.root, cacheDir: paths.cache, demoDir: paths.demo });
    },
    'generate.interpolation': async ({ runId, frames, seed }) => {
      const runDir = runs.dirOf(runId);
      const gifPath = resolveInside(paths.generated, assertSafeId('run id', runId), `walk-${Date.now()}.gif`);
      await trainer.request('generate.interpolation', { runDir, outFile: gifPath, frames, seed });
      return { gifPath };
    },
    'generate.save': async ({ paths: files, folder }) => {
      const target = await clientWritableFolder(folder, paths.root, writeRoots, home);
      const generatedRoot = await realpath(paths.generated).catch(() => null);
      if (!Array.isArray(files) || files.length === 0) throw new HostError('paths: choose the generated images to save');
      const sources: string[] = [];
      for (const file of files as unknown[]) {
        const source = typeof file === 'string' && generatedRoot ? await realpath(file).catch(() => null) : null;
        if (!source || !isInside(source, generatedRoot!)) throw new HostError(`not a generated image: ${String(file).slice(0, 200)}`);
        sources.push(source);
      }
      await mkdir(target, { recursive: true });
      const existing = new Set(await readdir(target));
      const saved: string[] = [];
      for (const source of sources) {
        const ext = extname(source);
        const stem = basename(source, ext);
        for (let i = 0; ; i++) {
          const name = `${i === 0 ? stem : `${stem}-${i}`}${ext}`;
          if (existing.has(name)) continue;
          existing.add(name);
          const destination = join(target, name);
          try {
            // COPYFILE_EXCL: a file that appeared since the listing is never replaced either.
            await copyFile(source, destination, fsConstants.COPYFILE_EXCL);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
            throw withTargetPath(error, destination);
          }
          saved.push(destination);
          break;
        }
      }
      return { saved };
    },
    'generate.exportModel': async ({ runId, folder, overwrite }) => {
      const runDir = runs.dirOf(runId);
      const outDir = await clientWritableFolder(folder, paths.root, writeRoots, home);
      if (overwrite !== true) {
        const existing = await existingExportFiles(outDir);
        if (existing.length > 0) return { existing };
      }
      await trainer.request('generate.exportModel', { runDir, outDir });
      return { modelJson: join(outDir, MODEL_EXPORT_FILES.model) };
    },
  };
}
