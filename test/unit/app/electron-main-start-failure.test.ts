// The desktop app on a library its engine cannot open (electron mocked): one error box, a
// quit, and no engine relaunched in the background.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({ forks: 0, errors: [] as string[], quits: 0, windows: 0, appData: '', exitsHeard: [] as Promise<void>[] }));

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  return {
    app: {
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      on: () => {},
      quit: () => state.quits++,
      getPath: () => state.appData,
      setPath: () => {},
    },
    BrowserWindow: class {
      constructor() {
        state.windows++;
      }
    },
    dialog: { showErrorBox: (title: string, detail: string) => state.errors.push(`${title}: ${detail}`) },
    session: { defaultSession: { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {} } },
    protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
    ipcMain: { handle: () => {} },
    Menu: {},
    net: {},
    screen: {},
    utilityProcess: {
      fork: () => {
        state.forks++;
        const child = Object.assign(new EventEmitter(), { postMessage: () => {}, kill: () => {} });
        // Exits at once (e.g. the library folder is not writable); settles once every listener heard it.
        state.exitsHeard.push(new Promise<void>((heard) => setTimeout(() => {
          child.emit('exit', 1);
          heard();
        }, 0)));
        return child;
      },
    },
  };
});

it('reports an engine that cannot open the library, quits, and does not relaunch it', async () => {
  state.appData = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-appdata-'));
  // A folder the app can lock, whose engine then exits before it is ready (see the fork above).
  const library = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-unopenable-'));
  process.env.LOOKALIKE_LIBRARY = library;
  await import('../../../src-main/app/main.js');
  await vi.waitFor(() => expect(state.quits).toBe(1));
  expect(state.errors).toHaveLength(1);
  expect(state.errors[0]).toMatch(/could not start/);
  expect(state.errors[0]).toContain(library);
  expect(state.windows).toBe(0);
  // The engine's exit has been heard by all its listeners: a relaunch would have forked by now.
  await Promise.all(state.exitsHeard);
  expect(state.forks).toBe(1);
  // The failed start let go of the library.
  expect(fs.existsSync(path.join(library, 'engine.lock'))).toBe(false);
});
