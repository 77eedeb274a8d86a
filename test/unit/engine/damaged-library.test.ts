// A library whose derived files were lost or damaged: the vector index (gone, or same-size
// garbage), a thumbnail (the feature cache: feature-recovery.test.ts). Every answer is right
// or a clear error naming the file; none is a silent empty or NaN result.
import { existsSync, mkdtempSync, openSync, rmSync, statSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { indexFile } from '../../../src-main/engine/index-files.js';
import { importFolder } from '../../fixtures/engine-jobs.js';
import { makeKindImages } from '../../fixtures/kinds.js';

let work: string;
let library: string;
let photos: string;
const PHOTOS = 6;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-damaged-'));
  library = path.join(work, 'library');
  photos = path.join(work, 'photos');
  await makeKindImages(photos, 3, ['rings', 'checkers']);
  const engine = await Engine.open(library);
  try {
    await importFolder(engine, photos);
    expect(await engine.call('status', {})).toMatchObject({ images: PHOTOS, embedded: PHOTOS });
  } finally {
    await engine.close();
  }
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** An engine with its CNN side loaded, as the app's and browser mode's engine is from the start. */
async function withEngine<T>(fn: (e: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open(library);
  try {
    await engine.compute();
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** Overwrites `file` from `from` to its end with random bytes, keeping its size. */
function scribble(file: string, from = 0): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(size - from), 0, size - from, from);
  } finally {
    closeSync(fd);
  }
}

async function expectGoodAnswer(engine: Engine): Promise<void> {
  const r = await engine.call('similar', { id: 1, k: 3 });
  expect(r.hits).toHaveLength(3);
  for (const h of r.hits) {
    expect(h.score).toBeGreaterThanOrEqual(-1.0001);
    expect(h.score).toBeLessThanOrEqual(1.0001);
  }
}

describe('damaged derived files', () => {
  it('an index overwritten with same-size garbage is detected and rebuilt from the cached features', async () => {
    const catalogIndex = indexFile({ paths: { index: path.join(library, 'index') } } as never, null);
    expect(existsSync(catalogIndex)).toBe(true);
    scribble(catalogIndex);
    await withEngine(async (engine) => {
      expect((await engine.call('status', {})).embedded).toBe(PHOTOS);
      await expectGoodAnswer(engine);
    });
  });

  it('a deleted index is rebuilt on open, not answered with no hits', async () => {
    const file = indexFile({ paths: { index: path.join(library, 'index') } } as never, null);
    unlinkSync(file);
    unlinkSync(`${file}.json`);
    await withEngine(async (engine) => {
      expect((await engine.call('status', {})).embedded).toBe(PHOTOS);
      await expectGoodAnswer(engine);
    });
  });

  it('a deleted thumbnail is made again when asked for, and by the next scan', async () => {
    await withEngine(async (engine) => {
      const page = await engine.call('listImages', {});
      const [a, b] = page.items;
      const thumbA = (await engine.mediaFile('thumb', a.id))!;
      const thumbB = (await engine.mediaFile('thumb', b.id))!;
      unlinkSync(thumbA);
      unlinkSync(thumbB);
      expect(await engine.mediaFile('thumb', a.id)).toBe(thumbA);
      expect(existsSync(thumbA)).toBe(true);
      // A grid asking for many lost thumbnails at once (each twice) gets every one.
      const others = page.items.filter((i) => i.id !== b.id);
      const files = await Promise.all(others.map((i) => engine.mediaFile('thumb', i.id)));
      for (const f of files) unlinkSync(f!);
      const again = await Promise.all([...others, ...others].map((i) => engine.mediaFile('thumb', i.id)));
      expect(again).toEqual([...files, ...files]);
      for (const f of files) expect(existsSync(f!)).toBe(true);
      await importFolder(engine, photos);
      expect(existsSync(thumbB)).toBe(true);
    });
  }, 120_000);
});
