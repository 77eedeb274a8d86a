// The library's catalog: one SQLite file (WAL) holding what was imported, labelled, judged,
// trained and run. Synchronous by design (better-sqlite3): it lives in the engine process,
// never on a UI thread, and every query here is indexed and short.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { readHitFacts, type HitFacts } from './hit-facts.js';
import { openSqliteCopy } from '../common/sqlite-copy.js';
import { isSqliteDamage } from '../common/sqlite-damage.js';
import { catalogDamaged, missingCatalogNotice } from './catalog-file.js';
import { IngestStore } from './ingest-store.js';
import { JobStore } from './job-store.js';
import { LabelStore, LISTED_IMAGE } from './label-store.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { ModelStore } from './model-store.js';
import { PairStore } from './pair-store.js';
import { ReviewStore, type DuplicateReviewRecord } from './review-store.js';
import { libraryPaths, type LibraryPaths } from '../common/library-paths.js';
import { createPrivateFile } from '../common/private-files.js';
import type {
  FailureRecord, ImageDetail, ImagePage, ImageSummary, JobPatch, JobRecord, LabelCount, ListImagesQuery,
  ModelRecord, NewModel, PairRecord, PairVerdict, RootRecord,
} from './types.js';

interface ImageRow {
  id: number;
  content_hash: string;
  size: number;
  width: number;
  height: number;
  format: string;
  taken_at: string | null;
  status: 'ok' | 'failed';
  error: string | null;
  added_at: number;
}

// The contract lets a caller ask for up to 5000 at once (a grid prefetching a screenful of rows).
const MAX_PAGE = 5000;

export class Catalog {
  /** Import-side writes; used by src-main/ingest, not by the engine's request handlers. */
  readonly ingest: IngestStore;
  private readonly labels: LabelStore;
  private readonly pairs: PairStore;
  private readonly reviews: ReviewStore;
  private readonly jobs: JobStore;
  private readonly models: ModelStore;

  private constructor(
    readonly paths: LibraryPaths,
    readonly db: Database.Database,
    /** What was wrong with the catalog file when it opened (it was missing from a used folder), for status. */
    readonly notices: string[],
  ) {
    this.ingest = new IngestStore(db);
    this.labels = new LabelStore(db);
    this.pairs = new PairStore(db);
    this.reviews = new ReviewStore(db, this.pairs);
    this.jobs = new JobStore(db);
    this.models = new ModelStore(db);
  }

  /**
   * Opens (creating if needed) the library in `dir` and brings its schema up to date. A damaged
   * file is refused with a message naming it and the way back (catalog-file.ts); a missing one
   * in a folder a library used is started empty, and that is said (`notices`). With `readOnly`,
   * opens an existing one for reading only (a folder that cannot be written).
   */
  static open(dir: string, opts: { readOnly?: boolean } = {}): Catalog {
    if (opts.readOnly) return Catalog.openReadOnly(dir);
    const paths = libraryPaths(dir);
    const missing = fs.existsSync(paths.db) ? null : missingCatalogNotice(paths);
    if (missing) console.warn(missing);
    createPrivateFile(paths.db); // 0600, and so its -wal and -shm
    let db: Database.Database;
    try {
      db = new Database(paths.db);
    } catch (err) {
      throw isSqliteDamage(err) ? catalogDamaged(paths, (err as Error).message) : err;
    }
    try {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a killed process never loses a committed transaction; only a power
      // cut may lose the last few, and the file is never corrupted.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      migrate(db);
    } catch (err) {
      db.close();
      throw isSqliteDamage(err) ? catalogDamaged(paths, (err as Error).message) : err;
    }
    return new Catalog(paths, db, missing ? [missing] : []);
  }

