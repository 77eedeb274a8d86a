// The engine as the browser-mode server runs it: a Node child process behind the typed
// protocol. A dead engine is restarted; a killed training run leaves the library usable.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgress, JobRef } from '../../../src-shared/contract.js';
import { EngineProcess, forkSpawner, type ProcessPort } from '../../../src-main/link/engine-process.js';
import type { FromEngine } from '../../../src-main/link/protocol.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let work: string;
let library: string;

function waitJob(engine: EngineProcess, ref: JobRef, until: (p: JobProgress) => boolean): Promise<JobProgress> {
  return new Promise((resolve) => {
    const off = engine.onEvent((name, payload) => {
      const p = payload as JobProgress;
      if (name === 'jobProgress' && p.jobId === ref.jobId && until(p)) {
        off();
        resolve(p);
      }
    });
  });
}

/** Whether `jobs` holds an import other than `interrupted`: the one a restarted engine resumes it with. */
function resumedImport(jobs: JobProgress[], interrupted: JobRef): boolean {
  return jobs.some((j) => j.kind === 'import' && j.jobId !== interrupted.jobId);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-child-'));
  library = path.join(work, 'library');
  await makeKindImages(path.join(work, 'photos'), 5, ['rings', 'discs', 'checkers']);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('engine in a child process', () => {
  it('answers calls, rejects malformed ones with the field named, and restarts after a crash', async () => {
    let port: ProcessPort | undefined;
    const restarts: string[] = [];
    const engine = await EngineProcess.start(library, {
      spawner: (entry, lib) => (port = forkSpawner(entry, lib)),
      onRestart: (m) => restarts.push(m),
    });
    try {
      const s = await engine.call('status', {});
      expect(s).toMatchObject({ library, images: 0, backend: { name: 'wasm' } });
      await expect(engine.relay('listImages', { limit: 'all' })).rejects.toThrow(/limit: /);
      // The next request still works.
      expect((await engine.call('status', {})).images).toBe(0);

      port!.kill();
      await expect.poll(() => restarts.length, { timeout: 20_000 }).toBe(1);
      expect(restarts[0]).toMatch(/restarted/);
      expect((await engine.call('status', {})).library).toBe(library);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('leaves the library usable, with the previous model active, when killed during training', async () => {
    let port: ProcessPort | undefined;
    const engine = await EngineProcess.start(library, { spawner: (entry, lib) => (port = forkSpawner(entry, lib)) });
    const imported = await engine.call('importFolders', { paths: [path.join(work, 'photos')], labelsFromFolders: true });
    await waitJob(engine, imported, (p) => p.state === 'done');
    await engine.call('train', { loss: 'triplet', miner: 'batch-hard', epochs: 500 });
    await new Promise<void>((resolve) => {
      const off = engine.onEvent((name) => {
        if (name === 'trainProgress') {
          off();
          resolve();
        }
      });
    });
    const stopped = new Promise<void>((r) => port!.onExit(() => r()));
    port!.kill();
    await stopped;
    await engine.close().catch(() => undefined);

    const again = await EngineProcess.start(library);
    try {
      const s = await again.call('status', {});
      expect(s.images).toBe(15);
      expect(s.embedded).toBe(15);
      expect(s.activeModel).toBeNull();
      const models = await again.call('models', {});
      expect(models.filter((m) => m.id !== null)).toHaveLength(0);
      const jobs = await again.call('listJobs', {});
      expect(jobs.every((j) => j.state !== 'running')).toBe(true);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('resumes an import after the engine is killed, and after it is shut down, with no image lost or doubled', async () => {
    const lib = path.join(work, 'resume-library');
    const photos = path.join(work, 'many');
    await makeKindImages(photos, 12, ['rings', 'discs']);
    let port: ProcessPort | undefined;
    const engine = await EngineProcess.start(lib, { spawner: (entry, l) => (port = forkSpawner(entry, l)) });
    const ref = await engine.call('importFolders', { paths: [photos] });
    await waitJob(engine, ref, (p) => p.done >= 3 || p.state !== 'running');
    const first = port!;
    first.kill();
    // The engine is restarted and picks the import up again by itself: a new import job runs,
    // which only an import the kill interrupted starts (one that had ended leaves none).
    await expect.poll(() => port !== first, { timeout: 20_000 }).toBe(true);
    await expect.poll(async () => resumedImport(await engine.call('listJobs', {}), ref), { timeout: 20_000 }).toBe(true);
    await expect
      .poll(async () => (await engine.call('status', {})).embedded, { timeout: 90_000, interval: 500 })
      .toBe(24);
    expect((await engine.call('status', {})).images).toBe(24);

    // A clean shutdown mid-import leaves the job to finish on the next start.
    // Enough new photos that the import is still at work when the shutdown comes.
    await makeKindImages(path.join(photos, 'more'), 12, ['checkers', 'rings'], 100);
    const ref2 = await engine.call('importFolders', { paths: [photos] });
    await waitJob(engine, ref2, (p) => (p.phase === 'thumbnails' && p.total !== null && p.done < p.total) || p.state !== 'running');
    await engine.close();
    const again = await EngineProcess.start(lib);
    try {
      expect(resumedImport(await again.call('listJobs', {}), ref2)).toBe(true);
      await expect
        .poll(async () => (await again.call('status', {})).embedded, { timeout: 90_000, interval: 500 })
        .toBe(48);
      expect((await again.call('status', {})).images).toBe(48);
    } finally {
      await again.close();
    }
  }, 200_000);
});

describe('engine supervision', () => {
  it('does not relaunch an engine that exits before it is ready', async () => {
    let spawned = 0;
    const restarts: string[] = [];
    // Resolves once every listener of the first engine's exit has run: whatever the link
    // decides on an exit (relaunch or not), it has decided by then.
    let exitHandled!: () => void;
    const handled = new Promise<void>((r) => (exitHandled = r));
    const failing = (): ProcessPort => {
      spawned++;
      const exits: ((code: number | null) => void)[] = [];
      setTimeout(() => {
        exits.forEach((l) => l(3));
        exitHandled();
      }, 5);
      return { send: () => {}, onMessage: () => {}, onExit: (l) => exits.push(l), kill: () => {} };
    };
    await expect(EngineProcess.start('/nowhere', { spawner: failing, onRestart: (m) => restarts.push(m) })).rejects.toThrow(/exited before it was ready/);
    await handled;
    expect(spawned).toBe(1);
    expect(restarts).toEqual([]);
  });

  it('ends the jobs a dying engine left as failed when it gives up restarting it, so nobody waits for them', async () => {
    let spawned = 0;
    const running: JobProgress = {
      jobId: 7, kind: 'import', state: 'running', phase: 'thumbnails', done: 3, total: 40, failed: 0, rate: null, etaSeconds: null, message: null, result: null,
    };
    // Each engine becomes ready and dies at once; the first says job 7 is running first.
    const dying = (): ProcessPort => {
      const first = ++spawned === 1;
      const messages: ((m: FromEngine) => void)[] = [];
      const exits: ((code: number | null) => void)[] = [];
      setTimeout(() => {
        messages.forEach((l) => l({ type: 'ready' }));
        if (first) messages.forEach((l) => l({ type: 'event', name: 'jobProgress', payload: running }));
        exits.forEach((l) => l(9));
      }, 5);
      return { send: () => {}, onMessage: (l) => messages.push(l), onExit: (l) => exits.push(l), kill: () => {} };
    };
    const ended = new Promise<JobProgress>((resolve) => {
      void EngineProcess.start('/nowhere', { spawner: dying }).then((engine) =>
        engine.onEvent((name, payload) => {
          if (name === 'jobProgress' && (payload as JobProgress).state === 'failed') resolve(payload as JobProgress);
        }),
      );
    });
    const job = await ended;
    expect(job).toMatchObject({ jobId: 7, state: 'failed', result: { kind: 'error' } });
    expect(job.message).toMatch(/^interrupted: the engine stopped 4 times within a minute \(exit code 9\) and was not restarted$/);
    expect(spawned).toBe(4);
  });
});

