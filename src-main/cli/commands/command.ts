import { readFile, stat } from 'node:fs/promises';
import type { ParseArgsConfig } from 'node:util';
import { jobEnded, type JobProgress, type JobRef, type JobResult } from '../../../src-shared/contract.js';
import { fsPath } from '../../common/byte-paths.js';
import { isEvent, type EngineLink } from '../../link/engine-link.js';
import { HttpLink } from '../../link/http-link.js';
import { checkedLock, describeHolder, LibraryLock, ReadOnlyLibraryError, silentServe } from '../../link/library-lock.js';
import { UsageError, type Output } from '../output.js';

export interface CommandContext {
  library: string;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  out: Output;
}

export interface Command {
  synopsis: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext): Promise<number | void>;
}

let commandName = 'lookalike';

/** Names the running command in the library lock, for other commands' messages. */
export function setCommandName(name: string): void {
  commandName = `lookalike ${name}`;
}

/**
 * Runs one command's calls on the library's engine: the live engine that serves the library
 * when there is one (`lookalike serve`), so nothing is loaded twice and that engine sees every
 * change at once; else an engine opened in this process for the length of the command, holding
 * the library's lock meanwhile. Another command or the desktop app holding the library is an
 * error that says who.
 */
export async function withEngine<T>(library: string, body: (engine: EngineLink) => Promise<T>): Promise<T> {
  const held = await checkedLock(library);
  if (held?.answers === false) throw new Error(silentServe(held));
  if (held?.url && held.token) {
    const link = new HttpLink(held.url, held.token);
    try {
      await link.connectEvents();
      return await body(link);
    } finally {
      await link.close();
    }
  }
  let lock: ReturnType<typeof LibraryLock.acquire>;
  try {
    lock = LibraryLock.acquire(library, 'cli', commandName);
  } catch (err) {
    if (err instanceof ReadOnlyLibraryError) return withReadOnlyEngine(library, err.message, body);
    throw err;
  }
  if ('heldBy' in lock) throw new Error(`${describeHolder(lock.heldBy)}; try again when it is done`);
  try {
    // Loaded only here: a command that reaches a serving engine never loads the engine's code.
    const { openEngine } = await import('../../engine/index.js');
    const engine = await openEngine(library);
    try {
      return await body(engine);
    } finally {
      await engine.close();
    }
  } finally {
    lock.release();
  }
}

/**
 * A library whose folder cannot be written (a read-only mount, a folder of someone else's): no
 * lock can be taken, and none is needed, since this process changes nothing. Reading calls
 * work; a change is refused by SQLite, and said in the user's words.
 */
async function withReadOnlyEngine<T>(library: string, message: string, body: (engine: EngineLink) => Promise<T>): Promise<T> {
  console.error(`lookalike: ${message}`);
  const { openEngine } = await import('../../engine/index.js');
  const engine = await openEngine(library, { readOnly: true });
  try {
    return await body(engine);
  } catch (err) {
    if ((err as Error).message?.includes('readonly database')) throw new Error(message);
    throw err;
  } finally {
    await engine.close();
  }
}

/** The bytes of a file the user named, refusing what is not a regular file or is too large. */
export async function readUserFile(file: string, maxBytes = 40 * 1024 * 1024): Promise<Buffer> {
  const info = await stat(fsPath(file)).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  if (!info.isFile()) throw new Error(`${file} is not a regular file`);
  if (info.size > maxBytes) throw new Error(`${file} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
  return readFile(fsPath(file));
}

/** Whether calls go to an engine in another process (whose server may not read our files). */
export function isRemote(engine: EngineLink): boolean {
  return engine instanceof HttpLink;
}

/**
 * Waits for a job to end, showing its progress; Ctrl-C cancels it cleanly. A job the engine
 * stopped during is followed into the job that continues it after the restart; a serving engine
 * that goes away ends the wait with an error saying so.
 */
export async function waitForJob(engine: EngineLink, ref: JobRef, out: Output): Promise<JobProgress> {
  let jobId = ref.jobId;
  let kind: JobProgress['kind'] | null = null;
  const onSigint = () => void engine.call('cancelJob', { jobId });
  process.once('SIGINT', onSigint);
  const offs: (() => void)[] = [];
  try {
    return await new Promise<JobProgress>((resolve, reject) => {
      const finish = (p: JobProgress) => {
        out.endProgress();
        resolve(p);
      };
      // The job may have ended before we subscribed (or before we followed it).
      const ifEnded = () =>
        void engine.call('listJobs', {}).then((jobs) => {
          const p = jobs.find((j) => j.jobId === jobId);
          if (p && jobEnded(p.state)) finish(p);
        }, () => undefined); // a serving engine that went away is reported by onLost
      offs.push(
        engine.onEvent((name, payload) => {
          if (!isEvent('jobProgress', name, payload) || payload.jobId !== jobId) return;
          const p = payload;
          kind = p.kind;
          if (p.continuedBy !== undefined) {
            out.endProgress();
            console.error(`the engine stopped and was restarted; job ${p.continuedBy} continues this ${p.kind}`);
            jobId = p.continuedBy;
            ifEnded();
            return;
          }
          out.progress(p);
          if (jobEnded(p.state)) finish(p);
        }),
      );
      if (engine instanceof HttpLink) {
        offs.push(
          engine.onLost((message) => {
            const next = kind === 'import' ? 'the import resumes when `lookalike serve` or the app opens this library again, or run it again' : 'run the command again';
            reject(new Error(`${message} before job ${jobId} ended: ${next}`));
          }),
        );
      }
      ifEnded();
    });
  } finally {
    for (const off of offs) off();
    process.off('SIGINT', onSigint);
  }
}

/**
 * Makes a call that runs as a job of `kind` (the duplicates search), showing that job's progress
 * while the call is out; Ctrl-C cancels the job, and the call then fails saying so.
 */
export async function callShowingJob<T>(engine: EngineLink, kind: JobProgress['kind'], out: Output, call: () => Promise<T>): Promise<T> {
  let jobId: number | null = null;
  let interrupted = false;
  const cancel = (id: number) => void engine.call('cancelJob', { jobId: id }).catch(() => undefined);
  const onSigint = () => {
    interrupted = true;
    if (jobId !== null) cancel(jobId);
  };
  const off = engine.onEvent((name, payload) => {
    if (!isEvent('jobProgress', name, payload) || payload.kind !== kind) return;
    // The first such job that starts after the call went out is the call's own.
    if (jobId === null && payload.state === 'queued') {
      jobId = payload.jobId;
      if (interrupted) cancel(jobId);
    }
    if (payload.jobId === jobId) out.progress(payload);
  });
  process.on('SIGINT', onSigint);
  try {
    return await call();
  } finally {
    process.off('SIGINT', onSigint);
    off();
    out.endProgress();
  }
}

export function jobError(p: JobProgress): string | null {
  const r: JobResult | null = p.result;
  if (p.state === 'failed') return r?.kind === 'error' ? r.message : (p.message ?? 'the job failed');
  if (p.state === 'cancelled') return 'cancelled';
  return null;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A flag's value from a fixed vocabulary; anything else is a usage error listing the choices. */
export function oneOf<T extends string>(names: readonly T[], flag: string, v: unknown): T | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const found = names.find((n) => n === s);
  if (!found) throw new UsageError(`--${flag} is one of ${names.join(', ')}`);
  return found;
}

export function num(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) {
    throw new Error(`--${name} takes a number, not "${String(v)}"`);
  }
  return n;
}
