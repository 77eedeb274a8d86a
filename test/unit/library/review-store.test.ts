// Duplicate reviews are the user's work: they outlive the process, a second review of the same
// copies replaces the first, and undoing one leaves the marks as they were before it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalog } from '../../../src-main/library/catalog.js';

describe('duplicate reviews', () => {
  let dir: string;
  let catalog: Catalog;
  /** Photos 1..3 at /photos/<n>.jpg; photo 1's bytes also at /photos/1 again.jpg. */
  const file = (n: number) => {
    const p = `/photos/${n}.jpg`;
    return { path: p, id: catalog.imageByPath(p)!.id };
  };
  const again = () => ({ path: '/photos/1 again.jpg', id: file(1).id });
  const verdictOf = (a: number, b: number) => catalog.pairsOf(a).find((p) => p.a === b || p.b === b)?.verdict;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-reviews-'));
    catalog = Catalog.open(dir);
    const rootId = catalog.ingest.upsertRoot('/photos');
    const facts = (n: number) => ({ contentHash: `hash${n}`, size: 100 + n, width: 40, height: 30, format: 'jpeg', takenAt: null });
    catalog.ingest.apply([
      ...[1, 2, 3].map((n) => ({ kind: 'live' as const, path: `/photos/${n}.jpg`, rootId, size: 1, mtimeMs: 1, image: facts(n) })),
      { kind: 'live' as const, path: '/photos/1 again.jpg', rootId, size: 1, mtimeMs: 1, image: facts(1) },
    ]);
  });
  afterEach(() => {
    catalog.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a review through a reopen, and marks the kept photo alike to each copy', () => {
    catalog.keepDuplicate(file(1), [file(2), file(3)], 'user');
    expect(verdictOf(file(1).id, file(2).id)).toBe('match');
    catalog.close();
    catalog = Catalog.open(dir);
    expect(catalog.duplicateReviews()).toEqual([{ kept: '/photos/1.jpg', spare: ['/photos/2.jpg', '/photos/3.jpg'], createdAt: expect.any(Number) }]);
  });

  it('undoes a review: the copies are no longer set aside and the marks are as before', () => {
    catalog.markPair(file(1).id, file(3).id, 'mismatch', 'user');
    catalog.keepDuplicate(file(1), [file(2), file(3)], 'user');
    expect(verdictOf(file(1).id, file(3).id)).toBe('match');
    expect(catalog.undoDuplicateReview('/photos/1.jpg')).toBe(2);
    expect(catalog.duplicateReviews()).toEqual([]);
    expect(verdictOf(file(1).id, file(2).id)).toBeUndefined();
    expect(verdictOf(file(1).id, file(3).id)).toBe('mismatch');
  });

  it('replaces the review of the same copies when another one is kept', () => {
    catalog.keepDuplicate(file(1), [file(2)], 'user');
    catalog.keepDuplicate(file(2), [file(1)], 'user');
    expect(catalog.duplicateReviews().map((r) => [r.kept, r.spare])).toEqual([['/photos/2.jpg', ['/photos/1.jpg']]]);
    expect(verdictOf(file(1).id, file(2).id)).toBe('match');
  });

  it('keeps one path of a file saved twice without marking a pair (it is one photo)', () => {
    catalog.keepDuplicate(again(), [file(1)], 'user');
    expect(catalog.duplicateReviews()).toEqual([{ kept: '/photos/1 again.jpg', spare: ['/photos/1.jpg'], createdAt: expect.any(Number) }]);
    expect(catalog.pairsOf(file(1).id)).toEqual([]);
    expect(catalog.undoDuplicateReview('/photos/1 again.jpg')).toBe(1);
  });
});
