import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

/** The files a generator export writes into its folder (trainer/generation.ts exportGenerator). */
export const MODEL_EXPORT_FILES = { model: 'model.json', weights: 'generator.weights.bin' } as const;

/**
 * Which of the export's files already exist in `folder` (names, in MODEL_EXPORT_FILES order):
 * exporting there would replace them, which needs the user's explicit choice.
 */
export async function existingExportFiles(folder: string): Promise<string[]> {
  const names = Object.values(MODEL_EXPORT_FILES);
  const found = await Promise.all(names.map((name) => lstat(join(folder, name)).then(() => true, () => false)));
  return names.filter((_, i) => found[i]);
}
