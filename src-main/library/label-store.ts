// Labels are names the user gives to images (or that come from folder names on import).
// An image may carry several labels; counts only include images still in the library.
import type Database from 'better-sqlite3';
import type { LabelCount } from './types.js';

/**
 * SQL predicate for "image i is listed": decoded and known at one live path at least.
 * Written exactly as the partial index images_listed, so SQLite uses that index.
 */
export const LISTED_IMAGE = `i.status = 'ok' AND i.live_paths > 0`;

function cleanName(label: string): string {
  const name = label.trim();
  if (name === '') throw new Error('a label needs a name');
  return name;
}

export class LabelStore {
  constructor(private readonly db: Database.Database) {}

  /** The label's id, creating it when new. */
  ensure(label: string): number {
    const name = cleanName(label);
    this.db.prepare(`INSERT INTO labels (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING`).run(name, Date.now());
    return (this.db.prepare(`SELECT id FROM labels WHERE name = ?`).get(name) as { id: number }).id;
  }

  idOf(label: string): number | undefined {
    const row = this.db.prepare(`SELECT id FROM labels WHERE name = ?`).get(label.trim()) as { id: number } | undefined;
    return row?.id;
  }

  /** Gives every image the label (idempotent); returns the label id. */
  add(imageIds: readonly number[], label: string): number {
    const insert = this.db.prepare(
      `INSERT INTO image_labels (image_id, label_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    return this.db.transaction(() => {
      const labelId = this.ensure(label);
      const now = Date.now();
      for (const id of imageIds) insert.run(id, labelId, now);
      return labelId;
    })();
  }

  /** Takes the label off these images; the label itself stays (possibly with no images). */
  remove(imageIds: readonly number[], label: string): number {
    const labelId = this.idOf(label);
    if (labelId === undefined) return 0;
    const del = this.db.prepare(`DELETE FROM image_labels WHERE image_id = ? AND label_id = ?`);
    return this.db.transaction(() => {
      let removed = 0;
      for (const id of imageIds) removed += del.run(id, labelId).changes;
      return removed;
    })();
  }

  /** Deletes the label everywhere. */
  delete(label: string): boolean {
    return this.db.prepare(`DELETE FROM labels WHERE name = ?`).run(label.trim()).changes > 0;
  }

  /** Each label's name by id. */
  private names(): Map<number, string> {
    return new Map(this.db.prepare(`SELECT id, name FROM labels`).raw().all() as [number, string][]);
  }

  /** How many labels there are (those on no photo too, as withCounts lists them), without counting photos. */
  count(): number {
    return this.db.prepare(`SELECT COUNT(*) FROM labels`).pluck().get() as number;
  }

  /**
   * Listed photos per label among photos carrying exactly one of `chosen` (all labels when not
   * given), and how many carry several of them (ambiguous): what labelled() gives, counted in
   * SQL (at 77,000 labelled photos ~50 ms instead of ~200 ms). Labels by name.
   */
  singleLabelCounts(chosen?: readonly string[]): { perLabel: Map<string, number>; ambiguous: number } {
    const rows = this.db
      .prepare(
        `SELECT CASE WHEN n = 1 THEN label_id END AS label, COUNT(*) AS photos FROM (
           SELECT il.image_id, MIN(il.label_id) AS label_id, COUNT(*) AS n
           FROM image_labels il JOIN images i ON i.id = il.image_id
           WHERE ${LISTED_IMAGE} AND (@all OR il.label_id IN (SELECT id FROM labels WHERE name IN (SELECT value FROM json_each(@chosen))))
           GROUP BY il.image_id)
         GROUP BY label`,
      )
      .all({ all: chosen ? 0 : 1, chosen: JSON.stringify(chosen ?? []) }) as { label: number | null; photos: number }[];
    const names = this.names();
    const perLabel = new Map(
      rows.flatMap((r) => (r.label === null ? [] : [[names.get(r.label)!, r.photos] as const])).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    );
    return { perLabel, ambiguous: rows.find((r) => r.label === null)?.photos ?? 0 };
  }

  withCounts(): LabelCount[] {
    return this.db
      .prepare(
        `SELECT l.id, l.name, COUNT(i.id) AS count
         FROM labels l
         LEFT JOIN image_labels il ON il.label_id = l.id
         LEFT JOIN images i ON i.id = il.image_id AND ${LISTED_IMAGE}
         GROUP BY l.id ORDER BY l.name`,
      )
      .all() as LabelCount[];
  }

  /**
   * Every listed image that carries a label, with its content hash and labels (sorted), in id
   * order: one query over the labels, not one per image (at 77,000 labelled photos 0.5-0.8 s
   * through eachImage, which blocked the engine at every training request).
   */
  labelled(): { id: number; contentHash: string; labels: string[] }[] {
    const names = this.names();
    const rows = this.db
      .prepare(
        `SELECT i.id, i.content_hash, il.label_id
         FROM images i JOIN image_labels il ON il.image_id = i.id
         WHERE ${LISTED_IMAGE} ORDER BY i.id`,
      )
      .raw()
      .all() as [number, string, number][];
    const out: { id: number; contentHash: string; labels: string[] }[] = [];
    for (const [id, contentHash, label] of rows) {
      const last = out[out.length - 1];
      if (last?.id === id) last.labels.push(names.get(label)!);
      else out.push({ id, contentHash, labels: [names.get(label)!] });
    }
    for (const image of out) if (image.labels.length > 1) image.labels.sort();
    return out;
  }

  ofImage(imageId: number): string[] {
    const rows = this.db
      .prepare(`SELECT l.name FROM image_labels il JOIN labels l ON l.id = il.label_id WHERE il.image_id = ? ORDER BY l.name`)
      .all(imageId) as { name: string }[];
    return rows.map((r) => r.name);
  }
}
