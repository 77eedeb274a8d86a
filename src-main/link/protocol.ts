// The typed message protocol between the engine process and whoever hosts it (the Electron
// main process, the browser-mode server). Requests carry sequence numbers; every request gets
// exactly one response; events flow one way, from the engine.
import {
  ContractError,
  parseMediaRequest,
  parseRequest,
  type EventName,
  type Events,
  type MediaKind,
  type Method,
  type ParsedRequest,
  type Response,
} from '../../src-shared/contract.js';

/** A contract call. */
export interface RequestMessage {
  type: 'request';
  seq: number;
  method: string;
  input: unknown;
}

/** Where a library image's thumbnail or original lives (for the transports that serve it). */
export interface MediaMessage {
  type: 'media';
  seq: number;
  input: { kind: MediaKind; id: number };
}

export interface ErrorInfo {
  message: string;
  code: ContractError['code'];
}

export type ResponseMessage =
  | { type: 'response'; seq: number; ok: true; result: unknown }
  | { type: 'response'; seq: number; ok: false; error: ErrorInfo };

export interface EventMessage<E extends EventName = EventName> {
  type: 'event';
  name: E;
  payload: Events[E];
}

export interface ReadyMessage {
  type: 'ready';
}

export type FromEngine = ResponseMessage | EventMessage | ReadyMessage;
export type ToEngine = RequestMessage | MediaMessage | { type: 'shutdown' };

/** One async function per contract method, receiving the validated request. */
export type Handlers = { [M in Method]: (request: ParsedRequest<M>) => Promise<Response<M>> };

/** The media lookup a served engine answers besides its contract calls. */
export type MediaLookup = (kind: MediaKind, id: number) => Promise<string | null>;

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof ContractError) return { message: err.message, code: err.code };
  const message = err instanceof Error ? err.message : String(err);
  return { message, code: 'failed' };
}

async function answer(seq: number, run: () => Promise<unknown>): Promise<ResponseMessage> {
  try {
    return { type: 'response', seq, ok: true, result: await run() };
  } catch (err) {
    return { type: 'response', seq, ok: false, error: toErrorInfo(err) };
  }
}

/** Validates and runs one call. Never throws: a failing handler becomes an error response. */
export function dispatch(handlers: Handlers, msg: RequestMessage): Promise<ResponseMessage> {
  return answer(msg.seq, () => {
    const input = parseRequest(msg.method, msg.input);
    const handler = handlers[msg.method as Method] as (r: unknown) => Promise<unknown>;
    return handler(input);
  });
}

/** Validates and answers one media lookup, like dispatch. */
export function dispatchMedia(lookup: MediaLookup, msg: MediaMessage): Promise<ResponseMessage> {
  return answer(msg.seq, () => {
    const { kind, id } = parseMediaRequest(msg.input);
    return lookup(kind, id);
  });
}

export function isRequestMessage(m: unknown): m is RequestMessage {
  const r = m as RequestMessage;
  return !!r && r.type === 'request' && typeof r.seq === 'number' && typeof r.method === 'string';
}

export function isMediaMessage(m: unknown): m is MediaMessage {
  const r = m as MediaMessage;
  return !!r && r.type === 'media' && typeof r.seq === 'number';
}

/** Turns an error response back into an exception on the caller's side. */
export function errorFromInfo(info: ErrorInfo): ContractError {
  return new ContractError(info.message, info.code);
}
