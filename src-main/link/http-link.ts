// A link to an engine that another process serves over HTTP (`lookalike serve`): the calls go
// as `POST /api/<method>` with the per-run token, the events come over the WebSocket, exactly as
// the browser page gets them. A CLI command uses it when a live engine already owns the library,
// so both never work on one library at once and the command answers at once.
import WebSocket from 'ws';
import { channel, ContractError, type EventName, type Events, type MediaKind, type Method, type Request, type Response } from '../../src-shared/contract.js';
import type { EngineLink, EventListener } from './engine-link.js';

export class HttpLink implements EngineLink {
  private readonly listeners = new Set<EventListener>();
  private socket: WebSocket | null = null;
  private socketReady: Promise<void> | null = null;
  private closing = false;
  private lost: string | null = null;
  private readonly lostListeners = new Set<(message: string) => void>();

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async call<M extends Method>(method: M, input: Request<M>): Promise<Response<M>> {
    // The serving engine validated the request against the contract that types the response.
    return (await this.relay(method, input)) as Response<M>;
  }

  async relay(method: Method, input: unknown): Promise<unknown> {
    let res: globalThis.Response;
    try {
      res = await fetch(new URL(channel.httpCall(method), this.baseUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch (err) {
      throw new ContractError(`the engine serving this library at ${this.baseUrl} did not answer: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => null)) as { ok: boolean; result?: unknown; error?: { message: string; code: ContractError['code'] } } | null;
    if (!body) throw new ContractError(`the engine at ${this.baseUrl} answered ${res.status} without a result`);
    if (!body.ok) throw new ContractError(body.error?.message ?? `failed (${res.status})`, body.error?.code ?? 'failed');
    return body.result;
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    void this.connectEvents().catch(() => undefined);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once events flow (a listener added before then sees every later event). */
  connectEvents(): Promise<void> {
    this.socketReady ??= new Promise((resolve, reject) => {
      const url = new URL(channel.httpEvents, this.baseUrl);
      url.protocol = 'ws:';
      url.searchParams.set('token', this.token);
      const socket = new WebSocket(url);
      this.socket = socket;
      socket.on('open', () => resolve());
      socket.on('error', reject);
      // The server went away (`lookalike serve` stopped or was killed): whoever waits for an
      // event would wait for ever.
      socket.on('close', () => {
        if (this.closing) return;
        this.lost = `the serving engine at ${this.baseUrl} stopped`;
        for (const l of this.lostListeners) l(this.lost);
      });
      socket.on('message', (data) => {
        const { name, payload } = JSON.parse(String(data)) as { name: EventName; payload: Events[EventName] };
        for (const l of this.listeners) l(name, payload as never);
      });
    });
    return this.socketReady;
  }

  /** Calls `listener` with a message if the serving engine goes away before this link closes. */
  onLost(listener: (message: string) => void): () => void {
    if (this.lost !== null) listener(this.lost);
    else this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  async mediaFile(_kind: MediaKind, _id: number): Promise<string | null> {
    return null; // a served engine's files are reached through its /media URLs, not by path
  }

  async close(): Promise<void> {
    this.closing = true;
    this.socket?.close();
  }
}
