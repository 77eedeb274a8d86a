// What a transport (Electron main, browser-mode server, CLI) holds of the engine, whether the
// engine runs in this process or in another one. Calls are typed by the contract: a caller gets
// the method's response type and never casts.
import type { EventName, Events, MediaKind, Method, Request, Response } from '../../src-shared/contract.js';

export type EventListener = <E extends EventName>(name: E, payload: Events[E]) => void;

export interface EngineLink {
  /** Runs one contract call; the engine validates the input. Rejects with ContractError. */
  call<M extends Method>(method: M, input: Request<M>): Promise<Response<M>>;
  /**
   * The same for a transport relaying a request it has not parsed (an HTTP body, an IPC
   * message): the engine validates it like any other and the result goes back as it is.
   */
  relay(method: Method, input: unknown): Promise<unknown>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void;
  /** The file behind a library image's thumbnail or original, or null when there is none. */
  mediaFile(kind: MediaKind, id: number): Promise<string | null>;
  close(): Promise<void>;
}

/** Narrows an event to one name, typing its payload (for listeners that want one event). */
export function isEvent<E extends EventName>(want: E, name: EventName, payload: unknown): payload is Events[E] {
  return name === want && payload !== undefined;
}
