import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { electronBinary } from './commands/start';
import { CLI_ENTRY, runCommand, type CommandResult } from './test-cli';

/** What a line of start-up output must never say to someone whose Electron binary is absent by design. */
const ALARMING = /please delete|failed|Error|EADDRINUSE|^\s+at /m;

describe('finding Electron\'s binary without electron/index.js', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gan-electron-pkg-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('an install with ELECTRON_SKIP_BINARY_DOWNLOAD (no path.txt) is missing, with that reason', async () => {
    const pkg = join(dir, 'skipped');
    await mkdir(pkg);
    await writeFile(join(pkg, 'package.json'), '{"name":"electron"}');
    assert.deepEqual(electronBinary({}, pkg), { missing: '(its download was skipped at install, e.g. ELECTRON_SKIP_BINARY_DOWNLOAD=1)' });
  });

  test('path.txt names dist/<executable>: found when the file is there, missing when it is not', async () => {
    const pkg = join(dir, 'downloaded');
    await mkdir(join(pkg, 'dist'), { recursive: true });
    await writeFile(join(pkg, 'path.txt'), 'electron');
    assert.deepEqual(electronBinary({}, pkg), { missing: `(its download left no ${join('node_modules', 'electron', 'dist', 'electron')})` });
    await writeFile(join(pkg, 'dist', 'electron'), '');
    assert.deepEqual(electronBinary({}, pkg), { path: join(pkg, 'dist', 'electron') });
  });

  test('ELECTRON_OVERRIDE_DIST_PATH replaces dist/, as in electron/index.js; no package at all is missing too', async () => {
    const pkg = join(dir, 'downloaded');
    const other = join(dir, 'other-dist');
    await mkdir(other);
    assert.ok('missing' in electronBinary({ ELECTRON_OVERRIDE_DIST_PATH: other }, pkg));
    await writeFile(join(other, 'electron'), '');
    assert.deepEqual(electronBinary({ ELECTRON_OVERRIDE_DIST_PATH: other }, pkg), { path: join(other, 'electron') });
    assert.deepEqual(electronBinary({}, null), { missing: '(the electron package is not installed)' });
  });
});

describe('`gan-studio start` where Electron\'s binary is missing (real processes)', () => {
  let home: string;
  let first: { child: ChildProcess; url: URL; stderr: () => string; done: Promise<CommandResult> };
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'gan-start-'));
    // An empty dist folder stands in for a skipped download on any machine, this one's binary or not.
    await mkdir(join(home, 'no-electron'));
  });
  after(async () => {
    first?.child.kill('SIGKILL');
    await rm(home, { recursive: true, force: true });
  });
  const env = () => ({ GAN_STUDIO_HOME: join(home, 'data'), GAN_STUDIO_BACKEND: 'cpu', ELECTRON_OVERRIDE_DIST_PATH: join(home, 'no-electron') });

  test('says so in one line, with no reinstall advice, then serves browser mode and prints its URL', async () => {
    let ready!: (value: { child: ChildProcess; url: URL }) => void;
    const started = new Promise<{ child: ChildProcess; url: URL }>((resolve) => (ready = resolve));
    let stderr = '';
    const done = runCommand(process.execPath, [CLI_ENTRY, 'start', '--port', '0'], env(), (stdout, child) => {
      const match = /running in browser mode: (\S+)\n/.exec(stdout);
      if (match) ready({ child, url: new URL(match[1]!) });
    });
    const outcome = await Promise.race([started, done]);
    assert.ok('child' in outcome, `start exited before serving: ${JSON.stringify(outcome)}`);
    first = { ...outcome, stderr: () => stderr, done };
    void done.then((result) => (stderr = result.stderr));
    // The token URL sets the session cookie and sends the browser on to the page without the token.
    const page = await fetch(outcome.url, { redirect: 'manual' });
    await page.arrayBuffer();
    assert.ok(page.status < 400, `the printed URL opens the app (HTTP ${page.status})`);
  });

  test('a second start on the same port says, in one line, that GAN Studio already runs there', async () => {
    assert.ok(first, 'the first start is serving');
    const second = await runCommand(process.execPath, [CLI_ENTRY, 'start', '--port', first.url.port], env());
    assert.equal(second.code, 1);
    assert.equal(second.stdout, '');
    assert.equal(
      second.stderr,
      `gan-studio: GAN Studio is already running at http://127.0.0.1:${first.url.port}/ — open the link that instance printed (it carries the access token)\n`,
    );
  });

  test('Ctrl-C (SIGINT) stops the first one cleanly; its whole stderr was the one Electron line and the stop line', async () => {
    assert.ok(first, 'the first start is serving');
    first.child.kill('SIGINT');
    const result = await first.done;
    assert.equal(result.code, 130);
    const lines = result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('Building the app once'));
    assert.equal(lines.length, 2, result.stderr);
    assert.match(lines[0]!, /^Electron's binary is not installed here \(.+\): starting GAN Studio in browser mode instead\.$/);
    assert.match(lines[1]!, /^SIGINT: stopping GAN Studio/);
    assert.doesNotMatch(result.stderr, ALARMING);
    assert.match(result.stdout, /^GAN Studio is running in browser mode: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n$/);
  });
});
