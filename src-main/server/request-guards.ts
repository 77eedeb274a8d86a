// Checks on an API request before it reaches the engine: who sent it (Origin), what it is
// (JSON, not too deep), what it asks for (no paths on the server for calls the page makes with
// contents), and how many request bytes the server holds at once.
import type { Method } from '../../src-shared/contract.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * A page on another site may POST to us (a "simple" cross-origin request needs no preflight):
 * the token stops it today, but an Origin that is not ours is refused outright, as the
 * WebSocket upgrade does. Requests without Origin (curl, the CLI, tests) pass.
 */
export function checkOrigin(origin: string | undefined, allowedHosts: ReadonlySet<string>): void {
  if (origin === undefined) return;
  const host = origin.replace(/^http:\/\//, '');
  if (!origin.startsWith('http://') || !allowedHosts.has(host)) throw new HttpError(403, 'request from a foreign origin');
}

/** Only JSON bodies: a form or text/plain POST (what a cross-site page can send) is refused. */
export function requireJsonType(contentType: string | undefined): void {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'send the request body as application/json');
}

/** Deepest nesting a request needs is ~4; JSON nested 10^5 deep would overflow the stack later. */
export const MAX_JSON_DEPTH = 64;

/** True when `text`'s arrays and objects nest deeper than `max` (strings are skipped). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Fields naming a file on the server that the page never sends: it sends a labels file's text
 * and a dropped photo's bytes. Refusing them keeps browser mode from reading files that the user
 * did not pick in our page. (importFolders and exportData keep their paths: the user types them.)
 */
const SERVER_PATH_FIELDS: Partial<Record<Method, { field: string; instead: string }>> = {
  importLabels: { field: 'path', instead: 'send the file\'s text as "text"' },
  similar: { field: 'path', instead: 'send the image as "upload"' },
};

export function refuseServerPaths(method: Method, input: unknown): void {
  const rule = SERVER_PATH_FIELDS[method];
  if (rule && typeof input === 'object' && input !== null && rule.field in input) {
    throw new HttpError(400, `${method}: "${rule.field}" (a file on the server) is not accepted in browser mode; ${rule.instead}`);
  }
}

/**
 * Request bytes held at once, over all requests, until each is answered: eight concurrent
 * 40 MB uploads would otherwise hold eight bodies, their decoded copies and their messages to
 * the engine. Past the budget a request is answered 503 with Retry-After.
 */
export class BodyBudget {
  private held = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.held;
  }

  /** Takes `bytes` more, or throws 503 (nothing taken). */
  take(bytes: number): void {
    if (bytes > 0 && this.held + bytes > this.limit) {
      throw new HttpError(503, 'the server is busy with other uploads; try again shortly', { 'retry-after': '1' });
    }
    this.held += bytes;
  }

  give(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }
}
