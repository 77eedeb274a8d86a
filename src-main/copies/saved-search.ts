// The duplicates view's last search at a strictness, kept in the library's features folder: the
// pairs it proposed and each one's verdict so far. At 77,000 photos finding the pairs took ~8 min
// (the descriptors' index, the candidates, the layouts) and reading their 1.9 M verdicts back
// another minute, so a search asked again after a restart, or resumed after a cancel or a kill,
// starts from here while the library's photos are the ones it searched. Written whole (a temp
// file renamed over it) with a checksum: a damaged, older or other file reads as none, and the
// search runs whole.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeAtomic } from '../common/write-atomic.js';
import type { DuplicatePair } from './duplicates.js';

/** A pair's verdict as kept: not judged yet (or its image could not be read), not a pair, a pair. */
export const UNJUDGED = 0;
export const APART = 1;
export const CONFIRMED = 2;

export interface SavedSearch {
  /** What proposed and judged the pairs (strictness, neighbours asked, descriptor, layout, pixel rule). */
  rule: string;
  /** The photos searched, by id and content, as one fingerprint: the pairs hold while the library's photos are these. */
  photos: string;
  /** The same photos, to tell which were added or removed since. */
  ids: Int32Array;
  hashes: string[];
  /** Photos added or removed since the last search over every photo (the pairs of the others were kept). */
  changed: number;
  a: Int32Array;
  b: Int32Array;
  score: Float32Array;
  /** UNJUDGED, APART or CONFIRMED, per pair. */
  verdict: Uint8Array;
}

const MAGIC = Buffer.from('lookalike duplicates 2\n');
/** Searches kept, one a strictness: the newest few (a record is ~13 bytes a pair, 25 MB at 77,000 photos). */
export const KEPT_SEARCHES = 3;
const PREFIX = 'duplicate-search-';

/** The file that keeps the search at `threshold` in `dir`. */
export function savedSearchFile(dir: string, threshold: number): string {
  return join(dir, `${PREFIX}${Math.round(threshold * 1e6)}.bin`);
}

/** The `k`th pair of a search. */
export function pairAt(search: SavedSearch, k: number): DuplicatePair {
  return { a: search.a[k], b: search.b[k], score: search.score[k] };
}

/** A photo searched: its id and content hash. */
export interface SearchedPhoto {
  id: number;
  hash: string;
}

/**
 * A search of `photos` (`fingerprint` names them) with `pairs` not judged yet, after the pairs of
 * `kept` (with their verdicts) but those with a photo in `dropped`.
 */
export function savedPairs(
  pairs: readonly DuplicatePair[],
  search: { rule: string; fingerprint: string; photos: readonly SearchedPhoto[]; changed?: number },
  kept?: SavedSearch,
  dropped: ReadonlySet<number> = new Set(),
): SavedSearch {
  const old: number[] = [];
  if (kept) for (let k = 0; k < kept.a.length; k++) if (!dropped.has(kept.a[k]) && !dropped.has(kept.b[k])) old.push(k);
  const m = old.length + pairs.length;
  const s: SavedSearch = {
    rule: search.rule,
    photos: search.fingerprint,
    ids: Int32Array.from(search.photos, (p) => p.id),
    hashes: search.photos.map((p) => p.hash),
    changed: search.changed ?? 0,
    a: new Int32Array(m),
    b: new Int32Array(m),
    score: new Float32Array(m),
    verdict: new Uint8Array(m),
  };
  old.forEach((k, j) => {
    s.a[j] = kept!.a[k];
    s.b[j] = kept!.b[k];
    s.score[j] = kept!.score[k];
    s.verdict[j] = kept!.verdict[k];
  });
  pairs.forEach((p, j) => {
    s.a[old.length + j] = p.a;
    s.b[old.length + j] = p.b;
    s.score[old.length + j] = p.score;
  });
  return s;
}

/** The photos of `now` not in `search` (or with other contents), and the ids in `search` no longer in `now` as they were. */
export function changesSince(search: SavedSearch, now: readonly SearchedPhoto[]): { added: SearchedPhoto[]; removed: Set<number> } {
  const before = new Map<number, string>();
  search.ids.forEach((id, k) => before.set(id, search.hashes[k]));
  const current = new Map(now.map((p) => [p.id, p.hash]));
  const added = now.filter((p) => before.get(p.id) !== p.hash);
  const removed = new Set([...before].filter(([id, hash]) => current.get(id) !== hash).map(([id]) => id));
  return { added, removed };
}

/** The search kept in `file` if it was made by `rule` and is whole; null otherwise (none, damaged, another rule). */
export function readSavedSearch(file: string, rule: string): SavedSearch | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  const body = bytes.subarray(0, Math.max(0, bytes.length - 32));
  if (bytes.length < MAGIC.length + 36 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(body.length))) return null;
  try {
    const headerLength = body.readUInt32LE(MAGIC.length);
    let at = MAGIC.length + 4;
    const header = JSON.parse(body.subarray(at, at + headerLength).toString('utf8')) as { rule: string; photos: string; pairs: number; searched: number; changed: number; hashBytes: number };
    at += headerLength;
    if (header.rule !== rule) return null;
    const m = header.pairs;
    const n = header.searched;
    // Copied out: the typed arrays need aligned memory of their own.
    const take = (count: number, bytesEach: number) => {
      const part = new Uint8Array(body.subarray(at, at + count * bytesEach));
      at += count * bytesEach;
      return part.buffer;
    };
    const ids = new Int32Array(take(n, 4));
    const hashes = n > 0 ? Buffer.from(take(header.hashBytes, 1)).toString('utf8').split('\n') : [];
    if (hashes.length !== n) return null;
    const saved = { rule, photos: header.photos, ids, hashes, changed: header.changed, a: new Int32Array(take(m, 4)), b: new Int32Array(take(m, 4)), score: new Float32Array(take(m, 4)), verdict: new Uint8Array(take(m, 1)) };
    return at === body.length ? saved : null;
  } catch {
    return null;
  }
}

/** Keeps `saved` in `file` whole, and drops the oldest searches past KEPT_SEARCHES in its folder. */
export async function writeSavedSearch(file: string, saved: SavedSearch): Promise<void> {
  const hashes = Buffer.from(saved.hashes.join('\n'), 'utf8');
  const header = Buffer.from(JSON.stringify({ rule: saved.rule, photos: saved.photos, pairs: saved.a.length, searched: saved.ids.length, changed: saved.changed, hashBytes: hashes.length }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const arrays = [saved.ids, hashes, saved.a, saved.b, saved.score, saved.verdict];
  const parts = [MAGIC, length, header, ...arrays.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))];
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  await writeAtomic(file, Buffer.concat([...parts, hash.digest()]));
  const dir = dirname(file);
  const kept = readdirSync(dir)
    .filter((f) => f.startsWith(PREFIX) && f.endsWith('.bin'))
    .map((f) => ({ f, at: statSync(join(dir, f)).mtimeMs }))
    .sort((x, y) => y.at - x.at);
  for (const { f } of kept.slice(KEPT_SEARCHES)) unlinkSync(join(dir, f));
}
