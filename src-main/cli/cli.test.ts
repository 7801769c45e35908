import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { writeRunConfig } from '../disk/run-folder';
import { defaultRunConfig } from '../shared/schema';

const bin = fileURLToPath(new URL('./gan-studio.mjs', import.meta.url));

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('--help lists every subcommand', async () => {
  const { code, stdout } = await runCli(['--help']);
  assert.equal(code, 0);
  for (const name of ['start', 'serve', 'backend', 'dataset', 'train', 'generate', 'interpolate', 'export', 'bench', 'theory', 'toy', 'gmm', 'score', 'experiment']) {
    assert.match(stdout, new RegExp(`^\\s+${name}\\b`, 'm'), `${name} is listed`);
  }
});

test('backend prints the trainer process report as JSON', async () => {
  const home = await mkdtemp(join(tmpdir(), 'gan-cli-'));
  try {
    const { code, stdout } = await runCli(['backend'], { GAN_STUDIO_HOME: home });
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as { backend: string; skipped: Array<{ backend: string; reason: string }>; pid: number };
    assert.ok(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'].includes(report.backend));
    assert.ok(report.pid > 0);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('backend reports wasm on every core (at most 8 threads), as the backend counts them', async () => {
  const home = await mkdtemp(join(tmpdir(), 'gan-cli-'));
  try {
    const { code, stdout, stderr } = await runCli(['backend'], { GAN_STUDIO_HOME: home, GAN_STUDIO_BACKEND: 'wasm' });
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as { backend: string; threads: number; skipped: Array<{ backend: string; reason: string }> };
    assert.equal(report.backend, 'wasm');
    // On the 2-core machines this project is built on: 2 threads, where tfjs alone starts 1.
    assert.equal(report.threads, Math.min(8, availableParallelism()), JSON.stringify(report.skipped));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('a bad option or command is one clear line and exit code 2', async () => {
  const badPort = await runCli(['serve', '--port', 'eighty']);
  assert.equal(badPort.code, 2);
  assert.equal(badPort.stderr.trim(), 'gan-studio: --port must be 0-65535, got eighty');
  const unknown = await runCli(['paint']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'paint'/);
  assert.doesNotMatch(unknown.stderr, /\n\s+at /, 'no stack trace');
});

test('export never replaces an earlier export unless --overwrite says so', async () => {
  const home = await mkdtemp(join(tmpdir(), 'gan-cli-'));
  try {
    const runDir = join(home, 'run');
    await writeRunConfig(runDir, defaultRunConfig({ data: { folders: ['/nowhere'], settings: { size: 64, mode: 'crop', background: '#ffffff' } } }));
    const out = join(home, 'out');
    await mkdir(out);
    await writeFile(join(out, 'model.json'), 'an earlier export');
    const refused = await runCli(['export', '--run', runDir, '--out', out], { GAN_STUDIO_HOME: home });
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `gan-studio: --out: ${out} already holds model.json; choose another folder, or pass --overwrite to replace them\n`);
    assert.equal(await readFile(join(out, 'model.json'), 'utf8'), 'an earlier export');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
