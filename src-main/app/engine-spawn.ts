// EngineProcess restarts its engine whenever it exits, including when it never got as far as
// "ready" (an unwritable library folder, a broken native module). Then start() has already
// failed and told the caller, yet the restarts would go on in the background forever. This
// spawner lets an engine be restarted only once it has been ready at least once.
import type { ProcessPort, Spawner } from '../link/engine-process.js';

export interface GuardedSpawner {
  spawner: Spawner;
  /** Whether any process from this spawner has said "ready". */
  everReady(): boolean;
}

/** A process that is never started: it sends nothing and never exits. */
const inertPort: ProcessPort = {
  send: () => undefined,
  onMessage: () => undefined,
  onExit: () => undefined,
  kill: () => undefined,
};

export function guardedSpawner(spawn: Spawner): GuardedSpawner {
  let ready = false;
  let launched = 0;
  const spawner: Spawner = (entry, libraryDir) => {
    if (launched > 0 && !ready) return inertPort;
    launched++;
    const port = spawn(entry, libraryDir);
    port.onMessage((m) => {
      if (m.type === 'ready') ready = true;
    });
    return port;
  };
  return { spawner, everReady: () => ready };
}
