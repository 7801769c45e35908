/**
 * The README newcomer check: does someone who follows only the README's quick start see anything
 * that looks like a failure? Clones this repository's committed HEAD into a temporary folder, runs
 * one marked quick-start block of README.md exactly as written (bash, one command a line), and
 * fails on any output line that scripts/newcomer-check.ts calls alarming and does not allow.
 * A start command (`npm start`) is time-boxed: wait for the URL line (5 min: the first start
 * builds the app), open the URL, run the same command a second time (it must exit at once, saying
 * in plain lines that GAN Studio already runs), then stop the first with SIGINT to its process
 * group, as Ctrl-C in a terminal does. Every other command must exit 0 within 20 minutes.
 *
 *   node --import tsx scripts/readme-newcomer.ts [--block without-electron] [--keep]
 *
 * The clone gets a fresh data folder (GAN_STUDIO_HOME) and a free port (GAN_STUDIO_PORT), so a
 * GAN Studio already running here does not change the result; npm's own cache is shared. Exit
 * status 0 when every line was plain or allowed and every command did what it should, else 1.
 * Not part of `npm test`: npm downloads every package (a few minutes).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { classifyLine, isStartCommand, quickStartBlocks, type LineVerdict } from './newcomer-check';

const INSTALL_LIMIT_MS = 20 * 60_000;
const READY_LIMIT_MS = 5 * 60_000;
const SECOND_START_LIMIT_MS = 60_000;
const STOP_LIMIT_MS = 30_000;
const READY_LINE = /GAN Studio is running in browser mode: (http:\/\/\S+)/;

const { values: args } = parseArgs({ options: { block: { type: 'string', default: 'without-electron' }, keep: { type: 'boolean', default: false } } });
const repo = fileURLToPath(new URL('..', import.meta.url));

const verdicts: LineVerdict[] = [];
const problems: string[] = [];
const running = new Set<ChildProcess>();

function git(...gitArgs: string[]): string {
  const result = spawnSync('git', gitArgs, { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${gitArgs.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A command started in its own process group, its output classified and echoed line by line. */
interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(command: string, cwd: string, env: NodeJS.ProcessEnv, label: string): Started {
  process.stdout.write(`\n$ ${command}${label ? `   (${label})` : ''}\n`);
  const child = spawn('bash', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      output += chunk;
      const lines = (partial + chunk).split(/\r?\n|\r/);
      partial = lines.pop()!;
      for (const line of lines) echo(line);
    });
    stream.on('end', () => partial && echo(partial));
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output: () => output, exited };
}

function echo(line: string): void {
  if (line.trim() === '') return;
  const verdict = classifyLine(line);
  verdicts.push(verdict);
  const mark = verdict.verdict === 'alarming' ? '✗' : verdict.verdict === 'allowed' ? '·' : '│';
  process.stdout.write(`  ${mark} ${line}${verdict.verdict === 'alarming' ? `   <- ${verdict.why}` : ''}\n`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group has already gone.
  }
}

