// A duplicates search kept on disk: read back whole as written, or not at all (another rule,
// a damaged or cut file), and only the newest few searches kept.
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APART, changesSince, CONFIRMED, KEPT_SEARCHES, readSavedSearch, savedPairs, savedSearchFile, UNJUDGED, writeSavedSearch } from '../../../src-main/copies/saved-search.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lookalike-saved-search-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const photos = Array.from({ length: 1200 }, (_, id) => ({ id, hash: `${id}`.padStart(64, 'f') }));
const about = { rule: 'r', fingerprint: 'p', photos };
const pairs = Array.from({ length: 1001 }, (_, k) => ({ a: k, b: k + 1 + (k % 7), score: 0.95 + (k % 50) / 1000 }));

describe('a kept duplicates search', () => {
  it('reads back its pairs, scores and verdicts as written, for the same rule only', async () => {
    const saved = savedPairs(pairs, { rule: 'rule 1', fingerprint: 'photos 1', photos });
    saved.verdict[3] = CONFIRMED;
    const file = savedSearchFile(dir, 0.95);
    await writeSavedSearch(file, saved);
    const back = readSavedSearch(file, 'rule 1')!;
    expect(back.photos).toBe('photos 1');
    expect([...back.ids]).toEqual(photos.map((p) => p.id));
    expect(back.hashes).toEqual(photos.map((p) => p.hash));
    expect([...back.a]).toEqual(pairs.map((p) => p.a));
    expect([...back.b]).toEqual(pairs.map((p) => p.b));
    expect([...back.score]).toEqual(pairs.map((p) => Math.fround(p.score)));
    expect(back.verdict[3]).toBe(CONFIRMED);
    expect(back.verdict.filter((v) => v !== 0).length).toBe(1);
    expect(readSavedSearch(file, 'rule 2')).toBeNull();
    expect(readSavedSearch(join(dir, 'none.bin'), 'rule 1')).toBeNull();
  });

  it('reads a damaged or cut file as none', async () => {
    const file = savedSearchFile(dir, 0.9);
    await writeSavedSearch(file, savedPairs(pairs, about));
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    expect(readSavedSearch(file, 'r')).toBeNull();
    const flipped = Buffer.from(bytes);
    flipped[200] ^= 1;
    writeFileSync(file, flipped);
    expect(readSavedSearch(file, 'r')).toBeNull();
    writeFileSync(file, bytes);
    expect(readSavedSearch(file, 'r')).not.toBeNull();
  });

  it(`keeps the newest ${KEPT_SEARCHES} searches, one a strictness`, async () => {
    const thresholds = [0.9, 0.92, 0.94, 0.96, 0.98];
    for (const [k, t] of thresholds.entries()) {
      const file = savedSearchFile(dir, t);
      await writeSavedSearch(file, savedPairs(pairs.slice(0, 10), about));
      utimesSync(file, 1000 + k, 1000 + k); // written one after another, a second apart
    }
    await writeSavedSearch(savedSearchFile(dir, 0.92), savedPairs(pairs.slice(0, 10), about));
    const kept = readdirSync(dir).sort();
    expect(kept).toEqual([0.92, 0.96, 0.98].map((t) => savedSearchFile(dir, t).split('/').pop()).sort());
  });

  it('after photos were added and removed: keeps the other pairs with their verdicts, drops those of photos gone, adds the new ones unjudged', () => {
    const before = savedPairs([{ a: 1, b: 2, score: 0.99 }, { a: 2, b: 3, score: 0.98 }, { a: 3, b: 4, score: 0.97 }], { rule: 'r', fingerprint: 'p', photos: photos.slice(0, 5) });
    before.verdict.set([CONFIRMED, APART, CONFIRMED]);
    // Photo 3's content changed, photo 4 left, photo 7 came.
    const now = [...photos.slice(0, 3), { id: 3, hash: 'e'.repeat(64) }, photos[7]];
    const { added, removed } = changesSince(before, now);
    expect(added.map((p) => p.id)).toEqual([3, 7]);
    expect([...removed].sort()).toEqual([3, 4]);
    const after = savedPairs([{ a: 3, b: 7, score: 0.96 }], { rule: 'r', fingerprint: 'q', photos: now, changed: 4 }, before, removed);
    expect([...after.a]).toEqual([1, 3]);
    expect([...after.b]).toEqual([2, 7]);
    expect([...after.verdict]).toEqual([CONFIRMED, UNJUDGED]);
    expect(after.changed).toBe(4);
    expect(changesSince(after, now)).toEqual({ added: [], removed: new Set() });
  });
});
