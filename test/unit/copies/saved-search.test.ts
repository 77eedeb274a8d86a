// A duplicates search kept on disk: read back whole as written, or not at all (another rule,
// a damaged or cut file), and only the newest few searches kept.
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIRMED, KEPT_SEARCHES, readSavedSearch, savedPairs, savedSearchFile, writeSavedSearch } from '../../../src-main/copies/saved-search.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lookalike-saved-search-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pairs = Array.from({ length: 1001 }, (_, k) => ({ a: k, b: k + 1 + (k % 7), score: 0.95 + (k % 50) / 1000 }));

describe('a kept duplicates search', () => {
  it('reads back its pairs, scores and verdicts as written, for the same rule only', async () => {
    const saved = savedPairs(pairs, 'rule 1', 'photos 1');
    saved.verdict[3] = CONFIRMED;
    const file = savedSearchFile(dir, 0.95);
    await writeSavedSearch(file, saved);
    const back = readSavedSearch(file, 'rule 1')!;
    expect(back.photos).toBe('photos 1');
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
    await writeSavedSearch(file, savedPairs(pairs, 'r', 'p'));
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
      await writeSavedSearch(file, savedPairs(pairs.slice(0, 10), 'r', 'p'));
      utimesSync(file, 1000 + k, 1000 + k); // written one after another, a second apart
    }
    await writeSavedSearch(savedSearchFile(dir, 0.92), savedPairs(pairs.slice(0, 10), 'r', 'p'));
    const kept = readdirSync(dir).sort();
    expect(kept).toEqual([0.92, 0.96, 0.98].map((t) => savedSearchFile(dir, t).split('/').pop()).sort());
  });
});
