import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSafeId, isSafeId, MAX_ID_LENGTH, RUN_ID_PATTERN } from './ids';

test('ids are one plain path segment: never empty, a dot name, a separator, NUL or too long', () => {
  for (const good of ['20240101-000000-aaaa', 'a', 'run_1.v2', 'A-b.c', '2026-01-01-cats-1a2b3c4d', 'x'.repeat(MAX_ID_LENGTH)]) {
    assert.equal(isSafeId(good), true, good);
  }
  for (const bad of ['', '.', '..', '...', '.hidden', '../x', 'a/b', 'a\\b', '/', '\\', 'x\u0000', 'a b', '~', 'é', 'x'.repeat(MAX_ID_LENGTH + 1)]) {
    assert.equal(isSafeId(bad), false, JSON.stringify(bad));
  }
  for (const notString of [null, undefined, 5, {}, [], ['a'], true]) assert.equal(isSafeId(notString), false);
  assert.equal(RUN_ID_PATTERN.test('..'), false, 'the pattern alone refuses ".." too');
});

test('assertSafeId returns the id or names the field in one line', () => {
  assert.equal(assertSafeId('run id', 'abc'), 'abc');
  assert.throws(() => assertSafeId('run id', '..'), {
    message: `not a valid run id: ".." (run ids are letters, digits, '_', '-' and '.', not starting with '.', at most 100 characters)`,
  });
  assert.throws(() => assertSafeId('upload id', null), { message: /^not a valid upload id: null \(/ });
  assert.throws(() => assertSafeId('run id', 'y'.repeat(500)), (error: Error) => error.message.length < 200 && !error.message.includes('\n'));
});
