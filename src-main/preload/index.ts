import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createPreloadBridge } from './bridge';

contextBridge.exposeInMainWorld('ganStudio', createPreloadBridge(ipcRenderer, webUtils));
