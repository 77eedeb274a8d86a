// The desktop shell with the `electron` module mocked: the Electron binary cannot run on our
// machines, so this checks the wiring (window, IPC routing, protocol, menu, permissions,
// engine restarts, library switching) instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventEmitter } from 'node:events';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { shellChannel } from '../../../src-shared/channels.js';
import { channel, methods } from '../../../src-shared/contract.js';
import { findMenuItem } from '../../../src-main/app/menu.js';

type Contents = EventEmitter & { openHandler: (d: { url: string }) => unknown; reloads: number };

const state = vi.hoisted(() => ({
  appData: '',
  userData: '',
  windows: [] as { options: Record<string, unknown>; sent: unknown[]; url?: string; contents: Contents; maximized: boolean; shown: boolean }[],
  browserWindows: [] as EventEmitter[],
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
  protocolHandler: undefined as undefined | ((req: { url: string; method: string }) => Promise<Response>),
  forks: [] as { entry: string; args: string[]; received: { type: string; method?: string; input?: unknown }[]; child: EventEmitter }[],
  fetched: [] as string[],
  appListeners: new Map<string, ((...a: unknown[]) => void)[]>(),
  menu: undefined as MenuItemConstructorOptions[] | undefined,
  permissionRequest: undefined as undefined | ((wc: unknown, p: string, cb: (g: boolean) => void, d: { requestingUrl: string }) => void),
  permissionCheck: undefined as undefined | ((wc: unknown, p: string, origin: string) => boolean),
  openDialogAnswers: [] as string[][],
  openDialogOptions: [] as { properties: string[] }[],
  messageBoxes: [] as { type: string; message: string; detail?: string }[],
  quits: 0,
}));

vi.mock('../../../src-main/common/renderer-dir.js', () => ({ rendererDir: () => '/opt/lookalike/renderer' }));

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  class FakeChild extends EventEmitter {
    constructor(readonly record: { received: unknown[] }) {
      super();
      setTimeout(() => this.emit('message', { type: 'ready' }), 0);
    }
    postMessage(m: { type: string; seq: number; method: string }) {
      this.record.received.push(m);
      if (m.type === 'shutdown') setTimeout(() => this.emit('exit', 0), 0);
      if (m.type === 'request') {
        const result =
          m.method === 'status'
            ? { version: '0.1.0', library: '/lib', backend: { name: 'wasm', detail: 'SIMD', skipped: [] }, images: 3, embedded: 3, labels: 0, activeModel: null }
            : { routed: m.method };
        setTimeout(() => this.emit('message', { type: 'response', seq: m.seq, ok: true, result }), 0);
      }
    }
    kill() {
      this.emit('exit', 0);
    }
  }
  class BrowserWindow extends EventEmitter {
    webContents: Contents;
    constructor(options: Record<string, unknown>) {
      super();
      const sent: unknown[] = [];
      const contents = Object.assign(new EventEmitter(), {
        send: (...a: unknown[]) => sent.push(a),
        setWindowOpenHandler: (h: unknown) => (contents.openHandler = h as never),
        openHandler: undefined as never,
        reloads: 0,
        reload: () => contents.reloads++,
      });
      this.webContents = contents as unknown as Contents;
      state.windows.push({ options, sent, contents: this.webContents, maximized: false, shown: false });
      state.browserWindows.push(this);
    }
    loadURL(url: string) {
      state.windows[state.windows.length - 1].url = url;
      return Promise.resolve();
    }
    maximize() {
      state.windows[state.windows.length - 1].maximized = true;
    }
    show() {
      state.windows[state.windows.length - 1].shown = true;
    }
    isDestroyed() {
      return false;
    }
    isMinimized() {
      return false;
    }
    static getAllWindows() {
      return [];
    }
  }
  const workArea = { x: 0, y: 0, width: 1920, height: 1080 };
  return {
    app: {
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      on: (event: string, l: (...a: unknown[]) => void) => state.appListeners.set(event, [...(state.appListeners.get(event) ?? []), l]),
      quit: () => state.quits++,
      getPath: (name: string) => (name === 'appData' ? state.appData : name === 'userData' ? state.userData : '/nowhere'),
      setPath: (name: string, p: string) => {
        if (name === 'userData') state.userData = p;
      },
      getVersion: () => '0.1.0',
      isPackaged: false,
    },
    BrowserWindow,
    Menu: {
      buildFromTemplate: (t: MenuItemConstructorOptions[]) => t,
      setApplicationMenu: (m: MenuItemConstructorOptions[]) => (state.menu = m),
    },
    dialog: {
      showOpenDialog: async (_w: unknown, o: { properties: string[] }) => {
        state.openDialogOptions.push(o);
        const answer = state.openDialogAnswers.shift();
        return answer ? { canceled: false, filePaths: answer } : { canceled: true, filePaths: [] };
      },
      showMessageBox: async (_w: unknown, o: { type: string; message: string }) => {
        state.messageBoxes.push(o);
        return { response: 0 };
      },
      showErrorBox: (message: string, detail: string) => state.messageBoxes.push({ type: 'error', message, detail }),
    },
    screen: { getAllDisplays: () => [{ workArea }], getPrimaryDisplay: () => ({ workArea }) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: never) => (state.permissionRequest = h),
        setPermissionCheckHandler: (h: never) => (state.permissionCheck = h),
      },
    },
    ipcMain: { handle: (ch: string, h: never) => state.handlers.set(ch, h) },
    protocol: {
      registerSchemesAsPrivileged: () => {},
      handle: (_scheme: string, h: never) => (state.protocolHandler = h),
    },
    net: {
      fetch: async (url: string) => {
        state.fetched.push(url);
        return new Response('file');
      },
    },
    utilityProcess: {
      fork: (entry: string, args: string[]) => {
        const record = { entry, args, received: [] as { type: string }[], child: undefined as unknown as EventEmitter };
        record.child = new FakeChild(record);
        state.forks.push(record);
        return record.child;
      },
    },
  };
});

