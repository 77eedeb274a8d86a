// One engine owns a library: the lock file that says which process does, and how to reach it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkedLock, LibraryLock, liveLock, LOCK_FILE, lockedEngine, processStart } from '../../../src-main/link/library-lock.js';
import { runLookalike } from '../../fixtures/cli.js';

let library: string;
beforeEach(() => {
  library = mkdtempSync(path.join(os.tmpdir(), 'lookalike-lock-'));
});
afterEach(() => rmSync(library, { recursive: true, force: true }));

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(String(r.stdout));
}

function take(mode: 'serve' | 'cli' = 'cli'): LibraryLock {
  const lock = LibraryLock.acquire(library, mode, `lookalike ${mode}`);
  if ('heldBy' in lock) throw new Error('expected to get the lock');
  return lock;
}

describe('library lock', () => {
  it('is taken once: a second taker learns who holds it, and gets it after release', () => {
    const lock = take();
    const file = path.join(library, LOCK_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The same process asking again is told it holds it (as another process would be).
    writeFileSync(file, JSON.stringify({ pid: process.ppid, mode: 'serve', holder: 'lookalike serve', startedAt: 1 }), { mode: 0o600 });
    const second = LibraryLock.acquire(library, 'cli', 'lookalike label');
    expect(second).toEqual({ heldBy: expect.objectContaining({ pid: process.ppid, mode: 'serve' }) });
    // The first holder's release does not remove a lock that is no longer its own.
    lock.release();
    expect(liveLock(library)?.pid).toBe(process.ppid);
    rmSync(file);
    const third = take();
    third.release();
    expect(liveLock(library)).toBeNull();
  });

  it('takes over a lock whose process is gone', () => {
    writeFileSync(path.join(library, LOCK_FILE), JSON.stringify({ pid: deadPid(), mode: 'cli', holder: 'lookalike import', startedAt: 1 }));
    expect(liveLock(library)).toBeNull();
    const lock = take();
    expect(liveLock(library)?.pid).toBe(process.pid);
    lock.release();
  });

  it('takes over an unreadable lock', () => {
    writeFileSync(path.join(library, LOCK_FILE), '{"pid": 12');
    expect(liveLock(library)).toBeNull();
    const lock = LibraryLock.acquire(library, 'cli', 'lookalike label');
    expect(lock).toBeInstanceOf(LibraryLock);
    expect(liveLock(library)).toMatchObject({ pid: process.pid, mode: 'cli', holder: 'lookalike label' });
    (lock as LibraryLock).release();
    expect(liveLock(library)).toBeNull();
  });

  it('advertises a serving engine’s address and token, still private to its owner', () => {
    const lock = take('serve');
    lock.advertise('http://127.0.0.1:4321', 'secret');
    const file = path.join(library, LOCK_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, mode: 'serve', url: 'http://127.0.0.1:4321', token: 'secret' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    lock.release();
  });
});

describe('a lock naming a live process that is not its holder (a reused pid)', () => {
  let other: ChildProcess;
  beforeEach(async () => {
    // A live process unrelated to any library: the pid a crashed holder's lock may name now.
    other = spawn('sleep', ['600'], { stdio: 'ignore' });
    await new Promise((resolve) => other.once('spawn', resolve));
  });
  afterEach(() => {
    other.kill('SIGKILL');
  });

  /** An address nobody answers on: a port just given back. */
  async function silentUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return `http://127.0.0.1:${port}`;
  }

  function writeLock(info: object): void {
    writeFileSync(path.join(library, LOCK_FILE), JSON.stringify({ holder: 'lookalike import', startedAt: 1, ...info }), { mode: 0o600 });
  }

  it.runIf(process.platform !== 'win32')('records its own process start, and takes over a lock whose pid started at another time', () => {
    const mine = take();
    expect(liveLock(library)?.processStart).toBe(processStart(process.pid));
    mine.release();
    writeLock({ pid: other.pid, mode: 'cli', processStart: 'another boot:1' });
    expect(liveLock(library)).toBeNull();
    const lock = take();
    expect(liveLock(library)?.pid).toBe(process.pid);
    lock.release();
  });

  it('a command opens the library past a `serve` lock whose pid is another process', async () => {
    writeLock({ pid: other.pid, mode: 'serve', holder: 'lookalike serve', url: await silentUrl(), token: 't', processStart: 'another boot:1' });
    const r = await runLookalike(library, 'status', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ images: 0 });
  }, 60_000);

  it('a serving lock of an older kind (no start recorded) that nobody answers is stale', async () => {
    writeLock({ pid: other.pid, mode: 'serve', holder: 'lookalike serve', url: await silentUrl(), token: 't' });
    expect(liveLock(library)?.pid).toBe(other.pid); // alive, and nothing says otherwise...
    expect(await checkedLock(library)).toBeNull(); // ...but it does not answer: removed
    expect(liveLock(library)).toBeNull();
  });

  it.runIf(process.platform !== 'win32')('a serving holder confirmed by its start time but not answering is named, never reported as running', async () => {
    const url = await silentUrl();
    writeLock({ pid: other.pid, mode: 'serve', holder: 'lookalike serve', url, token: 't', processStart: processStart(other.pid!) });
    const r = await runLookalike(library, 'serve', '--port', '0');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('already running');
    expect(r.stderr).toContain(`\`lookalike serve\` (pid ${other.pid}) holds this library but does not answer at ${url}; stop it (kill ${other.pid}) and try again`);
  }, 60_000);
});

describe('an engine started under the lock', () => {
  it('holds the library while open, refuses a second one, and lets go when closed', async () => {
    let closed = false;
    const link = await lockedEngine(library, 'app', 'the Lookalike desktop app', async () => ({
      close: async () => {
        closed = true;
      },
    }));
    expect(liveLock(library)).toMatchObject({ pid: process.pid, mode: 'app' });
    writeFileSync(path.join(library, LOCK_FILE), JSON.stringify({ pid: process.ppid, mode: 'app', holder: 'the Lookalike desktop app', startedAt: 1 }));
    await expect(lockedEngine(library, 'cli', 'lookalike label', async () => ({ close: async () => {} }))).rejects.toThrow(
      `the Lookalike desktop app (pid ${process.ppid}) has this library open; close it first`,
    );
    rmSync(path.join(library, LOCK_FILE));
    const again = await lockedEngine(library, 'app', 'the Lookalike desktop app', async () => ({ close: async () => {} }));
    await again.close();
    expect(liveLock(library)).toBeNull();
    await link.close();
    expect(closed).toBe(true);
  });

  it('lets go of the lock when the engine fails to start', async () => {
    await expect(lockedEngine(library, 'app', 'x', async () => Promise.reject(new Error('no engine')))).rejects.toThrow('no engine');
    expect(liveLock(library)).toBeNull();
  });
});
