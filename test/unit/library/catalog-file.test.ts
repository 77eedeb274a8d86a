// library.sqlite damaged or gone, in a real library (scanned photos, thumbnails, labels): the
// message names the file, says that a backup copy of the folder restores it and what importing
// again rebuilds; a missing catalog is started empty and that is said, by status and the CLI.
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { jobEnded, type JobProgress } from '../../../src-shared/contract.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { isEvent } from '../../../src-main/link/engine-link.js';
import { runImport } from '../../../src-main/ingest/import-job.js';
import { Catalog } from '../../../src-main/library/catalog.js';
import { runLookalike } from '../../fixtures/cli.js';
import { makeKindImages } from '../../fixtures/kinds.js';
import { rejection } from '../../fixtures/rejection.js';

let work: string;
/** A scanned library (catalog, thumbnails, labels from folders), copied afresh for each test. */
let pristine: string;
let library: string;
let db: string;
const PHOTOS = 6;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-catalog-file-'));
  const photos = path.join(work, 'photos');
  await makeKindImages(photos, 3, ['rings', 'checkers']);
  pristine = path.join(work, 'pristine');
  const catalog = Catalog.open(pristine);
  try {
    const r = await runImport(catalog, [photos], { labelsFromFolders: true });
    expect(r.added).toBe(PHOTOS);
    // Enough rows that the tables span many pages, so damage past page 1 hits them.
    for (let i = 0; i < 300; i++) catalog.createJob('import', { paths: [`/photos/${i}/${'x'.repeat(200)}`] });
    catalog.db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    catalog.close();
  }
  // A trained model's folder, as the models/ folder holds it (only its presence counts here).
  mkdirSync(path.join(pristine, 'models', '1'));
  writeFileSync(path.join(pristine, 'models', '1', 'head.json'), '{}');
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeEach(() => {
  library = path.join(work, `library-${Math.random().toString(36).slice(2)}`);
  cpSync(pristine, library, { recursive: true });
  db = path.join(library, 'library.sqlite');
});

const BACKUP_ADVICE = /copy library\.sqlite from a backup copy of the folder .* over it\. Without a backup, move library\.sqlite aside and import your folders again: thumbnails, features and the index are rebuilt, but labels, marks, duplicate reviews and the records of trained models live only in library\.sqlite\.$/;

describe('a damaged library.sqlite', () => {
  it('that is not a database at all: opening says which file, and how to get it back', async () => {
    writeFileSync(db, randomBytes(statSync(db).size));
    const err = await rejection(Engine.open(library));
    expect(err.message).toContain(`the library's catalog ${db} is damaged (file is not a database)`);
    expect(err.message).toMatch(BACKUP_ADVICE);
    const cli = await runLookalike(library, 'status');
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(`the library's catalog ${db} is damaged`);
    expect(cli.stderr).toMatch(/restore it, quit Lookalike and copy library\.sqlite from a backup copy/);
    expect(cli.stderr).not.toMatch(/SqliteError|\n\s+at /);
  });

  it('with damaged pages: the first call that reads them says which file, and how to get it back', async () => {
    const size = statSync(db).size;
    const fd = openSync(db, 'r+');
    writeSync(fd, randomBytes(size - 4096), 0, size - 4096, 4096);
    closeSync(fd);
    const failure = await (async () => {
      let engine: Engine;
      try {
        engine = await Engine.open(library);
      } catch (err) {
        return err as Error; // the jobs table is read on open
      }
      try {
        return await rejection(engine.call('listImages', {}));
      } finally {
        await engine.close();
      }
    })();
    expect(failure.message).toMatch(new RegExp(`^the library's catalog ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(database disk image is malformed\\)`));
    expect(failure.message).toMatch(BACKUP_ADVICE);
  });

  it('met by a running job: the job fails naming the file and the way back, not with SQLite\'s words alone', async () => {
    const engine = await Engine.open(library); // reads the jobs on open: damage comes after
    try {
      const size = statSync(db).size;
      const fd = openSync(db, 'r+');
      writeSync(fd, randomBytes(size - 4096), 0, size - 4096, 4096);
      closeSync(fd);
      const ended = new Promise<JobProgress>((resolve) =>
        engine.onEvent((name, payload) => {
          if (isEvent('jobProgress', name, payload) && jobEnded(payload.state)) resolve(payload);
        }),
      );
      await engine.call('importFolders', { paths: [path.join(work, 'photos')] });
      const job = await ended;
      expect(job.state).toBe('failed');
      expect(job.message).toMatch(new RegExp(`^the library's catalog ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(database disk image is malformed\\)`));
      expect(job.message).toMatch(BACKUP_ADVICE);
    } finally {
      await engine.close().catch(() => undefined);
    }
  });
});

describe('a deleted library.sqlite', () => {
  it('starts an empty catalog and says so, with what the folder holds and how to get labels back', async () => {
    unlinkSync(db);
    const said = new RegExp(
      `^library\\.sqlite is missing from ${library.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, which holds ${PHOTOS} thumbnails and 1 model: started an empty catalog\\. ` +
        'To get labels and marks back, quit Lookalike and restore library\\.sqlite from a backup copy of the folder',
    );
    const engine = await Engine.open(library);
    try {
      const s = await engine.call('status', {});
      expect(s.images).toBe(0);
      expect(s.notices).toEqual([expect.stringMatching(said)]);
    } finally {
      await engine.close();
    }
    // The CLI says it too, on the command that found the file missing.
    unlinkSync(db);
    const cli = await runLookalike(library, 'status');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^notice {4}library\.sqlite is missing from .*, which holds 6 thumbnails and 1 model: started an empty catalog/m);
    expect(cli.stderr).toMatch(said);
  });

  it('a new library, or one whose catalog is there, has nothing to say', async () => {
    const engine = await Engine.open(library);
    try {
      expect(await engine.call('status', {})).toMatchObject({ images: PHOTOS, notices: [] });
    } finally {
      await engine.close();
    }
    const fresh = await Engine.open(path.join(work, 'new-library'));
    try {
      expect((await fresh.call('status', {})).notices).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
