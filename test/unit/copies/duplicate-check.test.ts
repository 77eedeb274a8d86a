// The duplicates check's verdicts read back: a later search of a large library reads millions of
// them, and the engine must keep answering other calls (and a cancel) while it does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateCheck } from '../../../src-main/copies/duplicate-check.js';
import { PairVerdicts } from '../../../src-main/copies/pair-verdicts.js';

describe('DuplicateCheck.confirm with every verdict kept', () => {
  let dir: string;
  let verdicts: PairVerdicts;
  const photos = 400;
  // Each photo paired with its next 30 (12,000-odd pairs, a few slices' worth); every seventh pair confirmed.
  const pairs = Array.from({ length: photos }, (_, a) => Array.from({ length: 30 }, (_, k) => ({ a, b: a + k + 1, score: 0.99 }))).flat().filter((p) => p.b < photos);
  const key = (id: number) => `hash-${id}`;
  const source = (id: number) => ({ key: key(id), input: `/nowhere/${id}.webp` });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lookalike-check-'));
    verdicts = PairVerdicts.open(join(dir, 'features'), 'check@1');
    verdicts.put(pairs.map((p, i) => [key(p.a), key(p.b), i % 7 === 0] as const));
  });
  afterAll(() => {
    verdicts.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers from the kept verdicts (no image read), letting other work run between slices', async () => {
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const { pairs: confirmed, unreadable } = await new DuplicateCheck(verdicts).confirm(pairs, source);
    counting = false;
    expect(unreadable).toBe(0);
    expect(confirmed).toEqual(pairs.filter((_, i) => i % 7 === 0));
    // Premise: more pairs than one slice reads; the thread was given back between slices.
    expect(pairs.length).toBeGreaterThan(10_000);
    expect(turns).toBeGreaterThanOrEqual(2);
  });

  it('stops reading when the search is cancelled', async () => {
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    await expect(new DuplicateCheck(verdicts).confirm(pairs, source, { signal: controller.signal })).rejects.toThrow();
  });
});
