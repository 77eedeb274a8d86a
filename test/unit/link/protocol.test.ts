import { describe, expect, it } from 'vitest';
import { dispatch, type FromEngine, type Handlers } from '../../../src-main/link/protocol.js';
import { serveEngine } from '../../../src-main/link/serve-engine.js';
import type { EventListener } from '../../../src-main/link/engine-link.js';

function fakeHandlers(overrides: Partial<Handlers> = {}): Handlers {
  const unexpected = async () => {
    throw new Error('not used in this test');
  };
  return new Proxy(overrides as Handlers, {
    get: (target, key: string) => (target as Record<string, unknown>)[key] ?? unexpected,
  });
}

describe('engine protocol', () => {
  it('answers a request with its sequence number', async () => {
    const handlers = fakeHandlers({ cancelJob: async ({ jobId }) => ({ cancelled: jobId === 7 }) });
    const r = await dispatch(handlers, { type: 'request', seq: 41, method: 'cancelJob', input: { jobId: 7 } });
    expect(r).toEqual({ type: 'response', seq: 41, ok: true, result: { cancelled: true } });
  });

  it('turns a throwing handler into an error response, and the next request still works', async () => {
    let calls = 0;
    const handlers = fakeHandlers({
      cancelJob: async () => {
        calls++;
        if (calls === 1) throw new Error('disk on fire');
        return { cancelled: false };
      },
    });
    const first = await dispatch(handlers, { type: 'request', seq: 1, method: 'cancelJob', input: { jobId: 1 } });
    expect(first).toMatchObject({ seq: 1, ok: false, error: { message: 'disk on fire', code: 'failed' } });
    const second = await dispatch(handlers, { type: 'request', seq: 2, method: 'cancelJob', input: { jobId: 1 } });
    expect(second).toMatchObject({ seq: 2, ok: true });
  });

  it('rejects a malformed request without calling the handler', async () => {
    let called = false;
    const handlers = fakeHandlers({
      cancelJob: async () => {
        called = true;
        return { cancelled: true };
      },
    });
    const r = await dispatch(handlers, { type: 'request', seq: 3, method: 'cancelJob', input: { jobId: 'x' } });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(r.ok === false && r.error.message).toMatch(/jobId/);
    expect(called).toBe(false);
  });

  it('serves requests and relays events over a port', async () => {
    const sent: FromEngine[] = [];
    let deliver: (m: unknown) => void = () => {};
    let emit: EventListener = () => {};
    const engine = {
      handlers: fakeHandlers({ listJobs: async () => [] }),
      call: async () => null as never,
      relay: async () => null,
      onEvent: (l: EventListener) => {
        emit = l;
        return () => {};
      },
      mediaFile: async () => '/tmp/x.webp',
      close: async () => {},
    };
    serveEngine(engine, { send: (m) => sent.push(m), onMessage: (l) => (deliver = l) }, () => {});
    expect(sent[0]).toEqual({ type: 'ready' });
    deliver({ type: 'request', seq: 5, method: 'listJobs', input: {} });
    deliver({ type: 'request', seq: 6, method: 'nope', input: {} });
    emit('libraryChanged', { images: 3, embedded: 2 });
    await new Promise((r) => setTimeout(r, 10));
    expect(sent).toContainEqual({ type: 'response', seq: 5, ok: true, result: [] });
    expect(sent).toContainEqual(expect.objectContaining({ seq: 6, ok: false }));
    expect(sent).toContainEqual({ type: 'event', name: 'libraryChanged', payload: { images: 3, embedded: 2 } });
  });
});
