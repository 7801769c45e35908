export type Theme = 'dark' | 'light';
export const THEME_KEY = 'gan-studio.theme';

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The remembered theme; dark by default because artists judge colours best on a calm dark field. */
export function loadTheme(storage: StorageLike | null | undefined): Theme {
  try {
    return storage?.getItem(THEME_KEY) === 'light' ? 'light' : 'dark';
  } catch {
    // Storage can throw (disabled, private mode): the default theme is fine.
    return 'dark';
  }
}

export function saveTheme(storage: StorageLike | null | undefined, theme: Theme): void {
  try {
    storage?.setItem(THEME_KEY, theme);
  } catch {
    // Not remembering the theme is better than failing the toggle.
  }
}

export function otherTheme(theme: Theme): Theme {
  return theme === 'dark' ? 'light' : 'dark';
}
