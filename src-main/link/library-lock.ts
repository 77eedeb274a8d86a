// One engine owns a library. Whoever opens one (`lookalike serve`, the desktop app, a one-shot
// CLI command) holds engine.lock in the library folder: its pid, what it is, and for a serving
// engine the URL and per-run token through which other commands reach it. Mode 0600: the token
// is a key. A lock whose process is gone is stale and taken over, and so is one whose pid now
// belongs to another process (reused after a crash or a reboot): the lock records when its
// process started, and a serving holder must answer on its address with its token.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ensureFolder, isReadOnlyError, readOnlyMessage } from '../common/library-paths.js';

export const LOCK_FILE = 'engine.lock';

export type LockMode = 'serve' | 'app' | 'cli';

export interface LockInfo {
  pid: number;
  mode: LockMode;
  /** What holds it, for messages: e.g. "lookalike import", "lookalike serve". */
  holder: string;
  startedAt: number;
  /**
   * When the holder's process started, as the system tells it (Linux: boot id and start time
   * from /proc; elsewhere `ps`): a live pid whose start differs is another process.
   */
  processStart?: string;
  /** A serving engine's address and token: other commands send their calls there. */
  url?: string;
  token?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** When process `pid` started, in the system's words, or null where that cannot be read. */
export function processStart(pid: number): string | null {
  if (process.platform === 'linux') {
    const stat = readText(`/proc/${pid}/stat`);
    if (stat === null) return null;
    // Field 22, starttime (clock ticks since boot), counted after the command name, which is
    // in parentheses and may hold spaces; the boot id tells a tick count of another boot.
    const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const boot = readText('/proc/sys/kernel/random/boot_id')?.trim() ?? '';
    return startTicks ? `${boot}:${startTicks}` : null;
  }
  if (process.platform === 'win32') return null;
  const r = spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : null;
}

let ownStart: string | null | undefined;
function ownProcessStart(): string | null {
  if (ownStart === undefined) ownStart = processStart(process.pid);
  return ownStart;
}

/**
 * Whether the lock's process still runs: its pid is alive and, when the lock recorded its start
 * (older locks did not), started then. Our own pid counts only with our own start.
 */
function holderRuns(info: LockInfo): boolean {
  if (info.pid === process.pid) return info.processStart === undefined || info.processStart === ownProcessStart();
  if (!isAlive(info.pid)) return false;
  if (info.processStart === undefined) return true;
  const now = processStart(info.pid);
  return now === null || now === info.processStart;
}

function lockPath(libraryDir: string): string {
  return path.join(path.resolve(libraryDir), LOCK_FILE);
}

function readLock(file: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' && typeof info.mode === 'string' ? info : null;
  } catch {
    return null;
  }
}

/** The live holder of a library's lock, or null when there is none (or only a stale one). */
export function liveLock(libraryDir: string): LockInfo | null {
  const info = readLock(lockPath(libraryDir));
  return info && holderRuns(info) ? info : null;
}

/** How long a serving holder has to answer before it counts as gone. */
const ANSWER_TIMEOUT_MS = 3000;

/** Whether a serving holder answers a call on its address with its token. */
async function answers(url: string, token: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/api/listJobs', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    return res.ok && ((await res.json()) as { ok?: boolean }).ok === true;
  } catch {
    return false;
  }
}

/**
 * The live holder of a library's lock, checked the way a command about to use it needs: a
 * serving holder is asked on its address. One that does not answer is stale if nothing
 * confirms its process is the one that wrote the lock (its lock is then removed); if its start
 * time matches, it is ours but not answering, and `answers` is false.
 */
export async function checkedLock(libraryDir: string): Promise<(LockInfo & { answers?: boolean }) | null> {
  const info = liveLock(libraryDir);
  if (info?.mode !== 'serve' || !info.url || !info.token) return info;
  if (await answers(info.url, info.token)) return { ...info, answers: true };
  const confirmed = info.processStart !== undefined && processStart(info.pid) === info.processStart;
  if (confirmed) return { ...info, answers: false };
  const file = lockPath(libraryDir);
  const now = readLock(file);
  if (now?.pid === info.pid && now.startedAt === info.startedAt) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
  return null;
}

