// Run by engine-elsewhere.test.ts in a child process whose working directory is not the
// repository: starts the engine process as `lookalike serve` does and prints its status.
import { EngineProcess } from '../../../src-main/link/engine-process.js';

const engine = await EngineProcess.start(process.argv[2]);
try {
  console.log(JSON.stringify(await engine.call('status', {})));
} finally {
  await engine.close();
}
