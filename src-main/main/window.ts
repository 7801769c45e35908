import type { BrowserWindowConstructorOptions } from 'electron';

/** The security settings every window gets (Electron's security checklist). */
export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'GAN Studio',
    backgroundColor: '#14161b',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

export interface NavigationGuardTarget {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): void;
  on(event: 'will-frame-navigate', listener: (details: { url: string; preventDefault(): void }) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * The app never navigates away from its own page, in its main frame or any frame
 * ('will-frame-navigate' also sees subframes and redirects of them), and never opens windows.
 */
export function guardNavigation(contents: NavigationGuardTarget, isAppUrl: (url: string) => boolean): void {
  const block = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url)) event.preventDefault();
  };
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-frame-navigate', (details) => block(details, details.url));
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The parts of Electron's Session that permissions use, so tests can inject a stand-in. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

/**
 * The app needs no permission (camera, notifications, clipboard reads, HID, ...): every request is
 * refused, and every check (what navigator.permissions.query and feature probes see) says no.
 */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
