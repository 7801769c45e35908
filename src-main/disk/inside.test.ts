import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isInside, PathEscapeError, realpathInsideAny, realpathNearest, resolveInside, typedPath, TypedPathError } from './inside';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gan-inside-'));
  await mkdir(join(root, 'home', 'pictures'), { recursive: true });
  await mkdir(join(root, 'elsewhere'), { recursive: true });
  await symlink(join(root, 'elsewhere'), join(root, 'home', 'link-out'));
});
after(() => rm(root, { recursive: true, force: true }));

test('resolveInside keeps the result strictly inside its parent', () => {
  assert.equal(resolveInside('/data/runs', 'abc'), '/data/runs/abc');
  assert.equal(resolveInside('/data/runs', 'a', 'b.png'), '/data/runs/a/b.png');
  assert.equal(resolveInside('/data/runs', '..foo'), '/data/runs/..foo');
  for (const segments of [['..'], ['.'], [''], ['../x'], ['a/../../x'], ['/etc'], ['a', '..', '..']]) {
    assert.throws(() => resolveInside('/data/runs', ...segments), PathEscapeError, JSON.stringify(segments));
  }
});

test('isInside compares resolved paths, the parent itself included', () => {
  assert.equal(isInside('/a/b', '/a'), true);
  assert.equal(isInside('/a', '/a'), true);
  assert.equal(isInside('/a/../b', '/a'), false);
  assert.equal(isInside('/ab', '/a'), false);
  assert.equal(isInside('/a/..b', '/a'), true);
});

test('realpathInsideAny follows links and accepts a missing tail', async () => {
  const home = join(root, 'home');
  assert.equal(await realpathInsideAny(join(home, 'pictures', 'new', 'deeper'), [home]), join(await realpathNearest(home), 'pictures', 'new', 'deeper'));
  assert.equal(await realpathInsideAny(join(home, 'link-out', 'x'), [home]), null, 'a link out of the root is outside');
  assert.equal(await realpathInsideAny(join(root, 'elsewhere'), [home, join(root, 'missing')]), null);
  assert.equal(await realpathInsideAny(home, [home]), await realpathNearest(home));
});

test('typedPath expands a leading ~ and refuses relative paths, naming the field', () => {
  const home = '/home/ada';
  assert.equal(typedPath('~', 'folder', { home }), home);
  assert.equal(typedPath('~/Pictures/cats/', 'folder', { home }), '/home/ada/Pictures/cats');
  assert.equal(typedPath('  /data/x/../images  ', 'folder', { home }), '/data/images');
  assert.equal(typedPath('/srv/~/odd', 'folder', { home }), '/srv/~/odd');
  for (const typed of ['pictures', './pictures', '../x', '~ada/x', '~x']) {
    assert.throws(() => typedPath(typed, 'Save to folder', { home }), (error: Error) => {
      assert.ok(error instanceof TypedPathError);
      assert.equal(error.message, `Save to folder: use an absolute path or ~/… (got "${typed}")`);
      return true;
    });
  }
  assert.throws(() => typedPath('   ', 'folder', { home }), /folder: type the full path of a folder/);
  assert.throws(() => typedPath('/a\0b', 'folder', { home }), /NUL/);
  // The command line resolves relative paths against the working folder, and still expands ~.
  assert.equal(typedPath('pictures', '--data', { home, base: '/work' }), '/work/pictures');
  assert.equal(typedPath('~/pictures', '--data', { home, base: '/work' }), '/home/ada/pictures');
  assert.equal(typedPath('~', 'folder'), homedir());
});
