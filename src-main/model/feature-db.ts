// The SQLite file behind the feature caches, one connection per file per process (every
// FeatureStore of a library shares it). A damaged file ("database disk image is malformed",
// "file is not a database") is moved aside, named in the message, and replaced by an empty one:
// the features are a cache, computed again at once (listeners hear of every loss, see `onLoss`).
import { existsSync, renameSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { createPrivateFile } from '../common/private-files.js';
import { canWriteIn, openSqliteCopy } from '../common/sqlite-copy.js';
import { isSqliteDamage } from '../common/sqlite-damage.js';

const open = new Map<string, FeatureDb>();

/** Features the cache lost: the whole file (damaged, or missing), or rows that failed their checksum. */
export type FeatureLoss = { kind: 'file'; reason: string } | { kind: 'rows'; featureId: string; hashes: string[]; reason: string };

export class FeatureCacheDamaged extends Error {
  constructor(
    readonly file: string,
    readonly movedTo: string,
    cause: string,
  ) {
    super(`the feature cache ${file} is damaged (${cause}); moved it to ${movedTo} and started an empty one: the photos' features are computed again`);
    this.name = 'FeatureCacheDamaged';
  }
}

export class FeatureDb {
  private conn!: Database.Database;
  private refs = 0;
  /** Bumped when the file is replaced: statements prepared on the old connection are stale. */
  generation = 0;
  /** Set when a damaged file was moved aside since the process opened it. */
  resetReason: string | null = null;
  /** Whether the file did not exist when this process first opened it (lost, or a new library). */
  startedEmpty = false;
  private readonly lossListeners = new Set<(loss: FeatureLoss) => void>();

  private constructor(readonly file: string) {}

  static acquire(file: string): FeatureDb {
    const key = resolve(file);
    let db = open.get(key);
    if (!db) {
      db = new FeatureDb(key);
      db.startedEmpty = !existsSync(key);
      try {
        db.connect();
      } catch (err) {
        if (!isSqliteDamage(err)) throw err;
        const damaged = db.moveAside(err);
        console.warn(damaged.message);
        db.connect();
      }
      open.set(key, db);
    }
    db.refs++;
    return db;
  }

  get db(): Database.Database {
    return this.conn;
  }

  /** Runs `fn`; a damaged file is moved aside, an empty one takes its place, and the error says so. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!isSqliteDamage(err)) throw err;
      const damaged = this.moveAside(err);
      this.connect();
      this.lost({ kind: 'file', reason: damaged.message });
      throw damaged;
    }
  }

  /** Calls `fn` for every loss of cached features from now on; returns the unsubscribe. */
  onLoss(fn: (loss: FeatureLoss) => void): () => void {
    this.lossListeners.add(fn);
    return () => this.lossListeners.delete(fn);
  }

  /** Tells the listeners that features were lost (they recompute them). */
  lost(loss: FeatureLoss): void {
    console.warn(loss.reason);
    for (const fn of this.lossListeners) fn(loss);
  }

  release(): void {
    if (--this.refs > 0) return;
    open.delete(this.file);
    this.conn.close();
  }

  private connect(): void {
    // A read-only library (its folder cannot be written) is read from a copy in memory: what a
    // query caches there (checksums filled, pair checks) is dropped with it, the file is untouched.
    const readOnly = !canWriteIn(dirname(this.file));
    if (!readOnly) createPrivateFile(this.file); // 0600, and so its -wal and -shm
    const conn = !readOnly ? new Database(this.file) : existsSync(this.file) ? openSqliteCopy(this.file, { readonly: false }) : new Database(':memory:');
    try {
      if (!readOnly) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('synchronous = NORMAL');
      }
      // sum: CRC-32 of vec, checked on every read (feature-store.ts); NULL in rows written
      // before it existed, filled when such a row is first read.
      conn.exec(`CREATE TABLE IF NOT EXISTS features (
        hash TEXT NOT NULL,
        feature_id TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vec BLOB NOT NULL,
        sum INTEGER,
        PRIMARY KEY (hash, feature_id)
      ) WITHOUT ROWID;
      -- Verdicts kept before rows carried a checksum: some were made from unreadable thumbnails
      -- and said "not a pair" for good (issue 18); they are checked again.
      DROP TABLE IF EXISTS pair_verdicts;
      CREATE TABLE IF NOT EXISTS pair_checks (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        check_id TEXT NOT NULL,
        ok INTEGER NOT NULL,
        sum TEXT NOT NULL,
        PRIMARY KEY (a, b, check_id)
      ) WITHOUT ROWID`);
      const columns = conn.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'features\')').all();
      if (!columns.some((c) => c.name === 'sum')) conn.exec('ALTER TABLE features ADD COLUMN sum INTEGER');
    } catch (err) {
      conn.close();
      throw err;
    }
    this.conn = conn;
    this.generation++;
  }

  private moveAside(err: unknown): FeatureCacheDamaged {
    try {
      this.conn?.close();
    } catch {
      // closing a damaged database may fail too; the file is moved either way
    }
    const movedTo = `${this.file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.file, movedTo);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(this.file + suffix)) renameSync(this.file + suffix, movedTo + suffix);
    }
    const damaged = new FeatureCacheDamaged(this.file, movedTo, (err as Error).message);
    this.resetReason = damaged.message;
    return damaged;
  }
}
