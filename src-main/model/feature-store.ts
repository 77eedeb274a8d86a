// Cache of backbone features keyed by (content hash, feature id): a CNN pass is the expensive
// step, so the same bytes under the same backbone are never embedded twice. One small SQLite
// file in the library's features/ folder, vectors as float32 blobs, each with its CRC-32: a row
// whose blob no longer matches is dropped when read (never used) and reported as a loss, so the
// photo is embedded again.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type Database from 'better-sqlite3';
import { FeatureDb, type FeatureLoss } from './feature-db.js';
import { privateFolder } from '../common/private-files.js';

export const FEATURE_DB_FILE = 'features.sqlite';

type Statements = ReturnType<typeof prepare>;

function prepare(db: Database.Database) {
  return {
    get: db.prepare<[string, string], { vec: Buffer; sum: number | null }>('SELECT vec, sum FROM features WHERE hash = ? AND feature_id = ?'),
    fillSum: db.prepare<[number, string, string]>('UPDATE features SET sum = ? WHERE hash = ? AND feature_id = ?'),
    has: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM features WHERE hash = ? AND feature_id = ?'),
    put: db.prepare<[string, string, number, Buffer, number]>('INSERT OR REPLACE INTO features (hash, feature_id, dim, vec, sum) VALUES (?, ?, ?, ?, ?)'),
    count: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM features WHERE feature_id = ?'),
    remove: db.prepare<[string, string]>('DELETE FROM features WHERE hash = ? AND feature_id = ?'),
  };
}

export class FeatureStore {
  private prepared: Statements | null = null;
  private preparedFor = -1;

  private constructor(
    private readonly file: FeatureDb,
    /** Backbone (+ descriptor) id, e.g. `nsfwjs-mobilenet_v2@4.4.0/flatten_1`. */
    readonly featureId: string,
    readonly dim: number,
  ) {}

  /** Opens (creating if needed) `<featuresDir>/features.sqlite` for one feature id and dimension. */
  static open(featuresDir: string, featureId: string, dim: number): FeatureStore {
    mkdirSync(featuresDir, privateFolder);
    return new FeatureStore(FeatureDb.acquire(join(featuresDir, FEATURE_DB_FILE)), featureId, dim);
  }

  /** Why the cache file was found damaged and replaced by an empty one (null if it was not). */
  get resetReason(): string | null {
    return this.file.resetReason;
  }

  /** The cache file. */
  get dbFile(): string {
    return this.file.file;
  }

  /** Whether the cache file did not exist when this process first opened it. */
  get startedEmpty(): boolean {
    return this.file.startedEmpty;
  }

  /** See FeatureDb.onLoss: every store of the file hears of every loss. */
  onLoss(fn: (loss: FeatureLoss) => void): () => void {
    return this.file.onLoss(fn);
  }

  has(hash: string): boolean {
    return this.run((s) => s.has.get(hash, this.featureId) !== undefined);
  }

  /**
   * One entry per hash, in order; undefined where nothing is cached, or where the cached row
   * failed its checksum (it is deleted, and the loss reported).
   */
  get(hashes: string[]): (Float32Array | undefined)[] {
    const bad: string[] = [];
    const out = this.run((s, db) =>
      db.transaction(() =>
        hashes.map((h) => {
          const row = s.get.get(h, this.featureId);
          if (!row) return undefined;
          const sum = crc32(row.vec);
          if (row.vec.byteLength !== this.dim * 4 || (row.sum !== null && row.sum !== sum)) {
            s.remove.run(h, this.featureId);
            bad.push(h);
            return undefined;
          }
          if (row.sum === null) s.fillSum.run(sum, h, this.featureId);
          return fromBlob(row.vec);
        }),
      )(),
    );
    if (bad.length > 0) {
      const reason = `${bad.length} cached feature${bad.length === 1 ? '' : 's'} in ${this.file.file} (${this.featureId}) failed their checksum: dropped, to be computed again`;
      this.file.lost({ kind: 'rows', featureId: this.featureId, hashes: bad, reason });
    }
    return out;
  }

  /** The hashes among `hashes` with no cached vector. */
  missing(hashes: string[]): string[] {
    return this.run((s, db) => db.transaction(() => hashes.filter((h) => s.has.get(h, this.featureId) === undefined))());
  }

  put(hash: string, vec: Float32Array): void {
    this.putMany([[hash, vec]]);
  }

  /** Stores many vectors in one transaction (100k inserts take seconds one by one). */
  putMany(entries: Iterable<readonly [string, Float32Array]>): void {
    this.run((s, db) =>
      db.transaction(() => {
        for (const [hash, vec] of entries) {
          if (vec.length !== this.dim) throw new Error(`feature of ${hash} has ${vec.length} values, expected ${this.dim}`);
          const blob = toBlob(vec);
          s.put.run(hash, this.featureId, this.dim, blob, crc32(blob));
        }
      })(),
    );
  }

  remove(hashes: string[]): void {
    this.run((s, db) =>
      db.transaction(() => {
        for (const h of hashes) s.remove.run(h, this.featureId);
      })(),
    );
  }

  count(): number {
    return this.run((s) => s.count.get(this.featureId)?.n ?? 0);
  }

  close(): void {
    this.file.release();
  }

  /** Runs one operation on the current connection (statements re-made after a reset). */
  private run<T>(fn: (s: Statements, db: Database.Database) => T): T {
    return this.file.guard(() => {
      if (this.preparedFor !== this.file.generation || !this.prepared) {
        this.prepared = prepare(this.file.db);
        this.preparedFor = this.file.generation;
      }
      return fn(this.prepared, this.file.db);
    });
  }
}

function toBlob(vec: Float32Array): Buffer {
  return Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength);
}

/** Copies out of SQLite's buffer: it may not be 4-byte aligned and is reused. */
function fromBlob(blob: Buffer): Float32Array {
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}
