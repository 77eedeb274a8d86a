// Verdicts on pairs of photos (by content hash) kept in the feature cache file, so a slow check
// (the duplicates view's pixel match) is paid once per pair, not once per process: a library
// reopened, or asked again at another strictness, reads its verdicts back. Keyed by a check id
// that names the rule's version: changing the rule starts afresh without clearing anything.
// Each row carries a checksum of what it says: a row damaged or edited (a verdict flipped by
// hand) reads as never checked, and the pair is checked again.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ensureFolder } from '../common/library-paths.js';
import { FeatureDb } from '../model/feature-db.js';
import { FEATURE_DB_FILE } from '../model/feature-store.js';

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
      const get = this.file.db.prepare<[string, string, string], { ok: number; sum: string }>(
        'SELECT ok, sum FROM pair_checks WHERE a = ? AND b = ? AND check_id = ?',
      );
      return this.file.db.transaction(() =>
        pairs.map(([x, y]) => {
          const [a, b] = ordered(x, y);
          const row = get.get(a, b, this.checkId);
          if (!row || (row.ok !== 0 && row.ok !== 1) || row.sum !== checksum(a, b, this.checkId, row.ok === 1)) return undefined;
          return row.ok === 1;
        }),
      )();
    });
  }

  /** Stores verdicts in one transaction. */
  put(verdicts: Iterable<readonly [string, string, boolean]>): void {
    this.file.guard(() => {
      const put = this.file.db.prepare('INSERT OR REPLACE INTO pair_checks (a, b, check_id, ok, sum) VALUES (?, ?, ?, ?, ?)');
      this.file.db.transaction(() => {
        for (const [x, y, ok] of verdicts) {
          const [a, b] = ordered(x, y);
          put.run(a, b, this.checkId, ok ? 1 : 0, checksum(a, b, this.checkId, ok));
        }
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

/** What a row says, hashed: its pair, its check and its verdict. */
function checksum(a: string, b: string, checkId: string, ok: boolean): string {
  return createHash('sha256').update(`${a}\0${b}\0${checkId}\0${ok ? 1 : 0}`).digest('hex').slice(0, 32);
}
