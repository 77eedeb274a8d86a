// The desktop app's main process: one window, one engine in a utilityProcess, routing only.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, net, protocol, utilityProcess } from 'electron';
import { channel } from '../../src-shared/contract.js';
import { EngineProcess, type ProcessPort } from '../engine/child.js';
import type { FromEngine } from '../engine/protocol.js';
import { defaultLibraryDir } from '../library/paths.js';
import { rendererDir } from '../server/renderer-dir.js';
import { registerIpc } from './ipc.js';
import { resolveProtocolRequest } from './media-protocol.js';
import { hardenWebContents, windowOptions } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url));

protocol.registerSchemesAsPrivileged([
  { scheme: channel.protocolScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function utilitySpawner(entry: string, libraryDir: string): ProcessPort {
  const child = utilityProcess.fork(entry, [libraryDir], { serviceName: 'Lookalike engine' });
  return {
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', (m: unknown) => l(m as FromEngine)),
    onExit: (l) => child.on('exit', (code: number) => l(code)),
    kill: () => void child.kill(),
  };
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  const library = process.env.LOOKALIKE_LIBRARY ?? defaultLibraryDir();
  const engine = await EngineProcess.start(library, {
    spawner: utilitySpawner,
    onRestart: (message) => {
      for (const w of BrowserWindow.getAllWindows()) w.webContents.send(channel.event, { name: 'notice', payload: message });
    },
  });
  const ui = rendererDir();
  protocol.handle(channel.protocolScheme, async (request) => {
    const answer = await resolveProtocolRequest(request.url, ui, engine);
    if ('status' in answer) return new Response(null, { status: answer.status });
    const res = await net.fetch(pathToFileURL(answer.file).href);
    const headers = new Headers(res.headers);
    for (const [k, v] of Object.entries(answer.headers)) headers.set(k, v);
    return new Response(res.body, { status: res.status, headers });
  });
  registerIpc(ipcMain, engine);

  const win = new BrowserWindow(windowOptions(path.join(here, 'preload.cjs'), { width: 1280, height: 820 }));
  hardenWebContents(win.webContents);
  engine.onEvent((name, payload) => win.webContents.send(channel.event, { name, payload }));
  win.once('ready-to-show', () => win.show());
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => {
    void engine.close().then(() => app.quit());
  });
  await win.loadURL(`${channel.protocolApp}index.html`);
}

void start();
