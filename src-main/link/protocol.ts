// The typed message protocol between the engine process and whoever hosts it (the Electron
// main process, the browser-mode server). Requests carry sequence numbers; every request gets
// exactly one response; events flow one way, from the engine.
import {
  ContractError,
  parseRequest,
  type EventName,
  type Events,
  type Method,
  type ParsedRequest,
  type Response,
} from '../../src-shared/contract.js';

export interface RequestMessage {
  type: 'request';
  seq: number;
  method: string;
  input: unknown;
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
export type ToEngine = RequestMessage | { type: 'shutdown' };

/** One async function per contract method, receiving the validated request. */
export type Handlers = { [M in Method]: (request: ParsedRequest<M>) => Promise<Response<M>> };

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof ContractError) return { message: err.message, code: err.code };
  const message = err instanceof Error ? err.message : String(err);
  return { message, code: 'failed' };
}

/** Validates and runs one call. Never throws: a failing handler becomes an error response. */
export async function dispatch(handlers: Handlers, msg: RequestMessage): Promise<ResponseMessage> {
  try {
    const input = parseRequest(msg.method, msg.input);
    const handler = handlers[msg.method as Method] as (r: unknown) => Promise<unknown>;
    const result = await handler(input);
    return { type: 'response', seq: msg.seq, ok: true, result };
  } catch (err) {
    return { type: 'response', seq: msg.seq, ok: false, error: toErrorInfo(err) };
  }
}

export function isRequestMessage(m: unknown): m is RequestMessage {
  const r = m as RequestMessage;
  return !!r && r.type === 'request' && typeof r.seq === 'number' && typeof r.method === 'string';
}

/** Turns an error response back into an exception on the caller's side. */
export function errorFromInfo(info: ErrorInfo): ContractError {
  return new ContractError(info.message, info.code);
}
