import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isInside, PathEscapeError, realpathInsideAny, realpathNearest, resolveInside } from './inside';

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