/** The page address (with its token) of the `lookalike serve` that owns a library, or null. */
export function servedUrl(libraryDir: string): string | null {
  const info = liveLock(libraryDir);
  return info?.mode === 'serve' && info.url && info.token ? `${info.url}/?token=${info.token}` : null;
}

/** The library folder cannot be written (a read-only mount, no permission): nobody can hold its lock. */
export class ReadOnlyLibraryError extends Error {
  constructor(readonly libraryDir: string) {
    super(readOnlyMessage(libraryDir));
  }
}

export class LibraryLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    private readonly file: string,
    private info: LockInfo,
  ) {
    process.once('exit', this.onExit);
  }

  /** Takes the library's lock, or returns who holds it. A stale lock is taken over. */
  static acquire(libraryDir: string, mode: LockMode, holder: string): LibraryLock | { heldBy: LockInfo } {
    const file = lockPath(libraryDir);
    try {
      ensureFolder(path.dirname(file));
    } catch (err) {
      if (isReadOnlyError(err)) throw new ReadOnlyLibraryError(libraryDir);
      throw err;
    }
    const start = ownProcessStart();
    const info: LockInfo = { pid: process.pid, mode, holder, startedAt: Date.now(), ...(start === null ? {} : { processStart: start }) };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        try {
          writeSync(fd, JSON.stringify(info));
        } finally {
          closeSync(fd);
        }
        return new LibraryLock(file, info);
      } catch (err) {
        if (isReadOnlyError(err)) throw new ReadOnlyLibraryError(libraryDir);
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = readLock(file);
      if (held && held.pid !== process.pid && holderRuns(held)) return { heldBy: held };
      // Stale (its process is gone, or its pid is another process's now) or unreadable: remove
      // it and try again. Two takers racing
      // here both unlink, and only one of them then creates the file.
      try {
        unlinkSync(file);
      } catch {
        // already gone
      }
    }
    const held = readLock(file);
    if (held) return { heldBy: held };
    throw new Error(`could not take the library lock ${file}`);
  }

  /** Adds a serving engine's address, so other commands can reach it. */
  advertise(url: string, token: string): void {
    this.info = { ...this.info, url, token };
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(this.info), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    // Only our own lock: never remove one another process has taken over.
    if (readLock(this.file)?.pid === process.pid) {
      try {
        unlinkSync(this.file);
      } catch {
        // already gone
      }
    }
  }
}

/** What a user is told when the `lookalike serve` holding the library does not answer. */
export function silentServe(info: LockInfo): string {
  return `\`lookalike serve\` (pid ${info.pid}) holds this library but does not answer at ${info.url}; stop it (kill ${info.pid}) and try again`;
}

/** What a user is told when another process holds the library. */
export function describeHolder(info: LockInfo): string {
  if (info.mode === 'app') return `the Lookalike desktop app (pid ${info.pid}) has this library open`;
  if (info.mode === 'serve') return `\`lookalike serve\` (pid ${info.pid}) serves this library${info.url ? ` at ${info.url}` : ''}`;
  return `another command, \`${info.holder}\` (pid ${info.pid}), is using this library`;
}

/**
 * Starts an engine on a library while holding its lock: refused (with who holds it) when
 * another live process does; the lock goes when the returned link closes, or if it fails to start.
 */
export async function lockedEngine<L extends { close(): Promise<void> }>(
  libraryDir: string,
  mode: LockMode,
  holder: string,
  start: () => Promise<L>,
): Promise<L> {
  const lock = LibraryLock.acquire(libraryDir, mode, holder);
  if ('heldBy' in lock) throw new Error(`${describeHolder(lock.heldBy)}; close it first`);
  let link: L;
  try {
    link = await start();
  } catch (err) {
    lock.release();
    throw err;
  }
  const close = link.close.bind(link);
  link.close = async () => {
    try {
      await close();
    } finally {
      lock.release();
    }
  };
  return link;
}
