// What a transport (Electron main, browser-mode server, CLI) needs from the engine, whether the
// engine runs in this process or in a child process.
import type { EventName, Events, MediaKind } from '../../src-shared/contract.js';

export type EventListener = <E extends EventName>(name: E, payload: Events[E]) => void;

export interface EngineLike {
  /** Runs one contract call; the input is validated by the engine. Rejects with ContractError. */
  call(method: string, input: unknown): Promise<unknown>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void;
  /** The file behind a library image's thumbnail or original, or null when there is none. */
  mediaFile(kind: MediaKind, id: number): Promise<string | null>;
  close(): Promise<void>;
}
