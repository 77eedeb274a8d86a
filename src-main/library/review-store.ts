// The user's duplicate reviews: in a group of copies, the one they keep and the copies they chose
// not to keep (the app never deletes them; it lists their paths). Keyed by path, not by photo: a
// photo saved at several paths is one photo with several files. Keeping one also marks each other
// copy as alike to it (marks teach training); the mark a pair had before is kept, so an undone
// review leaves the marks as they were.
import type Database from 'better-sqlite3';
import type { PairStore } from './pair-store.js';
import type { PairVerdict } from './types.js';

export interface DuplicateReviewRecord {
  kept: string;
  spare: string[];
  createdAt: number;
}

interface SpareRow {
  spare_path: string;
  kept_path: string;
  kept_image: number | null;
  spare_image: number | null;
  earlier_verdict: PairVerdict | null;
  created_at: number;
}

export class ReviewStore {
  constructor(
    private readonly db: Database.Database,
    private readonly pairs: PairStore,
  ) {}

  /**
   * Records that the file `kept` is kept over the `spare` files (each with its photo's id),
   * replacing any review these paths were part of, and marks each pair of different photos alike.
   */
  keep(kept: { path: string; id: number }, spare: readonly { path: string; id: number }[], source: string): DuplicateReviewRecord {
    const now = Date.now();
    this.db.transaction(() => {
      for (const p of [kept, ...spare]) this.undoAround(p.path);
      const insert = this.db.prepare(
        `INSERT INTO duplicate_reviews (spare_path, kept_path, kept_image, spare_image, earlier_verdict, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
      for (const s of spare) {
        const marked = s.id !== kept.id;
        const earlier = marked ? (this.pairs.of(kept.id).find((p) => p.a === s.id || p.b === s.id)?.verdict ?? null) : null;
        insert.run(s.path, kept.path, kept.id, marked ? s.id : null, earlier, now);
        if (marked) this.pairs.mark(kept.id, s.id, 'match', source);
      }
    })();
    return { kept: kept.path, spare: spare.map((s) => s.path), createdAt: now };
  }

  /** Every review, oldest first. */
  list(): DuplicateReviewRecord[] {
    const rows = this.db.prepare(`SELECT * FROM duplicate_reviews ORDER BY created_at, kept_path, spare_path`).all() as SpareRow[];
    const byKept = new Map<string, DuplicateReviewRecord>();
    for (const r of rows) {
      const review = byKept.get(r.kept_path) ?? { kept: r.kept_path, spare: [], createdAt: r.created_at };
      review.spare.push(r.spare_path);
      byKept.set(r.kept_path, review);
    }
    return [...byKept.values()];
  }

  /** Takes back the review that kept `kept`: its copies are no longer set aside, its marks are as before. */
  undo(kept: string): number {
    return this.db.transaction(() => this.undoKept(kept))();
  }

  /** Undoes the review a path is part of, kept or spare. */
  private undoAround(filePath: string): void {
    const asSpare = this.db.prepare(`SELECT kept_path FROM duplicate_reviews WHERE spare_path = ?`).pluck().get(filePath) as string | undefined;
    if (asSpare !== undefined) this.undoKept(asSpare);
    this.undoKept(filePath);
  }

  private undoKept(kept: string): number {
    const rows = this.db.prepare(`SELECT * FROM duplicate_reviews WHERE kept_path = ?`).all(kept) as SpareRow[];
    for (const r of rows) {
      if (r.kept_image === null || r.spare_image === null) continue;
      if (r.earlier_verdict) this.pairs.mark(r.kept_image, r.spare_image, r.earlier_verdict, 'user');
      else this.pairs.unmark(r.kept_image, r.spare_image);
    }
    return this.db.prepare(`DELETE FROM duplicate_reviews WHERE kept_path = ?`).run(kept).changes;
  }
}
