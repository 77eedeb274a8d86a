// Runs in the sandboxed preload: bundled to one CommonJS file, it may import only electron.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildPreloadApi } from './preload-api.js';

contextBridge.exposeInMainWorld('lookalike', buildPreloadApi(ipcRenderer, webUtils));
