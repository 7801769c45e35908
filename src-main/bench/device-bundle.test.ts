import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { BUNDLE_FILES, BUNDLE_LIMIT_BYTES, checkBundle } from './device-bundle';

/** A folder holding every file a bundle needs, each a few bytes. */
function completeBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gan-device-bundle-test-'));
  for (const file of BUNDLE_FILES) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), 'x');
  }
  return dir;
}

test('a bundle with every file, under 64 MiB, has no problems', () => {
  const dir = completeBundle();
  try {
    assert.deepEqual(checkBundle(dir), { bytes: BUNDLE_FILES.length, problems: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bundle lacking files names each one', () => {
  const dir = completeBundle();
  try {
    rmSync(join(dir, 'node.gz'));
    rmSync(join(dir, 'app/node_modules/webgpu/dist/linux-x64/dawn.node.gz'));
    assert.deepEqual(checkBundle(dir).problems, ['node.gz is missing', 'app/node_modules/webgpu/dist/linux-x64/dawn.node.gz is missing']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bundle of 64 MiB or more is over what the device machine takes', () => {
  const dir = completeBundle();
  try {
    // Sparse: the apparent size is what a copy moves and what the check counts.
    const fd = openSync(join(dir, 'node.gz'), 'w');
    ftruncateSync(fd, BUNDLE_LIMIT_BYTES);
    closeSync(fd);
    const { bytes, problems } = checkBundle(dir);
    assert.equal(bytes, BUNDLE_LIMIT_BYTES + BUNDLE_FILES.length - 1);
    assert.deepEqual(problems, ['the bundle is 64.0 MiB; the device machine takes less than 64.0 MiB']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing bundle folder says how to build it', () => {
  const dir = join(tmpdir(), 'gan-device-bundle-test-absent');
  assert.deepEqual(checkBundle(dir).problems, [`${dir} does not exist: run \`npm run device-bundle\``]);
});
