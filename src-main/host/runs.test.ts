import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultRunConfig } from '../shared/schema';
import { writeRunConfig } from '../disk/run-folder';
import { RunStore } from './runs';

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-runs-'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('damaged run folders are listed as broken with the reason, beside the good runs', async () => {
  const runs = join(root, 'runs');
  const good = join(runs, '20240101-000000-good');
  await writeRunConfig(good, defaultRunConfig({ steps: 10, data: { folders: ['/images'], settings: { size: 64, mode: 'crop', background: '#ffffff' } } }));
  await writeFile(join(good, 'metrics.jsonl'), '{"step":1}\n{"step":2}\n');
  // What train.start with config: null used to leave behind.
  const nullConfig = join(runs, '20240102-000000-null');
  await mkdir(nullConfig, { recursive: true });
  await writeFile(join(nullConfig, 'config.json'), 'null');
  const truncated = join(runs, '20240103-000000-cut');
  await mkdir(truncated, { recursive: true });
  const text = JSON.stringify(defaultRunConfig(), null, 2);
  await writeFile(join(truncated, 'config.json'), text.slice(0, text.length / 3));
  const noData = join(runs, '20240104-000000-nodata');
  await mkdir(noData, { recursive: true });
  await writeFile(join(noData, 'config.json'), JSON.stringify({ steps: 5 }));
  // Not runs: a folder being set up (still empty) and a stray file.
  await mkdir(join(runs, '20240105-000000-new'));
  await writeFile(join(runs, 'notes.txt'), 'hello');

  const list = await new RunStore(runs).list();
  assert.deepEqual(list.map((r) => r.id).sort(), ['20240101-000000-good', '20240102-000000-null', '20240103-000000-cut', '20240104-000000-nodata']);
  const byId = new Map(list.map((r) => [r.id, r]));
  const goodEntry = byId.get('20240101-000000-good')!;
  assert.equal(goodEntry.broken, undefined);
  assert.ok(!goodEntry.broken && goodEntry.stepsDone === 2 && goodEntry.config.steps === 10);
  assert.equal(byId.get('20240102-000000-null')!.broken, `${join(nullConfig, 'config.json')} does not hold a run configuration (it holds null): restore it from a backup, or delete the run`);
  assert.equal(byId.get('20240103-000000-cut')!.broken, `${join(truncated, 'config.json')} is damaged (not valid JSON; it may have been cut short): restore it from a backup, or delete the run`);
  assert.match(byId.get('20240104-000000-nodata')!.broken!, /config\.json: it lacks the settings arch, size, width, latent, prior, loss, k, batch, .*data: restore it/);
  for (const entry of list) assert.ok(!String(entry.broken ?? '').includes('\n'));

  // A broken run can be deleted from the list.
  await new RunStore(runs).delete('20240102-000000-null');
  assert.ok(!(await readdir(runs)).includes('20240102-000000-null'));
});

test('a run folder that a live process is training cannot be deleted', async () => {
  const runs = join(root, 'locked');
  const dir = join(runs, 'run-a');
  await writeRunConfig(dir, defaultRunConfig());
  await writeFile(join(dir, 'run.lock'), JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2024-01-01T00:00:00.000Z', token: 'x' }));
  await assert.rejects(new RunStore(runs).delete('run-a'), /run-a is in use: another GAN Studio process \(pid \d+\)/);
  assert.ok((await readdir(runs)).includes('run-a'));
});
