import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { listCheckpoints, readMetrics } from '../disk/run-folder';
import { defaultRunConfig } from '../shared/schema';
import { noiseImage } from '../data/test-fixtures';
import type { BackendReport, RunSummary, StepMetrics } from '../shared/contract';

const FIXTURE = join(import.meta.dirname, 'serve-fixture.ts');

interface Served {
  child: ChildProcess;
  ws: WebSocket;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
  call<T>(method: string, params?: unknown): Promise<T>;
  /** Resolves once a train.metrics event carries a step of at least `step`. */
  reachedStep(step: number): Promise<void>;
}

/** A real browser-mode server process (own process group, like a shell job), connected over WebSocket. */
async function serve(home: string, renderer: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, renderer], {
    env: { ...process.env, GAN_STUDIO_HOME: home, GAN_STUDIO_BACKEND: 'cpu' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const { port, token } = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    void exited.then(({ code }) => reject(new Error(`the server exited with code ${code}: ${stderr}`)));
  });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { headers: { origin: `http://127.0.0.1:${port}` } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.on('error', () => {});
  let nextId = 1;
  let maxStep = 0;
  const stepWaiters: Array<{ step: number; resolve: () => void }> = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { event?: string; payload?: { metrics: StepMetrics[] } };
    if (message.event !== 'train.metrics') return;
    for (const m of message.payload!.metrics) maxStep = Math.max(maxStep, m.step);
    for (const waiter of stepWaiters.filter((w) => w.step <= maxStep)) {
      stepWaiters.splice(stepWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  return {
    child,
    ws,
    exited,
    stderr: () => stderr,
    call: <T>(method: string, params?: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        const onMessage = (data: WebSocket.RawData) => {
          const message = JSON.parse(String(data)) as { id?: number; ok: boolean; result?: T; error?: string };
          if (message.id !== id) return;
          ws.off('message', onMessage);
          if (message.ok) resolve(message.result as T);
          else reject(new Error(message.error));
        };
        ws.on('message', onMessage);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    reachedStep: (step) => (maxStep >= step ? Promise.resolve() : new Promise((resolve) => stepWaiters.push({ step, resolve }))),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('ending browser mode while a run trains keeps its last step', () => {
  let root: string;
  let renderer: string;
  let images: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gan-browser-mode-'));
    renderer = join(root, 'renderer');
    images = join(root, 'images');
    await mkdir(renderer);
    await writeFile(join(renderer, 'index.html'), '<!doctype html><title>GAN Studio</title>');
    await mkdir(images);
    for (let i = 0; i < 6; i++) await noiseImage(24, 24, i + 1).png().toFile(join(images, `img-${i}.png`));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Starts a long run with no checkpoint due for 100,000 steps, and waits until it has trained a few. */
  async function trainingServer(name: string): Promise<{ served: Served; runDir: string; trainerPid: number }> {
    const served = await serve(join(root, name), renderer);
    const config = defaultRunConfig({
      size: 16,
      width: 4,
      latent: 8,
      batch: 4,
      steps: 100_000,
      sampleEvery: 100_000,
      checkpointEvery: 100_000,
      data: { folders: [images], settings: { size: 16, mode: 'crop', background: '#ffffff' } },
    });
    const run = await served.call<RunSummary>('train.start', { config });
    const { pid } = await served.call<BackendReport>('trainer.backend');
    await served.reachedStep(5);
    return { served, runDir: run.dir, trainerPid: pid };
  }

  /** The newest checkpoint is of the last step logged in metrics.jsonl: not one step was lost. */
  async function assertLastStepKept(runDir: string): Promise<void> {
    const metrics = await readMetrics(runDir);
    const checkpoints = await listCheckpoints(runDir);
    assert.ok(metrics.length >= 5, `only ${metrics.length} steps were logged`);
    assert.ok(checkpoints.length > 0, 'no checkpoint was written');
    assert.equal(checkpoints.at(-1)!.step, metrics.at(-1)!.step);
    const header = await readFile(checkpoints.at(-1)!.path);
    assert.ok(header.length > 0);
  }

  test('SIGTERM to the server: the trainer checkpoints its current step, then both exit', async () => {
    const { served, runDir, trainerPid } = await trainingServer('sigterm');
    served.child.kill('SIGTERM');
    const { code } = await served.exited;
    await gone(trainerPid);
    await assertLastStepKept(runDir);
    assert.equal(code, 143, served.stderr());
    assert.match(served.stderr(), /SIGTERM: stopping GAN Studio; a training run saves a checkpoint of its current step first/);
  });

  test('Ctrl-C (SIGINT to the whole process group, trainer included): the same', async () => {
    const { served, runDir, trainerPid } = await trainingServer('sigint');
    process.kill(-served.child.pid!, 'SIGINT');
    const { code } = await served.exited;
    await gone(trainerPid);
    await assertLastStepKept(runDir);
    assert.equal(code, 130, served.stderr());
  });

  test('the server killed outright (SIGKILL, a crash): the trainer sees its channel close and checkpoints', async () => {
    const { served, runDir, trainerPid } = await trainingServer('sigkill');
    served.child.kill('SIGKILL');
    const { signal } = await served.exited;
    assert.equal(signal, 'SIGKILL');
    await gone(trainerPid);
    await assertLastStepKept(runDir);
  });
});
