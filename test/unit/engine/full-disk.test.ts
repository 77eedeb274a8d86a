// A full disk during an import: the catalog's write fails with SQLite's SQLITE_FULL (and so does
// every later write, the job's own record included). The import stops with words the user can
// act on, nothing escapes as an unhandled error, and once space is back the import runs again
// and brings every photo in.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine.js';
import { isDiskFull } from '../../../src-main/common/disk-full.js';
import { finishJob, importFolder } from '../../fixtures/engine-jobs.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let work: string;
let engine: Engine;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-full-disk-'));
  await makeKindImages(path.join(work, 'photos'), 4, ['rings', 'checkers']);
  engine = await Engine.open(path.join(work, 'library'));
}, 120_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

it('knows a full disk by SQLite’s code, the system’s errno and sharp’s words', () => {
  expect(isDiskFull(new Database.SqliteError('database or disk is full', 'SQLITE_FULL'))).toBe(true);
  expect(isDiskFull(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(true);
  expect(isDiskFull(new Error('Error: write: No space left on device'))).toBe(true);
  expect(isDiskFull(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
});

it('stops an import on a full disk with a message, then imports everything once space is back', async () => {
  const { catalog } = engine;
  const full = () => {
    throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
  };
  const apply = catalog.ingest.apply.bind(catalog.ingest);
  const updateJob = catalog.updateJob.bind(catalog);
  catalog.ingest.apply = full;
  const ref = await engine.call('importFolders', { paths: [path.join(work, 'photos')] });
  // From the first photo on nothing can be written, not even the job's own record.
  catalog.updateJob = full;
  const job = await finishJob(engine, ref);
  catalog.ingest.apply = apply;
  catalog.updateJob = updateJob;

  const library = path.join(work, 'library');
  expect(job.state).toBe('failed');
  expect(job.message).toBe(`the disk holding ${library} is full: free space and run the import again; nothing was lost`);
  expect(job.result).toEqual({ kind: 'error', message: job.message });
  expect((await engine.call('status', {})).images).toBe(0);

  const again = await importFolder(engine, path.join(work, 'photos'));
  expect(again.state).toBe('done');
  expect(await engine.call('status', {})).toMatchObject({ images: 8, embedded: 8 });
}, 180_000);
