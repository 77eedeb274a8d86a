// Runs an engine behind a message port: the Node child process of browser mode, or the
// Electron utilityProcess of the desktop app. Requests are handled concurrently; each gets
// exactly one response, and an exception in a handler never stops the loop.
import { dispatch, dispatchMedia, isMediaMessage, isRequestMessage, type FromEngine, type Handlers } from './protocol.js';
import type { EngineLink } from './engine-link.js';

export interface Port {
  send(message: FromEngine): void;
  onMessage(listener: (message: unknown) => void): void;
}

export function serveEngine(engine: EngineLink & { handlers: Handlers }, port: Port, onShutdown: () => void): void {
  engine.onEvent((name, payload) => port.send({ type: 'event', name, payload }));
  port.onMessage((message) => {
    const m = message as { type?: string };
    if (m?.type === 'shutdown') {
      onShutdown();
      return;
    }
    if (isMediaMessage(message)) void dispatchMedia((kind, id) => engine.mediaFile(kind, id), message).then((r) => port.send(r));
    else if (isRequestMessage(message)) void dispatch(engine.handlers, message).then((r) => port.send(r));
  });
  port.send({ type: 'ready' });
}