  /**
   * A library in a folder that cannot be written: opened read-only, or from a copy in memory
   * where SQLite cannot open it so (common/sqlite-copy.ts). Every write is refused (SQLITE_READONLY).
   */
  private static openReadOnly(dir: string): Catalog {
    const paths = libraryPaths(dir, false);
    if (!fs.existsSync(paths.db)) throw new Error(`there is no library in ${paths.root}, and its folder is read-only: nothing can be created there`);
    let db: Database.Database;
    try {
      db = new Database(paths.db, { readonly: true, fileMustExist: true });
      db.pragma('user_version');
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CANTOPEN') throw err;
      db = openSqliteCopy(paths.db, { readonly: true });
    }
    try {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current !== SCHEMA_VERSION) {
        throw new Error(`the library in ${paths.root} needs a schema update (version ${current}), which its read-only folder does not allow`);
      }
    } catch (err) {
      db.close();
      throw err;
    }
    return new Catalog(paths, db, []);
  }

  /** Whether SQLite's quick check finds the catalog file whole (false when it cannot even be read). */
  intact(): boolean {
    try {
      return this.db.pragma('quick_check', { simple: true }) === 'ok';
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Where the thumbnail of some content lives: thumbs/<hash[0:2]>/<hash>.webp. */
  thumbnailPath(contentHash: string): string {
    return path.join(this.paths.thumbs, contentHash.slice(0, 2), `${contentHash}.webp`);
  }

  // ---- images -------------------------------------------------------------------------

  /** Images in the library: decoded, and known at one live path at least. */
  countImages(): number {
    return this.db.prepare(`SELECT COUNT(*) FROM images i WHERE ${LISTED_IMAGE}`).pluck().get() as number;
  }

  /** A page of images in import order, optionally only those carrying one label. */
  listImages(query: ListImagesQuery = {}): ImagePage {
    const offset = Math.max(0, Math.trunc(query.offset ?? 0));
    const limit = Math.min(MAX_PAGE, Math.max(0, Math.trunc(query.limit ?? 100)));
    const { from, where, params } = imageFilter(query.labelId);
    const total = this.db.prepare(`SELECT COUNT(*) FROM ${from} WHERE ${where}`).pluck().get(params) as number;
    const rows = this.db.prepare(`${SUMMARY_SELECT} FROM ${from} WHERE ${where} ORDER BY i.id LIMIT @limit OFFSET @offset`).all({ ...params, limit, offset });
    return { total, items: (rows as SummaryRow[]).map(toSummary) };
  }

  /**
   * Every listed image, in import order, read a page at a time. Pages continue after the last
   * id seen rather than at an offset, and need no count: a walk over 100k images is linear.
   */
  *eachImage(pageSize = 1000): Generator<ImageSummary> {
    const { from, where } = imageFilter(undefined);
    const page = this.db.prepare(`${SUMMARY_SELECT} FROM ${from} WHERE ${where} AND i.id > @after ORDER BY i.id LIMIT @limit`);
    for (let after = 0; ; ) {
      const rows = page.all({ after, limit: pageSize }) as SummaryRow[];
      yield* rows.map(toSummary);
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].id;
    }
  }

  /**
   * Id, content hash and first live path of every listed image, in import order: what the
   * engine needs to match images with cached vectors, without their labels (a third of the
   * time of eachImage at 100k images).
   */
  listedImageRefs(): { id: number; contentHash: string; path: string }[] {
    return this.db
      .prepare(
        `SELECT i.id, i.content_hash AS contentHash,
           (SELECT MIN(p.path) FROM image_paths p WHERE p.image_id = i.id AND p.status = 'live') AS path
         FROM images i WHERE ${LISTED_IMAGE} ORDER BY i.id`,
      )
      .all() as { id: number; contentHash: string; path: string }[];
  }

  /** Everything known about one image, or undefined when there is no such image. */
  getImage(id: number): ImageDetail | undefined {
    const row = this.db.prepare(`SELECT * FROM images WHERE id = ?`).get(id) as ImageRow | undefined;
    if (!row) return undefined;
    const paths = this.db
      .prepare(`SELECT path FROM image_paths WHERE image_id = ? AND status = 'live' ORDER BY path`)
      .pluck()
      .all(id) as string[];
    return {
      id: row.id,
      contentHash: row.content_hash,
      size: row.size,
      width: row.width,
      height: row.height,
      format: row.format,
      takenAt: row.taken_at,
      status: row.status,
      error: row.error,
      addedAt: row.added_at,
      paths,
      labels: this.labels.ofImage(id),
    };
  }

  /** Path, size and (when asked) labels of many images at once, for lists of hits (hit-facts.ts). */
  hitFacts(ids: readonly number[], withLabels = false): Map<number, HitFacts> {
    return readHitFacts(this.db, ids, withLabels);
  }

  /**
   * The image whose bytes are at this file path now. Relative paths resolve against the
   * working directory; a path through a symbolic link is also tried by its real path.
   */
  imageByPath(filePath: string): ImageDetail | undefined {
    const lookup = this.db.prepare(`SELECT image_id FROM image_paths WHERE path = ? AND status = 'live'`).pluck();
    const absolute = path.resolve(filePath);
    let id = lookup.get(absolute) as number | undefined;
    if (id === undefined) {
      try {
        const real = fs.realpathSync(absolute);
        if (real !== absolute) id = lookup.get(real) as number | undefined;
      } catch {
        // no such file on disk: nothing more to try
      }
    }
    return id === undefined ? undefined : this.getImage(id);
  }

  /** The listed image with these bytes (its SHA-256 content hash, common/content-hash.ts), or undefined. */
  imageByContentHash(contentHash: string): ImageDetail | undefined {
    const id = this.db.prepare(`SELECT i.id FROM images i WHERE i.content_hash = ? AND ${LISTED_IMAGE}`).pluck().get(contentHash) as number | undefined;
    return id === undefined ? undefined : this.getImage(id);
  }

  /**
   * Listed images whose bytes are at two live paths or more (byte-identical files are one
   * image), each with its paths sorted; in id order.
   */
  imagesAtSeveralPaths(): { id: number; paths: string[] }[] {
    const rows = this.db
      .prepare(
        `SELECT i.id, p.path FROM images i JOIN image_paths p ON p.image_id = i.id AND p.status = 'live'
         WHERE ${LISTED_IMAGE} AND i.live_paths > 1 ORDER BY i.id, p.path`,
      )
      .all() as { id: number; path: string }[];
    const byId = new Map<number, string[]>();
    for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r.path]);
    return [...byId].map(([id, paths]) => ({ id, paths }));
  }

  /** Files that could not be imported, with why; optionally for one root. */
  listFailures(rootId?: number): FailureRecord[] {
    return this.ingest.failures(rootId);
  }

  listRoots(): RootRecord[] {
    return this.db
      .prepare(
        `SELECT r.id, r.path, r.added_at AS addedAt, r.scanned_at AS scannedAt,
           (SELECT COUNT(DISTINCT p.image_id) FROM image_paths p WHERE p.root_id = r.id AND p.status = 'live') AS imageCount
         FROM roots r ORDER BY r.path`,
      )
      .all() as RootRecord[];
  }

  /**
   * Forgets a root: its paths go, and images known only under it leave the listing (their
   * labels, pairs and thumbnails stay, so importing the folder again restores them).
   */
  removeRoot(rootId: number): boolean {
    return this.db.prepare(`DELETE FROM roots WHERE id = ?`).run(rootId).changes > 0;
  }

  // ---- labels -------------------------------------------------------------------------

  /** Gives these images the label (created when new); returns the label's id. */
  setLabels(imageIds: readonly number[], label: string): number {
    return this.labels.add(imageIds, label);
  }

  /** Takes the label off these images; returns how many lost it. */
  removeLabel(imageIds: readonly number[], label: string): number {
    return this.labels.remove(imageIds, label);
  }

  /** Removes a label from the library altogether. */
  deleteLabel(label: string): boolean {
    return this.labels.delete(label);
  }

  /** Every listed image with a label: id, content hash, its labels (label-store.ts labelled). */
  labelledImages(): { id: number; contentHash: string; labels: string[] }[] {
    return this.labels.labelled();
  }

  /** Photos per label among those carrying exactly one of `chosen` labels, and how many carry several (label-store.ts). */
  singleLabelCounts(chosen?: readonly string[]): { perLabel: Map<string, number>; ambiguous: number } {
    return this.labels.singleLabelCounts(chosen);
  }

  labelsWithCounts(): LabelCount[] {
    return this.labels.withCounts();
  }

  /** How many labels labelsWithCounts() lists; at 77,000 labelled photos ~1 ms instead of its ~20 ms. */
  labelCount(): number {
    return this.labels.count();
  }

  labelId(label: string): number | undefined {
    return this.labels.idOf(label);
  }

  // ---- pairs --------------------------------------------------------------------------

  markPair(a: number, b: number, verdict: PairVerdict, source: string): PairRecord {
    return this.pairs.mark(a, b, verdict, source);
  }

  unmarkPair(a: number, b: number): boolean {
    return this.pairs.unmark(a, b);
  }

  pairsOf(id: number): PairRecord[] {
    return this.pairs.of(id);
  }

  listPairs(): PairRecord[] {
    return this.pairs.list();
  }

  // ---- duplicate reviews --------------------------------------------------------------

  keepDuplicate(kept: { path: string; id: number }, spare: readonly { path: string; id: number }[], source: string): DuplicateReviewRecord {
    return this.reviews.keep(kept, spare, source);
  }

  duplicateReviews(): DuplicateReviewRecord[] {
    return this.reviews.list();
  }

  undoDuplicateReview(kept: string): number {
    return this.reviews.undo(kept);
  }

  // ---- jobs ---------------------------------------------------------------------------

  createJob(kind: string, params: unknown): JobRecord {
    return this.jobs.create(kind, params);
  }

  updateJob(id: number, patch: JobPatch): JobRecord {
    return this.jobs.update(id, patch);
  }

  getJob(id: number): JobRecord | undefined {
    return this.jobs.get(id);
  }

  unfinishedJobs(): JobRecord[] {
    return this.jobs.unfinished();
  }

  listJobs(limit?: number): JobRecord[] {
    return this.jobs.list(limit);
  }

  // ---- models -------------------------------------------------------------------------

  createModel(model: NewModel): ModelRecord {
    return this.models.create(model);
  }

  listModels(): ModelRecord[] {
    return this.models.list();
  }

  getModel(id: number): ModelRecord | undefined {
    return this.models.get(id);
  }

  setModelMetrics(id: number, metrics: unknown): void {
    this.models.setMetrics(id, metrics);
  }

  setActiveModel(id: number | null): void {
    this.models.setActive(id);
  }

  activeModel(): ModelRecord | undefined {
    return this.models.active();
  }
}

const SUMMARY_SELECT = `SELECT i.id, i.content_hash AS contentHash, i.width, i.height,
  (SELECT MIN(p.path) FROM image_paths p WHERE p.image_id = i.id AND p.status = 'live') AS path,
  (SELECT json_group_array(name) FROM (SELECT l.name FROM image_labels il JOIN labels l ON l.id = il.label_id
     WHERE il.image_id = i.id ORDER BY l.name)) AS labels`;

interface SummaryRow {
  id: number;
  contentHash: string;
  width: number;
  height: number;
  path: string;
  labels: string;
}

function toSummary(r: SummaryRow): ImageSummary {
  return { ...r, labels: JSON.parse(r.labels) as string[] };
}

/** Listed images, or with a label only that label's (walked by its index, label then image id). */
function imageFilter(labelId: number | undefined): { from: string; where: string; params: Record<string, number> } {
  return labelId === undefined
    ? { from: 'images i', where: LISTED_IMAGE, params: {} }
    : { from: 'image_labels f JOIN images i ON i.id = f.image_id', where: `f.label_id = @labelId AND ${LISTED_IMAGE}`, params: { labelId } };
}
