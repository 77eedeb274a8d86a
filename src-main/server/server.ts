// Browser mode: the same contract as the desktop window, over HTTP and one WebSocket, on
// 127.0.0.1 only, guarded by a random per-run token.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { channel, ContractError, isMethod, parseMediaTail } from '../../src-shared/contract.js';
import type { EngineLink } from '../link/engine-link.js';
import { resolveInside } from '../common/media-files.js';
import { sendFile } from './static-files.js';
import { BodyBudget, checkOrigin, HttpError, jsonTooDeep, refuseServerPaths, requireJsonType } from './request-guards.js';

export interface ServerOptions {
  engine: EngineLink;
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  port?: number;
  /** Fixed token for tests; random otherwise. */
  token?: string;
  /** Largest accepted request body, bytes (query images are sent inside it). */
  maxBodyBytes?: number;
  /** Request body bytes held at once over all requests (default: two of the largest). */
  bodyBudgetBytes?: number;
  /** A request body with no new byte for this long is dropped with 408 (default 10 s). */
  bodyIdleMs?: number;
  /** A request body still arriving after this long is dropped with 408 (default 60 s). */
  bodyTotalMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const DEFAULT_MAX_BODY = 40 * 1024 * 1024;

const statusByCode: Record<ContractError['code'], number> = {
  'bad-request': 400,
  'unknown-method': 404,
  'not-found': 404,
  conflict: 409,
  failed: 500,
};

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function tokenOf(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  return url.searchParams.get('token');
}

interface BodyLimits {
  maxBytes: number;
  idleMs: number;
  totalMs: number;
}

/**
 * The body as text; `hold` is called with each byte count before it is kept (the budget). A
 * body that stalls, or trickles in for too long, is refused with 408: bytes held for a client
 * that sends one a minute would make everyone else's uploads wait (503) for as long as it likes.
 */
function readBody(req: IncomingMessage, limits: BodyLimits, hold: (bytes: number) => void): Promise<string> {
  const max = limits.maxBytes;
  const declared = Math.max(0, Number(req.headers['content-length'] ?? 0) || 0);
  if (declared > max) throw new HttpError(413, `request body over ${max} bytes`);
  hold(declared);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
    const idle = setTimeout(() => fail(new HttpError(408, `the request body stalled (nothing arrived for ${seconds(limits.idleMs)}); send it again`)), limits.idleMs);
    const total = setTimeout(() => fail(new HttpError(408, `the request body took over ${seconds(limits.totalMs)} to arrive; send it again`)), limits.totalMs);
    const done = () => {
      clearTimeout(idle);
      clearTimeout(total);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', fail);
      req.off('close', onClose);
    };
    function fail(err: unknown): void {
      done();
      req.pause();
      reject(err);
    }
    function onData(chunk: Buffer): void {
      idle.refresh();
      size += chunk.length;
      try {
        if (size > max) throw new HttpError(413, `request body over ${max} bytes`);
        if (size > declared) hold(Math.min(chunk.length, size - declared));
      } catch (err) {
        fail(err);
        return;
      }
      chunks.push(chunk);
    }
    function onEnd(): void {
      done();
      resolve(Buffer.concat(chunks).toString('utf8'));
    }
    function onClose(): void {
      if (!req.complete) fail(new HttpError(400, 'the request body was cut off'));
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', fail);
    req.on('close', onClose);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const budget = new BodyBudget(opts.bodyBudgetBytes ?? 2 * maxBody + 1024 * 1024);
  const bodyLimits: BodyLimits = { maxBytes: maxBody, idleMs: opts.bodyIdleMs ?? 10_000, totalMs: opts.bodyTotalMs ?? 60_000 };
  const staticDir = path.resolve(opts.staticDir);
  let port = 0;

  // Only our own origin may talk to us: guards against DNS rebinding and cross-site pages.
  const allowedHosts = () => new Set([`${HOST}:${port}`, `localhost:${port}`]);

  const csp = () =>
    [
      "default-src 'self'",
      "img-src 'self' data: blob:",
      "style-src 'self' 'unsafe-inline'",
      "script-src 'self'",
      `connect-src 'self' ws://${HOST}:${port} ws://localhost:${port}`,
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; ');

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? '')) throw new HttpError(421, 'unexpected Host header');
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const apiPrefix = channel.httpCallPrefix;
    if (url.pathname.startsWith(apiPrefix)) {
      if (!sameToken(tokenOf(req, url), token)) throw new HttpError(401, 'missing or wrong token');
      if (req.method !== 'POST') throw new HttpError(405, 'use POST');
      checkOrigin(req.headers.origin, allowedHosts());
      requireJsonType(req.headers['content-type']);
      const method = url.pathname.slice(apiPrefix.length);
      if (!isMethod(method)) throw new HttpError(404, `unknown method "${method}"`);
      // The body's bytes count against the budget until the call is answered.
      let held = 0;
      try {
        const text = await readBody(req, bodyLimits, (bytes) => {
          budget.take(bytes);
          held += bytes;
        });
        if (jsonTooDeep(text)) throw new HttpError(400, 'request body nests deeper than any call needs');
        let input: unknown;
        try {
          input = text.trim() === '' ? {} : JSON.parse(text);
        } catch {
          throw new HttpError(400, 'request body is not valid JSON');
        }
        refuseServerPaths(method, input);
        try {
          sendJson(res, 200, { ok: true, result: await opts.engine.relay(method, input) });
        } catch (err) {
          const e = err instanceof ContractError ? err : new ContractError(String((err as Error)?.message ?? err));
          sendJson(res, statusByCode[e.code], { ok: false, error: { message: e.message, code: e.code } });
        }
      } finally {
        budget.give(held);
      }
      return;
    }
    const media = url.pathname.startsWith(channel.httpMediaPrefix) ? parseMediaTail(url.pathname.slice(channel.httpMediaPrefix.length)) : null;
    if (media) {
      if (!sameToken(tokenOf(req, url), token)) throw new HttpError(401, 'missing or wrong token');
      let file: string | null;
      try {
        file = await opts.engine.mediaFile(media.kind, media.id);
      } catch (err) {
        // An original no longer holding the imported photo (replaced, or a link elsewhere).
        if (err instanceof ContractError) throw new HttpError(statusByCode[err.code], err.message);
        throw err;
      }
      if (!file) throw new HttpError(404, 'no such image');
      await sendFile(res, file, { 'cache-control': 'private, max-age=3600' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method not allowed');
    const rel = url.pathname === '/' ? 'index.html' : url.pathname;
    const file = resolveInside(staticDir, rel);
    if (!file) throw new HttpError(404, 'not found');
    const headers: Record<string, string> = { 'x-content-type-options': 'nosniff' };
    if (file.endsWith('.html')) {
      headers['content-security-policy'] = csp();
      headers['cache-control'] = 'no-store';
    }
    await sendFile(res, file, headers);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) {
        if (err instanceof HttpError) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
        // A refused (or stalled) body is not read: close the connection rather than drain it.
        if (status === 408 || status === 413 || status === 503) res.setHeader('connection', 'close');
        sendJson(res, status, { ok: false, error: { message: (err as Error).message } });
      }
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const unsubscribe = opts.engine.onEvent((name, payload) => {
    const text = JSON.stringify({ name, payload });
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const origin = req.headers.origin;
    const okOrigin = !origin || allowedHosts().has(origin.replace(/^http:\/\//, ''));
    const ok =
      url.pathname === channel.httpEvents &&
      allowedHosts().has(req.headers.host ?? '') &&
      okOrigin &&
      sameToken(url.searchParams.get('token'), token);
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => resolve());
  });
  port = (server.address() as { port: number }).port;

  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
