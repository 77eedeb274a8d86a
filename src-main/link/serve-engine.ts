// Runs an engine behind a message port: the Node child process of browser mode, or the
// Electron utilityProcess of the desktop app. Requests are handled concurrently; each gets
// exactly one response, and an exception in a handler never stops the loop.
import { dispatch, isRequestMessage, toErrorInfo, type FromEngine, type Handlers } from './protocol.js';
import type { EngineLike } from './engine-link.js';
import type { MediaKind } from '../../src-shared/contract.js';

export interface Port {
  send(message: FromEngine): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The internal method the hosts use to find media files; not part of the UI contract. */
export const MEDIA_FILE_METHOD = '$mediaFile';

export function serveEngine(engine: EngineLike & { handlers: Handlers }, port: Port, onShutdown: () => void): void {
  engine.onEvent((name, payload) => port.send({ type: 'event', name, payload }));
  port.onMessage((message) => {
    const m = message as { type?: string };
    if (m?.type === 'shutdown') {
      onShutdown();
      return;
    }
    if (!isRequestMessage(message)) return;
    if (message.method === MEDIA_FILE_METHOD) {
      const { kind, id } = message.input as { kind: MediaKind; id: number };
      engine
        .mediaFile(kind, id)
        .then((result) => port.send({ type: 'response', seq: message.seq, ok: true, result }))
        .catch((err) => port.send({ type: 'response', seq: message.seq, ok: false, error: toErrorInfo(err) }));
      return;
    }
    void dispatch(engine.handlers, message).then((response) => port.send(response));
  });
  port.send({ type: 'ready' });
}
