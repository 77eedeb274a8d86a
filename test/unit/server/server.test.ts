import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ContractError, parseRequest, type MediaKind } from '../../../src-shared/contract.js';
import type { EngineLink, EventListener } from '../../../src-main/link/engine-link.js';
import { startServer, type RunningServer } from '../../../src-main/server/server.js';
import { fakeLink } from '../../fixtures/fake-link.js';

/** A stand-in engine: validates like the real one and answers `status`. */
function fakeEngine() {
  const listeners = new Set<EventListener>();
  const engine: EngineLink & { emit: EventListener } = fakeLink((method, input) => {
    parseRequest(method, input);
    if (method === 'status') return { version: '1.2.3', images: 0 };
    throw new ContractError('boom');
  }, {
    onEvent(l: EventListener) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async mediaFile(_kind: MediaKind, id: number) {
      return id === 1 ? path.join(dir, 'thumb.webp') : null;
    },
    async close() {},
    emit: (name, payload) => listeners.forEach((l) => l(name, payload)),
  });
  return engine;
}

let dir: string;
let server: RunningServer;
let engine: ReturnType<typeof fakeEngine>;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-server-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Lookalike</title>');
  writeFileSync(path.join(dir, 'thumb.webp'), 'RIFF....WEBP');
  writeFileSync(path.join(os.tmpdir(), 'lookalike-secret.txt'), 'secret');
  engine = fakeEngine();
  server = await startServer({ engine, staticDir: dir, maxBodyBytes: 1024 });
});
afterEach(() => server.close());

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function request(p: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: p, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const auth = () => ({ authorization: `Bearer ${server.token}`, 'content-type': 'application/json' });

describe('browser-mode server', () => {
  it('listens on 127.0.0.1 and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(24);
  });

  it('answers 401 without the token and 200 with it', async () => {
    expect((await request('/api/status', { method: 'POST', body: '{}' })).status).toBe(401);
    const wrong = await request('/api/status', { method: 'POST', body: '{}', headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const ok = await request('/api/status', { method: 'POST', body: '{}', headers: auth() });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, result: { version: '1.2.3', images: 0 } });
  });

  it('answers a malformed request with 400 naming the field, and keeps serving', async () => {
    const bad = await request('/api/similar', { method: 'POST', body: '{"id": "seven"}', headers: auth() });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/id: /);
    const notJson = await request('/api/status', { method: 'POST', body: '{oops', headers: auth() });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.message).toMatch(/not valid JSON/);
    expect((await request('/api/status', { method: 'POST', body: '{}', headers: auth() })).status).toBe(200);
  });

  it('refuses an oversize body with 413', async () => {
    const big = JSON.stringify({ upload: { name: 'x.jpg', dataBase64: 'A'.repeat(4096) } });
    expect((await request('/api/similar', { method: 'POST', body: big, headers: auth() })).status).toBe(413);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const r = await request('/api/status', { method: 'POST', body: '{}', headers: { ...auth(), host: 'evil.example:80' } });
    expect(r.status).toBe(421);
    expect((await request('/', { headers: { host: 'evil.example' } })).status).toBe(421);
  });

  it('serves the UI with a strict CSP, and nothing outside its folder', async () => {
    const page = await request('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Lookalike');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect((await request('/../lookalike-secret.txt')).status).toBe(404);
    expect((await request('/%2e%2e/lookalike-secret.txt')).status).toBe(404);
  });

  it('serves library media only with the token', async () => {
    expect((await request('/media/thumb/1')).status).toBe(401);
    const ok = await request(`/media/thumb/1?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/webp');
    expect((await request(`/media/thumb/2?token=${server.token}`)).status).toBe(404);
  });

  it('pushes events over a WebSocket that needs the token and our origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/events`;
    const refused = (url: string, origin?: string) =>
      new Promise<boolean>((resolve) => {
        const ws = new WebSocket(url, origin ? { origin } : {});
        ws.on('open', () => {
          ws.close();
          resolve(false);
        });
        ws.on('error', () => resolve(true));
      });
    expect(await refused(base)).toBe(true);
    expect(await refused(`${base}?token=${server.token}`, 'http://evil.example')).toBe(true);

    const ws = new WebSocket(`${base}?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    await new Promise((r) => ws.on('open', r));
    const got = new Promise<unknown>((r) => ws.on('message', (m) => r(JSON.parse(String(m)))));
    engine.emit('libraryChanged', { images: 5, embedded: 4 });
    expect(await got).toEqual({ name: 'libraryChanged', payload: { images: 5, embedded: 4 } });
    ws.close();
  });
});

describe('request guards', () => {
  it('refuses a POST from a foreign Origin and accepts one from our own', async () => {
    const foreign = await request('/api/status', { method: 'POST', body: '{}', headers: { ...auth(), origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    const own = await request('/api/status', { method: 'POST', body: '{}', headers: { ...auth(), origin: `http://127.0.0.1:${server.port}` } });
    expect(own.status).toBe(200);
  });

  it('requires application/json (what a cross-site form cannot send)', async () => {
    const headers = { authorization: `Bearer ${server.token}` };
    expect((await request('/api/status', { method: 'POST', body: '{}', headers: { ...headers, 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await request('/api/status', { method: 'POST', body: '{}', headers })).status).toBe(415);
    const ok = await request('/api/status', { method: 'POST', body: '{}', headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } });
    expect(ok.status).toBe(200);
  });

  it('answers JSON nested 10^5 deep with 400 and keeps serving', async () => {
    const big = await startServer({ engine, staticDir: dir, token: 'deep-token-deep-token-xx' });
    try {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      const r = await fetch(`http://127.0.0.1:${big.port}/api/status`, {
        method: 'POST',
        headers: { authorization: 'Bearer deep-token-deep-token-xx', 'content-type': 'application/json' },
        body: deep,
      });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/nests deeper/);
      // Brackets inside strings are text, not nesting.
      const inString = await fetch(`http://127.0.0.1:${big.port}/api/status`, {
        method: 'POST',
        headers: { authorization: 'Bearer deep-token-deep-token-xx', 'content-type': 'application/json' },
        body: JSON.stringify({ note: '['.repeat(1000) }),
      });
      expect(inString.status).toBe(400); // status takes no fields: refused by validation, not by depth
      expect(((await inString.json()) as { error: { message: string } }).error.message).not.toMatch(/nests deeper/);
    } finally {
      await big.close();
    }
  });

  it('drops a body that stalls, or trickles for too long, with 408, and gives its bytes back to the budget', async () => {
    const tight = await startServer({ engine, staticDir: dir, maxBodyBytes: 1000, bodyBudgetBytes: 1500, bodyIdleMs: 300, bodyTotalMs: 1500 });
    const open = (length: number) => {
      const req = http.request({
        host: '127.0.0.1',
        port: tight.port,
        path: '/api/status',
        method: 'POST',
        headers: { authorization: `Bearer ${tight.token}`, 'content-type': 'application/json', 'content-length': length },
      });
      const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
        req.on('response', (res) => {
          let body = '';
          res.on('data', (d) => (body += String(d)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
      });
      return { req, reply };
    };
    const full = (n: number) => `{${' '.repeat(n - 2)}}`;
    try {
      // One byte, then nothing: the 900 bytes it announced are held until it is dropped.
      const stalled = open(900);
      stalled.req.write('{');
      const meanwhile = open(900);
      meanwhile.req.end(full(900));
      expect((await meanwhile.reply).status).toBe(503);
      const dropped = await stalled.reply;
      expect(dropped.status).toBe(408);
      expect(dropped.body).toContain('the request body stalled');
      const after = open(900);
      after.req.end(full(900));
      expect((await after.reply).status).toBe(200);

      // A byte at a time, each in time, but never done: dropped when the whole body is late.
      const trickle = open(900);
      const drip = setInterval(() => trickle.req.write(' '), 100);
      const late = await trickle.reply.finally(() => clearInterval(drip));
      expect(late.status).toBe(408);
      expect(late.body).toContain('the request body took over 1.5 s to arrive');
      const next = open(900);
      next.req.end(full(900));
      expect((await next.reply).status).toBe(200);
    } finally {
      await tight.close();
    }
  });

  it('holds at most its budget of request bytes at once: a request past it gets 503, later ones pass', async () => {
    const tight = await startServer({ engine, staticDir: dir, maxBodyBytes: 1000, bodyBudgetBytes: 1500 });
    const open = (length: number) => {
      const req = http.request({
        host: '127.0.0.1',
        port: tight.port,
        path: '/api/status',
        method: 'POST',
        headers: { authorization: `Bearer ${tight.token}`, 'content-type': 'application/json', 'content-length': length },
      });
      const reply = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
      return { req, reply };
    };
    try {
      // The first body is slow to arrive: its 900 bytes are held while it trickles in.
      const slow = open(900);
      slow.req.write('{');
      await new Promise((r) => setTimeout(r, 200));
      const second = open(900);
      second.req.end(`{${' '.repeat(898)}}`);
      const secondStatus = await second.reply;
      expect(secondStatus).toBe(503);
      slow.req.end(`${' '.repeat(898)}}`);
      expect(await slow.reply).toBe(200);
      const third = open(900);
      third.req.end(`{${' '.repeat(898)}}`);
      expect(await third.reply).toBe(200);
    } finally {
      await tight.close();
    }
  });
});
