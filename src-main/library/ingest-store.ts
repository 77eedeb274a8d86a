// The catalog writes the import job makes. Every write is an upsert keyed by path or content
// hash, so replaying a batch (after a crash, or a second run) never duplicates a row.
import path from 'node:path';
import type Database from 'better-sqlite3';
import { LabelStore } from './label-store.js';
import type { FailureRecord, ImageFacts } from './types.js';

export type PathStatus = 'live' | 'removed' | 'failed';

export interface PathState {
  path: string;
  rootId: number;
  imageId: number | null;
  size: number;
  mtimeMs: number;
  status: PathStatus;
}

export type { ImageFacts } from './types.js';

export type IngestOp =
  | { kind: 'live'; path: string; rootId: number; size: number; mtimeMs: number; image: ImageFacts; label?: string }
  | { kind: 'failed'; path: string; rootId: number; size: number; mtimeMs: number; error: string };

interface PathRow {
  path: string;
  root_id: number;
  image_id: number | null;
  size: number;
  mtime_ms: number;
  status: PathStatus;
}

function toState(row: PathRow): PathState {
  return { path: row.path, rootId: row.root_id, imageId: row.image_id, size: row.size, mtimeMs: row.mtime_ms, status: row.status };
}

function isUnder(file: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep));
}

export class IngestStore {
  private readonly labels: LabelStore;

  constructor(private readonly db: Database.Database) {
    this.labels = new LabelStore(db);
  }

  /** Root id for an absolute folder path, adding it when new. */
  upsertRoot(rootPath: string): number {
    this.db.prepare(`INSERT INTO roots (path, added_at) VALUES (?, ?) ON CONFLICT(path) DO NOTHING`).run(rootPath, Date.now());
    return (this.db.prepare(`SELECT id FROM roots WHERE path = ?`).get(rootPath) as { id: number }).id;
  }

  markRootScanned(rootId: number): void {
    this.db.prepare(`UPDATE roots SET scanned_at = ? WHERE id = ?`).run(Date.now(), rootId);
  }

  pathsOfRoot(rootId: number): Map<string, PathState> {
    const rows = this.db
      .prepare(`SELECT path, root_id, image_id, size, mtime_ms, status FROM image_paths WHERE root_id = ?`)
      .all(rootId) as PathRow[];
    return new Map(rows.map((r) => [r.path, toState(r)]));
  }

  pathState(filePath: string): PathState | undefined {
    const row = this.db
      .prepare(`SELECT path, root_id, image_id, size, mtime_ms, status FROM image_paths WHERE path = ?`)
      .get(filePath) as PathRow | undefined;
    return row ? toState(row) : undefined;
  }

  /** What an earlier import learnt about these bytes, if they were imported before. */
  imageFactsByHash(contentHash: string): ImageFacts | undefined {
    return this.db
      .prepare(
        `SELECT content_hash AS contentHash, size, width, height, format, taken_at AS takenAt
         FROM images WHERE content_hash = ? AND status = 'ok'`,
      )
      .get(contentHash) as ImageFacts | undefined;
  }

  /** Commits a batch of per-file outcomes in one transaction. */
  apply(ops: readonly IngestOp[]): void {
    if (ops.length === 0) return;
    const insertImage = this.db.prepare(
      `INSERT INTO images (content_hash, size, width, height, format, taken_at, added_at)
       VALUES (@contentHash, @size, @width, @height, @format, @takenAt, @now)
       ON CONFLICT(content_hash) DO NOTHING`,
    );
    const imageId = this.db.prepare(`SELECT id FROM images WHERE content_hash = ?`).pluck();
    // A path met again keeps the root it was first imported under (roots may overlap).
    const upsertPath = this.db.prepare(
      `INSERT INTO image_paths (path, root_id, image_id, size, mtime_ms, status, error, updated_at)
       VALUES (@path, @rootId, @imageId, @size, @mtimeMs, @status, @error, @now)
       ON CONFLICT(path) DO UPDATE SET image_id = excluded.image_id, size = excluded.size,
         mtime_ms = excluded.mtime_ms, status = excluded.status, error = excluded.error, updated_at = excluded.updated_at`,
    );
    const addLabel = this.db.prepare(
      `INSERT INTO image_labels (image_id, label_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const labelId = this.cachedLabelIds();
    this.db.transaction(() => {
      const now = Date.now();
      for (const op of ops) {
        if (op.kind === 'live') {
          insertImage.run({ ...op.image, now });
          const id = imageId.get(op.image.contentHash) as number;
          upsertPath.run({ path: op.path, rootId: op.rootId, imageId: id, size: op.size, mtimeMs: op.mtimeMs, status: 'live', error: null, now });
          if (op.label !== undefined && op.label.trim() !== '') addLabel.run(id, labelId(op.label), now);
        } else {
          upsertPath.run({ path: op.path, rootId: op.rootId, imageId: null, size: op.size, mtimeMs: op.mtimeMs, status: 'failed', error: op.error, now });
        }
      }
    })();
  }

  /**
   * After a complete scan of a root: live paths not seen become 'removed', failure records not
   * seen are dropped (the file is gone). Paths under folders the scan could not read are kept,
   * since not seeing them says nothing. Returns how many paths were marked removed.
   */
  reconcileRoot(rootId: number, seen: ReadonlySet<string>, unreadableDirs: readonly string[]): number {
    const rows = this.db
      .prepare(`SELECT path, status FROM image_paths WHERE root_id = ? AND status IN ('live', 'failed')`)
      .all(rootId) as { path: string; status: PathStatus }[];
    const markRemoved = this.db.prepare(`UPDATE image_paths SET status = 'removed', updated_at = ? WHERE path = ?`);
    const dropFailure = this.db.prepare(`DELETE FROM image_paths WHERE path = ? AND status = 'failed'`);
    return this.db.transaction(() => {
      const now = Date.now();
      let removed = 0;
      for (const row of rows) {
        if (seen.has(row.path) || isUnder(row.path, unreadableDirs)) continue;
        if (row.status === 'live') removed += markRemoved.run(now, row.path).changes;
        else dropFailure.run(row.path);
      }
      return removed;
    })();
  }

  /** Labels the images at these live paths (idempotent). */
  labelPaths(entries: readonly { path: string; label: string }[]): void {
    const imageAt = this.db.prepare(`SELECT image_id FROM image_paths WHERE path = ? AND status = 'live'`).pluck();
    const addLabel = this.db.prepare(
      `INSERT INTO image_labels (image_id, label_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const labelId = this.cachedLabelIds();
    this.db.transaction(() => {
      const now = Date.now();
      for (const { path: p, label } of entries) {
        const id = imageAt.get(p) as number | undefined;
        if (id !== undefined && label.trim() !== '') addLabel.run(id, labelId(label), now);
      }
    })();
  }

  /** Label name to id, creating labels on first use; one lookup per name per batch. */
  private cachedLabelIds(): (label: string) => number {
    const ids = new Map<string, number>();
    return (label) => {
      let id = ids.get(label);
      if (id === undefined) {
        id = this.labels.ensure(label);
        ids.set(label, id);
      }
      return id;
    };
  }

  failures(rootId?: number): FailureRecord[] {
    const sql = `SELECT path, error, root_id AS rootId, updated_at AS updatedAt FROM image_paths
                 WHERE status = 'failed' ${rootId === undefined ? '' : 'AND root_id = ?'} ORDER BY path`;
    const stmt = this.db.prepare(sql);
    return (rootId === undefined ? stmt.all() : stmt.all(rootId)) as FailureRecord[];
  }
}
