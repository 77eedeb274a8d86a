import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImport } from '../../../src-main/ingest/import-job.js';
import { Catalog } from '../../../src-main/library/catalog.js';
import { makeImage } from '../../fixtures/images.js';
import { livePathCountMismatches, removeDir, tempDir } from './helpers.js';

describe('running import again on a root', () => {
  let dir: string;
  let photos: string;
  let catalog: Catalog;

  beforeEach(async () => {
    dir = tempDir('incremental');
    photos = path.join(dir, 'photos');
    for (let i = 0; i < 6; i++) {
      await makeImage(path.join(photos, i < 3 ? 'cats' : 'dogs', `p${i}.jpg`), { pattern: 'noise', seed: i + 1 });
    }
    catalog = Catalog.open(path.join(dir, 'library'));
  });
  afterEach(() => {
    catalog.close();
    removeDir(dir);
  });

  it('handles only new, changed and removed files', async () => {
    const first = await runImport(catalog, [photos]);
    expect(first).toMatchObject({ added: 6, unchanged: 0, removed: 0, failed: [], cancelled: false });

    const again = await runImport(catalog, [photos]);
    expect(again).toMatchObject({ added: 0, unchanged: 6, removed: 0, failed: [] });

    const changed = path.join(photos, 'cats', 'p0.jpg');
    const oldHash = catalog.imageByPath(changed)!.contentHash;
    await makeImage(changed, { pattern: 'noise', seed: 99 });
    // Some file systems keep whole-second mtimes: make sure the change is visible.
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(changed, later, later);
    await makeImage(path.join(photos, 'cats', 'new.jpg'), { pattern: 'noise', seed: 100 });
    fs.rmSync(path.join(photos, 'dogs', 'p5.jpg'));

    const third = await runImport(catalog, [photos]);
    expect(third).toMatchObject({ added: 2, unchanged: 4, removed: 1, failed: [] });
    expect(catalog.imageByPath(changed)!.contentHash).not.toBe(oldHash);
    expect(catalog.imageByPath(path.join(photos, 'dogs', 'p5.jpg'))).toBeUndefined();
    expect(catalog.countImages()).toBe(6);
    const listed = catalog.listImages({ limit: 100 });
    expect(listed.total).toBe(6);
    expect(listed.items.map((i) => i.path)).not.toContain(path.join(photos, 'dogs', 'p5.jpg'));
    expect(livePathCountMismatches(catalog)).toBe(0);
  });

  it('keeps an image listed while it is still known at another path', async () => {
    const original = path.join(photos, 'cats', 'p1.jpg');
    const copy = path.join(photos, 'dogs', 'copy of p1.jpg');
    fs.copyFileSync(original, copy);
    const first = await runImport(catalog, [photos]);
    expect(first.added).toBe(7);
    expect(catalog.countImages()).toBe(6);
    const id = catalog.imageByPath(original)!.id;
    expect(catalog.imageByPath(copy)!.id).toBe(id);

    fs.rmSync(original);
    const second = await runImport(catalog, [photos]);
    expect(second.removed).toBe(1);
    expect(catalog.getImage(id)!.paths).toEqual([copy]);
    expect(catalog.countImages()).toBe(6);

    fs.rmSync(copy);
    await runImport(catalog, [photos]);
    expect(catalog.countImages()).toBe(5);
    expect(livePathCountMismatches(catalog)).toBe(0);
    expect(catalog.listImages({ limit: 100 }).items.map((i) => i.id)).not.toContain(id);
  });

  it('reports a file deleted after the scan found it, and imports the rest', async () => {
    const victim = path.join(photos, 'dogs', 'p4.jpg');
    const result = await runImport(catalog, [photos], {
      onProgress: (p) => {
        // The first import-phase event comes before any file is read.
        if (p.phase === 'import' && fs.existsSync(victim)) fs.rmSync(victim);
      },
    });
    expect(result.added).toBe(5);
    expect(result.failed).toEqual([{ path: victim, error: expect.stringMatching(/disappeared/) }]);
    // Next time the file is simply gone: its failure record goes too.
    const again = await runImport(catalog, [photos]);
    expect(again).toMatchObject({ added: 0, unchanged: 5, removed: 0, failed: [] });
    expect(catalog.listFailures()).toEqual([]);
  });

  it('retries a failed file once it has been fixed', async () => {
    const broken = path.join(photos, 'cats', 'broken.jpg');
    fs.writeFileSync(broken, 'not yet a photo');
    const first = await runImport(catalog, [photos]);
    expect(first.failed.map((f) => f.path)).toEqual([broken]);
    await makeImage(broken, { pattern: 'noise', seed: 7 });
    const second = await runImport(catalog, [photos]);
    expect(second).toMatchObject({ added: 1, unchanged: 6, failed: [] });
    expect(catalog.listFailures()).toEqual([]);
  });

  it('reports a missing root instead of throwing', async () => {
    const missing = path.join(dir, 'nope');
    const result = await runImport(catalog, [missing, photos]);
    expect(result.failed).toEqual([{ path: missing, error: 'folder not found' }]);
    expect(result.added).toBe(6);
  });

  it('imports each file once when roots repeat or nest, and finds images by a symlinked path', async () => {
    const result = await runImport(catalog, [photos, path.join(photos, 'cats'), `${photos}${path.sep}`]);
    expect(result).toMatchObject({ added: 6, unchanged: 0, failed: [] });
    expect(catalog.countImages()).toBe(6);
    const link = path.join(dir, 'link-to-photos');
    fs.symlinkSync(photos, link, 'dir');
    expect(catalog.imageByPath(path.join(link, 'cats', 'p0.jpg'))?.paths).toEqual([path.join(photos, 'cats', 'p0.jpg')]);
    const viaLink = await runImport(catalog, [link]);
    expect(viaLink).toMatchObject({ added: 0, unchanged: 6 });
  });

  it('forgets a removed root and brings its images back, labels included, when it is imported again', async () => {
    await runImport(catalog, [photos], { labelsFromFolders: true });
    const root = catalog.listRoots()[0];
    expect(root).toMatchObject({ path: photos, imageCount: 6 });
    expect(catalog.removeRoot(root.id)).toBe(true);
    expect(catalog.countImages()).toBe(0);
    expect(livePathCountMismatches(catalog)).toBe(0);
    const again = await runImport(catalog, [photos]);
    expect(again).toMatchObject({ added: 6, unchanged: 0 });
    expect(catalog.labelsWithCounts().map((l) => [l.name, l.count])).toEqual([['cats', 3], ['dogs', 3]]);
  });

  it('gives a large file (streamed, decoded from disk) the same identity as when read into memory', async () => {
    const streamedLibrary = Catalog.open(path.join(dir, 'streamed'));
    try {
      await runImport(streamedLibrary, [photos], { inMemoryLimitBytes: 1 });
      await runImport(catalog, [photos]);
      const file = path.join(photos, 'cats', 'p2.jpg');
      const streamed = streamedLibrary.imageByPath(file)!;
      const inMemory = catalog.imageByPath(file)!;
      expect({ ...streamed, addedAt: 0 }).toEqual({ ...inMemory, addedAt: 0, id: streamed.id });
      expect(fs.existsSync(streamedLibrary.thumbnailPath(streamed.contentHash))).toBe(true);
    } finally {
      streamedLibrary.close();
    }
  });

  it('never imports the library folder itself when it lies inside a root', async () => {
    const inside = Catalog.open(path.join(photos, 'my library'));
    try {
      const first = await runImport(inside, [photos]);
      expect(first.added).toBe(6);
      const again = await runImport(inside, [photos]);
      expect(again).toMatchObject({ added: 0, unchanged: 6 });
      expect(inside.countImages()).toBe(6);
    } finally {
      inside.close();
    }
  });

  it('labels unchanged images too when asked on a later run', async () => {
    await runImport(catalog, [photos]);
    expect(catalog.labelsWithCounts()).toEqual([]);
    await runImport(catalog, [photos], { labelsFromFolders: true });
    expect(catalog.labelsWithCounts().map((l) => [l.name, l.count])).toEqual([['cats', 3], ['dogs', 3]]);
  });
});
