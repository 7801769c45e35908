/** Electron's main process: one secure window, the IPC bridge, the image protocol, the trainer. */
import { app, BrowserWindow, dialog, net, protocol, utilityProcess } from 'electron';
import { join } from 'node:path';
import trainerEntry from '../trainer/index?modulePath';
import { APP_INDEX_URL, APP_SCHEME, CONTENT_SECURITY_POLICY } from '../shared/security';
import { IMAGE_SCHEME, IPC_EVENT_CHANNEL } from '../shared/contract';
import { appPaths } from '../disk/app-paths';
import { createHost } from '../host/services';
import { TrainerClient } from '../host/trainer-client';
import { registerIpcBridge, rendererUrlMatcher } from './ipc-bridge';
import { createAppProtocolHandler, PRIVILEGED_SCHEMES } from './app-protocol';
import { createImageProtocolHandler } from './image-protocol';
import { holdQuitUntilDisposed } from './quit';
import { utilityProcessLauncher } from './trainer-launcher';
import { denyAllPermissions, guardNavigation, secureWindowOptions } from './window';

protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES);

if (!app.requestSingleInstanceLock()) app.quit();

async function start(): Promise<void> {
  await app.whenReady();
  const paths = appPaths(process.env.GAN_STUDIO_HOME || join(app.getPath('userData'), 'studio'));
  // The trainer works in the same data folder as the host (its dataset cache, the demo set).
  const trainer = new TrainerClient(utilityProcessLauncher(utilityProcess.fork, trainerEntry, { ...process.env, GAN_STUDIO_HOME: paths.root }));
  // An experiment's pool of trainers (host/experiment-runner.ts) shares the cores: GAN_STUDIO_JOBS.
  const experimentLauncher = (jobs: number) => utilityProcessLauncher(utilityProcess.fork, trainerEntry, { ...process.env, GAN_STUDIO_HOME: paths.root, GAN_STUDIO_JOBS: String(jobs) });
  let window: BrowserWindow | null = null;
  const host = createHost({
    paths,
    trainer,
    experimentLauncher,
    mode: 'electron',
    version: app.getVersion(),
    chooseFolder: async (title) => {
      const options = { title: title ?? 'Choose a folder of images', properties: ['openDirectory' as const, 'createDirectory' as const] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  });
  holdQuitUntilDisposed(app, () => host.dispose(), process);

  const devServer = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
  const isAppUrl = rendererUrlMatcher(APP_INDEX_URL, devServer);

  // The renderer comes from app://gan-studio (CSP as a response header), never from file://.
  protocol.handle(APP_SCHEME, createAppProtocolHandler(join(import.meta.dirname, '../renderer'), (url) => net.fetch(url)));
  protocol.handle(IMAGE_SCHEME, createImageProtocolHandler(host));
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    guardNavigation(contents, isAppUrl);
  });
  const sessionHeaders = (details: Electron.OnHeadersReceivedListenerDetails, callback: (response: Electron.HeadersReceivedResponse) => void) =>
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });

  window = new BrowserWindow(secureWindowOptions(join(import.meta.dirname, '../preload/index.cjs')));
  // The dev server's responses get the CSP here; app:// responses carry it themselves.
  window.webContents.session.webRequest.onHeadersReceived(sessionHeaders);
  denyAllPermissions(window.webContents.session);
  registerIpcBridge({
    ipcMain: (await import('electron')).ipcMain,
    host,
    isTrustedSender: isAppUrl,
    sendEvent: (event, payload) => {
      if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event, payload);
    },
  });
  window.once('ready-to-show', () => window?.show());
  await window.loadURL(devServer ?? APP_INDEX_URL);

  app.on('window-all-closed', () => app.quit());
}

start().catch((error: unknown) => {
  dialog.showErrorBox('GAN Studio could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
});
