import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { classifyLine, isStartCommand, quickStartBlocks } from './newcomer-check';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

test("the README's marked quick-start blocks: with and without Electron's download, each an install and a start", () => {
  const blocks = quickStartBlocks(readme);
  assert.deepEqual([...blocks.keys()].sort(), ['with-electron', 'without-electron']);
  assert.deepEqual(blocks.get('with-electron'), ['npm install', 'npm start']);
  assert.deepEqual(blocks.get('without-electron'), ['ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install', 'npm start']);
  assert.deepEqual(blocks.get('without-electron')!.map(isStartCommand), [false, true]);
});

test('a marker without its block, or a name twice, is refused with the line', () => {
  assert.throws(() => quickStartBlocks('x\n<!-- quick-start:a -->\ntext\n'), /line 2: the quick-start:a marker must be followed by a ```sh block/);
  assert.throws(() => quickStartBlocks('<!-- quick-start:a -->\n```sh\nnpm ci\n'), /line 1: the quick-start:a block is not closed/);
  assert.throws(() => quickStartBlocks('<!-- quick-start:a -->\n```sh\nx\n```\n<!-- quick-start:a -->\n```sh\ny\n```\n'), /line 5: a second/);
});

test('lines that look like a failure are caught; the plain start-up lines are not', () => {
  const alarming = [
    'npm error code 1',
    'npm ERR! code ELIFECYCLE',
    'the Electron binary is not installed (Electron failed to install correctly, please delete node_modules/electron and try installing again)',
    'Error: listen EADDRINUSE: address already in use 127.0.0.1:5780',
    "TypeError: Cannot read properties of undefined (reading 'x')",
    '    at Server.setupListenHandle [as _listen2] (node:net:1908:16)',
    '    at file:///tmp/x/node_modules/@electron/get/dist/index.js:158:9',
    'npm warn deprecated inflight@1.0.6: This module is not supported',
    '(node:123) ExperimentalWarning: Type Stripping is an experimental feature',
    "npm warn EBADENGINE   package: 'left-pad@1.0.0',",
  ];
  for (const line of alarming) assert.equal(classifyLine(line).verdict, 'alarming', line);
  const plain = [
    "Electron's binary is not installed here (its download was skipped at install, e.g. ELECTRON_SKIP_BINARY_DOWNLOAD=1): starting GAN Studio in browser mode instead.",
    'Building the app once (electron-vite build)…',
    'GAN Studio is running in browser mode: http://127.0.0.1:5780/?token=abc',
    'gan-studio: GAN Studio is already running at http://127.0.0.1:5780/ — open the link that instance printed (it carries the access token)',
    'SIGINT: stopping GAN Studio; a training run saves a checkpoint of its current step first (again to quit at once)',
    'added 450 packages in 41s',
    '> gan-studio@0.1.0 start',
  ];
  for (const line of plain) assert.equal(classifyLine(line).verdict, 'plain', line);
});

test('the EBADENGINE block of the five packages the README explains is allowed, with the reason', () => {
  const block = [
    'npm warn EBADENGINE Unsupported engine {',
    "npm warn EBADENGINE   package: '@electron/rebuild@4.2.1',",
    "npm warn EBADENGINE   required: { node: '>=22.12.0' },",
    "npm warn EBADENGINE   current: { node: 'v20.20.2', npm: '11.19.1' }",
    'npm warn EBADENGINE }',
  ];
  for (const line of block) {
    const verdict = classifyLine(line);
    assert.equal(verdict.verdict, 'allowed', line);
    assert.match(verdict.why!, /README, Install and run/);
  }
  for (const name of ['electron@41.10.7', '@electron/get@5.1.0', '@electron-internal/extract-zip@1.0.8', 'node-abi@4.40.0']) {
    assert.equal(classifyLine(`npm warn EBADENGINE   package: '${name}',`).verdict, 'allowed', name);
  }
});
