// A photo replaced while it is imported — after its hash and thumbnail, before the CNN pass
// reads it — must not leave the new content's vector cached under the old content's hash:
// whatever is cached under a hash comes from bytes with that hash. The import reads the
// replaced photo again and records its new content; a re-import heals a cache an earlier
// version poisoned that way.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine.js';
import { finishJob, importFolder } from '../../fixtures/engine-jobs.js';
import { kindSvg, makeKindImages, type Kind } from '../../fixtures/kinds.js';

let work: string;
let engine: Engine;
let byKind: Map<Kind, string[]>;

beforeEach(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-replaced-'));
  byKind = await makeKindImages(path.join(work, 'photos'), 4, ['rings', 'checkers', 'discs']);
  engine = await Engine.open(path.join(work, 'library'));
}, 120_000);

afterEach(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const wavesJpeg = (seed: number) => sharp(Buffer.from(kindSvg('waves', seed))).jpeg({ quality: 88 }).toBuffer();

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** The cached pretrained features under `hash`, and the features computed now from `bytes`. */
async function cachedAndFresh(hash: string, bytes: Buffer): Promise<{ cached: Float32Array | undefined; fresh: Float32Array }> {
  const { vectors } = await engine.compute();
  const [cached] = vectors.store.get([hash]);
  const fresh = await vectors.pass.outside(bytes, vectors.active);
  return { cached, fresh };
}

it('a photo overwritten between its thumbnail and its CNN pass is embedded from, and recorded as, its new content', async () => {
  const photos = path.join(work, 'photos');
  const victims = byKind.get('rings')!.slice(0, 3);
  const before = victims.map((v) => readFileSync(v));
  const after = await Promise.all(victims.map((_, i) => wavesJpeg(100 + i)));
  // The engine announces the library after the thumbnail pass and before the CNN pass; the
  // listener runs synchronously, so the files are replaced before the CNN pass reads them.
  let replaced = false;
  const off = engine.onEvent((name) => {
    if (name === 'libraryChanged' && !replaced) {
      replaced = true;
      victims.forEach((v, i) => writeFileSync(v, after[i]));
    }
  });
  const job = await finishJob(engine, await engine.call('importFolders', { paths: [photos] }));
  off();
  expect(replaced).toBe(true);
  expect(job.state).toBe('done');
  expect(job.result).toMatchObject({ kind: 'import', added: 12, failed: [] });
  expect(await engine.call('status', {})).toMatchObject({ images: 12, embedded: 12 });

  for (const [i, victim] of victims.entries()) {
    const image = engine.catalog.imageByPath(victim)!;
    // The catalog names the bytes on disk now, and its vector is theirs.
    expect(image.contentHash).toBe(sha256(after[i]));
    const now = await cachedAndFresh(image.contentHash, after[i]);
    expect(cosine(now.cached!, now.fresh)).toBeGreaterThan(0.9999);
    // Nothing computed from the new bytes sits under the old hash.
    const old = await cachedAndFresh(sha256(before[i]), before[i]);
    if (old.cached) expect(cosine(old.cached, old.fresh)).toBeGreaterThan(0.9999);
    // "similar" of the replaced photo answers its look-alikes, not a picture at 1.000.
    const hits = (await engine.call('similar', { id: image.id, k: 3 })).hits;
    expect(hits[0].score).toBeLessThan(0.999);
  }
  expect(await engine.call('listFailures', {})).toEqual([]);
}, 240_000);

it('a re-import heals features an earlier version cached under the hash of a photo replaced during its import', async () => {
  const photos = path.join(work, 'photos');
  const victim = byKind.get('rings')![0];
  const original = readFileSync(victim);
  // The original's bytes also live at a second path, so its image stays in the library.
  copyFileSync(victim, path.join(photos, 'checkers', 'kept-copy.jpg'));
  expect((await importFolder(engine, photos)).state).toBe('done');
  const oldHash = sha256(original);
  const { vectors } = await engine.compute();

  // What the unchecked pass left: the file replaced, its new content's features cached (and
  // indexed) under the old hash.
  const replacement = await wavesJpeg(7);
  writeFileSync(victim, replacement);
  const poisoned = await vectors.pass.outside(replacement, vectors.active);
  vectors.store.put(oldHash, poisoned);
  const oldId = engine.catalog.imageByPath(victim)!.id;
  vectors.index.remove(oldId);
  vectors.addToIndex(vectors.listed().filter((i) => i.id === oldId));
  expect(cosine((await cachedAndFresh(oldHash, original)).cached!, poisoned)).toBeGreaterThan(0.9999);

  const job = await importFolder(engine, photos);
  expect(job.state).toBe('done');
  const healed = await cachedAndFresh(oldHash, original);
  expect(cosine(healed.cached!, healed.fresh)).toBeGreaterThan(0.9999);
  expect(engine.catalog.imageByPath(victim)!.contentHash).toBe(sha256(replacement));
  // The kept copy's look-alikes are ranked by its own content again.
  const hits = (await engine.call('similar', { id: oldId, k: 20 })).hits;
  expect(hits.find((h) => h.id === engine.catalog.imageByPath(victim)!.id)?.score ?? 0).toBeLessThan(0.999);
  expect(await engine.call('status', {})).toMatchObject({ embedded: (await engine.call('status', {})).images });
}, 240_000);

it('a same-size photo rewritten with its old modification time: a plain re-scan misses it, --verify reads, records and embeds it', async () => {
  const photos = path.join(work, 'photos');
  // Uncompressed PNGs of one size have one byte length, whatever they show.
  const png = (kind: Kind, seed: number) => sharp(Buffer.from(kindSvg(kind, seed))).png({ compressionLevel: 0 }).toBuffer();
  const victim = path.join(photos, 'rings', 'same-size.png');
  const first = await png('rings', 40);
  const second = await png('waves', 41);
  expect(second.length).toBe(first.length);
  // (A whole second: a time set again to the millisecond can differ below it.)
  const mtime = new Date(2024, 0, 1);
  writeFileSync(victim, first);
  utimesSync(victim, mtime, mtime);
  expect((await importFolder(engine, photos)).state).toBe('done');
  writeFileSync(victim, second);
  utimesSync(victim, mtime, mtime);
  expect(statSync(victim).mtimeMs).toBe(mtime.getTime());

  const plain = await importFolder(engine, photos);
  expect(plain.result).toMatchObject({ added: 0, unchanged: 13 });
  expect(engine.catalog.imageByPath(victim)!.contentHash).toBe(sha256(first));

  const verified = await finishJob(engine, await engine.call('importFolders', { paths: [photos], verify: true }));
  expect(verified.result).toMatchObject({ kind: 'import', added: 1, unchanged: 12, failed: [] });
  const image = engine.catalog.imageByPath(victim)!;
  expect(image.contentHash).toBe(sha256(second));
  const now = await cachedAndFresh(image.contentHash, second);
  expect(cosine(now.cached!, now.fresh)).toBeGreaterThan(0.9999);
  expect(await engine.call('status', {})).toMatchObject({ images: 13, embedded: 13 });
}, 240_000);
