import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, type ImportProgress, type ImportResult } from '../../../src-main/ingest/import-job.js';
import { Catalog } from '../../../src-main/library/catalog.js';
import { makeBadInputCorpus, type BadInputCorpus } from '../../fixtures/images.js';
import { colourDistance, meanColour, removeDir, tempDir } from './helpers.js';

describe('importing a folder of bad and unusual input', () => {
  let dir: string;
  let corpus: BadInputCorpus;
  let catalog: Catalog;
  let result: ImportResult;
  const events: ImportProgress[] = [];

  beforeAll(async () => {
    dir = tempDir('bad-input');
    corpus = await makeBadInputCorpus(path.join(dir, 'photos'));
    catalog = Catalog.open(path.join(dir, 'library'));
    result = await runImport(catalog, [corpus.root], { labelsFromFolders: true, onProgress: (p) => events.push(p) });
  });
  afterAll(() => {
    catalog.close();
    removeDir(dir);
  });

  it('imports every good file and reports every bad one, with a clear error, without stopping', () => {
    const failedPaths = result.failed.map((f) => f.path).sort();
    expect(failedPaths).toEqual(corpus.bad.map((b) => b.path).sort());
    for (const expected of corpus.bad) {
      const got = result.failed.find((f) => f.path === expected.path);
      expect(got?.error, expected.path).toMatch(expected.error);
    }
    const goodFiles = Object.values(corpus.good);
    expect(result.added).toBe(goodFiles.length);
    for (const file of goodFiles) expect(catalog.imageByPath(file), file).toBeDefined();
    expect(result.cancelled).toBe(false);
  });

  it('lists the failures from the catalog too', () => {
    expect(catalog.listFailures().map((f) => f.path).sort()).toEqual(corpus.bad.map((b) => b.path).sort());
  });

  it('keeps one image for the same bytes at two paths', () => {
    const a = catalog.imageByPath(corpus.good.plain);
    const b = catalog.imageByPath(corpus.good.duplicateOfPlain);
    expect(a?.id).toBe(b?.id);
    expect(a?.paths).toEqual([corpus.good.duplicateOfPlain, corpus.good.plain].sort());
    expect(catalog.countImages()).toBe(Object.keys(corpus.good).length - 1);
  });

  it('skips hidden and system folders and never follows the symlink loop twice', () => {
    for (const file of corpus.skipped) expect(catalog.imageByPath(file), file).toBeUndefined();
    const all = catalog.listImages({ limit: 1000 }).items;
    expect(all.some((i) => i.path.includes(`${path.sep}loop${path.sep}`))).toBe(false);
  });

  it('decodes CMYK JPEGs and 16-bit PNGs to the right colours', async () => {
    for (const [file, colour] of [
      [corpus.good.cmyk, corpus.colors.cmyk],
      [corpus.good.png16, corpus.colors.png16],
      [corpus.good.plain, corpus.colors.plain],
      [corpus.good.gif, corpus.colors.gifFirstFrame],
    ] as const) {
      const image = catalog.imageByPath(file);
      expect(image, file).toBeDefined();
      const thumb = await meanColour(catalog.thumbnailPath(image!.contentHash));
      expect(colourDistance(thumb, colour), file).toBeLessThan(30);
    }
  });

  it('applies EXIF orientation to the recorded size and the thumbnail, and reads the date taken', async () => {
    const rotated = catalog.imageByPath(corpus.good.rotated)!;
    expect([rotated.width, rotated.height]).toEqual([30, 60]);
    const thumb = await meanColour(catalog.thumbnailPath(rotated.contentHash));
    expect([thumb.width, thumb.height]).toEqual([30, 60]);
    expect(catalog.imageByPath(corpus.good.withDate)?.takenAt).toBe('2021-05-06T07:08:09');
  });

  it('records each format sharp reported', () => {
    expect(catalog.imageByPath(corpus.good.webp)?.format).toBe('webp');
    expect(catalog.imageByPath(corpus.good.gif)?.format).toBe('gif');
    expect(catalog.imageByPath(corpus.good.tiff)?.format).toBe('tiff');
    expect(catalog.imageByPath(corpus.good.avif)?.format).toBe('heif');
    expect(catalog.imageByPath(corpus.good.png16)?.format).toBe('png');
  });

  it('labels each image with its folder name and keeps non-ASCII names intact', () => {
    expect(catalog.imageByPath(corpus.good.spacesAndAccents)?.labels).toEqual(['Été à Zürich']);
    expect(catalog.imageByPath(corpus.good.plain)?.labels).toEqual(['copies', 'good']);
  });

  it('never modifies the originals', async () => {
    const before = fs.statSync(corpus.good.rotated);
    await runImport(catalog, [corpus.root]);
    const after = fs.statSync(corpus.good.rotated);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(before.size);
  });

  it('reports progress up to every file found', () => {
    const last = events[events.length - 1];
    expect(last.phase).toBe('import');
    expect(last.done).toBe(last.found);
    expect(last.failed).toBe(corpus.bad.length);
    expect(last.found).toBe(Object.keys(corpus.good).length + corpus.bad.length);
  });
});
