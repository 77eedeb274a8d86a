// The desktop shell with the `electron` module mocked: the Electron binary cannot run on our
// machines, so this checks the wiring (window options, IPC routing, protocol) instead.
import type { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { channel, methods } from '../../../src-shared/contract.js';

const state = vi.hoisted(() => ({
  windows: [] as { options: Record<string, unknown>; sent: unknown[]; url?: string; contents: EventTarget & Record<string, unknown> }[],
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
  protocolHandler: undefined as undefined | ((req: { url: string }) => Promise<Response>),
  forks: [] as { entry: string; args: string[]; received: unknown[] }[],
  fetched: [] as string[],
}));

vi.mock('../../../src-main/server/renderer-dir.js', () => ({ rendererDir: () => '/opt/lookalike/renderer' }));

vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  class FakeChild extends EventEmitter {
    constructor(readonly record: { received: unknown[] }) {
      super();
      setTimeout(() => this.emit('message', { type: 'ready' }), 0);
    }
    postMessage(m: { type: string; seq: number; method: string }) {
      this.record.received.push(m);
      if (m.type === 'request') {
        setTimeout(() => this.emit('message', { type: 'response', seq: m.seq, ok: true, result: { routed: m.method } }), 0);
      }
    }
    kill() {
      this.emit('exit', 0);
    }
  }
  class BrowserWindow {
    webContents: Record<string, unknown>;
    constructor(options: Record<string, unknown>) {
      const sent: unknown[] = [];
      const contents = Object.assign(new EventEmitter(), {
        send: (...a: unknown[]) => sent.push(a),
        setWindowOpenHandler: (h: unknown) => (contents.openHandler = h),
        openHandler: undefined as unknown,
      });
      this.webContents = contents as unknown as Record<string, unknown>;
      state.windows.push({ options, sent, contents: contents as never });
    }
    once() {}
    loadURL(url: string) {
      state.windows[state.windows.length - 1].url = url;
      return Promise.resolve();
    }
    static getAllWindows() {
      return [];
    }
  }
  return {
    app: {
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      on: () => {},
      quit: () => {},
    },
    BrowserWindow,
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
        const record = { entry, args, received: [] as unknown[] };
        state.forks.push(record);
        return new FakeChild(record);
      },
    },
  };
});

async function startApp() {
  process.env.LOOKALIKE_LIBRARY = '/tmp/lookalike-electron-test';
  await import('../../../src-main/app/main.js');
  await vi.waitFor(() => expect(state.windows.length).toBe(1));
  return state.windows[0];
}

const trusted = { senderFrame: { url: `${channel.protocolApp}index.html` } };

describe('desktop main process (electron mocked)', () => {
  it('opens an isolated, sandboxed window without Node and loads our page', async () => {
    const win = await startApp();
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    expect(win.url).toBe(`${channel.protocolApp}index.html`);
  });

  it('runs the engine in a utilityProcess on the chosen library', async () => {
    await startApp();
    expect(state.forks).toHaveLength(1);
    expect(state.forks[0].entry).toMatch(/engine[\\/]main\.(ts|js)$/);
    expect(state.forks[0].args).toEqual(['/tmp/lookalike-electron-test']);
  });

  it('routes every contract method to the engine', async () => {
    await startApp();
    for (const m of methods) {
      const handler = state.handlers.get(channel.call(m));
      expect(handler, m).toBeDefined();
    }
    const reply = await state.handlers.get(channel.call('listJobs'))!(trusted, {});
    expect(reply).toEqual({ ok: true, result: { routed: 'listJobs' } });
  });

  it('refuses calls from other senders and malformed requests', async () => {
    await startApp();
    const status = state.handlers.get(channel.call('status'))!;
    expect(await status({ senderFrame: { url: 'https://evil.example/' } }, {})).toMatchObject({ ok: false });
    const cancel = state.handlers.get(channel.call('cancelJob'))!;
    const bad = (await cancel(trusted, { jobId: 'x' })) as { ok: boolean; error: { message: string } };
    expect(bad.ok).toBe(false);
    expect(bad.error.message).toMatch(/jobId/);
  });

  it('refuses navigation away and new windows', async () => {
    const win = await startApp();
    const contents = win.contents as unknown as EventEmitter & { openHandler: (d: { url: string }) => unknown };
    let prevented = false;
    contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example/');
    expect(prevented).toBe(true);
    expect(contents.openHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('serves nothing outside the UI folder and library media over lookalike://', async () => {
    await startApp();
    const h = state.protocolHandler!;
    // Whatever the spelling of "..", what is served must come from the UI folder.
    for (const url of [
      'lookalike://app/../../etc/passwd',
      'lookalike://app/%2e%2e/%2e%2e/etc/passwd',
      'lookalike://app/..%2f..%2f..%2fetc%2fpasswd',
      'lookalike://app/%252e%252e/etc/passwd',
    ]) {
      state.fetched.length = 0;
      const res = await h({ url });
      if (res.status === 200) expect(state.fetched[0], url).toMatch(/^file:\/\/\/opt\/lookalike\/renderer\//);
    }
    expect((await h({ url: 'lookalike://elsewhere/etc/passwd' })).status).toBe(404);
    expect((await h({ url: 'lookalike://media/thumb/abc' })).status).toBe(404);
  });
});
