// The renderer's one way to reach the engine. In the desktop app the preload provides
// `window.lookalike`; in browser mode we build the same verbs over HTTP and a WebSocket.
import {
  channel,
  eventNames,
  methods,
  type Api,
  type Client,
  type EventName,
  type Events,
  type MediaKind,
} from '../../src-shared/contract';

declare global {
  interface Window {
    lookalike?: Client;
  }
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

type Listeners = { [E in EventName]: Set<(payload: Events[E]) => void> };

function tokenFromPage(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem('lookalike-token', fromUrl);
    // Keep the token out of the address bar, screenshots and history.
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url);
    return fromUrl;
  }
  return sessionStorage.getItem('lookalike-token') ?? '';
}

/** Whether browser mode has the token `lookalike serve` printed (in the URL or this tab). */
export function hasBrowserToken(): boolean {
  return (sessionStorage.getItem('lookalike-token') ?? '') !== '';
}

export function browserClient(token = tokenFromPage()): Client {
  const listeners = Object.fromEntries(eventNames.map((n) => [n, new Set()])) as unknown as Listeners;

  async function post(method: string, request: unknown): Promise<unknown> {
    const res = await fetch(channel.httpCallPrefix + method, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(request ?? {}),
    });
    const body = (await res.json().catch(() => null)) as
      | { ok: true; result: unknown }
      | { ok: false; error: { message: string; code?: string } }
      | null;
    if (!body) throw new ApiError(`the server answered ${res.status}`, 'failed');
    if (!body.ok) throw new ApiError(body.error.message, body.error.code ?? 'failed');
    return body.result;
  }

  function connect(delay = 500): void {
    const proto = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${window.location.host}${channel.httpEvents}?token=${encodeURIComponent(token)}`);
    ws.onmessage = (m) => {
      const { name, payload } = JSON.parse(String(m.data)) as { name: EventName; payload: never };
      for (const l of listeners[name] ?? []) l(payload);
    };
    ws.onclose = () => setTimeout(() => connect(Math.min(delay * 2, 10_000)), delay);
  }
  connect();

  const api = Object.fromEntries(methods.map((m) => [m, (req: unknown) => post(m, req)])) as unknown as Api;
  return {
    ...api,
    transport: 'browser',
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },
    mediaUrl: (kind: MediaKind, id: number) => `${channel.httpMedia(kind, id)}?token=${encodeURIComponent(token)}`,
    pathForFile: () => null,
  };
}

let client: Client | undefined;

export function getClient(): Client {
  client ??= window.lookalike ?? browserClient();
  return client;
}
