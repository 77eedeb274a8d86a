// "Open Library…": the engine is swapped underneath the IPC handlers and event subscribers.
import { describe, expect, it } from 'vitest';
import type { EngineLink, EventListener } from '../../../src-main/link/engine-link.js';
import { LibraryLink } from '../../../src-main/app/library-link.js';
import { fakeLink } from '../../fixtures/fake-link.js';

function fakeEngine(dir: string) {
  const listeners = new Set<EventListener>();
  const engine: EngineLink & { closed: boolean; emit(images: number): void } = fakeLink((method) => ({ method, dir }), {
    closed: false,
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    mediaFile: async (kind, id) => `${dir}/${kind}/${id}.webp`,
    close: async () => {
      engine.closed = true;
    },
    emit: (images) => {
      for (const l of listeners) l('libraryChanged', { images, embedded: 0 });
    },
  });
  return engine;
}

describe('LibraryLink', () => {
  it('routes calls, media and events to the new library after a switch, and stops the old engine', async () => {
    const started = new Map<string, ReturnType<typeof fakeEngine>>();
    const start = async (dir: string) => {
      const e = fakeEngine(dir);
      started.set(dir, e);
      return e;
    };
    const engine = await LibraryLink.open('/libs/a', start);
    const seen: unknown[] = [];
    engine.onEvent((_name, payload) => seen.push(payload));
    expect(await engine.call('status', {})).toEqual({ method: 'status', dir: '/libs/a' });

    await engine.switchTo('/libs/b');
    expect(engine.library).toBe('/libs/b');
    expect(started.get('/libs/a')!.closed).toBe(true);
    expect(await engine.call('status', {})).toEqual({ method: 'status', dir: '/libs/b' });
    expect(await engine.mediaFile('thumb', 3)).toBe('/libs/b/thumb/3.webp');

    started.get('/libs/a')!.emit(1); // a late event from the old engine is not the new library's
    started.get('/libs/b')!.emit(2);
    expect(seen).toEqual([{ images: 2, embedded: 0 }]);
  });

  it('keeps the current library when the new one fails to start', async () => {
    const a = fakeEngine('/libs/a');
    const engine = await LibraryLink.open('/libs/a', async (dir) => {
      if (dir === '/libs/a') return a;
      throw new Error('the engine exited before it was ready (code 1)');
    });
    await expect(engine.switchTo('/libs/broken')).rejects.toThrow(/before it was ready/);
    expect(engine.library).toBe('/libs/a');
    expect(a.closed).toBe(false);
    expect(await engine.call('status', {})).toEqual({ method: 'status', dir: '/libs/a' });
  });
});
