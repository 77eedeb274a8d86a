import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../../src-main/ingest/import-job.js';
import { Catalog } from '../../../src-main/library/catalog.js';
import { makeImage } from '../../fixtures/images.js';
import { killGroup, startImportChild } from './child-process.js';
import { livePathCountMismatches, removeDir, tempDir } from './helpers.js';

const COUNT = 100;

/** Every file is one live path of one image with a thumbnail; no duplicates, nothing lost. */
function expectComplete(catalog: Catalog, files: string[]): void {
  const rows = catalog.db
    .prepare(`SELECT path, status, image_id AS imageId FROM image_paths ORDER BY path`)
    .all() as { path: string; status: string; imageId: number }[];
  expect(rows.map((r) => r.path)).toEqual([...files].sort());
  expect(rows.every((r) => r.status === 'live')).toBe(true);
  expect(new Set(rows.map((r) => r.imageId)).size).toBe(files.length);
  expect(catalog.db.prepare(`SELECT COUNT(*) FROM images`).pluck().get()).toBe(files.length);
  expect(catalog.countImages()).toBe(files.length);
  expect(livePathCountMismatches(catalog)).toBe(0);
  expect(inconsistentRows(catalog)).toBe(0);
}

/** Every thumbnail is a whole WebP (a kill mid-write must not leave a broken one). */
async function expectWholeThumbnails(catalog: Catalog): Promise<void> {
  for (const item of catalog.listImages({ limit: 1000 }).items) {
    const meta = await sharp(catalog.thumbnailPath(item.contentHash), { failOn: 'truncated' }).stats();
    expect(meta.channels.length).toBeGreaterThanOrEqual(3);
  }
}

/** Live paths whose image or thumbnail is missing: must be none at any moment. */
function inconsistentRows(catalog: Catalog): number {
  const rows = catalog.db
    .prepare(`SELECT i.content_hash AS hash FROM image_paths p LEFT JOIN images i ON i.id = p.image_id WHERE p.status = 'live'`)
    .all() as { hash: string | null }[];
  return rows.filter((r) => r.hash === null || !fs.existsSync(catalog.thumbnailPath(r.hash))).length;
}

describe('an interrupted import', () => {
  let dir: string;
  let photos: string;
  const files: string[] = [];

  beforeAll(async () => {
    dir = tempDir('resume');
    photos = path.join(dir, 'photos');
    for (let i = 0; i < COUNT; i++) {
      files.push(await makeImage(path.join(photos, `g${i % 4}`, `img ${i}.jpg`), { width: 640, height: 480, pattern: 'noise', seed: i + 1 }));
    }
  });
  afterAll(() => removeDir(dir));

  it('resumes after the process is killed: no duplicate rows, no lost image', async () => {
    const library = path.join(dir, 'killed');
    let killedAt = -1;
    const { exited } = startImportChild(library, [photos], (message, child) => {
      if ('progress' in message && message.progress.phase === 'import' && message.progress.done >= 70 && killedAt < 0) {
        killedAt = message.progress.done;
        killGroup(child);
      }
    });
    const { signal, stderr } = await exited;
    expect(signal, stderr).toBe('SIGKILL');

    const catalog = Catalog.open(library);
    try {
      const committed = catalog.countImages();
      // The kill really interrupted the import, after some batches were committed.
      expect(committed).toBeGreaterThan(0);
      expect(committed).toBeLessThan(COUNT);
      expect(inconsistentRows(catalog)).toBe(0);

      const resumed = await runImport(catalog, [photos]);
      expect(resumed).toMatchObject({ added: COUNT - committed, unchanged: committed, removed: 0, failed: [], cancelled: false });
      expectComplete(catalog, files);
      await expectWholeThumbnails(catalog);
    } finally {
      catalog.close();
    }
  });

  it('stops on cancel, says so, and leaves a consistent catalog that a rerun completes', async () => {
    const catalog = Catalog.open(path.join(dir, 'cancelled'));
    try {
      const controller = new AbortController();
      const result = await runImport(catalog, [photos], {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'import' && p.done >= 10) controller.abort();
        },
      });
      expect(result.cancelled).toBe(true);
      expect(result.added).toBeGreaterThanOrEqual(10);
      expect(result.added).toBeLessThan(COUNT);
      // Everything the cancelled run counted as added is in the catalog, complete.
      expect(catalog.countImages()).toBe(result.added);
      expect(inconsistentRows(catalog)).toBe(0);

      const rerun = await runImport(catalog, [photos]);
      expect(rerun).toMatchObject({ added: COUNT - result.added, unchanged: result.added, cancelled: false });
      expectComplete(catalog, files);
    } finally {
      catalog.close();
    }
  });

  it('changes nothing when cancelled during the scan', async () => {
    const catalog = Catalog.open(path.join(dir, 'cancel-scan'));
    try {
      const controller = new AbortController();
      controller.abort();
      const result = await runImport(catalog, [photos], { signal: controller.signal });
      expect(result).toMatchObject({ added: 0, unchanged: 0, removed: 0, cancelled: true });
      expect(catalog.countImages()).toBe(0);
    } finally {
      catalog.close();
    }
  });
});
