// The engine's one door for code that runs it in its own process (the CLI, tests, benchmarks):
// everything else reaches the engine through a link (src-main/link/).
import type { EngineLink } from '../link/engine-link.js';
import { Engine, type EngineOptions } from './engine.js';

export { Engine, type EngineOptions };

/** Opens a library's engine in this process, behind the same link a transport holds. */
export function openEngine(libraryDir: string, opts: EngineOptions = {}): Promise<EngineLink> {
  return Engine.open(libraryDir, opts);
}
