import type { AppInfo } from '../shared/contract';
import { HostError, type HostHandlers } from './dispatch';

/**
 * What the app is (version, transport, data folder, platform) and the system folder picker, which
 * only Electron has (`chooseFolder` undefined elsewhere).
 */
export function appHandlers(
  info: Omit<AppInfo, 'platform'>,
  chooseFolder?: (title?: string) => Promise<string | null>,
): Pick<HostHandlers, 'app.info' | 'dialog.chooseFolder'> {
  return {
    'app.info': async () => ({ version: info.version, mode: info.mode, dataDir: info.dataDir, platform: process.platform }),
    'dialog.chooseFolder': async ({ title }) => {
      if (!chooseFolder) throw new HostError('no folder dialog in browser mode: type the folder path instead');
      return chooseFolder(title);
    },
  };
}
