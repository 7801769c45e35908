/**
 * Import benchmark (not a test): 2,000 generated 256 px JPEGs to 64 px, first import and cached
 * re-import. Run with `npx tsx src-main/bench/bench-import.ts [count]`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { importDataset } from '../data/import';
import { noiseImage } from '../data/test-fixtures';

const count = Number(process.argv[2] ?? 2000);
const side = 256;

async function main(): Promise<void> {
  const workDir = await mkdtemp(join(tmpdir(), 'gan-bench-import-'));
  try {
    const folder = join(workDir, 'images');
    await mkdir(folder);
    const generateStart = performance.now();
    for (let i = 0; i < count; i += 16) {
      await Promise.all(
        Array.from({ length: Math.min(16, count - i) }, async (_, j) => {
          const jpeg = await noiseImage(side, side, i + j).jpeg({ quality: 90 }).toBuffer();
          await writeFile(join(folder, `image-${String(i + j).padStart(5, '0')}.jpg`), jpeg);
        }),
      );
    }
    console.log(`generated ${count} ${side} px JPEGs in ${((performance.now() - generateStart) / 1000).toFixed(1)} s`);

    const settings = { size: 64, mode: 'crop', background: 'white' } as const;
    const cacheDir = join(workDir, 'cache');
    for (const label of ['first import', 'cached re-import']) {
      const start = performance.now();
      const { report } = await importDataset([folder], settings, { cacheDir });
      const seconds = (performance.now() - start) / 1000;
      console.log(
        `${label.padEnd(16)} ${report.used} images in ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(0)} images/s` +
          ` (fromCache ${report.fromCache}, ${report.duplicates.length} duplicates, ${report.skipped.length} skipped)`,
      );
    }
    console.log(`${availableParallelism()} CPU cores, Node ${process.version}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

await main();
