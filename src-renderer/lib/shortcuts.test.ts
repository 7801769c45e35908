import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionForKey, VIEWS } from './shortcuts';
import { loadTheme, otherTheme, saveTheme } from './theme';

const key = (k: string, code: string, altKey = true) => ({ key: k, code, altKey, ctrlKey: false, metaKey: false });

test('Alt+digit switches views, Alt+letters trigger actions', () => {
  assert.deepEqual(actionForKey(key('1', 'Digit1')), { kind: 'view', view: 'datasets' });
  assert.deepEqual(actionForKey(key('4', 'Digit4')), { kind: 'view', view: 'runs' });
  assert.deepEqual(actionForKey(key('π', 'KeyP')), { kind: 'pause-resume' });
  assert.deepEqual(actionForKey(key('Enter', 'Enter')), { kind: 'start' });
  assert.deepEqual(actionForKey(key('l', 'KeyL')), { kind: 'toggle-theme' });
});

test('plain keys are left to the page', () => {
  assert.equal(actionForKey(key('p', 'KeyP', false)), null);
  assert.equal(actionForKey({ ...key('p', 'KeyP'), ctrlKey: true }), null);
  assert.equal(actionForKey(key('x', 'KeyX')), null);
});

test('the theme is remembered and defaults to dark', () => {
  const store = new Map<string, string>();
  const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
  assert.equal(loadTheme(storage), 'dark');
  saveTheme(storage, otherTheme('dark'));
  assert.equal(loadTheme(storage), 'light');
  assert.equal(loadTheme(null), 'dark');
  const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
  assert.equal(loadTheme(broken), 'dark');
  saveTheme(broken, 'light');
});

test('Alt+7 opens Experiments, listed after Runs', () => {
  assert.deepEqual(actionForKey(key('7', 'Digit7')), { kind: 'view', view: 'experiments' });
  assert.equal(VIEWS[VIEWS.findIndex((v) => v.name === 'runs') + 1].name, 'experiments');
});
