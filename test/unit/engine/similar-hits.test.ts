// "Similar" reads its hits' paths and labels from the catalog in one batch: the statements a
// query runs do not grow with the number of hits.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../../src-main/engine/engine.js';
import { labelledLibrary } from '../../fixtures/engine-jobs.js';

let work: string;
let engine: Engine;

beforeAll(async () => {
  ({ work, engine } = await labelledLibrary('lookalike-hits-', 4, ['rings', 'checkers']));
}, 180_000);
afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Statements `fn` prepares on the catalog's database. */
async function statementsOf<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  const prepare = vi.spyOn(engine.catalog.db, 'prepare');
  try {
    const result = await fn();
    return { result, statements: prepare.mock.calls.length };
  } finally {
    prepare.mockRestore();
  }
}

describe('similar hits', () => {
  it('carry each photo’s first path and labels, as the catalog has them', async () => {
    const { hits } = await engine.call('similar', { id: 1, k: 7 });
    expect(hits).toHaveLength(7);
    for (const h of hits) {
      const image = engine.catalog.getImage(h.id)!;
      expect(h.path).toBe(image.paths[0]);
      expect(h.labels).toEqual(image.labels);
      expect(h.labels).toHaveLength(1);
    }
  });

  it('are read in one batch: 7 hits cost the statements 2 hits do', async () => {
    await engine.call('similar', { id: 2, k: 2 }); // warm: the first call may load the heavy half
    const two = await statementsOf(() => engine.call('similar', { id: 1, k: 2 }));
    const seven = await statementsOf(() => engine.call('similar', { id: 1, k: 7 }));
    expect(two.result.hits).toHaveLength(2);
    expect(seven.result.hits).toHaveLength(7);
    expect(seven.statements).toBe(two.statements);
  });
});
