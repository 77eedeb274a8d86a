import { describe, expect, it } from 'vitest';
import { shellChannel } from '../../../src-shared/channels.js';
import { channel, methods } from '../../../src-shared/contract.js';
import { buildPreloadApi, type IpcRendererLike } from '../../../src-main/app/preload-api.js';

function fakeIpc() {
  const invoked: { channel: string; args: unknown[] }[] = [];
  let eventListener: ((e: unknown, m: unknown) => void) | undefined;
  const ipc: IpcRendererLike = {
    async invoke(ch, ...args) {
      invoked.push({ channel: ch, args });
      if (ch === shellChannel.pickFolders) return { ok: true, result: ['/photos/picked'] };
      if (ch === channel.call('status')) return { ok: false, error: { message: 'no library', code: 'failed' } };
      return { ok: true, result: { echo: args[0] } };
    },
    on(ch, l) {
      if (ch === channel.event) eventListener = l as never;
    },
  };
  return { ipc, invoked, fire: (m: unknown) => eventListener?.({}, m) };
}

describe('preload api (window.lookalike)', () => {
  it('exposes every contract method as a verb that invokes its own channel', async () => {
    const { ipc, invoked } = fakeIpc();
    const api = buildPreloadApi(ipc, { getPathForFile: () => '/photos/a.jpg' }) as unknown as Record<string, (r: unknown) => Promise<unknown>>;
    for (const m of methods.filter((m) => m !== 'status')) {
      expect(typeof api[m], m).toBe('function');
      expect(await api[m]({ n: 1 })).toEqual({ echo: { n: 1 } });
      expect(invoked.at(-1)?.channel).toBe(channel.call(m));
    }
  });

  it('turns an error reply into a rejected promise with the message', async () => {
    const { ipc } = fakeIpc();
    const api = buildPreloadApi(ipc, { getPathForFile: () => '' }) as unknown as Record<string, (r: unknown) => Promise<unknown>>;
    await expect(api.status({})).rejects.toThrow('no library');
  });

  it('delivers engine events to subscribers until they unsubscribe', () => {
    const { ipc, fire } = fakeIpc();
    const api = buildPreloadApi(ipc, { getPathForFile: () => '' });
    const got: unknown[] = [];
    const off = api.on('libraryChanged', (p) => got.push(p));
    fire({ name: 'libraryChanged', payload: { images: 1, embedded: 0 } });
    fire({ name: 'jobProgress', payload: { jobId: 1 } });
    off();
    fire({ name: 'libraryChanged', payload: { images: 2, embedded: 0 } });
    expect(got).toEqual([{ images: 1, embedded: 0 }]);
  });

  it('gives dropped files their path and media their lookalike:// URL', () => {
    const { ipc } = fakeIpc();
    const api = buildPreloadApi(ipc, { getPathForFile: () => '/photos/a.jpg' });
    expect(api.pathForFile({})).toBe('/photos/a.jpg');
    expect(api.mediaUrl('thumb', 12)).toBe('lookalike://media/thumb/12');
  });

  it('offers the native folder picker through its own shell channel', async () => {
    const { ipc, invoked } = fakeIpc();
    const api = buildPreloadApi(ipc, { getPathForFile: () => '' });
    expect(await api.pickFolders()).toEqual(['/photos/picked']);
    expect(invoked.at(-1)?.channel).toBe(shellChannel.pickFolders);
  });
});