/** Resolves with the promise's value, or with 'timeout' after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runToEnd(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const began = Date.now();
  const run = start(command, cwd, env, '');
  const result = await within(run.exited, INSTALL_LIMIT_MS);
  if (result === 'timeout') {
    signalGroup(run.child, 'SIGKILL');
    problems.push(`\`${command}\` did not finish within ${INSTALL_LIMIT_MS / 60_000} minutes`);
    return;
  }
  process.stdout.write(`  (exit ${result.code ?? result.signal} after ${((Date.now() - began) / 1000).toFixed(0)} s)\n`);
  if (result.code !== 0) problems.push(`\`${command}\` exited with ${result.code ?? result.signal}`);
}

async function runStart(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const began = Date.now();
  const first = start(command, cwd, env, 'time-boxed: until its URL, then Ctrl-C');
  const ready = new Promise<string>((resolve) => {
    const check = () => {
      const match = READY_LINE.exec(first.output());
      if (match) resolve(match[1]!);
    };
    first.child.stdout!.on('data', check);
  });
  const outcome = await within(Promise.race([ready, first.exited]), READY_LIMIT_MS);
  if (outcome === 'timeout' || typeof outcome !== 'string') {
    signalGroup(first.child, 'SIGKILL');
    problems.push(outcome === 'timeout' ? `\`${command}\` printed no URL within ${READY_LIMIT_MS / 60_000} minutes` : `\`${command}\` exited before it printed a URL`);
    return;
  }
  process.stdout.write(`  (ready after ${((Date.now() - began) / 1000).toFixed(0)} s)\n`);
  try {
    const page = await fetch(outcome, { redirect: 'manual' });
    await page.arrayBuffer();
    if (page.status >= 400) problems.push(`the printed URL answered HTTP ${page.status}`);
  } catch (error) {
    problems.push(`the printed URL did not answer: ${error instanceof Error ? error.message : String(error)}`);
  }

  const second = start(command, cwd, env, 'a second start while the first runs');
  const secondResult = await within(second.exited, SECOND_START_LIMIT_MS);
  if (secondResult === 'timeout') {
    signalGroup(second.child, 'SIGKILL');
    problems.push(`a second \`${command}\` kept running (a second server?)`);
  } else {
    process.stdout.write(`  (exit ${secondResult.code ?? secondResult.signal})\n`);
    if (!/GAN Studio is already running at http:\/\/127\.0\.0\.1:\d+\//.test(second.output())) {
      problems.push(`a second \`${command}\` did not say that GAN Studio already runs`);
    }
  }

  process.stdout.write(`\n(Ctrl-C: SIGINT to the first start's process group)\n`);
  signalGroup(first.child, 'SIGINT');
  const stopped = await within(first.exited, STOP_LIMIT_MS);
  if (stopped === 'timeout') {
    signalGroup(first.child, 'SIGKILL');
    problems.push(`\`${command}\` did not stop within ${STOP_LIMIT_MS / 1000} s of Ctrl-C`);
  } else {
    process.stdout.write(`  (ended: ${stopped.code ?? stopped.signal})\n`);
    if (!(stopped.signal === 'SIGINT' || stopped.code === 130)) problems.push(`\`${command}\` ended with ${stopped.code ?? stopped.signal} on Ctrl-C`);
  }
}

async function main(): Promise<number> {
  const blocks = quickStartBlocks(await readFile(join(repo, 'README.md'), 'utf8'));
  const commands = blocks.get(args.block!);
  if (!commands) {
    process.stderr.write(`README.md has no quick-start:${args.block} block (it has: ${[...blocks.keys()].join(', ')})\n`);
    return 2;
  }
  const commit = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  const dir = await mkdtemp(join(tmpdir(), 'gan-newcomer-'));
  const clone = join(dir, 'gan-studio');
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|GAN_STUDIO_|ELECTRON_)|^INIT_CWD$/i.test(key)));
  env.GAN_STUDIO_HOME = join(dir, 'home');
  env.GAN_STUDIO_PORT = String(await freePort());
  process.stdout.write(
    `README newcomer check: the quick-start:${args.block} block of commit ${commit}${dirty ? ' (uncommitted changes are not in the clone)' : ''}\n` +
      `clone: ${clone}; node ${process.version}; GAN_STUDIO_HOME in the temporary folder; GAN_STUDIO_PORT=${env.GAN_STUDIO_PORT}\n`,
  );
  git('clone', '--quiet', repo, clone);
  try {
    for (const command of commands) {
      if (isStartCommand(command)) await runStart(command, clone, env);
      else await runToEnd(command, clone, env);
      if (problems.length > 0) break;
    }
  } finally {
    if (args.keep) process.stdout.write(`\nkept ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  }

  const alarming = verdicts.filter((v) => v.verdict === 'alarming');
  const allowed = verdicts.filter((v) => v.verdict === 'allowed');
  process.stdout.write(`\n${verdicts.length} output lines: ${alarming.length} look like a failure, ${allowed.length} allowed.\n`);
  for (const reason of new Set(allowed.map((v) => v.why))) {
    process.stdout.write(`  allowed (${allowed.filter((v) => v.why === reason).length} lines): ${reason}\n`);
  }
  for (const v of alarming) process.stdout.write(`  ✗ ${v.line}   <- ${v.why}\n`);
  for (const problem of problems) process.stdout.write(`  ✗ ${problem}\n`);
  const ok = alarming.length === 0 && problems.length === 0;
  process.stdout.write(ok ? 'PASS: nothing a newcomer would read as a failure.\n' : 'FAIL\n');
  return ok ? 0 : 1;
}

process.on('SIGINT', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
  process.exit(130);
});
process.exitCode = await main();