const savedBounds = { x: 100, y: 50, width: 1000, height: 700, maximized: true };

/** Starts main.ts once (module cache), with a saved window position in its user-data folder. */
async function startApp() {
  if (!state.appData) {
    state.appData = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-appdata-'));
    const userData = path.join(state.appData, 'lookalike-desktop');
    fs.mkdirSync(userData);
    fs.writeFileSync(path.join(userData, 'window-state.json'), JSON.stringify(savedBounds));
    process.env.LOOKALIKE_LIBRARY = '/tmp/lookalike-electron-test';
  }
  await import('../../../src-main/app/main.js');
  await vi.waitFor(() => expect(state.windows.length).toBe(1));
  await vi.waitFor(() => expect(state.menu).toBeDefined());
  return state.windows[0];
}

function clickMenu(id: string): void {
  const item = findMenuItem(state.menu!, id);
  (item!.click as () => void)();
}

const lastFork = () => state.forks[state.forks.length - 1];
const trusted = { senderFrame: { url: `${channel.protocolApp}index.html` } };

describe('desktop main process (electron mocked)', () => {
  it('opens an isolated, sandboxed window without Node and loads our page', async () => {
    const win = await startApp();
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    expect(win.url).toBe(`${channel.protocolApp}index.html`);
  });

  it('keeps its own files out of the library folder and reopens the window where it was', async () => {
    const win = await startApp();
    const browserWindow = state.browserWindows[0];
    browserWindow.emit('ready-to-show');
    expect(state.userData).toBe(path.join(state.appData, 'lookalike-desktop'));
    const { maximized, ...bounds } = savedBounds;
    expect(win.options).toMatchObject(bounds);
    expect(win.maximized).toBe(maximized);
    expect(win.shown).toBe(true);
  });

  it('runs the engine in a utilityProcess on the chosen library', async () => {
    await startApp();
    expect(state.forks[0].entry).toMatch(/engine[\\/]main\.(ts|js)$/);
    expect(state.forks[0].args).toEqual(['/tmp/lookalike-electron-test']);
  });

  it('routes every contract method to the engine', async () => {
    await startApp();
    for (const m of methods) expect(state.handlers.get(channel.call(m)), m).toBeDefined();
    const reply = await state.handlers.get(channel.call('listJobs'))!(trusted, {});
    expect(reply).toEqual({ ok: true, result: { routed: 'listJobs' } });
  });

  it('refuses calls from other senders and malformed requests', async () => {
    await startApp();
    const status = state.handlers.get(channel.call('status'))!;
    expect(await status({ senderFrame: { url: 'https://evil.example/' } }, {})).toMatchObject({ ok: false });
    expect(await status({ senderFrame: null }, {})).toMatchObject({ ok: false });
    const cancel = state.handlers.get(channel.call('cancelJob'))!;
    const bad = (await cancel(trusted, { jobId: 'x' })) as { ok: boolean; error: { message: string } };
    expect(bad.ok).toBe(false);
    expect(bad.error.message).toMatch(/jobId/);
  });

  it('refuses navigation away, new windows, and every permission; guards any other webContents', async () => {
    const win = await startApp();
    let prevented = false;
    win.contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example/');
    expect(prevented).toBe(true);
    expect(win.contents.openHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    let granted: boolean | undefined;
    state.permissionRequest!({}, 'media', (g) => (granted = g), { requestingUrl: 'lookalike://app/index.html' });
    expect(granted).toBe(false);
    expect(state.permissionCheck!({}, 'clipboard-read', 'lookalike://app')).toBe(false);
    expect(state.appListeners.get('web-contents-created')).toHaveLength(1);
  });

  it('serves nothing outside the UI folder and library media over lookalike://', async () => {
    await startApp();
    const h = state.protocolHandler!;
    for (const url of ['lookalike://app/../../etc/passwd', 'lookalike://app/%2e%2e/%2e%2e/etc/passwd', 'lookalike://app/..%2f..%2fetc%2fpasswd']) {
      state.fetched.length = 0;
      const res = await h({ url, method: 'GET' });
      if (res.status === 200) expect(state.fetched[0], url).toMatch(/^file:\/\/\/opt\/lookalike\/renderer\//);
    }
    expect((await h({ url: 'lookalike://elsewhere/etc/passwd', method: 'GET' })).status).toBe(404);
    expect((await h({ url: 'lookalike://media/thumb/abc', method: 'GET' })).status).toBe(404);
  });

  it('File > Add Folder… imports the chosen folders through the engine', async () => {
    await startApp();
    state.openDialogAnswers.push(['/photos/2024', '/photos/2025']);
    clickMenu('add-folder');
    const engine = lastFork();
    await vi.waitFor(() => expect(engine.received.some((m) => m.method === 'importFolders')).toBe(true));
    expect(state.openDialogOptions.at(-1)!.properties).toEqual(expect.arrayContaining(['openDirectory', 'multiSelections']));
    expect(engine.received.find((m) => m.method === 'importFolders')!.input).toEqual({ paths: ['/photos/2024', '/photos/2025'] });
  });

  it('answers the native folder picker for our page only', async () => {
    await startApp();
    const pick = state.handlers.get(shellChannel.pickFolders)!;
    state.openDialogAnswers.push(['/photos/x', '/photos/y']);
    expect(await pick(trusted)).toEqual({ ok: true, result: ['/photos/x', '/photos/y'] });
    expect(state.openDialogOptions.at(-1)!.properties).toEqual(expect.arrayContaining(['openDirectory', 'multiSelections']));
    expect(await pick(trusted)).toEqual({ ok: true, result: [] }); // cancelled
    const before = state.openDialogOptions.length;
    expect(await pick({ senderFrame: { url: 'https://evil.example/' } })).toMatchObject({ ok: false });
    expect(state.openDialogOptions.length).toBe(before); // no dialog for a foreign page
  });

  it('Help > About shows the compute backend from the engine', async () => {
    await startApp();
    clickMenu('about');
    await vi.waitFor(() => expect(state.messageBoxes.some((b) => b.message.startsWith('Lookalike'))).toBe(true));
    expect(state.messageBoxes.find((b) => b.message.startsWith('Lookalike'))!.detail).toMatch(/Compute backend: wasm/);
  });

  it('restarts a crashed engine and tells the user', async () => {
    await startApp();
    const before = state.forks.length;
    state.messageBoxes.length = 0;
    lastFork().child.emit('exit', 134);
    await vi.waitFor(() => expect(state.forks.length).toBe(before + 1));
    expect(lastFork().args).toEqual(['/tmp/lookalike-electron-test']);
    await vi.waitFor(() => expect(state.messageBoxes).toHaveLength(1));
    expect(state.messageBoxes[0]).toMatchObject({ type: 'warning' });
    expect(state.messageBoxes[0].detail).toMatch(/exit code 134/);
    // ...and the page is told to refresh its counts from the restarted engine.
    await vi.waitFor(() =>
      expect(state.windows[0].sent).toContainEqual([channel.event, { name: 'libraryChanged', payload: { images: 3, embedded: 3 } }]),
    );
  });

  it('File > Open Library… restarts the engine on the chosen folder, remembers it and reloads the page', async () => {
    const win = await startApp();
    const old = lastFork();
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-other-lib-'));
    state.openDialogAnswers.push([other]);
    clickMenu('open-library');
    await vi.waitFor(() => expect(win.contents.reloads).toBe(1));
    expect(lastFork().args).toEqual([other]);
    expect(old.received.some((m) => m.type === 'shutdown')).toBe(true);
    const remembered = JSON.parse(fs.readFileSync(path.join(state.userData, 'library.json'), 'utf8'));
    expect(remembered).toEqual({ library: other });
    // Calls now reach the new engine.
    await state.handlers.get(channel.call('listJobs'))!(trusted, {});
    expect(lastFork().received.some((m) => m.method === 'listJobs')).toBe(true);
  });

  it('stops the engine before quitting', async () => {
    await startApp();
    const engine = lastFork();
    const willQuit = state.appListeners.get('will-quit')![0];
    let prevented = false;
    const quitsBefore = state.quits;
    willQuit({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await vi.waitFor(() => expect(state.quits).toBe(quitsBefore + 1));
    expect(engine.received.some((m) => m.type === 'shutdown')).toBe(true);
  });
});
