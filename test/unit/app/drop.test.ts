// Folders dropped on the window reach the engine by their paths: the page asks the preload for
// a dropped File's path (webUtils.getPathForFile), then calls importFolders through the bridge,
// main checks the sender and the request, and the engine gets the paths.
import { describe, expect, it } from 'vitest';
import { channel } from '../../../src-shared/contract.js';

import { registerIpc, type IpcEventLike } from '../../../src-main/app/ipc.js';
import { buildPreloadApi, type IpcRendererLike } from '../../../src-main/app/preload-api.js';
import { fakeLink } from '../../fixtures/fake-link.js';

/** A dropped item as Chromium hands it over: only Electron knows where it lives on disk. */
class FakeFile {
  constructor(
    readonly name: string,
    readonly diskPath: string | null,
  ) {}
}

function wire(pageUrl: string) {
  const received: { method: string; input: unknown }[] = [];
  const engine = fakeLink((method, input) => {
    received.push({ method, input });
    return { jobId: 1 };
  });
  const handlers = new Map<string, (e: IpcEventLike, ...a: unknown[]) => Promise<unknown>>();
  registerIpc({ handle: (ch, h) => handlers.set(ch, h) }, engine);
  const ipc: IpcRendererLike = {
    invoke: (ch, ...args) => handlers.get(ch)!({ senderFrame: { url: pageUrl } }, ...args),
    on: () => undefined,
  };
  const webUtils = {
    // Electron returns '' for a File that is not on disk (made in the page, pasted, fetched).
    getPathForFile: (f: never) => {
      const file: unknown = f;
      if (!(file instanceof FakeFile)) throw new TypeError('Error processing argument at index 0');
      return file.diskPath ?? '';
    },
  };
  const api = buildPreloadApi(ipc, webUtils) as ReturnType<typeof buildPreloadApi> & {
    importFolders(r: unknown): Promise<unknown>;
  };
  return { api, received };
}

describe('dropping folders on the window', () => {
  it('imports dropped folders by their disk paths', async () => {
    const { api, received } = wire(`${channel.protocolApp}index.html`);
    const dropped = [new FakeFile('2024', '/home/u/Pictures/2024'), new FakeFile('Trip', '/media/usb/Trip')];
    const paths = dropped.map((f) => api.pathForFile(f)).filter((p): p is string => p !== null);
    expect(paths).toEqual(['/home/u/Pictures/2024', '/media/usb/Trip']);
    await api.importFolders({ paths });
    expect(received).toEqual([{ method: 'importFolders', input: { paths } }]);
  });

  it('gives no path for things that are not files on disk', () => {
    const { api } = wire(`${channel.protocolApp}index.html`);
    expect(api.pathForFile(new FakeFile('pasted.png', null))).toBeNull();
    expect(api.pathForFile({ name: 'not a File' })).toBeNull();
    expect(api.pathForFile(undefined)).toBeNull();
  });

  it('a drop that yields no path never reaches the engine, and neither does a foreign page', async () => {
    const { api, received } = wire(`${channel.protocolApp}index.html`);
    await expect(api.importFolders({ paths: [] })).rejects.toThrow(/paths/);
    const foreign = wire('https://evil.example/');
    await expect(foreign.api.importFolders({ paths: ['/etc'] })).rejects.toThrow(/refused/);
    expect([...received, ...foreign.received]).toEqual([]);
  });
});
