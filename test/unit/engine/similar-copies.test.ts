// similar() and edited copies: a copy of a library photo (turned a quarter, made grey and
// re-encoded) comes first even where the embedding ranks look-alikes above it, while a photo
// that is a copy of nothing keeps the embedding's ranking. Photo-like scenes made by code; each
// test first checks its premise against the plain embedding, so a fixture change cannot make
// it pass vacuously.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { FeatureExtractor } from '../../../src-main/model/extractor.js';
import { finishJob } from '../../fixtures/engine-jobs.js';
import { sceneJpeg } from '../../fixtures/scenes.js';

let work: string;
let engine: Engine;
const library: string[] = [];
const pooled = new Map<string, Float32Array>();

const THEMES = [1, 3];
const file = (theme: number, seed: number) => path.join(work, 'photos', `scene-${theme}-${seed}.jpg`);

/** The library photo the plain embedding (cosine of pooled features) ranks first for `query`. */
function embeddingTop(query: string): string {
  const q = pooled.get(query)!;
  return library.reduce((best, p) => (cosine(q, pooled.get(p)!) > cosine(q, pooled.get(best)!) ? p : best));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

const copyOf = (theme: number) => path.join(work, 'queries', `copy-of-${theme}-1.jpg`);
const newScene = (theme: number) => path.join(work, 'queries', `new-${theme}-7.jpg`);
/** Byte for byte a library photo, under another name. */
const sameBytes = (theme: number) => path.join(work, 'queries', `same-bytes-${theme}-2.jpg`);
/** A library photo's decoded pixels saved again losslessly: other bytes, the same pixels. */
const samePixels = (theme: number) => path.join(work, 'queries', `same-pixels-${theme}-3.png`);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-copies-'));
  mkdirSync(path.join(work, 'photos'));
  mkdirSync(path.join(work, 'queries'));
  for (const theme of THEMES) {
    for (let seed = 1; seed <= 4; seed++) {
      writeFileSync(file(theme, seed), await sceneJpeg(theme, seed));
      library.push(file(theme, seed));
    }
    // The copy: turned a quarter, grey, re-encoded at low quality.
    writeFileSync(copyOf(theme), await sharp(file(theme, 1)).rotate(90).greyscale().jpeg({ quality: 30 }).toBuffer());
    writeFileSync(newScene(theme), await sceneJpeg(theme, 7));
    writeFileSync(sameBytes(theme), readFileSync(file(theme, 2)));
    writeFileSync(samePixels(theme), await sharp(file(theme, 3)).png().toBuffer());
  }
  const queries = THEMES.flatMap((t) => [copyOf(t), newScene(t)]);
  const extractor = await FeatureExtractor.create({ workers: 0 });
  const vectors = await extractor.extract([...library, ...queries]);
  await extractor.close();
  [...library, ...queries].forEach((p, i) => {
    const v = vectors[i];
    if (v instanceof Error) throw v;
    pooled.set(p, v);
  });
  engine = await Engine.open(path.join(work, 'library'));
  await engine.call('importFolders', { paths: [path.join(work, 'photos')] });
  await engine.whenIdle();
}, 180_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('similar and edited copies', () => {
  it('puts an edited copy first although the embedding ranks a look-alike above it', async () => {
    for (const theme of THEMES) {
      const original = file(theme, 1);
      expect(embeddingTop(copyOf(theme)), 'premise: the embedding alone misses the copy').not.toBe(original);
      const r = await engine.call('similar', { path: copyOf(theme), k: 5 });
      expect(r.hits[0]?.path).toBe(original);
      // ...and says so, for "you already have this"; no other hit is called a copy.
      expect(r.hits[0]?.copy).toBe(true);
      expect(r.hits.slice(1).some((h) => h.copy)).toBe(false);
      expect(r.hits.map((h) => h.score)).toEqual([...r.hits.map((h) => h.score)].sort((a, b) => b - a));
    }
  }, 60_000);

  it('leaves the top hit of a photo that is a copy of nothing to the embedding', async () => {
    for (const theme of THEMES) {
      const r = await engine.call('similar', { path: newScene(theme), k: 5 });
      expect(r.hits[0]?.path).toBe(embeddingTop(newScene(theme)));
      expect(r.hits.some((h) => h.copy)).toBe(false);
    }
  }, 60_000);

  it('gives each hit its labels, so results show them without a second call', async () => {
    const listed = await engine.call('listImages', {});
    const target = listed.items.find((i) => i.path === file(THEMES[0], 2))!;
    await engine.call('setLabel', { label: 'beach', ids: [target.id] });
    const r = await engine.call('similar', { path: copyOf(THEMES[0]), k: 8 });
    expect(r.hits.some((h) => h.id === target.id)).toBe(true);
    for (const h of r.hits) expect(h.labels).toEqual(h.id === target.id ? ['beach'] : []);
  }, 60_000);

  it('ranks the original of a byte-identical query first with score 1, kept by a max score of 1', async () => {
    for (const theme of THEMES) {
      const r = await engine.call('similar', { path: sameBytes(theme), k: 5, maxScore: 1 });
      expect(r.hits[0]).toMatchObject({ path: file(theme, 2), score: 1, copy: true, exact: 'bytes' });
      for (const h of r.hits) expect(h.score).toBeLessThanOrEqual(1);
      // The same bytes uploaded (a drop in the browser) are found the same way.
      const dataBase64 = readFileSync(sameBytes(theme)).toString('base64');
      const up = await engine.call('similar', { upload: { name: 'dropped.jpg', dataBase64 }, k: 5, maxScore: 1 });
      expect(up.hits[0]).toMatchObject({ path: file(theme, 2), score: 1, copy: true, exact: 'bytes' });
    }
  }, 60_000);

  it('names a query with the same decoded pixels (saved again as PNG) as an exact copy', async () => {
    for (const theme of THEMES) {
      expect(readFileSync(samePixels(theme)).equals(readFileSync(file(theme, 3))), 'premise: other bytes').toBe(false);
      const r = await engine.call('similar', { path: samePixels(theme), k: 5, maxScore: 1 });
      expect(r.hits[0]).toMatchObject({ path: file(theme, 3), score: 1, copy: true, exact: 'pixels' });
      expect(r.hits.slice(1).some((h) => h.copy || h.exact)).toBe(false);
    }
    // An edited copy is a copy, but not an exact one.
    const edited = await engine.call('similar', { path: copyOf(THEMES[0]), k: 5 });
    expect(edited.hits[0]?.copy).toBe(true);
    expect(edited.hits[0]?.exact).toBeUndefined();
  }, 60_000);

  it('names exact copies whatever the model: also with a trained model active', async () => {
    const listed = await engine.call('listImages', {});
    for (const theme of THEMES) {
      const ids = listed.items.filter((i) => path.basename(i.path).startsWith(`scene-${theme}-`)).map((i) => i.id);
      await engine.call('setLabel', { label: `theme-${theme}`, ids });
    }
    const job = await finishJob(engine, await engine.call('train', { epochs: 2, seed: 1 }));
    expect(job.result?.kind === 'train' && job.result.modelId !== null, 'premise: a trained model').toBe(true);
    expect((await engine.call('status', {})).activeModel, 'premise: it is active').not.toBeNull();
    for (const theme of THEMES) {
      const bytes = await engine.call('similar', { path: sameBytes(theme), k: 5, maxScore: 1 });
      expect(bytes.hits[0]).toMatchObject({ path: file(theme, 2), score: 1, copy: true, exact: 'bytes' });
      const pixels = await engine.call('similar', { path: samePixels(theme), k: 5, maxScore: 1 });
      expect(pixels.hits[0]).toMatchObject({ path: file(theme, 3), score: 1, copy: true, exact: 'pixels' });
    }
  }, 120_000);
});
