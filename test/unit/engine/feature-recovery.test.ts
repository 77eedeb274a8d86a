// Cached features lost or garbled on disk are noticed, never used, and computed again at once:
// status stays true meanwhile (the indexed count is what the cache really holds, and a notice
// says what is being recomputed), and "similar" answers again when the job ends, with no
// re-import. Real library, real SQLite, real CNN.
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Engine } from '../../../src-main/engine/engine.js';
import { FEATURE_DB_FILE } from '../../../src-main/model/feature-store.js';
import { importFolder } from '../../fixtures/engine-jobs.js';
import { makeKindImages } from '../../fixtures/kinds.js';
import { rejection } from '../../fixtures/rejection.js';

let work: string;
let library: string;
let featuresFile: string;
const PHOTOS = 6;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-feature-recovery-'));
  library = path.join(work, 'library');
  featuresFile = path.join(library, 'features', FEATURE_DB_FILE);
  const photos = path.join(work, 'photos');
  await makeKindImages(photos, 3, ['rings', 'checkers']);
  const engine = await Engine.open(library);
  try {
    await importFolder(engine, photos);
  } finally {
    await engine.close();
  }
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function withEngine<T>(fn: (e: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open(library);
  try {
    await engine.compute();
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** After the recovery job: every photo indexed, no notice, and look-alikes answered. */
async function expectRecovered(engine: Engine): Promise<void> {
  await engine.whenIdle();
  const jobs = await engine.call('listJobs', {});
  expect(jobs.filter((j) => j.kind === 'embed').map((j) => j.state)).toContain('done');
  expect(jobs.some((j) => j.kind === 'import')).toBe(false);
  expect(await engine.call('status', {})).toMatchObject({ embedded: PHOTOS, notices: [] });
  const r = await engine.call('similar', { id: 1, k: 3 });
  expect(r.hits).toHaveLength(3);
  for (const h of r.hits) expect(Math.abs(h.score)).toBeLessThanOrEqual(1.0001);
}

/** A new engine that has not loaded its CNN side reads the same count from the saved index. */
async function plainStatusEmbedded(): Promise<number> {
  const engine = await Engine.open(library);
  try {
    return (await engine.call('status', {})).embedded;
  } finally {
    await engine.close();
  }
}

describe('a lost feature cache', () => {
  it('a truncated file: status says 0 embedded and why, the photos are embedded again at once', async () => {
    truncateSync(featuresFile, 1000);
    await withEngine(async (engine) => {
      const s = await engine.call('status', {});
      expect(s.embedded).toBe(0);
      expect(s.notices).toEqual([expect.stringMatching(/^re-embedding 6 photos after a damaged feature store \(.*features\.sqlite is damaged/)]);
      await expectRecovered(engine);
    });
    expect(await plainStatusEmbedded()).toBe(PHOTOS);
  }, 120_000);

  it('a deleted file: the index is not trusted, the photos are embedded again at once', async () => {
    unlinkSync(featuresFile);
    await withEngine(async (engine) => {
      const s = await engine.call('status', {});
      expect(s.embedded).toBe(0);
      expect(s.notices[0]).toMatch(/features\.sqlite is missing/);
      await expectRecovered(engine);
    });
  }, 120_000);

  it('damaged pages found by a query: named, and recomputed without a re-import; status never overstates', async () => {
    // Page 1 (the schema) stays, so the file opens; the tables' pages are garbage.
    const size = statSync(featuresFile).size;
    const fd = openSync(featuresFile, 'r+');
    writeSync(fd, randomBytes(size - 4096), 0, size - 4096, 4096);
    closeSync(fd);
    await withEngine(async (engine) => {
      const err = await rejection(engine.call('similar', { id: 1 }));
      expect(err.message).toContain(featuresFile);
      expect(err.message).toMatch(/damaged .*moved it to .*computed again/);
      const vectors = await engine.vectors();
      // Right after the loss, before the job has embedded anything: the index is empty and says why.
      expect(vectors.embeddedCount()).toBe(0);
      expect(vectors.recoveryNotice()).toMatch(/^re-embedding 6 photos after a damaged feature store/);
      await expectRecovered(engine);
    });
    expect(readdirSync(path.dirname(featuresFile)).some((f) => f.startsWith(`${FEATURE_DB_FILE}.damaged-`))).toBe(true);
    expect(await plainStatusEmbedded()).toBe(PHOTOS);
  }, 120_000);
});

/** Flips one byte in the middle of each named row's blob, leaving its checksum as it was. */
function garble(rows: { hash: string; featureId: string }[]): void {
  const db = new Database(featuresFile);
  try {
    const read = db.prepare<[string, string], { vec: Buffer }>('SELECT vec FROM features WHERE hash = ? AND feature_id = ?');
    const write = db.prepare<[Buffer, string, string]>('UPDATE features SET vec = ? WHERE hash = ? AND feature_id = ?');
    for (const { hash, featureId } of rows) {
      const vec = Buffer.from(read.get(hash, featureId)!.vec);
      vec[Math.floor(vec.length / 2)] ^= 0x40;
      write.run(vec, hash, featureId);
    }
  } finally {
    db.close();
  }
}

function featureRows(): { hash: string; featureId: string; sum: number | null; vec: Buffer }[] {
  const db = new Database(featuresFile, { readonly: true });
  try {
    return db.prepare<[], { hash: string; featureId: string; sum: number | null; vec: Buffer }>('SELECT hash, feature_id AS featureId, sum, vec FROM features ORDER BY hash, feature_id').all();
  } finally {
    db.close();
  }
}

describe('garbled rows in the feature cache', () => {
  it('a row whose blob fails its checksum is dropped, never returned, reported and computed again', async () => {
    const before = featureRows();
    expect(before.every((r) => r.sum !== null)).toBe(true);
    const pooled = before.filter((r) => !r.featureId.includes('#'));
    const nearDup = before.filter((r) => r.featureId.endsWith('#near-duplicate-v1'));
    expect(pooled).toHaveLength(PHOTOS);
    const badPooled = pooled.slice(0, 2);
    const badNearDup = nearDup.slice(3, 4);
    garble([...badPooled, ...badNearDup]);
    // A row written before rows had checksums is trusted and given one when first read.
    const legacy = pooled[4];
    const db = new Database(featuresFile);
    db.prepare('UPDATE features SET sum = NULL WHERE hash = ? AND feature_id = ?').run(legacy.hash, legacy.featureId);
    db.close();

    await withEngine(async (engine) => {
      const vectors = await engine.vectors();
      const ids = vectors.listed().map((i) => i.id);
      const hashOf = new Map(vectors.listed().map((i) => [i.id, i.hash]));
      const got = vectors.featuresOf(ids);
      ids.forEach((id, k) => {
        const bad = badPooled.some((r) => r.hash === hashOf.get(id));
        expect(got[k] === undefined).toBe(bad);
      });
      expect(vectors.embeddedCount()).toBe(PHOTOS - 2);
      expect(vectors.recoveryNotice()).toMatch(/^re-embedding 2 photos after a damaged feature store \(2 cached features in .* failed their checksum/);
      // The duplicates pass reads every descriptor: the garbled one is dropped, not compared.
      await engine.call('duplicates', {});
      expect(featureRows().some((r) => r.hash === badNearDup[0].hash && r.featureId === badNearDup[0].featureId)).toBe(false);
      await expectRecovered(engine);
    });

    // (duplicates also cached layout features of its own: only the rows that were there count)
    const kept = new Set(before.map((r) => r.featureId));
    const after = featureRows().filter((r) => kept.has(r.featureId));
    expect(after).toHaveLength(before.length);
    expect(after.every((r) => r.sum !== null)).toBe(true);
    for (const bad of [...badPooled, ...badNearDup]) {
      const again = after.find((r) => r.hash === bad.hash && r.featureId === bad.featureId)!;
      const was = new Float32Array(bad.vec.buffer.slice(bad.vec.byteOffset, bad.vec.byteOffset + bad.vec.byteLength));
      const now = new Float32Array(again.vec.buffer.slice(again.vec.byteOffset, again.vec.byteOffset + again.vec.byteLength));
      let maxDiff = 0;
      for (let i = 0; i < was.length; i++) maxDiff = Math.max(maxDiff, Math.abs(was[i] - now[i]));
      expect(maxDiff).toBeLessThan(1e-3);
    }
  }, 180_000);
});
