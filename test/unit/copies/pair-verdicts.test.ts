import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_DB_FILE, FeatureStore } from '../../../src-main/model/feature-store.js';
import { PairVerdicts } from '../../../src-main/copies/pair-verdicts.js';

describe('PairVerdicts', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'lookalike-verdicts-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps verdicts by pair, either order, across reopen, apart from other checks and from features', () => {
    const features = join(dir, 'features');
    const v = PairVerdicts.open(features, 'check@1');
    v.put([['aa', 'bb', true], ['cc', 'aa', false]]);
    expect(v.get([['aa', 'bb'], ['bb', 'aa'], ['aa', 'cc'], ['aa', 'dd']])).toEqual([true, true, false, undefined]);
    // The same file holds the feature cache; neither disturbs the other.
    const store = FeatureStore.open(features, 'f', 2);
    store.put('aa', new Float32Array([1, 2]));
    v.close();

    const again = PairVerdicts.open(features, 'check@1');
    expect(again.get([['bb', 'aa'], ['cc', 'aa']])).toEqual([true, false]);
    again.put([['aa', 'cc', true]]);
    expect(again.get([['cc', 'aa']])).toEqual([true]);
    // Another version of the check has seen nothing.
    const newer = PairVerdicts.open(features, 'check@2');
    expect(newer.get([['aa', 'bb']])).toEqual([undefined]);
    expect(Array.from(store.get(['aa'])[0]!)).toEqual([1, 2]);
    for (const x of [again, newer, store]) x.close();
  });

  it('reads a damaged or edited verdict as never checked', () => {
    const features = join(dir, 'edited');
    const v = PairVerdicts.open(features, 'check@1');
    v.put([['aa', 'bb', false], ['aa', 'cc', true], ['aa', 'dd', true], ['aa', 'ee', true]]);
    v.close();
    const raw = new Database(join(features, FEATURE_DB_FILE));
    raw.prepare(`UPDATE pair_checks SET ok = 1 WHERE a = 'aa' AND b = 'bb'`).run(); // flipped by hand
    raw.prepare(`UPDATE pair_checks SET ok = 7 WHERE a = 'aa' AND b = 'cc'`).run(); // damaged value
    raw.prepare(`UPDATE pair_checks SET sum = 'x' WHERE a = 'aa' AND b = 'dd'`).run(); // damaged sum
    raw.close();
    const again = PairVerdicts.open(features, 'check@1');
    expect(again.get([['aa', 'bb'], ['aa', 'cc'], ['aa', 'dd'], ['aa', 'ee']])).toEqual([undefined, undefined, undefined, true]);
    again.close();
  });
});
