// Starting a worker thread on one of our modules, whether the app runs compiled (.js) or from
// its TypeScript sources (tsx, vitest). On Node 20 neither `execArgv: ['--import', 'tsx']` nor
// the inherited tsx flags make a worker's .ts entry load ("Unknown file extension"), so a .ts
// entry goes through a tiny eval'd bootstrap that registers tsx's loader first.
import { Worker } from 'node:worker_threads';

/**
 * Starts the module `name` (no extension) beside the caller's module `callerUrl`
 * (its import.meta.url), with the caller's own extension.
 */
export function startWorker(callerUrl: string, name: string, workerData?: unknown): Worker {
  const fromTs = callerUrl.endsWith('.ts');
  const entry = new URL(`./${name}${fromTs ? '.ts' : '.js'}`, callerUrl);
  if (!fromTs) return new Worker(entry, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
