// A photo deleted after its thumbnail was made and before the CNN pass read it: the import
// reports it, the failures list names it, the library does not wait for it forever, and the
// next scan drops the record (file gone) or imports it (file back).
import { copyFileSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Failure } from '../../../src-shared/contract.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { finishJob, importFolder } from '../../fixtures/engine-jobs.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let work: string;
let engine: Engine;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-vanished-'));
  await makeKindImages(path.join(work, 'photos'), 3, ['rings', 'checkers']);
  engine = await Engine.open(path.join(work, 'library'));
}, 120_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

it('reports a photo that vanished between its thumbnail and its CNN pass, and a re-scan settles it', async () => {
  const photos = path.join(work, 'photos');
  const victim = path.join(photos, 'rings', readdirSync(path.join(photos, 'rings'))[0]);
  const kept = path.join(work, 'kept.png');
  copyFileSync(victim, kept);
  // The engine announces the library after the thumbnail pass and before the CNN pass; the
  // listener runs synchronously, so the file is gone before the CNN pass starts.
  let deleted = false;
  const off = engine.onEvent((name) => {
    if (name === 'libraryChanged' && !deleted) {
      deleted = true;
      unlinkSync(victim);
    }
  });
  const job = await finishJob(engine, await engine.call('importFolders', { paths: [photos] }));
  off();
  expect(deleted).toBe(true);
  expect(job.state).toBe('done');
  const failed = (job.result as { failed: Failure[] }).failed;
  expect(failed).toEqual([{ path: victim, error: expect.stringMatching(/disappeared .*before it was embedded/) }]);
  expect(await engine.call('listFailures', {})).toEqual([{ path: victim, error: failed[0].error }]);
  const status = await engine.call('status', {});
  expect(status).toMatchObject({ images: 5, embedded: 5 });

  // Gone for good: the next scan drops the record.
  await importFolder(engine, photos);
  expect(await engine.call('listFailures', {})).toEqual([]);
  // Back again: imported and embedded.
  copyFileSync(kept, victim);
  await importFolder(engine, photos);
  expect(await engine.call('status', {})).toMatchObject({ images: 6, embedded: 6 });
  expect(await engine.call('listFailures', {})).toEqual([]);
}, 180_000);
