// Entry of the engine process. Started by the browser-mode server with child_process.fork, or
// by the desktop app as an Electron utilityProcess; the library folder comes as an argument.
import { Engine } from './engine.js';
import { serveEngine, type Port } from '../link/serve-engine.js';
import type { FromEngine } from '../link/protocol.js';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function currentPort(): Port {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m: FromEngine) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data)),
    };
  }
  if (!process.send) throw new Error('the engine must be started as a child process with an IPC channel');
  return {
    // Once the host is gone (serve SIGKILLed) a send fails: 'disconnect' below closes the engine,
    // so the failure is expected, not an uncaught ERR_IPC_CHANNEL_CLOSED stack on the terminal.
    send: (m: FromEngine) => {
      if (process.connected) process.send?.(m, undefined, {}, () => undefined);
    },
    onMessage: (l) => process.on('message', l),
  };
}

const libraryDir = process.argv[2];
if (!libraryDir) {
  console.error('usage: engine <library-dir>');
  process.exit(2);
}

const engine = await Engine.open(libraryDir, { resume: true });
serveEngine(engine, currentPort(), () => {
  void engine.close().then(() => process.exit(0));
});
// After serveEngine: the events saying which job continues an interrupted one reach the host.
engine.resume();
process.on('disconnect', () => {
  void engine.close().then(() => process.exit(0));
});
