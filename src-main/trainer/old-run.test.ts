/**
 * A run folder written before the run schema existed (commit e49c7eb: config.json without schemaVersion, a
 * version-1 checkpoint of a tiny model trained on the demo set) must still resume, generate and export.
 */
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tinyImageSet } from '../data/test-fixtures';
import { latestCheckpoint, readRunConfig } from '../disk/run-folder';
import { RUN_SCHEMA_VERSION } from '../shared/schema';
import { exportGenerator, generateImages } from './generation';
import { runTraining } from './session';

const fixture = fileURLToPath(new URL('../disk/fixtures/run-v1', import.meta.url));
let root: string;
let runDir: string;

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gan-old-run-'));
  runDir = join(root, 'run');
  await cp(fixture, runDir, { recursive: true });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('an old config.json is upgraded on read: schemaVersion added, every setting kept', async () => {
  const raw = JSON.parse(await readFile(join(fixture, 'config.json'), 'utf8'));
  assert.equal(raw.schemaVersion, undefined, 'the fixture is a version-1 config');
  const config = await readRunConfig(runDir);
  assert.equal(config.schemaVersion, RUN_SCHEMA_VERSION);
  for (const key of Object.keys(raw)) assert.deepEqual(config[key as keyof typeof config], raw[key], key);
});

test('the old run resumes from its checkpoint and writes the current schema', async () => {
  const config = await readRunConfig(runDir);
  const result = await runTraining({ runDir, config, resume: true, extraSteps: 2, cacheDir: join(root, 'cache'), demoDir: join(root, 'demo'), images: tinyImageSet() });
  assert.equal(result.state, 'finished');
  assert.equal(result.step, 5);
  assert.equal((await latestCheckpoint(runDir))?.step, 5);
  assert.equal(JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8')).schemaVersion, RUN_SCHEMA_VERSION);
});

test('the old run generates images and exports its generator', async () => {
  const fresh = join(root, 'fresh');
  await cp(fixture, fresh, { recursive: true });
  const images = await generateImages({ runDir: fresh, outDir: join(root, 'generated'), n: 3, seed: 4, rankByD: true });
  assert.equal(images.length, 3);
  assert.equal((await readdir(join(root, 'generated'))).filter((f) => f.endsWith('.png')).length, 3);
  const { modelJson } = await exportGenerator({ runDir: fresh, outDir: join(root, 'export') });
  assert.ok(JSON.parse(await readFile(modelJson, 'utf8')).modelTopology);
});
