// The desktop app's main process: one window, one engine in a utilityProcess, routing only.
// This file wires Electron to the pieces next to it; each piece is tested on its own.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, screen, session, utilityProcess } from 'electron';
import { channel } from '../../src-shared/contract.js';
import { EngineProcess, type ProcessPort } from '../link/engine-process.js';
import type { FromEngine } from '../link/protocol.js';
import { lockedEngine } from '../link/library-lock.js';
import { defaultLibraryDir } from '../common/library-paths.js';
import { rendererDir } from '../common/renderer-dir.js';
import { createCrashNotifier } from './crash-notice.js';
import { guardedSpawner } from './engine-spawn.js';
import { registerIpc, registerShellIpc } from './ipc.js';
import { chooseLibrary, rememberLibrary } from './library-choice.js';
import { LibraryLink } from './library-link.js';
import { handleProtocolRequest } from './media-protocol.js';
import { menuTemplate } from './menu.js';
import { denyAllPermissions, guardNewWebContents } from './security.js';
import { createShellActions, pickPhotoFolders, type DialogLike } from './shell-actions.js';
import { loadWindowState, trackWindowState } from './window-state.js';
import { hardenWebContents, windowOptions } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url));

protocol.registerSchemesAsPrivileged([
  { scheme: channel.protocolScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// The shell's own files (window position, last library, Chromium's caches) stay out of the
// default library folder, which is the platform's "Lookalike" data folder: a library folder
// holds the library only.
app.setPath('userData', path.join(app.getPath('appData'), 'lookalike-desktop'));

function utilitySpawner(entry: string, libraryDir: string): ProcessPort {
  const child = utilityProcess.fork(entry, [libraryDir], { serviceName: 'Lookalike engine' });
  return {
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', (m: unknown) => l(m as FromEngine)),
    onExit: (l) => child.on('exit', (code: number) => l(code)),
    kill: () => void child.kill(),
  };
}

/** Electron's dialogs, attached to the main window when there is one. */
function dialogsFor(win: () => BrowserWindow | null): DialogLike {
  return {
    showOpenDialog: (o) => {
      const w = win();
      return w ? dialog.showOpenDialog(w, o) : dialog.showOpenDialog(o);
    },
    showMessageBox: (o) => {
      const w = win();
      return w ? dialog.showMessageBox(w, o) : dialog.showMessageBox(o);
    },
  };
}

/** Stops the engine, but never lets a stuck engine keep the app from quitting. */
function closeWithin(engine: LibraryLink, ms: number): Promise<void> {
  return Promise.race([engine.close().catch(() => undefined), new Promise<void>((r) => setTimeout(r, ms))]);
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  guardNewWebContents(app);
  await app.whenReady();
  denyAllPermissions(session.defaultSession);

  let win: BrowserWindow | null = null;
  const dialogs = dialogsFor(() => win);
  const userData = app.getPath('userData');
  const rememberedFile = path.join(userData, 'library.json');

  let engine: LibraryLink | null = null;
  const notifier = createCrashNotifier({
    show: async (title, detail) => {
      await dialogs.showMessageBox({ type: 'warning', title: 'Lookalike', message: title, detail });
    },
    giveUp: (detail) => {
      dialog.showErrorBox('The Lookalike engine keeps stopping', detail);
      app.quit();
    },
  });
  // The app owns the library it opens: a CLI command meanwhile says so instead of working on it
  // beside this engine (link/library-lock.ts).
  const startEngine = (dir: string) => lockedEngine(dir, 'app', 'the Lookalike desktop app', () => startProcess(dir));
  const startProcess = (dir: string) => {
    const guard = guardedSpawner(utilitySpawner);
    return EngineProcess.start(dir, {
      spawner: guard.spawner,
      onRestart: (message) => {
        // An engine that never started has already failed its start() and been reported.
        if (!guard.everReady()) return;
        notifier.restarted(message);
        // The page's counts may be stale after a crash: tell it to look again.
        void engine
          ?.call('status', {})
          .then(({ images, embedded }) => {
            win?.webContents.send(channel.event, { name: 'libraryChanged', payload: { images, embedded } });
          })
          .catch(() => undefined);
      },
    });
  };

  const library = chooseLibrary(process.argv, process.env, rememberedFile, () => defaultLibraryDir());
  try {
    engine = await LibraryLink.open(library, startEngine);
  } catch (err) {
    dialog.showErrorBox('Lookalike could not start', `The engine could not open the library in ${library}:\n${(err as Error).message}`);
    app.quit();
    return;
  }
  const libraryLink = engine;

  const ui = rendererDir();
  protocol.handle(channel.protocolScheme, (request) => handleProtocolRequest(request, ui, libraryLink, (url) => net.fetch(url)));
  registerIpc(ipcMain, libraryLink);
  registerShellIpc(ipcMain, { pickFolders: () => pickPhotoFolders(dialogs) });

  const stateFile = path.join(userData, 'window-state.json');
  const state = loadWindowState(stateFile, screen);
  win = new BrowserWindow(
    windowOptions(path.join(here, 'preload.cjs'), { x: state.x, y: state.y, width: state.width, height: state.height }),
  );
  const mainWindow = win;
  trackWindowState(mainWindow, stateFile);
  hardenWebContents(mainWindow.webContents);
  libraryLink.onEvent((name, payload) => {
    if (!mainWindow.isDestroyed()) mainWindow.webContents.send(channel.event, { name, payload });
  });
  mainWindow.once('ready-to-show', () => {
    // Maximizing a hidden window would show it before its page is painted.
    if (state.maximized) mainWindow.maximize();
    mainWindow.show();
  });
  mainWindow.on('closed', () => (win = null));

  const actions = createShellActions({
    dialog: dialogs,
    engine: libraryLink,
    library: () => libraryLink.library,
    switchLibrary: async (dir) => {
      await libraryLink.switchTo(dir);
      try {
        rememberLibrary(rememberedFile, dir);
      } catch (err) {
        // The switch worked; only next run's default is lost.
        console.warn(`could not remember the library choice: ${(err as Error).message}`);
      }
      // Everything on the page belonged to the old library: start it afresh.
      if (!mainWindow.isDestroyed()) mainWindow.webContents.reload();
    },
    versions: {
      app: app.getVersion(),
      electron: process.versions.electron,
      node: process.versions.node,
      chrome: process.versions.chrome,
    },
    quit: () => app.quit(),
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate(actions, { dev: !app.isPackaged, platform: process.platform, appName: 'Lookalike' })),
  );

  app.on('second-instance', () => {
    if (mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void closeWithin(libraryLink, 6000).then(() => {
      closed = true;
      app.quit();
    });
  });
  await mainWindow.loadURL(`${channel.protocolApp}index.html`);
}

start().catch((err: unknown) => {
  // E.g. the UI was never built: say so rather than leave a window-less process behind.
  dialog.showErrorBox('Lookalike could not start', (err as Error)?.stack ?? String(err));
  app.quit();
});
