// Starts test/unit/ingest/import-child.ts with tsx, in its own process group so a kill reaches
// tsx's own child too.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { ImportProgress, ImportResult } from '../../../src-main/ingest/import-job.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../../..');
const tsxCli = path.join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export type ChildMessage = { progress: ImportProgress } | { result: ImportResult };

export function startImportChild(
  libraryDir: string,
  roots: string[],
  onMessage: (message: ChildMessage, child: ChildProcess) => void,
  options: Pick<SpawnOptions, 'uid' | 'gid' | 'env'> = {},
): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [tsxCli, path.join(here, 'import-child.ts'), libraryDir, ...roots], {
    cwd: repo,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) onMessage(JSON.parse(line) as ChildMessage, child);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

/** Kills the child and everything it started. */
export function killGroup(child: ChildProcess): void {
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
