import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INDEX_CHUNK, LOOKUP_SLICE, prepareModel, type ModelSource } from '../../../src-main/engine/model-switch.js';
import type { ModelParts } from '../../../src-main/engine/model-parts.js';

/** A head-only model over cached features (`missing` says which photos have none) and a library of `n` photos. */
function headOnly(dir: string, n: number, id: number, dim: number, missing: (hashes: string[]) => string[], withFeatures: ModelSource['withFeatures']) {
  const listed = Array.from({ length: n }, (_, i) => ({ id: i + 1, hash: `h${i}`, path: `/p/${i}.png` }));
  const parts = {
    id,
    features: { featureId: 'features-v1', missing },
    head: { outputDim: dim, embed: (rows: Float32Array[]) => rows },
    tail: null,
    cnn: null,
  } as unknown as ModelParts;
  const library = { catalog: { paths: { index: dir }, countImages: () => n }, listed: () => listed, withFeatures, active: null } as unknown as ModelSource;
  return { listed, parts, library };
}

describe('prepareModel', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-switch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lets the engine answer other calls between the steps of a new index, and indexes every photo', async () => {
    // A head-only model over cached features: only the index is built (at 77,000 photos, 32 s).
    const n = 3 * INDEX_CHUNK + 10;
    const dim = 8;
    const vector = (id: number) => Float32Array.from({ length: dim }, (_, k) => Math.sin(id * (k + 1)) + 1.5);
    const { listed, parts, library } = headOnly(dir, n, 7, dim, () => [], (images) => ({ ids: images.map((i) => i.id), features: images.map((i) => vector(i.id)) }));

    const happened: string[] = [];
    const answer = () => setImmediate(() => happened.push('another call'));
    answer();
    const prepared = await prepareModel(library, 7, {
      onIndex: (done, total) => {
        happened.push(`indexed ${done} of ${total}`);
        if (done < total) answer();
      },
    }, parts);

    expect(happened.filter((h) => h === 'another call')).toHaveLength(4);
    // Each step is followed by an answer before the next step: never two steps in a row.
    happened.forEach((h, i) => i > 0 && h.startsWith('indexed') && expect(happened[i - 1]).toBe('another call'));
    expect(prepared.index.size).toBe(n);
    expect(listed.every((i) => prepared.index.has(i.id))).toBe(true);
  });

  it('looks up which photos have features a slice at a time, and builds nothing when none has', async () => {
    // Photos not embedded yet by this model (no cached feature): no index to build, and the
    // look-ups (77,000 in one go held the engine 3-8 s) leave room for other calls.
    const n = 2 * LOOKUP_SLICE + 5;
    const happened: string[] = [];
    const answer = () => setImmediate(() => happened.push('another call'));
    const lookUp = (hashes: string[]) => (happened.push(`looked up ${hashes.length}`), answer(), hashes);
    const { parts, library } = headOnly(dir, n, 8, 8, lookUp, () => expect.unreachable('no feature to read'));
    const prepared = await prepareModel(library, 8, { onIndex: () => happened.push('indexed') }, parts);
    expect(prepared.index.size).toBe(0);
    expect(happened.filter((h) => h.startsWith('looked up'))).toEqual([`looked up ${LOOKUP_SLICE}`, `looked up ${LOOKUP_SLICE}`, 'looked up 5']);
    expect(happened).not.toContain('indexed');
    // Another call answered after each slice's look-ups, before the next slice's.
    happened.forEach((h, i) => i > 0 && h.startsWith('looked up') && expect(happened[i - 1]).toBe('another call'));
  });
});
