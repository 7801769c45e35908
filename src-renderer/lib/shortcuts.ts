/** Keyboard access to the main actions: one table, so tooltips and the handler never disagree. */
export type ViewName = 'datasets' | 'new-run' | 'training' | 'runs' | 'experiments' | 'generate' | 'playground';

export const VIEWS: ReadonlyArray<{ name: ViewName; label: string; key: string }> = [
  { name: 'datasets', label: 'Datasets', key: '1' },
  { name: 'new-run', label: 'New run', key: '2' },
  { name: 'training', label: 'Training', key: '3' },
  { name: 'runs', label: 'Runs', key: '4' },
  { name: 'experiments', label: 'Experiments', key: '7' },
  { name: 'generate', label: 'Generate', key: '5' },
  { name: 'playground', label: 'Playground', key: '6' },
];

export type Action =
  | { kind: 'view'; view: ViewName }
  | { kind: 'toggle-theme' }
  | { kind: 'start' }
  | { kind: 'pause-resume' }
  | { kind: 'stop' }
  | { kind: 'generate' };

/** Shortcuts use Alt so they never clash with typing in a field or with the browser's Ctrl keys. */
export const ACTION_KEYS = {
  'toggle-theme': 'L',
  start: 'Enter',
  'pause-resume': 'P',
  stop: 'S',
  generate: 'G',
} as const;

export interface KeyLike {
  key: string;
  code?: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey?: boolean;
}

/** The label shown in tooltips, e.g. "Alt+P". */
export function shortcutLabel(key: string): string {
  return `Alt+${key}`;
}

/** The action a key press asks for, or null. Uses `code` where it exists: Alt+letter types symbols on macOS. */
export function actionForKey(event: KeyLike): Action | null {
  if (!event.altKey || event.ctrlKey || event.metaKey) return null;
  const fromCode = event.code?.startsWith('Digit') ? event.code.slice(5) : event.code?.startsWith('Key') ? event.code.slice(3) : null;
  const key = (fromCode ?? event.key).toUpperCase();
  const view = VIEWS.find((v) => v.key === key);
  if (view) return { kind: 'view', view: view.name };
  if (key === ACTION_KEYS['toggle-theme']) return { kind: 'toggle-theme' };
  if (event.key === 'Enter' || event.code === 'Enter') return { kind: 'start' };
  if (key === ACTION_KEYS['pause-resume']) return { kind: 'pause-resume' };
  if (key === ACTION_KEYS.stop) return { kind: 'stop' };
  if (key === ACTION_KEYS.generate) return { kind: 'generate' };
  return null;
}
