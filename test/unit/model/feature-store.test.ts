import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../../../src-main/model/feature-store.js';

const ID = 'nsfwjs-mobilenet_v2@4.4.0/flatten_1';

describe('FeatureStore', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'lookalike-features-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips float32 vectors by (hash, feature id), across reopen', () => {
    const store = FeatureStore.open(join(dir, 'features'), ID, 4);
    const a = new Float32Array([0.1, -2, 3.5e-8, 1e20]);
    store.put('aaa', a);
    store.putMany([['bbb', new Float32Array([1, 2, 3, 4])]]);
    expect(store.has('aaa')).toBe(true);
    expect(store.has('zzz')).toBe(false);
    expect(store.missing(['aaa', 'zzz', 'bbb'])).toEqual(['zzz']);
    store.close();

    const again = FeatureStore.open(join(dir, 'features'), ID, 4);
    const [got, none, b] = again.get(['aaa', 'zzz', 'bbb']);
    expect(Array.from(got!)).toEqual(Array.from(a));
    expect(none).toBeUndefined();
    expect(Array.from(b!)).toEqual([1, 2, 3, 4]);
    expect(again.count()).toBe(2);
    // another backbone's features are a different key
    const other = FeatureStore.open(join(dir, 'features'), 'some-other-backbone', 4);
    expect(other.has('aaa')).toBe(false);
    expect(() => other.put('aaa', new Float32Array(3))).toThrow(/expected 4/);
    other.close();
    again.remove(['aaa']);
    expect(again.has('aaa')).toBe(false);
    again.close();
  });
});
