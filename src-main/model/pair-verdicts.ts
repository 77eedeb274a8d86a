// Verdicts on pairs of photos (by content hash) kept in the feature cache file, so a slow check
// (the duplicates view's pixel match) is paid once per pair, not once per process: a library
// reopened, or asked again at another strictness, reads its verdicts back. Keyed by a check id
// that names the rule's version: changing the rule starts afresh without clearing anything.
import { join } from 'node:path';
import { ensureFolder } from '../common/library-paths.js';
import { FeatureDb } from './feature-db.js';
import { FEATURE_DB_FILE } from './feature-store.js';

export class PairVerdicts {
  private constructor(
    private readonly file: FeatureDb,
    readonly checkId: string,
  ) {}

  static open(featuresDir: string, checkId: string): PairVerdicts {
    ensureFolder(featuresDir);
    return new PairVerdicts(FeatureDb.acquire(join(featuresDir, FEATURE_DB_FILE)), checkId);
  }

  /** Each pair's verdict, in order; undefined where the pair was never checked. */
  get(pairs: readonly (readonly [string, string])[]): (boolean | undefined)[] {
    return this.file.guard(() => {
      const get = this.file.db.prepare<[string, string, string], { ok: number }>('SELECT ok FROM pair_verdicts WHERE a = ? AND b = ? AND check_id = ?');
      return this.file.db.transaction(() =>
        pairs.map(([x, y]) => {
          const row = get.get(...ordered(x, y), this.checkId);
          return row ? row.ok === 1 : undefined;
        }),
      )();
    });
  }

  /** Stores verdicts in one transaction. */
  put(verdicts: Iterable<readonly [string, string, boolean]>): void {
    this.file.guard(() => {
      const put = this.file.db.prepare('INSERT OR REPLACE INTO pair_verdicts (a, b, check_id, ok) VALUES (?, ?, ?, ?)');
      this.file.db.transaction(() => {
        for (const [x, y, ok] of verdicts) put.run(...ordered(x, y), this.checkId, ok ? 1 : 0);
      })();
    });
  }

  close(): void {
    this.file.release();
  }
}

function ordered(x: string, y: string): [string, string] {
  return x < y ? [x, y] : [y, x];
}
