// Pairs the user judged: "these two are alike" (match) or "these are not" (mismatch).
// Stored once per unordered pair (a < b); judging a pair again replaces the verdict.
import type Database from 'better-sqlite3';
import type { PairRecord, PairVerdict } from './types.js';

function ordered(a: number, b: number): [number, number] {
  if (a === b) throw new Error('a pair needs two different images');
  return a < b ? [a, b] : [b, a];
}

export class PairStore {
  constructor(private readonly db: Database.Database) {}

  mark(a: number, b: number, verdict: PairVerdict, source: string): PairRecord {
    const [lo, hi] = ordered(a, b);
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO pairs (image_a, image_b, verdict, source, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(image_a, image_b) DO UPDATE SET verdict = excluded.verdict, source = excluded.source,
           created_at = excluded.created_at`,
      )
      .run(lo, hi, verdict, source, now);
    return { a: lo, b: hi, verdict, source, createdAt: now };
  }

  unmark(a: number, b: number): boolean {
    const [lo, hi] = ordered(a, b);
    return this.db.prepare(`DELETE FROM pairs WHERE image_a = ? AND image_b = ?`).run(lo, hi).changes > 0;
  }

  /** The pairs one photo is in. */
  of(id: number): PairRecord[] {
    return this.db
      .prepare(
        `SELECT image_a AS a, image_b AS b, verdict, source, created_at AS createdAt FROM pairs WHERE image_a = ? OR image_b = ? ORDER BY id`,
      )
      .all(id, id) as PairRecord[];
  }

  list(): PairRecord[] {
    return this.db
      .prepare(`SELECT image_a AS a, image_b AS b, verdict, source, created_at AS createdAt FROM pairs ORDER BY id`)
      .all() as PairRecord[];
  }
}
